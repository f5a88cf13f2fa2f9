//! Resolving a conflict between my grid and theirs (a shared project someone else saved first): keep
//! mine, take theirs, or merge — each field (the shape among them) from the side the user chose. The
//! result is an ordinary [`Command`], so a resolution is one undoable step like any edit.
//!
//! ```
//! use std::collections::BTreeSet;
//! use geo::{MultiPolygon, polygon};
//! use wangge::core::Grid;
//! use wangge::core::merge::{Field, changed_fields, merged};
//!
//! let square = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.)]]);
//! let mut mine = Grid::new(square);
//! mine.attrs.phone = "0563-1".into();
//! let mut theirs = mine.clone();
//! theirs.attrs.grid_head = "李四".into();
//! mine.attrs.phone = "0563-2".into();
//! assert_eq!(changed_fields(Some(&mine), Some(&theirs)), vec![Field::GridHead, Field::Phone]);
//! // Their head, my phone.
//! let both = merged(&mine, &theirs, &BTreeSet::from([Field::GridHead]));
//! assert_eq!((both.attrs.grid_head.as_str(), both.attrs.phone.as_str()), ("李四", "0563-2"));
//! ```

use std::collections::BTreeSet;

use super::fields::Field;
use crate::core::edit::{Command, GridFields};
use crate::core::{Grid, GridId};

/// A field's value as text, for showing the two sides; the shape as its vertex count ("" for the
/// coming or going of the grid, which has no value).
pub fn value_text(field: Field, grid: &Grid) -> String {
    let count = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let a = &grid.attrs;
    match field {
        Field::Added | Field::Deleted => String::new(),
        Field::Geometry => {
            use geo::CoordsIter;
            grid.geometry.coords_count().to_string()
        }
        Field::Code => grid.code.clone(),
        Field::Name => grid.name.clone(),
        Field::Kind => grid.kind.label_zh().to_string(),
        Field::Class => grid.class.label_zh().to_string(),
        Field::Village => grid.village_code.clone(),
        Field::Households => count(a.households),
        Field::Population => count(a.population),
        Field::PartyMembers => count(a.party_members),
        Field::GridHead => a.grid_head.clone(),
        Field::GridStaff => a.grid_staff.clone(),
        Field::Phone => a.phone.clone(),
        Field::Notes => a.notes.clone(),
        Field::ValidFrom => a.valid_from.clone(),
        Field::ValidTo => a.valid_to.clone(),
    }
}

/// Sets `field` of `into` to what `from` has.
fn take(field: Field, from: &Grid, into: &mut Grid) {
    let (f, t) = (&from.attrs, &mut into.attrs);
    match field {
        Field::Added | Field::Deleted => {}
        Field::Geometry => into.geometry = from.geometry.clone(),
        Field::Code => into.code = from.code.clone(),
        Field::Name => into.name = from.name.clone(),
        Field::Kind => into.kind = from.kind,
        Field::Class => into.class = from.class,
        Field::Village => into.village_code = from.village_code.clone(),
        Field::Households => t.households = f.households,
        Field::Population => t.population = f.population,
        Field::PartyMembers => t.party_members = f.party_members,
        Field::GridHead => t.grid_head = f.grid_head.clone(),
        Field::GridStaff => t.grid_staff = f.grid_staff.clone(),
        Field::Phone => t.phone = f.phone.clone(),
        Field::Notes => t.notes = f.notes.clone(),
        Field::ValidFrom => t.valid_from = f.valid_from.clone(),
        Field::ValidTo => t.valid_to = f.valid_to.clone(),
    }
}

/// My grid with the fields in `from_theirs` taken from theirs (its id stays mine).
pub fn merged(mine: &Grid, theirs: &Grid, from_theirs: &BTreeSet<Field>) -> Grid {
    let mut out = mine.clone();
    for &field in from_theirs {
        take(field, theirs, &mut out);
    }
    out
}

/// How the user settled one conflict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// My grid stays as it is (and is written over theirs at the next save).
    KeepMine,
    /// My grid becomes theirs (or goes, if they deleted it; or comes back, if I deleted it).
    TakeTheirs,
    /// These fields from theirs, the rest mine (both sides must have the grid).
    Merge(BTreeSet<Field>),
}

/// The command that makes grid `id` of the project (`mine`, None when I deleted it) what `resolution`
/// says, given `theirs` (None when they deleted it); None when the project needs no change.
pub fn resolution_command(
    id: GridId,
    mine: Option<&Grid>,
    theirs: Option<&Grid>,
    resolution: &Resolution,
) -> Option<Command> {
    let set_to = |target: &Grid| -> Option<Command> {
        let mine = mine?;
        let mut commands = Vec::new();
        if mine.geometry != target.geometry {
            commands.push(Command::SetGeometry { id, geometry: target.geometry.clone() });
        }
        let fields = GridFields::of(target);
        if fields != GridFields::of(mine) {
            commands.push(Command::SetFields { id, fields: Box::new(fields) });
        }
        (!commands.is_empty()).then_some(Command::Batch(commands))
    };
    match (resolution, mine, theirs) {
        (Resolution::KeepMine, _, _) => None,
        (Resolution::TakeTheirs, Some(_), Some(theirs)) => set_to(theirs),
        (Resolution::TakeTheirs, Some(_), None) => Some(Command::RemoveGrid(id)),
        (Resolution::TakeTheirs, None, Some(theirs)) => {
            let mut grid = theirs.clone();
            grid.id = id;
            Some(Command::AddGrid(Box::new(grid)))
        }
        (Resolution::TakeTheirs, None, None) => None,
        (Resolution::Merge(parts), Some(m), Some(t)) => set_to(&merged(m, t, parts)),
        // Nothing to merge with a side that has no grid: that side wins or loses whole.
        (Resolution::Merge(_), _, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Crs, CrsUnits, Project};
    use geo::{MultiPolygon, polygon};

    fn grid(x: f64) -> Grid {
        Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: x, y: 0.), (x: x, y: 1.), (x: 0., y: 1.)]]))
    }

    fn project_with(g: Grid) -> (Project, GridId) {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        let id = p.add_grid(g);
        (p, id)
    }

    #[test]
    fn taking_theirs_makes_my_grid_theirs_and_undoes_exactly() {
        let (mut p, id) = project_with(grid(1.0));
        let mut theirs = grid(2.0);
        theirs.id = id;
        theirs.name = "他们的".into();
        let before = p.clone();
        let mine = p.grids[&id].clone();
        let command = resolution_command(id, Some(&mine), Some(&theirs), &Resolution::TakeTheirs).unwrap();
        let inverse = command.apply(&mut p).unwrap();
        assert_eq!(p.grids[&id], theirs);
        inverse.apply(&mut p).unwrap();
        assert_eq!(p, before);
    }

    #[test]
    fn a_merge_takes_only_the_chosen_parts_and_keeping_mine_changes_nothing() {
        let (mut p, id) = project_with(grid(1.0));
        let mine = p.grids[&id].clone();
        let mut theirs = grid(2.0);
        theirs.id = id;
        theirs.attrs.households = Some(420);
        theirs.attrs.phone = "1".into();
        let differ = super::super::changed_fields(Some(&mine), Some(&theirs));
        assert_eq!(differ, vec![Field::Geometry, Field::Households, Field::Phone]);
        assert_eq!(resolution_command(id, Some(&mine), Some(&theirs), &Resolution::KeepMine), None);
        let parts = BTreeSet::from([Field::Households]);
        let command = resolution_command(id, Some(&mine), Some(&theirs), &Resolution::Merge(parts)).unwrap();
        command.apply(&mut p).unwrap();
        let now = &p.grids[&id];
        assert_eq!((now.attrs.households, now.attrs.phone.as_str()), (Some(420), ""));
        assert_eq!(now.geometry, mine.geometry);
    }

    #[test]
    fn deletions_on_either_side() {
        let (mut p, id) = project_with(grid(1.0));
        let mine = p.grids[&id].clone();
        let gone = resolution_command(id, Some(&mine), None, &Resolution::TakeTheirs).unwrap();
        gone.apply(&mut p).unwrap();
        assert!(!p.grids.contains_key(&id));
        let back = resolution_command(id, None, Some(&mine), &Resolution::TakeTheirs).unwrap();
        back.apply(&mut p).unwrap();
        assert_eq!(p.grids[&id], mine);
        assert_eq!(resolution_command(id, None, Some(&mine), &Resolution::Merge(BTreeSet::new())), None);
    }
}
