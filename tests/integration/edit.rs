//! Edit commands and history: any random sequence of edits, undone completely, restores the project;
//! redone completely, reproduces it.

use geo::Coord;
use wangge::core::coverage::synthetic::{Rng, jittered_grid, move_shared_vertex};
use wangge::core::edit::{Command, EditError, GridFields, History, StepKind};
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

fn random_command(p: &Project, rng: &mut Rng) -> (Command, StepKind) {
    let ids: Vec<u64> = p.grids.keys().copied().collect();
    let pick = |rng: &mut Rng| ids[(rng.next_u64() % ids.len() as u64) as usize];
    match rng.next_u64() % 6 {
        0 => {
            let id = pick(rng);
            let mut g = p.grids[&id].clone();
            g.id = 0;
            g.geometry = geo::Translate::translate(&g.geometry, 1000.0, 0.0);
            (Command::AddGrid(Box::new(g)), StepKind::Draw)
        }
        1 if ids.len() > 3 => (Command::RemoveGrid(pick(rng)), StepKind::DeleteGrids),
        2 => {
            let id = pick(rng);
            let mut fields = GridFields::of(&p.grids[&id]);
            fields.name = format!("网格{}", rng.next_u64() % 100);
            fields.kind = if rng.unit() < 0.5 { GridKind::Basic } else { GridKind::Dedicated };
            fields.attrs.households = Some((rng.next_u64() % 600) as u32);
            (Command::SetFields { id, fields: Box::new(fields) }, StepKind::Attributes)
        }
        _ => {
            // A vertex drag: move a vertex in every grid that uses it.
            let id = pick(rng);
            let from = p.grids[&id].geometry.0[0].exterior().0[0];
            let to = Coord { x: from.x + (rng.unit() - 0.5) * 10.0, y: from.y + (rng.unit() - 0.5) * 10.0 };
            let mut items: Vec<_> = p.grids.values().map(|g| g.geometry.clone()).collect();
            let ids: Vec<u64> = p.grids.keys().copied().collect();
            let changed = move_shared_vertex(&mut items, from, to);
            let batch =
                changed.iter().map(|&i| Command::SetGeometry { id: ids[i], geometry: items[i].clone() }).collect();
            (Command::Batch(batch), StepKind::MoveVertex)
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
            let (command, kind) = random_command(&p, &mut rng);
            history.apply(&mut p, kind, command).unwrap();
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
fn a_failed_batch_changes_nothing_and_is_not_recorded() {
    let mut p = project();
    let before = p.clone();
    let batch = Command::Batch(vec![
        Command::SetGeometry { id: 1, geometry: p.grids[&2].geometry.clone() },
        Command::RemoveGrid(999),
    ]);
    assert_eq!(batch.apply(&mut p), Err(EditError::NoSuchGrid(999)));
    assert_eq!(p, before);
    let mut history = History::default();
    let batch = Command::Batch(vec![Command::RemoveGrid(1), Command::RemoveGrid(999)]);
    assert_eq!(history.apply(&mut p, StepKind::DeleteGrids, batch), Err(EditError::NoSuchGrid(999)));
    assert_eq!(p, before);
    assert!(!history.can_undo() && !history.can_redo());
}

/// A random editing operation through the editor's own geometry operations (split, merge, vertex
/// move/insert/delete); `None` when the operation is refused for this input (which is allowed).
fn random_tool_command(p: &Project, rng: &mut Rng) -> Option<Command> {
    use geo::Centroid;
    use wangge::core::edit::{SpatialIndex, delete_vertex, insert_vertex, merge_grids, move_vertex, split_grids};
    let index = SpatialIndex::build(p);
    let ids: Vec<u64> = p.grids.keys().copied().collect();
    let id = ids[(rng.next_u64() % ids.len() as u64) as usize];
    let grid = &p.grids[&id];
    let ring = &grid.geometry.0[0].exterior().0;
    let vertex = ring[(rng.next_u64() % (ring.len() as u64 - 1)) as usize];
    match rng.next_u64() % 5 {
        0 => {
            let c = grid.geometry.centroid()?.0;
            let angle = rng.unit() * std::f64::consts::PI;
            let (dx, dy) = (angle.cos() * 300.0, angle.sin() * 300.0);
            let line = [Coord { x: c.x - dx, y: c.y - dy }, Coord { x: c.x + dx, y: c.y + dy }];
            split_grids(p, &index, &line, Some(&[id])).ok().map(|plan| plan.command)
        }
        1 => {
            let cache_neighbour = ids.iter().copied().find(|other| {
                *other != id
                    && p.grids[other].geometry.0[0].exterior().0.iter().filter(|c| ring.contains(c)).count() >= 2
            })?;
            merge_grids(p, &index, &[id, cache_neighbour]).ok().map(|(c, _)| c)
        }
        2 => {
            let to = Coord { x: vertex.x + (rng.unit() - 0.5) * 8.0, y: vertex.y + (rng.unit() - 0.5) * 8.0 };
            move_vertex(p, &index, vertex, to).ok()
        }
        3 => {
            let next = ring[ring.iter().position(|c| *c == vertex)? + 1];
            let mid = Coord { x: (vertex.x + next.x) / 2.0, y: (vertex.y + next.y) / 2.0 };
            insert_vertex(p, &index, mid, 0.5).ok()
        }
        _ => delete_vertex(p, &index, vertex).ok(),
    }
}

/// Any random sequence of the editor's operations keeps the coverage clean (no gap, no overlap, edges
/// that match); undo-all restores the project exactly and redo-all reproduces it.
#[test]
fn editor_operations_keep_the_coverage_clean_and_undo_exactly() {
    use wangge::core::coverage::synthetic::grid_outline;
    use wangge::core::coverage::{Checker, CoverageOptions};
    let check = |p: &Project| {
        let items = p.grids.values().map(|g| g.geometry.clone()).collect();
        let boundary = Some(grid_outline(5, 4, 100.0, Coord { x: 620_000.0, y: 3_385_000.0 }));
        Checker::new(items, boundary, Vec::new(), CoverageOptions::for_crs(&p.crs)).report()
    };
    for seed in 0..40 {
        let mut rng = Rng::new(1000 + seed);
        let mut original = project();
        original.boundary = grid_outline(5, 4, 100.0, Coord { x: 620_000.0, y: 3_385_000.0 });
        assert!(check(&original).ok());
        let mut p = original.clone();
        let mut history = History::default();
        let mut applied = 0;
        for step in 0..40 {
            let Some(command) = random_tool_command(&p, &mut rng) else { continue };
            let label = format!("{command:?}").chars().take(120).collect::<String>();
            history.apply(&mut p, StepKind::Split, command).unwrap();
            applied += 1;
            let report = check(&p);
            assert!(report.ok(), "seed {seed} step {step}: {label}\n{:?}", report.findings);
        }
        assert!(applied >= 10, "seed {seed}: only {applied} operations went through");
        let edited = p.clone();
        while history.undo(&mut p).unwrap().is_some() {}
        assert!(same_content(&p, &original), "seed {seed}: undo-all did not restore the project");
        while history.redo(&mut p).unwrap().is_some() {}
        assert_eq!(p, edited, "seed {seed}: redo-all did not reproduce the edits");
    }
}
