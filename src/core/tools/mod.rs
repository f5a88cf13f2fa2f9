//! The editor's tools as plain state machines: they get pointer and key events in map coordinates and
//! answer with what should happen (select, commit a command, or say why not). No egui here: the canvas
//! turns pointer events into [`ToolEvent`]s and draws the [`Preview`], and tests drive the same tools
//! with clicks in map coordinates (as QGIS's map-tool tests do).

mod draw;
mod measure;
mod pick;
mod vertex;

use std::collections::BTreeSet;

use geo::{Coord, MultiPolygon, Rect};

use crate::core::edit::{Command, EditFailure, Snap, SpatialIndex, StepKind};
use crate::core::{GridId, Project};

pub use draw::new_grid;
pub use measure::{M2_PER_MU, Measurement, ground_distance_m, measure};
pub use pick::{grid_at, grids_in_box};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ToolKind {
    Select,
    Draw,
    EditVertices,
    Split,
    Merge,
    Fill,
    /// Distance and area on the map (changes nothing).
    Measure,
}

impl ToolKind {
    pub const ALL: [ToolKind; 7] = [
        ToolKind::Select,
        ToolKind::Draw,
        ToolKind::EditVertices,
        ToolKind::Split,
        ToolKind::Merge,
        ToolKind::Fill,
        ToolKind::Measure,
    ];

    /// The key that picks the tool (the same in every language).
    pub fn key(self) -> char {
        match self {
            ToolKind::Select => 'S',
            ToolKind::Draw => 'D',
            ToolKind::EditVertices => 'E',
            ToolKind::Split => 'X',
            ToolKind::Merge => 'M',
            ToolKind::Fill => 'F',
            ToolKind::Measure => 'R',
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ToolKey {
    Backspace,
    Enter,
    Escape,
    Delete,
}

/// A pointer or key event, with positions in map (world) coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ToolEvent {
    Hover(Coord<f64>),
    /// A click; `add` when Shift was held.
    Click {
        pos: Coord<f64>,
        add: bool,
    },
    DoubleClick(Coord<f64>),
    DragStart(Coord<f64>),
    Drag(Coord<f64>),
    DragEnd(Coord<f64>),
    Key(ToolKey),
}

/// What a tool may look at.
pub struct ToolContext<'a> {
    pub project: &'a Project,
    pub index: &'a SpatialIndex,
    pub selection: &'a BTreeSet<GridId>,
    /// Snapping and picking reach, in world units (the canvas converts its pixel tolerance).
    pub tolerance_in_world: f64,
    pub snapping: bool,
}

/// Something worth telling the user about a successful edit.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// Avoid-overlap took part of the drawn polygon away (areas in m²).
    Clipped { drawn_m2: f64, kept_m2: f64, parts: usize },
    /// The vertex is on the township boundary and stayed on it.
    KeptOnBoundary,
    /// How many grids the edit produced or changed.
    Grids(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub kind: StepKind,
    pub command: Command,
    pub notice: Option<Notice>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ToolOutcome {
    /// The tool did not use the event (the canvas may pan on a drag).
    Ignored,
    /// The tool's preview changed.
    Redraw,
    Select(BTreeSet<GridId>),
    Commit(Edit),
    Failed(EditFailure),
}

/// What the canvas draws for the tool on top of the map.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preview {
    /// The vertices placed so far (a polygon being drawn or a split line).
    pub path: Vec<Coord<f64>>,
    /// True when the path is a polygon (drawn closed back to its start).
    pub closed: bool,
    /// Where the next vertex would go (snapped when a snap is shown).
    pub cursor: Option<Coord<f64>>,
    pub snap: Option<Snap>,
    pub select_box: Option<Rect<f64>>,
    /// A vertex under the pointer or picked for deletion.
    pub vertex: Option<Coord<f64>>,
    /// A vertex being dragged: from where to where.
    pub moving: Option<(Coord<f64>, Coord<f64>)>,
    /// While a vertex is dragged: every grid that uses it, reshaped with the vertex where it would go
    /// (nothing is committed before the drag ends).
    pub reshaped: Vec<(GridId, MultiPolygon<f64>)>,
}

/// The active tool and its state.
#[derive(Clone, Debug)]
pub struct Tool {
    kind: ToolKind,
    path: Vec<Coord<f64>>,
    cursor: Option<Coord<f64>>,
    snap: Option<Snap>,
    box_start: Option<Coord<f64>>,
    box_end: Option<Coord<f64>>,
    vertex: Option<Coord<f64>>,
    moving: Option<(Coord<f64>, Coord<f64>)>,
    reshaped: Vec<(GridId, MultiPolygon<f64>)>,
    /// The measure tool's measurement is finished (it stays on the map until a click or Escape).
    finished: bool,
}

impl Tool {
    pub fn new(kind: ToolKind) -> Tool {
        Tool {
            kind,
            path: Vec::new(),
            cursor: None,
            snap: None,
            box_start: None,
            box_end: None,
            vertex: None,
            moving: None,
            reshaped: Vec::new(),
            finished: false,
        }
    }

    pub fn kind(&self) -> ToolKind {
        self.kind
    }

    /// True while the tool holds unfinished work (a path being drawn, a vertex being dragged).
    pub fn busy(&self) -> bool {
        !self.path.is_empty() || self.moving.is_some() || self.box_start.is_some()
    }

    pub fn on_event(&mut self, event: ToolEvent, ctx: &ToolContext<'_>) -> ToolOutcome {
        if let ToolEvent::Key(ToolKey::Escape) = event {
            let was_busy = self.busy() || self.vertex.is_some();
            *self = Tool::new(self.kind);
            return if was_busy { ToolOutcome::Redraw } else { ToolOutcome::Select(BTreeSet::new()) };
        }
        match self.kind {
            ToolKind::Select => pick::select_event(self, event, ctx, false),
            ToolKind::Merge => pick::merge_event(self, event, ctx),
            ToolKind::Draw => draw::path_event(self, event, ctx, true),
            ToolKind::Split => draw::path_event(self, event, ctx, false),
            ToolKind::Fill => draw::fill_event(self, event, ctx),
            ToolKind::EditVertices => vertex::vertex_event(self, event, ctx),
            ToolKind::Measure => measure::measure_event(self, event, ctx),
        }
    }

    pub fn preview(&self) -> Preview {
        Preview {
            path: self.path.clone(),
            closed: self.kind == ToolKind::Draw,
            cursor: self.cursor,
            snap: self.snap.clone(),
            select_box: self.box_start.zip(self.box_end).map(|(a, b)| Rect::new(a, b)),
            vertex: self.vertex,
            moving: self.moving,
            reshaped: self.reshaped.clone(),
        }
    }
}

/// Deleting the selected grids (the Delete key in every tool but vertex editing).
fn delete_selection(ctx: &ToolContext<'_>) -> ToolOutcome {
    if ctx.selection.is_empty() {
        return ToolOutcome::Failed(EditFailure::NothingSelected);
    }
    let command = Command::Batch(ctx.selection.iter().map(|id| Command::RemoveGrid(*id)).collect());
    ToolOutcome::Commit(Edit { kind: StepKind::DeleteGrids, command, notice: Some(Notice::Grids(ctx.selection.len())) })
}
