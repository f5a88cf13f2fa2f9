//! The project's basemaps in the app (issue 14), against a tile server on the loopback address started
//! by each test: tiles are asked for without stopping a frame and become textures drawn under the grids;
//! the layers panel turns a basemap off; a dead server leaves the app responsive and says so once.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use wangge::app::AppState;
use wangge::core::basemap::BasemapSource;
use wangge::io::gpkg::add_basemap;
use wangge::io::{open_project, save_project};

use super::common::small_project;
use super::kittest::{App, click, harness_unsettled, quick_step, settings_in, status, until_tiles_landed};
use super::tile_server::TileServer;

/// The small project saved in `dir` with one XYZ basemap at `url`, open in the app (with the settings
/// in `dir`).
pub(crate) fn app_with_basemap(dir: &tempfile::TempDir, url: &str) -> App {
    let path: PathBuf = dir.path().join("p.gpkg");
    save_project(&small_project(), &path).unwrap();
    add_basemap(&path, &BasemapSource::xyz("测试底图", url).unwrap(), false).unwrap();
    let project = open_project(&path).unwrap();
    harness_unsettled(AppState::new(project, Some(path), settings_in(dir.path())))
}

#[test]
fn basemap_tiles_arrive_as_textures_and_switching_off_stops_drawing() {
    let server = TileServer::start();
    let mut h = app_with_basemap(&tempfile::tempdir().unwrap(), &server.url("/xyz/{z}/{x}/{y}.png"));
    until_tiles_landed(&mut h, 30, || format!("{} asked", server.requests().len()));
    h.run();
    let asked = server.requests();
    assert!(!asked.is_empty() && asked.iter().all(|r| r.starts_with("/xyz/")), "{asked:?}");
    let b = &h.state().state.ui.view.basemaps;
    assert_eq!(b.layers.len(), 1);
    assert!(b.drawn() > 0);
    // Once there, a tile is not asked for again.
    let before = server.requests().len();
    for _ in 0..5 {
        quick_step(&mut h);
    }
    assert_eq!(server.requests().len(), before);

    // The layers panel lists it; its checkbox turns it off, and nothing of it is drawn.
    click(&mut h, "测试底图");
    let b = &h.state().state.ui.view.basemaps;
    assert!(!b.layers[0].on);
    assert_eq!(b.drawn(), 0);
    click(&mut h, "测试底图");
    assert!(h.state().state.ui.view.basemaps.drawn() > 0);
    server.shut_down();
}

#[test]
fn basemap_dead_server_leaves_the_app_responsive_and_is_said_once() {
    let server = TileServer::start();
    let url = server.url("/xyz/{z}/{x}/{y}.png");
    server.shut_down();
    let mut h = app_with_basemap(&tempfile::tempdir().unwrap(), &url);
    let start = Instant::now();
    let mut frames = 0;
    while start.elapsed() < Duration::from_secs(3) {
        quick_step(&mut h);
        frames += 1;
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(frames > 20, "only {frames} frames in 3 s");
    let b = &h.state().state.ui.view.basemaps;
    assert_eq!(b.textures(), 0);
    assert_eq!(b.drawn(), 0);
    let said = status(&h);
    assert!(said.contains("测试底图") && said.contains("无法连接"), "{said}");
    // Said once: a later message is not overwritten by the next failed tile.
    h.state_mut().state.say(|_| "别的事".into());
    for _ in 0..5 {
        quick_step(&mut h);
    }
    assert_eq!(status(&h), "别的事");
}

#[test]
fn basemap_missing_tianditu_key_is_said_and_a_key_set_later_brings_the_tiles() {
    let server = TileServer::start();
    // A `{tk}` source: the key written into the URL is taken out, and the app has none.
    let mut h = app_with_basemap(&tempfile::tempdir().unwrap(), &server.url("/tdt/{z}/{x}/{y}.png?tk=secret"));
    for _ in 0..10 {
        quick_step(&mut h);
    }
    let said = status(&h);
    assert!(said.contains("天地图需要密钥"), "{said}");
    assert!(server.requests().is_empty(), "asked without a key: {:?}", server.requests());
    // The layers panel offers the key's field.
    h.get_by_label("天地图密钥 (tk)");
    h.state_mut().state.ui.view.basemaps.set_key(Some("good".into()));
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.state().state.ui.view.basemaps.textures() == 0 {
        assert!(Instant::now() < deadline, "no tiles with the key: {:?}", server.requests());
        quick_step(&mut h);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(server.requests().iter().all(|r| r.starts_with("/tdt/") && r.ends_with("tk=good")));
    server.shut_down();
}

#[test]
fn basemap_a_missing_tile_is_drawn_from_its_loaded_ancestor() {
    let server = TileServer::start();
    let mut h = app_with_basemap(&tempfile::tempdir().unwrap(), &server.url("/xyz/{z}/{x}/{y}.png"));
    until_tiles_landed(&mut h, 30, || "the server is on".into());
    let (loaded, drawn, zoom) = {
        let b = &h.state().state.ui.view.basemaps;
        (b.textures(), b.drawn(), b.layers[0].zoom)
    };
    // With the server gone, zoomed in twice over: the new zoom's tiles never come, their ancestors show.
    server.shut_down();
    h.state_mut().state.ui.view.viewport.world_per_px /= 4.0;
    for _ in 0..20 {
        quick_step(&mut h);
        std::thread::sleep(Duration::from_millis(10));
    }
    let b = &h.state().state.ui.view.basemaps;
    assert_eq!(b.layers[0].zoom, zoom + 2);
    assert_eq!(b.textures(), loaded, "nothing new can have come");
    assert!(b.drawn() > 0, "nothing drawn from the ancestors (was {drawn})");
}
