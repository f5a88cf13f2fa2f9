//! The native window: eframe's `App` (a logic pass for the background work, then the frame, caught if it
//! panics so that the unsaved work goes to the recovery file) and [`run`], which opens it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use eframe::egui::{self, Context};

use super::background::CacheOptions;
use super::{AppState, Settings, WanggeApp, fonts, recovery};

impl eframe::App for WanggeApp {
    /// Work that is not drawing, once per pass before [`WanggeApp::frame`]: the recovery file.
    fn logic(&mut self, ctx: &Context, _frame: &mut eframe::Frame) {
        // Once the first frame is on screen, a large project's caches may be built (see `run`).
        if ctx.cumulative_pass_nr() >= 1 {
            self.state.caches.gate.release();
        }
        self.autosave(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        // A bug must not lose work: a panic in a frame writes the unsaved project to the recovery file
        // (offered at the next start) and ends the app with exit status 70, like the command line.
        let painted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.frame(ui)));
        if let Err(payload) = painted {
            let message = crate::guard::panic_message(payload.as_ref());
            let s = &self.state;
            recovery::save_after_panic(
                &s.doc.project,
                s.doc.path.as_deref(),
                s.doc.disk_stamp.as_ref(),
                s.doc.dirty,
                &message,
            );
            std::process::exit(i32::from(crate::guard::EXIT_INTERNAL_ERROR));
        }
    }
}

/// Opens the window on a project, or on the bundled 泾县 sample. The project is read, and its coarse map
/// made, on a thread while the window opens; the workers building its other caches start once the first
/// frame is on screen (on two cores they would slow it down). A project that cannot be read is said as
/// before, the window closing at once.
pub fn run(path: Option<PathBuf>) -> anyhow::Result<()> {
    super::timing::start();
    let settings = Settings::load();
    let loading = std::thread::Builder::new().name("wangge-load".into()).spawn(move || match &path {
        Some(p) if crate::io::postgis::is_db_path(p) => super::database::open_at_start(p, settings),
        Some(p) => {
            let (project, stamp) = crate::io::open_project_stamped(p)?;
            super::timing::mark("project read");
            let caches = CacheOptions::default();
            caches.gate.hold();
            let mut state = AppState::new_with(project, Some(p.clone()), settings, caches);
            super::timing::mark("coarse map made, workers waiting");
            state.doc.disk_stamp = stamp;
            state.remember_recent(p);
            Ok((state, None))
        }
        None => AppState::sample(settings).map(|state| (state, None)),
    })?;
    let failed: Arc<Mutex<Option<anyhow::Error>>> = Arc::default();
    let failure = Arc::clone(&failed);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("网格 Wangge")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0]),
        ..Default::default()
    };
    let opened = eframe::run_native(
        "wangge",
        options,
        Box::new(move |cc| {
            // Before the first frame, so that it shows Chinese text already.
            fonts::install(&cc.egui_ctx);
            super::timing::mark("window open");
            let (state, asking) = match loading.join() {
                Ok(Ok(loaded)) => loaded,
                Ok(Err(e)) => {
                    let message = format!("{e:#}");
                    if let Ok(mut slot) = failure.lock() {
                        *slot = Some(e);
                    }
                    return Err(message.into());
                }
                Err(_) => return Err("the thread reading the project failed".into()),
            };
            let mut app = WanggeApp::new(state);
            app.fonts_installed = true;
            app.offer_recovery();
            // A database project whose server wants a password: its form, with the address.
            if let Some(form) = asking {
                app.window = Some(super::dialogs::Window::OpenDatabase(form));
            }
            Ok(Box::new(app))
        }),
    );
    if let Some(e) = failed.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(e);
    }
    opened.map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
