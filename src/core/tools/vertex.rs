//! Vertex editing: drag a vertex (it moves in every grid that shares it, as one undo step), click an
//! edge to insert a vertex there (in every grid along that edge), click a vertex and press Delete to
//! remove it. Dragging elsewhere pans.

use super::{Edit, Notice, Tool, ToolContext, ToolEvent, ToolKey, ToolOutcome};
use crate::core::edit::StepKind;
use crate::core::edit::{delete_vertex, insert_vertex, move_vertex, moved_geometries, snap, vertex_at, vertex_target};

pub(super) fn vertex_event(tool: &mut Tool, event: ToolEvent, ctx: &ToolContext<'_>) -> ToolOutcome {
    match event {
        ToolEvent::Hover(pos) => {
            let under = vertex_at(ctx.index, pos, ctx.tolerance_in_world);
            if under != tool.cursor {
                tool.cursor = under;
                return ToolOutcome::Redraw;
            }
            ToolOutcome::Ignored
        }
        ToolEvent::DragStart(pos) => match vertex_at(ctx.index, pos, ctx.tolerance_in_world) {
            Some(v) => {
                tool.moving = Some((v, v));
                ToolOutcome::Redraw
            }
            None => ToolOutcome::Ignored,
        },
        ToolEvent::Drag(pos) => {
            let Some((from, _)) = tool.moving else { return ToolOutcome::Ignored };
            let snapped = if ctx.snapping { snap(ctx.index, pos, ctx.tolerance_in_world, Some(from)) } else { None };
            tool.snap = snapped.clone();
            let to =
                vertex_target(ctx.project, from, snapped.map_or(pos, |s| s.pos_in_world)).map_or(from, |(to, _)| to);
            tool.moving = Some((from, to));
            // The grids that share the vertex, reshaped live; committed once, when the drag ends.
            tool.reshaped = if to == from { Vec::new() } else { moved_geometries(ctx.project, ctx.index, from, to) };
            ToolOutcome::Redraw
        }
        ToolEvent::DragEnd(pos) => {
            let Some((from, _)) = tool.moving.take() else { return ToolOutcome::Ignored };
            tool.reshaped.clear();
            let snapped = if ctx.snapping { snap(ctx.index, pos, ctx.tolerance_in_world, Some(from)) } else { None };
            tool.snap = None;
            let target = snapped.map_or(pos, |s| s.pos_in_world);
            let (to, kept_on_boundary) = match vertex_target(ctx.project, from, target) {
                Ok(t) => t,
                Err(e) => return ToolOutcome::Failed(e),
            };
            if to == from {
                return ToolOutcome::Redraw;
            }
            match move_vertex(ctx.project, ctx.index, from, target) {
                Ok(command) => {
                    tool.vertex = Some(to);
                    let notice = Some(if kept_on_boundary {
                        Notice::KeptOnBoundary
                    } else {
                        Notice::Grids(command_len(&command))
                    });
                    ToolOutcome::Commit(Edit { kind: StepKind::MoveVertex, command, notice })
                }
                Err(e) => ToolOutcome::Failed(e),
            }
        }
        ToolEvent::Click { pos, .. } => {
            if let Some(v) = vertex_at(ctx.index, pos, ctx.tolerance_in_world) {
                tool.vertex = Some(v);
                return ToolOutcome::Redraw;
            }
            match insert_vertex(ctx.project, ctx.index, pos, ctx.tolerance_in_world) {
                Ok(command) => {
                    let notice = Some(Notice::Grids(command_len(&command)));
                    ToolOutcome::Commit(Edit { kind: StepKind::InsertVertex, command, notice })
                }
                Err(_) => {
                    tool.vertex = None;
                    ToolOutcome::Redraw
                }
            }
        }
        ToolEvent::Key(ToolKey::Delete | ToolKey::Backspace) => {
            let Some(v) = tool.vertex.take() else { return super::delete_selection(ctx) };
            match delete_vertex(ctx.project, ctx.index, v) {
                Ok(command) => {
                    let notice = Some(Notice::Grids(command_len(&command)));
                    ToolOutcome::Commit(Edit { kind: StepKind::DeleteVertex, command, notice })
                }
                Err(e) => ToolOutcome::Failed(e),
            }
        }
        _ => ToolOutcome::Ignored,
    }
}

fn command_len(command: &crate::core::edit::Command) -> usize {
    match command {
        crate::core::edit::Command::Batch(c) => c.len(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use geo::{Coord, MultiPolygon, polygon};

    use super::super::{Tool, ToolContext, ToolEvent, ToolKind, ToolOutcome};
    use crate::core::edit::{Command, SpatialIndex};
    use crate::core::{Crs, CrsUnits, Grid, Project};

    /// Four 10 m squares meeting at (10, 10), and a fifth away from it.
    fn project() -> Project {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for (x, y) in [(0., 0.), (10., 0.), (0., 10.), (10., 10.), (30., 0.)] {
            p.add_grid(Grid::new(MultiPolygon(vec![
                polygon![(x: x, y: y), (x: x + 10., y: y), (x: x + 10., y: y + 10.), (x: x, y: y + 10.)],
            ])));
        }
        p
    }

    #[test]
    fn a_drag_reshapes_every_grid_sharing_the_vertex_live_and_commits_once_at_the_end() {
        let p = project();
        let index = SpatialIndex::build(&p);
        let selection = BTreeSet::new();
        let ctx =
            ToolContext { project: &p, index: &index, selection: &selection, tolerance_in_world: 0.5, snapping: false };
        let mut tool = Tool::new(ToolKind::EditVertices);
        let (from, to) = (Coord { x: 10.0, y: 10.0 }, Coord { x: 12.0, y: 11.0 });
        assert_eq!(tool.on_event(ToolEvent::DragStart(from), &ctx), ToolOutcome::Redraw);
        assert!(tool.preview().reshaped.is_empty(), "nothing moved yet");
        assert_eq!(tool.on_event(ToolEvent::Drag(to), &ctx), ToolOutcome::Redraw);
        let reshaped = tool.preview().reshaped;
        assert_eq!(reshaped.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [1, 2, 3, 4]);
        for (id, g) in &reshaped {
            let ring = &g.0[0].exterior().0;
            assert!(ring.contains(&to) && !ring.contains(&from), "grid {id}: {ring:?}");
            // Only that vertex moved.
            let old = &p.grids[id].geometry.0[0].exterior().0;
            assert_eq!(ring.iter().zip(old).filter(|(a, b)| a != b).count(), if ring[0] == to { 2 } else { 1 });
        }
        let ToolOutcome::Commit(edit) = tool.on_event(ToolEvent::DragEnd(to), &ctx) else { panic!("a commit") };
        let Command::Batch(steps) = &edit.command else { panic!("{:?}", edit.command) };
        assert_eq!(steps.len(), 4);
        for (step, (id, g)) in steps.iter().zip(&reshaped) {
            assert_eq!(
                step,
                &Command::SetGeometry { id: *id, geometry: g.clone() },
                "what was shown is what is committed"
            );
        }
        assert!(tool.preview().reshaped.is_empty());
        // Escape mid-drag drops the preview.
        tool.on_event(ToolEvent::DragStart(from), &ctx);
        tool.on_event(ToolEvent::Drag(to), &ctx);
        assert!(!tool.preview().reshaped.is_empty());
        tool.on_event(ToolEvent::Key(super::ToolKey::Escape), &ctx);
        assert!(tool.preview().reshaped.is_empty());
    }
}
