//! The editor's side of the app: keys and shortcuts, pointer events on the canvas turned into tool
//! events, the attribute form kept on the selected grid, the close prompt and the recovery file.

use eframe::egui::{self, Context, Key, Modifiers, ViewportCommand};
use geo::BoundingRect;

use super::canvas;
use super::dialogs::Window;
use super::state::AppState;
use super::{Action, WanggeApp, attributes, recovery};
use crate::core::GridId;
use crate::core::edit::{GridFields, SharedFields};
use crate::core::tools::{ToolContext, ToolEvent, ToolKey, ToolKind, ToolOutcome};

impl WanggeApp {
    pub(super) fn shortcuts(&mut self, ctx: &Context, actions: &mut Vec<Action>) {
        let typing = ctx.egui_wants_keyboard_input();
        // Escape takes the focus from a text field before this runs: Esc in a field typed in at the
        // start of the last frame only leaves the field (it does not also clear the selection).
        let typing_id = egui::Id::unique("wangge-typing");
        let left_a_field = ctx.data(|d| d.get_temp::<bool>(typing_id)).unwrap_or(false);
        ctx.data_mut(|d| d.insert_temp(typing_id, typing));
        // Escape closes the innermost thing open: a menu or drop-down (egui closes those itself), else
        // a dialog; only with neither does it reach the tool (cancel a drawing, clear the selection).
        let popup_open = egui::Popup::is_any_open(ctx);
        let dialog_open = self.error.is_some() || self.file_dialog.is_some() || self.window.is_some();
        let mut close_dialog = false;
        let mut keys = Vec::new();
        ctx.input_mut(|i| {
            if dialog_open && !popup_open && i.consume_key(Modifiers::NONE, Key::Escape) {
                close_dialog = true;
            }
            if i.consume_key(Modifiers::COMMAND, Key::S) {
                actions.push(Action::Save);
            }
            if i.consume_key(Modifiers::COMMAND, Key::O) {
                actions.push(Action::OpenDialog);
            }
            if i.consume_key(Modifiers::COMMAND, Key::N) {
                actions.push(Action::NewProjectDialog);
            }
            if i.consume_key(Modifiers::COMMAND, Key::P) {
                actions.push(Action::PrintDialog);
            }
            if typing {
                return;
            }
            // Ctrl+Shift+Z first: a plain Ctrl+Z check would also match it.
            if i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z) || i.consume_key(Modifiers::COMMAND, Key::Y)
            {
                actions.push(Action::Redo);
            }
            if i.consume_key(Modifiers::COMMAND, Key::Z) {
                actions.push(Action::Undo);
            }
            for kind in ToolKind::ALL {
                let key = Key::from_name(&kind.key().to_string());
                if let Some(key) = key
                    && i.consume_key(Modifiers::NONE, key)
                {
                    actions.push(Action::SetTool(kind));
                }
            }
            if i.consume_key(Modifiers::NONE, Key::Z) {
                actions.push(Action::ZoomToSelection);
            }
            if !popup_open && !left_a_field && i.consume_key(Modifiers::NONE, Key::Escape) {
                keys.push(ToolKey::Escape);
            }
            for (key, tool_key) in
                [(Key::Enter, ToolKey::Enter), (Key::Backspace, ToolKey::Backspace), (Key::Delete, ToolKey::Delete)]
            {
                if i.consume_key(Modifiers::NONE, key) {
                    keys.push(tool_key);
                }
            }
        });
        if close_dialog {
            self.close_dialog(actions);
        }
        for key in keys {
            self.tool_event(ToolEvent::Key(key));
        }
    }

    /// Closes the dialog on top as its Cancel (or Close) button would.
    fn close_dialog(&mut self, actions: &mut Vec<Action>) {
        if self.error.take().is_some() || self.file_dialog.take().is_some() {
            return;
        }
        // Cancelling the question about replacing a layer goes back to the import form.
        if let Some(Window::ConfirmReplace(_)) = self.window.take() {
            actions.push(Action::CancelImport);
        }
    }

    /// Feeds one event to the active tool and carries out what it answers.
    pub(super) fn tool_event(&mut self, event: ToolEvent) -> ToolOutcome {
        let s = &mut self.state;
        // A large project's edit index may still be on its way: hovering does not wait for it, the
        // first click or drag does (it is built then, unless it landed meanwhile).
        if matches!(event, ToolEvent::Hover(_)) && s.editor.index.is_none() {
            return ToolOutcome::Ignored;
        }
        s.editor.ensure_index(&s.doc.project);
        let Some(index) = &s.editor.index else { return ToolOutcome::Ignored };
        let tolerance_in_world = s.editor.snap_px as f64 * s.ui.view.viewport.world_per_px;
        let ctx = ToolContext {
            project: &s.doc.project,
            index,
            selection: &s.editor.selection,
            tolerance_in_world,
            snapping: s.editor.snapping,
        };
        let outcome = s.editor.tool.on_event(event, &ctx);
        match &outcome {
            ToolOutcome::Commit(edit) => s.commit(edit.clone()),
            ToolOutcome::Select(selection) => s.editor.selection = selection.clone(),
            ToolOutcome::Failed(failure) => s.refused(failure),
            ToolOutcome::Ignored | ToolOutcome::Redraw => {}
        }
        outcome
    }

    /// Turns what the pointer did on the canvas into tool events; drags the tool does not take pan.
    pub(super) fn handle_canvas(&mut self, i: canvas::Interaction) {
        self.state.ui.cursor_in_world = i.hover;
        if let Some(p) = i.hover {
            self.tool_event(ToolEvent::Hover(p));
        }
        if let Some(p) = i.double_click {
            self.tool_event(ToolEvent::DoubleClick(p));
        } else if let Some((p, add)) = i.click {
            self.tool_event(ToolEvent::Click { pos: p, add });
        }
        if let Some(p) = i.drag_start {
            let taken = self.tool_event(ToolEvent::DragStart(p)) != ToolOutcome::Ignored;
            self.state.ui.view.panning = !taken;
        }
        if let Some((p, delta)) = i.drag {
            if self.state.ui.view.panning {
                self.state.ui.view.viewport.pan(geo::Coord { x: delta.x as f64, y: delta.y as f64 });
            } else {
                self.tool_event(ToolEvent::Drag(p));
            }
        }
        if let Some(p) = i.drag_end
            && !std::mem::take(&mut self.state.ui.view.panning)
        {
            self.tool_event(ToolEvent::DragEnd(p));
        }
        if i.pan != egui::Vec2::ZERO {
            self.state.ui.view.viewport.pan(geo::Coord { x: i.pan.x as f64, y: i.pan.y as f64 });
        }
    }

    /// Keeps the attribute form on the selection: one grid's record, or the fields several grids share;
    /// refilled when the selection or the grids changed under it.
    pub(super) fn sync_form(&mut self) {
        let s = &self.state;
        let selection = &s.editor.selection;
        if selection.len() > 1 {
            let revision = s.doc.revision;
            let stale = match &self.form {
                Some(attributes::Form::Many(f)) if f.grids == *selection => {
                    f.revision != revision
                        && SharedFields::of_ids(&s.doc.project, selection).as_ref() != Some(&f.original)
                }
                _ => true,
            };
            if stale {
                self.form = attributes::ManyForm::of(&s.doc.project, selection, revision)
                    .map(|f| attributes::Form::Many(Box::new(f)));
            } else if let Some(attributes::Form::Many(f)) = &mut self.form {
                f.revision = revision;
            }
            return;
        }
        let Some(id) = selection.iter().next().copied() else {
            self.form = None;
            return;
        };
        let current = s.doc.project.grids.get(&id).map(GridFields::of);
        let stale = match &self.form {
            Some(attributes::Form::One(f)) => f.grid != id || Some(&f.original) != current.as_ref(),
            _ => true,
        };
        if stale {
            self.form = attributes::AttributeForm::of(&s.doc.project, id).map(|f| attributes::Form::One(Box::new(f)));
        }
    }

    /// Asks before closing with unsaved changes.
    pub(super) fn closing(&mut self, ctx: &Context) {
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if self.state.doc.dirty && !self.allow_close {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.window = Some(Window::ConfirmClose);
        } else {
            self.state.autosave.discard();
        }
    }

    /// Writes the recovery file every minute while there are unsaved changes, on a background thread
    /// (called from the logic pass, before any drawing).
    pub(super) fn autosave(&mut self, ctx: &Context) {
        let s = &mut self.state;
        let doc = &s.doc;
        if let Some(e) = s.autosave.tick(&doc.project, doc.dirty, doc.path.as_deref(), doc.disk_stamp.as_ref()) {
            s.say(|l| {
                let why = crate::text::io_errors::error_chain_text(&e, l);
                format!("{}: {why}", crate::text::pick(l, "无法写入恢复文件", "cannot write the recovery file"))
            });
        }
        ctx.request_repaint_after(recovery::INTERVAL);
    }
}

/// The vertices to mark while editing vertices: those of the selected grids, else of the grids large
/// enough on screen to edit (so a township's thousands of vertices do not all show at once).
pub(super) fn editable_vertices(s: &AppState) -> Vec<geo::Coord<f64>> {
    if s.editor.tool.kind() != ToolKind::EditVertices {
        return Vec::new();
    }
    let visible = s.ui.view.viewport.visible_world();
    let ids: Vec<GridId> = if s.editor.selection.is_empty() {
        // Before a large project's edit index lands, only the selection's vertices show.
        s.editor.index.as_ref().map_or_else(Vec::new, |index| index.grids_near(visible, 0.0))
    } else {
        s.editor.selection.iter().copied().collect()
    };
    let mut out = Vec::new();
    for id in ids.iter().take(400) {
        let Some(g) = s.doc.project.grids.get(id) else { continue };
        let big = g
            .geometry
            .bounding_rect()
            .is_some_and(|r| r.width().max(r.height()) / s.ui.view.viewport.world_per_px > 60.0);
        if big || s.editor.selection.contains(id) {
            out.extend(
                g.geometry
                    .0
                    .iter()
                    .flat_map(|p| p.exterior().0.iter().chain(p.interiors().iter().flat_map(|r| r.0.iter())))
                    .copied(),
            );
        }
    }
    out
}
