//! The command line as a user runs it: help, exit codes, info, import (creating a project), export.

use crate::common::{path_str, small_project, stderr, stdout, wangge};

#[test]
fn help_everywhere_and_usage_errors_exit_2() {
    for args in
        [&["--help"][..], &["import", "--help"], &["export", "--help"], &["info", "--help"], &["open", "--help"]]
    {
        let out = wangge(args);
        assert!(out.status.success(), "{args:?}");
        assert!(stdout(&out).contains("Usage"), "{args:?}");
    }
    let out = wangge(&["import", "x.geojson"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--into"), "{}", stderr(&out));
    let out = wangge(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn import_info_and_export_of_the_real_sample_sources() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("泾县.gpkg");
    let root = env!("CARGO_MANIFEST_DIR");
    let county = format!("{root}/sample-maps/jingxian-county.geojson");
    let divisions = format!("{root}/sample-maps/jingxian-divisions.csv");
    let out = wangge(&["import", &county, "--into", path_str(&project), "--as", "boundary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("EPSG:4490") && stderr(&out).contains("EPSG:4548"), "{}", stderr(&out));
    let out = wangge(&["import", &divisions, "--into", path_str(&project), "--as", "divisions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info = stdout(&wangge(&["info", path_str(&project), "--lang", "en"]));
    assert!(info.contains("EPSG:4548"), "{info}");
    assert!(info.contains("11 townships, 127 villages"), "{info}");
    // 泾县 is about 2,050 km²; the outline in the source data is generalised.
    let km2: f64 = info.split("boundary area: ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    assert!((1950.0..2150.0).contains(&km2), "{km2}");
    let out_json = dir.path().join("divisions.csv");
    let out =
        wangge(&["export", path_str(&project), "--to", path_str(&out_json), "--layer", "divisions", "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("已写出") && !stderr(&out).contains("wrote"), "{}", stderr(&out));
    let text = std::fs::read_to_string(&out_json).unwrap();
    assert!(text.contains("341823100001,城南居委会,341823100,village,城市"), "{text}");
    // The bundled sample project matches what these commands build.
    let sample = stdout(&wangge(&["info", &format!("{root}/sample-maps/jingxian.gpkg"), "--lang", "en"]));
    assert!(sample.contains("11 townships, 127 villages"), "{sample}");
}

#[test]
fn bad_input_exits_2_with_file_and_feature_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.gpkg");
    let bad = dir.path().join("bad.geojson");
    std::fs::write(
        &bad,
        r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[118.4,30.6]}}"#,
    )
    .unwrap();
    let out = wangge(&["import", path_str(&bad), "--into", path_str(&project), "--as", "grids", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.geojson: feature 1: expected a polygon, found a point"), "{err}");
    assert!(!project.exists(), "no half-written project");
    let out = wangge(&["info", path_str(&dir.path().join("missing.shp"))]);
    assert_eq!(out.status.code(), Some(2));
    let out = wangge(&["export", path_str(&bad), "--to", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn long_imports_report_progress() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("hh.csv");
    let mut text = String::from("lon,lat,households\n");
    for i in 0..12_000 {
        text += &format!("{},{},1\n", 118.3 + (i % 100) as f64 * 1e-3, 30.6 + (i / 100) as f64 * 1e-4);
    }
    std::fs::write(&csv, text).unwrap();
    let project = dir.path().join("p.gpkg");
    let out = wangge(&[
        "import",
        path_str(&csv),
        "--into",
        path_str(&project),
        "--as",
        "households",
        "--crs",
        "gcj02",
        "--lang",
        "en",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    // Progress is a bar on a terminal only: in a pipe, stderr has whole lines and no bar.
    assert!(!err.contains('\r') && !err.contains("10000/12000"), "{err:?}");
    assert!(err.contains("GCJ-02"), "{err}");
}

#[test]
fn check_reports_in_json_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    // Clean real coverage: exit 0.
    let out = wangge(&["check", &format!("{root}/tests/fixtures/libpysal/sids2.shp"), "--planar", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!((json["ok"].as_bool(), json["grids"].as_u64()), (Some(true), Some(100)));
    assert!(json["vertices"].as_u64().unwrap() > 1000);
    assert!(json["timings_ms"]["check"].as_f64().unwrap() >= 0.0);
    // Two overlapping grids in a GeoJSON file: exit 1, one overlap with its area and positions.
    let path = dir.path().join("two.geojson");
    std::fs::write(&path, r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4548"}},"features":[
        {"type":"Feature","properties":{"code":"A"},"geometry":{"type":"Polygon","coordinates":[[[620000,3385000],[620100,3385000],[620100,3385100],[620000,3385100],[620000,3385000]]]}},
        {"type":"Feature","properties":{"code":"B"},"geometry":{"type":"Polygon","coordinates":[[[620090,3385000],[620200,3385000],[620200,3385100],[620090,3385100],[620090,3385000]]]}}]}"#).unwrap();
    let out = wangge(&["check", path_str(&path), "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let issue = &json["issues"][0];
    assert_eq!(issue["kind"], "overlap");
    assert_eq!(issue["features"], serde_json::json!([0, 1]));
    assert!((issue["area"].as_f64().unwrap() - 1000.0).abs() < 1e-6, "{issue}");
    assert!((issue["width"].as_f64().unwrap() - 10.0).abs() < 0.2, "{issue}");
    assert_eq!(issue["geometry"]["type"], "MultiPolygon");
    assert!(issue["message"].as_str().unwrap().contains("A"), "{issue}");
    // The readable summary names the kind.
    let text = stdout(&wangge(&["check", path_str(&path)]));
    assert!(text.contains("重叠") || text.contains("overlap"), "{text}");
    // Unreadable input: exit 2.
    let out = wangge(&["check", path_str(&dir.path().join("missing.geojson"))]);
    assert_eq!(out.status.code(), Some(2));
    // No CRS and no --planar: a clear message.
    let out = wangge(&["check", &format!("{root}/tests/fixtures/libpysal/columbus.shp")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--planar"), "{}", stderr(&out));
}

/// A township with the usual digitising faults; `fix --all-safe` repairs the unambiguous ones and saves.
#[test]
fn fix_all_safe_repairs_what_is_unambiguous_and_leaves_the_rest() {
    use geo::{MultiPolygon, polygon};
    use wangge::core::{Grid, Project};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.gpkg");
    let mut p = Project::new("t", wangge::io::crs::crs_from_epsg(4548).unwrap());
    let (x, y) = (620_000.0, 3_385_000.0);
    p.boundary = MultiPolygon(vec![
        polygon![(x: x, y: y), (x: x + 400., y: y), (x: x + 400., y: y + 100.), (x: x, y: y + 100.)],
    ]);
    let grid = |pts: Vec<(f64, f64)>, code: &str| {
        let mut g = Grid::new(MultiPolygon(vec![geo::Polygon::new(
            pts.into_iter().map(|(a, b)| geo::Coord { x: x + a, y: y + b }).collect(),
            vec![],
        )]));
        g.code = code.into();
        g
    };
    // A's east edge is one segment where B has a vertex at (100, 50): a T-junction.
    p.add_grid(grid(vec![(0., 0.), (100., 0.), (100., 100.), (0., 100.)], "A"));
    p.add_grid(grid(vec![(100., 0.), (200., 0.), (200., 100.), (100., 100.), (100., 50.)], "B"));
    // C reaches 20 cm past the boundary to the south; D leaves a 5 cm sliver to C.
    p.add_grid(grid(vec![(200., -0.2), (250., -0.2), (250., 100.), (200., 100.)], "C"));
    p.add_grid(grid(vec![(250.05, 0.), (340., 0.), (340., 100.), (250.05, 100.)], "D"));
    // D and E overlap by 10 m: a person must decide which one keeps it.
    p.add_grid(grid(vec![(330., 0.), (400., 0.), (400., 100.), (330., 100.)], "E"));
    wangge::io::save_project(&p, &path).unwrap();

    let listing = stdout(&wangge(&["fix", path_str(&path), "--lang", "en"]));
    assert!(listing.contains("fix (safe): clip grid C to the boundary"), "{listing}");
    assert!(listing.contains("fix (safe): insert the missing vertices into grid A"), "{listing}");
    assert!(
        listing.contains("fix (needs a decision): give the overlap to grid E (subtract it from grid D)"),
        "{listing}"
    );
    let listing = stdout(&wangge(&["fix", path_str(&path), "--lang", "zh"]));
    assert!(listing.contains("修复（安全）：将网格 C 裁剪到边界"), "{listing}");
    let out = wangge(&["fix", path_str(&path), "--all-safe", "--lang", "en"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.contains("clip grid C to the boundary"), "{text}");
    assert!(text.contains("insert the missing vertices into grid A"), "{text}");
    assert!(text.contains("join the gap to grid"), "{text}");
    // What is left is the overlap only, and the project on disk says so.
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&wangge(&["check", path_str(&path), "--json"]))).unwrap();
    let kinds: Vec<&str> = json["issues"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["overlap"], "{json}");
    assert_eq!(json["issues"][0]["grid_ids"], serde_json::json!([4, 5]));
}

#[test]
fn code_and_stats_from_the_command_line() {
    use geo::{MultiPolygon, Point, polygon};
    use wangge::core::{Grid, HouseholdPoint, Project};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.gpkg");
    let mut p = wangge::io::open_project(&std::path::PathBuf::from(format!(
        "{}/sample-maps/jingxian.gpkg",
        env!("CARGO_MANIFEST_DIR")
    )))
    .unwrap_or_else(|_| Project::new("t", wangge::io::crs::crs_from_epsg(4548).unwrap()));
    let (x, y) = (620_000.0, 3_385_000.0);
    for (col, row) in [(1, 0), (0, 0), (0, 1), (1, 1)] {
        let (x0, y0) = (x + col as f64 * 100.0, y + (1 - row) as f64 * 100.0);
        let mut g = Grid::new(MultiPolygon(vec![
            polygon![(x: x0, y: y0), (x: x0 + 100., y: y0), (x: x0 + 100., y: y0 + 100.), (x: x0, y: y0 + 100.)],
        ]));
        g.village_code = "341823100001".into();
        g.name = format!("网格{col}{row}");
        p.add_grid(g);
    }
    p.households.push(HouseholdPoint {
        position: Point::new(x + 50.0, y + 150.0),
        households: 320,
        population: Some(900),
    });
    p.households.push(HouseholdPoint {
        position: Point::new(x + 100.0, y + 150.0),
        households: 5,
        population: Some(9),
    });
    wangge::io::save_project(&p, &path).unwrap();

    let dry = stdout(&wangge(&["code", path_str(&path), "--dry-run", "--lang", "en"]));
    assert!(dry.contains("(none) → 341823100001001") && dry.contains("4 codes would change"), "{dry}");
    // The same run in Chinese: one language, no English sentence left over.
    let dry_zh = stdout(&wangge(&["code", path_str(&path), "--dry-run", "--lang", "zh"]));
    assert!(dry_zh.contains("（无） → 341823100001001") && dry_zh.contains("将改动 4 个编码"), "{dry_zh}");
    assert!(!dry_zh.contains("grid ") && !dry_zh.contains("codes"), "{dry_zh}");
    assert!(wangge::io::open_project(&path).unwrap().grids.values().all(|g| g.code.is_empty()), "dry run saved");
    let done = stdout(&wangge(&["code", path_str(&path), "--lang", "en"]));
    assert!(done.contains("4 codes changed by rule {village12}{seq:3}"), "{done}");
    let again = stdout(&wangge(&["code", path_str(&path), "--lang", "en"]));
    assert!(again.contains("0 codes changed"), "stable: {again}");
    // With 300 m rows both rows are one: west to east across them, the rule and height saved.
    let rows = stdout(&wangge(&["code", path_str(&path), "--renumber", "--row-height", "300", "--lang", "en"]));
    assert!(rows.contains("codes changed"), "{rows}");
    let saved = wangge::io::open_project(&path).unwrap();
    assert_eq!(saved.settings.get("code_row_height").map(String::as_str), Some("300"));
    let renumbered = stdout(&wangge(&["code", path_str(&path), "--renumber", "--lang", "en"]));
    assert!(renumbered.contains("0 codes changed"), "{renumbered}");
    let by_rows = stdout(&wangge(&["code", path_str(&path), "--renumber", "--row-height", "100", "--lang", "en"]));
    assert!(by_rows.contains("codes changed"), "{by_rows}");
    let bad = wangge(&["code", path_str(&path), "--rule", "{village12}{seq:9}"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("width must be 1 to 6"), "{}", stderr(&bad));

    let json: serde_json::Value =
        serde_json::from_str(&stdout(&wangge(&["stats", path_str(&path), "--json", "--lang", "en"]))).unwrap();
    let grids = json["grids"].as_array().unwrap();
    let north_west = grids.iter().find(|g| g["code"] == "341823100001001").unwrap();
    // The point on the edge between the two northern grids counts once, for the lower id (the eastern one).
    assert_eq!(north_west["households"], 320);
    let north_east = grids.iter().find(|g| g["code"] == "341823100001002").unwrap();
    assert_eq!((north_east["id"].as_u64(), north_east["households"].as_u64()), (Some(1), Some(5)));
    // Every neighbour per side; the four grids lie inside 泾县, whose land around them no grid covers yet.
    assert_eq!(
        north_west["neighbours"],
        serde_json::json!({"n": ["uncovered"], "e": ["341823100001002"], "s": ["341823100001003"], "w": ["uncovered"]})
    );
    assert!((north_west["area_m2"].as_f64().unwrap() - 10_000.0).abs() < 1e-6);
    let warnings: Vec<&str> = json["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert!(warnings.iter().any(|w| w.contains("0 households, outside")), "{warnings:?}");

    let csv = dir.path().join("grids.csv");
    let xlsx = dir.path().join("grids.xlsx");
    assert!(wangge(&["stats", path_str(&path), "--table", path_str(&csv)]).status.success());
    assert!(wangge(&["stats", path_str(&path), "--table", path_str(&xlsx)]).status.success());
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}网格编码,网格名称,村（社区）代码,村（社区）,面积（平方米）,户数,人口"), "{text}");
    assert!(text.contains("341823100001001,网格00,341823100001,城南居委会,10000.0,320,900"), "{text}");
    let bytes = std::fs::read(&xlsx).unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04") && bytes.len() > 3000, "not an xlsx (zip) file");
}

#[test]
fn print_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("泾县.gpkg");
    let mut p = wangge::app::load_sample().unwrap();
    wangge::core::coverage::synthetic::fill_with_grids(&mut p, 5_000.0);
    wangge::io::save_project(&p, &project).unwrap();
    let pdf = dir.path().join("泾川镇.pdf");
    let out = wangge(&[
        "print",
        path_str(&project),
        "--out",
        path_str(&pdf),
        "--township",
        "泾川镇",
        "--atlas",
        "--overview",
        "--paper",
        "A3",
        "--landscape",
        "--compiled-by",
        "泾县网格化服务管理中心",
        "--lang",
        "en",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("printed "), "{}", stdout(&out));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let png = dir.path().join("map.png");
    let out = wangge(&["print", path_str(&project), "--out", path_str(&png), "--dpi", "40", "--lang", "zh"]);
    // One PNG, or numbered ones when the overview needs detail sheets for readable codes.
    let first = dir.path().join("map-001.png");
    assert!(out.status.success() && (png.exists() || first.exists()), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("已打印"), "{}", stdout(&out));
    for (args, message) in
        [(vec!["--paper", "A5"], "--paper A5"), (vec!["--dpi", "5"], "--dpi"), (vec!["--township", "火星镇"], "火星镇")]
    {
        let mut all = vec!["print", path_str(&project), "--out", path_str(&pdf)];
        all.extend(args);
        let out = wangge(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
    }
    let out = wangge(&["print", path_str(&project), "--out", path_str(&dir.path().join("map.docx"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".pdf, .png or .svg"), "{}", stderr(&out));
}

#[test]
fn words_and_numbers_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    // A project whose grids have no households, and no household points.
    let mut p = crate::common::small_project();
    p.households.clear();
    for g in p.grids.values_mut() {
        g.attrs.households = None;
        g.attrs.population = None;
    }
    let path = dir.path().join("p.gpkg");
    wangge::io::save_project(&p, &path).unwrap();
    let zh = stdout(&wangge(&["stats", path_str(&path), "--lang", "zh"]));
    assert!(zh.contains("户数—") && zh.contains("人口—") && !zh.contains("m²   户"), "{zh}");
    let en = stdout(&wangge(&["stats", path_str(&path), "--lang", "en"]));
    assert!(en.contains("households —") && en.contains("people —"), "{en}");
    // --table says where it wrote, on stderr (stdout stays the JSON when --json is given).
    let csv = dir.path().join("表.csv");
    let out = wangge(&["stats", path_str(&path), "--json", "--table", path_str(&csv), "--lang", "en"]);
    assert!(out.status.success() && csv.exists(), "{}", stderr(&out));
    assert!(serde_json::from_str::<serde_json::Value>(&stdout(&out)).is_ok(), "{}", stdout(&out));
    assert!(stderr(&out).contains(&format!("wrote the grid table (2 grids) to {}", csv.display())), "{}", stderr(&out));
    let out = wangge(&["stats", path_str(&path), "--table", path_str(&csv), "--lang", "zh"]);
    assert!(stderr(&out).contains(&format!("已写出网格一览表（2 个网格）：{}", csv.display())), "{}", stderr(&out));

    // A project without grids: 0.000 km², never "-0.000".
    let root = env!("CARGO_MANIFEST_DIR");
    let sample = format!("{root}/sample-maps/jingxian.gpkg");
    let info = stdout(&wangge(&["info", &sample, "--lang", "en"]));
    assert!(info.contains("grid area: 0.000 km²") && !info.contains("-0.000"), "{info}");
    let info = stdout(&wangge(&["info", &sample, "--lang", "zh"]));
    assert!(info.contains("网格面积合计：0.000 km²") && !info.contains("-0.000"), "{info}");

    // A file with no geometry is said to have none (not to lack a coordinate system).
    let attrs = dir.path().join("attrs.csv");
    std::fs::write(&attrs, "code,name\n1,a\n").unwrap();
    let nulls = dir.path().join("nulls.geojson");
    std::fs::write(
        &nulls,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}"#,
    )
    .unwrap();
    for file in [&attrs, &nulls] {
        let out = wangge(&["check", path_str(file), "--lang", "en"]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(
            err.contains("has a polygon geometry; nothing to check") && !err.contains("coordinate system"),
            "{err}"
        );
        let err = stderr(&wangge(&["check", path_str(file), "--lang", "zh"]));
        assert!(err.contains("没有可检查的网格多边形"), "{err}");
    }
    let empty = dir.path().join("empty.geojson");
    std::fs::write(&empty, r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
    assert!(stderr(&wangge(&["check", path_str(&empty), "--lang", "en"])).contains("the file has no features"));

    // Import messages in the language asked for.
    let county = format!("{root}/sample-maps/jingxian-county.geojson");
    let new = dir.path().join("new.gpkg");
    let out = wangge(&["import", &county, "--into", path_str(&new), "--as", "boundary", "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("正在读取") && err.contains("正在保存") && err.contains("个要素为区域边界"), "{err}");
    assert!(!err.contains("reading") && !err.contains("imported"), "{err}");
    let divisions = format!("{root}/sample-maps/jingxian-divisions.csv");
    let out = wangge(&["import", &divisions, "--into", path_str(&new), "--as", "divisions", "--lang", "en"]);
    let err = stderr(&out);
    assert!(err.contains("reading") && err.contains("imported") && !err.contains("正在"), "{err}");
}

#[test]
fn printed_titles_follow_the_range_from_the_command_line() {
    if !crate::common::debian_tool("pdftotext") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("泾县.gpkg");
    let mut p = wangge::app::load_sample().unwrap();
    wangge::core::coverage::synthetic::fill_with_grids(&mut p, 5_000.0);
    wangge::io::save_project(&p, &project).unwrap();
    let text_of = |pdf: &std::path::Path| crate::common::run_ok("pdftotext", &[path_str(pdf), "-"]);
    let county = dir.path().join("county.pdf");
    let out = wangge(&["print", path_str(&project), "--out", path_str(&county), "--table", "--overview"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = text_of(&county);
    assert!(text.contains("泾县网格划分图") && text.contains("泾县网格一览表"), "{text}");
    assert!(!text.contains("泾县泾川镇"), "a whole-county print is not titled by one township");
    let town = dir.path().join("town.pdf");
    let out = wangge(&[
        "print",
        path_str(&project),
        "--out",
        path_str(&town),
        "--township",
        "泾川镇",
        "--table",
        "--overview",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = text_of(&town);
    assert!(text.contains("泾县泾川镇网格划分图") && text.contains("泾县泾川镇网格一览表"), "{text}");
}

/// The progress bar is drawn on stderr only when it is a terminal: with stderr in a pipe (here) no bar
/// and no carriage return appear, and `--json` output on stdout is one JSON object, whole.
#[test]
fn no_progress_bar_without_a_terminal_and_json_stays_clean() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.gpkg");
    wangge::io::save_project(&small_project(), &project).unwrap();
    for args in [
        vec!["check", path_str(&project), "--json"],
        vec!["code", path_str(&project)],
        vec!["export", path_str(&project), "--to", path_str(&dir.path().join("g.geojson"))],
    ] {
        let out = wangge(&args);
        let err = stderr(&out);
        assert!(!err.contains('\r') && !err.contains("[="), "{args:?}: {err:?}");
        assert!(!err.contains("正在检查") && !err.contains("checking"), "{args:?}: {err:?}");
        if args.contains(&"--json") {
            let text = String::from_utf8_lossy(&out.stdout);
            let v: serde_json::Value = serde_json::from_str(text.trim()).expect("stdout is one JSON object");
            assert_eq!(v["grids"], 2, "{text}");
        }
    }
}
