//! Split: a line drawn across a grid cuts it in two along the line. The line must cross the grid's
//! outline exactly twice; where it ends inside a neighbour, that neighbour is left alone. The larger
//! piece keeps the grid's id and code; the other becomes a new grid with the same village, kind, class
//! and staff (codes and counts are for the planner to give). Neighbours get the new vertices where the
//! line meets their shared edges.

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Area, BoundingRect, Coord, Line, LineString, MultiPolygon, Polygon, Rect};

use super::node::{insert_points, node_tolerance, vertices};
use crate::core::coverage::{round_coord, validity_problem};
use crate::core::edit::Command;
use crate::core::edit::failure::EditFailure;
use crate::core::edit::geom::{dedup_ring, dist2};
use crate::core::edit::index::SpatialIndex;
use crate::core::{Grid, GridAttrs, GridId, Project};

#[derive(Clone, Copy, Debug)]
struct Hit {
    /// Position along the line: segment index + parameter.
    along_line: f64,
    /// Position along the ring: edge index + parameter.
    edge: usize,
    t: f64,
    at: Coord<f64>,
}

/// Cuts `polygon` along `line` into two polygons (the first the larger). Coordinates of the new
/// vertices are rounded to `precision`.
///
/// ```
/// use geo::{polygon, Coord, Area};
/// use wangge::core::edit::split_polygon;
/// let square = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)];
/// let line = [Coord { x: 1., y: -1. }, Coord { x: 1., y: 5. }];
/// let [big, small] = split_polygon(&square, &line, 0.001).unwrap();
/// assert_eq!((big.unsigned_area(), small.unsigned_area()), (12.0, 4.0));
/// ```
pub fn split_polygon(
    polygon: &Polygon<f64>,
    line: &[Coord<f64>],
    precision: f64,
) -> Result<[Polygon<f64>; 2], EditFailure> {
    let ring = &polygon.exterior().0;
    let n = ring.len().saturating_sub(1);
    if n < 3 || line.len() < 2 {
        return Err(EditFailure::SplitCrossings { found: 0 });
    }
    let hits = crossings(ring, line)?;
    if hits.len() != 2 {
        return Err(EditFailure::SplitCrossings { found: hits.len() });
    }
    let (h1, h2) = (hits[0], hits[1]);
    let snap = |c: Coord<f64>| round_coord(c, precision);
    let cut_inside: Vec<Coord<f64>> = line
        .iter()
        .enumerate()
        .filter(|(i, _)| (*i as f64) > h1.along_line && (*i as f64) < h2.along_line)
        .map(|(_, c)| snap(*c))
        .collect();
    let (p1, p2) = (snap(h1.at), snap(h2.at));
    let mut a = vec![p1];
    a.extend(walk(ring, n, h1, h2));
    a.push(p2);
    a.extend(cut_inside.iter().rev());
    a.push(p1);
    let mut b = vec![p2];
    b.extend(walk(ring, n, h2, h1));
    b.push(p1);
    b.extend(cut_inside.iter());
    b.push(p2);
    let (a, b) = (dedup_ring(a), dedup_ring(b));
    let mut pieces = [Polygon::new(LineString(a), vec![]), Polygon::new(LineString(b), vec![])];
    // Holes go to the piece that contains them; a hole the line cuts cannot be split this way.
    let cut_line: Vec<Coord<f64>> = std::iter::once(p1).chain(cut_inside.iter().copied()).chain([p2]).collect();
    for hole in polygon.interiors() {
        if !crossings(&hole.0, &cut_line)?.is_empty() {
            return Err(EditFailure::SplitThroughHole);
        }
        // An empty hole (from a damaged file) encloses nothing: it is dropped rather than placed.
        let Some(&first) = hole.0.first() else { continue };
        let target = if geo::Contains::contains(&pieces[0], &geo::Point(first)) { 0 } else { 1 };
        pieces[target].interiors_push(hole.clone());
    }
    for piece in &pieces {
        if let Some(problem) = validity_problem(&MultiPolygon(vec![piece.clone()])) {
            return Err(EditFailure::WouldInvalidate(0, problem));
        }
    }
    if pieces[0].unsigned_area() < pieces[1].unsigned_area() {
        pieces.swap(0, 1);
    }
    Ok(pieces)
}

/// Where `line` crosses a closed ring, ordered along the line, each place once (a line through a
/// vertex meets two edges there).
fn crossings(ring: &[Coord<f64>], line: &[Coord<f64>]) -> Result<Vec<Hit>, EditFailure> {
    let n = ring.len().saturating_sub(1);
    let mut hits = Vec::new();
    for (k, l) in line.windows(2).enumerate() {
        let seg = Line::new(l[0], l[1]);
        for e in 0..n {
            let edge = Line::new(ring[e], ring[e + 1]);
            match line_intersection(seg, edge) {
                None => {}
                Some(LineIntersection::Collinear { .. }) => return Err(EditFailure::SplitAlongEdge),
                Some(LineIntersection::SinglePoint { intersection, .. }) => {
                    let s = param(l[0], l[1], intersection);
                    let mut t = param(ring[e], ring[e + 1], intersection);
                    let mut edge_index = e;
                    let mut at = intersection;
                    if t >= 1.0 - 1e-12 {
                        edge_index = (e + 1) % n;
                        t = 0.0;
                    }
                    if t <= 1e-12 {
                        at = ring[edge_index];
                        t = 0.0;
                    }
                    hits.push(Hit { along_line: k as f64 + s, edge: edge_index, t, at });
                }
            }
        }
    }
    hits.sort_by(|a, b| a.along_line.total_cmp(&b.along_line));
    hits.dedup_by(|a, b| a.edge == b.edge && a.t == b.t || dist2(a.at, b.at) == 0.0);
    Ok(hits)
}

fn param(a: Coord<f64>, b: Coord<f64>, p: Coord<f64>) -> f64 {
    let len2 = dist2(a, b);
    if len2 == 0.0 { 0.0 } else { (((p.x - a.x) * (b.x - a.x) + (p.y - a.y) * (b.y - a.y)) / len2).clamp(0.0, 1.0) }
}

/// The ring's vertices met walking forward from one hit to the next.
fn walk(ring: &[Coord<f64>], n: usize, from: Hit, to: Hit) -> Vec<Coord<f64>> {
    let mut out = Vec::new();
    if from.edge == to.edge && from.t < to.t {
        return out;
    }
    let mut i = (from.edge + 1) % n;
    for _ in 0..=n {
        out.push(ring[i]);
        if i == to.edge {
            break;
        }
        i = (i + 1) % n;
    }
    out
}

/// The split of grids by a line: the command and how many grids were cut.
pub struct SplitPlan {
    pub command: Command,
    pub split: Vec<GridId>,
}

/// Splits every grid the line crosses twice (only the `within` grids, when given).
pub fn split_grids(
    project: &Project,
    index: &SpatialIndex,
    line: &[Coord<f64>],
    within: Option<&[GridId]>,
) -> Result<SplitPlan, EditFailure> {
    let p = project.precision;
    let tolerance_in_world = node_tolerance(project);
    let extent = LineString(line.to_vec()).bounding_rect().ok_or(EditFailure::SplitNoGrid)?;
    let candidates: Vec<GridId> =
        index.grids_near(extent, 0.0).into_iter().filter(|id| within.is_none_or(|w| w.contains(id))).collect();
    let mut new_geometry: Vec<(GridId, MultiPolygon<f64>)> = Vec::new();
    let mut new_grids: Vec<Grid> = Vec::new();
    let mut first_error = None;
    for id in candidates {
        let Some(grid) = project.grids.get(&id) else { continue };
        let mut parts = grid.geometry.0.clone();
        let mut cut = None;
        for (i, part) in parts.iter().enumerate() {
            match split_polygon(part, line, p) {
                Ok(pieces) => {
                    cut = Some((i, pieces));
                    break;
                }
                // One crossing: the line ends inside this grid, it is not meant to be cut.
                Err(EditFailure::SplitCrossings { found: 0 | 1 }) => {}
                Err(EditFailure::WouldInvalidate(_, why)) => {
                    first_error.get_or_insert(EditFailure::WouldInvalidate(id, why));
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let Some((i, [keep, other])) = cut else { continue };
        parts[i] = keep;
        new_geometry.push((id, MultiPolygon(parts)));
        let mut piece = grid.clone();
        piece.id = 0;
        piece.code.clear();
        piece.geometry = MultiPolygon(vec![other]);
        piece.attrs = GridAttrs {
            grid_head: grid.attrs.grid_head.clone(),
            grid_staff: grid.attrs.grid_staff.clone(),
            phone: grid.attrs.phone.clone(),
            valid_from: grid.attrs.valid_from.clone(),
            ..GridAttrs::default()
        };
        new_grids.push(piece);
    }
    if new_geometry.is_empty() {
        return Err(first_error.unwrap_or(EditFailure::SplitNoGrid));
    }
    // Node: the cut's end points go into the neighbours' shared edges.
    let mut points: Vec<Coord<f64>> = Vec::new();
    for (_, g) in &new_geometry {
        points.extend(vertices(g));
    }
    for g in &new_grids {
        points.extend(vertices(&g.geometry));
    }
    let split: Vec<GridId> = new_geometry.iter().map(|(id, _)| *id).collect();
    let area = Rect::new(extent.min(), extent.max());
    let mut commands = Vec::new();
    for id in index.grids_near(area, tolerance_in_world) {
        if split.contains(&id) {
            continue;
        }
        if let Some(g) = project.grids.get(&id) {
            let (noded, changed) = insert_points(&g.geometry, &points, tolerance_in_world);
            if changed {
                commands.push(Command::SetGeometry { id, geometry: noded });
            }
        }
    }
    for (id, geometry) in new_geometry {
        commands.push(Command::SetGeometry { id, geometry });
    }
    for grid in new_grids {
        commands.push(Command::AddGrid(Box::new(grid)));
    }
    Ok(SplitPlan { command: Command::Batch(commands), split })
}

#[cfg(test)]
mod robustness_tests {
    use super::*;

    /// Issue 10: a grid read from a damaged file with an empty hole made the split index `hole[0]`.
    #[test]
    fn an_empty_hole_does_not_break_a_split() {
        let shell = LineString::from(vec![(0., 0.), (4., 0.), (4., 4.), (0., 4.), (0., 0.)]);
        let hole = LineString::from(vec![(2.5, 1.), (3., 1.), (3., 2.), (2.5, 1.)]);
        let polygon = Polygon::new(shell, vec![LineString(Vec::new()), hole]);
        let line = [Coord { x: 1., y: -1. }, Coord { x: 1., y: 5. }];
        let [big, small] = split_polygon(&polygon, &line, 0.001).unwrap();
        assert_eq!(big.interiors().len(), 1, "the real hole goes to the piece that holds it");
        assert!(small.interiors().is_empty());
    }
}
