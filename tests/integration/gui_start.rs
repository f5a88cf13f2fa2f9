//! Starting and finding in the app (issue 12), driven like a user with egui_kittest: File › New project
//! (boundary, empty, division list), Recent projects, the first screen's hint, the sample's banner, file
//! choosers that say what they are for, finding a grid, the grid list, the layer tree, Export of the grid
//! table.

use std::path::{Path, PathBuf};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use wangge::app::{AppState, WanggeApp};

use crate::kittest::{click, harness_on, radio, sample_harness, settings_in, status, type_into, wait_for_job};

fn sample_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps").join(name)
}

fn open_new_project_form(h: &mut Harness<'static, WanggeApp>) {
    click(h, "文件");
    click(h, "新建项目…");
    h.get_by_label("新建项目");
}

#[test]
fn new_project_from_a_boundary_file_has_no_file_until_save_as_asks_where() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    open_new_project_form(&mut h);
    let src = sample_file("jingxian-county.geojson");
    type_into(&mut h, "边界文件路径", src.to_str().unwrap());
    click(&mut h, "创建");
    let s = &h.state().state;
    assert_eq!(s.doc.project.boundary.0.len(), 1, "{}", s.ui.status);
    // Lon/lat data: the project takes the CGCS2000 3° Gauss-Krüger zone of its centre, as `wangge import`.
    assert_eq!(s.doc.project.crs.auth_id(), "EPSG:4548");
    assert_eq!(s.doc.project.name, "jingxian-county");
    assert!(s.doc.path.is_none() && s.doc.dirty && !s.doc.sample);
    assert!(s.ui.status.starts_with("新项目“jingxian-county”（EPSG:4548），尚未保存"), "{}", s.ui.status);
    assert!(h.query_by_label("新建项目").is_none(), "the form closed");
    // Save asks where, in a chooser titled for it, offering the project's name with .gpkg.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
    h.get_by_label("另存为");
    assert_eq!(h.get_by_label("文件名").value().as_deref(), Some("jingxian-county.gpkg"));
    type_into(&mut h, "路径", dir.path().to_str().unwrap());
    type_into(&mut h, "文件名", "泾县新项目");
    click(&mut h, "保存");
    wait_for_job(&mut h);
    let saved = dir.path().join("泾县新项目.gpkg");
    assert!(saved.is_file(), "the .gpkg extension is added: {}", status(&h));
    let s = &h.state().state;
    assert_eq!(s.doc.path.as_deref(), Some(saved.as_path()));
    assert!(!s.doc.dirty);
    // Remembered as the most recent project, in the settings file.
    assert_eq!(settings_in(dir.path()).recent, vec![saved]);
}

#[test]
fn new_empty_project_with_a_chosen_crs_says_what_to_do_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    assert!(h.query_by_label_contains("第一步").is_none(), "the sample is not empty");
    open_new_project_form(&mut h);
    radio(&mut h, "空项目");
    type_into(&mut h, "项目坐标系", "EPSG:4549");
    type_into(&mut h, "项目名称", "茂林镇");
    click(&mut h, "创建");
    let s = &h.state().state;
    assert_eq!(s.doc.project.crs.auth_id(), "EPSG:4549");
    assert_eq!(s.doc.project.name, "茂林镇");
    assert!(s.doc.project.grids.is_empty() && s.doc.project.boundary.0.is_empty());
    // The first screen says in one line what to do first, with the two ways to do it.
    h.get_by_label("第一步：导入边界（文件 › 导入…），或打开一个项目（文件 › 打开…）。");
    click(&mut h, "导入图层……");
    h.get_by_label("源文件");
    // A CRS that is not one is refused, saying so, and nothing changes. (Ctrl+N is File › New project.)
    click(&mut h, "取消");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run();
    // The new project is not saved: asked first.
    click(&mut h, "不保存");
    radio(&mut h, "空项目");
    type_into(&mut h, "项目坐标系", "EPSG:99999");
    click(&mut h, "创建");
    assert_eq!(h.state().state.doc.project.name, "茂林镇");
    h.get_by_label_contains("99999");
}

#[test]
fn new_project_from_the_shipped_county_list_or_any_division_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    open_new_project_form(&mut h);
    radio(&mut h, "区划代码表");
    h.get_by_label_contains("341823 泾县");
    // The field starts at the county we ship: 泾县's 11 townships and 127 villages.
    click(&mut h, "创建");
    let s = &h.state().state;
    assert_eq!(s.doc.project.divisions.len(), 138, "{}", s.ui.status);
    assert_eq!((s.doc.project.name.as_str(), s.doc.project.crs.auth_id()), ("泾县", "EPSG:4548".to_string()));
    assert!(s.doc.path.is_none() && s.doc.dirty);
    h.get_by_label("行政区划 (138)");
    // Any `code,name,parent_code` CSV, with the CRS chosen (unsaved changes are asked about first).
    let csv = dir.path().join("茂林镇.csv");
    std::fs::write(&csv, "code,name,parent_code\n341823101,茂林镇,341823\n341823101201,茂林村委会,341823101\n")
        .unwrap();
    click(&mut h, "文件");
    click(&mut h, "新建项目…");
    click(&mut h, "不保存");
    radio(&mut h, "区划代码表");
    type_into(&mut h, "县级代码或 CSV 文件", csv.to_str().unwrap());
    // Without a CRS the list cannot say where it is: asked for.
    type_into(&mut h, "项目坐标系", "");
    click(&mut h, "创建");
    h.get_by_label_contains("请给出项目坐标系");
    click(&mut h, "关闭");
    type_into(&mut h, "项目坐标系", "4549");
    click(&mut h, "创建");
    let s = &h.state().state;
    assert_eq!(s.doc.project.divisions.len(), 2, "{}", s.ui.status);
    assert_eq!((s.doc.project.name.as_str(), s.doc.project.crs.auth_id()), ("茂林镇", "EPSG:4549".to_string()));
    // A code we do not ship is said.
    click(&mut h, "文件");
    click(&mut h, "新建项目…");
    click(&mut h, "不保存");
    radio(&mut h, "区划代码表");
    type_into(&mut h, "县级代码或 CSV 文件", "110101");
    click(&mut h, "创建");
    h.get_by_label_contains("“110101”既不是随程序提供的县级代码（341823），也不是存在的 CSV 文件");
}

#[test]
fn unsaved_changes_are_asked_about_before_open_or_new_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    wangge::io::save_project(&crate::common::small_project(), &path).unwrap();
    let mut state = AppState::new(crate::common::small_project(), None, settings_in(dir.path()));
    state.open(&path).unwrap();
    std::sync::Arc::make_mut(&mut state.doc.project).name = "改过".into();
    state.doc.dirty = true;
    let mut h = harness_on(state);
    // Cancel: nothing happens.
    click(&mut h, "文件");
    click(&mut h, "新建项目…");
    h.get_by_label("当前项目有未保存的修改。先保存吗？");
    click(&mut h, "取消");
    assert!(h.query_by_label("新建项目").is_none());
    assert!(h.state().state.doc.dirty);
    // The sample too (File › Open sample).
    click(&mut h, "文件");
    h.get_by_label_contains("打开示例").click();
    h.run();
    h.get_by_label("当前项目有未保存的修改。先保存吗？");
    click(&mut h, "取消");
    assert_eq!(h.state().state.doc.project.name, "改过");
    // Save first: the project is saved, then the form opens.
    click(&mut h, "文件");
    click(&mut h, "新建项目…");
    click(&mut h, "保存");
    h.run();
    assert_eq!(wangge::io::open_project(&path).unwrap().name, "改过");
    assert!(!h.state().state.doc.dirty);
    h.get_by_label("新建项目");
}

#[test]
fn recent_projects_are_listed_opened_and_a_missing_one_is_said_and_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("here.gpkg");
    let gone = dir.path().join("gone.gpkg");
    wangge::io::save_project(&crate::common::small_project(), &here).unwrap();
    let mut settings = settings_in(dir.path());
    settings.remember(&here);
    settings.remember(&gone);
    settings.save().unwrap();
    let mut h = sample_harness(&dir);
    click(&mut h, "文件");
    click(&mut h, "最近的项目");
    // Newest first.
    let gone_y = h.get_by_label("gone.gpkg").rect().top();
    assert!(gone_y < h.get_by_label("here.gpkg").rect().top());
    click(&mut h, "here.gpkg");
    crate::kittest::wait_for_job(&mut h);
    assert_eq!(h.state().state.doc.path.as_deref(), Some(here.as_path()));
    assert_eq!(h.state().state.doc.project.name, "泾川镇");
    // Opening it put it first.
    assert_eq!(settings_in(dir.path()).recent, vec![here.clone(), gone.clone()]);
    click(&mut h, "文件");
    click(&mut h, "最近的项目");
    click(&mut h, "gone.gpkg");
    h.get_by_label_contains("找不到");
    h.get_by_label_contains("已从最近的项目中移除");
    assert_eq!(h.state().state.doc.path.as_deref(), Some(here.as_path()), "the open project stays");
    assert_eq!(settings_in(dir.path()).recent, vec![here]);
    click(&mut h, "关闭");
    click(&mut h, "文件");
    click(&mut h, "最近的项目");
    assert!(h.query_by_label("gone.gpkg").is_none());
}

#[test]
fn the_sample_says_it_is_a_sample_until_another_project_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    h.get_by_label_contains("这是示例项目");
    // The sample has no grids: the grid list says so and how to get some.
    h.get_by_label("还没有网格：在地图上画出来，或导入网格图层。");
    let path = dir.path().join("p.gpkg");
    wangge::io::save_project(&crate::common::small_project(), &path).unwrap();
    h.state_mut().state.open(&path).unwrap();
    h.run();
    assert!(h.query_by_label_contains("这是示例项目").is_none());
    click(&mut h, "文件");
    h.get_by_label_contains("打开示例").click();
    h.run();
    h.get_by_label_contains("这是示例项目");
    // In English too.
    h.state_mut().state.set_lang(wangge::text::Lang::En);
    h.run();
    h.get_by_label_contains("This is the sample project");
}

#[test]
fn file_choosers_say_what_they_are_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness(&dir);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::O);
    h.run();
    h.get_by_label("打开项目");
    // Opening needs no name box; saving does.
    assert!(h.query_by_label("文件名").is_none());
    click(&mut h, "取消");
    click(&mut h, "文件");
    click(&mut h, "导入图层… ");
    click(&mut h, "浏览…");
    h.get_by_label("导入图层");
    assert!(h.query_by_label("文件名").is_none());
    // The chooser's button says what it does.
    h.get_by_label("打开");
    click(&mut h, "打开");
    // Nothing chosen: the chooser stays; Escape-free close with its window's ✕ is the user's; here Cancel twice.
    h.query_all_by_label("取消").last().unwrap().click();
    h.run();
    click(&mut h, "取消");
    click(&mut h, "文件");
    click(&mut h, "另存为… ");
    h.get_by_label("另存为");
    assert_eq!(h.get_by_label("文件名").value().as_deref(), Some("泾县.gpkg"));
}

/// `small_project` with one more household point in the east grid: west 3 households, east 4.
fn project_with_grids() -> wangge::core::Project {
    let mut p = crate::common::small_project();
    p.households.push(wangge::core::HouseholdPoint {
        position: geo::Point::new(621_800.0, 3_385_500.0),
        households: 1,
        population: None,
    });
    p
}

#[test]
fn find_a_grid_by_code_name_staff_or_village_zooms_to_it_and_selects_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(AppState::new(project_with_grids(), None, settings_in(dir.path())));
    for (query, found) in
        [("城南第一", "城南第一网格"), ("张伟", "城南第一网格"), ("双坑村", "双坑网格"), ("100201", "双坑网格")]
    {
        type_into(&mut h, "查找网格", query);
        h.get_by_label("找到 1 个网格");
        let hit = h
            .query_all_by_label_contains(found)
            .find(|n| !n.accesskit_node().label().unwrap_or_default().contains("km²"));
        assert!(hit.is_some(), "{query}");
    }
    type_into(&mut h, "查找网格", "网格");
    h.get_by_label("找到 2 个网格");
    type_into(&mut h, "查找网格", "城南第一");
    let west = h.state().state.doc.project.grids.values().find(|g| g.name == "城南第一网格").unwrap().id;
    click(&mut h, "341823100001001 · 城南第一网格 · 城南居委会");
    h.run();
    let s = &h.state().state;
    assert_eq!(s.editor.selection.iter().copied().collect::<Vec<_>>(), vec![west]);
    // Zoomed to it: the map shows about the grid (1 km) with room around it, not the whole project.
    let vp = s.ui.view.viewport;
    let shown_m = vp.world_per_px * vp.size_on_screen.x.min(vp.size_on_screen.y);
    assert!(shown_m > 1000.0 && shown_m < 3000.0, "{vp:?}");
    let centre = vp.centre_in_world;
    assert!((centre.x - 620_500.0).abs() < 100.0 && (centre.y - 3_385_500.0).abs() < 100.0, "{vp:?}");
    type_into(&mut h, "查找网格", "没有这个");
    h.get_by_label("找到 0 个网格");
}

fn list_order(h: &Harness<'static, WanggeApp>) -> Vec<String> {
    let mut rows: Vec<(f32, String)> = h
        .query_all_by_label_contains("km²")
        .map(|n| (n.rect().top(), n.accesskit_node().label().unwrap_or_default()))
        .filter(|(_, l)| l.contains(" · "))
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|(_, l)| l.split(' ').next().unwrap_or_default().to_string()).collect()
}

#[test]
fn the_grid_list_sorts_by_code_households_and_area_and_picks_a_grid() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(AppState::new(project_with_grids(), None, settings_in(dir.path())));
    let (west, east) = ("341823100001001".to_string(), "341823100201001".to_string());
    h.get_by_label_contains("341823100001001 · 城南第一网格 · 城南居委会  3 户  0.96 km²");
    h.get_by_label_contains("341823100201001 · 双坑网格 · 双坑村委会  4 户  1.04 km²");
    assert_eq!(list_order(&h), [west.clone(), east.clone()], "by code at first");
    click(&mut h, "按编码 ↑");
    assert_eq!(list_order(&h), [east.clone(), west.clone()], "a second click turns the order");
    h.get_by_label("按编码 ↓");
    click(&mut h, "按户数");
    assert_eq!(list_order(&h), [west.clone(), east.clone()], "3 before 4 households");
    click(&mut h, "按户数 ↑");
    assert_eq!(list_order(&h), [east.clone(), west.clone()]);
    click(&mut h, "按面积");
    assert_eq!(list_order(&h), [west.clone(), east.clone()], "0.96 before 1.04 km²");
    // A click picks the grid.
    h.get_by_label_contains("双坑网格 · 双坑村委会  4 户").click();
    h.run();
    let s = &h.state().state;
    let id = s.doc.project.grids.values().find(|g| g.code == east).unwrap().id;
    assert_eq!(s.editor.selection.iter().copied().collect::<Vec<_>>(), vec![id]);
    assert!(s.ui.view.zoom_to.is_some() || s.ui.view.viewport.centre_in_world.x > 621_000.0);
}

#[test]
fn clicking_a_township_or_village_in_the_tree_zooms_to_it_and_selects_its_grids() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(AppState::new(project_with_grids(), None, settings_in(dir.path())));
    let grids: Vec<_> = h.state().state.doc.project.grids.keys().copied().collect();
    h.get_by_label_contains("泾川镇 341823100").click();
    h.run();
    h.run();
    assert_eq!(h.state().state.editor.selection.iter().copied().collect::<Vec<_>>(), grids);
    assert_eq!(status(&h), "泾川镇：已选中 2 个网格");
    h.get_by_label_contains("双坑村委会  · 1 网格").click();
    h.run();
    h.run();
    let s = &h.state().state;
    let east = s.doc.project.grids.values().find(|g| g.name == "双坑网格").unwrap().id;
    assert_eq!(s.editor.selection.iter().copied().collect::<Vec<_>>(), vec![east]);
    assert_eq!(status(&h), "双坑村委会：已选中 1 个网格");
    let centre = h.state().state.ui.view.viewport.centre_in_world;
    // The grid's bounding box: its island at x 400–600 m too.
    assert!((centre.x - 621_200.0).abs() < 150.0 && (centre.y - 3_385_500.0).abs() < 150.0, "{centre:?}");
}

#[test]
fn export_writes_the_grid_table_as_xlsx_and_browse_offers_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_grids();
    let path = dir.path().join("p.gpkg");
    wangge::io::save_project(&project, &path).unwrap();
    let mut state = AppState::new(project, None, settings_in(dir.path()));
    state.open(&path).unwrap();
    let mut h = harness_on(state);
    click(&mut h, "文件");
    click(&mut h, "导出图层… ");
    radio(&mut h, "网格一览表 (.xlsx)");
    let label = "输出文件（.gpkg .geojson .shp .csv .xlsx）";
    assert!(h.get_by_label(label).value().unwrap_or_default().ends_with("grids.xlsx"));
    // Browse: a chooser for exporting, offering the name in the form.
    click(&mut h, "浏览…");
    h.get_by_label("导出到");
    assert_eq!(h.get_by_label("文件名").value().as_deref(), Some("grids.xlsx"));
    type_into(&mut h, "文件名", "网格表.xlsx");
    click(&mut h, "保存");
    let out = dir.path().join("网格表.xlsx");
    assert_eq!(h.get_by_label(label).value().as_deref(), out.to_str());
    click(&mut h, "确定");
    wait_for_job(&mut h);
    let written = std::fs::read(&out).expect("the table was written");
    assert!(written.starts_with(b"PK"), "an xlsx is a zip");
    assert_eq!(status(&h), format!("已导出网格一览表：2 行 → {}", out.display()));
    // The same table `wangge stats --table` writes (as CSV here, to compare the cells).
    let csv = dir.path().join("table.csv");
    let o = crate::common::wangge(&["stats", path.to_str().unwrap(), "--table", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", crate::common::stderr(&o));
    let rows = wangge::text::grid_table::table_rows(&wangge::io::open_project(&path).unwrap());
    let text = std::fs::read_to_string(&csv).unwrap();
    for row in &rows {
        assert!(text.contains(&row[..4].join(",")), "{text}");
    }
}
