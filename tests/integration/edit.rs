//! Edit commands and history: any random sequence of edits, undone completely, restores the project;
//! redone completely, reproduces it.

use geo::Coord;
use wangge::core::coverage::synthetic::{Rng, jittered_grid, move_shared_vertex};
use wangge::core::edit::{Command, EditError, GridFields, History};
use wangge::core::{Grid, GridKind, Project};
use wangge::io::crs::crs_from_epsg;

fn project() -> Project {
    let mut p = Project::new("edit", crs_from_epsg(4548).unwrap());
    for g in jittered_grid(5, 4, 100.0, Coord { x: 620_000.0, y: 3_385_000.0 }, 17) {
        p.add_grid(Grid::new(g));
    }
    p
}

/// Everything but `next_grid_id`, which only grows: an id once handed out is never handed out again.
fn same_content(a: &Project, b: &Project) -> bool {
    a.grids == b.grids && a.boundary == b.boundary && a.divisions == b.divisions && a.households == b.households
}

fn random_command(p: &Project, rng: &mut Rng) -> (Command, Option<String>) {
    let ids: Vec<u64> = p.grids.keys().copied().collect();
    let pick = |rng: &mut Rng| ids[(rng.next_u64() % ids.len() as u64) as usize];
    match rng.next_u64() % 6 {
        0 => {
            let id = pick(rng);
            let mut g = p.grids[&id].clone();
            g.id = 0;
            g.geometry = geo::Translate::translate(&g.geometry, 1000.0, 0.0);
            (Command::AddGrid(Box::new(g)), None)
        }
        1 if ids.len() > 3 => (Command::RemoveGrid(pick(rng)), None),
        2 => {
            let id = pick(rng);
            let mut fields = GridFields::of(&p.grids[&id]);
            fields.name = format!("网格{}", rng.next_u64() % 100);
            fields.kind = if rng.unit() < 0.5 { GridKind::Basic } else { GridKind::Dedicated };
            fields.attrs.households = Some((rng.next_u64() % 600) as u32);
            (Command::SetFields { id, fields: Box::new(fields) }, None)
        }
        _ => {
            // A vertex drag: move a vertex in every grid that uses it; consecutive drags of the same
            // vertex merge into one step.
            let id = pick(rng);
            let from = p.grids[&id].geometry.0[0].exterior().0[0];
            let to = Coord { x: from.x + (rng.unit() - 0.5) * 10.0, y: from.y + (rng.unit() - 0.5) * 10.0 };
            let mut items: Vec<_> = p.grids.values().map(|g| g.geometry.clone()).collect();
            let ids: Vec<u64> = p.grids.keys().copied().collect();
            let changed = move_shared_vertex(&mut items, from, to);
            let batch =
                changed.iter().map(|&i| Command::SetGeometry { id: ids[i], geometry: items[i].clone() }).collect();
            (Command::Batch(batch), Some(format!("drag {id}")))
        }
    }
}

#[test]
fn undo_all_restores_and_redo_all_reproduces_any_random_edit_sequence() {
    for seed in 0..20 {
        let mut rng = Rng::new(seed);
        let original = project();
        let mut p = original.clone();
        let mut history = History::default();
        for _ in 0..40 {
            let (command, merge) = random_command(&p, &mut rng);
            history.apply(&mut p, "edit", command, merge).unwrap();
        }
        let edited = p.clone();
        while history.undo(&mut p).unwrap().is_some() {}
        assert!(same_content(&p, &original), "seed {seed}: undo-all did not restore the project");
        assert!(p.next_grid_id >= edited.next_grid_id, "ids are never handed out again");
        while history.redo(&mut p).unwrap().is_some() {}
        assert_eq!(p, edited, "seed {seed}: redo-all did not reproduce the edits");
    }
}

#[test]
fn a_failed_batch_changes_nothing_and_drags_merge_into_one_step() {
    let mut p = project();
    let before = p.clone();
    let batch = Command::Batch(vec![
        Command::SetGeometry { id: 1, geometry: p.grids[&2].geometry.clone() },
        Command::RemoveGrid(999),
    ]);
    assert_eq!(batch.apply(&mut p), Err(EditError::NoSuchGrid(999)));
    assert_eq!(p, before);
    let mut history = History::default();
    for step in 0..5 {
        let geometry = geo::Translate::translate(&before.grids[&1].geometry, step as f64, 0.0);
        history.apply(&mut p, "drag", Command::SetGeometry { id: 1, geometry }, Some("vertex 7".into())).unwrap();
    }
    assert_eq!(history.undo(&mut p).unwrap().as_deref(), Some("drag"));
    assert_eq!(p, before, "one undo takes back the whole drag");
    assert!(!history.can_undo() && history.can_redo());
}
