//! Long jobs in the app (issue 13, item 4): opening a project runs on a worker thread, the status bar
//! says what it is doing with a Cancel button, and Cancel leaves the open project as it was.

use egui_kittest::kittest::Queryable;
use wangge::app::{AppState, WanggeApp};

use crate::kittest::{App, click, harness_on, radio, settings_in, state_on_file, status, type_into, wait_for_job};

/// The sample open, with `here` (a saved project) in File › Recent projects.
fn sample_with_recent(dir: &std::path::Path, here: &std::path::Path) -> App {
    wangge::io::save_project(&crate::common::small_project(), here).unwrap();
    let mut settings = settings_in(dir);
    settings.remember(here);
    settings.save().unwrap();
    harness_on(AppState::sample(settings_in(dir)).unwrap())
}

fn open_recent(h: &mut App, name: &str) {
    click(h, "文件");
    click(h, "最近的项目");
    click(h, name);
}

#[test]
fn opening_shows_a_progress_line_and_cancel_leaves_the_open_project() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("here.gpkg");
    let mut h = sample_with_recent(dir.path(), &here);
    // Held before it starts reading, so that the line and Cancel are there whatever the machine's speed.
    h.state().job_gate.hold();
    open_recent(&mut h, "here.gpkg");
    assert!(h.state().job_running());
    h.get_by_label_contains("正在打开");
    click(&mut h, "取消");
    wait_for_job(&mut h);
    assert!(!h.state().job_running());
    assert!(h.query_by_label_contains("正在打开").is_none(), "the progress line stays after the job");
    assert_eq!(status(&h), "已取消，未做任何更改");
    let s: &WanggeApp = h.state();
    assert_eq!(s.state.doc.project.name, "泾县", "the sample is still open");
    assert_eq!(s.state.doc.path, None);
    assert!(s.state.doc.sample);
}

#[test]
fn an_open_that_is_let_run_makes_the_project_the_open_one() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("here.gpkg");
    let mut h = sample_with_recent(dir.path(), &here);
    h.state().job_gate.hold();
    open_recent(&mut h, "here.gpkg");
    h.get_by_label_contains("正在打开");
    h.get_by_label("取消");
    h.state().job_gate.release();
    wait_for_job(&mut h);
    assert!(h.query_by_label("取消").is_none());
    let s: &WanggeApp = h.state();
    assert_eq!(*s.state.doc.project, crate::common::small_project());
    assert_eq!(s.state.doc.path.as_deref(), Some(here.as_path()));
    assert!(!s.state.doc.sample && !s.state.doc.dirty);
    assert!(status(&h).contains("here.gpkg"), "{}", status(&h));
}

#[test]
fn an_open_that_fails_says_why_and_keeps_the_open_project() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("here.gpkg");
    let mut h = sample_with_recent(dir.path(), &here);
    std::fs::write(&here, b"not a geopackage at all").unwrap();
    open_recent(&mut h, "here.gpkg");
    wait_for_job(&mut h);
    h.get_by_label_contains("GeoPackage");
    assert_eq!(h.state().state.doc.project.name, "泾县");
}

/// Open to first frame at 100,000 grids, printed (by hand: `cargo test --test integration
/// first_frame_at_100k_grids -- --ignored --nocapture`; the goal is < 1 s in a release build).
#[test]
#[ignore]
fn first_frame_at_100k_grids() {
    use geo::Coord;
    use std::time::Instant;
    use wangge::core::coverage::synthetic::{grid_outline, jittered_grid};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.gpkg");
    let origin = Coord { x: 620_000.0, y: 3_385_000.0 };
    let mut project = wangge::core::Project::new("十万网格", wangge::io::crs::crs_from_epsg(4548).unwrap());
    project.boundary = grid_outline(317, 316, 100.0, origin);
    for geometry in jittered_grid(317, 316, 100.0, origin, 7) {
        project.add_grid(wangge::core::Grid::new(geometry));
    }
    wangge::io::save_project(&project, &path).unwrap();
    let start = Instant::now();
    let (project, stamp) = wangge::io::open_project_stamped(&path).unwrap();
    let read = start.elapsed();
    // What the workers build, one by one, to say where the time goes.
    let t = Instant::now();
    drop(wangge::app::map_cache::MapCache::build(&project));
    let cache = t.elapsed();
    let t = Instant::now();
    drop(wangge::core::edit::SpatialIndex::build(&project));
    let index = t.elapsed();
    let t = Instant::now();
    let options = wangge::core::coverage::CoverageOptions::for_project(&project);
    let (checker, _) = wangge::core::coverage::Checker::for_project(&project, options);
    drop(checker.report());
    let coverage = t.elapsed();
    eprintln!("alone: map cache {cache:?}, spatial index {index:?}, coverage check {coverage:?}");
    let start = Instant::now();
    let mut state = AppState::new(project, Some(path.clone()), settings_in(dir.path()));
    state.doc.disk_stamp = stamp;
    let prepared = start.elapsed();
    let mut h = egui_kittest::Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut WanggeApp| app.frame(ui), WanggeApp::new(state));
    h.step();
    let first = start.elapsed();
    h.step();
    let second = start.elapsed();
    let mut longest = std::time::Duration::ZERO;
    while h.state().state.caches_pending() {
        let frame = Instant::now();
        h.step();
        longest = longest.max(frame.elapsed());
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    eprintln!(
        "100,000 grids: read {read:?}, coarse map and workers started {prepared:?}, first frame {first:?}, \
         second frame {second:?}, caches landed {:?} (longest frame meanwhile {longest:?})",
        start.elapsed()
    );
    assert_eq!(h.state().state.doc.project.grids.len(), 317 * 316);
    // The same file through File › Recent, from the sample: read and cached on the worker thread,
    // while the window keeps drawing (the longest frame is what a user would feel).
    let mut settings = settings_in(dir.path());
    settings.remember(&path);
    settings.save().unwrap();
    let mut h = harness_on(AppState::sample(settings_in(dir.path())).unwrap());
    open_recent(&mut h, "big.gpkg");
    let start = Instant::now();
    let mut longest = std::time::Duration::ZERO;
    while h.state().job_running() {
        let frame = Instant::now();
        h.step();
        longest = longest.max(frame.elapsed());
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let opened = start.elapsed();
    let frame = Instant::now();
    h.step();
    eprintln!(
        "File › Recent: open on the worker {opened:?}, longest frame meanwhile {longest:?}, first frame after {:?}",
        frame.elapsed()
    );
    assert_eq!(h.state().state.doc.project.grids.len(), 317 * 316);
}

/// The app's Save after an edit writes only the grids its history touched (issue 13, item 3): a note
/// planted in another grid's row (with the file re-stamped, as if it had always been so) survives a
/// Save, and is put back by a Save As, which compares every row.
#[test]
fn save_after_an_edit_writes_only_the_edited_grids() {
    use wangge::core::edit::{Command, GridFields, StepKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    wangge::io::save_project(&crate::common::small_project(), &path).unwrap();
    let mut state = state_on_file(&path, dir.path());
    let mut fields = GridFields::of(&state.doc.project.grids[&1]);
    fields.name = "改名".into();
    state.apply_command(
        StepKind::Attributes,
        Command::SetFields { id: 1, fields: Box::new(fields) },
        "edit".to_string(),
    );
    assert_eq!(state.doc.since_save.as_ref().map(|c| c.grids.len()), Some(1));
    let marker = |path: &std::path::Path, set: bool| -> String {
        let conn = rusqlite::Connection::open(path).unwrap();
        if set {
            // Notes only: the R-tree triggers that name GeoPackage's functions do not fire.
            for name in ["ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"] {
                let flags = rusqlite::functions::FunctionFlags::SQLITE_UTF8;
                conn.create_scalar_function(name, 1, flags, |_| -> rusqlite::Result<i64> { unreachable!() }).unwrap();
            }
            conn.execute("UPDATE grids SET notes = 'marker' WHERE fid = 2", []).unwrap();
        }
        conn.query_row("SELECT notes FROM grids WHERE fid = 2", [], |r| r.get(0)).unwrap()
    };
    marker(&path, true);
    state.doc.disk_stamp = wangge::io::FileStamp::read(&path).unwrap();
    state.save_to(&path).unwrap();
    assert_eq!(marker(&path, false), "marker", "a grid the edit did not touch was rewritten");
    assert_eq!(wangge::io::open_project(&path).unwrap().grids[&1].name, "改名");
    assert_eq!(state.doc.since_save.as_ref().map(|c| c.grids.len()), Some(0));
    // Undo is an edit of the same grid, saved the same way.
    state.undo();
    state.save_to(&path).unwrap();
    assert_eq!(wangge::io::open_project(&path).unwrap().grids[&1].name, crate::common::small_project().grids[&1].name);
    assert_eq!(marker(&path, false), "marker");
    // Save As to another file compares every row.
    let other = dir.path().join("other.gpkg");
    std::fs::copy(&path, &other).unwrap();
    state.save_to(&other).unwrap();
    assert_eq!(marker(&other, false), "");
}

/// The app on `small_project`, saved at `dir/p.gpkg` and opened from there.
fn small_project_open(dir: &std::path::Path) -> App {
    let path = dir.join("p.gpkg");
    wangge::io::save_project(&crate::common::small_project(), &path).unwrap();
    let mut state = AppState::new(crate::common::small_project(), None, settings_in(dir));
    state.open(&path).unwrap();
    harness_on(state)
}

#[test]
fn an_import_shows_its_progress_cancel_leaves_the_project_unchanged_and_a_second_try_lands() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = small_project_open(dir.path());
    let before = h.state().state.doc.project.clone();
    let src = dir.path().join("square.geojson");
    crate::common::square_geojson(&src, 4548, (620_500.0, 3_385_200.0), 100.0, "{}");
    h.state().job_gate.hold();
    click(&mut h, "文件");
    click(&mut h, "导入图层… ");
    type_into(&mut h, "源文件", src.to_str().unwrap());
    radio(&mut h, "网格");
    click(&mut h, "确定");
    // Read on the worker: the status bar says so, with Cancel; the window keeps drawing.
    assert!(h.state().job_running());
    h.get_by_label_contains("正在读取");
    click(&mut h, "取消");
    wait_for_job(&mut h);
    assert_eq!(status(&h), "已取消，未做任何更改");
    let s = &h.state().state;
    assert_eq!(s.doc.project, before, "a cancelled import changed the project");
    assert!(!s.doc.dirty && !s.doc.history.can_undo());
    // The form comes back as it was filled in; this time the import runs to the end.
    assert_eq!(h.get_by_label("源文件").value().as_deref(), src.to_str());
    h.state().job_gate.release();
    click(&mut h, "确定");
    wait_for_job(&mut h);
    assert!(status(&h).starts_with("已导入: 1 × 网格"), "{}", status(&h));
    assert_eq!(h.state().state.doc.project.grids.len(), before.grids.len() + 1);
    assert!(h.query_by_label("源文件").is_none(), "the form closed");
}

#[test]
fn export_shows_its_progress_and_a_cancelled_one_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = small_project_open(dir.path());
    let out = dir.path().join("grids.geojson");
    h.state().job_gate.hold();
    click(&mut h, "文件");
    click(&mut h, "导出图层… ");
    type_into(&mut h, "输出文件（.gpkg .geojson .shp .csv .xlsx）", out.to_str().unwrap());
    click(&mut h, "确定");
    h.get_by_label_contains("正在写出");
    // The status bar's Cancel (the form, still open, has one too: drawn later, on top).
    h.query_all_by_label("取消").next().unwrap().click();
    h.run();
    wait_for_job(&mut h);
    assert_eq!(status(&h), "已取消导出，未写完的文件已删除");
    assert!(!out.exists(), "a cancelled export left its file");
    // The form is still there: OK again, let run.
    h.state().job_gate.release();
    click(&mut h, "确定");
    wait_for_job(&mut h);
    assert_eq!(status(&h), format!("已导出: 2 → {}", out.display()));
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(written["features"].as_array().map(Vec::len), Some(2));
    assert!(h.query_by_label("确定").is_none(), "the form closed");
}

#[test]
fn save_as_shows_its_progress_and_the_saved_file_becomes_the_projects() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = small_project_open(dir.path());
    h.state().job_gate.hold();
    click(&mut h, "文件");
    click(&mut h, "另存为… ");
    type_into(&mut h, "路径", dir.path().to_str().unwrap());
    type_into(&mut h, "文件名", "副本");
    click(&mut h, "保存");
    h.get_by_label_contains("正在保存");
    h.get_by_label("取消");
    let copy = dir.path().join("副本.gpkg");
    h.state().job_gate.release();
    wait_for_job(&mut h);
    assert!(status(&h).starts_with("已保存"), "{}", status(&h));
    let s = &h.state().state;
    assert_eq!(s.doc.path.as_deref(), Some(copy.as_path()));
    assert!(!s.doc.dirty);
    assert_eq!(wangge::io::open_project(&copy).unwrap(), *s.doc.project);
}

/// Save As takes the project's basemaps along (they live in the file, not in the model): an MBTiles path
/// relative to the old folder still finds the same file from the new one, a source switched off in the
/// layers panel stays off, and a Save As into the same folder keeps the path relative.
#[test]
fn save_as_takes_the_basemaps_along() {
    use wangge::core::basemap::BasemapSource;
    use wangge::io::gpkg::{add_basemap, list_basemaps};
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    let old = dir.path().join("a/p.gpkg");
    wangge::io::save_project(&crate::common::small_project(), &old).unwrap();
    std::fs::write(dir.path().join("a/影像.mbtiles"), b"tiles").unwrap();
    add_basemap(&old, &BasemapSource::mbtiles("影像", "影像.mbtiles"), false).unwrap();
    let osm = BasemapSource::xyz("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png").unwrap();
    add_basemap(&old, &osm, false).unwrap();
    let mut state = state_on_file(&old, dir.path());
    state.ui.view.basemaps.layers[1].on = false;

    let moved = dir.path().join("b/q.gpkg");
    state.save_to(&moved).unwrap();
    let sources = list_basemaps(&moved).unwrap();
    assert_eq!(sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["影像", "osm"]);
    let mut mbtiles = sources[0].clone();
    let stored = std::path::PathBuf::from(mbtiles.local_file_mut().unwrap().clone());
    assert!(stored.is_absolute(), "{stored:?}");
    assert_eq!(std::fs::read(&stored).unwrap(), b"tiles");
    assert_eq!(sources[1], osm);
    let layers = &state.ui.view.basemaps.layers;
    assert_eq!((layers.len(), layers[0].on, layers[1].on), (2, true, false));

    // Into the old folder again: the file lies inside it, so the path is relative again.
    let back = dir.path().join("a/r.gpkg");
    state.save_to(&back).unwrap();
    let mut again = list_basemaps(&back).unwrap()[0].clone();
    assert_eq!(again.local_file_mut().unwrap().as_str(), "影像.mbtiles");
    // The old file keeps its own.
    assert_eq!(list_basemaps(&old).unwrap().len(), 2);
}
