//! Adding and removing basemaps from the layers panel (issue 14): the form's kinds, a file relative to
//! the project's folder, the project's file rewritten as ours (no "changed on disk" afterwards), a bad
//! file refused with the reason, and an unsaved project told to save first.

use egui_kittest::kittest::Queryable;
use wangge::app::AppState;
use wangge::core::basemap::SourceKind;
use wangge::io::gpkg::list_basemaps;

use super::kittest::{App, click, harness_on, settings_in, state_on_file, status, type_into};

fn choose_kind(h: &mut App, kind: &str) {
    click(h, "类型");
    click(h, kind);
}

#[test]
fn basemaps_are_added_and_removed_in_the_layers_panel() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    wangge::io::save_project(&crate::common::small_project(), &path).unwrap();
    let metadata = [("format", "png"), ("minzoom", "8"), ("maxzoom", "15"), ("attribution", "县自然资源局")];
    crate::tile_files::write_mbtiles(&dir.path().join("影像.mbtiles"), &metadata, []);
    std::fs::write(dir.path().join("坏.mbtiles"), "not a database at all, only some words").unwrap();
    let mut h = harness_on(state_on_file(&path, dir.path()));

    click(&mut h, "添加底图");
    // 天地图影像 by default: the base and its 注记 on top.
    click(&mut h, "添加");
    let names = |p: &std::path::Path| list_basemaps(p).unwrap().into_iter().map(|s| s.name).collect::<Vec<_>>();
    assert_eq!(names(&path), ["天地图影像", "天地图影像注记"], "status: {}", status(&h));
    assert!(!h.state().state.changed_on_disk(), "our own write looks like another program's");
    assert_eq!(h.state().state.ui.view.basemaps.layers.len(), 2);

    // An MBTiles file beside the project, named by the user; its zooms and attribution come from it.
    choose_kind(&mut h, "MBTiles 文件");
    type_into(&mut h, "名称", "正射影像");
    type_into(&mut h, "文件（相对项目文件夹或绝对路径）", "影像.mbtiles");
    click(&mut h, "添加");
    let sources = list_basemaps(&path).unwrap();
    assert_eq!(sources.len(), 3, "status: {}", status(&h));
    let mb = &sources[2];
    assert_eq!(mb.kind, SourceKind::Mbtiles { path: "影像.mbtiles".into() });
    assert_eq!(
        (mb.name.as_str(), mb.min_zoom, mb.max_zoom, mb.attribution.as_str()),
        ("正射影像", 8, 15, "县自然资源局")
    );

    // A file that is not MBTiles: refused, nothing written.
    choose_kind(&mut h, "MBTiles 文件");
    type_into(&mut h, "文件（相对项目文件夹或绝对路径）", "坏.mbtiles");
    click(&mut h, "添加");
    assert_eq!(list_basemaps(&path).unwrap().len(), 3);
    assert!(h.query_by_label_contains("坏.mbtiles：").is_some(), "the bad file is not named: {}", status(&h));

    // Removed with its ×: the panel lists the top of the drawing order first (正射影像, 天地图影像注记, …).
    h.get_all_by_label("×").nth(1).expect("three basemaps, three ×").click();
    h.run();
    assert_eq!(names(&path), ["天地图影像", "正射影像"]);
    assert_eq!(h.state().state.ui.view.basemaps.layers.len(), 2);
    assert!(!h.state().state.changed_on_disk());
}

#[test]
fn an_unsaved_project_is_told_to_save_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(AppState::new(crate::common::small_project(), None, settings_in(dir.path())));
    click(&mut h, "添加底图");
    click(&mut h, "添加");
    assert!(h.query_by_label_contains("请先保存项目").is_some(), "{}", status(&h));
    assert!(h.state().state.ui.view.basemaps.layers.is_empty());
}
