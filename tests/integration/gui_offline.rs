//! View › 离线工作 (issue 14): with the switch on, no basemap request leaves the machine — a tile not in
//! the cache is said to be missing, once — and turning it off fetches the tiles; the choice is remembered
//! in the settings file.

use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use wangge::text::{Lang, Settings};

use super::gui_basemap::app_with_basemap;
use super::kittest::{App, click, settings_in, status};
use super::tile_server::TileServer;

fn frames_for(h: &mut App, time: Duration, done: impl Fn(&App) -> bool) -> bool {
    let deadline = Instant::now() + time;
    while Instant::now() < deadline {
        h.step();
        if done(h) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

#[test]
fn working_offline_asks_nothing_of_the_network_until_turned_off() {
    let server = TileServer::start();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = settings_in(dir.path());
    settings.offline = true;
    settings.save().unwrap();
    let mut h = app_with_basemap(&dir, &server.url("/xyz/{z}/{x}/{y}.png"));

    // Offline, with an empty cache: nothing asked of the server, and the status bar says why.
    let said = frames_for(&mut h, Duration::from_secs(20), |h| status(h).contains("缓存中没有"));
    assert!(said, "status: {}", status(&h));
    frames_for(&mut h, Duration::from_millis(300), |_| false);
    assert_eq!(server.requests(), Vec::<String>::new());
    assert_eq!(h.state().state.ui.view.basemaps.textures(), 0);

    // View › 离线工作 again: online, the tiles come.
    click(&mut h, "视图");
    h.get_by_label(&wangge::text::basemap::offline_menu(Lang::Zh)).click();
    let arrived = frames_for(&mut h, Duration::from_secs(30), |h| h.state().state.ui.view.basemaps.textures() > 0);
    assert!(arrived, "no tiles online: {} asked, status {}", server.requests().len(), status(&h));
    assert!(!h.state().state.settings.offline);
    assert!(!Settings::load_from(settings.file.clone()).offline, "the choice is not remembered");
    server.shut_down();
}
