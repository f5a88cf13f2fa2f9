//! Merge: the selected grids become one. They must form one connected area. The largest keeps its id,
//! code and fields; household, population and party-member counts are added up when every grid has them.

use geo::{Area, BooleanOps, BoundingRect, MultiPolygon};

use super::clip::clean;
use super::node::node_with_neighbours;
use crate::core::coverage::prepare_geometry;
use crate::core::edit::failure::EditFailure;
use crate::core::edit::index::SpatialIndex;
use crate::core::edit::{Command, GridFields};
use crate::core::{GridId, Project};

/// The command that merges `ids` into one grid, and the id that survives.
pub fn merge_grids(project: &Project, index: &SpatialIndex, ids: &[GridId]) -> Result<(Command, GridId), EditFailure> {
    let grids: Vec<_> = ids.iter().filter_map(|id| project.grids.get(id)).collect();
    if grids.len() < 2 {
        return Err(EditFailure::MergeTooFew);
    }
    let mut union = MultiPolygon(Vec::new());
    for g in &grids {
        union = union.union(&prepare_geometry(g.geometry.clone(), 0.0));
    }
    let p = project.precision;
    let area = union.bounding_rect().ok_or(EditFailure::MergeTooFew)?;
    let reference = super::node::reference_vertices(project, index, area, &[]);
    let merged = clean(super::node::snap_to_vertices(&clean(union, p), &reference, 3.0 * p.max(1e-12)), p);
    if let Some(problem) = crate::core::coverage::validity_problem(&merged) {
        return Err(EditFailure::WouldInvalidate(grids[0].id, problem));
    }
    let parts_before = grids.iter().map(|g| g.geometry.0.len()).max().unwrap_or(1);
    if merged.0.len() > parts_before.max(1) || merged.0.is_empty() {
        return Err(EditFailure::MergeNotAdjacent);
    }
    // The largest keeps its identity; ties go to the lower id so the result never depends on order.
    let keeper = grids
        .iter()
        .max_by(|a, b| a.geometry.unsigned_area().total_cmp(&b.geometry.unsigned_area()).then(b.id.cmp(&a.id)))
        .map(|g| g.id)
        .ok_or(EditFailure::MergeTooFew)?;
    let ids: Vec<GridId> = grids.iter().map(|g| g.id).collect();
    let (noded, neighbours) = node_with_neighbours(project, index, &merged, &ids);
    let mut fields = GridFields::of(project.grids.get(&keeper).ok_or(EditFailure::MergeTooFew)?);
    let sum = |f: fn(&crate::core::GridAttrs) -> Option<u32>| -> Option<u32> {
        grids.iter().map(|g| f(&g.attrs)).try_fold(0u32, |acc, v| Some(acc.saturating_add(v?)))
    };
    fields.attrs.households = sum(|a| a.households);
    fields.attrs.population = sum(|a| a.population);
    fields.attrs.party_members = sum(|a| a.party_members);
    let mut commands: Vec<Command> =
        ids.iter().filter(|id| **id != keeper).map(|id| Command::RemoveGrid(*id)).collect();
    commands.push(Command::SetGeometry { id: keeper, geometry: noded });
    commands.push(Command::SetFields { id: keeper, fields: Box::new(fields) });
    commands.extend(neighbours.into_iter().map(|(id, geometry)| Command::SetGeometry { id, geometry }));
    Ok((Command::Batch(commands), keeper))
}
