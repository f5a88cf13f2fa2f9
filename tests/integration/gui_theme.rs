//! The map as planners read it, driven with egui_kittest: fill colours that stay put after an edit, the
//! thematic views (households against the band, village, code status) with their legend, household
//! points with counts per grid, and the Measure tool (distance, area in m² and 亩).

use std::collections::BTreeMap;

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use geo::{Coord, Point};
use wangge::app::WanggeApp;
use wangge::core::coverage::synthetic::{grid_outline, jittered_grid};
use wangge::core::{AreaClass, Grid, GridId, HouseholdPoint, Project};
use wangge::io::crs::crs_from_epsg;

use crate::kittest::{click, click_at, harness_on_project};

const ORIGIN: Coord<f64> = Coord { x: 620_000.0, y: 3_385_000.0 };

/// A 6 × 4 lattice of 100 m grids in 泾川镇 inside a boundary around them.
fn lattice() -> Project {
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    p.boundary = grid_outline(6, 4, 100.0, ORIGIN);
    for g in jittered_grid(6, 4, 100.0, ORIGIN, 3) {
        p.add_grid(Grid::new(g));
    }
    p
}

/// The window position of a world position (the canvas as drawn in the last frame).
fn on_screen(h: &Harness<'static, WanggeApp>, c: Coord<f64>) -> egui::Pos2 {
    let view = &h.state().state.ui.view;
    let rect = view.screen_rect.expect("the canvas was drawn");
    let s = view.viewport.to_screen(c);
    egui::Pos2::new(rect.min.x + s.x as f32, rect.min.y + s.y as f32)
}

fn colours(h: &Harness<'static, WanggeApp>) -> BTreeMap<GridId, u8> {
    h.state().state.ui.cache.slots.iter().flatten().map(|s| (s.id, s.colour)).collect()
}

#[test]
fn filling_a_gap_keeps_every_other_fill_colour_and_never_looks_like_uncovered_land() {
    use wangge::app::level_of_detail::{GRID_FILLS, UNCOVERED_FILL, delta_e};
    let dir = tempfile::tempdir().unwrap();
    let mut p = lattice();
    // A hole in the middle: grid 9 (row 1, column 2) is missing.
    let hole = p.grids.remove(&9).unwrap();
    let mut h = harness_on_project(p, &dir);
    let before = colours(&h);
    h.get_by_label_contains("填充空白").click();
    h.run();
    let inside = geo::InteriorPoint::interior_point(&hole.geometry).unwrap().0;
    let at = on_screen(&h, inside);
    click_at(&mut h, at);
    let s = &h.state().state;
    assert_eq!(s.doc.project.grids.len(), 24, "status: {}", s.ui.status);
    let after = colours(&h);
    for (id, c) in &before {
        assert_eq!(after.get(id), Some(c), "grid {id} changed colour when the gap next to it was filled");
    }
    let new_id = *after.keys().max().unwrap();
    let fill = GRID_FILLS[after[&new_id] as usize];
    assert!(delta_e(fill, UNCOVERED_FILL) >= 20.0, "the filled gap looks like uncovered land: {fill:?}");
    // And undoing and redoing it changes no other colour either.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Y);
    h.run();
    let redone = colours(&h);
    for (id, c) in &before {
        assert_eq!(redone.get(id), Some(c), "grid {id} changed colour on undo/redo");
    }
}

/// Grids with codes, villages, classes and household attributes for the thematic views.
fn coded_project() -> Project {
    let mut p = lattice();
    for (i, g) in p.grids.values_mut().enumerate() {
        let village = if i < 12 { "341823100001" } else { "341823100002" };
        g.village_code = village.into();
        g.code = format!("{village}{:03}", i % 12 + 1);
        g.class = if i % 2 == 0 { AreaClass::Urban } else { AreaClass::Rural };
        g.attrs.households = Some([50, 350, 900][i % 3]);
    }
    let ids: Vec<GridId> = p.grids.keys().copied().collect();
    p.grids.get_mut(&ids[1]).unwrap().code.clear();
    let dup = p.grids[&ids[2]].code.clone();
    p.grids.get_mut(&ids[3]).unwrap().code = dup;
    p.grids.get_mut(&ids[4]).unwrap().code = "341823100002099".into();
    p
}

#[test]
fn thematic_views_from_the_view_menu_and_the_layer_panel_with_a_legend() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on_project(coded_project(), &dir);
    assert!(!h.state().state.ui.cache.themed);
    click(&mut h, "视图");
    click(&mut h, "专题图");
    click(&mut h, "户数与标准");
    // The legend on the map: colour, meaning, count (bands by class: urban 300–500, rural 100–800).
    h.get_by_label("低于标准（城市 <300，农村 <100 户）");
    h.get_by_label("符合标准（城市 300–500，农村 100–800 户）");
    h.get_by_label("高于标准（城市 >500，农村 >800 户）");
    let counts: Vec<usize> = h.state().state.ui.thematic.rows.iter().map(|r| r.count).collect();
    // i%3 = 0 → 50 (below), 1 → 350 (urban: in; rural: in), 2 → 900 (above either way).
    assert_eq!(counts, [8, 8, 8]);
    assert!(h.state().state.ui.cache.themed);
    let fills: Vec<_> = h.state().state.ui.cache.slots.iter().flatten().map(|s| s.theme_fill).collect();
    // Grid 1 (50 households) is below its band: drawn in the legend's first colour.
    assert_eq!(fills[0], h.state().state.ui.thematic.rows[0].colour);
    assert_ne!(fills[0], fills[1], "a grid below the band and one within it share a fill");

    // The layer panel's choice: code status.
    click(&mut h, "着色");
    click(&mut h, "编码状态");
    h.get_by_label("编码正确");
    h.get_by_label("编码重复");
    let rows: BTreeMap<String, usize> = {
        let s = &h.state().state;
        s.ui.thematic.rows.iter().map(|r| (s.ui.thematic.row_text(r, s.lang()), r.count)).collect()
    };
    assert_eq!(rows["缺少编码"], 1);
    assert_eq!(rows["编码重复"], 2);
    assert_eq!(rows["编码与所属村不符"], 1);
    assert_eq!(rows["编码正确"], 20);

    // By village: one row per village, neighbouring villages in different colours.
    click(&mut h, "着色");
    click(&mut h, "按村（社区）");
    h.get_by_label("341823100001");
    h.get_by_label("341823100002");
    let rows = &h.state().state.ui.thematic.rows;
    assert_eq!(rows.iter().map(|r| r.count).collect::<Vec<_>>(), [12, 12]);
    assert_ne!(rows[0].colour, rows[1].colour);

    // An edit updates the legend at once (computed per revision): delete a grid of village 1.
    h.state_mut().state.editor.selection = [1].into();
    h.key_press(egui::Key::Delete);
    h.run();
    assert_eq!(h.state().state.ui.thematic.rows[0].count, 11);

    // Back to the default colouring: no legend.
    click(&mut h, "视图");
    click(&mut h, "专题图");
    click(&mut h, "相邻区分（默认）");
    assert!(h.query_by_label("341823100002").is_none());
    assert!(!h.state().state.ui.cache.themed);
}

#[test]
fn household_points_count_per_grid_for_the_households_theme_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = coded_project();
    // Points win over the attribute, as in `wangge stats`: 400 households in grid 1, none elsewhere.
    let inside = geo::InteriorPoint::interior_point(&p.grids[&1].geometry).unwrap();
    for _ in 0..4 {
        p.households.push(HouseholdPoint { position: inside, households: 100, population: None });
    }
    p.households.push(HouseholdPoint {
        position: Point::new(ORIGIN.x - 50.0, ORIGIN.y - 50.0),
        households: 1,
        population: None,
    });
    let mut h = harness_on_project(p, &dir);
    // The households layer and labels are on and grids are labelled: the counts for the labels are ready.
    assert!(h.state().state.ui.view.labelled_grids > 0);
    let revision = h.state().state.doc.revision;
    let counts = h.state().state.ui.thematic.households_at(revision).cloned().expect("counted for the labels");
    assert_eq!(counts[&1], Some(400));
    assert_eq!(counts[&2], Some(0));
    h.state_mut().state.ui.thematic.theme = Some(wangge::core::thematic::Theme::Households);
    h.run();
    let rows: Vec<usize> = h.state().state.ui.thematic.rows.iter().map(|r| r.count).collect();
    // Grid 1 is urban with 400: in the band; every other grid has no point: below.
    assert_eq!(rows, [23, 1, 0]);
    // Turning the layer off in the layer panel hides the dots.
    click(&mut h, "住户点 (5)");
    assert!(!h.state().state.ui.layers.households);
}

#[test]
fn measure_distance_and_area_in_metres_and_mu_then_escape_clears() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on_project(lattice(), &dir);
    h.get_by_label_contains("量算").click();
    h.run();
    let world = [
        Coord { x: ORIGIN.x + 50.0, y: ORIGIN.y + 50.0 },
        Coord { x: ORIGIN.x + 350.0, y: ORIGIN.y + 50.0 },
        Coord { x: ORIGIN.x + 350.0, y: ORIGIN.y + 250.0 },
    ];
    // Snapping off: the clicks land where they are.
    h.state_mut().state.editor.snapping = false;
    for c in world {
        let at = on_screen(&h, c);
        click_at(&mut h, at);
    }
    h.key_press(egui::Key::Enter);
    h.run();
    let m = h.state().state.editor.tool.measurement(&h.state().state.doc.project.crs).unwrap();
    assert!(m.finished);
    // Screen positions round to a pixel (world_per_px under 1 m here): within a few metres.
    assert!((m.length_m - 500.0).abs() < 3.0, "{m:?}");
    let area = m.area_m2.unwrap();
    assert!((area - 30_000.0).abs() < 600.0, "{area}");
    h.get_by_label_contains("距离: 5");
    let area_label = format!("（{:.1} 亩）", area / (10_000.0 / 15.0));
    h.get_by_label_contains(&area_label);
    h.get_by_label_contains(" m²");
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.query_by_label_contains("距离").is_none());
    assert!(h.state().state.editor.tool.measurement(&h.state().state.doc.project.crs).is_none());
    // The tool changed nothing.
    assert!(!h.state().state.doc.dirty);
}
