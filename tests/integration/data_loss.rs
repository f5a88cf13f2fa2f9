//! No work lost without a word: an import that would replace a layer needs `--replace` (and leaves the
//! project byte for byte as it was without it); the commands that load and save a project in one run
//! refuse to save over a file another program changed in between.

use std::path::Path;

use crate::common::{path_str, small_project, stderr, stdout, wangge};
use wangge::io::save_project;

/// A GeoJSON square of `size_deg` degrees at 118.40°E 30.60°N, in CGCS2000 lon/lat.
fn square_geojson(path: &Path, size_deg: f64, properties: &str) {
    crate::common::square_geojson(path, 4490, (118.40, 30.60), size_deg, properties);
}

fn boundary_km2(project: &Path) -> f64 {
    let info = stdout(&wangge(&["info", path_str(project), "--lang", "en"]));
    info.split("boundary area: ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn importing_over_a_boundary_needs_replace_and_leaves_the_project_untouched_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.gpkg");
    let (small, big) = (dir.path().join("small.geojson"), dir.path().join("big.geojson"));
    square_geojson(&small, 0.01, "{}");
    square_geojson(&big, 0.02, "{}");
    let out = wangge(&["import", path_str(&small), "--into", path_str(&project), "--as", "boundary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first_km2 = boundary_km2(&project);
    assert!((1.0..1.3).contains(&first_km2), "{first_km2}");
    // The same outline again replaces nothing: no question.
    let out = wangge(&["import", path_str(&small), "--into", path_str(&project), "--as", "boundary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(&project).unwrap();
    let out = wangge(&["import", path_str(&big), "--into", path_str(&project), "--as", "boundary", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("big.geojson")
            && err.contains("would replace the project's boundary (1 polygon, 1.1 km²)")
            && err.contains("add --replace"),
        "{err}"
    );
    assert_eq!(std::fs::read(&project).unwrap(), before, "the project is untouched byte for byte");
    let out = wangge(&["import", path_str(&big), "--into", path_str(&project), "--as", "boundary", "--replace"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let km2 = boundary_km2(&project);
    assert!((km2 / first_km2 - 4.0).abs() < 0.01, "replaced by the 4× larger outline: {first_km2} → {km2}");
}

#[test]
fn importing_divisions_that_change_existing_ones_needs_replace() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.gpkg");
    save_project(&small_project(), &project).unwrap();
    // New villages only: added without a question.
    let new = dir.path().join("new.csv");
    std::fs::write(&new, "code,name,parent_code\n341823100202,新村村委会,341823100\n").unwrap();
    let out = wangge(&["import", path_str(&new), "--into", path_str(&project), "--as", "divisions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A village polygon for a village listed without one: it gains a polygon, loses nothing.
    let polygon = dir.path().join("village.geojson");
    square_geojson(&polygon, 0.005, r#"{"code":"341823100201","name":"双坑村委会"}"#);
    let out = wangge(&["import", path_str(&polygon), "--into", path_str(&project), "--as", "divisions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The list again, with one village renamed: that would replace two records (the renamed one, and
    // the one whose polygon the list does not have).
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        "code,name,parent_code\n341823100,泾川镇,341823\n341823100001,城南社区,341823100\n341823100201,双坑村委会,341823100\n",
    )
    .unwrap();
    let before = std::fs::read(&project).unwrap();
    let out = wangge(&["import", path_str(&list), "--into", path_str(&project), "--as", "divisions", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("list.csv")
            && err.contains("would replace 2 of the project's 4 divisions")
            && err.contains("341823100001 城南居委会, 341823100201 双坑村委会")
            && err.contains("add --replace"),
        "{err}"
    );
    assert_eq!(std::fs::read(&project).unwrap(), before, "the project is untouched byte for byte");
    let out = wangge(&["import", path_str(&list), "--into", path_str(&project), "--as", "divisions", "--replace"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let p = wangge::io::open_project(&project).unwrap();
    assert_eq!(p.divisions["341823100001"].name, "城南社区");
    assert!(p.divisions["341823100201"].polygon.is_none(), "replaced as asked");
    assert_eq!(p.divisions.len(), 4, "divisions the file does not name are kept");
}

#[test]
fn grids_and_households_are_added_without_replace() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.gpkg");
    save_project(&small_project(), &project).unwrap();
    let grids = dir.path().join("g.geojson");
    square_geojson(&grids, 0.001, r#"{"code":"341823100001009"}"#);
    let points = dir.path().join("hh.csv");
    std::fs::write(&points, "lon,lat,households\n118.4,30.6,2\n").unwrap();
    for _ in 0..2 {
        let out = wangge(&["import", path_str(&grids), "--into", path_str(&project), "--as", "grids"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = wangge(&["import", path_str(&points), "--into", path_str(&project), "--as", "households"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let p = wangge::io::open_project(&project).unwrap();
    let before = small_project();
    assert_eq!((p.grids.len(), p.households.len()), (before.grids.len() + 2, before.households.len() + 2));
}

/// Stops an export after `after` features, as the app's Cancel does.
struct CancelAfter {
    after: u64,
    done: std::sync::atomic::AtomicU64,
}

impl wangge::core::progress::Progress for CancelAfter {
    fn begin(&self, _stage: wangge::core::progress::Stage, _total: u64) {}
    fn advance(&self, steps: u64) {
        self.done.fetch_add(steps, std::sync::atomic::Ordering::Relaxed);
    }
    fn is_cancelled(&self) -> bool {
        self.done.load(std::sync::atomic::Ordering::Relaxed) >= self.after
    }
}

/// An export over a file that exists, cancelled half-way (or failing), leaves the old file whole and no
/// half-written or temporary file beside it; a finished one replaces it, every part of a shapefile too.
#[test]
fn a_cancelled_export_leaves_the_file_that_was_there() {
    use wangge::io::export::{Layer, export, export_with};
    let dir = tempfile::tempdir().unwrap();
    let mut project = wangge::app::load_sample().unwrap();
    wangge::core::coverage::synthetic::fill_with_grids(&mut project, 5_000.0);
    assert!(project.grids.len() > 20);
    for name in ["grids.geojson", "grids.csv", "grids.shp"] {
        let to = dir.path().join(name);
        let old = b"the planner's earlier export".to_vec();
        std::fs::write(&to, &old).unwrap();
        let cancel = CancelAfter { after: 5, done: Default::default() };
        let e = export_with(&project, Layer::Grids, &to, encoding_rs::UTF_8, &cancel).unwrap_err();
        assert!(matches!(*e.problem, wangge::io::Problem::Cancelled(_)), "{name}: {e}");
        assert_eq!(e.path, to, "the error names the file asked for");
        assert_eq!(std::fs::read(&to).unwrap(), old, "{name}: the old file is whole");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.iter().all(|f| !f.to_string_lossy().contains("partial")), "{name}: {left:?}");
        let n = export(&project, Layer::Grids, &to, encoding_rs::UTF_8).unwrap();
        assert_eq!(n, project.grids.len());
        assert_ne!(std::fs::read(&to).unwrap(), old, "{name}: a finished export replaces it");
    }
    assert!(dir.path().join("grids.dbf").exists() && dir.path().join("grids.shx").exists());
}
