//! Editing many grids at once and the small things a desktop GIS user expects, driven like a user
//! with egui_kittest: the attribute panel for several grids (多个值, one undoable step), the searchable
//! village drop-down, a new grid selected after draw / split / fill, validation messages that never
//! widen the panel, grids reshaped live while a shared vertex is dragged, Undo/Redo icons that point
//! the right way, Escape closing menus and dialogs, and a status bar that follows the language.

use std::collections::BTreeSet;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use geo::{Coord, MultiPolygon, polygon};
use wangge::app::WanggeApp;
use wangge::core::{Grid, GridId, GridKind, Project};

use crate::kittest::{click, click_at, harness_on_project, press, sample_harness, status};

const X0: f64 = 620_000.0;
const Y0: f64 = 3_385_000.0;

fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![(x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size)]])
}

/// The small project's township and villages, a 1 km square boundary and four 500 m grids meeting at
/// its centre (the north-east one left out with `gap`): two in 城南居委会 (heads 王芳 and 李强), two in
/// 双坑村委会 (head 王芳); all with the same phone.
fn four_grids(gap: bool) -> Project {
    let mut p = crate::common::small_project();
    p.grids.clear();
    p.households.clear();
    p.boundary = square(X0, Y0, 1000.0);
    let cells = [
        (0.0, 0.0, "341823100001", "王芳"),
        (0.0, 500.0, "341823100001", "李强"),
        (500.0, 0.0, "341823100201", "王芳"),
        (500.0, 500.0, "341823100201", "王芳"),
    ];
    for (i, (dx, dy, village, head)) in cells.into_iter().enumerate() {
        if gap && i == 3 {
            continue;
        }
        let mut g = Grid::new(square(X0 + dx, Y0 + dy, 500.0));
        g.code = format!("{village}00{}", i + 1);
        g.name = format!("第{}网格", i + 1);
        g.village_code = village.into();
        g.attrs.grid_head = head.into();
        g.attrs.phone = "13905631234".into();
        g.attrs.households = Some(300 + i as u32);
        p.add_grid(g);
    }
    p
}

/// Where a map position is on the screen: the pointer is put somewhere on the map, and the canvas says
/// where that is in the world.
fn screen_of(h: &mut Harness<'static, WanggeApp>, world: Coord<f64>) -> egui::Pos2 {
    let probe = egui::Pos2::new(640.0, 420.0);
    h.hover_at(probe);
    h.run();
    let at = h.state().state.ui.cursor_in_world.expect("the pointer is on the map");
    let vp = h.state().state.ui.view.viewport;
    let (a, b) = (vp.to_screen(at), vp.to_screen(world));
    egui::Pos2::new(probe.x + (b.x - a.x) as f32, probe.y + (b.y - a.y) as f32)
}

fn world(dx: f64, dy: f64) -> Coord<f64> {
    Coord { x: X0 + dx, y: Y0 + dy }
}

fn selection(h: &Harness<'static, WanggeApp>) -> BTreeSet<GridId> {
    h.state().state.editor.selection.clone()
}

#[test]
fn several_grids_edit_their_shared_fields_in_one_undoable_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on_project(four_grids(false), &dir);
    let before = h.state().state.doc.project.grids.clone();
    // Select three grids: Shift+click adds to the selection.
    let ids: Vec<GridId> = before.keys().copied().take(3).collect();
    for (i, (dx, dy)) in [(250.0, 250.0), (250.0, 750.0), (750.0, 250.0)].into_iter().enumerate() {
        let at = screen_of(&mut h, world(dx, dy));
        h.hover_at(at);
        h.run();
        let modifiers = if i == 0 { egui::Modifiers::NONE } else { egui::Modifiers::SHIFT };
        h.event(egui::Event::ModifiersChanged(modifiers));
        for pressed in [true, false] {
            h.event(egui::Event::PointerButton { pos: at, button: egui::PointerButton::Primary, pressed, modifiers });
            h.run();
        }
        h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
        h.run_steps(30);
    }
    assert_eq!(selection(&h), ids.iter().copied().collect::<BTreeSet<_>>());
    // The panel stays, for the fields they share; code and name are set grid by grid.
    h.get_by_label("网格属性");
    h.get_by_label_contains("已选 3 个网格");
    assert!(h.query_by_label("编码").is_none() && h.query_by_label("名称").is_none());
    // Villages and heads differ: 多个值 (the head's field is empty, with 多个值 as its hint); the phone
    // is the same in all three and shows.
    assert_eq!(h.get_by_label("所属村/社区").value().as_deref(), Some("多个值"));
    assert_eq!(h.get_by_label("电话").value().as_deref(), Some("13905631234"));
    assert_eq!(h.get_by_label("网格长").value().as_deref(), Some(""));
    // Nothing edited yet: nothing to apply.
    click(&mut h, "应用");
    assert_eq!(h.state().state.doc.project.grids, before);
    assert!(!h.state().state.doc.history.can_undo());

    // A wrong phone is refused for all of them.
    h.get_by_label("电话").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("电话").type_text("12345");
    h.run();
    h.get_by_label_contains("“12345”不是 11 位手机号");
    click(&mut h, "应用");
    assert_eq!(h.state().state.doc.project.grids, before);
    h.get_by_label("电话").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("电话").type_text("0563-5021234");
    h.run();
    // The grid staff for all three, and they become dedicated grids.
    h.get_by_label("网格员").focus();
    h.run();
    h.get_by_label("网格员").type_text("张伟");
    h.run();
    click(&mut h, "专属网格");
    click(&mut h, "应用");
    let after = h.state().state.doc.project.grids.clone();
    for id in &ids {
        let (g, old) = (&after[id], &before[id]);
        assert_eq!(
            (g.attrs.grid_staff.as_str(), g.attrs.phone.as_str(), g.kind),
            ("张伟", "0563-5021234", GridKind::Dedicated)
        );
        // What was left at 多个值, and what is per grid, is each grid's own still.
        assert_eq!(
            (&g.code, &g.name, &g.village_code, &g.attrs.grid_head),
            (&old.code, &old.name, &old.village_code, &old.attrs.grid_head)
        );
        assert_eq!(g.attrs.households, old.attrs.households);
    }
    let fourth = *before.keys().nth(3).unwrap();
    assert_eq!(after[&fourth], before[&fourth], "a grid not selected is not touched");
    assert!(status(&h).contains("3 个网格"), "{}", status(&h));
    // One step: one undo gives all three back.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(h.state().state.doc.project.grids, before);
    assert!(!h.state().state.doc.history.can_undo());
    // The form follows the undo.
    assert_eq!(h.get_by_label("网格员").value().as_deref(), Some(""));
}

#[test]
fn the_village_drop_down_finds_villages_by_name_or_code_under_their_township() {
    let dir = tempfile::tempdir().unwrap();
    let mut project = wangge::app::load_sample().unwrap();
    assert_eq!(project.villages().count(), 127);
    let mut g = Grid::new(square(X0, Y0, 500.0));
    g.village_code = "341823100001".into();
    let id = project.add_grid(g);
    let mut h = harness_on_project(project, &dir);
    h.state_mut().state.editor.selection = BTreeSet::from([id]);
    h.run();
    // Escape closes the list (and only the list).
    click(&mut h, "所属村/社区");
    h.get_by_label("搜索村/社区");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label("搜索村/社区").is_none());
    assert_eq!(selection(&h), BTreeSet::from([id]));
    click(&mut h, "所属村/社区");
    // The list opens with its search box focused; everything is there, under the townships.
    let search = h.get_by_label("搜索村/社区");
    assert!(search.is_focused());
    h.get_by_label("茂林镇");
    h.get_by_label("汀溪乡");
    search.type_text("铜山");
    h.run();
    h.get_by_label_contains("铜山村村委会 341823101212");
    h.get_by_label("茂林镇");
    assert!(h.query_by_label("汀溪乡").is_none(), "other townships are filtered out");
    assert!(h.query_by_label_contains("茂林村社区居委会").is_none());
    // By code, too.
    h.get_by_label("搜索村/社区").focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("搜索村/社区").type_text("341823101001");
    h.run();
    h.get_by_label_contains("茂林村社区居委会 341823101001").click();
    h.run();
    assert!(h.query_by_label("搜索村/社区").is_none(), "choosing closes the list");
    click(&mut h, "应用");
    assert_eq!(h.state().state.doc.project.grids[&id].village_code, "341823101001");
}

#[test]
fn a_drawn_split_or_filled_grid_is_selected_for_its_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on_project(four_grids(true), &dir);
    let three: BTreeSet<GridId> = h.state().state.doc.project.grids.keys().copied().collect();
    // Fill the missing quadrant: the new grid is selected, its form open.
    h.key_press(egui::Key::F);
    h.run();
    let gap = screen_of(&mut h, world(750.0, 750.0));
    click_at(&mut h, gap);
    let filled: BTreeSet<GridId> =
        h.state().state.doc.project.grids.keys().copied().filter(|id| !three.contains(id)).collect();
    assert_eq!(filled.len(), 1, "{}", status(&h));
    assert_eq!(selection(&h), filled);
    h.get_by_label("网格属性");
    assert_eq!(h.get_by_label("编码").value().as_deref(), Some(""));

    // Split the south-west grid across: the new piece (no code yet) is selected; the piece that keeps
    // the grid's id keeps its code.
    let sw = *three.iter().next().unwrap();
    h.key_press(egui::Key::X);
    h.run();
    for (dx, dy) in [(100.0, 600.0), (250.0, 250.0), (600.0, 250.0)] {
        let at = screen_of(&mut h, world(dx, dy));
        click_at(&mut h, at);
    }
    h.key_press(egui::Key::Enter);
    h.run();
    let grids = h.state().state.doc.project.grids.clone();
    assert_eq!(grids.len(), 5, "{}", status(&h));
    let new_piece = *grids.keys().max().unwrap();
    assert_eq!(selection(&h), BTreeSet::from([new_piece]));
    assert!(grids[&new_piece].code.is_empty());
    assert!(!grids[&sw].code.is_empty());
    h.get_by_label("编码");

    // The next line across the piece that was not selected still cuts it.
    for (dx, dy) in [(600.0, 100.0), (100.0, 100.0), (100.0, 600.0)] {
        let at = screen_of(&mut h, world(dx, dy));
        click_at(&mut h, at);
    }
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().state.doc.project.grids.len(), 6, "{}", status(&h));
    assert_eq!(selection(&h).len(), 1);

    // Draw a grid on the sample: it is selected.
    let mut h = sample_harness(&dir);
    h.key_press(egui::Key::D);
    h.run();
    for (x, y) in [(500.0, 330.0), (700.0, 330.0), (700.0, 500.0), (500.0, 500.0)] {
        click_at(&mut h, egui::Pos2::new(x, y));
    }
    h.key_press(egui::Key::Enter);
    h.run();
    let drawn: BTreeSet<GridId> = h.state().state.doc.project.grids.keys().copied().collect();
    assert_eq!(drawn.len(), 1);
    assert_eq!(selection(&h), drawn);
    h.get_by_label("户数").focus();
    h.run();
    h.get_by_label("户数").type_text("320");
    h.run();
    click(&mut h, "应用");
    assert_eq!(h.state().state.doc.project.grids.values().next().unwrap().attrs.households, Some(320));
}

#[test]
fn a_validation_message_never_widens_the_panel() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on_project(four_grids(false), &dir);
    let map_width = |h: &Harness<'static, WanggeApp>| h.state().state.ui.view.viewport.size_on_screen.x;
    let first = *h.state().state.doc.project.grids.keys().next().unwrap();
    h.state_mut().state.editor.selection = BTreeSet::from([first]);
    h.run();
    let before = map_width(&h);
    h.get_by_label("电话").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    let wrong = "0563-50212345678901234567890123456789，13905631234，0563-98765432109876543210";
    h.get_by_label("电话").type_text(wrong);
    h.run();
    h.get_by_label_contains("不是 11 位手机号");
    assert_eq!(map_width(&h), before, "the message is wrapped to the panel, the map keeps its width");
    // The same for several grids.
    h.state_mut().state.editor.selection = h.state().state.doc.project.grids.keys().copied().collect();
    h.run();
    h.get_by_label("电话").focus();
    h.run();
    h.get_by_label("电话").type_text(wrong);
    h.run();
    h.get_by_label_contains("不是 11 位手机号");
    assert_eq!(map_width(&h), before);
    h.state_mut().state.editor.selection.clear();
    h.run();
    assert_eq!(map_width(&h), before);
}

#[test]
fn grids_sharing_a_dragged_vertex_reshape_live_and_commit_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on_project(four_grids(false), &dir);
    let before = h.state().state.doc.project.grids.clone();
    h.key_press(egui::Key::E);
    h.run();
    let (from, to) = (world(500.0, 500.0), world(560.0, 540.0));
    let (a, b) = (screen_of(&mut h, from), screen_of(&mut h, to));
    h.hover_at(a);
    h.run();
    press(&mut h, a, true);
    for k in 1..=6 {
        h.hover_at(a + (b - a) * (k as f32 / 6.0));
        h.run();
    }
    // Mid-drag: all four grids are shown with the vertex where the pointer is; nothing is changed yet.
    let preview = h.state().state.editor.tool.preview();
    let (_, moved_to) = preview.moving.expect("a vertex is being dragged");
    assert!((moved_to.x - to.x).abs() < 3.0 && (moved_to.y - to.y).abs() < 3.0, "{moved_to:?}");
    let reshaped: BTreeSet<GridId> = preview.reshaped.iter().map(|(id, _)| *id).collect();
    assert_eq!(reshaped, before.keys().copied().collect());
    for (_, g) in &preview.reshaped {
        let coords: Vec<Coord<f64>> = g.0[0].exterior().0.clone();
        assert!(coords.contains(&moved_to) && !coords.contains(&from), "{coords:?}");
    }
    assert_eq!(h.state().state.doc.project.grids, before);
    assert!(!h.state().state.doc.history.can_undo());
    // The reshaped outlines are painted (the tool's colour, through the moved vertex).
    let at = {
        let vp = h.state().state.ui.view.viewport;
        let (s, t) = (vp.to_screen(from), vp.to_screen(moved_to));
        a + egui::vec2((t.x - s.x) as f32, (t.y - s.y) as f32)
    };
    let painted = h.output().shapes.iter().filter(|c| match &c.shape {
        egui::Shape::Path(p) => p.stroke.width == 2.0 && p.points.iter().any(|q| q.distance(at) < 1.0),
        _ => false,
    });
    assert!(painted.count() >= 4, "an outline through the moved vertex for each of the four grids");
    // Released: one step moves it in all four; one undo puts it back in all four.
    press(&mut h, b, false);
    let after = h.state().state.doc.project.grids.clone();
    assert!(after.values().all(|g| g.geometry.0[0].exterior().0.contains(&moved_to)), "{}", status(&h));
    assert!(h.state().state.editor.tool.preview().reshaped.is_empty());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(h.state().state.doc.project.grids, before);
    assert!(!h.state().state.doc.history.can_undo());
}

/// The filled arrow heads painted inside a button: for each, whether its tip points left.
fn arrow_heads_point_left(h: &Harness<'static, WanggeApp>, button: egui::Rect) -> Vec<bool> {
    h.output()
        .shapes
        .iter()
        .filter_map(|c| match &c.shape {
            egui::Shape::Path(p)
                if p.closed
                    && p.points.len() == 3
                    && p.fill != egui::Color32::TRANSPARENT
                    && p.points.iter().all(|q| button.contains(*q)) =>
            {
                let tip = p.points.iter().min_by(|a, b| a.x.total_cmp(&b.x)).unwrap();
                let others: Vec<_> = p.points.iter().filter(|q| *q != tip).collect();
                let left = others.iter().all(|q| q.x > tip.x + 2.0);
                let tip_r = p.points.iter().max_by(|a, b| a.x.total_cmp(&b.x)).unwrap();
                let right = p.points.iter().filter(|q| *q != tip_r).all(|q| q.x < tip_r.x - 2.0);
                assert!(left != right, "{:?}", p.points);
                Some(left)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn undo_points_back_and_redo_forward() {
    let dir = tempfile::tempdir().unwrap();
    let h = harness_on_project(four_grids(false), &dir);
    let undo = h.get_by_label_contains("撤销").rect();
    let redo = h.get_by_label_contains("重做").rect();
    assert_eq!(arrow_heads_point_left(&h, undo), [true], "Undo's arrow points left (back)");
    assert_eq!(arrow_heads_point_left(&h, redo), [false], "Redo's arrow points right (forward)");
}

#[test]
fn escape_closes_menus_and_dialogs_and_else_cancels_the_tool() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on_project(four_grids(false), &dir);
    let first = *h.state().state.doc.project.grids.keys().next().unwrap();
    h.state_mut().state.editor.selection = BTreeSet::from([first]);
    h.run();
    // A menu.
    click(&mut h, "文件");
    h.get_by_label("导入图层… ");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label("导入图层… ").is_none(), "Escape closes the menu");
    assert_eq!(selection(&h).len(), 1, "and does nothing else");
    // A dialog.
    click(&mut h, "工具");
    click(&mut h, "项目信息");
    h.get_by_label_contains("乡镇 1 个");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label_contains("乡镇 1 个").is_none(), "Escape closes the dialog");
    assert_eq!(selection(&h).len(), 1);
    // A dialog with a text field being typed in.
    click(&mut h, "编辑");
    click(&mut h, "项目名称");
    h.query_all_by_label("项目名称")
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .unwrap()
        .focus();
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label("确定").is_none(), "Escape cancels the form");
    assert_eq!(h.state().state.doc.project.name, "泾川镇");
    // Leaving a text field of the attribute panel with Escape keeps the selection.
    h.get_by_label("网格长").focus();
    h.run();
    h.key_press(egui::Key::Escape);
    h.run();
    assert_eq!(selection(&h).len(), 1);
    // With nothing open, Escape reaches the tool: a drawing in progress is cancelled.
    h.key_press(egui::Key::D);
    h.run();
    for (dx, dy) in [(100.0, 100.0), (300.0, 100.0)] {
        let at = screen_of(&mut h, world(dx, dy));
        click_at(&mut h, at);
    }
    assert_eq!(h.state().state.editor.tool.preview().path.len(), 2);
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().state.editor.tool.preview().path.is_empty());
}

#[test]
fn the_status_bar_follows_a_change_of_language() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    assert!(status(&h).contains("示例"), "{}", status(&h));
    h.key_press(egui::Key::D);
    h.run();
    for (x, y) in [(500.0, 330.0), (700.0, 330.0), (600.0, 500.0)] {
        click_at(&mut h, egui::Pos2::new(x, y));
    }
    h.key_press(egui::Key::Enter);
    h.run();
    assert!(status(&h).starts_with("绘制网格"), "{}", status(&h));
    click(&mut h, "视图");
    click(&mut h, "语言 Language");
    click(&mut h, "English");
    assert!(status(&h).starts_with("draw grid"), "{}", status(&h));
    // The bar itself says it in English now.
    let said = status(&h);
    h.get_by_label_contains(&said);
    assert!(h.query_by_label_contains("绘制网格").is_none());
    // And back.
    click(&mut h, "View");
    h.get_by_label_contains("Language").click();
    h.run();
    click(&mut h, "简体中文");
    assert!(status(&h).starts_with("绘制网格"), "{}", status(&h));
    // Undo's message follows too.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(status(&h), "已撤销: 绘制网格");
    h.state_mut().state.set_lang(wangge::text::Lang::En);
    h.run();
    assert_eq!(status(&h), "Undone: draw grid");
}
