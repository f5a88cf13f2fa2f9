//! Reference layers (issue 14): stored in the project GeoPackage as layers GDAL reads and validates,
//! imported with `wangge import … --as reference` from GeoJSON, Shapefile and GeoPackage, listed by
//! `wangge info`.

use std::path::Path;

use geo::{MultiLineString, MultiPolygon, line_string, polygon};
use wangge::core::{ReferenceFeature, ReferenceGeometry, ReferenceLayer};
use wangge::io::{open_project, save_project};

use crate::common::{debian_tool, path_str, run_ok, small_project, stderr, stdout, wangge};
use crate::gdal::{assert_passes_validator, gpkg_validator};

/// The small project with three reference layers: roads (lines, Chinese names), an empty one, and
/// buildings (polygons, one with a hole).
fn project_with_references() -> wangge::core::Project {
    let mut p = small_project();
    let (x0, y0) = (620_000.0, 3_385_000.0);
    let mut roads = ReferenceLayer::new("道路");
    roads.features = vec![
        ReferenceFeature {
            geometry: ReferenceGeometry::Lines(MultiLineString(vec![
                line_string![(x: x0 - 100.0, y: y0 + 500.0), (x: x0 + 2100.0, y: y0 + 520.0)],
            ])),
            name: "G205 国道".into(),
        },
        ReferenceFeature {
            geometry: ReferenceGeometry::Lines(MultiLineString(vec![
                line_string![(x: x0 + 700.0, y: y0 - 50.0), (x: x0 + 720.0, y: y0 + 1050.0)],
                line_string![(x: x0 + 1700.0, y: y0 - 50.0), (x: x0 + 1720.0, y: y0 + 1050.0)],
            ])),
            name: String::new(),
        },
    ];
    let mut buildings = ReferenceLayer::new("房屋");
    buildings.features = vec![ReferenceFeature {
        geometry: ReferenceGeometry::Polygons(MultiPolygon(vec![polygon![
            exterior: [(x: x0 + 100.0, y: y0 + 100.0), (x: x0 + 140.0, y: y0 + 100.0), (x: x0 + 140.0, y: y0 + 130.0), (x: x0 + 100.0, y: y0 + 130.0)],
            interiors: [[(x: x0 + 110.0, y: y0 + 110.0), (x: x0 + 120.0, y: y0 + 110.0), (x: x0 + 120.0, y: y0 + 120.0), (x: x0 + 110.0, y: y0 + 120.0)]],
        ]])),
        name: "村委会".into(),
    }];
    p.reference_layers = vec![roads, ReferenceLayer::new("空图层"), buildings];
    p
}

#[test]
fn reference_layers_round_trip_and_pass_gdals_validator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    let mut p = project_with_references();
    save_project(&p, &path).unwrap();
    assert_eq!(open_project(&path).unwrap(), p);
    if let Some(validator) = gpkg_validator() {
        assert_passes_validator(&validator, &path);
    }
    if debian_tool("ogrinfo") {
        let listing = run_ok("ogrinfo", &["-ro", path_str(&path)]);
        for layer in
            ["reference_1 (Multi Line String)", "reference_2 (Multi Line String)", "reference_3 (Multi Polygon)"]
        {
            assert!(listing.contains(layer), "{listing}");
        }
        let roads = run_ok("ogrinfo", &["-ro", path_str(&path), "reference_1"]);
        assert!(roads.contains("Feature Count: 2") || roads.contains("name (String) = G205 国道"), "{roads}");
        assert!(roads.contains("name (String) = G205 国道"), "{roads}");
        let index =
            run_ok("ogrinfo", &["-ro", path_str(&path), "-sql", "SELECT HasSpatialIndex('reference_3', 'geom')"]);
        assert!(index.contains("= 1"), "{index}");
        let names = run_ok(
            "ogrinfo",
            &["-ro", path_str(&path), "-sql", "SELECT name FROM wangge_reference_layers ORDER BY position"],
        );
        assert!(names.find("道路").unwrap() < names.find("房屋").unwrap(), "{names}");
    }
    // A save of grid changes only (what the app does after an edit) keeps them.
    p.grids.get_mut(&1).unwrap().name = "改名".into();
    let changes = wangge::io::Changes { grids: [1].into(), other_layers: false };
    wangge::io::save_project_with(&p, &path, Some(&changes), &wangge::core::progress::NoProgress).unwrap();
    assert_eq!(open_project(&path).unwrap(), p);
    // A full save with another order and one layer fewer.
    p.reference_layers.swap(0, 2);
    p.reference_layers.remove(1);
    save_project(&p, &path).unwrap();
    assert_eq!(open_project(&path).unwrap(), p);
    if let Some(validator) = gpkg_validator() {
        assert_passes_validator(&validator, &path);
    }
}

fn roads_geojson(dir: &Path, with_point: bool) -> std::path::PathBuf {
    let point = if with_point {
        r#",{"type":"Feature","properties":{"NAME":"路灯","ROAD":"x"},"geometry":{"type":"Point","coordinates":[117.76,30.59]}}"#
    } else {
        ""
    };
    let text = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4490"}}}},"features":[
        {{"type":"Feature","properties":{{"NAME":"G205 国道","ROAD":"国道"}},"geometry":{{"type":"LineString","coordinates":[[117.74,30.58],[117.78,30.60]]}}}},
        {{"type":"Feature","properties":{{"NAME":"青弋江","ROAD":"河"}},"geometry":{{"type":"MultiLineString","coordinates":[[[117.75,30.57],[117.75,30.61]],[[117.76,30.57],[117.77,30.61]]]}}}}{point}]}}"#
    );
    let path = dir.join(if with_point { "bad_roads.geojson" } else { "roads.geojson" });
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn import_as_reference_adds_a_layer_and_leaves_the_rest_alone() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.gpkg");
    save_project(&small_project(), &project).unwrap();
    let before = open_project(&project).unwrap();
    let roads = roads_geojson(dir.path(), false);
    let p = path_str(&project);
    let out = wangge(&["import", path_str(&roads), "--into", p, "--as", "reference", "--name", "道路", "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("imported 2 features as reference layer \"道路\""), "{}", stderr(&out));
    let after = open_project(&project).unwrap();
    assert_eq!(
        (&after.grids, &after.households, &after.boundary),
        (&before.grids, &before.households, &before.boundary)
    );
    let layer = after.reference_layer("道路").unwrap();
    assert_eq!(layer.features.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["G205 国道", "青弋江"]);
    // In the project CRS (GK 117°E, metres): 117.74°E lies some 70 km east of the central meridian.
    let extent = layer.extent().unwrap();
    assert!((560_000.0..580_000.0).contains(&extent.min().x), "{extent:?}");
    let info = stdout(&wangge(&["info", p, "--lang", "en"]));
    assert!(info.contains("reference layers: 道路 2 features"), "{info}");
    let info_zh = stdout(&wangge(&["info", p, "--lang", "zh"]));
    assert!(info_zh.contains("参考图层：道路 2 个要素"), "{info_zh}");

    // The same name again: refused, exit 2, nothing changed.
    let out = wangge(&["import", path_str(&roads), "--into", p, "--as", "reference", "--name", "道路", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--replace") && stderr(&out).contains("道路"), "{}", stderr(&out));
    // With --replace and another name field: replaced in place.
    let out = wangge(&[
        "import",
        path_str(&roads),
        "--into",
        p,
        "--as",
        "reference",
        "--name",
        "道路",
        "--name-field",
        "ROAD",
        "--replace",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = open_project(&project).unwrap();
    assert_eq!(after.reference_layers.len(), 1);
    assert_eq!(after.reference_layers[0].features[1].name, "河");

    // A point: refused with the file and the feature named, exit 2, the project as it was.
    let bad = roads_geojson(dir.path(), true);
    let out = wangge(&["import", path_str(&bad), "--into", p, "--as", "reference", "--name", "路灯", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2));
    let said = stderr(&out);
    assert!(said.contains("bad_roads.geojson") && said.contains("feature 3") && said.contains("point"), "{said}");
    assert_eq!(open_project(&project).unwrap(), after);
    let out = wangge(&["import", path_str(&bad), "--into", p, "--as", "reference", "--name", "路灯", "--lang", "zh"]);
    assert!(stderr(&out).contains("第 3 个要素") && stderr(&out).contains("参考图层只能是线或面"), "{}", stderr(&out));
}

#[test]
fn import_as_reference_reads_shapefiles_and_geopackages() {
    if !debian_tool("ogr2ogr") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.gpkg");
    save_project(&small_project(), &project).unwrap();
    let roads = roads_geojson(dir.path(), false);
    let shp = dir.path().join("roads.shp");
    let gpkg = dir.path().join("roads.gpkg");
    let houses = dir.path().join("houses.shp");
    let houses_json = dir.path().join("houses.geojson");
    std::fs::write(
        &houses_json,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"名称":"学校"},
        "geometry":{"type":"Polygon","coordinates":[[[117.75,30.58],[117.751,30.58],[117.751,30.581],[117.75,30.58]]]}}]}"#,
    )
    .unwrap();
    for (out, src) in [(&shp, &roads), (&gpkg, &roads), (&houses, &houses_json)] {
        // GDAL writes shapefile text as Latin-1 unless told otherwise (Chinese would become "?").
        run_ok("ogr2ogr", &["-lco", "ENCODING=UTF-8", path_str(out), path_str(src)]);
    }
    let p = path_str(&project);
    for (src, name) in [(&shp, "道路shp"), (&gpkg, "道路gpkg"), (&houses, "房屋")] {
        let out = wangge(&["import", path_str(src), "--into", p, "--as", "reference", "--name", name]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
    }
    let after = open_project(&project).unwrap();
    let names: Vec<&str> = after.reference_layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["道路shp", "道路gpkg", "房屋"]);
    assert_eq!(
        after.reference_layers[0],
        ReferenceLayer { name: "道路shp".into(), ..after.reference_layers[1].clone() }
    );
    assert_eq!(after.reference_layers[0].features[0].name, "G205 国道");
    let house = &after.reference_layers[2].features[0];
    assert!(matches!(house.geometry, ReferenceGeometry::Polygons(_)) && house.name == "学校", "{house:?}");
    if let Some(validator) = gpkg_validator() {
        assert_passes_validator(&validator, &project);
    }
}

#[test]
fn the_app_draws_reference_layers_and_their_switch_turns_them_off() {
    use crate::kittest::click;
    let dir = tempfile::tempdir().unwrap();
    let mut h = crate::kittest::harness_on_project(project_with_references(), &dir);
    let drawn = |h: &crate::kittest::App| h.state().state.ui.view.references.drawn;
    // Two roads and one building; the empty layer has nothing.
    assert_eq!(drawn(&h), 3);
    // The road's west end is snapped to while the roads are shown, and not once they are switched off.
    let road_end = |h: &crate::kittest::App| {
        let index = h.state().state.editor.index.as_ref().expect("the edit index is built");
        wangge::core::edit::snap(index, geo::Coord { x: 619_899.6, y: 3_385_500.3 }, 1.0, None)
            .map(|s| (s.pos_in_world, s.source))
    };
    let road = wangge::core::edit::Source::Reference("道路".into());
    assert_eq!(road_end(&h), Some((geo::Coord { x: 619_900.0, y: 3_385_500.0 }, road)));
    click(&mut h, "道路 (2)");
    assert_eq!(drawn(&h), 1, "the roads are off");
    assert!(h.state().state.ui.view.references.hidden.contains("道路"));
    assert_eq!(road_end(&h), None, "a road switched off is still snapped to");
    click(&mut h, "房屋 (1)");
    assert_eq!(drawn(&h), 0);
    click(&mut h, "道路 (2)");
    assert_eq!(drawn(&h), 2);
    // The coverage check is about grids only: the reference layers add no finding.
    let plain = crate::kittest::harness_on_project(small_project(), &dir);
    let findings =
        |h: &crate::kittest::App| h.state().state.editor.coverage.as_ref().map(|c| c.report().findings.len());
    assert_eq!(findings(&h), findings(&plain));
}
