//! GDAL must read what we write: every project layer with its CRS, attributes and Chinese text, and our
//! Shapefiles in UTF-8 and GBK; every GeoPackage we write passes GDAL's own validator. Also: we read GBK
//! Shapefiles written by GDAL.

use std::path::{Path, PathBuf};
use std::process::Command;

use geo::polygon;
use wangge::io::export::{Layer, export};
use wangge::io::import::{ImportOptions, Target, import_layer, read_source};
use wangge::io::save_project;

use crate::common::{debian_tool, path_str, run_ok, small_project};

#[test]
fn ogrinfo_reads_every_layer_of_a_project() {
    if !debian_tool("ogrinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    save_project(&small_project(), &path).unwrap();
    let p = path_str(&path);
    let listing = run_ok("ogrinfo", &["-ro", p]);
    for layer in
        ["boundary (Multi Polygon)", "divisions (Multi Polygon)", "grids (Multi Polygon)", "households (Point)"]
    {
        assert!(listing.contains(layer), "{listing}");
    }
    let grids = run_ok("ogrinfo", &["-ro", "-al", "-so", p, "grids"]);
    assert!(grids.contains("Feature Count: 2"), "{grids}");
    assert!(grids.contains("CGCS2000 / 3-degree Gauss-Kruger CM 117E"), "{grids}");
    assert!(grids.contains("Extent: (620000.000000, 3385000.000000) - (622000.000000, 3386000.000000)"), "{grids}");
    let features = run_ok("ogrinfo", &["-ro", p, "grids", "-where", "fid = 1"]);
    for expected in [
        "name (String) = 城南第一网格",
        "grid_head (String) = 王建国",
        "households (Integer64) = 420",
        "notes (String) = 含幸福小区、老街",
        "area_m2 (Real) = 960000",
    ] {
        assert!(features.contains(expected), "missing {expected:?} in {features}");
    }
    let households = run_ok("ogrinfo", &["-ro", "-so", p, "households"]);
    assert!(households.contains("Feature Count: 3"), "{households}");
    let divisions = run_ok("ogrinfo", &["-ro", p, "-sql", "SELECT name FROM divisions WHERE code = '341823100201'"]);
    assert!(divisions.contains("双坑村委会"), "{divisions}");
    // GDAL sees the R-tree as a working spatial index.
    let index = run_ok("ogrinfo", &["-ro", p, "-sql", "SELECT HasSpatialIndex('grids', 'geom')"]);
    assert!(index.contains("= 1"), "{index}");
}

#[test]
fn gdal_reads_our_shapefiles_in_utf8_and_gbk() {
    if !debian_tool("ogrinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (encoding, name) in [(encoding_rs::UTF_8, "utf8.shp"), (encoding_rs::GBK, "gbk.shp")] {
        let shp = dir.path().join(name);
        export(&small_project(), Layer::Grids, &shp, encoding).unwrap();
        let info = run_ok("ogrinfo", &["-ro", "-al", path_str(&shp)]);
        assert!(info.contains("name (String) = 城南第一网格"), "{name}: {info}");
        assert!(info.contains("grid_staff (String) = 李娜, 张伟"), "{name}: {info}");
        assert!(info.contains("CM 117E"), "{name}: {info}");
        assert!(info.contains("Feature Count: 2"), "{name}: {info}");
    }
}

#[test]
fn we_read_gbk_shapefiles_written_by_gdal() {
    if !debian_tool("ogr2ogr") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.geojson");
    std::fs::write(&src, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"网格名称":"桃花潭一网格","户数":388},
        "geometry":{"type":"Polygon","coordinates":[[[118.2,30.5],[118.21,30.5],[118.21,30.51],[118.2,30.51],[118.2,30.5]]]}}]}"#).unwrap();
    let shp = dir.path().join("gdal_gbk.shp");
    run_ok("ogr2ogr", &["-lco", "ENCODING=GBK", "-t_srs", "EPSG:4490", path_str(&shp), path_str(&src)]);
    for with_cpg in [true, false] {
        if !with_cpg {
            let _ = std::fs::remove_file(shp.with_extension("cpg"));
        }
        let source = read_source(&shp, None).unwrap();
        let mut project = wangge::core::Project::new("t", wangge::io::crs::crs_from_epsg(4548).unwrap());
        import_layer(&mut project, &source, Target::Grids, &ImportOptions::default(), &mut |_, _| {}).unwrap();
        let g = project.grids.values().next().unwrap();
        assert_eq!((g.name.as_str(), g.attrs.households), ("桃花潭一网格", Some(388)), "with .cpg: {with_cpg}");
    }
}

/// GDAL's GeoPackage validator (validate_gpkg.py, shipped by Debian's python3-gdal in its osgeo_utils/samples
/// folder) with a Python that can run it; None (skip) where it is missing, except under CI.
pub fn gpkg_validator() -> Option<(&'static str, PathBuf)> {
    let find = "import osgeo_utils.samples, os; print(os.path.dirname(osgeo_utils.samples.__file__))";
    // The first python3 on PATH may be another installation (pyenv) without GDAL's bindings.
    for python in ["python3", "/usr/bin/python3"] {
        let Ok(out) = Command::new(python).args(["-c", find]).output() else { continue };
        let script = Path::new(String::from_utf8_lossy(&out.stdout).trim()).join("validate_gpkg.py");
        if out.status.success() && script.is_file() {
            return Some((python, script));
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "GDAL's validate_gpkg.py is missing in CI: .ci/run must install python3-gdal"
    );
    eprintln!("skipping: GDAL's validate_gpkg.py is not installed (apt-get install python3-gdal)");
    None
}

pub fn assert_passes_validator(validator: &(&str, PathBuf), file: &Path) {
    let out = Command::new(validator.0)
        .arg(&validator.1)
        .args(["-k", "--extra", "--warning-as-error", path_str(file)])
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && said.trim().is_empty(), "{}: {said}", file.display());
}

#[test]
fn every_geopackage_we_write_passes_gdals_validator_with_extra_checks() {
    let Some(validator) = gpkg_validator() else { return };
    let dir = tempfile::tempdir().unwrap();
    // A project, saved new and then again after an edit (the second save changes it in place).
    let project_path = dir.path().join("p.gpkg");
    let mut project = small_project();
    save_project(&project, &project_path).unwrap();
    assert_passes_validator(&validator, &project_path);
    project.grids.get_mut(&1).unwrap().name = "改名".into();
    project.grids.remove(&2);
    save_project(&project, &project_path).unwrap();
    assert_passes_validator(&validator, &project_path);
    // A save of known changes (what the app does after an edit): a moved grid, a new one, a removed one.
    project.grids.get_mut(&1).unwrap().geometry = geo::MultiPolygon(vec![polygon![
        (x: 620_000.0, y: 3_385_000.0), (x: 620_500.0, y: 3_385_000.0), (x: 620_500.0, y: 3_385_500.0)
    ]]);
    let added = project.add_grid(wangge::core::Grid::new(geo::MultiPolygon(vec![polygon![
        (x: 630_000.0, y: 3_385_000.0), (x: 630_500.0, y: 3_385_000.0), (x: 630_500.0, y: 3_385_500.0)
    ]])));
    let changes = wangge::io::Changes { grids: [1, 2, added].into(), other_layers: false };
    wangge::io::save_project_with(&project, &project_path, Some(&changes), &wangge::core::progress::NoProgress)
        .unwrap();
    assert_passes_validator(&validator, &project_path);
    assert_eq!(wangge::io::open_project(&project_path).unwrap(), project);
    // An empty project: no boundary, no grids.
    let empty = dir.path().join("empty.gpkg");
    save_project(&wangge::core::Project::new("空", wangge::io::crs::crs_from_epsg(4490).unwrap()), &empty).unwrap();
    assert_passes_validator(&validator, &empty);
    // An exported GeoPackage.
    let exported = dir.path().join("export.gpkg");
    export(&small_project(), Layer::Grids, &exported, encoding_rs::UTF_8).unwrap();
    assert_passes_validator(&validator, &exported);
    // A project of the older layout (settings keyed by TEXT) is rejected, and valid after its next save.
    let old = dir.path().join("old.gpkg");
    save_project(&small_project(), &old).unwrap();
    rusqlite::Connection::open(&old)
        .unwrap()
        .execute_batch(
            "CREATE TABLE s (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO s SELECT key, value FROM wangge_project;
             DROP TABLE wangge_project; ALTER TABLE s RENAME TO wangge_project;",
        )
        .unwrap();
    let out = Command::new(validator.0).arg(&validator.1).args(["--extra", path_str(&old)]).output().unwrap();
    assert!(!out.status.success(), "the validator should reject the TEXT primary key");
    save_project(&wangge::io::open_project(&old).unwrap(), &old).unwrap();
    assert_passes_validator(&validator, &old);
    // A township's check-out of a database project (issue 16), with its own tables (where it came from,
    // the base of every grid), where PostgreSQL with PostGIS is installed (always under CI).
    if let Some(pg) = crate::pg::Cluster::start() {
        let checked_out = crate::postgis_checkout::a_checkout(&pg, dir.path());
        assert_passes_validator(&validator, &checked_out);
    }
    // The bundled sample the app opens (rebuilt by sample-maps/build.sh).
    assert_passes_validator(&validator, &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps/jingxian.gpkg"));
}
