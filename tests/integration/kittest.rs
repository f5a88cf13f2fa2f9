//! What every kittest of the app needs: the app in a 1280 × 800 harness (on a state, on a project, on
//! the sample), a click on a labelled widget, text typed into a field, a real click at a window position,
//! and the status line as text.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use wangge::app::{AppState, Settings, WanggeApp};
use wangge::core::Project;

pub type App = Harness<'static, WanggeApp>;

/// The settings file of a test: in its own temporary folder, never the user's.
pub fn settings_in(dir: &std::path::Path) -> Settings {
    Settings::load_from(Some(dir.join("settings.txt")))
}

fn harness(state: AppState, max_steps: u64) -> App {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .with_max_steps(max_steps)
        .build_ui_state(|ui, app: &mut WanggeApp| app.frame(ui), WanggeApp::new(state))
}

pub fn harness_on(state: AppState) -> App {
    // A job that ends during `run` (an import, the caches built after the first frame) asks for a few
    // more frames than egui's default of 4 to settle: how many depends on the machine's load.
    let mut h = harness(state, 32);
    h.run();
    h
}

/// The app on `state`, not settled as by [`harness_on`]: tiles arriving ask for repaints, so with a
/// basemap the frames settle only once all are in.
pub fn harness_unsettled(state: AppState) -> App {
    harness(state, 1000)
}

/// One frame, which must not wait for the network or the disk.
pub fn quick_step(h: &mut App) {
    let start = std::time::Instant::now();
    h.step();
    assert!(start.elapsed() < std::time::Duration::from_millis(800), "a frame took {:?}", start.elapsed());
}

/// Quick frames until the basemap tiles asked for have all landed as textures; panics after `secs`
/// seconds, saying `what` of the tiles' source.
pub fn until_tiles_landed(h: &mut App, secs: u64, what: impl Fn() -> String) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        quick_step(h);
        let b = &h.state().state.ui.view.basemaps;
        if b.textures() > 0 && b.pending() == 0 {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "no tiles after {secs} s: {}", what());
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The app's state on the project file at `path` as it is on disk (stamped, so the app tells its own
/// saves from another program's), with its settings in `dir`.
pub fn state_on_file(path: &std::path::Path, dir: &std::path::Path) -> AppState {
    let (project, stamp) = wangge::io::open_project_stamped(path).unwrap();
    let mut state = AppState::new(project, Some(path.to_path_buf()), settings_in(dir));
    state.doc.disk_stamp = stamp;
    state
}

/// The app on a project that was never saved, with its settings in `dir`.
pub fn harness_on_project(project: Project, dir: &tempfile::TempDir) -> App {
    harness_on(AppState::new(project, None, settings_in(dir.path())))
}

/// The app on the bundled sample, with its settings in `dir`.
pub fn sample_harness(dir: &tempfile::TempDir) -> App {
    harness_on(AppState::sample(settings_in(dir.path())).unwrap())
}

/// A click on the widget labelled `label`, and the frames it causes.
pub fn click(h: &mut App, label: &str) {
    h.get_by_label(label).click();
    h.run();
}

/// Replaces the text of the field labelled `label` with `text`.
pub fn type_into(h: &mut App, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

/// A click on the form's radio button labelled `label` (a checkbox or menu of the same name may exist
/// elsewhere), and the frames it causes.
pub fn radio(h: &mut App, label: &str) {
    h.query_all_by_label(label)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::RadioButton)
        .expect("the form's radio button")
        .click();
    h.run();
}

/// The primary button pressed (or released) at `pos`, and the frames it causes.
pub fn press(h: &mut App, pos: egui::Pos2, pressed: bool) {
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    });
    h.run();
}

/// A press and release of the primary button at `pos`, as a mouse does it.
pub fn click_at(h: &mut App, pos: egui::Pos2) {
    h.hover_at(pos);
    h.run();
    press(h, pos, true);
    press(h, pos, false);
    // Past egui's double-click time, so the next click is a click of its own.
    h.run_steps(30);
}

pub fn status(h: &App) -> String {
    h.state().state.ui.status.to_string()
}

/// Runs frames until the app's long job (an open on its worker thread) has ended and its outcome is
/// taken; panics after 60 s.
pub fn wait_for_job(h: &mut App) {
    let start = std::time::Instant::now();
    while h.state().job_running() {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "the job did not end");
        std::thread::sleep(std::time::Duration::from_millis(5));
        h.step();
    }
    h.run();
}
