//! Import from every supported format, bad input of every kind, and export per format rules.

use std::path::Path;

use geo::{Area, Geometry, Orient};
use serde_json::Value;
use wangge::core::{Project, Viewport};
use wangge::io::crs::{crs_from_epsg, parse_crs_arg};
use wangge::io::export::{Layer, export};
use wangge::io::import::{ImportOptions, Target, import_layer, read_source};
use wangge::io::{IoError, save_project};

use crate::common::small_project;

fn empty_project() -> Project {
    Project::new("test", crs_from_epsg(4548).unwrap())
}

fn import(path: &Path, target: Target, options: &ImportOptions) -> Result<Project, IoError> {
    let mut project = empty_project();
    let source = read_source(path, options.layer.as_deref())?;
    import_layer(&mut project, &source, target, options, &mut |_, _| {})?;
    Ok(project)
}

const SQUARE: &str = "[[[118.40,30.60],[118.41,30.60],[118.41,30.61],[118.40,30.61],[118.40,30.60]]]";

#[test]
fn geojson_in_all_its_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let variants = [
        format!(
            r#"{{"type":"FeatureCollection","name":"grids","features":[{{"type":"Feature","id":7,"foreign":"ok","properties":{{"网格编码":"341823100001001","网格名称":"城南一","户数":420}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}}]}}"#
        ),
        format!(
            r#"{{"type":"Feature","properties":{{"code":"341823100001001","name":"城南一","households":420}},"geometry":{{"type":"MultiPolygon","coordinates":[{SQUARE}]}}}}"#
        ),
        format!(r#"{{"type":"Polygon","coordinates":{SQUARE}}}"#),
    ];
    for (i, text) in variants.iter().enumerate() {
        let path = dir.path().join(format!("v{i}.geojson"));
        std::fs::write(&path, text).unwrap();
        let p = import(&path, Target::Grids, &ImportOptions::default()).unwrap();
        assert_eq!(p.grids.len(), 1, "variant {i}");
        let g = p.grids.values().next().unwrap();
        // ~960 m × 1110 m near 泾县, now in metres.
        let area = g.geometry.unsigned_area();
        assert!((area - 1_069_000.0).abs() < 15_000.0, "variant {i}: {area}");
        if i < 2 {
            assert_eq!(
                (g.code.as_str(), g.name.as_str(), g.attrs.households),
                ("341823100001001", "城南一", Some(420))
            );
        }
    }
}

#[test]
fn legacy_crs_member_and_crs_override_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gk.geojson");
    // Coordinates already in EPSG:4548, said so by the 2008-style crs member.
    std::fs::write(&path, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4548"}},
        "features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[620000,3385000],[620100,3385000],[620100,3385100],[620000,3385000]]]}}]}"#).unwrap();
    let p = import(&path, Target::Boundary, &ImportOptions::default()).unwrap();
    assert_eq!(p.boundary.0[0].exterior().0[1].x, 620_100.0);
    // The same numbers declared GCJ-02 lon/lat are refused as out of range, not silently mangled.
    let gcj = ImportOptions { crs_override: Some(parse_crs_arg("gcj02").unwrap()), ..Default::default() };
    let e = import(&path, Target::Boundary, &gcj).unwrap_err().to_string();
    assert!(e.contains("feature 1"), "{e}");
}

#[test]
fn bad_input_names_the_file_the_feature_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, String, &str); 7] = [
        ("truncated.geojson", format!(r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":{SQUARE}"#), "not valid JSON"),
        ("line.geojson", r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[118.4,30.6],[118.41,30.6],[118.41,30.61],[118.4,30.6]]]}},{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[118.4,30.6],[118.5,30.7]]}}]}"#.into(), "feature 2: expected a polygon, found a line"),
        ("huge.geojson", r#"{"type":"Polygon","coordinates":[[[1e300,30.6],[118.41,30.6],[118.41,30.61],[1e300,30.6]]]}"#.into(), "feature 1: coordinate (1e300, 30.6) is not a usable number"),
        ("overflow.geojson", r#"{"type":"Polygon","coordinates":[[[1e999,30.6],[118.41,30.6],[118.41,30.61],[1e999,30.6]]]}"#.into(), "not valid JSON"),
        ("unknown_crs.geojson", r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::999999"}},"features":[]}"#.into(), "EPSG:999999"),
        ("negative.geojson", format!(r#"{{"type":"Feature","properties":{{"households":-3}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}}"#), "feature 1: households must be a whole number"),
        ("short_ring.geojson", r#"{"type":"Polygon","coordinates":[[[118.4,30.6],[118.41,30.6]]]}"#.into(), "feature 1: a polygon ring has 2 distinct points"),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let e = import(&path, Target::Grids, &ImportOptions::default()).expect_err(name).to_string();
        assert!(e.contains(name), "{name}: {e}");
        assert!(e.contains(expected), "{name}: expected {expected:?} in {e}");
    }
    // A failed import leaves the project as it was.
    let mut project = small_project();
    let before = project.clone();
    let source = read_source(&dir.path().join("line.geojson"), None).unwrap();
    assert!(import_layer(&mut project, &source, Target::Grids, &ImportOptions::default(), &mut |_, _| {}).is_err());
    assert_eq!(project, before);
}

#[test]
fn every_truncation_of_a_shapefile_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("grids.shp");
    export(&small_project(), Layer::Grids, &shp, encoding_rs::UTF_8).unwrap();
    let full = std::fs::read(&shp).unwrap();
    for cut in (0..full.len()).step_by(7) {
        let broken = dir.path().join("broken.shp");
        std::fs::write(&broken, &full[..cut]).unwrap();
        for ext in ["shx", "dbf", "prj", "cpg"] {
            std::fs::copy(shp.with_extension(ext), broken.with_extension(ext)).unwrap();
        }
        assert!(import(&broken, Target::Grids, &ImportOptions::default()).is_err(), "cut at {cut}");
    }
    let dbf = std::fs::read(shp.with_extension("dbf")).unwrap();
    for cut in (0..dbf.len()).step_by(11) {
        let broken = dir.path().join("broken.shp");
        std::fs::copy(&shp, &broken).unwrap();
        std::fs::write(broken.with_extension("dbf"), &dbf[..cut]).unwrap();
        assert!(import(&broken, Target::Grids, &ImportOptions::default()).is_err(), "dbf cut at {cut}");
    }
}

#[test]
fn shapefile_round_trip_in_gbk_and_utf8_with_field_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let project = small_project();
    for (encoding, cpg) in [(encoding_rs::GBK, "GBK"), (encoding_rs::UTF_8, "UTF-8")] {
        let shp = dir.path().join(format!("grids-{cpg}.shp"));
        export(&project, Layer::Grids, &shp, encoding).unwrap();
        assert_eq!(std::fs::read_to_string(shp.with_extension("cpg")).unwrap(), cpg);
        assert!(std::fs::read_to_string(shp.with_extension("prj")).unwrap().contains("CM 117E"));
        // Without the .cpg the encoding is still recognised.
        std::fs::remove_file(shp.with_extension("cpg")).unwrap();
        let back = import(&shp, Target::Grids, &ImportOptions::default()).unwrap();
        let names: Vec<_> = back.grids.values().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["城南第一网格", "双坑网格"], "{cpg}");
        let first = back.grids.values().next().unwrap();
        assert_eq!(first.attrs.grid_head, "王建国");
        // Shapefiles store shells clockwise: same rings, other orientation.
        let oriented = |mp: &geo::MultiPolygon<f64>| mp.orient(geo::orient::Direction::Default);
        assert_eq!(oriented(&first.geometry), oriented(&project.grids[&1].geometry), "{cpg}: geometry with its hole");
        assert_eq!(back.grids[&2].geometry.0.len(), 2, "the island stays part of its grid");
    }
    // --map: read households from another field.
    let shp = dir.path().join("grids-UTF-8.shp");
    let options =
        ImportOptions { field_map: [("households".to_string(), "party_mem".to_string())].into(), ..Default::default() };
    let mapped = import(&shp, Target::Grids, &options).unwrap();
    assert_eq!(mapped.grids.values().next().unwrap().attrs.households, Some(36));
    let bad =
        ImportOptions { field_map: [("households".to_string(), "nope".to_string())].into(), ..Default::default() };
    let e = import(&shp, Target::Grids, &bad).unwrap_err().to_string();
    assert!(e.contains("no field \"nope\""), "{e}");
    // Broken encoding: a GBK .dbf declared UTF-8.
    let gbk = dir.path().join("grids-GBK.shp");
    std::fs::write(gbk.with_extension("cpg"), "UTF-8").unwrap();
    let e = import(&gbk, Target::Grids, &ImportOptions::default()).unwrap_err().to_string();
    assert!(e.contains("grids-GBK.dbf") && e.contains("record 1") && e.contains("not valid UTF-8"), "{e}");
}

#[test]
fn a_shapefile_without_prj_needs_crs() {
    let dir = tempfile::tempdir().unwrap();
    let shp = dir.path().join("noprj.shp");
    export(&small_project(), Layer::Grids, &shp, encoding_rs::UTF_8).unwrap();
    std::fs::remove_file(shp.with_extension("prj")).unwrap();
    let e = import(&shp, Target::Grids, &ImportOptions::default()).unwrap_err().to_string();
    assert!(e.contains("--crs"), "{e}");
    let options = ImportOptions { crs_override: Some(parse_crs_arg("EPSG:4548").unwrap()), ..Default::default() };
    assert_eq!(import(&shp, Target::Grids, &options).unwrap().grids.len(), 2);
}

#[test]
fn csv_points_divisions_and_gpkg_layers() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("hh.csv");
    std::fs::write(&csv, "\u{feff}lon,lat,户数\n118.4195,30.6885,3\n118.42,30.69,\n").unwrap();
    let p = import(&csv, Target::Households, &ImportOptions::default()).unwrap();
    assert_eq!(p.households.iter().map(|h| h.households).collect::<Vec<_>>(), [3, 1]);
    // pyproj: EPSG:4326 → EPSG:4548 gives (636013.6889, 3397299.3333).
    assert!(
        (p.households[0].position.x() - 636_013.688_9).abs() < 1e-3
            && (p.households[0].position.y() - 3_397_299.333_3).abs() < 1e-3,
        "{:?}",
        p.households[0].position
    );
    // A GBK CSV from Excel.
    let (gbk, _, _) =
        encoding_rs::GBK.encode("code,name,parent_code\n341823100,泾川镇,341823\n341823100001,城南居委会,341823100\n");
    let divisions = dir.path().join("divisions.csv");
    std::fs::write(&divisions, gbk).unwrap();
    let p = import(&divisions, Target::Divisions, &ImportOptions::default()).unwrap();
    assert_eq!(p.divisions["341823100001"].name, "城南居委会");
    assert_eq!(p.villages().count(), 1);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "code,name\n34182310,短码\n").unwrap();
    let e = import(&bad, Target::Divisions, &ImportOptions::default()).unwrap_err().to_string();
    assert!(e.contains("bad.csv: feature 1") && e.contains("9 (township) or 12"), "{e}");
    // A layer of our own project file, as any GeoPackage.
    let gpkg = dir.path().join("p.gpkg");
    save_project(&small_project(), &gpkg).unwrap();
    let e = read_source(&gpkg, None).unwrap_err().to_string();
    assert!(e.contains("choose one with --layer"), "{e}");
    let options = ImportOptions { layer: Some("grids".into()), ..Default::default() };
    let p = import(&gpkg, Target::Grids, &options).unwrap();
    assert_eq!(p.grids.len(), 2);
    assert_eq!(p.grids.values().next().unwrap().attrs.phone, "13905631234");
}

#[test]
fn geojson_export_follows_rfc7946() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grids.geojson");
    assert_eq!(export(&small_project(), Layer::Grids, &out, encoding_rs::UTF_8).unwrap(), 2);
    let text = std::fs::read_to_string(&out).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    assert!(json.get("crs").is_none());
    let features = json["features"].as_array().unwrap();
    assert_eq!(features[0]["properties"]["name"], "城南第一网格");
    assert_eq!(features[0]["properties"]["households"], 420);
    // Numbers carry at most 7 decimals.
    for number in text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')).filter(|s| s.contains('.')) {
        let decimals = number.split('.').nth(1).unwrap().len();
        assert!(decimals <= 7, "{number}");
    }
    // Lon/lat, shells counter-clockwise and holes clockwise.
    let parsed: geojson::Geometry = serde_json::from_value(features[0]["geometry"].clone()).unwrap();
    let geometry = Geometry::<f64>::try_from(&parsed.value).unwrap();
    let Geometry::MultiPolygon(mp) = geometry else { panic!("expected a multipolygon") };
    let shell = geo::Polygon::new(mp.0[0].exterior().clone(), vec![]);
    let hole = geo::Polygon::new(mp.0[0].interiors()[0].clone(), vec![]);
    assert!(shell.signed_area() > 0.0 && hole.signed_area() < 0.0);
    let c = mp.0[0].exterior().0[0];
    assert!((118.0..119.0).contains(&c.x) && (30.0..31.0).contains(&c.y), "{c:?}");
}

#[test]
fn csv_export_has_a_bom_and_areas() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grids.csv");
    export(&small_project(), Layer::Grids, &out, encoding_rs::UTF_8).unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.last(), Some(&"area_m2"));
    let first = lines.next().unwrap();
    // 1 km² minus the 200 m × 200 m hole.
    assert!(first.contains("城南第一网格") && first.ends_with(",960000"), "{first}");
    let households = dir.path().join("hh.csv");
    export(&small_project(), Layer::Households, &households, encoding_rs::UTF_8).unwrap();
    let text = std::fs::read_to_string(&households).unwrap();
    assert!(text.trim_start_matches('\u{feff}').starts_with("lon,lat,households,population\n118.2"), "{text}");
}

#[test]
fn viewport_fits_the_sample() {
    let project = wangge::app::load_sample().unwrap();
    let mut v = Viewport::new(geo::Coord { x: 1000.0, y: 700.0 });
    v.fit(project.extent().unwrap());
    assert!(v.world_per_px > 50.0 && v.world_per_px < 100.0, "{}", v.world_per_px);
}
