//! Issue 16 part 4: a client killed in the middle of a save, the database server killed in the middle of
//! a `wangge db init`, of a save and of a `wangge db checkin`, and a check-in killed after the database
//! committed it but before its file was updated. Afterwards the database is consistent — every grid's version is
//! the last one its history records, the history holds one change per version, no grid is half written
//! (a save is one transaction: all of it or none), the project opens and its coverage checks — the
//! client got a clear error naming the URL (not a panic), and doing the work again succeeds.
//!
//! The saving client is a child process: this test binary running the ignored test
//! [`kill_child_saves_every_grid`], which saves every grid of the project (one transaction).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use wangge::core::edit::Command as EditCommand;
use wangge::io::postgis::{Db, DbError, DbUrl, read_checkout, url_path};
use wangge::io::{Changes, IoError, Problem, open_project, save_project};

use crate::common::{path_str, stderr, stdout, wangge_env};
use crate::pg::Cluster;
use crate::postgis_checkout::{TOWN, checkin, county, db_grid, edit, grid, last_change, loaded, poly, set_fields};
use crate::postgis_load::{coverage_ok, lattice_project};

/// The child: saves every grid of the project at `WANGGE_KILL_URL` with the notes `WANGGE_KILL_NOTE`,
/// in one save; a database error is printed as the CLI prints it and the process exits 2.
#[test]
#[ignore]
fn kill_child_saves_every_grid() {
    let Ok(url) = std::env::var("WANGGE_KILL_URL") else { return };
    let note = std::env::var("WANGGE_KILL_NOTE").unwrap_or_default();
    let url = DbUrl::parse(&url).unwrap();
    let saved = (|| -> Result<usize, DbError> {
        let mut db = Db::connect(&url)?;
        let mut loaded = db.open()?;
        for grid in loaded.project.grids.values_mut() {
            grid.attrs.notes = note.clone();
            grid.attrs.households = Some(7);
        }
        let grids = loaded.project.grids.keys().copied().collect();
        Ok(db.save(&mut loaded, &Changes { grids, other_layers: false })?.written.len())
    })();
    match saved {
        Ok(n) => println!("saved {n} grids"),
        Err(e) => {
            eprintln!("{}", IoError::new(&url_path(&url), Problem::Database(e)));
            std::process::exit(2);
        }
    }
}

fn child_save(url: &str, note: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "postgis_kill::kill_child_saves_every_grid", "--ignored", "--nocapture", "--test-threads=1"])
        .env("WANGGE_KILL_URL", url)
        .env("WANGGE_KILL_NOTE", note)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until a `wangge` connection is inside a transaction that has written (`backend_xid` set) and
/// whose last statement starts with `statement`; false if `child` ended first.
fn wait_mid_write(pg: &Cluster, child: &mut Child, statement: &str) -> bool {
    let mut admin = pg.client("postgres");
    let started = Instant::now();
    loop {
        let row = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE application_name = 'wangge' AND backend_xid IS NOT NULL AND query LIKE $1",
                &[&format!("{statement}%")],
            )
            .unwrap();
        if row.get::<_, i64>(0) > 0 {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the child never wrote");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Waits until the server has noticed that every `wangge` connection is gone.
fn wait_disconnected(pg: &Cluster) {
    let mut admin = pg.client("postgres");
    let started = Instant::now();
    while admin
        .query_one("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'wangge'", &[])
        .unwrap()
        .get::<_, i64>(0)
        > 0
    {
        assert!(started.elapsed() < Duration::from_secs(30), "a killed client's connection stayed");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Checks that schema `s` is consistent and returns the notes its grids hold (one value: the save
/// landed whole or not at all) and their versions.
fn consistent(pg: &Cluster, url: &str, s: &str) -> (BTreeSet<String>, BTreeSet<i32>) {
    let mut c = pg.client("wangge");
    let mut count = |sql: &str| -> i64 { c.query_one(&sql.replace("{s}", s), &[]).unwrap().get(0) };
    assert_eq!(
        count(
            "SELECT count(*) FROM {s}.grids g WHERE g.version IS DISTINCT FROM (SELECT max(new_version) FROM {s}.changes c WHERE c.grid_id = g.id)"
        ),
        0,
        "each grid's version is the last its history records"
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM {s}.grids g WHERE g.version <> (SELECT count(*) FROM {s}.changes c WHERE c.grid_id = g.id)"
        ),
        0,
        "one change per version"
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM {s}.grids g, LATERAL (SELECT * FROM {s}.changes c WHERE c.grid_id = g.id ORDER BY id DESC LIMIT 1) last
             WHERE last.new_attrs <> to_jsonb(g) - 'id' - 'version' - 'geom' OR NOT ST_Equals(last.new_geom, g.geom)"
        ),
        0,
        "each grid is what its last change wrote"
    );
    assert_eq!(
        count("SELECT count(*) FROM {s}.changes c WHERE NOT EXISTS (SELECT 1 FROM {s}.grids g WHERE g.id = c.grid_id)"),
        0
    );
    let loaded = Db::connect(&DbUrl::parse(url).unwrap()).unwrap().open().unwrap();
    coverage_ok(&loaded.project).unwrap();
    let notes = loaded.project.grids.values().map(|g| g.attrs.notes.clone()).collect();
    let versions = loaded.versions.values().copied().collect();
    (notes, versions)
}

fn finished(child: Child) -> Output {
    child.wait_with_output().unwrap()
}

fn seeded(pg: &Cluster, schema: &str, n: usize) -> String {
    let url = pg.url(schema);
    Db::connect(&DbUrl::parse(&url).unwrap()).unwrap().init(&lattice_project(n, n), false).unwrap();
    url
}

#[test]
fn a_client_killed_mid_save_leaves_the_database_consistent_and_the_save_can_be_retried() {
    let Some(pg) = Cluster::start() else { return };
    let url = seeded(&pg, "killed", 40);
    for (trial, delay_ms) in [0u64, 30, 150].into_iter().enumerate() {
        let mut child = child_save(&url, &format!("第{trial}次"));
        assert!(wait_mid_write(&pg, &mut child, "UPDATE grids"), "the save ended before it could be killed");
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        let out = finished(child);
        assert!(!out.status.success());
        wait_disconnected(&pg);
        let (notes, versions) = consistent(&pg, &url, "killed");
        assert_eq!(notes, BTreeSet::from([String::new()]), "trial {trial}: nothing of the killed save landed");
        assert_eq!(versions, BTreeSet::from([1]));
    }
    // Done again, to the end: every grid written once.
    let out = finished(child_save(&url, "重做"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("saved 1600 grids"));
    let (notes, versions) = consistent(&pg, &url, "killed");
    assert_eq!((notes, versions), (BTreeSet::from(["重做".to_string()]), BTreeSet::from([2])));
}

#[test]
fn the_server_killed_mid_save_gives_the_client_an_error_naming_the_url_and_the_save_can_be_retried() {
    let Some(pg) = Cluster::start() else { return };
    let url = seeded(&pg, "crashed", 40);
    let mut child = child_save(&url, "崩溃前");
    assert!(wait_mid_write(&pg, &mut child, "UPDATE grids"), "the save ended before the server could be killed");
    pg.crash();
    let out = finished(child);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "a clear error, not a panic: {err}");
    assert!(err.contains(&url), "the error names the URL: {err}");
    assert!(!err.contains("panicked"), "{err}");
    pg.restart();
    let (notes, versions) = consistent(&pg, &url, "crashed");
    assert_eq!((notes, versions), (BTreeSet::from([String::new()]), BTreeSet::from([1])));
    let out = finished(child_save(&url, "重做"));
    assert!(out.status.success(), "{}", stderr(&out));
    let (notes, versions) = consistent(&pg, &url, "crashed");
    assert_eq!((notes, versions), (BTreeSet::from(["重做".to_string()]), BTreeSet::from([2])));
}

#[test]
fn the_server_killed_mid_init_leaves_no_schema_and_the_init_can_be_retried() {
    let Some(pg) = Cluster::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.gpkg");
    let project = lattice_project(150, 150);
    save_project(&project, &file).unwrap();
    let url = pg.url("fresh");
    let init = || {
        Command::new(env!("CARGO_BIN_EXE_wangge"))
            .args(["db", "init", &url, "--from", path_str(&file), "--lang", "en"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut child = init();
    // The schema is made, the grids are going in: the transaction has written.
    assert!(wait_mid_write(&pg, &mut child, ""), "the init ended before the server could be killed");
    pg.crash();
    let out = finished(child);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "a clear error, not a panic: {err}");
    assert!(err.contains(&url), "the error names the URL: {err}");
    assert!(!err.contains("panicked"), "{err}");
    pg.restart();
    let schemas: i64 =
        pg.client("wangge").query_one("SELECT count(*) FROM pg_namespace WHERE nspname = 'fresh'", &[]).unwrap().get(0);
    assert_eq!(schemas, 0, "an init is one transaction: nothing of it is left");
    let out = finished(init());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("created the project in {url} with {} grids\n", project.grids.len())
    );
    let (notes, versions) = consistent(&pg, &url, "fresh");
    assert_eq!((notes, versions), (BTreeSet::from([String::new()]), BTreeSet::from([1])));
}

/// The offline edits of the check-in tests, in the order the check-in writes them (by id): grid 1 cut
/// in half and renamed, grid 2's notes, a new grid in grid 1's east half. The new grid's id in the file.
fn offline_edits(file: &Path) -> u64 {
    let mut new_id = 0;
    edit(file, |p| {
        let west = poly(&[(0., 0.), (50., 0.), (50., 100.), (0., 100.)]);
        set_fields(p, 1, |f| f.name = "城南西".into()).unwrap();
        EditCommand::SetGeometry { id: 1, geometry: west }.apply(p).unwrap();
        set_fields(p, 2, |f| f.attrs.notes = "签入前".into()).unwrap();
        let mut east = grid("341823100001003", poly(&[(50., 0.), (100., 0.), (100., 100.), (50., 100.)]));
        east.id = 0;
        EditCommand::AddGrid(Box::new(east)).apply(p).unwrap();
        new_id = p.grids.keys().copied().max().unwrap();
    });
    new_id
}

/// `wangge db checkin FILE` as a child process, with `PGPASSWORD` set when `password` is given.
fn child_checkin(file: &Path, password: Option<&str>) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wangge"));
    cmd.args(["db", "checkin", path_str(file), "--lang", "en"])
        .env("WANGGE_CONFIG_DIR", std::env::temp_dir().join("wangge-test-config"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    cmd.spawn().unwrap()
}

/// Another client holding grid `id` locked (`SELECT … FOR UPDATE` in an open transaction) until it
/// rolls back or the connection ends: a check-in writing that grid waits for it.
fn lock_grid(pg: &Cluster, id: i64) -> postgres::Client {
    let mut c = pg.client("wangge");
    c.batch_execute(&format!("BEGIN; SELECT id FROM jingxian.grids WHERE id = {id} FOR UPDATE")).unwrap();
    c
}

/// Waits until a `wangge` connection that has written in its transaction waits for a row lock; false
/// if `child` ended first.
fn wait_blocked_mid_write(pg: &Cluster, child: &mut Child) -> bool {
    let mut admin = pg.client("postgres");
    let started = Instant::now();
    loop {
        let waiting: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity a WHERE a.application_name = 'wangge' AND a.backend_xid IS NOT NULL
                 AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted)",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the check-in never waited for the locked grid");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The rows of the history and the grids of schema `jingxian`, as the database has them.
fn history_and_grids(pg: &Cluster) -> (i64, Vec<(i64, i32, String)>) {
    let mut c = pg.client("wangge");
    let changes: i64 = c.query_one("SELECT count(*) FROM jingxian.changes", &[]).unwrap().get(0);
    let grids = c
        .query("SELECT id, version, code FROM jingxian.grids ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    (changes, grids)
}

/// Asserts that the file at `file` and its recorded base are what the database holds now: the next
/// check-in starts from the database's state.
fn file_continues_from_the_database(pg: &Cluster, url: &str, file: &Path) {
    let project = open_project(file).unwrap();
    let (info, base) = read_checkout(file).unwrap();
    assert_eq!(info.last_change, last_change(pg), "the file's base is the database's last change");
    assert_eq!(base.keys().collect::<Vec<_>>(), project.grids.keys().collect::<Vec<_>>());
    for (id, b) in &base {
        let (in_db, version) = db_grid(url, *id).unwrap();
        assert_eq!((&b.grid, b.version), (&in_db, version), "grid {id}: base and database");
        assert_eq!(project.grids[id], in_db, "grid {id}: file and database");
    }
}

#[test]
fn the_server_killed_mid_checkin_leaves_database_and_file_as_they_were_and_the_checkin_can_be_retried() {
    let Some((pg, dir, admin_url)) = loaded() else { return };
    let password = "签入-secret-42";
    pg.require_password("county", password);
    let url = pg.url_as("county", "jingxian");
    let file = dir.path().join("泾川镇.gpkg");
    let out = wangge_env(
        &["db", "checkout", &url, "--township", TOWN, "--to", path_str(&file), "--lang", "en"],
        &[("PGPASSWORD", password)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let new_id = offline_edits(&file);
    let file_before = std::fs::read(&file).unwrap();
    let db_before = history_and_grids(&pg);
    // Another client has grid 2 locked: the check-in writes grid 1, then waits inside its transaction.
    let locker = lock_grid(&pg, 2);
    let mut child = child_checkin(&file, Some(password));
    assert!(wait_blocked_mid_write(&pg, &mut child), "the check-in ended before the server could be killed");
    pg.crash();
    let out = finished(child);
    drop(locker);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "a clear error, not a panic: {}{err}", stdout(&out));
    assert!(err.contains(&url), "the error names the URL: {err}");
    assert!(!err.contains("panicked") && !err.contains(password), "{err}");
    assert_eq!(stdout(&out), "", "nothing claimed as checked in");
    pg.restart();
    // Nothing of the check-in is in the database; the history is whole; the file is as it was.
    assert_eq!(history_and_grids(&pg), db_before);
    let (_, versions) = consistent(&pg, &admin_url, "jingxian");
    assert_eq!(versions, BTreeSet::from([1]));
    assert_eq!(db_grid(&admin_url, 1).unwrap(), (county().grids[&1].clone(), 1));
    assert_eq!(std::fs::read(&file).unwrap(), file_before, "the file is untouched");
    let (info, base) = read_checkout(&file).unwrap();
    assert_eq!(info.last_change, db_before.0);
    assert!(base.values().all(|b| b.version == 1));
    assert_eq!(open_project(&file).unwrap().grids[&1].name, "城南西", "the edits are still in the file");
    // The same check-in again: everything goes in, once.
    let out = finished(child_checkin(&file, Some(password)));
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).starts_with("checked in: 3 grids written to the database"), "{}", stdout(&out));
    let (changes, grids) = history_and_grids(&pg);
    assert_eq!(changes, db_before.0 + 3);
    assert_eq!(grids.iter().filter(|(_, _, code)| code == "341823100001003").count(), 1);
    assert_eq!(db_grid(&admin_url, 1).unwrap().0.name, "城南西");
    assert_eq!(db_grid(&admin_url, 2).unwrap().0.attrs.notes, "签入前");
    let (_, versions) = consistent(&pg, &admin_url, "jingxian");
    assert_eq!(versions, BTreeSet::from([1, 2]));
    file_continues_from_the_database(&pg, &admin_url, &file);
    let in_file: Vec<u64> =
        open_project(&file).unwrap().grids.values().filter(|g| g.code == "341823100001003").map(|g| g.id).collect();
    assert_eq!(in_file.len(), 1, "the new grid (the file's {new_id}) once, under the database's id");
}

#[test]
fn a_checkin_killed_after_its_commit_before_the_file_was_updated_is_retried_without_conflicts_or_double_writes() {
    let Some((pg, dir, url)) = loaded() else { return };
    let file = dir.path().join("泾川镇.gpkg");
    let out = crate::postgis_checkout::checkout(&url, TOWN, &file);
    assert!(out.status.success(), "{}", stderr(&out));
    // Another client adds a grid elsewhere meanwhile: the id the file gave its new grid is taken, so the
    // check-in stores it under another.
    pg.client("wangge").batch_execute("SELECT nextval('jingxian.grid_ids')").unwrap();
    let new_id = offline_edits(&file);
    let file_before = std::fs::read(&file).unwrap();
    let (changes_before, _) = history_and_grids(&pg);
    let (mut child, sqlite) = checkin_held_after_its_commit(&pg, &file, changes_before);
    child.kill().unwrap(); // SIGKILL, still waiting for the file
    let out = finished(child);
    assert!(!out.status.success());
    drop(sqlite);
    assert_eq!(std::fs::read(&file).unwrap(), file_before, "the file was not updated");
    // The database has the whole check-in; the new grid under another id than the file's.
    let (changes, grids) = history_and_grids(&pg);
    assert_eq!(changes, changes_before + 3);
    let stored: Vec<i64> = grids.iter().filter(|(_, _, c)| c == "341823100001003").map(|(id, _, _)| *id).collect();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0] as u64, new_id);
    // After the interrupted check-in someone else changes grid 1 further.
    pg.client("wangge").execute("UPDATE jingxian.grids SET phone = '13800000001' WHERE id = 1", &[]).unwrap();
    let changes_theirs = changes + 1;
    // The retry finds its own edits in the database: no conflict with itself, nothing written again.
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let said = stdout(&out);
    assert!(said.starts_with("checked in: 0 grids written to the database, 1 grids others changed taken"), "{said}");
    assert!(said.contains("3 grids were in the database as this file has them already"), "{said}");
    let (changes, grids) = history_and_grids(&pg);
    assert_eq!(changes, changes_theirs, "nothing written twice");
    assert_eq!(grids.iter().filter(|(_, _, c)| c == "341823100001003").count(), 1, "the new grid once");
    consistent(&pg, &url, "jingxian");
    // The file continues from the database: theirs in, the new grid under the database's id.
    file_continues_from_the_database(&pg, &url, &file);
    let project = open_project(&file).unwrap();
    assert_eq!((project.grids[&1].name.as_str(), project.grids[&1].attrs.phone.as_str()), ("城南西", "13800000001"));
    assert!(project.grids.contains_key(&(stored[0] as u64)) && !project.grids.contains_key(&new_id));
    // And on: the next edits check in; this time the file stays locked until the check-in gives up on
    // it, and says so.
    // (A household added too: its row is checked in once, not again by the retry.)
    edit(&file, |p| {
        set_fields(p, 1, |f| f.attrs.notes = "之后".into()).unwrap();
        set_fields(p, 2, |f| f.attrs.notes = "之后".into()).unwrap();
        let position = geo::Point::new(620_070.0, 3_385_050.0);
        p.households.push(wangge::core::HouseholdPoint { position, households: 7, population: None });
    });
    let households_at = |x: f64| -> i64 {
        let sql = "SELECT count(*) FROM jingxian.households WHERE ST_X(geom) = $1";
        pg.client("wangge").query_one(sql, &[&x]).unwrap().get(0)
    };
    let file_before = std::fs::read(&file).unwrap();
    let (child, sqlite) = checkin_held_after_its_commit(&pg, &file, history_and_grids(&pg).0);
    let out = finished(child);
    drop(sqlite);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{}{err}", stdout(&out));
    assert!(
        err.contains(path_str(&file))
            && err.contains("the check-in is in the database, but the file could not be updated")
            && err.contains("check it in again"),
        "{err}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), file_before);
    let out = checkin(&file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let said = stdout(&out);
    assert!(said.starts_with("checked in: 0 grids written to the database"), "{said}");
    assert!(said.contains("2 grids were in the database as this file has them already"), "{said}");
    assert_eq!(db_grid(&url, 2).unwrap(), (open_project(&file).unwrap().grids[&2].clone(), 3));
    assert_eq!(households_at(620_070.0), 1, "the household added once");
    file_continues_from_the_database(&pg, &url, &file);
    consistent(&pg, &url, "jingxian");
}

/// A `wangge db checkin` of `file` (a child process) held after the database committed it, before it
/// updates the file: another client holds grid 2 locked until the check-in, having written grid 1,
/// waits for it inside its transaction; then another program takes an exclusive SQLite lock on the file and grid 2 is let go.
/// Returns once the commit is visible (the history grew past `changes_before` rows), with the file
/// still locked (until the connection is dropped): the child waits for the file, and gives up after
/// SQLite's busy timeout.
fn checkin_held_after_its_commit(pg: &Cluster, file: &Path, changes_before: i64) -> (Child, rusqlite::Connection) {
    let mut locker = lock_grid(pg, 2);
    let mut child = child_checkin(file, None);
    assert!(wait_blocked_mid_write(pg, &mut child), "the check-in ended before it could be held");
    let sqlite = rusqlite::Connection::open(file).unwrap();
    sqlite.execute_batch("BEGIN EXCLUSIVE").unwrap();
    locker.batch_execute("ROLLBACK").unwrap();
    let started = Instant::now();
    while history_and_grids(pg).0 == changes_before {
        assert!(started.elapsed() < Duration::from_secs(60), "the check-in never committed");
        assert!(child.try_wait().unwrap().is_none(), "the check-in ended before its commit");
        std::thread::sleep(Duration::from_millis(2));
    }
    (child, sqlite)
}
