//! The app shell driven like a user with egui_kittest (no display, no GPU): menus, language switch that is
//! remembered, the layers panel with the sample's divisions, and the map's status bar.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use wangge::app::{AppState, Settings, WanggeApp};

fn harness(settings: Settings) -> Harness<'static, WanggeApp> {
    let app = WanggeApp::new(AppState::sample(settings).unwrap());
    let mut harness =
        Harness::builder().with_size([1280.0, 800.0]).build_ui_state(|ui, app: &mut WanggeApp| app.frame(ui), app);
    harness.run();
    harness
}

#[test]
fn opens_on_the_sample_in_chinese_with_its_divisions() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness(Settings::load_from(Some(dir.path().join("settings.txt"))));
    for menu in ["文件", "编辑", "视图", "工具", "帮助"] {
        h.get_by_label(menu);
    }
    h.get_by_label("行政区划 (138)");
    h.get_by_label_contains("泾川镇 341823100 (18)");
    h.get_by_label_contains("EPSG:4548");
    assert_eq!(h.state().state.window_title(), "网格 Wangge — 泾县");
    // The map was fitted to the county once the canvas had its size.
    let vp = h.state().state.view.viewport;
    assert!(vp.world_per_px > 40.0 && vp.world_per_px < 120.0, "{vp:?}");
}

#[test]
fn switching_to_english_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settings.txt");
    let mut h = harness(Settings::load_from(Some(file.clone())));
    h.get_by_label("视图").click();
    h.run();
    h.get_by_label("语言 Language").click();
    h.run();
    h.get_by_label("English").click();
    h.run();
    h.get_by_label("File");
    h.get_by_label("View");
    assert!(h.query_by_label("文件").is_none());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "language=en\n");
    // The next start reads it back.
    let h = harness(Settings::load_from(Some(file)));
    h.get_by_label("File");
}

#[test]
fn project_info_and_rename_through_the_menus() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(Settings::load_from(Some(dir.path().join("settings.txt"))));
    h.get_by_label("工具").click();
    h.run();
    h.get_by_label("项目信息").click();
    h.run();
    h.get_by_label_contains("乡镇 11 个，村（社区）127 个");
    h.get_by_label("关闭").click();
    h.run();
    assert!(h.query_by_label_contains("乡镇 11 个").is_none());
    h.get_by_label("编辑").click();
    h.run();
    h.get_by_label("项目名称").click();
    h.run();
    h.get_by_label("确定").click();
    h.run();
    // Unchanged name: nothing to save.
    assert!(!h.state().state.dirty);
}
