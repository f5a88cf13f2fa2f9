//! Issue 10 §3: damaged or unusual input is refused with file, feature and problem (exit 2), never a
//! panic; each test holds the input that once panicked or was wrongly accepted.

use std::time::{Duration, Instant};

use rusqlite::Connection;
use wangge::io::gpkg::blob;

use crate::common::{path_str, small_project, stderr, stdout, wangge};

const GK_117E_CHINESE_NAME: &str = r#"PROJCS["CGCS2000 3度带 117E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",117],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]"#;

/// A .prj with a Chinese name (as written by Chinese desktop GIS, in UTF-8 or GBK) panicked in the
/// WKT scan; it must be recognised as the zone it describes.
#[test]
fn a_prj_with_a_chinese_name_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    for (stem, prj) in [
        ("utf8", GK_117E_CHINESE_NAME.as_bytes().to_vec()),
        ("gbk", encoding_rs::GBK.encode(GK_117E_CHINESE_NAME).0.into_owned()),
    ] {
        for ext in ["shp", "shx", "dbf"] {
            std::fs::copy(
                format!("{root}/tests/fixtures/libpysal/columbus.{ext}"),
                dir.path().join(format!("{stem}.{ext}")),
            )
            .unwrap();
        }
        std::fs::write(dir.path().join(format!("{stem}.prj")), prj).unwrap();
        let out = wangge(&["info", path_str(&dir.path().join(format!("{stem}.shp"))), "--lang", "en"]);
        assert!(out.status.success(), "{stem}: {}", stderr(&out));
        assert!(stdout(&out).contains("CRS: EPSG:4548"), "{stem}: {}", stdout(&out));
    }
}

/// `[[[1],[2],[3],[1]]]`: positions of one number panicked inside the geojson crate's conversion.
#[test]
fn geojson_positions_of_one_number_are_an_error_in_import_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("short.geojson");
    std::fs::write(
        &bad,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[1],[2],[3],[1]]]}}]}"#,
    )
    .unwrap();
    let project = dir.path().join("p.gpkg");
    for args in [
        vec!["import", path_str(&bad), "--into", path_str(&project), "--as", "grids", "--lang", "en"],
        vec!["check", path_str(&bad), "--lang", "en"],
        vec!["info", path_str(&bad), "--lang", "en"],
    ] {
        let out = wangge(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("short.geojson: feature 1: a position needs at least two numbers"), "{err}");
    }
    assert!(!project.exists());
}

/// `check` on a file skipped the coordinate checks import makes.
#[test]
fn check_refuses_the_numbers_import_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let square = |x: &str| {
        format!(
            r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":[[[118.4,30.7],[{x},30.7],[118.41,30.71],[118.4,30.7]]]}}}}"#
        )
    };
    for (x, problem) in [("1e300", "is not a usable number"), ("200.0", "outside the range of longitude/latitude")] {
        let file = dir.path().join("far.geojson");
        std::fs::write(
            &file,
            format!(r#"{{"type":"FeatureCollection","features":[{},{}]}}"#, square("118.41"), square(x)),
        )
        .unwrap();
        let out = wangge(&["check", path_str(&file), "--lang", "en"]);
        assert_eq!(out.status.code(), Some(2), "{x}: {}", stderr(&out));
        assert!(stderr(&out).contains("far.geojson: feature 2: coordinate ("), "{}", stderr(&out));
        assert!(stderr(&out).contains(problem), "{}", stderr(&out));
        // As a boundary file too.
        let ok = dir.path().join("ok.geojson");
        std::fs::write(&ok, format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, square("118.41"))).unwrap();
        let out = wangge(&["check", path_str(&ok), "--boundary", path_str(&file)]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    }
}

/// A 9.7 MB CSV whose header is one 10,000-character name took 6.1 GB and 31 s to be refused; a large
/// table that cannot be imported must be refused after its first row, not after reading it all.
#[test]
fn csv_with_a_monstrous_header_or_a_useless_first_row_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("header.csv");
    let mut text = "名".repeat(10_000);
    text.push('\n');
    let row = "x".repeat(20) + "\n";
    while text.len() < 9_700_000 {
        text.push_str(&row);
    }
    std::fs::write(&huge, &text).unwrap();
    let project = dir.path().join("p.gpkg");
    let started = Instant::now();
    let out = wangge(&["import", path_str(&huge), "--into", path_str(&project), "--as", "households", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("column 1 of the header"), "{}", stderr(&out));
    assert!(stderr(&out).contains("10000 characters long"), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    // Households from a table without coordinates: refused at feature 1 from its head alone.
    let useless = dir.path().join("names.csv");
    let mut text = String::from("name,notes\n");
    for i in 0..300_000 {
        text += &format!("户{i},备注\n");
    }
    std::fs::write(&useless, &text).unwrap();
    let out =
        wangge(&["import", path_str(&useless), "--into", path_str(&project), "--as", "households", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("names.csv: feature 1: a household needs a point"), "{}", stderr(&out));
    assert!(!project.exists());
}

/// A grid at lon −170°, lat −80° in a 117°E Gauss-Krüger project was accepted (and read back at
/// 128–139°E); far outside the CRS's area it is refused with the reason, unless --force.
#[test]
fn coordinates_far_outside_the_project_crs_need_force() {
    let dir = tempfile::tempdir().unwrap();
    let far = dir.path().join("far.geojson");
    std::fs::write(
        &far,
        r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[-170,-80],[-169.99,-80],[-169.99,-79.99],[-170,-80]]]}}"#,
    )
    .unwrap();
    let project = dir.path().join("p.gpkg");
    let base = [
        "import",
        path_str(&far),
        "--into",
        path_str(&project),
        "--as",
        "grids",
        "--project-crs",
        "EPSG:4548",
        "--lang",
        "en",
    ];
    let out = wangge(&base);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("far.geojson: feature 1: coordinate (-170, -80)"), "{err}");
    assert!(err.contains("far outside where the project CRS EPSG:4548 can be used"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(!project.exists());
    let forced = wangge(&[&base[..], &["--force"]].concat());
    assert!(forced.status.success(), "{}", stderr(&forced));
    // Data where the zone is meant for goes in without a word.
    let near = dir.path().join("near.geojson");
    std::fs::write(
        &near,
        r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[118.4,30.7],[118.41,30.7],[118.41,30.71],[118.4,30.7]]]}}"#,
    )
    .unwrap();
    let out = wangge(&["import", path_str(&near), "--into", path_str(&dir.path().join("q.gpkg")), "--as", "grids"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The progress line "importing 0/N features" had no newline, so the error landed on it.
#[test]
fn an_error_after_the_progress_line_starts_a_line_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("hh.csv");
    // The first row is good (it passes the first-row probe); the second is not.
    let mut text = String::from("lon,lat,households\n118.4,30.7,1\n118.4,30.7,many\n");
    for _ in 0..12_000 {
        text += "118.4,30.7,1\n";
    }
    std::fs::write(&csv, text).unwrap();
    let project = dir.path().join("p.gpkg");
    wangge::io::save_project(&small_project(), &project).unwrap();
    let out = wangge(&["import", path_str(&csv), "--into", path_str(&project), "--as", "households", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    let error_line = err.lines().find(|l| l.contains("hh.csv: feature 2")).unwrap_or_default();
    assert!(error_line.starts_with("wangge: "), "the error has a line of its own: {err:?}");
}

/// A GeoPackage whose gpkg_contents.min_y holds text failed the whole import; GDAL reads it.
#[test]
fn text_in_optional_gpkg_metadata_is_tolerated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.gpkg");
    wangge::io::save_project(&small_project(), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE gpkg_contents SET min_y = 'unknown', max_x = '621000.5'", []).unwrap();
    drop(conn);
    let into = dir.path().join("p.gpkg");
    let out = wangge(&[
        "import",
        path_str(&path),
        "--layer",
        "grids",
        "--into",
        path_str(&into),
        "--as",
        "grids",
        "--lang",
        "en",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("imported 2 features"), "{}", stderr(&out));
}

/// A plain SQLite connection to a project, its R-tree triggers dropped (they call GeoPackage SQL
/// functions a plain connection lacks): the damage below is what another program could write.
fn raw(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'grids'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        conn.execute(&format!("DROP TRIGGER \"{t}\""), []).unwrap();
    }
    conn
}

fn set_grid_blob(path: &std::path::Path, blob: &[u8]) {
    let conn = raw(path);
    conn.execute("UPDATE grids SET geom = ?1 WHERE fid = (SELECT min(fid) FROM grids)", [blob]).unwrap();
}

fn gp_header(wkb: &[u8]) -> Vec<u8> {
    let mut out = vec![b'G', b'P', 0, 1];
    out.extend_from_slice(&4548i32.to_le_bytes());
    out.extend_from_slice(wkb);
    out
}

/// Crafted GeoPackage blobs: collections nested until the stack overflows, empty rings that reached
/// code taking a ring's first point, fids whose next id overflows.
#[test]
fn crafted_geopackage_geometries_and_fids_are_errors_or_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    // 100,000 nested collections.
    wangge::io::save_project(&small_project(), &path).unwrap();
    let mut nested = Vec::new();
    for _ in 0..100_000 {
        nested.push(1u8);
        nested.extend_from_slice(&7u32.to_le_bytes());
        nested.extend_from_slice(&1u32.to_le_bytes());
    }
    set_grid_blob(&path, &gp_header(&nested));
    let out = wangge(&["check", path_str(&path), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2), "check: {}", stderr(&out));
    assert!(stderr(&out).contains("nested more than"), "{}", stderr(&out));
    // `info` reads counts, stored areas and the blobs' header envelopes, not the shapes: it may say
    // nothing of the damage, but it neither crashes nor hangs.
    let out = wangge(&["info", path_str(&path)]);
    assert!(matches!(out.status.code(), Some(0 | 2)), "info: {}", stderr(&out));
    // An empty hole in a grid: dropped when read; the project opens and checks.
    wangge::io::save_project(&small_project(), &path).unwrap();
    let square =
        [(620_000.0f64, 3_385_000.0f64), (621_000.0, 3_385_000.0), (621_000.0, 3_386_000.0), (620_000.0, 3_385_000.0)];
    let mut wkb = vec![1u8];
    wkb.extend_from_slice(&3u32.to_le_bytes());
    wkb.extend_from_slice(&2u32.to_le_bytes());
    wkb.extend_from_slice(&(square.len() as u32).to_le_bytes());
    for (x, y) in square {
        wkb.extend_from_slice(&x.to_le_bytes());
        wkb.extend_from_slice(&y.to_le_bytes());
    }
    wkb.extend_from_slice(&0u32.to_le_bytes());
    set_grid_blob(&path, &gp_header(&wkb));
    let project = wangge::io::open_project(&path).unwrap();
    assert!(project.grids.values().all(|g| g.geometry.0.iter().all(|p| p.interiors().iter().all(|r| !r.0.is_empty()))));
    let out = wangge(&["check", path_str(&path)]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    // Negative and huge fids: refused by name, never an overflow.
    for fid in [-5i64, i64::MAX] {
        wangge::io::save_project(&small_project(), &path).unwrap();
        let conn = raw(&path);
        conn.execute("UPDATE grids SET fid = ?1 WHERE fid = (SELECT min(fid) FROM grids)", [fid]).unwrap();
        drop(conn);
        let out = wangge(&["check", path_str(&path), "--lang", "en"]);
        assert_eq!(out.status.code(), Some(2), "{fid}: {}", stderr(&out));
        assert!(!stderr(&out).contains("feature 0"), "{}", stderr(&out));
        assert!(stderr(&out).contains(&format!("grid fid {fid} is out of range")), "{}", stderr(&out));
    }
    // And blob headers cut anywhere are errors.
    let good = blob::encode_point(geo::Point::new(1.0, 2.0), 4548);
    for cut in 0..good.len() {
        assert!(blob::decode(&good[..cut]).is_err());
    }
}
