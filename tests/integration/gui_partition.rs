//! Tools › 自动划分网格 (issue 15): the window opens on the township, Preview computes the proposal on a
//! worker thread and shows its summary without changing the project, a change of the options asks for
//! a new preview before Apply, Apply makes the proposal one undoable step — the same grids as
//! `wangge partition` with the same seed, checking clean — and Undo brings the old grid back.

use egui_kittest::kittest::{NodeT, Queryable};
use wangge::core::partition::{PartitionRequest, Selection, plan};
use wangge::io::save_project;
use wangge::io::true_north::ground_axes_for;
use wangge::text::Lang;

use super::kittest::{click, harness_on_project, status, wait_for_job};
use super::partition::project;
use crate::common::{path_str, stdout, wangge};

#[test]
fn a_proposal_is_previewed_applied_as_one_step_and_undone() {
    let dir = tempfile::tempdir().unwrap();
    let original = project();
    let mut h = harness_on_project(original.clone(), &dir);

    click(&mut h, "工具");
    click(&mut h, "自动划分网格…");
    // The township is chosen (no grid was selected); the band comes from the settings.
    assert!(h.query_by_label_contains("泾川镇 341823100").is_some());
    assert!(h.query_by_label_contains("城镇 300–500 户").is_some());

    click(&mut h, "预览");
    wait_for_job(&mut h);
    // The summary per village, and what Apply would do; nothing changed yet.
    let summary = h
        .query_by_label_contains("应用后：新增")
        .map(|n| n.accesskit_node().label().or(n.accesskit_node().value()).unwrap_or_default());
    let summary = summary.unwrap_or_else(|| panic!("no proposal shown; status: {}", status(&h)));
    assert!(summary.contains("删除 1 个原有网格"), "{summary}");
    assert!(h.query_by_label_contains("341823100001：").is_some(), "no report of the west village");
    assert!(h.query_by_label_contains("341823100002：").is_some(), "no report of the east village");
    assert_eq!(h.state().state.doc.project.grids, original.grids, "a preview changes nothing");
    assert!(!h.state().state.doc.dirty);
    // The summary follows a switch of language while the window is open, and back.
    for (lang, words) in [(Lang::En, "Applying adds"), (Lang::Zh, "应用后：新增")] {
        h.state_mut().state.set_lang(lang);
        h.run();
        assert!(h.query_by_label_contains(words).is_some(), "the summary is not in {lang:?}");
    }

    // Changed options: the proposal shown is not what they would give; Apply waits for a new preview.
    click(&mut h, "保留已有网格，只划分未覆盖的部分");
    assert!(h.query_by_label_contains("选项已修改").is_some());
    click(&mut h, "应用");
    assert_eq!(h.state().state.doc.project.grids, original.grids, "applied a proposal for other options");
    click(&mut h, "保留已有网格，只划分未覆盖的部分");
    assert!(h.query_by_label_contains("选项已修改").is_none());
    // The project changed since (here: a rebuild, as after an open or an undone import): not applied.
    let revision = h.state().state.doc.revision;
    h.state_mut().state.changed();
    h.run();
    assert!(h.query_by_label_contains("项目已修改").is_some());
    click(&mut h, "应用");
    assert_eq!(h.state().state.doc.project.grids, original.grids, "applied a proposal for an older project");
    click(&mut h, "预览");
    wait_for_job(&mut h);
    assert!(h.state().state.doc.revision > revision && h.query_by_label_contains("项目已修改").is_none());

    click(&mut h, "应用");
    let after = h.state().state.doc.project.as_ref().clone();
    assert!(status(&h).starts_with("自动划分网格：新增"), "{}", status(&h));
    assert!(h.state().state.doc.dirty);
    // The same grids as the command line gives with the same seed.
    let expected = plan(&original, &PartitionRequest::new(Selection::All), &ground_axes_for(&original.crs)).unwrap();
    let mut cli = original.clone();
    expected.command.apply(&mut cli).unwrap();
    assert_eq!(after.grids, cli.grids);
    assert!(after.grids.len() >= 4);
    assert!(after.grids.values().all(|g| g.code.len() == 15 && g.code.starts_with(&g.village_code)));
    let path = dir.path().join("p.gpkg");
    save_project(&after, &path).unwrap();
    let check = wangge(&["check", path_str(&path), "--json"]);
    assert_eq!(check.status.code(), Some(0), "the applied proposal checks clean: {}", stdout(&check));

    // One step: one undo brings the old grid back.
    h.get_by_label_contains("撤销").click();
    h.run();
    assert_eq!(h.state().state.doc.project.grids, original.grids);
    h.get_by_label_contains("重做").click();
    h.run();
    assert_eq!(h.state().state.doc.project.grids, after.grids);
}

#[test]
fn the_chosen_villages_start_from_the_selection_and_a_bad_band_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on_project(project(), &dir);
    let old = *h.state().state.doc.project.grids.keys().next().unwrap();
    h.state_mut().state.editor.selection.insert(old);
    click(&mut h, "工具");
    click(&mut h, "自动划分网格…");
    assert!(h.query_by_label_contains("已选 1 个村").is_some());

    // A band of its own, empty: said, nothing computed.
    h.get_by_label_contains("按设置的户数范围").click();
    h.run();
    click(&mut h, "每格最少户数");
    h.get_by_label("每格最少户数").type_text("9999");
    h.key_press(eframe::egui::Key::Enter);
    h.run();
    let before = h.state().state.doc.project.grids.clone();
    click(&mut h, "预览");
    assert!(!h.state().job_running());
    assert!(h.query_by_label_contains("户数范围为空").is_some(), "status: {}", status(&h));
    assert_eq!(h.state().state.doc.project.grids, before);
}
