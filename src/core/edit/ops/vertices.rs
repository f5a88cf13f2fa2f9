//! Topological vertex editing: a vertex is moved, inserted or deleted in every grid that uses it, so
//! shared edges stay shared and editing never opens a gap. Vertices count as the same when they lie
//! within the project's precision (real data has shared vertices that differ by 1e-9). A vertex on the
//! township boundary slides along the boundary, which never changes. Edits that would make a grid
//! invalid or make grids overlap are refused with the reason.

use geo::{BoundingRect, Coord, MultiPolygon, Rect};

use super::node::{insert_points, node_tolerance};
use crate::core::coverage::{Checker, CoverageOptions, FindingKind, round_coord, validity_problem};
use crate::core::edit::Command;
use crate::core::edit::failure::EditFailure;
use crate::core::edit::geom::{closest_on_segment, dist2, distinct_points, map_rings, rings};
use crate::core::edit::index::{Source, SpatialIndex};
use crate::core::{GridId, Project};

/// The grid vertex nearest `pos_in_world` within `tolerance_in_world`.
pub fn vertex_at(index: &SpatialIndex, pos_in_world: Coord<f64>, tolerance_in_world: f64) -> Option<Coord<f64>> {
    index
        .segments_near(pos_in_world, tolerance_in_world)
        .into_iter()
        .filter(|(_, _, s)| matches!(s, Source::Grid(_)))
        .flat_map(|(a, b, _)| [a, b])
        .map(|v| (dist2(v, pos_in_world), v))
        .filter(|(d, _)| *d <= tolerance_in_world * tolerance_in_world)
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.x.total_cmp(&b.1.x)).then(a.1.y.total_cmp(&b.1.y)))
        .map(|(_, v)| v)
}

/// Where the vertex at `from` ends up when dragged to `to`: rounded to the precision grid, and kept on
/// the boundary if it lies on it — it slides along its boundary segment, never past a corner, so the
/// grid keeps following the boundary. A vertex on a corner of the boundary does not move. The second
/// value is true when the vertex was kept on the boundary.
pub fn vertex_target(project: &Project, from: Coord<f64>, to: Coord<f64>) -> Result<(Coord<f64>, bool), EditFailure> {
    let tol = node_tolerance(project);
    for ring in rings(&project.boundary) {
        if ring.0.iter().any(|c| dist2(*c, from) <= tol * tol) {
            return Err(EditFailure::BoundaryCorner);
        }
    }
    for ring in rings(&project.boundary) {
        for w in ring.0.windows(2) {
            if dist2(closest_on_segment(from, w[0], w[1]).0, from) <= tol * tol {
                let (c, _) = closest_on_segment(to, w[0], w[1]);
                return Ok((round_coord(c, project.precision), true));
            }
        }
    }
    Ok((round_coord(to, project.precision), false))
}

fn on_boundary(project: &Project, at: Coord<f64>, tol: f64) -> bool {
    rings(&project.boundary)
        .any(|r| r.0.windows(2).any(|w| dist2(closest_on_segment(at, w[0], w[1]).0, at) <= tol * tol))
}

/// The grids that use the vertex at `from`, with their geometry once it is at `to` (in id order; `to` is
/// taken as it is: see [`vertex_target`]). What a drag shows live, before [`move_vertex`] checks and
/// commits it.
pub fn moved_geometries(
    project: &Project,
    index: &SpatialIndex,
    from: Coord<f64>,
    to: Coord<f64>,
) -> Vec<(GridId, MultiPolygon<f64>)> {
    let tol = node_tolerance(project);
    let same = |c: Coord<f64>| dist2(c, from) <= tol * tol;
    let mut changes = Vec::new();
    for id in index.grids_near(Rect::new(from, from), tol) {
        let Some(g) = project.grids.get(&id) else { continue };
        if !rings(&g.geometry).any(|r| r.0.iter().any(|c| same(*c))) {
            continue;
        }
        let moved = map_rings(&g.geometry, |ring| ring.iter().map(|&c| if same(c) { to } else { c }).collect());
        changes.push((id, moved));
    }
    changes.sort_by_key(|(id, _)| *id);
    changes
}

/// Moves the vertex at `from` to `to` in every grid that uses it.
pub fn move_vertex(
    project: &Project,
    index: &SpatialIndex,
    from: Coord<f64>,
    to: Coord<f64>,
) -> Result<Command, EditFailure> {
    let (to, _) = vertex_target(project, from, to)?;
    let changes = moved_geometries(project, index, from, to);
    if changes.is_empty() {
        return Err(EditFailure::NoVertex);
    }
    refuse_damage(project, index, &changes)?;
    Ok(Command::Batch(changes.into_iter().map(|(id, geometry)| Command::SetGeometry { id, geometry }).collect()))
}

/// Inserts a vertex where `pos_in_world` is nearest a grid edge (within `tolerance_in_world`), in every grid
/// that has that edge.
pub fn insert_vertex(
    project: &Project,
    index: &SpatialIndex,
    pos_in_world: Coord<f64>,
    tolerance_in_world: f64,
) -> Result<Command, EditFailure> {
    let tol = node_tolerance(project);
    let nearest = index
        .segments_near(pos_in_world, tolerance_in_world)
        .into_iter()
        .filter(|(_, _, s)| matches!(s, Source::Grid(_)))
        .map(|(a, b, _)| {
            let (c, _) = closest_on_segment(pos_in_world, a, b);
            (dist2(c, pos_in_world), c, a, b)
        })
        .filter(|(d, ..)| *d <= tolerance_in_world * tolerance_in_world)
        .min_by(|x, y| x.0.total_cmp(&y.0));
    let Some((_, c, a, b)) = nearest else { return Err(EditFailure::NoEdge) };
    let at = round_coord(c, project.precision);
    if dist2(at, a) <= tol * tol || dist2(at, b) <= tol * tol {
        return Err(EditFailure::NoEdge);
    }
    let mut changes = Vec::new();
    for id in index.grids_near(Rect::new(at, at), tol) {
        let Some(g) = project.grids.get(&id) else { continue };
        let (noded, changed) = insert_points(&g.geometry, &[at], tol);
        if changed {
            changes.push((id, noded));
        }
    }
    if changes.is_empty() {
        return Err(EditFailure::NoEdge);
    }
    refuse_damage(project, index, &changes)?;
    Ok(Command::Batch(changes.into_iter().map(|(id, geometry)| Command::SetGeometry { id, geometry }).collect()))
}

/// Deletes the vertex at `at` from every grid that uses it. Allowed where exactly two edges meet (the
/// same two in every grid), so that the grids on both sides keep sharing the new straight edge.
pub fn delete_vertex(project: &Project, index: &SpatialIndex, at: Coord<f64>) -> Result<Command, EditFailure> {
    let tol = node_tolerance(project);
    let same = |c: Coord<f64>| dist2(c, at) <= tol * tol;
    let mut changes = Vec::new();
    let mut ends: Vec<Coord<f64>> = Vec::new();
    for id in index.grids_near(Rect::new(at, at), tol) {
        let Some(g) = project.grids.get(&id) else { continue };
        if !rings(&g.geometry).any(|r| r.0.iter().any(|c| same(*c))) {
            continue;
        }
        let mut too_small = false;
        let removed = map_rings(&g.geometry, |ring| {
            let open = &ring[..ring.len().saturating_sub(1)];
            let n = open.len();
            for (i, c) in open.iter().enumerate() {
                if same(*c) {
                    for e in [open[(i + n - 1) % n], open[(i + 1) % n]] {
                        if !ends.iter().any(|x| dist2(*x, e) <= tol * tol) {
                            ends.push(e);
                        }
                    }
                }
            }
            let mut kept: Vec<Coord<f64>> = open.iter().copied().filter(|c| !same(*c)).collect();
            if kept.len() < 3 {
                too_small = true;
            }
            if let Some(first) = kept.first().copied() {
                kept.push(first);
            }
            kept
        });
        if too_small || rings(&removed).any(|r| distinct_points(&r.0) < 3) {
            return Err(EditFailure::RingTooSmall(id));
        }
        changes.push((id, removed));
    }
    if changes.is_empty() {
        return Err(EditFailure::NoVertex);
    }
    if ends.len() != 2 {
        return Err(EditFailure::NodeVertex(ends.len()));
    }
    if on_boundary(project, at, tol) {
        // Only a vertex in the middle of a straight boundary stretch may go.
        let (a, b) = (ends[0], ends[1]);
        let (c, _) = closest_on_segment(at, a, b);
        if dist2(c, at) > tol * tol {
            return Err(EditFailure::BoundaryVertex);
        }
    }
    refuse_damage(project, index, &changes)?;
    Ok(Command::Batch(changes.into_iter().map(|(id, geometry)| Command::SetGeometry { id, geometry }).collect()))
}

/// Refuses changes that make a grid invalid or add overlaps or crossing edges among the changed grids
/// and their neighbours (compared with before, so that an area already broken can still be edited).
pub fn refuse_damage(
    project: &Project,
    index: &SpatialIndex,
    changes: &[(GridId, MultiPolygon<f64>)],
) -> Result<(), EditFailure> {
    for (id, g) in changes {
        if let Some(problem) = validity_problem(g) {
            return Err(EditFailure::WouldInvalidate(*id, problem));
        }
    }
    let touched = changes.iter().flat_map(|(id, g)| {
        let before = project.grids.get(id).and_then(|x| x.geometry.bounding_rect());
        [before, g.bounding_rect()].into_iter().flatten()
    });
    let Some(area) = crate::core::rect::union_all(touched) else { return Ok(()) };
    let local = index.grids_near(area, node_tolerance(project));
    let before: Vec<MultiPolygon<f64>> =
        local.iter().filter_map(|id| project.grids.get(id)).map(|g| g.geometry.clone()).collect();
    let after: Vec<MultiPolygon<f64>> = local
        .iter()
        .filter_map(|id| {
            let changed = changes.iter().find(|(c, _)| c == id).map(|(_, g)| g.clone());
            changed.or_else(|| project.grids.get(id).map(|g| g.geometry.clone()))
        })
        .collect();
    if damage(project, before) < damage(project, after) {
        return Err(EditFailure::WouldOverlap);
    }
    Ok(())
}

fn damage(project: &Project, items: Vec<MultiPolygon<f64>>) -> usize {
    let mut options = CoverageOptions::for_crs(&project.crs);
    options.precision = project.precision;
    let report = Checker::new(items, None, Vec::new(), options).report();
    report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FindingKind::Overlap | FindingKind::EdgeMismatch | FindingKind::Duplicate | FindingKind::Invalid
            )
        })
        .count()
}
