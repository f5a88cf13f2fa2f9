//! Vertex editing: drag a vertex (it moves in every grid that shares it, as one undo step), click an
//! edge to insert a vertex there (in every grid along that edge), click a vertex and press Delete to
//! remove it. Dragging elsewhere pans.

use super::{Edit, Notice, Tool, ToolContext, ToolEvent, ToolKey, ToolOutcome};
use crate::core::edit::StepKind;
use crate::core::edit::{delete_vertex, insert_vertex, move_vertex, snap, vertex_at, vertex_target};

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
            ToolOutcome::Redraw
        }
        ToolEvent::DragEnd(pos) => {
            let Some((from, _)) = tool.moving.take() else { return ToolOutcome::Ignored };
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
