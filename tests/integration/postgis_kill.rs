//! Issue 16 part 4: a client killed in the middle of a save, the database server killed in the middle of
//! a `wangge db init` and of a save. Afterwards the database is consistent — every grid's version is
//! the last one its history records, the history holds one change per version, no grid is half written
//! (a save is one transaction: all of it or none), the project opens and its coverage checks — the
//! client got a clear error naming the URL (not a panic), and doing the work again succeeds.
//!
//! The saving client is a child process: this test binary running the ignored test
//! [`kill_child_saves_every_grid`], which saves every grid of the project (one transaction).

use std::collections::BTreeSet;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use wangge::io::postgis::{Db, DbError, DbUrl, url_path};
use wangge::io::{Changes, IoError, Problem, save_project};

use crate::common::{path_str, stderr};
use crate::pg::Cluster;
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
