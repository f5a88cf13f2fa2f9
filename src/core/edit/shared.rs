//! Editing several grids at once: the fields they may share (village, class, kind, grid head, staff,
//! phone), what those fields hold across a selection, and the one undoable step that sets the ones the
//! user changed on every grid. Code and name stay per grid: two grids never share a code, and a name
//! names one place.

use std::collections::BTreeSet;

use crate::core::edit::{Command, GridFields};
use crate::core::{AreaClass, Grid, GridId, GridKind, Project};

/// A field's value across several grids: the same in all of them, or differing (shown as 多个值).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shared<T> {
    Same(T),
    Mixed,
}

impl<T: PartialEq + Clone> Shared<T> {
    /// The value of `values`, `Mixed` as soon as two differ; `None` for no values at all.
    pub fn of(mut values: impl Iterator<Item = T>) -> Option<Shared<T>> {
        let first = values.next()?;
        Some(if values.all(|v| v == first) { Shared::Same(first) } else { Shared::Mixed })
    }

    pub fn same(&self) -> Option<&T> {
        match self {
            Shared::Same(v) => Some(v),
            Shared::Mixed => None,
        }
    }
}

/// What the fields a selection may share hold across it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedFields {
    pub village_code: Shared<String>,
    pub class: Shared<AreaClass>,
    pub kind: Shared<GridKind>,
    pub grid_head: Shared<String>,
    pub grid_staff: Shared<String>,
    pub phone: Shared<String>,
}

impl SharedFields {
    /// The shared fields of `grids`; `None` when there are none.
    pub fn of<'a>(grids: impl IntoIterator<Item = &'a Grid> + Clone) -> Option<SharedFields> {
        let all = || grids.clone().into_iter();
        Some(SharedFields {
            village_code: Shared::of(all().map(|g| g.village_code.clone()))?,
            class: Shared::of(all().map(|g| g.class))?,
            kind: Shared::of(all().map(|g| g.kind))?,
            grid_head: Shared::of(all().map(|g| g.attrs.grid_head.clone()))?,
            grid_staff: Shared::of(all().map(|g| g.attrs.grid_staff.clone()))?,
            phone: Shared::of(all().map(|g| g.attrs.phone.clone()))?,
        })
    }

    /// The shared fields of the grids `ids` of `project` (ids that are not there are left out).
    pub fn of_ids(project: &Project, ids: &BTreeSet<GridId>) -> Option<SharedFields> {
        let grids: Vec<&Grid> = ids.iter().filter_map(|id| project.grids.get(id)).collect();
        SharedFields::of(grids.iter().copied())
    }
}

/// The fields the user set in the form for several grids: `Some` is set on every grid, `None` is left
/// as each grid has it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedChanges {
    pub village_code: Option<String>,
    pub class: Option<AreaClass>,
    pub kind: Option<GridKind>,
    pub grid_head: Option<String>,
    pub grid_staff: Option<String>,
    pub phone: Option<String>,
}

impl SharedChanges {
    /// `fields` with the changes made (text trimmed).
    pub fn applied_to(&self, fields: &GridFields) -> GridFields {
        let mut out = fields.clone();
        let text = |v: &Option<String>, old: &mut String| {
            if let Some(v) = v {
                *old = v.trim().to_string();
            }
        };
        text(&self.village_code, &mut out.village_code);
        text(&self.grid_head, &mut out.attrs.grid_head);
        text(&self.grid_staff, &mut out.attrs.grid_staff);
        text(&self.phone, &mut out.attrs.phone);
        if let Some(c) = self.class {
            out.class = c;
        }
        if let Some(k) = self.kind {
            out.kind = k;
        }
        out
    }

    /// One step that sets the changes on the grids `ids`: a batch of one [`Command::SetFields`] per grid
    /// the changes alter (in id order). `None` when they alter none.
    pub fn command(&self, project: &Project, ids: &BTreeSet<GridId>) -> Option<Command> {
        let commands: Vec<Command> = ids
            .iter()
            .filter_map(|id| project.grids.get(id))
            .filter_map(|g| {
                let old = GridFields::of(g);
                let new = self.applied_to(&old);
                (new != old).then(|| Command::SetFields { id: g.id, fields: Box::new(new) })
            })
            .collect();
        (!commands.is_empty()).then_some(Command::Batch(commands))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Crs, CrsUnits};
    use geo::{MultiPolygon, polygon};

    fn project() -> Project {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for (i, (village, head, phone)) in [
            ("341823100001", "王芳", "13912345678"),
            ("341823100001", "李强", "13912345678"),
            ("341823100002", "王芳", "13912345678"),
        ]
        .into_iter()
        .enumerate()
        {
            let x = i as f64;
            let mut g = Grid::new(MultiPolygon(vec![
                polygon![(x: x, y: 0.), (x: x + 1., y: 0.), (x: x + 1., y: 1.), (x: x, y: 1.)],
            ]));
            g.code = format!("34182310000{}00{i}", i + 1);
            g.name = format!("第{i}网格");
            g.village_code = village.into();
            g.attrs.grid_head = head.into();
            g.attrs.phone = phone.into();
            g.attrs.households = Some(100 + i as u32);
            p.add_grid(g);
        }
        p
    }

    #[test]
    fn a_field_is_shared_only_where_every_grid_has_the_same_value() {
        let p = project();
        let ids: BTreeSet<GridId> = p.grids.keys().copied().collect();
        let shared = SharedFields::of_ids(&p, &ids).unwrap();
        assert_eq!(shared.village_code, Shared::Mixed);
        assert_eq!(shared.grid_head, Shared::Mixed);
        assert_eq!(shared.phone, Shared::Same("13912345678".into()));
        assert_eq!(shared.kind, Shared::Same(GridKind::Basic));
        assert_eq!(shared.grid_staff, Shared::Same(String::new()));
        // The first two share their village.
        let two: BTreeSet<GridId> = ids.iter().copied().take(2).collect();
        assert_eq!(SharedFields::of_ids(&p, &two).unwrap().village_code, Shared::Same("341823100001".into()));
        assert_eq!(SharedFields::of_ids(&p, &BTreeSet::new()), None);
        assert_eq!(Shared::of([1, 1, 2].into_iter()), Some(Shared::Mixed));
        assert_eq!(Shared::of([3].into_iter()).and_then(|s| s.same().copied()), Some(3));
    }

    #[test]
    fn changes_set_only_the_edited_fields_and_undo_in_one_step() {
        let mut p = project();
        let before = p.clone();
        let ids: BTreeSet<GridId> = p.grids.keys().copied().collect();
        let changes = SharedChanges {
            grid_staff: Some(" 张伟 ".into()),
            kind: Some(GridKind::Dedicated),
            ..SharedChanges::default()
        };
        let command = changes.command(&p, &ids).unwrap();
        let Command::Batch(steps) = &command else { panic!("{command:?}") };
        assert_eq!(steps.len(), 3);
        let inverse = command.apply(&mut p).unwrap();
        for g in p.grids.values() {
            assert_eq!((g.attrs.grid_staff.as_str(), g.kind), ("张伟", GridKind::Dedicated));
            let old = &before.grids[&g.id];
            // Per-grid fields and the fields left alone keep each grid's own value.
            assert_eq!(
                (&g.code, &g.name, &g.village_code, &g.attrs.grid_head),
                (&old.code, &old.name, &old.village_code, &old.attrs.grid_head)
            );
            assert_eq!(g.attrs.households, old.attrs.households);
        }
        inverse.apply(&mut p).unwrap();
        assert_eq!(p.grids, before.grids);
    }

    #[test]
    fn grids_already_holding_the_value_are_left_out_and_no_change_is_no_step() {
        let p = project();
        let ids: BTreeSet<GridId> = p.grids.keys().copied().collect();
        let head = SharedChanges { grid_head: Some("王芳".into()), ..SharedChanges::default() };
        let Some(Command::Batch(steps)) = head.command(&p, &ids) else { panic!() };
        assert_eq!(steps.len(), 1, "only the grid whose head was 李强");
        let same = SharedChanges { phone: Some("13912345678".into()), ..SharedChanges::default() };
        assert_eq!(same.command(&p, &ids), None);
        assert_eq!(SharedChanges::default().command(&p, &ids), None);
    }
}
