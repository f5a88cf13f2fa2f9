//! Each grid of a check-out sorted by who changed it since the check-out: the township offline (mine),
//! others in the database (theirs), both, or nobody.

use std::collections::{BTreeMap, BTreeSet};

use super::fields::{Field, changed_fields};
use crate::core::{Grid, GridId};

/// What the merge does with a grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Nobody changed it.
    Unchanged,
    /// Only I changed (added, edited or deleted) it: mine goes into the database.
    MineOnly,
    /// Only they changed it: theirs comes into my file.
    TheirsOnly,
    /// Both changed it the same way: nothing to write.
    BothSame,
    /// Both added a grid under this id (ids handed out offline): two different grids; mine is stored
    /// under a fresh id, theirs kept.
    BothAdded,
    /// Both changed it, differently: left for the person to decide; nothing overwritten.
    Conflict,
}

/// A grid's outcome, with the fields each side changed (for the list of conflicts).
#[derive(Clone, Debug, PartialEq)]
pub struct GridMerge {
    pub id: GridId,
    pub outcome: Outcome,
    pub mine: Vec<Field>,
    pub theirs: Vec<Field>,
}

/// The outcome of one grid from its three states (`None`: not there).
///
/// ```
/// use geo::{MultiPolygon, polygon};
/// use wangge::core::Grid;
/// use wangge::core::merge::{Outcome, classify};
/// let base = Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)]]));
/// let mut mine = base.clone();
/// mine.name = "我改的".into();
/// let mut theirs = base.clone();
/// theirs.attrs.phone = "13800000000".into();
/// assert_eq!(classify(Some(&base), Some(&mine), Some(&base)), Outcome::MineOnly);
/// assert_eq!(classify(Some(&base), Some(&base), Some(&theirs)), Outcome::TheirsOnly);
/// assert_eq!(classify(Some(&base), Some(&mine), Some(&mine)), Outcome::BothSame);
/// assert_eq!(classify(Some(&base), Some(&mine), Some(&theirs)), Outcome::Conflict);
/// assert_eq!(classify(Some(&base), None, Some(&theirs)), Outcome::Conflict, "deleted here, edited there");
/// assert_eq!(classify(None, Some(&mine), Some(&theirs)), Outcome::BothAdded);
/// ```
pub fn classify(base: Option<&Grid>, mine: Option<&Grid>, theirs: Option<&Grid>) -> Outcome {
    let (mine_changed, theirs_changed) = (mine != base, theirs != base);
    match (mine_changed, theirs_changed) {
        (false, false) => Outcome::Unchanged,
        (true, false) => Outcome::MineOnly,
        (false, true) => Outcome::TheirsOnly,
        (true, true) if mine == theirs => Outcome::BothSame,
        (true, true) if base.is_none() => Outcome::BothAdded,
        (true, true) => Outcome::Conflict,
    }
}

/// Every grid in any of the three states that someone changed, by id, with its outcome.
///
/// ```
/// use std::collections::BTreeMap;
/// use geo::{MultiPolygon, polygon};
/// use wangge::core::Grid;
/// use wangge::core::merge::{Field, Outcome, merge_grids};
/// let mut g = Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)]]));
/// g.id = 7;
/// let base = BTreeMap::from([(7, g.clone())]);
/// let mut theirs = base.clone();
/// theirs.get_mut(&7).unwrap().name = "他们改的".into();
/// let merged = merge_grids(&base, &BTreeMap::new(), &theirs);
/// assert_eq!(merged.len(), 1);
/// assert_eq!((merged[0].outcome, merged[0].mine.clone(), merged[0].theirs.clone()),
///            (Outcome::Conflict, vec![Field::Deleted], vec![Field::Name]));
/// ```
pub fn merge_grids(
    base: &BTreeMap<GridId, Grid>,
    mine: &BTreeMap<GridId, Grid>,
    theirs: &BTreeMap<GridId, Grid>,
) -> Vec<GridMerge> {
    let ids: BTreeSet<GridId> = base.keys().chain(mine.keys()).chain(theirs.keys()).copied().collect();
    ids.into_iter()
        .filter_map(|id| {
            let (b, m, t) = (base.get(&id), mine.get(&id), theirs.get(&id));
            let outcome = classify(b, m, t);
            (outcome != Outcome::Unchanged).then(|| GridMerge {
                id,
                outcome,
                mine: changed_fields(b, m),
                theirs: changed_fields(b, t),
            })
        })
        .collect()
}
