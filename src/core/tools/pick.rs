//! Selecting grids: by click (the grid under the pointer), Shift+click to add or remove, a dragged box
//! for every grid it touches. The merge tool selects the same way and merges on Enter.

use std::collections::BTreeSet;

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Area, Coord, Intersects, Rect};

use super::{Edit, Notice, Tool, ToolContext, ToolEvent, ToolKey, ToolOutcome, delete_selection};
use crate::core::edit::StepKind;
use crate::core::edit::{SpatialIndex, merge_grids};
use crate::core::{GridId, Project};

/// The grid under `pos_in_world` (the smallest, if grids overlap there).
pub fn grid_at(project: &Project, index: &SpatialIndex, pos_in_world: Coord<f64>) -> Option<GridId> {
    index
        .grids_near(Rect::new(pos_in_world, pos_in_world), 0.0)
        .into_iter()
        .filter_map(|id| project.grids.get(&id))
        .filter(|g| g.geometry.coordinate_position(&pos_in_world) != CoordPos::Outside)
        .min_by(|a, b| a.geometry.unsigned_area().total_cmp(&b.geometry.unsigned_area()).then(a.id.cmp(&b.id)))
        .map(|g| g.id)
}

/// Every grid that meets the box.
pub fn grids_in_box(project: &Project, index: &SpatialIndex, area: Rect<f64>) -> BTreeSet<GridId> {
    let polygon = area.to_polygon();
    index
        .grids_near(area, 0.0)
        .into_iter()
        .filter(|id| project.grids.get(id).is_some_and(|g| g.geometry.intersects(&polygon)))
        .collect()
}

pub(super) fn select_event(tool: &mut Tool, event: ToolEvent, ctx: &ToolContext<'_>, always_add: bool) -> ToolOutcome {
    match event {
        ToolEvent::Click { pos, add } => {
            let add = add || always_add;
            let mut selection = if add { ctx.selection.clone() } else { BTreeSet::new() };
            if let Some(id) = grid_at(ctx.project, ctx.index, pos)
                && !(add && selection.remove(&id))
            {
                selection.insert(id);
            }
            ToolOutcome::Select(selection)
        }
        ToolEvent::DragStart(pos) => {
            tool.box_start = Some(pos);
            tool.box_end = Some(pos);
            ToolOutcome::Redraw
        }
        ToolEvent::Drag(pos) if tool.box_start.is_some() => {
            tool.box_end = Some(pos);
            ToolOutcome::Redraw
        }
        ToolEvent::DragEnd(pos) => {
            let Some(start) = tool.box_start.take() else { return ToolOutcome::Ignored };
            tool.box_end = None;
            let mut selection = if always_add { ctx.selection.clone() } else { BTreeSet::new() };
            selection.extend(grids_in_box(ctx.project, ctx.index, Rect::new(start, pos)));
            ToolOutcome::Select(selection)
        }
        ToolEvent::Key(ToolKey::Delete) => delete_selection(ctx),
        _ => ToolOutcome::Ignored,
    }
}

pub(super) fn merge_event(tool: &mut Tool, event: ToolEvent, ctx: &ToolContext<'_>) -> ToolOutcome {
    match event {
        ToolEvent::Key(ToolKey::Enter) | ToolEvent::DoubleClick(_) => {
            let ids: Vec<GridId> = ctx.selection.iter().copied().collect();
            match merge_grids(ctx.project, ctx.index, &ids) {
                Ok((command, _)) => {
                    ToolOutcome::Commit(Edit { kind: StepKind::Merge, command, notice: Some(Notice::Grids(ids.len())) })
                }
                Err(e) => ToolOutcome::Failed(e),
            }
        }
        _ => select_event(tool, event, ctx, true),
    }
}
