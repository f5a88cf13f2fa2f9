//! The eframe application — the only module that uses egui. The UI code returns [`Action`]s; the app
//! applies them in [`WanggeApp::apply`], where every error is handled once (shown in a window).

mod action;
mod attributes;
pub mod basemap;
mod canvas;
mod checks_panel;
mod code_rule_dialog;
mod coverage_panel;
mod dialogs;
mod editing;
mod file_dialog;
mod find;
mod fonts;
mod jobs;
mod legend;
pub mod level_of_detail;
mod live_coverage;
pub mod map_cache;
pub mod new_project;
mod panels;
mod print_dialog;
mod recovery;
mod state;
mod toolbar;
mod window;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use eframe::egui::{self, Context, ViewportCommand};
use geo::BoundingRect;

pub use crate::text::Settings;
use crate::text::{Lang, Text};
pub use action::Action;
use dialogs::{ExportForm, ImportForm, Window};
use file_dialog::{InAppDialog, Outcome, Purpose};
pub use state::{AppState, load_sample};
pub use window::run;

use crate::core::edit::{Command, StepKind};
use crate::core::tools::{ToolEvent, ToolKey};
use crate::core::{GridId, rect};
use crate::io::export::Layer;
use crate::io::import::{PreparedImport, Target};
use crate::text::edits::kind_label;
use crate::text::io_errors::error_chain_text;
use crate::text::status::StatusLine;

pub struct WanggeApp {
    pub state: AppState,
    window: Option<Window>,
    file_dialog: Option<InAppDialog>,
    last_title: String,
    fonts_installed: bool,
    /// Shown on top of whatever form is open, so that a failed import keeps what the user typed.
    /// The error dialog's message, in both languages: it follows a change of language while open.
    error: Option<StatusLine>,
    /// Code and household checks, recomputed when the project changes.
    checks: Option<checks_panel::ChecksView>,
    /// The attribute form of the selected grid, or of the fields several selected grids share.
    form: Option<attributes::Form>,
    /// Set once the user chose to close without saving.
    allow_close: bool,
    /// An import that would replace what the project has, waiting for the user's answer, with its form.
    pending_import: Option<(Box<PreparedImport>, ImportForm)>,
    /// The search box and the grid list beside the layer tree.
    find: find::FindPanel,
    /// What to do once the Save As asked for by "save first" has saved.
    after_save: Option<Action>,
    /// Actions to apply in the next frame (those that follow a file chooser's answer).
    queued: Vec<Action>,
    /// Set while applying an action the user already allowed to drop unsaved changes.
    unsaved_ok: bool,
    /// A long job (opening a project) running on its worker thread, shown in the status bar with Cancel.
    job: Option<jobs::Job>,
    /// Holds jobs back before they start (for tests that cancel a job at a known moment).
    #[doc(hidden)]
    pub job_gate: jobs::StartGate,
}

impl WanggeApp {
    pub fn new(state: AppState) -> WanggeApp {
        WanggeApp {
            state,
            window: None,
            file_dialog: None,
            last_title: String::new(),
            fonts_installed: false,
            error: None,
            checks: None,
            form: None,
            allow_close: false,
            pending_import: None,
            find: find::FindPanel::default(),
            after_save: None,
            queued: Vec::new(),
            unsaved_ok: false,
            job: None,
            job_gate: jobs::StartGate::default(),
        }
    }

    /// Whether a long job (opening a project) is running.
    pub fn job_running(&self) -> bool {
        self.job.is_some()
    }

    /// Reads the project at `path` on a worker thread; it becomes the open project when read (unless
    /// cancelled). One job at a time.
    fn start_open(&mut self, path: PathBuf) -> anyhow::Result<()> {
        if self.job.is_none() {
            self.job = Some(jobs::Job::open(path, &self.job_gate)?);
        }
        Ok(())
    }

    /// Takes the outcome of a finished job: the opened project, a "cancelled" line, or the error.
    fn poll_job(&mut self) {
        let Some(outcome) = self.job.as_mut().and_then(jobs::Job::finished) else { return };
        self.job = None;
        match outcome {
            Ok(jobs::Outcome::Opened { path, result: Ok((project, stamp, prepared)) }) => {
                self.state.opened_with(project, &path, stamp, Some(prepared));
            }
            Ok(jobs::Outcome::Opened { result: Err(e), .. })
                if matches!(*e.problem, crate::io::Problem::Cancelled(_)) =>
            {
                self.state.say(|l| crate::text::progress::cancelled(l).to_string());
            }
            Ok(jobs::Outcome::Opened { result: Err(e), .. }) => self.show_error(&anyhow::Error::from(e)),
            Err(panic) => {
                let text = |l| format!("{}: {panic}", crate::text::pick(l, "内部错误", "internal error"));
                self.error = Some(StatusLine::new(self.state.lang(), text));
            }
        }
    }

    /// Offers a recovery file left by a run that did not end cleanly.
    pub fn offer_recovery(&mut self) {
        if let Some(p) = recovery::pending() {
            let when = p
                .written
                .and_then(|t| t.elapsed().ok())
                .map(|d| format!("{} min", d.as_secs() / 60))
                .unwrap_or_default();
            let origin = p.origin.map(|o| o.display().to_string()).unwrap_or_else(|| "—".into());
            let text = match self.state.lang() {
                Lang::Zh => {
                    format!("上次运行没有正常结束，留下了未保存的工作（{when}前，原文件：{origin}）。要恢复吗？")
                }
                Lang::En => format!(
                    "The last run did not end cleanly and left unsaved work ({when} ago, from {origin}). Recover it?"
                ),
            };
            self.window = Some(Window::Recover(text));
        }
    }

    /// Runs one frame of UI: menus, panels, canvas, windows; then applies the actions they produced.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.fonts_installed {
            fonts::install(&ctx);
            self.fonts_installed = true;
        }
        self.poll_job();
        if self.job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
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
        if self.state.ui.show_layers_panel {
            let (state, find) = (&mut self.state, &mut self.find);
            egui::Panel::left("layers")
                .default_size(260.0)
                .resizable(true)
                .show(ui, |ui| panels::layers_panel(ui, state, find, &mut actions));
        }
        self.sync_form();
        if self.state.ui.show_checks_panel {
            let (lang, revision) = (self.state.lang(), self.state.doc.revision);
            if !self.state.doc.project.grids.is_empty()
                && !self.checks.as_ref().is_some_and(|c| c.is_current(revision, lang))
            {
                self.checks = Some(checks_panel::ChecksView::compute(&self.state.doc.project, revision, lang));
            }
            let (state, form, checks) = (&self.state, &mut self.form, &self.checks);
            egui::Panel::right("side").default_size(320.0).resizable(true).show(ui, |ui| {
                // Scrolls sideways rather than growing: nothing in it may widen the panel for good.
                egui::ScrollArea::both().auto_shrink([false, true]).id_salt("side").show(ui, |ui| {
                    if let Some(form) = form.as_mut().filter(|_| state.ui.show_attributes) {
                        attributes::show(ui, form, &state.doc.project, lang, &mut actions);
                        ui.separator();
                    }
                    coverage_panel::show(ui, state, &mut actions);
                    if let Some(view) = checks.as_ref().filter(|_| !state.doc.project.grids.is_empty()) {
                        ui.separator();
                        checks_panel::show(ui, view, lang);
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
            .and_then(|i| self.state.editor.coverage.report().findings.get(i))
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
        if self.job.is_some() {
            // While a project is being read, nothing may change the one that is open (it is replaced
            // when the job ends): only Cancel is heard.
            actions.retain(|a| *a == Action::CancelJob);
            self.queued.clear();
        } else {
            self.handle_canvas(interaction);
        }
        self.first_step(&ctx, &mut actions);
        if let Some(window) = &mut self.window
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
        let title = self.state.window_title();
        if title != self.last_title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.last_title = title;
        }
    }

    fn apply(&mut self, ctx: &Context, action: Action) {
        let result = self.try_apply(ctx, action);
        if let Err(e) = result {
            self.show_error(&e);
        }
    }

    /// Says what went wrong in a dialog, in the UI language (and in the other one if the language is
    /// changed while it is open).
    fn show_error(&mut self, e: &anyhow::Error) {
        self.error = Some(StatusLine::new(self.state.lang(), |l| error_chain_text(e, l)));
    }

    fn try_apply(&mut self, ctx: &Context, action: Action) -> anyhow::Result<()> {
        let drops_project = matches!(
            action,
            Action::OpenDialog | Action::OpenSample | Action::NewProjectDialog | Action::OpenRecent(_)
        );
        if drops_project && self.state.doc.dirty && !self.unsaved_ok {
            // Unsaved changes are asked about first: save, don't save, or cancel.
            self.window = Some(Window::ConfirmDiscard(Box::new(action)));
            return Ok(());
        }
        let s = &mut self.state;
        match action {
            Action::OpenDialog => self.browse(Purpose::OpenProject),
            Action::OpenSample => {
                let project = load_sample()?;
                s.replace_project(project, None);
                s.doc.sample = true;
            }
            Action::ImportDialog => {
                self.window = Some(Window::Import(ImportForm {
                    src: String::new(),
                    target: Target::Grids,
                    crs: String::new(),
                    map: String::new(),
                }));
            }
            Action::ExportDialog => {
                let to = s.start_dir().join("grids.geojson").display().to_string();
                self.window = Some(Window::Export(ExportForm { to, layer: Layer::Grids, gbk: false, table: false }));
            }
            Action::Save => match s.doc.path.clone() {
                Some(path) if s.changed_on_disk() => self.ask_changed_on_disk(&path, false),
                Some(path) => s.save_to(&path)?,
                None => self.browse(Purpose::SaveProjectAs),
            },
            Action::SaveAsDialog => self.browse(Purpose::SaveProjectAs),
            Action::Quit => ctx.send_viewport_cmd(ViewportCommand::Close),
            Action::RenameDialog => self.window = Some(Window::Rename(s.doc.project.name.clone())),
            Action::Rename(name) if !name.is_empty() && name != s.doc.project.name => {
                s.doc.project.name = name;
                s.doc.dirty = true;
                s.changed();
            }
            Action::Rename(_) => {}
            Action::ZoomToExtent => s.ui.view.fit_pending = true,
            Action::ToggleLayersPanel => s.ui.show_layers_panel = !s.ui.show_layers_panel,
            Action::ToggleChecksPanel => s.ui.show_checks_panel = !s.ui.show_checks_panel,
            Action::SetLang(lang) => s.set_lang(lang),
            Action::ShowInfo => self.window = Some(Window::Info),
            Action::CodeRuleDialog => {
                let template = crate::core::codes::rule_template(&s.doc.project).to_string();
                self.window = Some(Window::CodeRule(code_rule_dialog::CodeRuleForm::new(template)));
            }
            Action::ApplyCodes => {
                if let Some(Window::CodeRule(form)) = &self.window
                    && let Some(changes) = form.changes()
                {
                    // One undoable step: the new codes and the rule they were given by.
                    let command = Command::from_codes(&s.doc.project, changes, form.template.trim());
                    let n = changes.len();
                    let status = StatusLine::new(s.lang(), |l| format!("{}: {n}", Text::CodesApplied.get(l)));
                    s.apply_command(StepKind::Codes, command, status);
                }
            }
            Action::ShowShortcuts => self.window = Some(Window::Shortcuts),
            Action::ShowAbout => self.window = Some(Window::About),
            Action::CopyCursor => {
                if let Some(c) = s.cursor_lonlat() {
                    ctx.copy_text(format!("{:.7},{:.7}", c.x, c.y));
                }
            }
            Action::Browse(purpose) => self.browse(purpose),
            Action::RunImport => {
                if let Some(Window::Import(form)) = &self.window {
                    anyhow::ensure!(!form.src.trim().is_empty(), "{}", s.t(Text::ChooseSourceFirst));
                    let src = PathBuf::from(form.src.trim());
                    let prepared = s.prepare_import(&src, form.target, &form.crs, &form.map)?;
                    match prepared.replaces(&s.doc.project) {
                        // Nothing lost: done (and undoable).
                        None => {
                            s.apply_import(prepared)?;
                            self.window = None;
                        }
                        // Ask first, saying what would be lost; the form comes back on Cancel.
                        Some(replaced) => {
                            let text = crate::text::layers::replace_text(&replaced, s.lang());
                            if let Some(Window::Import(form)) = self.window.take() {
                                self.pending_import = Some((Box::new(prepared), form));
                            }
                            self.window = Some(Window::ConfirmReplace(text));
                        }
                    }
                }
            }
            Action::ConfirmImport => {
                if let Some((prepared, _)) = self.pending_import.take() {
                    s.apply_import(*prepared)?;
                }
            }
            Action::CancelImport => {
                if let Some((_, form)) = self.pending_import.take() {
                    self.window = Some(Window::Import(form));
                }
            }
            Action::ReloadFromDisk => {
                if let Some(path) = s.doc.path.clone() {
                    s.open(&path)?;
                    s.autosave.discard();
                }
            }
            Action::Overwrite { quit_after } => {
                if let Some(path) = s.doc.path.clone() {
                    s.save_to(&path)?;
                    if quit_after {
                        self.allow_close = true;
                        ctx.send_viewport_cmd(ViewportCommand::Close);
                    }
                }
            }
            Action::PrintDialog => {
                let out = s.start_dir().join(format!("{}.pdf", s.doc.project.name)).display().to_string();
                self.window = Some(Window::Print(Box::new(print_dialog::PrintForm::new(&s.doc.project, out))));
            }
            Action::RunPrint => {
                if let Some(Window::Print(form)) = &self.window {
                    let out = PathBuf::from(form.out.trim());
                    anyhow::ensure!(
                        !form.out.trim().is_empty(),
                        "{}",
                        crate::text::pick(s.lang(), "请先选择输出文件", "choose an output file first")
                    );
                    let written = crate::print::write(&s.doc.project, &form.effective_options(), &out)?;
                    let first = written.first().map(|p| p.display().to_string()).unwrap_or_default();
                    let n = written.len();
                    s.say(|l| format!("{}: {first} ({n})", crate::text::pick(l, "已打印", "Printed")));
                }
            }
            Action::SetTool(kind) => s.set_tool(kind),
            Action::ToggleSnapping => s.editor.snapping = !s.editor.snapping,
            Action::SetSnapTolerance(px) => s.editor.snap_px = px,
            Action::Undo => s.undo(),
            Action::Redo => s.redo(),
            Action::DeleteSelection => {
                self.tool_event(ToolEvent::Key(ToolKey::Delete));
            }
            Action::MergeSelected => {
                let ids: Vec<GridId> = s.editor.selection.iter().copied().collect();
                match crate::core::edit::merge_grids(&s.doc.project, &s.editor.index, &ids) {
                    Ok((command, keeper)) => {
                        let n = ids.len();
                        let text = StatusLine::new(s.lang(), |l| format!("{}: {n}", kind_label(StepKind::Merge, l)));
                        s.apply_command(StepKind::Merge, command, text);
                        s.editor.selection = BTreeSet::from([keeper]);
                    }
                    Err(e) => s.refused(&e),
                }
            }
            Action::ZoomToSelection => {
                let rects =
                    s.editor.selection.iter().filter_map(|id| s.doc.project.grids.get(id)?.geometry.bounding_rect());
                if let Some(r) = rect::union_all(rects) {
                    s.ui.view.zoom_to = Some(r);
                }
            }
            Action::SetFields(id, fields) => {
                let text = StatusLine::new(s.lang(), |l| kind_label(StepKind::Attributes, l).to_string());
                s.apply_command(StepKind::Attributes, Command::SetFields { id, fields }, text);
            }
            Action::PickFinding(i) => {
                s.pick(i);
                if let Some(r) = s.editor.coverage.report().findings.get(i).and_then(|f| f.geometry.bounding_rect()) {
                    // A little room around the finding, so its neighbours show too.
                    let grow = (r.width().max(r.height()) * 0.6).max(s.doc.project.precision * 1000.0);
                    s.ui.view.zoom_to = Some(rect::grow(r, grow));
                }
            }
            Action::PreviewFix(j) => s.editor.previewed_fix = j,
            Action::ApplyFix(j) => {
                let command = s
                    .editor
                    .picked_fixes
                    .get(j)
                    .and_then(|f| Command::from_fix(&s.doc.project, f, |i| s.editor.coverage.grid_of(i)));
                if let Some(command) = command {
                    let text = StatusLine::new(s.lang(), |l| kind_label(StepKind::Fix, l).to_string());
                    s.apply_command(StepKind::Fix, command, text);
                }
            }
            Action::ToggleAttributes => s.ui.show_attributes = !s.ui.show_attributes,
            Action::SaveAndQuit => match s.doc.path.clone() {
                Some(path) if s.changed_on_disk() => self.ask_changed_on_disk(&path, true),
                Some(path) => {
                    s.save_to(&path)?;
                    self.allow_close = true;
                    ctx.send_viewport_cmd(ViewportCommand::Close);
                }
                None => self.browse(Purpose::SaveProjectAs),
            },
            Action::DiscardAndQuit => {
                self.allow_close = true;
                s.autosave.discard();
                ctx.send_viewport_cmd(ViewportCommand::Close);
            }
            Action::Recover => {
                if let Some(p) = recovery::pending() {
                    let project = crate::io::open_project(&p.file)?;
                    s.replace_project(project, p.origin);
                    // The origin as it was when the work began: a save over it asks if it changed since.
                    s.doc.disk_stamp = p.origin_stamp;
                    s.doc.dirty = true;
                }
            }
            Action::DiscardRecovery => s.autosave.discard(),
            Action::RunExport => {
                if let Some(Window::Export(form)) = &self.window {
                    let (to, layer, gbk) = (PathBuf::from(form.to.trim()), form.layer, form.gbk);
                    if form.writes_table() {
                        let to = with_extension(&to, "xlsx");
                        let rows = crate::text::grid_table::table_rows(&s.doc.project);
                        // The error names the file already.
                        crate::text::grid_table::write_table(&to, &rows)?;
                        let (n, shown) = (rows.len(), to.display().to_string());
                        s.say(|l| crate::text::start::table_written(n, &shown, l));
                    } else {
                        s.export(layer, &to, gbk)?;
                    }
                    self.window = None;
                }
            }
            Action::SetSharedFields(ids, changes) => {
                if let Some(command) = changes.command(&s.doc.project, &ids) {
                    let n = ids.len();
                    let text = StatusLine::new(s.lang(), |l| match l {
                        Lang::Zh => format!("{}：{n} 个网格", kind_label(StepKind::Attributes, l)),
                        Lang::En => format!("{}: {n} grids", kind_label(StepKind::Attributes, l)),
                    });
                    s.apply_command(StepKind::Attributes, command, text);
                }
            }
            Action::NewProjectDialog => {
                self.window = Some(Window::NewProject(new_project::NewProjectForm::default()));
            }
            Action::CreateProject => {
                if let Some(Window::NewProject(form)) = &self.window {
                    let project = new_project::build(form, s.lang())?;
                    s.start_new_project(project);
                    self.window = None;
                }
            }
            // A recent file that is gone is forgotten (and said); one that is there is read in the background.
            Action::OpenRecent(path) if !path.is_file() => s.open_recent(&path)?,
            Action::OpenRecent(path) => self.start_open(path)?,
            Action::CancelJob => {
                if let Some(job) = &self.job {
                    job.cancel();
                }
            }
            Action::Discarded(then) => {
                self.unsaved_ok = true;
                let result = self.try_apply(ctx, *then);
                self.unsaved_ok = false;
                result?;
            }
            Action::SaveThen(then) => match s.doc.path.clone() {
                Some(path) if s.changed_on_disk() => self.ask_changed_on_disk(&path, false),
                Some(path) => {
                    s.save_to(&path)?;
                    self.queued.push(Action::Discarded(then));
                }
                None => {
                    self.after_save = Some(*then);
                    self.browse(Purpose::SaveProjectAs);
                }
            },
            Action::PickGrid(id) => {
                if let Some(r) = s.doc.project.grids.get(&id).and_then(|g| g.geometry.bounding_rect()) {
                    s.editor.selection = BTreeSet::from([id]);
                    // Room around the grid, so its neighbours show too.
                    s.ui.view.zoom_to = Some(rect::grow(r, r.width().max(r.height()) * 0.5));
                    s.ui.status = s.doc.project.grid_label(id).into();
                }
            }
            Action::PickDivision(code) => {
                let p = &s.doc.project;
                let ids: BTreeSet<GridId> =
                    p.grids.values().filter(|g| g.village_code.starts_with(code.as_str())).map(|g| g.id).collect();
                let grid_rects = ids.iter().filter_map(|id| p.grids.get(id)?.geometry.bounding_rect());
                let own = p.divisions.get(code.as_str()).and_then(|d| d.polygon.as_ref()?.bounding_rect());
                let name = p.divisions.get(code.as_str()).map_or_else(|| code.clone(), |d| d.name.clone());
                if let Some(r) = rect::union_all(grid_rects.chain(own)) {
                    s.ui.view.zoom_to = Some(rect::grow(r, r.width().max(r.height()) * 0.05));
                }
                let n = ids.len();
                s.say(|l| crate::text::start::division_picked(&name, n, l));
                s.editor.selection = ids;
            }
            Action::SetTheme(theme) => s.ui.thematic.theme = theme,
        }
        Ok(())
    }

    /// Over the map of an empty project: what to do first, in one line, with the two ways to do it.
    fn first_step(&self, ctx: &Context, actions: &mut Vec<Action>) {
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

    /// Asks what to do about a save over a file another program changed: reload, overwrite, save as.
    fn ask_changed_on_disk(&mut self, path: &Path, quit_after: bool) {
        self.window = Some(Window::ChangedOnDisk { file: path.display().to_string(), quit_after });
    }

    /// Asks for a file: the desktop's dialog where a portal answers, else the in-app one.
    fn browse(&mut self, purpose: Purpose) {
        let start = self.state.start_dir();
        let name_of = |path: &str| Path::new(path.trim()).file_name().map(|n| n.to_string_lossy().into_owned());
        // What a dialog that saves offers as the file name.
        let file_name = match (purpose, &self.window) {
            (Purpose::SaveProjectAs, _) => {
                let name = self.state.doc.project.name.trim();
                Some(format!("{}.gpkg", if name.is_empty() { "project" } else { name }))
            }
            (Purpose::ExportTo, Some(Window::Export(form))) => name_of(&form.to),
            (Purpose::PrintTo, Some(Window::Print(form))) => name_of(&form.out),
            _ => None,
        }
        .unwrap_or_default();
        match file_dialog::pick_native(purpose, &start, &file_name, self.state.lang()) {
            Ok(Some(path)) => self.chosen(purpose, path),
            Ok(None) => self.after_save = None,
            Err(()) => self.file_dialog = Some(InAppDialog::new(purpose, &start, &file_name)),
        }
    }

    fn chosen(&mut self, purpose: Purpose, path: PathBuf) {
        let result = match purpose {
            Purpose::OpenProject => self.start_open(path),
            Purpose::SaveProjectAs => {
                let saved = self.state.save_to(&with_extension(&path, "gpkg"));
                if let Some(then) = self.after_save.take().filter(|_| saved.is_ok()) {
                    self.queued.push(Action::Discarded(Box::new(then)));
                }
                saved
            }
            Purpose::NewProjectSource => {
                if let Some(Window::NewProject(form)) = &mut self.window {
                    let text = path.display().to_string();
                    match form.from {
                        new_project::NewFrom::Divisions => form.divisions = text,
                        _ => form.boundary = text,
                    }
                }
                Ok(())
            }
            Purpose::ImportSource => {
                if let Some(Window::Import(form)) = &mut self.window {
                    form.src = path.display().to_string();
                }
                Ok(())
            }
            Purpose::ExportTo => {
                if let Some(Window::Export(form)) = &mut self.window {
                    form.to = path.display().to_string();
                }
                Ok(())
            }
            Purpose::PrintTo => {
                if let Some(Window::Print(form)) = &mut self.window {
                    form.out = with_extension(&path, "pdf").display().to_string();
                }
                Ok(())
            }
        };
        if let Err(e) = result {
            self.show_error(&e);
        }
    }
}

fn with_extension(path: &Path, ext: &str) -> PathBuf {
    if path.extension().is_some() { path.to_path_buf() } else { path.with_extension(ext) }
}
