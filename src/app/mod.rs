//! The eframe application — the only module that uses egui. The UI code returns [`Action`]s; the app
//! applies them in [`WanggeApp::apply`], where every error is handled once (shown in a window).

mod action;
mod apply;
mod attributes;
mod background;
pub mod basemap;
mod canvas;
mod checks_panel;
mod code_rule_dialog;
mod coverage_panel;
pub mod database;
mod database_windows;
mod dialogs;
mod editing;
mod file_dialog;
mod files;
mod find;
mod fonts;
mod frame;
mod jobs;
mod legend;
pub mod level_of_detail;
mod live_coverage;
mod long_jobs;
pub mod map_cache;
pub mod new_project;
mod panels;
mod partition_tool;
mod print_dialog;
mod recovery;
pub mod reference_layers;
mod state;
mod timing;
mod toolbar;
mod window;

use crate::text::Lang;
pub use crate::text::Settings;
use crate::text::status::StatusLine;
pub use action::Action;
use dialogs::{ImportForm, Window};
use file_dialog::InAppDialog;
pub use state::{AppState, load_sample};
pub use window::run;

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
    checks: checks_panel::Checks,
    /// The attribute form of the selected grid, or of the fields several selected grids share.
    form: Option<attributes::Form>,
    /// Set once the user chose to close without saving.
    allow_close: bool,
    /// An import that would replace what the project has, waiting for the user's answer, with its form.
    pending_import: Option<(Box<jobs::ReadImport>, ImportForm)>,
    /// The search box and the grid list beside the layer tree.
    find: find::FindPanel,
    /// What to do once the Save As asked for by "save first" has saved.
    after_save: Option<Action>,
    /// Actions to apply in the next frame (those that follow a file chooser's answer).
    queued: Vec<Action>,
    /// Set while applying an action the user already allowed to drop unsaved changes.
    unsaved_ok: bool,
    /// A long job (open, import, export, print, Save As) running on its worker thread, shown in the
    /// status bar with Cancel.
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
            checks: Default::default(),
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
}
