//! Tools › 网格编码规则: edit the project's code rule with a live preview — the parse error as you type,
//! the codes that would change, and (optionally) the new codes drawn on the map — then apply.

use std::collections::BTreeMap;

use eframe::egui::{self, Context};

use super::Action;
use crate::core::codes::{CodeChange, CodeRule, CodingOptions, ROW_HEIGHT_SETTING, assign_codes};
use crate::core::{GridId, Project};
use crate::io::true_north::ground_axes_for;
use crate::text::{Lang, Text};

pub struct CodeRuleForm {
    pub template: String,
    pub renumber: bool,
    pub show_on_map: bool,
    /// The template and options the preview was computed for, so typing does not recompute every frame.
    computed_for: Option<(String, bool, u64)>,
    preview: Result<Vec<CodeChange>, String>,
}

impl CodeRuleForm {
    pub fn new(template: String) -> CodeRuleForm {
        CodeRuleForm { template, renumber: false, show_on_map: true, computed_for: None, preview: Ok(Vec::new()) }
    }

    /// The codes as they would be after applying: every grid's current code with the changes.
    pub fn preview_codes(&self, project: &Project) -> Option<BTreeMap<GridId, String>> {
        let changes = self.preview.as_ref().ok()?;
        let mut codes: BTreeMap<GridId, String> = project.grids.values().map(|g| (g.id, g.code.clone())).collect();
        codes.extend(changes.iter().map(|c| (c.grid, c.new.clone())));
        Some(codes)
    }

    pub fn changes(&self) -> Option<&[CodeChange]> {
        self.preview.as_ref().ok().map(Vec::as_slice)
    }

    fn refresh(&mut self, project: &Project, revision: u64) {
        let key = (self.template.clone(), self.renumber, revision);
        if self.computed_for.as_ref() == Some(&key) {
            return;
        }
        // The row height `wangge code --row-height` saved, so that the app numbers as the command line does.
        let row_height = project.settings.get(ROW_HEIGHT_SETTING).and_then(|h| h.parse().ok());
        self.preview = CodeRule::parse(self.template.trim()).map_err(|e| e.to_string()).and_then(|rule| {
            assign_codes(
                project,
                &rule,
                &CodingOptions { renumber: self.renumber, row_height },
                &ground_axes_for(&project.crs),
            )
            .map_err(|e| e.to_string())
        });
        self.computed_for = Some(key);
    }
}

/// Shows the form; returns false when it should close.
pub fn show(
    ctx: &Context,
    form: &mut CodeRuleForm,
    lang: Lang,
    project: &Project,
    revision: u64,
    actions: &mut Vec<Action>,
) -> bool {
    let t = |text: Text| text.get(lang);
    form.refresh(project, revision);
    let mut keep = true;
    egui::Window::new(t(Text::CodeRule)).collapsible(false).default_width(460.0).show(ctx, |ui| {
        let label = ui.label(t(Text::CodeTemplate));
        ui.add(egui::TextEdit::singleline(&mut form.template).desired_width(320.0)).labelled_by(label.id);
        ui.small("{village12} {town9} {county6} {kind} {seq:3}");
        ui.checkbox(&mut form.renumber, t(Text::Renumber));
        ui.checkbox(&mut form.show_on_map, t(Text::PreviewOnMap));
        ui.separator();
        match &form.preview {
            Err(message) => {
                ui.colored_label(egui::Color32::from_rgb(200, 60, 60), message);
            }
            Ok(changes) if changes.is_empty() => {
                ui.label(t(Text::CodesUnchanged));
            }
            Ok(changes) => {
                ui.label(format!("{} {}", changes.len(), t(Text::CodesWouldChange)));
                egui::ScrollArea::vertical().max_height(220.0).show(ui, |ui| {
                    for c in changes {
                        let name = project.grids.get(&c.grid).map_or("", |g| g.name.as_str());
                        let old = if c.old.is_empty() { "—" } else { c.old.as_str() };
                        ui.monospace(format!("{old} → {}  {name}", c.new));
                    }
                });
            }
        }
        ui.horizontal(|ui| {
            let can_apply = form.preview.as_ref().is_ok_and(|c| !c.is_empty());
            if ui.add_enabled(can_apply, egui::Button::new(t(Text::Apply))).clicked() {
                actions.push(Action::ApplyCodes);
            }
            if ui.button(t(Text::Close)).clicked() {
                keep = false;
            }
        });
    });
    keep
}
