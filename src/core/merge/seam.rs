//! The township seam: my edits, together with the neighbouring townships' grids as they are in the
//! database now, must still be a valid coverage along the border. The project's coverage checker
//! decides ([`Checker::for_project`]); what it finds after the merge but not before, between a grid I
//! changed and a neighbour's grid, is a seam break, with the vertex moves of the neighbour's grid that
//! would mend it (its vertex where my border vertex was, moved where mine went).

use std::collections::{BTreeMap, BTreeSet};

use geo::orient::{Direction, Orient};
use geo::{Coord, CoordsIter, MultiPolygon};

use crate::core::coverage::{Checker, CoverageOptions, FindingKind, round_coord};
use crate::core::{Grid, GridId, Project};

/// Move the vertex of grid `neighbour` at `from` to `to`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VertexMove {
    pub neighbour: GridId,
    pub from: Coord<f64>,
    pub to: Coord<f64>,
}

/// A coverage problem along the seam that my edits make.
#[derive(Clone, Debug, PartialEq)]
pub struct SeamBreak {
    /// What the checker found (overlap, gap, edge mismatch …).
    pub kind: FindingKind,
    /// My changed grids involved, by id.
    pub mine: Vec<GridId>,
    /// The neighbours' grids involved, by id.
    pub neighbours: Vec<GridId>,
    /// Moves of the neighbours' vertices that would make the seam match my edit (empty when no single
    /// border vertex moved: then the neighbour's border must be redrawn to match).
    pub moves: Vec<VertexMove>,
}

/// The seam breaks that changing my township's grids from `mine_before` to `mine_after` makes against
/// the neighbours' grids, which were `neighbours_before` and are `neighbours_after` now. Only findings
/// new after the change that involve a grid in `changed` and a neighbour's grid count: what was wrong
/// before, or is wrong between my own grids, is not the seam's business. `project` gives the CRS and
/// precision; its own grids are not looked at.
///
/// ```
/// use std::collections::{BTreeMap, BTreeSet};
/// use geo::{MultiPolygon, polygon};
/// use wangge::core::{Crs, CrsUnits, Grid, Project};
/// use wangge::core::merge::seam_breaks;
/// let project = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
/// // Two grids share the edge x = 100 with a middle vertex at (mid, 50): mine (west), the neighbour's (east).
/// let west = |mid: f64| {
///     let mut g = Grid::new(MultiPolygon(vec![polygon![
///         (x: 0., y: 0.), (x: 100., y: 0.), (x: mid, y: 50.), (x: 100., y: 100.), (x: 0., y: 100.)]]));
///     g.id = 1;
///     g
/// };
/// let east = |mid: f64| {
///     let mut g = Grid::new(MultiPolygon(vec![polygon![
///         (x: 100., y: 0.), (x: 200., y: 0.), (x: 200., y: 100.), (x: 100., y: 100.), (x: mid, y: 50.)]]));
///     g.id = 2;
///     g
/// };
/// let before = BTreeMap::from([(1, west(100.))]);
/// let neighbours = BTreeMap::from([(2, east(100.))]);
/// // My grid's border vertex moves 10 m east, into the neighbour: an overlap.
/// let after = BTreeMap::from([(1, west(110.))]);
/// let breaks = seam_breaks(&project, &before, &after, &neighbours, &neighbours, &BTreeSet::from([1]));
/// assert_eq!((breaks[0].mine.clone(), breaks[0].neighbours.clone()), (vec![1], vec![2]));
/// assert_eq!((breaks[0].moves[0].from.x, breaks[0].moves[0].to.x), (100., 110.));
/// // The neighbour moved the same vertex the same way: the seam matches.
/// let moved = BTreeMap::from([(2, east(110.))]);
/// assert!(seam_breaks(&project, &before, &after, &neighbours, &moved, &BTreeSet::from([1])).is_empty());
/// ```
pub fn seam_breaks(
    project: &Project,
    mine_before: &BTreeMap<GridId, Grid>,
    mine_after: &BTreeMap<GridId, Grid>,
    neighbours_before: &BTreeMap<GridId, Grid>,
    neighbours_after: &BTreeMap<GridId, Grid>,
    changed: &BTreeSet<GridId>,
) -> Vec<SeamBreak> {
    let involved = |ids: &[GridId]| {
        ids.iter().any(|id| changed.contains(id) && mine_after.contains_key(id))
            && ids.iter().any(|id| neighbours_after.contains_key(id))
    };
    // The area the grids covered before is the area to cover: a gap that opens at the seam is found
    // even where the seam runs to the edge of the grids (not enclosed by them).
    let polygons: Vec<_> =
        mine_before.values().chain(neighbours_before.values()).flat_map(|g| g.geometry.0.iter().cloned()).collect();
    let area = geo::unary_union(&MultiPolygon(polygons).orient(Direction::Default).0);
    let after = findings(project, &area, mine_after, neighbours_after);
    if !after.iter().any(|(_, ids)| involved(ids)) {
        return Vec::new();
    }
    let before = findings(project, &area, mine_before, neighbours_before);
    let p = project.precision;
    after
        .into_iter()
        .filter(|finding| !before.contains(finding) && involved(&finding.1))
        .map(|(kind, ids)| {
            let mine: Vec<GridId> =
                ids.iter().copied().filter(|id| changed.contains(id) && mine_after.contains_key(id)).collect();
            let neighbours: Vec<GridId> = ids.iter().copied().filter(|id| neighbours_after.contains_key(id)).collect();
            let mut moves = Vec::new();
            for &m in &mine {
                let (Some(old), Some(new)) = (mine_before.get(&m), mine_after.get(&m)) else { continue };
                for &n in &neighbours {
                    if let Some(neighbour) = neighbours_after.get(&n) {
                        moves.extend(
                            vertex_moves(&old.geometry, &new.geometry, &neighbour.geometry, p)
                                .into_iter()
                                .map(|(from, to)| VertexMove { neighbour: n, from, to }),
                        );
                    }
                }
            }
            moves.sort_by(|a, b| {
                (a.neighbour, a.from.x, a.from.y)
                    .partial_cmp(&(b.neighbour, b.from.x, b.from.y))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            moves.dedup();
            SeamBreak { kind, mine, neighbours, moves }
        })
        .collect()
}

/// The error findings of the coverage of `mine` and `neighbours` together over `area`, each as its
/// kind and the grid ids involved (sorted).
fn findings(
    project: &Project,
    area: &MultiPolygon<f64>,
    mine: &BTreeMap<GridId, Grid>,
    neighbours: &BTreeMap<GridId, Grid>,
) -> BTreeSet<(FindingKind, Vec<GridId>)> {
    let mut seam = Project::new(project.name.clone(), project.crs.clone());
    seam.precision = project.precision;
    seam.boundary = area.clone();
    for g in mine.values().chain(neighbours.values()) {
        seam.grids.insert(g.id, g.clone());
    }
    let ids: Vec<GridId> = seam.grids.keys().copied().collect();
    let (checker, _) = Checker::for_project(&seam, CoverageOptions::for_project(&seam));
    checker
        .report()
        .findings
        .into_iter()
        .filter(|f| f.kind.is_error())
        .map(|f| {
            let mut grid_ids: Vec<GridId> = f.items.iter().filter_map(|i| ids.get(*i).copied()).collect();
            grid_ids.sort_unstable();
            grid_ids.dedup();
            (f.kind, grid_ids)
        })
        .collect()
}

/// The vertices my grid shared with the neighbour's and no longer has (from), each with the nearest
/// vertex my grid gained (to): where the neighbour's vertex must go for the border to match again.
fn vertex_moves(
    old: &MultiPolygon<f64>,
    new: &MultiPolygon<f64>,
    neighbour: &MultiPolygon<f64>,
    precision: f64,
) -> Vec<(Coord<f64>, Coord<f64>)> {
    let key = |c: Coord<f64>| {
        let r = round_coord(c, precision);
        (r.x.to_bits(), r.y.to_bits())
    };
    let set = |mp: &MultiPolygon<f64>| mp.coords_iter().map(key).collect::<BTreeSet<_>>();
    let (old_set, new_set, neighbour_set) = (set(old), set(new), set(neighbour));
    let gained: Vec<Coord<f64>> = new.coords_iter().filter(|c| !old_set.contains(&key(*c))).collect();
    let mut moves = Vec::new();
    let mut seen = BTreeSet::new();
    for c in old.coords_iter() {
        let k = key(c);
        if new_set.contains(&k) || !neighbour_set.contains(&k) || !seen.insert(k) {
            continue;
        }
        let nearest = gained.iter().copied().min_by(|a, b| {
            let (da, db) = ((a.x - c.x).hypot(a.y - c.y), (b.x - c.x).hypot(b.y - c.y));
            da.total_cmp(&db)
        });
        if let Some(to) = nearest {
            moves.push((round_coord(c, precision), round_coord(to, precision)));
        }
    }
    moves
}
