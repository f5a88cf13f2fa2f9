//! Noding: where a vertex of one grid lies inside a segment of another, the other gets that vertex
//! too, so that shared edges match vertex for vertex (what the coverage check requires). Run after
//! every operation that makes new vertices (a clip, a split, a merge — i_overlay also drops collinear
//! vertices that neighbours still need).

use geo::{BoundingRect, Coord, MultiPolygon, Rect};

use crate::core::edit::geom::{closest_on_segment, dist2, map_rings, rings};
use crate::core::edit::index::SpatialIndex;
use crate::core::{GridId, Project};

/// Inserts into `geometry` every point of `points` that lies within `tolerance_in_world` of the inside of one of
/// its segments. Returns the new geometry and whether anything was inserted.
///
/// ```
/// use geo::{polygon, Coord, MultiPolygon};
/// use wangge::core::edit::insert_points;
/// let square = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.), (x: 0., y: 2.)]]);
/// let (noded, changed) = insert_points(&square, &[Coord { x: 1.0, y: 0.0 }], 1e-9);
/// assert!(changed);
/// assert_eq!(noded.0[0].exterior().0[1], Coord { x: 1.0, y: 0.0 });
/// ```
pub fn insert_points(
    geometry: &MultiPolygon<f64>,
    points: &[Coord<f64>],
    tolerance_in_world: f64,
) -> (MultiPolygon<f64>, bool) {
    let mut changed = false;
    let tol2 = tolerance_in_world * tolerance_in_world;
    let out = map_rings(geometry, |ring| {
        let mut result = Vec::with_capacity(ring.len());
        for w in ring.windows(2) {
            let (a, b) = (w[0], w[1]);
            result.push(a);
            let bbox = Rect::new(a, b);
            let mut inside: Vec<(f64, Coord<f64>)> = points
                .iter()
                .filter(|p| {
                    p.x >= bbox.min().x - tolerance_in_world
                        && p.x <= bbox.max().x + tolerance_in_world
                        && p.y >= bbox.min().y - tolerance_in_world
                        && p.y <= bbox.max().y + tolerance_in_world
                })
                .filter_map(|&p| {
                    let (c, t) = closest_on_segment(p, a, b);
                    let interior = dist2(p, a) > tol2 && dist2(p, b) > tol2;
                    (interior && dist2(c, p) <= tol2).then_some((t, p))
                })
                .collect();
            inside.sort_by(|x, y| x.0.total_cmp(&y.0));
            inside.dedup_by(|x, y| x.1 == y.1);
            changed |= !inside.is_empty();
            result.extend(inside.into_iter().map(|(_, p)| p));
        }
        result.extend(ring.last());
        result
    });
    (out, changed)
}

/// Every vertex of a multipolygon.
pub fn vertices(mp: &MultiPolygon<f64>) -> Vec<Coord<f64>> {
    rings(mp).flat_map(|r| r.0.iter().copied()).collect()
}

/// Nodes `geometry` (a grid being added or reshaped) against its neighbours and the boundary, both
/// ways. Returns the noded geometry and the neighbours that gained vertices, with their new geometry.
/// `exclude` are grids the edit replaces (not neighbours).
pub fn node_with_neighbours(
    project: &Project,
    index: &SpatialIndex,
    geometry: &MultiPolygon<f64>,
    exclude: &[GridId],
) -> (MultiPolygon<f64>, Vec<(GridId, MultiPolygon<f64>)>) {
    let tolerance_in_world = node_tolerance(project);
    let Some(extent) = geometry.bounding_rect() else { return (geometry.clone(), Vec::new()) };
    let neighbours: Vec<GridId> =
        index.grids_near(extent, tolerance_in_world).into_iter().filter(|id| !exclude.contains(id)).collect();
    let mut points: Vec<Coord<f64>> = vertices(&project.boundary);
    for id in &neighbours {
        if let Some(g) = project.grids.get(id) {
            points.extend(vertices(&g.geometry));
        }
    }
    let (noded, _) = insert_points(geometry, &points, tolerance_in_world);
    let own = vertices(&noded);
    let mut changed = Vec::new();
    for id in neighbours {
        let Some(g) = project.grids.get(&id) else { continue };
        let (new, inserted) = insert_points(&g.geometry, &own, tolerance_in_world);
        if inserted {
            changed.push((id, new));
        }
    }
    (noded, changed)
}

/// How close a vertex must be to a segment to count as lying on it: the project's precision (vertices
/// are rounded to it, so a point on a segment may sit up to ~0.7 precision off the exact line).
pub fn node_tolerance(project: &Project) -> f64 {
    if project.precision > 0.0 { project.precision } else { 1e-9 }
}

/// Moves every vertex of `geometry` lying within `tolerance_in_world` of a reference vertex onto it. Boolean
/// operations perturb coordinates (i_overlay works on its own integer grid), so a vertex the result
/// shares with the boundary or a neighbour can come back one precision step away from it; this puts it
/// back exactly (DESIGN.md: re-snap after every boolean operation).
///
/// ```
/// use geo::{polygon, Coord, MultiPolygon};
/// use wangge::core::edit::snap_to_vertices;
/// let g = MultiPolygon(vec![polygon![(x: 0.001, y: 0.), (x: 10., y: 0.), (x: 10., y: 10.)]]);
/// let snapped = snap_to_vertices(&g, &[Coord { x: 0.0, y: 0.0 }], 0.003);
/// assert_eq!(snapped.0[0].exterior().0[0], Coord { x: 0.0, y: 0.0 });
/// ```
pub fn snap_to_vertices(
    geometry: &MultiPolygon<f64>,
    reference: &[Coord<f64>],
    tolerance_in_world: f64,
) -> MultiPolygon<f64> {
    use rstar::{PointDistance, RTree};
    if reference.is_empty() {
        return geometry.clone();
    }
    let tree = RTree::bulk_load(reference.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>());
    map_rings(geometry, |ring| {
        ring.iter()
            .map(|&c| match tree.nearest_neighbor([c.x, c.y]) {
                Some(r) if r.distance_2(&[c.x, c.y]) <= tolerance_in_world * tolerance_in_world => {
                    Coord { x: r[0], y: r[1] }
                }
                _ => c,
            })
            .collect()
    })
}

/// The vertices a new or reshaped grid should share exactly: the boundary's (rounded as the checker
/// rounds them) and those of the grids near `area`, except `exclude`.
pub fn reference_vertices(
    project: &Project,
    index: &SpatialIndex,
    area: Rect<f64>,
    exclude: &[GridId],
) -> Vec<Coord<f64>> {
    let mut out = vertices(&crate::core::coverage::round_multipolygon(&project.boundary, project.precision));
    for id in index.grids_near(area, node_tolerance(project)) {
        if exclude.contains(&id) {
            continue;
        }
        if let Some(g) = project.grids.get(&id) {
            out.extend(vertices(&g.geometry));
        }
    }
    out
}
