//! The native window: eframe's `App` (a logic pass for the background work, then the frame, caught if it
//! panics so that the unsaved work goes to the recovery file) and [`run`], which opens it.

use std::path::PathBuf;

use eframe::egui::{self, Context};

use super::{AppState, Settings, WanggeApp, recovery};

impl eframe::App for WanggeApp {
    /// Work that is not drawing, once per pass before [`WanggeApp::frame`]: the recovery file.
    fn logic(&mut self, ctx: &Context, _frame: &mut eframe::Frame) {
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

/// Opens the window on a project, or on the bundled 泾县 sample.
pub fn run(path: Option<PathBuf>) -> anyhow::Result<()> {
    super::timing::start();
    let settings = Settings::load();
    let state = match &path {
        Some(p) => {
            let (project, stamp) = crate::io::open_project_stamped(p)?;
            super::timing::mark("project read");
            let mut state = AppState::new(project, Some(p.clone()), settings);
            super::timing::mark("caches built or started");
            state.doc.disk_stamp = stamp;
            state.remember_recent(p);
            state
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
    eframe::run_native(
        "wangge",
        options,
        Box::new(|_| {
            let mut app = WanggeApp::new(state);
            app.offer_recovery();
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
