//! A large project's first frame does not wait for its caches (issue 13, item 3): the map is drawn
//! coarse (outlines and extents) while worker threads build the full map, the edit index and the
//! coverage check; the status bar says "checking…" meanwhile, and edits made before the pieces land are
//! in them when they do. Here a small project is made to take the large-project path
//! (`caches.background_from = 0`) and the workers are held at a gate, so that the frames before they
//! land are seen whatever the machine's speed.

use egui_kittest::kittest::Queryable;
use geo::Coord;
use wangge::app::{AppState, WanggeApp};
use wangge::core::coverage::synthetic::{grid_outline, jittered_grid};
use wangge::core::edit::{Command, GridFields, StepKind, move_vertex};
use wangge::core::{Grid, Project};

use crate::kittest::{App, click, harness_on, settings_in, wait_for_job};

fn jittered_project() -> Project {
    let origin = Coord { x: 620_000.0, y: 3_385_000.0 };
    let mut p = Project::new("网格", wangge::io::crs::crs_from_epsg(4548).unwrap());
    p.boundary = grid_outline(12, 10, 100.0, origin);
    for geometry in jittered_grid(12, 10, 100.0, origin, 7) {
        p.add_grid(Grid::new(geometry));
    }
    p
}

/// Frames until the caches have landed; panics after 60 s.
fn wait_for_caches(h: &mut App) {
    let start = std::time::Instant::now();
    while h.state().state.caches_pending() {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "the caches did not land");
        std::thread::sleep(std::time::Duration::from_millis(5));
        h.step();
    }
    h.run();
}

/// What a state built at once (no worker) has for the same project: the reference.
fn built_at_once(project: &Project, dir: &std::path::Path) -> AppState {
    AppState::new(project.clone(), None, settings_in(dir))
}

fn neighbours_differ(state: &AppState) {
    let cache = &state.ui.cache;
    for g in state.doc.project.grids.values() {
        let own = cache.grid(g.id).unwrap().colour;
        for n in cache.edge_neighbours(&state.doc.project, g) {
            assert_ne!(own, cache.grid(n).unwrap().colour, "grids {} and {n} share an edge and a colour", g.id);
        }
    }
}

#[test]
fn a_large_project_opens_coarse_checks_on_workers_and_keeps_edits_made_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("big.gpkg");
    wangge::io::save_project(&jittered_project(), &here).unwrap();
    let mut settings = settings_in(dir.path());
    settings.remember(&here);
    settings.save().unwrap();
    let mut h = harness_on(AppState::sample(settings_in(dir.path())).unwrap());
    h.state_mut().state.caches.background_from = 0;
    h.state().state.caches.gate.hold();
    for label in ["文件", "最近的项目", "big.gpkg"] {
        click(&mut h, label);
    }
    wait_for_job(&mut h);
    // The project is open and drawn, coarse; the check and the full map are still on their way.
    {
        let s = &h.state().state;
        assert_eq!(s.doc.project.grids.len(), 120);
        assert!(s.caches_pending() && s.ui.cache.coarse);
        assert!(s.editor.coverage.is_none() && s.editor.index.is_none());
        assert_eq!(s.ui.cache.slots.iter().flatten().count(), 120);
        assert!(s.ui.cache.slots.iter().flatten().all(|slot| !slot.feature.rings.is_empty()));
    }
    // Said in the status bar and in the coverage panel.
    assert_eq!(h.get_all_by_label("正在检查覆盖…").count(), 2);
    // Edits meanwhile: a grid renamed (the history, no index needed) and a shared vertex moved (the
    // edit index is built for it, now).
    let s = &mut h.state_mut().state;
    let mut fields = GridFields::of(&s.doc.project.grids[&1]);
    fields.name = "改名".into();
    s.apply_command(StepKind::Attributes, Command::SetFields { id: 1, fields: Box::new(fields) }, "edit".to_string());
    s.editor.ensure_index(&s.doc.project);
    let v = s.doc.project.grids[&50].geometry.0[0].exterior().0[0];
    let command =
        move_vertex(&s.doc.project, s.editor.index.as_ref().unwrap(), v, Coord { x: v.x + 9.0, y: v.y + 4.0 }).unwrap();
    let moved: Vec<_> = command.grids();
    assert!(moved.len() >= 3, "{moved:?}");
    s.apply_command(StepKind::MoveVertex, command, "edit".to_string());
    assert!(s.caches_pending() && s.editor.coverage.is_none());
    h.state().state.caches.gate.release();
    wait_for_caches(&mut h);
    assert!(h.query_by_label("正在检查覆盖…").is_none());
    let s: &WanggeApp = h.state();
    let s = &s.state;
    let reference = built_at_once(&s.doc.project, dir.path());
    // The check and the map are those of the project as edited, not as read.
    assert_eq!(s.editor.coverage.as_ref().unwrap().report(), reference.editor.coverage.as_ref().unwrap().report());
    assert!(!s.ui.cache.coarse);
    for g in s.doc.project.grids.values() {
        let (ours, theirs) = (&s.ui.cache.grid(g.id).unwrap().feature, &reference.ui.cache.grid(g.id).unwrap().feature);
        assert_eq!((&ours.vertices, &ours.rings, &ours.label), (&theirs.vertices, &theirs.rings, &theirs.label));
    }
    assert!(s.ui.cache.grid(1).unwrap().feature.label.contains("改名"));
    neighbours_differ(s);
    // Undo reaches the landed caches too.
    h.state_mut().state.undo();
    let s = &h.state().state;
    let reference = built_at_once(&s.doc.project, dir.path());
    assert_eq!(s.editor.coverage.as_ref().unwrap().report(), reference.editor.coverage.as_ref().unwrap().report());
}

/// A change of the whole project (a rename here) on a large project starts the workers again, and the
/// coarse map in the meantime keeps every grid's colour.
#[test]
fn a_whole_change_of_a_large_project_keeps_the_colours_while_the_caches_are_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let mut state = AppState::new(jittered_project(), None, settings_in(dir.path()));
    let before = state.ui.cache.colours();
    state.caches.background_from = 0;
    state.caches.gate.hold();
    let mut h = harness_on(state);
    std::sync::Arc::make_mut(&mut h.state_mut().state.doc.project).name = "新名".into();
    h.state_mut().state.changed();
    h.run();
    assert!(h.state().state.ui.cache.coarse);
    assert_eq!(h.state().state.ui.cache.colours(), before);
    assert_eq!(h.get_all_by_label("正在检查覆盖…").count(), 2);
    h.state().state.caches.gate.release();
    wait_for_caches(&mut h);
    assert_eq!(h.state().state.ui.cache.colours(), before);
    assert!(!h.state().state.ui.cache.coarse && h.state().state.editor.coverage.is_some());
}
