//! The real app under Xvfb, driven with the real mouse and keyboard (xdotool): the sample project is
//! opened, three grids are drawn (the second and third snapped onto the first), the project is saved
//! with Ctrl+S, and GDAL reads the three grids back — valid, matching edge for edge. A screenshot is
//! left in target/xvfb-three-grids.png to look at.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::common::{debian_tool, path_str};

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

#[test]
fn three_grids_drawn_with_the_real_mouse_are_saved_and_read_by_gdal() {
    if !(debian_tool("Xvfb") && debian_tool("xdotool") && debian_tool("ogr2ogr")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("jingxian.gpkg");
    std::fs::copy("sample-maps/jingxian.gpkg", &project).unwrap();
    let display = format!(":{}", 60 + std::process::id() % 200);
    let _xvfb = Killed(
        Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1400x900x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb"),
    );
    sleep(Duration::from_millis(800));
    let _app = Killed(
        Command::new(env!("CARGO_BIN_EXE_wangge"))
            .args(["open", path_str(&project)])
            .env("DISPLAY", &display)
            .env("WANGGE_NO_PORTAL", "1")
            .env("WANGGE_CONFIG_DIR", dir.path().join("config"))
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
    // No window manager under Xvfb: give the window the keyboard focus ourselves, once the start-up
    // work (the sample's coverage check) is done.
    sleep(Duration::from_secs(4));
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
    let out = Command::new("ogr2ogr")
        .args(["-f", "GeoJSON", "/vsistdout/", path_str(&project), "grids"])
        .output()
        .expect("run ogr2ogr");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let geojson: geojson::FeatureCollection = String::from_utf8_lossy(&out.stdout).parse().unwrap();
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
    let ogrinfo = Command::new("ogrinfo").args(["-ro", "-so", path_str(&project), "grids"]).output().unwrap();
    let text = String::from_utf8_lossy(&ogrinfo.stdout);
    assert!(text.contains("Feature Count: 3") && text.contains("CGCS2000"), "{text}");
}
