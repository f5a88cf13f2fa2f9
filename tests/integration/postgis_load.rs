//! Issue 16 part 4, measured: many clients editing one database project at once. Each client is a
//! thread with its own connection and its own copy of the project; it makes random edits through the
//! editor's own commands — a shared vertex moved in every grid that uses it, attribute edits, a grid
//! split in two (its neighbours noded) — and saves each edit as one all-or-nothing save
//! (`SaveMode::AllOrNothing`): a moved border lands in both grids or in neither. On a conflict it
//! reopens the project (a consistent snapshot: taking theirs for the conflicting grids alone would leave
//! their neighbours stale, and a later move computed from that mixed view writes one side of a border
//! only) and tries the same edit again.
//!
//! Afterwards: no lost update (every write a client was told of is in `changes`, by that client, from
//! the version it had loaded, with the contents it wrote; `changes` holds nothing else; each grid's
//! versions form one unbroken chain), no silent overwrite (no two writes of a grid from the same
//! version: the later one was a conflict) and the coverage still valid (the project's own checker on the
//! project read back from the database).
//!
//! The coverage is synthetic: a jittered lattice of 100 m grids (`core::coverage::synthetic`), not a
//! real map. `postgis_load_small` runs in CI; the full size is
//! `WANGGE_LOAD=20x1000 cargo test --test integration postgis_load_full -- --ignored --nocapture`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use geo::{BoundingRect, Coord};
use wangge::core::coverage::synthetic::{Rng, grid_outline, jittered_grid};
use wangge::core::coverage::{Checker, CoverageOptions};
use wangge::core::edit::{Command, GridFields, SpatialIndex, move_vertex, split_grids};
use wangge::core::{Division, DivisionCode, Grid, GridId, Project};
use wangge::io::Changes;
use wangge::io::crs::crs_from_epsg;
use wangge::io::postgis::{Access, Db, DbUrl, SaveMode};

use crate::pg::Cluster;

const CELL: f64 = 100.0;
const ORIGIN: Coord<f64> = Coord { x: 620_000.0, y: 3_385_000.0 };
/// Tries of one edit (the first and the retries after conflicts).
const TRIES: usize = 6;

/// A synthetic coverage of `nx` × `ny` jittered 100 m grids over township 341823100: the west half in
/// village 001, the east half in village 201 (no village polygons).
pub fn lattice_project(nx: usize, ny: usize) -> Project {
    let mut p = Project::new("合成网格", crs_from_epsg(4548).unwrap());
    p.boundary = grid_outline(nx, ny, CELL, ORIGIN);
    for (code, name) in [("341823100", "泾川镇"), ("341823100001", "城南居委会"), ("341823100201", "双坑村委会")]
    {
        let code = DivisionCode::parse(code).unwrap();
        let class = code.default_class();
        let parent_code = code.parent().map(str::to_string);
        p.divisions.insert(code.to_string(), Division { code, name: name.into(), parent_code, class, polygon: None });
    }
    for (i, geometry) in jittered_grid(nx, ny, CELL, ORIGIN, 16).into_iter().enumerate() {
        let mut grid = Grid::new(geometry);
        grid.village_code = if i % nx < nx / 2 { "341823100001" } else { "341823100201" }.into();
        grid.name = format!("第{}网格", i + 1);
        grid.attrs.households = Some(300 + (i % 200) as u32);
        p.add_grid(grid);
    }
    p
}

/// Whether the project is a valid coverage of its boundary, by the project's own checker.
pub fn coverage_ok(project: &Project) -> Result<(), String> {
    let (checker, _) = Checker::for_project(project, CoverageOptions::for_project(project));
    let report = checker.report();
    if report.ok() {
        return Ok(());
    }
    let errors: Vec<String> =
        report.findings.iter().filter(|f| f.kind.is_error()).take(5).map(|f| format!("{f:?}")).collect();
    Err(errors.join("\n"))
}

#[derive(Clone, Copy, Debug)]
enum Intent {
    Attr { grid: GridId },
    Move { grid: GridId, vertex: usize, dx: f64, dy: f64 },
    Split { grid: GridId },
}

/// A write a client was told of: the grid as it wrote it, from which version to which.
struct Write {
    client: usize,
    grid: GridId,
    base: Option<i32>,
    version: i32,
    after: Grid,
}

#[derive(Default)]
struct ClientLog {
    writes: Vec<Write>,
    latencies: Vec<Duration>,
    edits_saved: usize,
    rolled_back: usize,
    conflicts: usize,
    gave_up: usize,
    not_possible: usize,
}

/// The command for `intent` on the client's view of the project (None: not possible there, e.g. the
/// editor refuses a move that would make grids overlap).
fn command_for(intent: Intent, project: &Project, index: &SpatialIndex, client: usize, edit: usize) -> Option<Command> {
    match intent {
        Intent::Attr { grid } => {
            let mut fields = GridFields::of(project.grids.get(&grid)?);
            fields.attrs.notes = format!("客户端{client} 第{edit}次");
            fields.attrs.households = Some((client * 1000 + edit) as u32);
            Some(Command::SetFields { id: grid, fields: Box::new(fields) })
        }
        Intent::Move { grid, vertex, dx, dy } => {
            let ring = project.grids.get(&grid)?.geometry.0.first()?.exterior();
            let n = ring.0.len().checked_sub(1).filter(|n| *n > 0)?;
            let from = ring.0[vertex % n];
            move_vertex(project, index, from, Coord { x: from.x + dx, y: from.y + dy }).ok()
        }
        Intent::Split { grid } => {
            let r = project.grids.get(&grid)?.geometry.bounding_rect()?;
            let (w, h) = (r.width(), r.height());
            if w.max(h) < 40.0 {
                return None;
            }
            let c = r.center();
            // Across the longer side, through the middle.
            let line = if w > h {
                [Coord { x: c.x, y: r.min().y - 1.0 }, Coord { x: c.x, y: r.max().y + 1.0 }]
            } else {
                [Coord { x: r.min().x - 1.0, y: c.y }, Coord { x: r.max().x + 1.0, y: c.y }]
            };
            split_grids(project, index, &line, Some(&[grid])).ok().map(|plan| plan.command)
        }
    }
}

fn run_client(url: String, client: usize, edits: usize, start: Arc<Barrier>) -> ClientLog {
    let mut db = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap();
    let mut loaded = db.open().unwrap();
    let mut index = SpatialIndex::build(&loaded.project);
    let mut rng = Rng::new(7919 * (client as u64 + 1));
    let mut log = ClientLog::default();
    start.wait();
    for edit in 0..edits {
        let ids: Vec<GridId> = loaded.project.grids.keys().copied().collect();
        let grid = ids[(rng.next_u64() % ids.len() as u64) as usize];
        let roll = rng.unit();
        let intent = if roll < 0.4 {
            Intent::Attr { grid }
        } else if roll < 0.85 {
            let vertex = rng.next_u64() as usize;
            Intent::Move { grid, vertex, dx: (rng.unit() - 0.5) * 2.0, dy: (rng.unit() - 0.5) * 2.0 }
        } else {
            Intent::Split { grid }
        };
        for attempt in 0..TRIES {
            let Some(command) = command_for(intent, &loaded.project, &index, client, edit) else {
                log.not_possible += 1;
                break;
            };
            let inverse = command.apply(&mut loaded.project).unwrap();
            let touched: BTreeSet<GridId> = inverse.grids().into_iter().collect();
            let bases: BTreeMap<GridId, Option<i32>> =
                touched.iter().map(|g| (*g, loaded.versions.get(g).copied())).collect();
            let changes = Changes { grids: touched.clone(), other_layers: false };
            let started = Instant::now();
            let report = db.save_with(&mut loaded, &changes, SaveMode::AllOrNothing).unwrap();
            log.latencies.push(started.elapsed());
            if report.complete() {
                let renumbered: BTreeMap<GridId, GridId> = report.renumbered.iter().copied().collect();
                assert_eq!(report.written.len(), touched.len(), "all of the edit or nothing");
                let mut changed = touched.clone();
                for local in &touched {
                    let stored = renumbered.get(local).copied().unwrap_or(*local);
                    changed.insert(stored);
                    let after = loaded.project.grids[&stored].clone();
                    let version = loaded.versions[&stored];
                    log.writes.push(Write { client, grid: stored, base: bases[local], version, after });
                }
                index.update(&loaded.project, &changed);
                log.edits_saved += 1;
                break;
            }
            assert!(report.rolled_back && report.written.is_empty(), "nothing written: {report:?}");
            assert!(report.refused.is_empty(), "county accounts are refused nothing");
            log.rolled_back += 1;
            log.conflicts += report.conflicts.len();
            // A consistent snapshot, then the same edit again on it.
            loaded = db.open().unwrap();
            index = SpatialIndex::build(&loaded.project);
            if attempt + 1 == TRIES {
                log.gave_up += 1;
            }
        }
    }
    log
}

struct LoadResult {
    saves: usize,
    edits_saved: usize,
    p50: Duration,
    p95: Duration,
    conflicts: usize,
    rolled_back: usize,
}

/// `clients` × `edits` on an `n` × `n` lattice; checks everything the module's comment promises.
fn load(pg: &Cluster, clients: usize, edits: usize, n: usize) -> LoadResult {
    let url = pg.url("loadtest");
    let seed = lattice_project(n, n);
    coverage_ok(&seed).unwrap();
    let mut admin = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap();
    admin.init(&seed, false).unwrap();
    // One account per client (county rights: every grid), so the history names who wrote what.
    let mut sql = pg.client("wangge");
    for c in 0..clients {
        sql.batch_execute(&format!("CREATE ROLE client_{c} LOGIN")).unwrap();
        admin.grant(&format!("client_{c}"), &Access::County).unwrap();
    }
    let start = Arc::new(Barrier::new(clients + 1));
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (url, start) = (pg.url_as(&format!("client_{c}"), "loadtest"), start.clone());
            std::thread::spawn(move || run_client(url, c, edits, start))
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let logs: Vec<ClientLog> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let wall = began.elapsed();

    // Every reported write is in the history, and the history holds nothing else.
    let rows = sql
        .query(
            "SELECT grid_id, who, old_version, new_version, ST_AsBinary(new_geom), new_attrs::text
             FROM loadtest.changes WHERE action <> 'load' ORDER BY id",
            &[],
        )
        .unwrap();
    let writes: Vec<&Write> = logs.iter().flat_map(|l| &l.writes).collect();
    assert_eq!(rows.len(), writes.len(), "the history holds exactly the writes the clients were told of");
    let mut by_version: BTreeMap<(GridId, i32), &postgres::Row> = BTreeMap::new();
    let mut from_version: BTreeSet<(GridId, Option<i32>)> = BTreeSet::new();
    for row in &rows {
        let grid = row.get::<_, i64>(0) as GridId;
        assert!(by_version.insert((grid, row.get(3)), row).is_none());
        let old: Option<i32> = row.get(2);
        // No silent overwrite: one write per version of a grid; whoever came second got a conflict.
        assert!(old.is_none() || from_version.insert((grid, old)), "grid {grid} written twice from v{old:?}");
    }
    for w in &writes {
        let row =
            by_version.get(&(w.grid, w.version)).unwrap_or_else(|| panic!("lost: grid {} v{}", w.grid, w.version));
        assert_eq!(row.get::<_, String>(1), format!("client_{}", w.client));
        assert_eq!(row.get::<_, Option<i32>>(2), w.base, "grid {} written from the version its writer had", w.grid);
        let mut wkb = Vec::new();
        wangge::io::wkb::write_multipolygon(&mut wkb, &w.after.geometry);
        assert_eq!(row.get::<_, &[u8]>(4), &wkb[..], "grid {} v{}: the geometry written", w.grid, w.version);
        let attrs: serde_json::Value = serde_json::from_str(&row.get::<_, String>(5)).unwrap();
        assert_eq!(attrs["notes"], w.after.attrs.notes.as_str());
        assert_eq!(attrs["households"], serde_json::json!(w.after.attrs.households));
    }
    // Each grid's versions form one chain from its load (or insert) to the version it has now, and
    // what it holds now is what its last writer wrote.
    let db = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap().open().unwrap();
    let mut last: BTreeMap<GridId, &Write> = BTreeMap::new();
    for w in &writes {
        if last.get(&w.grid).is_none_or(|l| l.version < w.version) {
            last.insert(w.grid, w);
        }
    }
    for (id, version) in &db.versions {
        let written: Vec<i32> = (1..=*version).filter(|v| by_version.contains_key(&(*id, *v))).collect();
        let loaded_at_1 = seed.grids.contains_key(id);
        assert_eq!(written.len() + usize::from(loaded_at_1), *version as usize, "grid {id}: a gap in its versions");
        match last.get(id) {
            Some(w) => assert_eq!(db.project.grids[id], w.after, "grid {id}"),
            None => assert_eq!(db.project.grids[id], seed.grids[id], "grid {id} untouched"),
        }
    }
    coverage_ok(&db.project).unwrap_or_else(|e| panic!("the coverage broke under load:\n{e}"));

    let mut latencies: Vec<Duration> = logs.iter().flat_map(|l| l.latencies.iter().copied()).collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    let sum = |f: fn(&ClientLog) -> usize| logs.iter().map(f).sum::<usize>();
    let result = LoadResult {
        saves: latencies.len(),
        edits_saved: sum(|l| l.edits_saved),
        p50: at(0.5),
        p95: at(0.95),
        conflicts: sum(|l| l.conflicts),
        rolled_back: sum(|l| l.rolled_back),
    };
    eprintln!(
        "{clients} clients × {edits} edits on {n}×{n} grids: {} saves ({} edits saved, {} rolled back with {} conflicting grids, \
         {} edits given up after {TRIES} tries, {} not possible) in {:.1} s = {:.0} saves/s; save latency p50 {:.1} ms, p95 {:.1} ms; \
         {} grids at the end",
        result.saves,
        result.edits_saved,
        result.rolled_back,
        result.conflicts,
        sum(|l| l.gave_up),
        sum(|l| l.not_possible),
        wall.as_secs_f64(),
        result.saves as f64 / wall.as_secs_f64(),
        result.p50.as_secs_f64() * 1000.0,
        result.p95.as_secs_f64() * 1000.0,
        db.project.grids.len(),
    );
    result
}

#[test]
fn postgis_load_small() {
    let Some(pg) = Cluster::start() else { return };
    // Few grids for the clients, so that they meet: conflicts happen and are handled.
    let r = load(&pg, 4, 50, 6);
    assert!(r.edits_saved > 100, "most edits land");
    assert!(r.rolled_back > 0 && r.conflicts > 0, "the clients met");
    assert!(r.p50 <= r.p95);
}

/// The full size of issue 16 (`WANGGE_LOAD=CLIENTSxEDITS`, default 20x1000), printed for BENCHMARKS.md.
#[test]
#[ignore]
fn postgis_load_full() {
    let Some(pg) = Cluster::start() else { return };
    let size = std::env::var("WANGGE_LOAD").unwrap_or_else(|_| "20x1000".into());
    let (clients, edits) = size.split_once('x').expect("WANGGE_LOAD=CLIENTSxEDITS");
    let r = load(&pg, clients.parse().unwrap(), edits.parse().unwrap(), 40);
    assert!(r.saves > 0);
}

#[test]
fn an_all_or_nothing_save_writes_no_side_of_a_shared_border_when_the_other_conflicts() {
    let Some(pg) = Cluster::start() else { return };
    let url = pg.url("border");
    let seed = lattice_project(3, 3);
    let mut a = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap();
    a.init(&seed, false).unwrap();
    let mut b = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap();
    let (mut mine_a, mut mine_b) = (a.open().unwrap(), b.open().unwrap());
    // B changes the middle grid's attributes; A moves a vertex the middle grid (5) shares with grid 4.
    mine_b.project.grids.get_mut(&5).unwrap().attrs.notes = "B".into();
    let saved_b = b.save(&mut mine_b, &Changes { grids: [5].into(), other_layers: false }).unwrap();
    assert!(saved_b.complete());
    let index = SpatialIndex::build(&mine_a.project);
    let ring = mine_a.project.grids[&5].geometry.0[0].exterior().0.clone();
    let shared = *ring.iter().find(|c| mine_a.project.grids[&4].geometry.0[0].exterior().0.contains(c)).unwrap();
    let from = ring.iter().find(|c| **c == shared).copied().unwrap();
    let command = move_vertex(&mine_a.project, &index, from, Coord { x: from.x + 0.5, y: from.y + 0.3 }).unwrap();
    let before = mine_a.versions.clone();
    command.apply(&mut mine_a.project).unwrap();
    let touched: BTreeSet<GridId> =
        mine_a.project.grids.keys().copied().filter(|id| mine_a.project.grids[id] != seed.grids[id]).collect();
    assert!(touched.contains(&4) && touched.contains(&5), "{touched:?}");
    let changes = Changes { grids: touched.clone(), other_layers: false };
    let report = a.save_with(&mut mine_a, &changes, SaveMode::AllOrNothing).unwrap();
    assert!(report.rolled_back && report.written.is_empty());
    assert_eq!(report.conflicts.iter().map(|c| c.id).collect::<Vec<_>>(), vec![5]);
    assert_eq!(mine_a.versions, before, "versions stay as loaded: nothing was written");
    let now = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap().open().unwrap();
    for id in &touched {
        assert_eq!(now.project.grids[id].geometry, seed.grids[id].geometry, "grid {id}: no side of the border moved");
    }
    coverage_ok(&now.project).unwrap();
    let history: i64 = pg
        .client("wangge")
        .query_one("SELECT count(*) FROM border.changes WHERE action <> 'load'", &[])
        .unwrap()
        .get(0);
    assert_eq!(history, 1, "B's write alone");
    // The same save grid by grid would have written grid 4 alone and broken the coverage: that is
    // what EachGrid does, which is why an edit of a shared border is saved all or nothing.
    let report = a.save_with(&mut mine_a, &changes, SaveMode::EachGrid).unwrap();
    assert_eq!(report.conflicts.len(), 1);
    assert!(!report.written.is_empty());
    let now = Db::connect(&DbUrl::parse(&url).unwrap()).unwrap().open().unwrap();
    assert!(coverage_ok(&now.project).is_err(), "one side of the border moved");
}
