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
    h.get_by_label_contains("泾川镇 341823100 (18) · 0 网格");
    h.get_by_label_contains("泾县 341823 · 0 网格");
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

#[test]
fn the_code_rule_window_previews_and_applies_codes() {
    use geo::{MultiPolygon, polygon};
    use wangge::core::Grid;
    let mut project = wangge::app::load_sample().unwrap();
    let (x, y) = (620_000.0, 3_385_000.0);
    for col in 0..3 {
        let x0 = x + col as f64 * 100.0;
        let mut g = Grid::new(MultiPolygon(vec![
            polygon![(x: x0, y: y), (x: x0 + 100., y: y), (x: x0 + 100., y: y + 100.), (x: x0, y: y + 100.)],
        ]));
        g.village_code = "341823100001".into();
        project.add_grid(g);
    }
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(project, None, Settings::load_from(Some(dir.path().join("settings.txt"))));
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut WanggeApp| app.frame(ui), WanggeApp::new(state));
    h.run();
    h.get_by_label("工具").click();
    h.run();
    h.get_by_label("网格编码规则…").click();
    h.run();
    h.get_by_label_contains("3 个编码将改变");
    h.get_by_label_contains("— → 341823100001001");
    // Before: the checks panel lists the three grids without a valid code.
    h.get_by_label("编码检查 (3)");
    h.get_by_label("应用").click();
    h.run();
    let codes: Vec<String> = h.state().state.project.grids.values().map(|g| g.code.clone()).collect();
    assert_eq!(codes, ["341823100001001", "341823100001002", "341823100001003"]);
    assert!(h.state().state.dirty);
    assert_eq!(h.state().state.project.settings.get("code_rule").map(String::as_str), Some("{village12}{seq:3}"));
    h.get_by_label_contains("所有网格的编码都已符合规则");
    // The checks panel follows: no code issues once the codes are assigned.
    h.get_by_label("编码检查 (0)");
}
