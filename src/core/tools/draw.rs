//! Drawing a grid (a closed polygon) or a split line (an open one): click vertices, Backspace removes the
//! last, Enter or a double-click finishes, Esc cancels. Positions snap to vertices and edges nearby.
//! A finished polygon is clipped against the boundary and the grids (avoid-overlap) and noded into its
//! neighbours; the status bar is told when clipping changed it. Fill makes a grid of the uncovered area
//! under a click. With the Split tool, Shift+click on a road or river of a shown reference layer cuts
//! along that line instead of a drawn one.

use geo::{Coord, Intersects, LineString, MultiPolygon, Polygon};

use super::{Edit, Notice, Tool, ToolContext, ToolEvent, ToolKey, ToolOutcome, delete_selection};
use crate::core::codes::village_of;
use crate::core::edit::StepKind;
use crate::core::edit::{
    Command, EditFailure, avoid_overlap, node_with_neighbours, reference_line_at, snap, split_grids, uncovered_at,
};
use crate::core::{Grid, Project, area_m2};

/// Where a pointer position lands: snapped when snapping is on and something is in reach.
fn snapped(tool: &mut Tool, pos: Coord<f64>, ctx: &ToolContext<'_>) -> Coord<f64> {
    tool.snap = if ctx.snapping { snap(ctx.index, pos, ctx.tolerance_in_world, None) } else { None };
    tool.snap.as_ref().map_or(pos, |s| s.pos_in_world)
}

pub(super) fn path_event(tool: &mut Tool, event: ToolEvent, ctx: &ToolContext<'_>, polygon: bool) -> ToolOutcome {
    match event {
        ToolEvent::Hover(pos) => {
            tool.cursor = Some(snapped(tool, pos, ctx));
            ToolOutcome::Redraw
        }
        // Split along a reference line: picked, not drawn.
        ToolEvent::Click { pos, add: true } if !polygon && tool.path.is_empty() => {
            tool.snap = None;
            match reference_line_at(ctx.project, ctx.index, pos, ctx.tolerance_in_world) {
                Some((_, line)) => finish_split(ctx, line.0),
                None => ToolOutcome::Failed(EditFailure::NoReferenceLine),
            }
        }
        ToolEvent::Click { pos, .. } => {
            let at = snapped(tool, pos, ctx);
            if tool.path.last() != Some(&at) {
                tool.path.push(at);
            }
            ToolOutcome::Redraw
        }
        ToolEvent::Key(ToolKey::Backspace) => {
            tool.path.pop();
            ToolOutcome::Redraw
        }
        ToolEvent::Key(ToolKey::Enter) | ToolEvent::DoubleClick(_) => {
            if let ToolEvent::DoubleClick(pos) = event {
                let at = snapped(tool, pos, ctx);
                if tool.path.last() != Some(&at) {
                    tool.path.push(at);
                }
            }
            let path = std::mem::take(&mut tool.path);
            tool.snap = None;
            if polygon { finish_polygon(ctx, path) } else { finish_split(ctx, path) }
        }
        ToolEvent::Key(ToolKey::Delete) if tool.path.is_empty() => delete_selection(ctx),
        _ => ToolOutcome::Ignored,
    }
}

fn finish_polygon(ctx: &ToolContext<'_>, mut path: Vec<Coord<f64>>) -> ToolOutcome {
    path.dedup();
    if path.len() < 3 {
        return ToolOutcome::Failed(EditFailure::TooFewVertices);
    }
    let polygon = Polygon::new(LineString(path), vec![]);
    let clipped = match avoid_overlap(ctx.project, ctx.index, polygon, &[]) {
        Ok(c) => c,
        Err(e) => return ToolOutcome::Failed(e),
    };
    let notice = clipped.changed(ctx.project.precision).then(|| Notice::Clipped {
        drawn_m2: clipped.area_before * m2_per_unit2(ctx.project, &clipped.geometry),
        kept_m2: area_m2(&clipped.geometry, &ctx.project.crs),
        parts: clipped.geometry.0.len(),
    });
    add_grid(ctx, clipped.geometry, StepKind::Draw, notice)
}

/// Planar area units to m² near a geometry (for telling how much a clip took away).
fn m2_per_unit2(project: &Project, g: &MultiPolygon<f64>) -> f64 {
    use geo::Area;
    let planar = g.unsigned_area();
    if planar > 0.0 { area_m2(g, &project.crs) / planar } else { 1.0 }
}

fn finish_split(ctx: &ToolContext<'_>, mut path: Vec<Coord<f64>>) -> ToolOutcome {
    path.dedup();
    if path.len() < 2 {
        return ToolOutcome::Failed(EditFailure::SplitCrossings { found: 0 });
    }
    // The selection narrows a split to the selected grids where the line meets one of them; a line
    // that meets none cuts the grids it crosses (after a split the new piece is selected, and the next
    // line across the rest of the grid must still cut it).
    let line = LineString(path.clone());
    let within: Vec<_> = ctx
        .selection
        .iter()
        .copied()
        .filter(|id| ctx.project.grids.get(id).is_some_and(|g| g.geometry.intersects(&line)))
        .collect();
    match split_grids(ctx.project, ctx.index, &path, (!within.is_empty()).then_some(&within[..])) {
        Ok(plan) => ToolOutcome::Commit(Edit {
            kind: StepKind::Split,
            command: plan.command,
            notice: Some(Notice::Grids(plan.split.len())),
        }),
        Err(e) => ToolOutcome::Failed(e),
    }
}

/// A new grid from a finished geometry: noded into its neighbours, with the village it lies in.
fn add_grid(ctx: &ToolContext<'_>, geometry: MultiPolygon<f64>, kind: StepKind, notice: Option<Notice>) -> ToolOutcome {
    let (noded, neighbours) = node_with_neighbours(ctx.project, ctx.index, &geometry, &[]);
    let grid = new_grid(ctx.project, noded);
    let mut commands = vec![Command::AddGrid(Box::new(grid))];
    commands.extend(neighbours.into_iter().map(|(id, geometry)| Command::SetGeometry { id, geometry }));
    ToolOutcome::Commit(Edit { kind, command: Command::Batch(commands), notice })
}

/// A grid with the village (and its urban/rural class) of the place it is drawn in.
pub fn new_grid(project: &Project, geometry: MultiPolygon<f64>) -> Grid {
    let mut grid = Grid::new(geometry);
    if let Some(code) = village_of(project, &grid) {
        if let Some(v) = project.divisions.get(&code) {
            grid.class = v.class;
        }
        grid.village_code = code;
    }
    grid
}

pub(super) fn fill_event(tool: &mut Tool, event: ToolEvent, ctx: &ToolContext<'_>) -> ToolOutcome {
    match event {
        ToolEvent::Click { pos, .. } => match uncovered_at(ctx.project, ctx.index, pos) {
            Ok(area) => add_grid(ctx, area, StepKind::Fill, None),
            Err(e) => ToolOutcome::Failed(e),
        },
        ToolEvent::Hover(pos) => {
            tool.cursor = Some(pos);
            ToolOutcome::Ignored
        }
        ToolEvent::Key(ToolKey::Delete) => delete_selection(ctx),
        _ => ToolOutcome::Ignored,
    }
}
