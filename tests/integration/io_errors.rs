//! A broken file is said to be broken in the run's language (#12 "one language per run"): the command
//! line's `--lang`, the app's UI language — with the file and the feature, and exit status 2.

use std::path::Path;

use egui_kittest::kittest::Queryable;
use wangge::app::AppState;

use crate::common::{path_str, stderr, wangge};
use crate::kittest::{harness_on, settings_in};

/// Two grids in EPSG:4548, the second with a ring of two distinct points.
fn broken_grids(path: &Path) {
    let (x, y) = (620_100.0, 3_385_100.0);
    std::fs::write(
        path,
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4548"}}}},"features":[
{{"type":"Feature","properties":{{"code":"a"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x2},{y}],[{x2},{y2}],[{x},{y2}],[{x},{y}]]]}}}},
{{"type":"Feature","properties":{{"code":"b"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x2},{y}],[{x},{y}]]]}}}}]}}"#,
            x2 = x + 100.0,
            y2 = y + 100.0
        ),
    )
    .unwrap();
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn import_says_what_is_wrong_in_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("村网格.geojson");
    broken_grids(&src);
    let project = dir.path().join("p.gpkg");
    let import =
        |lang: &str| wangge(&["import", path_str(&src), "--into", path_str(&project), "--as", "grids", "--lang", lang]);

    let zh = import("zh");
    assert_eq!(zh.status.code(), Some(2), "{}", stderr(&zh));
    let want = format!("wangge: 文件 {} 第 2 个要素：多边形有一个环只有 2 个不同的点（至少需要 3 个）", src.display());
    assert!(stderr(&zh).contains(&want), "{}", stderr(&zh));
    assert!(!stderr(&zh).contains("feature 2") && !stderr(&zh).contains("polygon ring"), "{}", stderr(&zh));

    let en = import("en");
    assert_eq!(en.status.code(), Some(2), "{}", stderr(&en));
    let want =
        format!("wangge: {}: feature 2: a polygon ring has 2 distinct points; it needs at least 3", src.display());
    assert!(stderr(&en).contains(&want), "{}", stderr(&en));
    assert!(!has_cjk(&stderr(&en).replace(path_str(&src), "")), "{}", stderr(&en));
    assert!(!project.exists(), "nothing was saved");
}

#[test]
fn check_says_what_is_wrong_in_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("grids.geojson");
    std::fs::write(
        &src,
        r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[118.4,30.7],[118.41,30.7],[118.41,30.71],[118.4,30.7]]]}},
{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[118.4,30.7],[200.0,30.7],[118.41,30.71],[118.4,30.7]]]}}]}"#,
    )
    .unwrap();
    let zh = wangge(&["check", path_str(&src), "--lang", "zh"]);
    assert_eq!(zh.status.code(), Some(2), "{}", stderr(&zh));
    let want = format!("文件 {} 第 2 个要素：坐标（200, 30.7）超出了经纬度的范围", src.display());
    assert!(stderr(&zh).contains(&want), "{}", stderr(&zh));
    let en = wangge(&["check", path_str(&src), "--lang", "en"]);
    assert_eq!(en.status.code(), Some(2), "{}", stderr(&en));
    let want =
        format!("{}: feature 2: coordinate (200, 30.7) is outside the range of longitude/latitude", src.display());
    assert!(stderr(&en).contains(&want), "{}", stderr(&en));
    // A file that is not there: the operating system's words are said in the language too.
    let gone = dir.path().join("gone.geojson");
    let zh = wangge(&["check", path_str(&gone), "--lang", "zh"]);
    assert_eq!(zh.status.code(), Some(2), "{}", stderr(&zh));
    assert!(stderr(&zh).contains(&format!("文件 {}：文件不存在", gone.display())), "{}", stderr(&zh));
}

/// `--crs` that names no CRS: refused in the run's language, before anything is read.
#[test]
fn an_unknown_crs_is_refused_in_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("g.geojson");
    broken_grids(&src);
    let project = dir.path().join("p.gpkg");
    let args = |lang| {
        ["import", path_str(&src), "--into", path_str(&project), "--as", "grids", "--crs", "mars", "--lang", lang]
    };
    let zh = wangge(&args("zh"));
    assert_eq!(zh.status.code(), Some(2), "{}", stderr(&zh));
    assert!(stderr(&zh).contains("无法识别的坐标系“mars”"), "{}", stderr(&zh));
    let en = wangge(&args("en"));
    assert!(stderr(&en).contains("unknown CRS \"mars\""), "{}", stderr(&en));
}

/// In the app with the UI in Chinese, a broken file's import is refused in Chinese, in the error
/// dialog; the open dialog follows a change of language.
#[test]
fn the_app_says_an_import_error_in_the_ui_language() {
    let dir = tempfile::tempdir().unwrap();
    let project = crate::common::small_project();
    let grids_before = project.grids.clone();
    let mut state = AppState::new(project, None, settings_in(dir.path()));
    state.set_lang(wangge::text::Lang::Zh);
    let mut h = harness_on(state);
    let src = dir.path().join("村网格.geojson");
    broken_grids(&src);
    crate::gui::import_through_the_form(&mut h, &src, "网格");
    let want = format!("文件 {} 第 2 个要素：多边形有一个环只有 2 个不同的点（至少需要 3 个）", src.display());
    h.get_by_label(&want);
    assert_eq!(h.state().state.doc.project.grids, grids_before, "nothing imported");
    h.state_mut().state.set_lang(wangge::text::Lang::En);
    h.run();
    let want = format!("{}: feature 2: a polygon ring has 2 distinct points; it needs at least 3", src.display());
    h.get_by_label(&want);
    assert_eq!(h.query_all_by_label_contains("个要素").count(), 0, "nothing left in Chinese");
}

/// The streaming GeoJSON reader meets broken shapes itself (a collection without "features", a position
/// of one number): said in the run's language too, not in the GeoJSON library's English.
#[test]
fn geojson_shape_errors_follow_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let no_features = dir.path().join("a.geojson");
    std::fs::write(&no_features, r#"{"type":"FeatureCollection"}"#).unwrap();
    let short = dir.path().join("b.geojson");
    std::fs::write(
        &short,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[1,2],[3],[1,2]]]}}]}"#,
    )
    .unwrap();
    for (file, zh, en) in [
        (&no_features, "FeatureCollection 缺少 \"features\"", "a FeatureCollection needs \"features\""),
        (
            &short,
            "第 1 个要素：一个坐标至少需要两个数（x, y），这里是 [3]",
            "feature 1: a position needs at least two numbers (x, y), found [3]",
        ),
    ] {
        let out = wangge(&["check", path_str(file), "--lang", "zh"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(zh), "{}", stderr(&out));
        let out = wangge(&["check", path_str(file), "--lang", "en"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(en), "{}", stderr(&out));
        assert!(!has_cjk(&stderr(&out)), "{}", stderr(&out));
    }
}

/// `wangge basemap add`: OpenStreetMap carries its attribution however it is given (its tile policy), and
/// a URL that is not a tile template is refused in the run's language.
#[test]
fn basemap_add_osm_has_its_attribution_and_a_bad_template_is_said_in_the_language() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.gpkg");
    wangge::io::save_project(&wangge::app::load_sample().unwrap(), &project).unwrap();
    let p = path_str(&project);
    for args in [
        vec!["basemap", p, "add", "osm", "--osm"],
        vec!["basemap", p, "add", "osm-url", "--xyz", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"],
    ] {
        let out = wangge(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let sources = wangge::io::gpkg::list_basemaps(&project).unwrap();
    assert_eq!(sources.len(), 2);
    assert!(sources.iter().all(|s| s.attribution.contains("OpenStreetMap")), "{sources:?}");
    let zh = wangge(&["basemap", p, "add", "x", "--xyz", "tiles/{z}/{x}/{y}", "--lang", "zh"]);
    assert_eq!(zh.status.code(), Some(2));
    assert!(stderr(&zh).contains("不是瓦片地址模板：tiles/{z}/{x}/{y}"), "{}", stderr(&zh));
    let en = wangge(&["basemap", p, "add", "x", "--xyz", "tiles/{z}/{x}/{y}", "--lang", "en"]);
    assert!(stderr(&en).contains("not a tile URL template"), "{}", stderr(&en));
    assert_eq!(wangge::io::gpkg::list_basemaps(&project).unwrap().len(), 2, "nothing added by a refused call");
}
