//! The windows of a database project: File › Open database… (address and password), and the save
//! conflicts — mine and theirs side by side, part by part, settled one grid at a time.

use std::collections::BTreeSet;

use eframe::egui::{self, Context};
use geo::MultiPolygon;

use super::Action;
use crate::core::merge::{Field, Resolution, changed_fields, value_text};
use crate::core::{Grid, GridId, Project};
use crate::io::postgis::{ChangeEntry, Conflict, Password};
use crate::text::shared_project as words;
use crate::text::status::StatusLine;
use crate::text::{Lang, Text};

/// File › Open database…: the address and, when the server wants one, the password.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpenDbForm {
    pub url: String,
    /// Typed by the user; cleared once used (the link keeps it for the session).
    pub password: String,
    /// Why the last try failed (a wrong password, an unreachable server), shown above the fields.
    pub error: Option<StatusLine>,
}

impl OpenDbForm {
    pub fn new(url: String) -> OpenDbForm {
        OpenDbForm { url, ..Default::default() }
    }

    /// The password typed, taken out of the form (None when empty).
    pub fn take_password(&mut self) -> Option<Password> {
        let typed = Password::typed(&self.password);
        self.password.clear();
        typed
    }
}

/// Shows the form; returns false when it should close.
pub fn show_open(ctx: &Context, form: &mut OpenDbForm, lang: Lang, actions: &mut Vec<Action>) -> bool {
    let mut keep = true;
    egui::Window::new(words::open_title(lang)).collapsible(false).default_width(520.0).show(ctx, |ui| {
        if let Some(error) = &mut form.error {
            error.set_lang(lang);
            ui.colored_label(egui::Color32::from_rgb(180, 30, 30), error.text());
        }
        egui::Grid::new("open_db").num_columns(2).show(ui, |ui| {
            let label = ui.label(words::url_label(lang));
            ui.add(egui::TextEdit::singleline(&mut form.url).hint_text(words::url_hint()).desired_width(400.0))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(words::password_label(lang));
            ui.add(egui::TextEdit::singleline(&mut form.password).password(true).desired_width(240.0))
                .labelled_by(label.id);
            ui.end_row();
        });
        ui.small(words::password_note(lang));
        ui.horizontal(|ui| {
            if ui.button(words::open_button(lang)).clicked() {
                let password = form.take_password();
                actions.push(Action::OpenDatabase(Box::new((form.url.trim().to_string(), password))));
            }
            if ui.button(Text::Cancel.get(lang)).clicked() {
                keep = false;
            }
        });
    });
    keep
}

/// One conflict waiting for the user, with the parts ticked to take from theirs.
#[derive(Clone, Debug, PartialEq)]
pub struct ConflictItem {
    pub conflict: Conflict,
    pub from_theirs: BTreeSet<Field>,
}

/// The conflicts a save met, settled one by one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConflictsForm {
    pub items: Vec<ConflictItem>,
}

impl ConflictsForm {
    pub fn new(conflicts: Vec<Conflict>) -> ConflictsForm {
        ConflictsForm {
            items: conflicts
                .into_iter()
                .map(|conflict| ConflictItem { conflict, from_theirs: BTreeSet::new() })
                .collect(),
        }
    }

    /// Their shapes, drawn dashed on the map while the window is open.
    pub fn theirs_on_map(&self) -> Vec<&MultiPolygon<f64>> {
        self.items.iter().filter_map(|i| i.conflict.theirs.as_ref().map(|(g, _)| &g.geometry)).collect()
    }

    /// Adds the conflicts of a later save (a grid already listed takes the newer theirs).
    pub fn extend(&mut self, conflicts: Vec<Conflict>) {
        for conflict in conflicts {
            match self.items.iter_mut().find(|i| i.conflict.id == conflict.id) {
                Some(item) => item.conflict = conflict,
                None => self.items.push(ConflictItem { conflict, from_theirs: BTreeSet::new() }),
            }
        }
    }
}

/// Shows the conflicts; returns false when the window should close.
pub fn show_conflicts(
    ctx: &Context,
    form: &mut ConflictsForm,
    lang: Lang,
    project: &Project,
    actions: &mut Vec<Action>,
) -> bool {
    let mut keep = true;
    egui::Window::new(words::conflicts_title(lang)).collapsible(false).default_width(560.0).show(ctx, |ui| {
        ui.add(egui::Label::new(words::conflicts_intro(lang)).wrap());
        egui::ScrollArea::vertical().max_height(460.0).show(ui, |ui| {
            for item in &mut form.items {
                ui.separator();
                let id = item.conflict.id;
                // Mine as it is now (the user may have edited it since the save).
                let mine = project.grids.get(&id);
                let theirs = item.conflict.theirs.as_ref().map(|(g, _)| g.clone());
                ui.strong(title(id, mine.or(theirs.as_ref())));
                conflict_table(ui, item, mine, theirs.as_ref(), lang);
                ui.horizontal(|ui| {
                    if ui.button(words::keep_mine(lang)).clicked() {
                        actions.push(Action::ResolveConflict(id, Resolution::KeepMine));
                    }
                    if ui.button(words::take_theirs(lang)).clicked() {
                        actions.push(Action::ResolveConflict(id, Resolution::TakeTheirs));
                    }
                    let both = mine.is_some() && theirs.is_some();
                    if ui.add_enabled(both, egui::Button::new(words::merge_ticked(lang))).clicked() {
                        actions.push(Action::ResolveConflict(id, Resolution::Merge(item.from_theirs.clone())));
                    }
                    if ui.button(words::zoom(lang)).clicked() {
                        actions.push(Action::PickGrid(id));
                    }
                });
            }
        });
        if ui.button(Text::Close.get(lang)).clicked() {
            keep = false;
        }
    });
    keep && !form.items.is_empty()
}

fn title(id: GridId, grid: Option<&Grid>) -> String {
    match grid {
        Some(g) if !g.code.is_empty() => format!("#{id} {} {}", g.code, g.name),
        Some(g) => format!("#{id} {}", g.name),
        None => format!("#{id}"),
    }
}

/// The parts that differ: mine, theirs, and a tick to take theirs.
fn conflict_table(ui: &mut egui::Ui, item: &mut ConflictItem, mine: Option<&Grid>, theirs: Option<&Grid>, lang: Lang) {
    let (mine, theirs) = match (mine, theirs) {
        (Some(m), Some(t)) => (m, t),
        (None, _) => {
            ui.label(words::side_deleted(false, lang));
            return;
        }
        (_, None) => {
            ui.label(words::side_deleted(true, lang));
            return;
        }
    };
    egui::Grid::new(("conflict", item.conflict.id)).num_columns(3).striped(true).show(ui, |ui| {
        ui.strong(words::column_part(lang));
        ui.strong(words::column_mine(lang));
        ui.strong(words::column_theirs(lang));
        ui.end_row();
        for part in changed_fields(Some(mine), Some(theirs)) {
            // Ticked: this field from theirs.
            let mut take = item.from_theirs.contains(&part);
            if ui.checkbox(&mut take, crate::text::database::field_word(part, lang)).changed() {
                if take {
                    item.from_theirs.insert(part);
                } else {
                    item.from_theirs.remove(&part);
                }
            }
            let shown = |g: &Grid| match part {
                Field::Geometry => words::vertices(&value_text(part, g), lang),
                _ => value_text(part, g),
            };
            ui.label(shown(mine));
            ui.label(shown(theirs));
            ui.end_row();
        }
    });
}

/// A grid's recorded changes, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct GridHistory {
    pub grid: GridId,
    pub changes: Vec<ChangeEntry>,
}

/// Shows the history; returns false when it should close.
pub fn show_history(ctx: &Context, history: &mut GridHistory, lang: Lang, actions: &mut Vec<Action>) -> bool {
    let mut keep = true;
    let title = words::history_title(history.grid, lang);
    egui::Window::new(title).collapsible(false).default_width(620.0).show(ctx, |ui| {
        ui.small(words::history_note(lang));
        egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
            if history.changes.is_empty() {
                ui.label(crate::text::database::no_changes(lang));
            }
            // Newest first: the latest is what the grid is now, so it has nothing to restore.
            for (n, change) in history.changes.iter().rev().enumerate() {
                ui.horizontal_wrapped(|ui| {
                    if n > 0 && ui.small_button(words::restore_button(lang)).clicked() {
                        actions.push(Action::RestoreChange(history.grid, change.id));
                    }
                    ui.label(crate::text::database::change_line(change, lang));
                });
            }
        });
        if ui.button(Text::Close.get(lang)).clicked() {
            keep = false;
        }
    });
    keep
}
