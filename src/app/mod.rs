//! The eframe application — the only module that uses egui. The UI code returns [`Action`]s; the app
//! applies them in [`WanggeApp::apply`], where every error is handled once (shown in a window).

mod canvas;
mod checks_panel;
mod code_rule_dialog;
mod dialogs;
mod file_dialog;
pub mod finding_text;
mod fonts;
pub mod i18n;
mod map_cache;
mod panels;
pub mod settings;
mod state;

use std::path::{Path, PathBuf};

use eframe::egui::{self, Context, Key, Modifiers, ViewportCommand};

use dialogs::{ExportForm, ImportForm, Window};
use file_dialog::{InAppDialog, Outcome, Purpose};
use i18n::Lang;
pub use i18n::Text;
pub use settings::Settings;
pub use state::{AppState, load_sample};

use crate::io::export::Layer;
use crate::io::import::Target;

/// What the user asked for, collected during a frame and applied after it.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    OpenDialog,
    OpenSample,
    ImportDialog,
    ExportDialog,
    Save,
    SaveAsDialog,
    Quit,
    RenameDialog,
    Rename(String),
    ZoomToExtent,
    ToggleLayersPanel,
    ToggleChecksPanel,
    SetLang(Lang),
    ShowInfo,
    CodeRuleDialog,
    ApplyCodes,
    ShowShortcuts,
    ShowAbout,
    CopyCursor,
    Browse(Purpose),
    RunImport,
    RunExport,
}

pub struct WanggeApp {
    pub state: AppState,
    window: Option<Window>,
    file_dialog: Option<InAppDialog>,
    last_title: String,
    fonts_installed: bool,
    /// Shown on top of whatever form is open, so that a failed import keeps what the user typed.
    error: Option<String>,
    /// Code and household checks, recomputed when the project changes.
    checks: Option<checks_panel::ChecksView>,
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
        }
    }

    /// Runs one frame of UI: menus, panels, canvas, windows; then applies the actions they produced.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.fonts_installed {
            fonts::install(&ctx);
            self.fonts_installed = true;
        }
        let mut actions = Vec::new();
        self.shortcuts(&ctx, &mut actions);
        egui::Panel::top("menu").show(ui, |ui| panels::menu_bar(ui, &self.state, &mut actions));
        egui::Panel::bottom("status").show(ui, |ui| panels::status_bar(ui, &self.state));
        if self.state.show_layers_panel {
            egui::Panel::left("layers")
                .default_size(260.0)
                .resizable(true)
                .show(ui, |ui| panels::layers_panel(ui, &mut self.state));
        }
        if self.state.show_checks_panel && !self.state.project.grids.is_empty() {
            let (lang, revision) = (self.state.lang(), self.state.revision);
            if !self.checks.as_ref().is_some_and(|c| c.is_current(revision, lang)) {
                self.checks = Some(checks_panel::ChecksView::compute(&self.state.project, revision, lang));
            }
            if let Some(view) = &self.checks {
                egui::Panel::right("checks").default_size(300.0).resizable(true).show(ui, |ui| {
                    checks_panel::show(ui, view, lang);
                });
            }
        }
        // While the code-rule window previews on the map, grids are labelled with their new codes.
        let preview = match &self.window {
            Some(Window::CodeRule(form)) if form.show_on_map => form.preview_codes(&self.state.project),
            _ => None,
        };
        egui::CentralPanel::default().frame(egui::Frame::NONE).show(ui, |ui| {
            let s = &mut self.state;
            s.cursor_in_world = canvas::show(ui, &mut s.view, &s.cache, &s.project, s.layers, preview.as_ref());
        });
        if let Some(window) = &mut self.window
            && !dialogs::show(&ctx, window, self.state.lang(), &self.state.project, self.state.revision, &mut actions)
        {
            self.window = None;
        }
        if let Some(message) = &self.error {
            let mut error_window = Window::Error(message.clone());
            let (lang, revision) = (self.state.lang(), self.state.revision);
            if !dialogs::show(&ctx, &mut error_window, lang, &self.state.project, revision, &mut actions) {
                self.error = None;
            }
        }
        if let Some(dialog) = &mut self.file_dialog {
            match dialog.show(&ctx, self.state.lang()) {
                Outcome::Pending => {}
                Outcome::Cancelled => self.file_dialog = None,
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

    fn shortcuts(&self, ctx: &Context, actions: &mut Vec<Action>) {
        ctx.input_mut(|i| {
            if i.consume_key(Modifiers::COMMAND, Key::S) {
                actions.push(Action::Save);
            }
            if i.consume_key(Modifiers::COMMAND, Key::O) {
                actions.push(Action::OpenDialog);
            }
        });
    }

    fn apply(&mut self, ctx: &Context, action: Action) {
        let result = self.try_apply(ctx, action);
        if let Err(e) = result {
            self.error = Some(format!("{e:#}"));
        }
    }

    fn try_apply(&mut self, ctx: &Context, action: Action) -> anyhow::Result<()> {
        let s = &mut self.state;
        match action {
            Action::OpenDialog => self.browse(Purpose::OpenProject),
            Action::OpenSample => {
                let project = load_sample()?;
                s.replace_project(project, None);
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
                self.window = Some(Window::Export(ExportForm { to, layer: Layer::Grids, gbk: false }));
            }
            Action::Save => match s.path.clone() {
                Some(path) => s.save_to(&path)?,
                None => self.browse(Purpose::SaveProjectAs),
            },
            Action::SaveAsDialog => self.browse(Purpose::SaveProjectAs),
            Action::Quit => ctx.send_viewport_cmd(ViewportCommand::Close),
            Action::RenameDialog => self.window = Some(Window::Rename(s.project.name.clone())),
            Action::Rename(name) if !name.is_empty() && name != s.project.name => {
                s.project.name = name;
                s.dirty = true;
                s.changed();
            }
            Action::Rename(_) => {}
            Action::ZoomToExtent => s.view.fit_pending = true,
            Action::ToggleLayersPanel => s.show_layers_panel = !s.show_layers_panel,
            Action::ToggleChecksPanel => s.show_checks_panel = !s.show_checks_panel,
            Action::SetLang(lang) => s.set_lang(lang),
            Action::ShowInfo => self.window = Some(Window::Info),
            Action::CodeRuleDialog => {
                let template = s
                    .project
                    .settings
                    .get(crate::core::codes::RULE_SETTING)
                    .cloned()
                    .unwrap_or_else(|| crate::core::codes::DEFAULT_RULE.to_string());
                self.window = Some(Window::CodeRule(code_rule_dialog::CodeRuleForm::new(template)));
            }
            Action::ApplyCodes => {
                if let Some(Window::CodeRule(form)) = &self.window
                    && let Some(changes) = form.changes()
                {
                    for c in changes {
                        if let Some(g) = s.project.grids.get_mut(&c.grid) {
                            g.code = c.new.clone();
                        }
                    }
                    s.project
                        .settings
                        .insert(crate::core::codes::RULE_SETTING.into(), form.template.trim().to_string());
                    s.dirty = true;
                    s.changed();
                    s.status = format!("{}: {}", s.t(Text::CodesApplied), changes.len());
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
                    let (src, target, crs, map) =
                        (PathBuf::from(form.src.trim()), form.target, form.crs.clone(), form.map.clone());
                    s.import(&src, target, &crs, &map)?;
                    self.window = None;
                }
            }
            Action::RunExport => {
                if let Some(Window::Export(form)) = &self.window {
                    let (to, layer, gbk) = (PathBuf::from(form.to.trim()), form.layer, form.gbk);
                    s.export(layer, &to, gbk)?;
                    self.window = None;
                }
            }
        }
        Ok(())
    }

    /// Asks for a file: the desktop's dialog where a portal answers, else the in-app one.
    fn browse(&mut self, purpose: Purpose) {
        let start = self.state.start_dir();
        match file_dialog::pick_native(purpose, &start) {
            Ok(Some(path)) => self.chosen(purpose, path),
            Ok(None) => {}
            Err(()) => self.file_dialog = Some(InAppDialog::new(purpose, &start)),
        }
    }

    fn chosen(&mut self, purpose: Purpose, path: PathBuf) {
        let result = match purpose {
            Purpose::OpenProject => self.state.open(&path),
            Purpose::SaveProjectAs => self.state.save_to(&with_extension(&path, "gpkg")),
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
        };
        if let Err(e) = result {
            self.error = Some(format!("{e:#}"));
        }
    }
}

fn with_extension(path: &Path, ext: &str) -> PathBuf {
    if path.extension().is_some() { path.to_path_buf() } else { path.with_extension(ext) }
}

impl eframe::App for WanggeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
    }
}

/// Opens the window on a project, or on the bundled 泾县 sample.
pub fn run(path: Option<PathBuf>) -> anyhow::Result<()> {
    let settings = Settings::load();
    let state = match &path {
        Some(p) => {
            let project = crate::io::open_project(p)?;
            AppState::new(project, Some(p.clone()), settings)
        }
        None => AppState::sample(settings)?,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(state.window_title())
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    eframe::run_native("wangge", options, Box::new(|_| Ok(Box::new(WanggeApp::new(state)))))
        .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
