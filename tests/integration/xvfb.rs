//! The real app under Xvfb, driven with the real mouse and keyboard (xdotool): the sample project is
//! opened, three grids are drawn (the second and third snapped onto the first), the project is saved
//! with Ctrl+S, and GDAL reads the three grids back — valid, matching edge for edge. A screenshot is
//! left in target/xvfb-three-grids.png to look at.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common::{debian_tool, path_str, run_ok};

/// Kills a child process when dropped, so a failing assertion leaves no Xvfb or app behind.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool").args(args).env("DISPLAY", display).output().expect("run xdotool");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn click(display: &str, x: i32, y: i32) {
    xdotool(display, &["mousemove", &x.to_string(), &y.to_string()]);
    sleep(Duration::from_millis(150));
    xdotool(display, &["click", "1"]);
    // Longer than egui's double-click time (0.3 s), with room for a slow frame on a busy machine, so
    // each click is a click of its own.
    sleep(Duration::from_millis(650));
}

fn key(display: &str, key: &str) {
    xdotool(display, &["key", key]);
    sleep(Duration::from_millis(400));
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Xvfb on a display of its own (`base` + the process id, so that tests running at once do not meet) and
/// the app opening `project` on it, until its window appears.
fn start_app(project: &Path, dir: &Path, base: u32) -> (String, Killed, Killed, String) {
    let display = format!(":{}", base + std::process::id() % 200);
    let xvfb = Killed(
        Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1400x900x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb"),
    );
    sleep(Duration::from_millis(800));
    let app = Killed(
        Command::new(env!("CARGO_BIN_EXE_wangge"))
            .args(["open", path_str(project)])
            .env("DISPLAY", &display)
            .env("WANGGE_NO_PORTAL", "1")
            .env("WANGGE_CONFIG_DIR", dir.join("config"))
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start wangge"),
    );
    let started = Instant::now();
    let window = loop {
        let found = xdotool(&display, &["search", "--name", "Wangge"]);
        if let Some(w) = found.lines().next() {
            break w.to_string();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the window did not appear");
        sleep(Duration::from_millis(300));
    };
    (display, xvfb, app, window)
}

#[test]
fn three_grids_drawn_with_the_real_mouse_are_saved_and_read_by_gdal() {
    if !(debian_tool("Xvfb") && debian_tool("xdotool") && debian_tool("ogr2ogr")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("jingxian.gpkg");
    std::fs::copy("sample-maps/jingxian.gpkg", &project).unwrap();
    let (display, _xvfb, _app, window) = start_app(&project, dir.path(), 60);
    // No window manager under Xvfb: give the window the keyboard focus ourselves, once the start-up
    // work (the sample's coverage check) is done.
    sleep(Duration::from_secs(4));
    let _ = &_app;
    xdotool(&display, &["windowfocus", "--sync", &window]);
    key(&display, "d");
    // Three squares inside the county (the window is 1280×800 at the screen's top-left): the second and
    // third reuse corners of the first, which snapping makes exactly the same points.
    let squares = [
        [(500, 330), (600, 330), (600, 430), (500, 430)],
        [(603, 332), (700, 330), (700, 430), (598, 428)],
        [(502, 428), (600, 432), (600, 530), (500, 530)],
    ];
    for square in squares {
        for (x, y) in square {
            click(&display, x, y);
        }
        key(&display, "Return");
    }
    let before = modified(&project);
    key(&display, "ctrl+s");
    let saved = Instant::now();
    while modified(&project) == before {
        assert!(saved.elapsed() < Duration::from_secs(20), "Ctrl+S did not save the project");
        sleep(Duration::from_millis(200));
    }
    sleep(Duration::from_millis(500));
    if Command::new("import").arg("-version").output().is_ok() {
        let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../xvfb-three-grids.png");
        let _ = Command::new("import").args(["-window", "root"]).arg(&shot).env("DISPLAY", &display).status();
    }

    // GDAL reads the grids back.
    let out = run_ok("ogr2ogr", &["-f", "GeoJSON", "/vsistdout/", path_str(&project), "grids"]);
    let geojson: geojson::FeatureCollection = out.parse().unwrap();
    assert_eq!(geojson.features.len(), 3, "three grids drawn and saved");
    let items: Vec<geo::MultiPolygon<f64>> = geojson
        .features
        .iter()
        .map(|f| {
            let g: geo::Geometry<f64> = f.geometry.clone().unwrap().try_into().unwrap();
            match g {
                geo::Geometry::MultiPolygon(mp) => mp,
                geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
                other => panic!("not a polygon: {other:?}"),
            }
        })
        .collect();
    let options = wangge::core::coverage::CoverageOptions::for_crs(&wangge::io::crs::crs_from_epsg(4548).unwrap());
    let report = wangge::core::coverage::Checker::new(items, None, Vec::new(), options).report();
    assert!(report.ok(), "the three grids share their edges exactly and do not overlap: {:?}", report.findings);
    let text = run_ok("ogrinfo", &["-ro", "-so", path_str(&project), "grids"]);
    assert!(text.contains("Feature Count: 3") && text.contains("CGCS2000"), "{text}");
}

/// Pixels of the screen (RGB) that `near` accepts, in a screenshot of `display` taken with
/// ImageMagick's `import`.
fn count_in_screenshot(display: &str, shot: &Path, near: impl Fn(&[u8]) -> bool) -> usize {
    let status = Command::new("import").args(["-window", "root"]).arg(shot).env("DISPLAY", display).status();
    assert!(status.is_ok_and(|s| s.success()), "import could not take a screenshot");
    let mut decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(shot).unwrap()));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.line_size / info.width as usize;
    assert!(channels >= 3, "{:?}", info.color_type);
    buf[..info.buffer_size()].chunks_exact(channels).filter(|px| near(&px[..3])).count()
}

/// Issue 14: an offline basemap (an MBTiles file of magenta tiles over 泾县, no network) is on the screen
/// of the real app under Xvfb, under the county, seen in a screenshot (left in
/// target/xvfb-basemap.png to look at).
#[test]
fn an_mbtiles_basemap_is_on_the_screen() {
    if !(debian_tool("Xvfb") && debian_tool("xdotool") && debian_tool("import")) {
        return;
    }
    use wangge::core::basemap::{BasemapSource, tile_at};
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("jingxian.gpkg");
    std::fs::copy("sample-maps/jingxian.gpkg", &project).unwrap();
    let magenta: [u8; 3] = [255, 0, 255];
    let png = crate::tile_files::png_tile(|_| magenta);
    let tiles = (6..=12).flat_map(|z| {
        let nw = tile_at(geo::Coord { x: 117.5, y: 31.2 }, z).unwrap();
        let se = tile_at(geo::Coord { x: 119.1, y: 30.0 }, z).unwrap();
        (nw.x..=se.x).flat_map(move |x| (nw.y..=se.y).map(move |y| wangge::core::basemap::TileId { z, x, y }))
    });
    let file = dir.path().join("影像.mbtiles");
    crate::tile_files::write_mbtiles(&file, &[("format", "png")], tiles.map(|t| (t, png.clone())));
    let mut source = BasemapSource::mbtiles("影像", "影像.mbtiles");
    (source.min_zoom, source.max_zoom) = (6, 12);
    wangge::io::gpkg::add_basemap(&project, &source, false).unwrap();

    let (display, _xvfb, _app, _window) = start_app(&project, dir.path(), 260);
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../xvfb-basemap.png");
    let started = Instant::now();
    let window_px = 1280 * 800;
    let (mut outside, mut shown) = (0, 0);
    while started.elapsed() < Duration::from_secs(60) {
        sleep(Duration::from_secs(1));
        // Around the county the tiles show as they are.
        outside = count_in_screenshot(&display, &shot, |px| px.iter().zip(magenta).all(|(a, b)| a.abs_diff(b) <= 8));
        // Inside it too, under the washes of the uncovered land (and grids): a planner draws on the imagery.
        shown = count_in_screenshot(&display, &shot, |px| px[0] > 200 && px[1] < 100 && px[2] > 200);
        if outside > window_px / 10 && shown > window_px * 35 / 100 {
            return;
        }
    }
    panic!("basemap pixels after 60 s: {outside} as they are, {shown} in all (the map is about 47 % of the window)");
}
