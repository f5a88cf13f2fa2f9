//! The project file: round trip, saves that a kill at any moment cannot tear (the file is always the old
//! project or the new one, whole on its own), saves of one edit that touch only what changed, clear errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use geo::{Coord, MultiPolygon, polygon};
use rusqlite::{Connection, OpenFlags};
use wangge::core::coverage::synthetic::{Rng, grid_outline, jittered_grid};
use wangge::core::progress::NoProgress;
use wangge::core::{Grid, Project};
use wangge::io::crs::crs_from_epsg;
use wangge::io::{Changes, IoError, Problem, open_project, save_project, save_project_with};

use crate::common::{debian_tool, path_str, run_ok, small_project, wangge};

#[test]
fn a_project_survives_save_and_open_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    let project = small_project();
    save_project(&project, &path).unwrap();
    let reopened = open_project(&path).unwrap();
    assert_eq!(reopened, project);
    // Saving again over it (fewer grids) replaces the content, and ids are never reused.
    let mut smaller = reopened.clone();
    smaller.grids.remove(&1);
    save_project(&smaller, &path).unwrap();
    let again = open_project(&path).unwrap();
    assert_eq!(again.grids.len(), 1);
    assert_eq!(again.next_grid_id, project.next_grid_id);
}

#[test]
fn the_file_is_a_standard_geopackage_with_rtree_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    save_project(&small_project(), &path).unwrap();
    let conn = Connection::open(&path).unwrap();
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(app_id, 0x4750_4B47);
    let user_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert!(user_version >= 10300);
    let srs: String =
        conn.query_row("SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = 4548", [], |r| r.get(0)).unwrap();
    assert!(srs.contains("CGCS2000 / 3-degree Gauss-Kruger CM 117E"), "{srs}");
    for table in ["boundary", "divisions", "grids", "households"] {
        let ext: i64 = conn
            .query_row(
                "SELECT count(*) FROM gpkg_extensions WHERE table_name = ?1 AND extension_name = 'gpkg_rtree_index'",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ext, 1, "{table}");
    }
    // The R-tree holds every grid with its envelope.
    let (n, minx): (i64, f64) =
        conn.query_row("SELECT count(*), min(minx) FROM rtree_grids_geom", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((n, minx), (2, 620_000.0));
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}

fn problem(result: Result<wangge::core::Project, IoError>) -> (IoError, String) {
    let e = result.expect_err("should not open");
    let text = e.to_string();
    (e, text)
}

#[test]
fn files_that_are_not_projects_give_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let text_file = dir.path().join("notes.gpkg");
    std::fs::write(&text_file, "hello").unwrap();
    let (e, msg) = problem(open_project(&text_file));
    assert!(matches!(*e.problem, Problem::NotAProject(_)) && msg.contains("not an SQLite"), "{msg}");

    // A GeoPackage from another program (no wangge_project table).
    let foreign = dir.path().join("foreign.gpkg");
    save_project(&small_project(), &foreign).unwrap();
    Connection::open(&foreign).unwrap().execute_batch("DROP TABLE wangge_project").unwrap();
    let (e, msg) = problem(open_project(&foreign));
    assert!(matches!(*e.problem, Problem::NotAProject(_)) && msg.contains("wangge import"), "{msg}");

    // A project from a newer Wangge.
    let newer = dir.path().join("newer.gpkg");
    save_project(&small_project(), &newer).unwrap();
    Connection::open(&newer)
        .unwrap()
        .execute_batch("UPDATE wangge_project SET value = '99' WHERE key = 'schema_version'")
        .unwrap();
    let (e, msg) = problem(open_project(&newer));
    assert!(matches!(*e.problem, Problem::NewerSchema { found: 99, .. }), "{msg}");
    assert!(msg.contains("newer.gpkg") && msg.contains("newer Wangge"), "{msg}");

    // Saving over a foreign GeoPackage is refused rather than destroying it.
    let err = save_project(&small_project(), &foreign).unwrap_err().to_string();
    assert!(err.contains("refusing to overwrite"), "{err}");
}

fn integrity(path: &Path) -> String {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

fn rtree_count(path: &Path, table: &str) -> i64 {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM rtree_{table}_geom"), [], |r| r.get(0)).unwrap()
}

#[test]
fn a_save_after_edits_changes_exactly_the_edited_grids_and_keeps_the_index_current() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    let mut project = small_project();
    save_project(&project, &path).unwrap();
    // A table another program added to the project file is kept by every save.
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TABLE qgis_notes (id INTEGER PRIMARY KEY, t TEXT); INSERT INTO qgis_notes VALUES (1, '留言')",
        )
        .unwrap();
    // Move a grid, change another's attributes, delete one, add one.
    let (x0, y0) = (620_000.0, 3_385_000.0);
    let g1 = project.grids.get_mut(&1).unwrap();
    g1.geometry = MultiPolygon(vec![
        polygon![(x: x0, y: y0), (x: x0 + 900., y: y0), (x: x0 + 900., y: y0 + 900.), (x: x0, y: y0 + 900.)],
    ]);
    g1.attrs.households = None;
    g1.name = "改名网格".into();
    project.grids.get_mut(&2).unwrap().attrs.notes = "新备注".into();
    save_project(&project, &path).unwrap();
    assert_eq!(open_project(&path).unwrap(), project);
    project.grids.remove(&2);
    let mut new = Grid::new(MultiPolygon(vec![
        polygon![(x: x0 + 3000., y: y0), (x: x0 + 3500., y: y0), (x: x0 + 3500., y: y0 + 500.), (x: x0 + 3000., y: y0 + 500.)],
    ]));
    new.code = "341823100201002".into();
    project.add_grid(new);
    save_project(&project, &path).unwrap();
    assert_eq!(open_project(&path).unwrap(), project);
    assert_eq!(integrity(&path), "ok");
    let conn = Connection::open(&path).unwrap();
    // The R-tree holds exactly the grids, with their new envelopes.
    let envelopes: Vec<(i64, f64, f64)> = conn
        .prepare("SELECT id, maxx, maxy FROM rtree_grids_geom ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(envelopes, vec![(1, x0 + 900., y0 + 900.), (3, x0 + 3500., y0 + 500.)]);
    let extent: (f64, f64) = conn
        .query_row("SELECT min_x, max_x FROM gpkg_contents WHERE table_name = 'grids'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(extent, (x0, x0 + 3500.));
    let note: String = conn.query_row("SELECT t FROM qgis_notes", [], |r| r.get(0)).unwrap();
    assert_eq!(note, "留言");
}

/// Plants a note in grid `fid`'s row behind Wangge's back: a save that rewrites or compares every row
/// puts the project's value back; a save of known changes leaves it.
fn plant_marker(path: &Path, fid: i64) {
    let conn = Connection::open(path).unwrap();
    // The R-tree triggers name GeoPackage's SQL functions; those that fire on a change of fid or
    // geometry never run here (neither changes), but SQLite needs them to exist.
    let flags = rusqlite::functions::FunctionFlags::SQLITE_UTF8;
    for name in ["ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"] {
        conn.create_scalar_function(name, 1, flags, |_| -> rusqlite::Result<i64> { unreachable!() }).unwrap();
    }
    assert_eq!(conn.execute("UPDATE grids SET notes = 'marker' WHERE fid = ?1", [fid]).unwrap(), 1);
}

fn notes_of(path: &Path, fid: i64) -> String {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row("SELECT notes FROM grids WHERE fid = ?1", [fid], |r| r.get(0)).unwrap()
}

#[test]
fn a_save_of_known_changes_writes_only_the_rows_they_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    let mut project = big_project(20, 10, Coord { x: 600_000.0, y: 3_300_000.0 }, 5);
    save_project(&project, &path).unwrap();
    plant_marker(&path, 50);
    // Change one grid's attributes, move another inside the extent, remove a third, add a fourth beyond it.
    project.grids.get_mut(&7).unwrap().attrs.notes = "改".into();
    let (x0, y0) = (600_000.0 + 1000.0, 3_300_000.0 + 1000.0);
    project.grids.get_mut(&30).unwrap().geometry =
        MultiPolygon(vec![polygon![(x: x0, y: y0), (x: x0 + 50., y: y0), (x: x0 + 50., y: y0 + 50.)]]);
    project.grids.remove(&31);
    let (x1, y1) = (600_000.0 + 5000.0, 3_300_000.0 + 3000.0);
    let mut new = Grid::new(MultiPolygon(vec![polygon![(x: x1, y: y1), (x: x1 + 10., y: y1), (x: x1, y: y1 + 10.)]]));
    new.code = "新".into();
    let new_id = project.add_grid(new);
    let changes = Changes { grids: [7, 30, 31, new_id].into(), other_layers: false };
    save_project_with(&project, &path, Some(&changes), &NoProgress).unwrap();
    assert_eq!(notes_of(&path, 50), "marker", "a grid that was not named was rewritten");
    assert_eq!(notes_of(&path, 7), "改");
    let mut expected = project.clone();
    expected.grids.get_mut(&50).unwrap().attrs.notes = "marker".into();
    assert_eq!(open_project(&path).unwrap(), expected);
    assert_eq!(integrity(&path), "ok");
    // The R-tree and the recorded extent follow: the new grid widens it, the removed one is gone.
    assert_eq!(rtree_count(&path, "grids"), project.grids.len() as i64);
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let (max_x, max_y): (f64, f64) = conn
        .query_row("SELECT max_x, max_y FROM gpkg_contents WHERE table_name = 'grids'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((max_x, max_y), (x1 + 10., y1 + 10.));
    drop(conn);
    // Removing the grid on the extent's edge shrinks it back (the R-tree is asked again).
    project.grids.remove(&new_id);
    let changes = Changes { grids: [new_id].into(), other_layers: false };
    save_project_with(&project, &path, Some(&changes), &NoProgress).unwrap();
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let max_x: f64 =
        conn.query_row("SELECT max_x FROM gpkg_contents WHERE table_name = 'grids'", [], |r| r.get(0)).unwrap();
    assert_eq!(max_x, 600_000.0 + 20.0 * 200.0);
    drop(conn);
    // Without changes (Save As, unknown changes) every row is compared: the marker goes.
    save_project(&project, &path).unwrap();
    assert_eq!(open_project(&path).unwrap(), project);
    assert_eq!(notes_of(&path, 50), "");
}

#[test]
fn a_cancelled_save_leaves_the_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    let project = small_project();
    save_project(&project, &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut changed = project.clone();
    changed.grids.get_mut(&1).unwrap().name = "改".into();
    let progress = wangge::core::progress::ProgressState::default();
    progress.cancel();
    let error = save_project_with(&changed, &path, None, &progress).unwrap_err();
    assert!(matches!(*error.problem, Problem::Cancelled(_)), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn files_of_older_layouts_open_and_are_migrated_on_save() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.gpkg");
    let project = small_project();
    save_project(&project, &path).unwrap();
    // As Wangge wrote them before: settings keyed by TEXT, and a grids table without area_m2.
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TABLE old_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             INSERT INTO old_settings SELECT key, value FROM wangge_project;
             DROP TABLE wangge_project; ALTER TABLE old_settings RENAME TO wangge_project;
             ALTER TABLE grids DROP COLUMN area_m2;",
        )
        .unwrap();
    assert_eq!(open_project(&path).unwrap(), project);
    save_project(&project, &path).unwrap();
    assert_eq!(open_project(&path).unwrap(), project);
    let conn = Connection::open(&path).unwrap();
    let pk_type: String =
        conn.query_row("SELECT type FROM pragma_table_info('wangge_project') WHERE pk = 1", [], |r| r.get(0)).unwrap();
    assert_eq!(pk_type, "INTEGER");
    let area: f64 = conn.query_row("SELECT area_m2 FROM grids WHERE fid = 2", [], |r| r.get(0)).unwrap();
    assert!((area - 1_040_000.0).abs() < 1.0, "{area}");
    assert_eq!(rtree_count(&path, "grids"), 2);
}

#[test]
fn an_interrupted_first_save_of_an_older_wangge_does_not_block_the_next_one() {
    // An older Wangge killed during a new project's first save left a 0-byte file and its journal.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.gpkg");
    std::fs::write(&path, "").unwrap();
    std::fs::write(dir.path().join("new.gpkg-journal"), vec![0xd9u8; 600]).unwrap();
    save_project(&small_project(), &path).unwrap();
    assert_eq!(open_project(&path).unwrap(), small_project());
    assert!(!dir.path().join("new.gpkg-journal").exists());
}

/// A project of `nx` × `ny` digitised-looking grids of 200 m with codes, names and staff: rows of a few
/// hundred bytes, so that a save spans thousands of pages.
fn big_project(nx: usize, ny: usize, origin: Coord<f64>, seed: u64) -> Project {
    let mut project = Project::new("大网格项目", crs_from_epsg(4548).unwrap());
    project.boundary = grid_outline(nx, ny, 200.0, origin);
    for (i, geometry) in jittered_grid(nx, ny, 200.0, origin, seed).into_iter().enumerate() {
        let mut grid = Grid::new(geometry);
        grid.code = format!("341823100{:03}{:03}", i / 1000, i % 1000);
        grid.name = format!("第{}网格", i + 1);
        grid.attrs.grid_head = format!("网格长{seed}-{i}");
        grid.attrs.households = Some((i % 500) as u32);
        project.add_grid(grid);
    }
    project
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".wangge-saving"))
        .collect()
}

/// What a file left by a killed save holds: checked by SQLite, by GDAL (opening it first, read-only) and by
/// Wangge; the project must equal one of `expected`. Returns its index.
fn whole_project_in(path: &Path, expected: &[&Project], gdal: bool) -> usize {
    assert_eq!(integrity(path), "ok", "{}", path.display());
    if gdal {
        let text = run_ok("ogrinfo", &["-ro", "-so", path_str(path), "grids"]);
        let counts: Vec<String> = expected.iter().map(|p| format!("Feature Count: {}\n", p.grids.len())).collect();
        assert!(counts.iter().any(|c| text.contains(c.as_str())), "{text}");
    }
    let project = open_project(path).unwrap();
    let which = expected.iter().position(|p| **p == project);
    let grids = project.grids.len();
    which.unwrap_or_else(|| panic!("{}: a mix of old and new ({grids} grids)", path.display()))
}

/// How a run of the child ended.
struct Run {
    /// Killed before it ended by itself.
    killed: bool,
    /// Killed while its save was under way (its temporary file existed).
    during_save: bool,
    /// From the temporary file's appearance to the end of the run, when it was seen.
    save_time: Option<Duration>,
}

/// Runs `wangge import more.gpkg --into project`, killing it (SIGKILL) at `kill_at`: a time after the start,
/// or after its save began (its temporary file appeared).
fn import_killed(more: &Path, project: &Path, kill_at: KillAt) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wangge"))
        .args(["import", path_str(more), "--layer", "grids", "--into", path_str(project), "--as", "grids"])
        .env("WANGGE_CONFIG_DIR", std::env::temp_dir().join("wangge-test-config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let dir = project.parent().unwrap();
    let start = Instant::now();
    let mut save_seen: Option<Instant> = None;
    let mut ended = false;
    loop {
        let now = Instant::now();
        if save_seen.is_none() && !temp_files(dir).is_empty() {
            save_seen = Some(now);
        }
        let due = match kill_at {
            KillAt::AfterStart(d) => now >= start + d,
            KillAt::IntoSave(d) => save_seen.is_some_and(|t| now >= t + d),
        };
        if child.try_wait().unwrap().is_some() {
            ended = true;
            break;
        }
        if due || start.elapsed() > Duration::from_secs(300) {
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let during_save = !ended && !temp_files(dir).is_empty();
    let _ = child.kill();
    let status = child.wait().unwrap();
    let end = Instant::now();
    let killed = !ended && !status.success();
    Run { killed, during_save: during_save && killed, save_time: save_seen.map(|t| end - t) }
}

#[derive(Clone, Copy, Debug)]
enum KillAt {
    AfterStart(Duration),
    IntoSave(Duration),
}

#[test]
fn a_save_killed_at_any_moment_leaves_the_old_or_the_new_project_whole() {
    let gdal = debian_tool("ogrinfo");
    let dir = tempfile::tempdir().unwrap();
    // 20,000 grids in the project (about 12 MB), 2,000 more to import.
    let old = big_project(200, 100, Coord { x: 600_000.0, y: 3_300_000.0 }, 1);
    let base = dir.path().join("base.gpkg");
    save_project(&old, &base).unwrap();
    let more = dir.path().join("more.gpkg");
    save_project(&big_project(50, 40, Coord { x: 650_000.0, y: 3_300_000.0 }, 2), &more).unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let path = work.join("p.gpkg");

    // The import run to its end, timed: the whole run, and its save (from the temporary file's appearance).
    std::fs::copy(&base, &path).unwrap();
    let start = Instant::now();
    let run = import_killed(&more, &path, KillAt::AfterStart(Duration::from_secs(600)));
    assert!(!run.killed);
    let whole_run = start.elapsed();
    let save_time = run.save_time.unwrap_or(whole_run);
    let new = open_project(&path).unwrap();
    assert_eq!(new.grids.len(), old.grids.len() + 2000);

    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    eprintln!("kill trials: seed {seed}, a whole import takes {whole_run:?}, its save {save_time:?}");
    let mut rng = Rng::new(seed);
    let (mut kills, mut during_save, mut outcomes) = (0, 0, [0usize; 2]);
    for trial in 0..60 {
        if kills >= 24 {
            break;
        }
        std::fs::copy(&base, &path).unwrap();
        // A third of the kills at any moment of the run; the rest at a moment of the save, from its start to
        // past its rename, where a torn file would show.
        let kill_at = if trial % 3 == 0 {
            KillAt::AfterStart(whole_run.mul_f64(rng.unit() * 1.1))
        } else {
            KillAt::IntoSave(save_time.mul_f64(rng.unit() * 1.3))
        };
        let run = import_killed(&more, &path, kill_at);
        kills += run.killed as usize;
        during_save += run.during_save as usize;
        // Copied alone, as a sync tool or a backup would take it after the crash.
        let alone = dir.path().join("alone.gpkg");
        std::fs::copy(&path, &alone).unwrap();
        let which = whole_project_in(&alone, &[&old, &new], gdal);
        assert_eq!(whole_project_in(&path, &[&old, &new], gdal), which, "trial {trial} ({kill_at:?})");
        outcomes[which] += 1;
    }
    eprintln!(
        "{kills} kills ({during_save} during the save): {} left the old project, {} the new",
        outcomes[0], outcomes[1]
    );
    assert!(kills >= 20, "only {kills} runs were killed before they ended");
    assert!(during_save >= 5, "only {during_save} kills landed during a save");
    // The next save clears what killed saves left beside the file.
    let out = wangge(&["import", path_str(&more), "--layer", "grids", "--into", path_str(&path), "--as", "grids"]);
    assert!(out.status.success());
    assert!(temp_files(&work).is_empty(), "{:?}", temp_files(&work));
}

#[test]
fn a_first_save_killed_at_any_moment_leaves_no_file_or_the_whole_project() {
    let gdal = debian_tool("ogrinfo");
    let dir = tempfile::tempdir().unwrap();
    let more = dir.path().join("more.gpkg");
    save_project(&big_project(100, 50, Coord { x: 650_000.0, y: 3_300_000.0 }, 3), &more).unwrap();
    let path = dir.path().join("new.gpkg");
    let start = Instant::now();
    let run = import_killed(&more, &path, KillAt::AfterStart(Duration::from_secs(600)));
    assert!(!run.killed);
    let whole_run = start.elapsed();
    let save_time = run.save_time.unwrap_or(whole_run);
    let complete = open_project(&path).unwrap();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let mut rng = Rng::new(seed);
    let (mut absent, mut whole) = (0, 0);
    for trial in 0..8 {
        std::fs::remove_file(&path).unwrap_or_default();
        let kill_at = if trial % 2 == 0 {
            KillAt::AfterStart(whole_run.mul_f64(rng.unit() * 1.1))
        } else {
            KillAt::IntoSave(save_time.mul_f64(rng.unit() * 1.3))
        };
        import_killed(&more, &path, kill_at);
        if path.exists() {
            whole_project_in(&path, &[&complete], gdal);
            whole += 1;
        } else {
            absent += 1;
        }
        // Whatever was left, the next import and info work.
        let out = wangge(&["info", path_str(&path)]);
        assert_eq!(out.status.success(), path.exists(), "seed {seed} trial {trial}");
    }
    eprintln!("first-save kills (seed {seed}): {absent} left no file, {whole} the whole project");
    let out = wangge(&["import", path_str(&more), "--layer", "grids", "--into", path_str(&path), "--as", "grids"]);
    assert!(out.status.success());
    assert!(temp_files(dir.path()).is_empty());
}

/// Save times at 100,000 grids, printed (by hand: `cargo test --test integration save_times_at_100k_grids
/// -- --ignored --nocapture`; too slow for every run in a debug build).
#[test]
#[ignore]
fn save_times_at_100k_grids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.gpkg");
    let mut project = big_project(400, 250, Coord { x: 600_000.0, y: 3_300_000.0 }, 4);
    let timed = |project: &Project, what: &str| {
        let start = Instant::now();
        save_project(project, &path).unwrap();
        eprintln!("{what}: {:?}", start.elapsed());
    };
    timed(&project, "first save of 100,000 grids");
    eprintln!("file size: {} MB", std::fs::metadata(&path).unwrap().len() / 1_000_000);
    timed(&project, "save with nothing changed");
    project.grids.get_mut(&50_000).unwrap().attrs.notes = "改".into();
    timed(&project, "save after one attribute edit");
    let g = project.grids.get_mut(&50_001).unwrap();
    g.geometry = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)]]);
    timed(&project, "save after one geometry edit");
    // What the app does: only the grids its history says changed.
    project.grids.get_mut(&50_002).unwrap().attrs.notes = "再改".into();
    let changes = Changes { grids: [50_002].into(), other_layers: false };
    let start = Instant::now();
    save_project_with(&project, &path, Some(&changes), &NoProgress).unwrap();
    eprintln!("save of one known attribute edit: {:?}", start.elapsed());
    let g = project.grids.get_mut(&50_003).unwrap();
    g.geometry = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.)]]);
    let changes = Changes { grids: [50_003].into(), other_layers: false };
    let start = Instant::now();
    save_project_with(&project, &path, Some(&changes), &NoProgress).unwrap();
    eprintln!("save of one known geometry edit: {:?}", start.elapsed());
    let start = Instant::now();
    assert_eq!(open_project(&path).unwrap(), project);
    eprintln!("open: {:?}", start.elapsed());
}

#[test]
fn info_facts_read_from_the_file_match_those_of_the_opened_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    let mut project = big_project(12, 9, Coord { x: 600_000.0, y: 3_300_000.0 }, 6);
    // A grid that reaches beyond the others, so the extent is the grids' own and not a rounded index.
    let (x, y) = (600_000.0 + 12.0 * 200.0 + 0.123, 3_300_000.0 + 9.0 * 200.0 + 0.456);
    project.add_grid(Grid::new(MultiPolygon(vec![polygon![(x: x - 5., y: y - 5.), (x: x, y: y - 5.), (x: x, y: y)]])));
    save_project(&project, &path).unwrap();
    let (without_grids, facts) = wangge::io::gpkg::open_project_facts(&path).unwrap();
    assert!(without_grids.grids.is_empty(), "no grid is read");
    let full = wangge::io::gpkg::GridFacts::of(&open_project(&path).unwrap());
    assert_eq!(facts.count, full.count);
    assert_eq!(facts.extent, full.extent);
    assert!((facts.area_m2 - full.area_m2).abs() < 1e-6 * full.area_m2, "{facts:?} {full:?}");
    // The summary `wangge info` prints says the same as the window's, which has every grid.
    for lang in [wangge::text::Lang::Zh, wangge::text::Lang::En] {
        assert_eq!(
            wangge::text::summary::summary_with(&without_grids, &facts, lang),
            wangge::text::summary::project_summary(&open_project(&path).unwrap(), lang)
        );
    }
}
