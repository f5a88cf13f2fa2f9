//! One frame of the window: menus, panels, the map and its overlays, windows; the actions they produce
//! are applied at the end of the frame.

use eframe::egui::{self, Context, ViewportCommand};

use super::dialogs::{self, Window};
use super::file_dialog::Outcome;
use super::{
    Action, WanggeApp, attributes, canvas, checks_panel, coverage_panel, editing, fonts, legend, panels,
    partition_tool, toolbar,
};
use crate::text::Text;

impl WanggeApp {
    /// Runs one frame of UI: menus, panels, canvas, windows; then applies the actions they produced.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.fonts_installed {
            fonts::install(&ctx);
            self.fonts_installed = true;
        }
        super::timing::before_frame();
        self.poll_job();
        if self.state.poll_background() || self.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        // Others' saved changes, in a shared database project (not while a job holds the project).
        if self.state.doc.database.is_some() {
            if self.job.is_none() {
                self.state.poll_database();
            }
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        }
        let mut actions = std::mem::take(&mut self.queued);
        self.closing(&ctx);
        self.shortcuts(&ctx, &mut actions);
        egui::Panel::top("menu").show(ui, |ui| panels::menu_bar(ui, &self.state, &mut actions));
        egui::Panel::top("toolbar").show(ui, |ui| toolbar::show(ui, &self.state, &mut actions));
        if self.state.doc.sample {
            egui::Panel::top("sample_banner").show(ui, |ui| {
                let text = egui::RichText::new(crate::text::start::sample_banner(self.state.lang())).strong();
                ui.add(egui::Label::new(text.color(egui::Color32::from_rgb(150, 90, 0))).wrap());
            });
        }
        let job = self.job.as_ref().map(|j| j.progress.as_ref());
        egui::Panel::bottom("status").show(ui, |ui| panels::status_bar(ui, &self.state, job, &mut actions));
        super::timing::first_frame_step("menus and status bar laid out");
        if self.state.ui.show_layers_panel {
            let (state, find) = (&mut self.state, &mut self.find);
            egui::Panel::left("layers")
                .default_size(260.0)
                .resizable(true)
                .show(ui, |ui| panels::layers_panel(ui, state, find, &mut actions));
        }
        super::timing::first_frame_step("layers panel laid out");
        self.sync_form();
        if self.state.ui.show_checks_panel {
            let (lang, revision) = (self.state.lang(), self.state.doc.revision);
            if !self.state.doc.project.grids.is_empty() {
                let background_from = self.state.caches.background_from;
                if self.checks.refresh(&self.state.doc.project, revision, lang, background_from) {
                    ctx.request_repaint_after(std::time::Duration::from_millis(100));
                }
            }
            let (state, form, checks) = (&self.state, &mut self.form, &self.checks);
            super::timing::first_frame_step("code and household checks computed or started");
            egui::Panel::right("side").default_size(320.0).resizable(true).show(ui, |ui| {
                // Scrolls sideways rather than growing: nothing in it may widen the panel for good.
                egui::ScrollArea::both().auto_shrink([false, true]).id_salt("side").show(ui, |ui| {
                    if let Some(form) = form.as_mut().filter(|_| state.ui.show_attributes) {
                        attributes::show(ui, form, &state.doc.project, lang, &mut actions);
                        ui.separator();
                    }
                    coverage_panel::show(ui, state, &mut actions);
                    if !state.doc.project.grids.is_empty() {
                        ui.separator();
                        match checks.view() {
                            Some(view) => checks_panel::show(ui, view, lang),
                            None if checks.computing() => checks_panel::show_computing(ui, lang),
                            None => {}
                        }
                    }
                });
            });
        }
        // While the code-rule window previews on the map, grids are labelled with their new codes.
        let preview = match &self.window {
            Some(Window::CodeRule(form)) if form.show_on_map => form.preview_codes(&self.state.doc.project),
            _ => None,
        };
        let highlight = self
            .state
            .editor
            .picked_finding
            .zip(self.state.editor.coverage.as_ref())
            .and_then(|(i, c)| c.report().findings.get(i))
            .map(|f| f.geometry.clone());
        let vertices = editing::editable_vertices(&self.state);
        {
            // Thematic fills and households per grid: computed once per revision, not per frame.
            let s = &mut self.state;
            s.ui.thematic.refresh(&s.doc.project, s.doc.revision, &mut s.ui.cache);
            // Only while labels are on screen: at full extent nothing is counted after every edit.
            if s.ui.layers.households && s.ui.layers.labels && s.ui.view.labelled_grids > 0 {
                s.ui.thematic.households(&s.doc.project, s.doc.revision);
            }
        }
        let measurement = self.state.editor.tool.measurement(&self.state.doc.project.crs);
        let mut view = std::mem::take(&mut self.state.ui.view);
        view.references.refresh(&self.state.doc.project, self.state.doc.revision);
        // What is switched off in the layers panel is not snapped to.
        if let Some(index) = &mut self.state.editor.index {
            index.set_hidden_references(&view.references.hidden);
        }
        let interaction = egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                let s = &self.state;
                let fix_preview: Vec<_> = s
                    .editor
                    .previewed_fix
                    .and_then(|j| s.editor.picked_fixes.get(j))
                    .map(|f| f.changes.iter().map(|(_, g)| g).chain(f.new_items.iter()).collect())
                    .unwrap_or_default();
                let overlay = canvas::Overlay {
                    preview_codes: preview.as_ref(),
                    selection: Some(&s.editor.selection),
                    tool: Some(s.editor.tool.preview()),
                    vertices,
                    highlight: highlight.as_ref(),
                    fix_preview,
                    households: s.ui.thematic.households_at(s.doc.revision),
                    measurement: measurement.as_ref(),
                    partition: match &self.window {
                        Some(Window::Partition(form)) => form.on_map(s.doc.revision),
                        _ => None,
                    },
                    theirs: match &self.window {
                        Some(Window::Conflicts(form)) => form.theirs_on_map(),
                        _ => Vec::new(),
                    },
                    lang: s.lang(),
                };
                let rect = ui.available_rect_before_wrap();
                let interaction = canvas::show(ui, &mut view, &s.ui.cache, &s.doc.project, s.ui.layers, &overlay);
                legend::show_legend(ui, rect, &s.ui.thematic, s.lang());
                if let Some(m) = &measurement {
                    legend::show_measurement(ui, rect, m, s.lang());
                }
                interaction
            })
            .inner;
        self.state.ui.view = view;
        if let Some(message) = self.state.ui.view.basemaps.take_message() {
            self.state.say(message);
        }
        super::timing::first_frame_step("map laid out");
        if self.job.is_some() {
            // While a project is being read, nothing may change the one that is open (it is replaced
            // when the job ends): only Cancel is heard.
            actions.retain(|a| *a == Action::CancelJob);
            self.queued.clear();
        } else {
            self.handle_canvas(interaction);
        }
        self.first_step(&ctx, &mut actions);
        let computing = self.job_running();
        if let Some(Window::Partition(form)) = &mut self.window {
            let (lang, revision) = (self.state.lang(), self.state.doc.revision);
            if !partition_tool::show(&ctx, form, lang, &self.state.doc.project, revision, computing, &mut actions) {
                self.window = None;
            }
        } else if let Some(window) = &mut self.window
            && !dialogs::show(
                &ctx,
                window,
                self.state.lang(),
                &self.state.doc.project,
                self.state.doc.revision,
                &mut actions,
            )
        {
            self.window = None;
        }
        if let Some(message) = &mut self.error {
            let (lang, revision) = (self.state.lang(), self.state.doc.revision);
            message.set_lang(lang);
            let mut error_window = Window::Error(message.to_string());
            if !dialogs::show(&ctx, &mut error_window, lang, &self.state.doc.project, revision, &mut actions) {
                self.error = None;
            }
        }
        if let Some(dialog) = &mut self.file_dialog {
            match dialog.show(&ctx, self.state.lang()) {
                Outcome::Pending => {}
                Outcome::Cancelled => {
                    self.file_dialog = None;
                    self.after_save = None;
                }
                Outcome::Chosen(path) => {
                    let purpose = dialog.purpose;
                    self.file_dialog = None;
                    self.chosen(purpose, path);
                }
            }
        }
        for action in actions {
            self.apply(&ctx, action);
        }
        super::timing::after_frame(&ctx, || {
            let s = &self.state;
            let map = if s.ui.cache.coarse { "coarse map" } else { "full map" };
            let coverage = if s.checking_coverage() { "coverage: checking" } else { "coverage: checked" };
            format!("{} grids, {map}, {coverage}", s.doc.project.grids.len())
        });
        let title = self.state.window_title();
        if title != self.last_title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.last_title = title;
        }
    }

    /// Over the map of an empty project: what to do first, in one line, with the two ways to do it.
    pub(super) fn first_step(&self, ctx: &Context, actions: &mut Vec<Action>) {
        let p = &self.state.doc.project;
        if self.window.is_some() || self.file_dialog.is_some() || self.error.is_some() {
            return;
        }
        if !(p.boundary.0.is_empty() && p.divisions.is_empty() && p.grids.is_empty() && p.households.is_empty()) {
            return;
        }
        let lang = self.state.lang();
        egui::Area::new(egui::Id::unique("first_step")).anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]).show(
            ctx,
            |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label(egui::RichText::new(crate::text::start::first_step(lang)).heading());
                    ui.horizontal(|ui| {
                        if ui.button(format!("{}…", Text::Import.get(lang))).clicked() {
                            actions.push(Action::ImportDialog);
                        }
                        if ui.button(format!("{}…", Text::Open.get(lang))).clicked() {
                            actions.push(Action::OpenDialog);
                        }
                    });
                });
            },
        );
    }
}
