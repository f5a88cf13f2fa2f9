//! Resolving a conflict between my grid and theirs (a shared project someone else saved first): keep
//! mine, take theirs, or merge — each part (the shape, each field) from the side the user chose. The
//! result is an ordinary [`Command`], so a resolution is one undoable step like any edit.
//!
//! ```
//! use std::collections::BTreeSet;
//! use geo::{MultiPolygon, polygon};
//! use wangge::core::Grid;
//! use wangge::core::edit::{Part, differing_parts, merged};
//!
//! let square = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.)]]);
//! let mut mine = Grid::new(square);
//! mine.attrs.phone = "0563-1".into();
//! let mut theirs = mine.clone();
//! theirs.attrs.grid_head = "李四".into();
//! mine.attrs.phone = "0563-2".into();
//! assert_eq!(differing_parts(&mine, &theirs), vec![Part::GridHead, Part::Phone]);
//! // Their head, my phone.
//! let both = merged(&mine, &theirs, &BTreeSet::from([Part::GridHead]));
//! assert_eq!((both.attrs.grid_head.as_str(), both.attrs.phone.as_str()), ("李四", "0563-2"));
//! ```

use std::collections::BTreeSet;

use super::command::{Command, GridFields};
use crate::core::{Grid, GridId};

/// A part of a grid that can be taken from one side or the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Geometry,
    Code,
    Name,
    Kind,
    Class,
    VillageCode,
    Households,
    Population,
    PartyMembers,
    GridHead,
    GridStaff,
    Phone,
    Notes,
    ValidFrom,
    ValidTo,
}

impl Part {
    pub const ALL: [Part; 15] = [
        Part::Geometry,
        Part::Code,
        Part::Name,
        Part::Kind,
        Part::Class,
        Part::VillageCode,
        Part::Households,
        Part::Population,
        Part::PartyMembers,
        Part::GridHead,
        Part::GridStaff,
        Part::Phone,
        Part::Notes,
        Part::ValidFrom,
        Part::ValidTo,
    ];

    /// The part's value as text, for showing the two sides; the shape as its vertex count.
    pub fn text(self, grid: &Grid) -> String {
        let count = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        let a = &grid.attrs;
        match self {
            Part::Geometry => {
                use geo::CoordsIter;
                grid.geometry.coords_count().to_string()
            }
            Part::Code => grid.code.clone(),
            Part::Name => grid.name.clone(),
            Part::Kind => grid.kind.label_zh().to_string(),
            Part::Class => grid.class.label_zh().to_string(),
            Part::VillageCode => grid.village_code.clone(),
            Part::Households => count(a.households),
            Part::Population => count(a.population),
            Part::PartyMembers => count(a.party_members),
            Part::GridHead => a.grid_head.clone(),
            Part::GridStaff => a.grid_staff.clone(),
            Part::Phone => a.phone.clone(),
            Part::Notes => a.notes.clone(),
            Part::ValidFrom => a.valid_from.clone(),
            Part::ValidTo => a.valid_to.clone(),
        }
    }

    fn same(self, a: &Grid, b: &Grid) -> bool {
        match self {
            Part::Geometry => a.geometry == b.geometry,
            Part::Kind => a.kind == b.kind,
            Part::Class => a.class == b.class,
            other => other.text(a) == other.text(b),
        }
    }

    /// Sets this part of `into` to what `from` has.
    fn take(self, from: &Grid, into: &mut Grid) {
        let (f, t) = (&from.attrs, &mut into.attrs);
        match self {
            Part::Geometry => into.geometry = from.geometry.clone(),
            Part::Code => into.code = from.code.clone(),
            Part::Name => into.name = from.name.clone(),
            Part::Kind => into.kind = from.kind,
            Part::Class => into.class = from.class,
            Part::VillageCode => into.village_code = from.village_code.clone(),
            Part::Households => t.households = f.households,
            Part::Population => t.population = f.population,
            Part::PartyMembers => t.party_members = f.party_members,
            Part::GridHead => t.grid_head = f.grid_head.clone(),
            Part::GridStaff => t.grid_staff = f.grid_staff.clone(),
            Part::Phone => t.phone = f.phone.clone(),
            Part::Notes => t.notes = f.notes.clone(),
            Part::ValidFrom => t.valid_from = f.valid_from.clone(),
            Part::ValidTo => t.valid_to = f.valid_to.clone(),
        }
    }
}

/// The parts in which two grids differ, in [`Part::ALL`]'s order.
pub fn differing_parts(a: &Grid, b: &Grid) -> Vec<Part> {
    Part::ALL.into_iter().filter(|p| !p.same(a, b)).collect()
}

/// My grid with the parts in `from_theirs` taken from theirs (its id stays mine).
pub fn merged(mine: &Grid, theirs: &Grid, from_theirs: &BTreeSet<Part>) -> Grid {
    let mut out = mine.clone();
    for part in from_theirs {
        part.take(theirs, &mut out);
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
    /// These parts from theirs, the rest mine (both sides must have the grid).
    Merge(BTreeSet<Part>),
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
        assert_eq!(differing_parts(&mine, &theirs), vec![Part::Geometry, Part::Households, Part::Phone]);
        assert_eq!(resolution_command(id, Some(&mine), Some(&theirs), &Resolution::KeepMine), None);
        let parts = BTreeSet::from([Part::Households]);
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
