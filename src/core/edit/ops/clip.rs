//! Avoid-overlap: a drawn polygon is clipped to the boundary and against the existing grids, so a new
//! grid only takes what is still uncovered. Refuses (rather than guessing) when a neighbour is invalid,
//! because a boolean operation on an invalid polygon gives an unpredictable result.

use geo::{Area, BooleanOps, BoundingRect, MultiPolygon, Polygon};

use crate::core::coverage::{prepare_geometry, validity_problem};
use crate::core::edit::failure::EditFailure;
use crate::core::edit::index::SpatialIndex;
use crate::core::{GridId, Project};

#[derive(Clone, Debug, PartialEq)]
pub struct Clipped {
    pub geometry: MultiPolygon<f64>,
    /// Planar areas (CRS units²) before and after clipping.
    pub area_before: f64,
    pub area_after: f64,
}

impl Clipped {
    /// True when clipping took something away (beyond rounding to the precision grid).
    pub fn changed(&self, precision: f64) -> bool {
        let noise = (self.area_before.sqrt() * precision.max(1e-12) * 8.0).max(1e-12);
        (self.area_before - self.area_after).abs() > noise
    }
}

/// Clips `polygon` to the project boundary (when there is one) and subtracts every grid it meets
/// except those in `exclude`.
///
/// ```
/// use geo::{polygon, MultiPolygon, Area};
/// use wangge::core::{Crs, CrsUnits, Grid, Project};
/// use wangge::core::edit::{SpatialIndex, avoid_overlap};
/// let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
/// p.add_grid(Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)]])));
/// let index = SpatialIndex::build(&p);
/// let drawn = polygon![(x: 5., y: 0.), (x: 20., y: 0.), (x: 20., y: 10.), (x: 5., y: 10.)];
/// let clipped = avoid_overlap(&p, &index, drawn, &[]).unwrap();
/// assert!((clipped.geometry.unsigned_area() - 100.0).abs() < 1e-6);
/// assert!(clipped.changed(p.precision));
/// ```
pub fn avoid_overlap(
    project: &Project,
    index: &SpatialIndex,
    polygon: Polygon<f64>,
    exclude: &[GridId],
) -> Result<Clipped, EditFailure> {
    let p = project.precision;
    let drawn = prepare_geometry(MultiPolygon(vec![polygon]), p);
    if let Some(problem) = validity_problem(&drawn) {
        return Err(if problem.contains("self") || problem.contains("cross") || problem.contains("touch") {
            EditFailure::SelfCrossing
        } else {
            EditFailure::TooFewVertices
        });
    }
    let area_before = drawn.unsigned_area();
    let mut result = drawn.clone();
    if !project.boundary.0.is_empty() {
        result = result.intersection(&prepare_geometry(project.boundary.clone(), 0.0));
    }
    let extent = drawn.bounding_rect().ok_or(EditFailure::TooFewVertices)?;
    let mut others = Vec::new();
    for id in index.grids_near(extent, 0.0) {
        if exclude.contains(&id) {
            continue;
        }
        let Some(g) = project.grids.get(&id) else { continue };
        if let Some(problem) = validity_problem(&g.geometry) {
            return Err(EditFailure::InvalidNeighbour(id, problem));
        }
        others.extend(prepare_geometry(g.geometry.clone(), 0.0).0);
    }
    if !others.is_empty() {
        result = result.difference(&MultiPolygon(others));
    }
    let reference = super::node::reference_vertices(project, index, extent, exclude);
    let geometry = clean(super::node::snap_to_vertices(&clean(result, p), &reference, 3.0 * p.max(1e-12)), p);
    if geometry.0.is_empty() {
        return Err(EditFailure::NothingLeft);
    }
    let area_after = geometry.unsigned_area();
    Ok(Clipped { geometry, area_before, area_after })
}

/// Rounds a boolean result to the precision grid and drops the crumbs rounding leaves (parts narrower
/// than a few precision steps), so no grid is made of slivers nobody can see.
pub fn clean(mp: MultiPolygon<f64>, precision: f64) -> MultiPolygon<f64> {
    // Rounding can fold a thin sliver of an overlay result into a spike (A, P, A): remove those.
    let fold = 2.0 * precision.max(1e-9);
    let snapped =
        crate::core::edit::geom::map_rings(&prepare_geometry(mp, precision), |ring| despike(ring.to_vec(), fold));
    let min_area = (precision.max(1e-12) * 100.0).powi(2);
    MultiPolygon(
        snapped
            .0
            .into_iter()
            .filter(|poly| poly.exterior().0.len() >= 4 && poly.unsigned_area() > min_area)
            .map(|poly| {
                let (exterior, holes) = poly.into_inner();
                let holes = holes.into_iter().filter(|h| Polygon::new(h.clone(), vec![]).unsigned_area() > min_area);
                Polygon::new(exterior, holes.collect())
            })
            .collect(),
    )
}

/// Removes repeated points and spikes from a closed ring: a vertex whose neighbours are the same point,
/// or where the ring runs out and back along one line (the next point within `fold` of the line it
/// came along, in the opposite direction) — what overlay leaves of a sliver narrower than the precision.
fn despike(ring: Vec<geo::Coord<f64>>, fold: f64) -> Vec<geo::Coord<f64>> {
    let mut open: Vec<geo::Coord<f64>> = ring;
    open.pop();
    loop {
        open.dedup();
        while open.len() > 1 && open.first() == open.last() {
            open.pop();
        }
        let n = open.len();
        if n < 3 {
            break;
        }
        let spike = (0..n).find(|&i| open[(i + n - 1) % n] == open[(i + 1) % n]);
        if let Some(i) = spike {
            // Drop the tip and one copy of the point it returns to.
            let next = (i + 1) % n;
            let (a, b) = if i < next { (i, next) } else { (next, i) };
            open.remove(b);
            open.remove(a);
            continue;
        }
        let folded = (0..n).find(|&i| folds_back(open[(i + n - 1) % n], open[i], open[(i + 1) % n], fold));
        match folded {
            Some(i) => {
                open.remove(i);
            }
            None => break,
        }
    }
    if let Some(first) = open.first().copied() {
        open.push(first);
    }
    open
}

/// True when the path prev → at → next turns right back: `next` lies within `fold` of the line through
/// prev and at, on the way back.
fn folds_back(prev: geo::Coord<f64>, at: geo::Coord<f64>, next: geo::Coord<f64>, fold: f64) -> bool {
    let (ux, uy) = (at.x - prev.x, at.y - prev.y);
    let (vx, vy) = (next.x - at.x, next.y - at.y);
    let len = (ux * ux + uy * uy).sqrt();
    if len == 0.0 || ux * vx + uy * vy >= 0.0 {
        return false;
    }
    ((ux * vy - uy * vx) / len).abs() <= fold
}
