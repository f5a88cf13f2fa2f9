//! The app shell driven like a user with egui_kittest (no display, no GPU): menus, language switch that is
//! remembered, the layers panel with the sample's divisions, and the map's status bar.

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use wangge::app::{AppState, WanggeApp};

use crate::common::square_geojson;
use crate::kittest::{
    click, click_at, harness_on, harness_on_project, radio, sample_harness, settings_in, type_into, wait_for_job,
};

/// Whether the live coverage check reports a gap.
fn has_gap(h: &Harness<'static, WanggeApp>) -> bool {
    h.state()
        .state
        .editor
        .coverage
        .as_ref()
        .unwrap()
        .report()
        .findings
        .iter()
        .any(|f| f.kind == wangge::core::coverage::FindingKind::Gap)
}

#[test]
fn opens_on_the_sample_in_chinese_with_its_divisions() {
    let dir = tempfile::tempdir().unwrap();
    let h = sample_harness(&dir);
    for menu in ["文件", "编辑", "视图", "工具", "帮助"] {
        h.get_by_label(menu);
    }
    h.get_by_label("行政区划 (138)");
    h.get_by_label_contains("泾川镇 341823100 (18) · 0 网格");
    h.get_by_label_contains("泾县 341823 · 0 网格");
    h.get_by_label_contains("EPSG:4548");
    // The coverage panel says which area the grids must cover.
    h.get_by_label("检查范围：项目边界");
    assert_eq!(h.state().state.window_title(), "网格 Wangge — 泾县");
    // The map was fitted to the county once the canvas had its size.
    let vp = h.state().state.ui.view.viewport;
    assert!(vp.world_per_px > 40.0 && vp.world_per_px < 120.0, "{vp:?}");
}

#[test]
fn switching_to_english_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settings.txt");
    let mut h = sample_harness(&dir);
    click(&mut h, "视图");
    click(&mut h, "语言 Language");
    click(&mut h, "English");
    h.get_by_label("File");
    h.get_by_label("View");
    assert!(h.query_by_label("文件").is_none());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "language=en\n");
    // The next start reads it back.
    let h = sample_harness(&dir);
    h.get_by_label("File");
}

#[test]
fn project_info_and_rename_through_the_menus() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    click(&mut h, "工具");
    click(&mut h, "项目信息");
    h.get_by_label_contains("乡镇 11 个，村（社区）127 个");
    click(&mut h, "关闭");
    assert!(h.query_by_label_contains("乡镇 11 个").is_none());
    click(&mut h, "编辑");
    click(&mut h, "项目名称");
    click(&mut h, "确定");
    // Unchanged name: nothing to save.
    assert!(!h.state().state.doc.dirty);
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
    let mut h = harness_on_project(project, &dir);
    click(&mut h, "工具");
    click(&mut h, "网格编码规则…");
    h.get_by_label_contains("3 个编码将改变");
    h.get_by_label_contains("— → 341823100001001");
    // Before: the checks panel lists the three grids without a valid code.
    h.get_by_label("编码检查 (3)");
    click(&mut h, "应用");
    let codes: Vec<String> = h.state().state.doc.project.grids.values().map(|g| g.code.clone()).collect();
    assert_eq!(codes, ["341823100001001", "341823100001002", "341823100001003"]);
    assert!(h.state().state.doc.dirty);
    assert_eq!(h.state().state.doc.project.settings.get("code_rule").map(String::as_str), Some("{village12}{seq:3}"));
    h.get_by_label_contains("所有网格的编码都已符合规则");
    // The checks panel follows: no code issues once the codes are assigned.
    h.get_by_label("编码检查 (0)");
}

fn grid_count(h: &Harness<'static, WanggeApp>) -> usize {
    h.state().state.doc.project.grids.len()
}

#[test]
fn draw_a_grid_with_the_toolbar_and_canvas_then_undo_and_redo_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    h.get_by_label_contains("绘制网格").click();
    h.run();
    for (x, y) in [(500.0, 330.0), (700.0, 330.0), (700.0, 500.0), (500.0, 500.0)] {
        click_at(&mut h, egui::Pos2::new(x, y));
    }
    assert_eq!(h.state().state.editor.tool.preview().path.len(), 4);
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(grid_count(&h), 1, "status: {}", h.state().state.ui.status);
    assert!(h.state().state.doc.dirty);
    assert!(h.state().state.window_title().ends_with(" *"));
    // Drawn inside the county, nothing was clipped: the status bar says what was done, and the live
    // coverage check still reports the rest of the county as uncovered.
    assert!(h.state().state.ui.status.starts_with("绘制网格"), "{}", h.state().state.ui.status);
    assert!(has_gap(&h));
    h.get_by_label_contains("撤销").click();
    h.run();
    assert_eq!(grid_count(&h), 0);
    h.get_by_label_contains("重做").click();
    h.run();
    assert_eq!(grid_count(&h), 1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(grid_count(&h), 0);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Y);
    h.run();
    assert_eq!(grid_count(&h), 1);
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::Z);
    h.run();
    assert_eq!(grid_count(&h), 1, "nothing left to redo");

    // Select it with the S key and a click, then edit its households in the attribute panel.
    h.key_press(egui::Key::S);
    h.run();
    click_at(&mut h, egui::Pos2::new(600.0, 420.0));
    assert_eq!(h.state().state.editor.selection.len(), 1);
    h.get_by_label("网格属性");
    h.get_by_label("户数").focus();
    h.run();
    h.get_by_label("户数").type_text("3x");
    h.run();
    h.get_by_label_contains("请输入不小于 0 的整数");
    // Apply is disabled while a field is wrong: clicking it changes nothing.
    click(&mut h, "应用");
    assert!(h.state().state.doc.project.grids.values().all(|g| g.attrs.households.is_none()));
    h.get_by_label("户数").focus();
    h.run();
    h.key_press(egui::Key::Backspace);
    h.run();
    h.get_by_label("电话").focus();
    h.run();
    h.get_by_label("电话").type_text("0563-5021234");
    h.run();
    click(&mut h, "应用");
    let id = *h.state().state.editor.selection.iter().next().unwrap();
    let grid = &h.state().state.doc.project.grids[&id];
    assert_eq!((grid.attrs.households, grid.attrs.phone.as_str()), (Some(3), "0563-5021234"));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(h.state().state.doc.project.grids[&id].attrs.households, None, "attribute edits are undoable");
    // Delete removes the selection (one undoable step).
    h.key_press(egui::Key::Delete);
    h.run();
    assert_eq!(grid_count(&h), 0);
}

fn viewport_commands(h: &Harness<'static, WanggeApp>) -> Vec<egui::ViewportCommand> {
    h.output().viewport_output.get(&egui::ViewportId::ROOT).map(|v| v.commands.clone()).unwrap_or_default()
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    // Nothing changed yet: closing is not held up.
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.step();
    assert!(!viewport_commands(&h).contains(&egui::ViewportCommand::CancelClose));
    h.run();
    // Draw a grid, then try to close.
    h.key_press(egui::Key::D);
    h.run();
    for (x, y) in [(500.0, 330.0), (700.0, 330.0), (600.0, 500.0)] {
        click_at(&mut h, egui::Pos2::new(x, y));
    }
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(h.state().state.doc.dirty);
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.step();
    assert!(viewport_commands(&h).contains(&egui::ViewportCommand::CancelClose), "{:?}", viewport_commands(&h));
    h.run();
    h.get_by_label("项目有未保存的修改。关闭前要保存吗？");
    click(&mut h, "取消");
    assert!(h.query_by_label("项目有未保存的修改。关闭前要保存吗？").is_none());
    assert_eq!(grid_count(&h), 1, "cancel keeps everything");
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.run();
    h.get_by_label("不保存").click();
    h.step();
    assert!(viewport_commands(&h).contains(&egui::ViewportCommand::Close), "{:?}", viewport_commands(&h));
}

#[test]
fn file_print_previews_the_pages_and_writes_the_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::P);
    h.run();
    h.get_by_label("网格划分图（总图）");
    h.get_by_label_contains("预览 第 1 / 1");
    click(&mut h, "网格一览表");
    h.get_by_label_contains("预览 第 1 / 2");
    click(&mut h, "下一页");
    h.get_by_label_contains("预览 第 2 / 2");
    let out = dir.path().join("泾县.pdf");
    h.get_by_label("输出文件").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label("输出文件").type_text(out.to_str().unwrap());
    h.run();
    // Printed on a worker thread: the status bar says so (held here so the line is seen), then it lands.
    h.state().job_gate.hold();
    click(&mut h, "打印到文件");
    h.get_by_label_contains("正在打印");
    h.state().job_gate.release();
    wait_for_job(&mut h);
    let pdf = std::fs::read(&out).expect("the PDF was written");
    assert!(pdf.starts_with(b"%PDF"), "{}", h.state().state.ui.status);
    assert!(h.state().state.ui.status.starts_with("已打印"), "{}", h.state().state.ui.status);
}

#[test]
fn coverage_panel_zooms_to_a_finding_previews_its_fix_and_applies_it_undoably() {
    use geo::{MultiPolygon, polygon};
    use wangge::core::{Grid, Project};
    let mut p = Project::new("缝隙", wangge::io::crs::crs_from_epsg(4548).unwrap());
    let (x, y) = (620_000.0, 3_385_000.0);
    p.boundary = MultiPolygon(vec![
        polygon![(x: x, y: y), (x: x + 200.0, y: y), (x: x + 200.0, y: y + 100.0), (x: x, y: y + 100.0)],
    ]);
    // Two grids with a 20 m strip between them: a gap, whose fix makes it a new grid or joins it.
    for x0 in [x, x + 120.0] {
        p.add_grid(Grid::new(MultiPolygon(vec![
            polygon![(x: x0, y: y), (x: x0 + 80.0, y: y), (x: x0 + 80.0, y: y + 100.0), (x: x0, y: y + 100.0)],
        ])));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on_project(p, &dir);
    h.get_by_label_contains("缝隙/未覆盖 (1)");
    h.get_by_label_contains("边界内有未覆盖区域").click();
    h.run();
    assert_eq!(h.state().state.editor.picked_finding, Some(0));
    let centre = h.state().state.ui.view.viewport.centre_in_world;
    assert!(
        (centre.x - (x + 100.0)).abs() < 1e-6 && (centre.y - (y + 50.0)).abs() < 1e-6,
        "centred on the gap: {centre:?}"
    );
    assert!(!h.state().state.editor.picked_fixes.is_empty());
    h.get_by_label_contains("作为新网格").hover();
    let preview = h.query_all_by_label("预览").next().unwrap();
    preview.click();
    h.run();
    assert!(h.state().state.editor.previewed_fix.is_some());
    let j = h.state().state.editor.previewed_fix.unwrap();
    let grids_before = h.state().state.doc.project.grids.len();
    h.query_all_by_label("应用").nth(j).unwrap().click();
    h.run();
    assert!(
        h.state().state.editor.coverage.as_ref().unwrap().report().ok(),
        "{:?}",
        h.state().state.editor.coverage.as_ref().unwrap().report().findings
    );
    h.get_by_label_contains("无重叠、无缝隙、公共边一致");
    let after = h.state().state.doc.project.grids.len();
    assert!(after == grids_before || after == grids_before + 1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(
        h.state().state.editor.coverage.as_ref().unwrap().report().count(wangge::core::coverage::FindingKind::Gap),
        1,
        "the fix is undoable"
    );
}

/// Fills the import form (File › Import layer…) with a path and a target layer and presses OK.
pub(crate) fn import_through_the_form(h: &mut Harness<'static, WanggeApp>, src: &std::path::Path, layer: &str) {
    click(h, "文件");
    click(h, "导入图层… ");
    type_into(h, "源文件", src.to_str().unwrap());
    // The layers panel has a checkbox of the same name: the radio button is the form's.
    radio(h, layer);
    click(h, "确定");
    wait_for_job(h);
}

#[test]
fn an_import_that_replaces_the_boundary_asks_first_and_is_undoable() {
    let dir = tempfile::tempdir().unwrap();
    let project = crate::common::small_project();
    let old_boundary = project.boundary.clone();
    let mut h = harness_on_project(project, &dir);
    let src = dir.path().join("outline.geojson");
    square_geojson(&src, 4548, (619_000.0, 3_384_000.0), 4000.0, "{}");
    import_through_the_form(&mut h, &src, "区域边界");
    // Asked, saying what would be lost; nothing changed yet.
    h.get_by_label_contains("项目已有区域边界（1 个多边形，2.0 km²）。导入此文件将替换它");
    assert_eq!(h.state().state.doc.project.boundary, old_boundary);
    assert!(!h.state().state.doc.dirty);
    // Cancel: back to the form as it was filled in, the project untouched.
    click(&mut h, "取消");
    assert!(h.query_by_label_contains("项目已有区域边界").is_none());
    assert_eq!(h.state().state.doc.project.boundary, old_boundary);
    click(&mut h, "确定");
    wait_for_job(&mut h);
    click(&mut h, "替换");
    let replaced = h.state().state.doc.project.boundary.clone();
    assert_ne!(replaced, old_boundary);
    assert!((geo::Area::unsigned_area(&replaced) - 16e6).abs() < 1.0, "the 4 km × 4 km outline");
    assert!(h.state().state.doc.dirty);
    assert!(h.state().state.ui.status.starts_with("已导入: 1 × 区域边界"), "{}", h.state().state.ui.status);
    // The live coverage check follows the new boundary (the grids cover only part of it now).
    assert!(has_gap(&h));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(h.state().state.doc.project.boundary, old_boundary, "undo gives the old boundary back exactly");
    assert!(h.state().state.ui.status.contains("导入"), "{}", h.state().state.ui.status);
    assert!(!has_gap(&h));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Y);
    h.run();
    assert_eq!(h.state().state.doc.project.boundary, replaced, "and redo replaces it again");

    // Adding grids asks nothing, and is one undoable step too.
    let grids = dir.path().join("grids.geojson");
    square_geojson(&grids, 4548, (624_000.0, 3_385_000.0), 500.0, "{}");
    let before = h.state().state.doc.project.grids.clone();
    import_through_the_form(&mut h, &grids, "网格");
    assert!(h.query_by_label("替换").is_none());
    assert_eq!(h.state().state.doc.project.grids.len(), before.len() + 1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(h.state().state.doc.project.grids, before);
}

#[test]
fn saving_over_a_file_changed_on_disk_asks_to_reload_overwrite_or_save_as() {
    use wangge::io::{open_project, save_project};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    let mut ours = crate::common::small_project();
    save_project(&ours, &path).unwrap();
    let mut state = AppState::new(ours.clone(), None, settings_in(dir.path()));
    state.open(&path).unwrap();
    let mut h = harness_on(state);
    // Our own saves never ask.
    for _ in 0..2 {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
        h.run();
        assert!(h.query_by_label("覆盖").is_none());
        assert!(h.state().state.ui.status.starts_with("已保存"), "{}", h.state().state.ui.status);
    }
    // Another program (`wangge code`, QGIS …) saves over it while it is open here.
    let mut theirs = ours.clone();
    theirs.name = "他们的修改".into();
    save_project(&theirs, &path).unwrap();
    let on_disk = std::fs::read(&path).unwrap();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    h.get_by_label_contains("已被其他程序修改（例如 wangge code 或 QGIS）。保存将覆盖那些修改。");
    assert_eq!(std::fs::read(&path).unwrap(), on_disk, "nothing written before the answer");
    h.get_by_label("另存为…");
    // Overwrite: our project is written.
    click(&mut h, "覆盖");
    assert_eq!(open_project(&path).unwrap().name, ours.name);
    assert!(h.query_by_label("覆盖").is_none());
    // Changed again behind our back, and an edit here: reload takes theirs and drops ours.
    save_project(&theirs, &path).unwrap();
    ours.name = "这里的修改".into();
    std::sync::Arc::make_mut(&mut h.state_mut().state.doc.project).name = ours.name.clone();
    h.state_mut().state.doc.dirty = true;
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    click(&mut h, "重新载入（放弃这里的修改）");
    assert_eq!(h.state().state.doc.project.name, theirs.name);
    assert!(!h.state().state.doc.dirty);
    assert_eq!(open_project(&path).unwrap().name, theirs.name, "reload writes nothing");
    // Reloaded: the next save is ours to make without a question.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    assert!(h.query_by_label("覆盖").is_none());
    // Cancel leaves both as they are.
    save_project(&ours, &path).unwrap();
    let on_disk = std::fs::read(&path).unwrap();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    click(&mut h, "取消");
    assert_eq!(std::fs::read(&path).unwrap(), on_disk);
    assert_eq!(h.state().state.doc.project.name, theirs.name);
}

/// The title box of the print window follows the range chosen, until the user types a title of their own.
#[test]
fn print_title_follows_the_range_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::P);
    h.run();
    let title = |h: &Harness<'static, WanggeApp>| h.get_by_label("标题").accesskit_node().value().unwrap_or_default();
    assert_eq!(title(&h), "泾县网格划分图");
    click(&mut h, "范围");
    // The layer tree names 泾川镇 too: the option is the selectable one of the open combo box.
    h.query_all_by_label("泾川镇").last().expect("the 泾川镇 option").click();
    h.run();
    assert_eq!(title(&h), "泾县泾川镇网格划分图");
    click(&mut h, "范围");
    click(&mut h, "全部");
    assert_eq!(title(&h), "泾县网格划分图");
    // A typed title stays whatever the range.
    h.get_by_label("标题").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    h.get_by_label("标题").type_text("城南网格图");
    h.run();
    click(&mut h, "范围");
    h.query_all_by_label("泾川镇").last().expect("the 泾川镇 option").click();
    h.run();
    assert_eq!(title(&h), "城南网格图");
}
