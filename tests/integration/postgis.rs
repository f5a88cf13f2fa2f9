//! Database projects (issue 16): `wangge db init` from a project file, the same project read back from
//! the database, the commands that take a .gpkg taking the URL too, optimistic saves that report
//! conflicts and lose nothing, the edit history and restoring from it. Each test starts its own
//! throwaway PostgreSQL (tests/integration/pg.rs) on 127.0.0.1.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use geo::{MultiLineString, MultiPolygon, line_string, polygon};
use wangge::core::{Grid, Project};
use wangge::core::{ReferenceFeature, ReferenceGeometry, ReferenceLayer};
use wangge::io::postgis::{Db, DbError, DbUrl, Refusal, SaveMode};
use wangge::io::{Changes, open_project, save_project};
use wangge::text::Lang;
use wangge::text::database::refusal_line;

use crate::common::{path_str, small_project, stderr, stdout, wangge};
use crate::pg::Cluster;

/// The small project with a reference layer of a road and a pond, saved as `p.gpkg` in `dir`.
fn project_file(dir: &Path) -> (Project, PathBuf) {
    let mut project = small_project();
    let (x0, y0) = (620_000.0, 3_385_000.0);
    let mut layer = ReferenceLayer::new("道路");
    layer.features.push(ReferenceFeature {
        geometry: ReferenceGeometry::Lines(MultiLineString(vec![
            line_string![(x: x0, y: y0 + 500.), (x: x0 + 2000., y: y0 + 500.)],
        ])),
        name: "G205".into(),
    });
    layer.features.push(ReferenceFeature {
        geometry: ReferenceGeometry::Polygons(MultiPolygon(vec![polygon![
            (x: x0 + 10., y: y0 + 10.), (x: x0 + 20., y: y0 + 10.), (x: x0 + 20., y: y0 + 20.)
        ]])),
        name: String::new(),
    });
    project.reference_layers.push(layer);
    let path = dir.join("p.gpkg");
    save_project(&project, &path).unwrap();
    // What the file gives back is what the database must give back.
    (open_project(&path).unwrap(), path)
}

/// A cluster with the small project loaded into schema `jingxian` by `wangge db init`.
fn loaded() -> Option<(Cluster, tempfile::TempDir, Project, String)> {
    let pg = Cluster::start()?;
    let dir = tempfile::tempdir().unwrap();
    let (project, path) = project_file(dir.path());
    let url = pg.url("jingxian");
    let out = wangge(&["db", "init", &url, "--from", path_str(&path), "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("created the project in {url} with 2 grids\n"));
    Some((pg, dir, project, url))
}

/// What the server said of a refused statement (the client's `Display` says only "db error").
fn server_says(e: postgres::Error) -> String {
    e.as_db_error().map_or_else(|| e.to_string(), |db| db.message().to_string())
}

fn connect(url: &str) -> Db {
    Db::connect(&DbUrl::parse(url).unwrap()).unwrap()
}

#[test]
fn the_test_cluster_has_postgis_on_the_loopback_address() {
    let Some(pg) = Cluster::start() else { return };
    let mut client = pg.client("wangge");
    let row = client.query_one("SELECT postgis_version(), inet_server_addr()::text", &[]).unwrap();
    let (version, address): (String, String) = (row.get(0), row.get(1));
    assert!(version.starts_with('3'), "{version}");
    assert_eq!(address, "127.0.0.1/32");
}

#[test]
fn a_project_goes_into_the_database_and_comes_back_equal() {
    let Some((pg, _dir, project, url)) = loaded() else { return };
    let loaded = connect(&url).open().unwrap();
    assert_eq!(loaded.project, project);
    assert_eq!(loaded.versions.values().copied().collect::<Vec<_>>(), vec![1, 1]);
    // The one dispatch point: io's open_project takes the URL as it takes a file.
    assert_eq!(open_project(Path::new(&url)).unwrap(), project);
    // The geometry columns are typed in the project's CRS, indexed, and the codes of divisions unique.
    let mut client = pg.client("wangge");
    let columns = client
        .query(
            "SELECT f_table_name || '.' || type || '.' || srid FROM geometry_columns
             WHERE f_table_schema = 'jingxian' ORDER BY 1",
            &[],
        )
        .unwrap();
    let columns: Vec<String> = columns.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        columns,
        [
            "boundary.MULTIPOLYGON.4548",
            "changes.MULTIPOLYGON.4548",
            "changes.MULTIPOLYGON.4548",
            "divisions.MULTIPOLYGON.4548",
            "grids.MULTIPOLYGON.4548",
            "households.POINT.4548",
            "reference_features.GEOMETRY.4548",
        ]
    );
    let gist: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'jingxian' AND indexdef LIKE '%USING gist%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(gist, 5);
    let duplicate = client.execute(
        "INSERT INTO jingxian.divisions (code, name, level, class) VALUES ('341823100', 'x', 'township', 'rural')",
        &[],
    );
    assert!(duplicate.is_err());
    let version: i32 = client.query_one("SELECT max(version) FROM jingxian.wangge_schema", &[]).unwrap().get(0);
    assert_eq!(version, wangge::io::postgis::SCHEMA_VERSION);
}

#[test]
fn init_refuses_an_existing_schema_unless_replace() {
    let Some((_pg, dir, _project, url)) = loaded() else { return };
    let from = dir.path().join("p.gpkg");
    let out = wangge(&["db", "init", &url, "--from", path_str(&from), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("schema \"jingxian\" exists already; add --replace"), "{}", stderr(&out));
    let zh = wangge(&["db", "init", &url, "--from", path_str(&from), "--lang", "zh"]);
    assert!(stderr(&zh).contains("模式“jingxian”已经存在"), "{}", stderr(&zh));
    // An edit in the database, then --replace: the project is the file's again.
    let mut db = connect(&url);
    let mut loaded = db.open().unwrap();
    loaded.project.grids.get_mut(&1).unwrap().name = "改过".into();
    db.save(&mut loaded, &changes(&[1])).unwrap();
    let out = wangge(&["db", "init", &url, "--from", path_str(&from), "--replace"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(connect(&url).open().unwrap().project.grids[&1].name, "城南第一网格");
}

#[test]
fn a_bad_url_is_refused_with_exit_2_and_names_the_problem_not_the_password() {
    for (url, said) in [
        ("postgres://u@127.0.0.1:1/db", "add ?schema=NAME"),
        ("postgres://u:hunter2@127.0.0.1:1/db?schema=s", "give the password in PGPASSWORD or ~/.pgpass"),
        ("postgres://u@127.0.0.1:1/db?schema=Bad-Name", "is not a plain name"),
    ] {
        for command in [&["info", url][..], &["check", url], &["db", "log", url]] {
            let mut args = command.to_vec();
            args.extend(["--lang", "en"]);
            let out = wangge(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            let err = stderr(&out);
            assert!(err.contains(said), "{args:?}: {err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
    }
    // Nothing listens on port 1 of the loopback: the connection is refused and said so.
    let out = wangge(&["info", "postgres://u@127.0.0.1:1/db?schema=s", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot connect"), "{}", stderr(&out));
}

#[test]
fn check_info_and_export_take_the_url_as_they_take_the_file() {
    let Some((_pg, dir, _project, url)) = loaded() else { return };
    let file = dir.path().join("p.gpkg");
    let check_file = wangge(&["check", path_str(&file), "--json", "--lang", "en"]);
    let check_db = wangge(&["check", &url, "--json", "--lang", "en"]);
    assert_eq!(check_db.status.code(), check_file.status.code(), "{}", stderr(&check_db));
    let report = |o: &std::process::Output| {
        let mut v: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap();
        v.as_object_mut().unwrap().remove("timings_ms");
        v
    };
    let from_db = report(&check_db);
    assert_eq!(from_db, report(&check_file));
    assert_eq!(from_db["grids"], 2);
    assert!(!from_db["issues"].as_array().unwrap().is_empty(), "the island of grid 2 overlaps grid 1's hole");
    let info_file = wangge(&["info", path_str(&file), "--lang", "en"]);
    let info_db = wangge(&["info", &url, "--lang", "en"]);
    assert!(info_db.status.success(), "{}", stderr(&info_db));
    assert_eq!(
        stdout(&info_db).replace(&url, "P"),
        stdout(&info_file).replace(path_str(&file), "P"),
        "info of the database project"
    );
    for (layer, ext) in [("grids", "geojson"), ("households", "csv"), ("divisions", "geojson")] {
        let from_file = dir.path().join(format!("file-{layer}.{ext}"));
        let from_db = dir.path().join(format!("db-{layer}.{ext}"));
        let a = wangge(&["export", path_str(&file), "--to", path_str(&from_file), "--layer", layer]);
        let b = wangge(&["export", &url, "--to", path_str(&from_db), "--layer", layer]);
        assert!(a.status.success() && b.status.success(), "{}", stderr(&b));
        assert_eq!(std::fs::read(&from_db).unwrap(), std::fs::read(&from_file).unwrap(), "{layer}");
    }
    // (`import --into URL`: import_takes_the_url_as_it_takes_the_file.)
}

fn changes(ids: &[u64]) -> Changes {
    Changes { grids: ids.iter().copied().collect::<BTreeSet<_>>(), other_layers: false }
}

#[test]
fn two_clients_edit_one_grid_the_second_save_reports_the_conflict_and_nothing_is_lost() {
    let Some((pg, _dir, _project, url)) = loaded() else { return };
    let (mut a, mut b) = (connect(&url), connect(&url));
    let (mut mine_a, mut mine_b) = (a.open().unwrap(), b.open().unwrap());
    mine_a.project.grids.get_mut(&1).unwrap().attrs.grid_head = "A 的网格长".into();
    let moved = {
        let g = mine_b.project.grids.get_mut(&1).unwrap();
        g.attrs.grid_head = "B 的网格长".into();
        g.name = "B 改名".into();
        g.clone()
    };
    mine_b.project.grids.get_mut(&2).unwrap().attrs.phone = "13800000000".into();
    let saved_a = a.save(&mut mine_a, &changes(&[1])).unwrap();
    assert_eq!(saved_a.written, vec![1]);
    assert!(saved_a.conflicts.is_empty());
    assert_eq!(mine_a.versions[&1], 2);

    let saved_b = b.save(&mut mine_b, &changes(&[1, 2])).unwrap();
    assert_eq!(saved_b.written, vec![2], "B's other grid lands");
    assert_eq!(saved_b.conflicts.len(), 1);
    let conflict = &saved_b.conflicts[0];
    assert_eq!(conflict.id, 1);
    assert_eq!(conflict.mine.as_ref(), Some(&moved), "mine, as I edited it");
    let (theirs, their_version) = conflict.theirs.clone().unwrap();
    assert_eq!((theirs.attrs.grid_head.as_str(), their_version), ("A 的网格长", 2), "theirs, as A saved it");
    // A's edit is intact in the database; B's version of grid 1 is still the one B loaded.
    let now = connect(&url).open().unwrap();
    assert_eq!(now.project.grids[&1].attrs.grid_head, "A 的网格长");
    assert_eq!(now.project.grids[&1].name, "城南第一网格");
    assert_eq!(now.project.grids[&2].attrs.phone, "13800000000");
    assert_eq!(mine_b.versions[&1], 1);
    // Each write is in the history, by whom it was written.
    let mut client = pg.client("wangge");
    let rows = client
        .query(
            "SELECT concat_ws(' ', grid_id, action, who, old_version, new_version) FROM jingxian.changes
             WHERE action <> 'load' ORDER BY id",
            &[],
        )
        .unwrap();
    let rows: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(rows, ["1 update postgres 1 2", "2 update postgres 1 2"]);
    // B keeps mine: the next save writes it over theirs (which stays in the history).
    mine_b.keep_mine(conflict);
    let again = b.save(&mut mine_b, &changes(&[1])).unwrap();
    assert_eq!((again.written, again.conflicts.len()), (vec![1], 0));
    assert_eq!(connect(&url).open().unwrap().project.grids[&1].name, "B 改名");
}

#[test]
fn hand_written_sql_moves_the_version_too_deletes_conflict_and_new_grids_get_fresh_ids() {
    let Some((pg, _dir, _project, url)) = loaded() else { return };
    let (mut a, mut b) = (connect(&url), connect(&url));
    let (mut mine_a, mut mine_b) = (a.open().unwrap(), b.open().unwrap());
    // Someone edits grid 2 with plain SQL: the trigger moves its version on and records it.
    let mut client = pg.client("wangge");
    client.execute("UPDATE jingxian.grids SET notes = 'SQL' WHERE id = 2", &[]).unwrap();
    mine_a.project.grids.remove(&2);
    let saved = a.save(&mut mine_a, &changes(&[2])).unwrap();
    assert!(saved.written.is_empty());
    assert_eq!(saved.conflicts[0].theirs.as_ref().map(|(g, v)| (g.attrs.notes.as_str(), *v)), Some(("SQL", 2)));
    assert_eq!(saved.conflicts[0].mine, None, "I deleted it");
    // Both add a grid under the same local id: the second is stored under a fresh one, nothing lost.
    let new_grid = |name: &str| {
        let mut g = Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)]]));
        g.name = name.into();
        g
    };
    let id_a = mine_a.project.add_grid(new_grid("A 新增"));
    let id_b = mine_b.project.add_grid(new_grid("B 新增"));
    assert_eq!(id_a, id_b);
    assert_eq!(a.save(&mut mine_a, &changes(&[id_a])).unwrap().written, vec![id_a]);
    let saved_b = b.save(&mut mine_b, &changes(&[id_b])).unwrap();
    let stored = saved_b.written[0];
    assert_ne!(stored, id_a);
    assert_eq!(saved_b.renumbered, vec![(id_b, stored)]);
    assert_eq!(mine_b.project.grids[&stored].name, "B 新增");
    let now = connect(&url).open().unwrap().project;
    assert_eq!((now.grids[&id_a].name.as_str(), now.grids[&stored].name.as_str()), ("A 新增", "B 新增"));
    assert!(now.next_grid_id > stored);
}

#[test]
fn the_log_lists_the_history_and_restore_brings_a_grid_back_as_a_new_change() {
    let Some((_pg, _dir, project, url)) = loaded() else { return };
    let mut db = connect(&url);
    let mut mine = db.open().unwrap();
    {
        let g = mine.project.grids.get_mut(&1).unwrap();
        g.name = "改名".into();
        g.attrs.households = Some(500);
        g.geometry = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 5., y: 0.), (x: 5., y: 5.)]]);
    }
    mine.project.grids.remove(&2);
    db.save(&mut mine, &changes(&[1, 2])).unwrap();
    let log = db.log(Some(1)).unwrap();
    let actions: Vec<&str> = log.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["load", "update"]);
    assert!(log[1].geometry_changed);
    assert_eq!(
        log[1].attributes_changed,
        vec![("households".into(), "420".into(), "500".into()), ("name".into(), "城南第一网格".into(), "改名".into())]
    );
    let out = wangge(&["db", "log", &url, "--grid", "1", "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with(&format!("#{} ", log[0].id)) && lines[0].contains("postgres grid 1 load →v1"));
    assert!(
        lines[1].ends_with(
            "grid 1 update v1→v2 — geometry; households: \"420\" → \"500\"; name: \"城南第一网格\" → \"改名\""
        ),
        "{}",
        lines[1]
    );
    let zh = wangge(&["db", "log", &url, "--lang", "zh"]);
    assert!(stdout(&zh).contains("网格 2 删除 v1→"), "{}", stdout(&zh));
    // Back to the state as loaded, as a new change; the grid deleted comes back too.
    let load_1 = log[0].id.to_string();
    let out = wangge(&["db", "restore", &url, "--grid", "1", "--to", &load_1, "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("grid 1 is back as change {load_1} left it (now v3)\n"));
    let load_2 = db.log(Some(2)).unwrap()[0].id.to_string();
    let out = wangge(&["db", "restore", &url, "--grid", "2", "--to", &load_2, "--lang", "en"]);
    assert!(stdout(&out).contains("deleted grid 2 is back"), "{}", stderr(&out));
    let back = connect(&url).open().unwrap();
    assert_eq!(back.project.grids, project.grids);
    assert_eq!(
        back.versions.values().copied().collect::<Vec<_>>(),
        vec![3, 2],
        "a grid restored after its deletion starts above its last version"
    );
    let last = db.log(Some(1)).unwrap().pop().unwrap();
    assert_eq!((last.action.as_str(), last.note.clone()), ("restore", format!("change {load_1}")));
    // A change of another grid, or none at all, is refused.
    assert!(matches!(db.restore(1, log[0].id + 10_000), Err(DbError::NoSuchChange { grid: 1, .. })));
    let out = wangge(&["db", "restore", &url, "--grid", "2", "--to", &load_1, "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("grid 2 has no change {load_1}")), "{}", stderr(&out));
}

#[test]
fn a_township_account_cannot_change_another_townships_grid_even_with_its_own_sql() {
    let Some((pg, _dir, _project, url)) = loaded() else { return };
    let mut admin = pg.client("wangge");
    // A grid of another township (泾县 341823101), and two accounts made by the administrator.
    admin
        .batch_execute(
            "INSERT INTO jingxian.grids (id, geom, kind, class, village_code, name)
             VALUES (nextval('jingxian.grid_ids'),
                     ST_Multi(ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 0))', 4548)), 'basic', 'rural',
                     '341823101001', '邻镇网格');
             CREATE ROLE jingchuan LOGIN; CREATE ROLE printer LOGIN;",
        )
        .unwrap();
    let grant = |role: &str, access: &str| {
        let mut args = vec!["db", "grant", url.as_str(), "--role", role];
        args.extend(access.split_whitespace());
        args.extend(["--lang", "en"]);
        wangge(&args)
    };
    let out = grant("jingchuan", "--township 341823100");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "account jingchuan may read everything and change only the grids of township 341823100, and the households and reference features inside it\n"
    );
    assert!(grant("printer", "--read-only").status.success());
    let bad = grant("jingchuan", "--township 3418");
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("not a 9-digit township code"), "{}", stderr(&bad));

    let mut town = pg.client_as("jingchuan", "wangge");
    let all: i64 = town.query_one("SELECT count(*) FROM jingxian.grids", &[]).unwrap().get(0);
    assert_eq!(all, 3, "it reads its neighbours too");
    let own = town.execute("UPDATE jingxian.grids SET notes = '本镇' WHERE id = 1", &[]).unwrap();
    assert_eq!(own, 1, "its own township's grid");
    let other = town.execute("UPDATE jingxian.grids SET notes = '越界' WHERE id = 3", &[]).unwrap();
    assert_eq!(other, 0, "another township's grid is not even there to update");
    assert!(town.execute("DELETE FROM jingxian.grids WHERE id = 3", &[]).unwrap() == 0);
    let moved = town.execute("UPDATE jingxian.grids SET village_code = '341823101001' WHERE id = 1", &[]);
    let refused = moved.unwrap_err();
    let message = refused.as_db_error().map(|e| e.message().to_string()).unwrap_or_default();
    assert!(message.contains("row-level security"), "nor can it give its grid away: {message}");
    let forged = town.execute("INSERT INTO jingxian.changes (grid_id, action) VALUES (3, 'forged')", &[]);
    assert!(forged.is_err(), "the history is written by the database, not by accounts");
    let notes: String = admin.query_one("SELECT notes FROM jingxian.grids WHERE id = 3", &[]).unwrap().get(0);
    assert_eq!(notes, "");
    let who: String = admin.query_one("SELECT who FROM jingxian.changes ORDER BY id DESC LIMIT 1", &[]).unwrap().get(0);
    assert_eq!(who, "jingchuan", "the history names the account");
    // Through Wangge the same: its save of the other township's grid is not written.
    let mut db = connect(&pg.url_as("jingchuan", "jingxian"));
    let mut mine = db.open().unwrap();
    mine.project.grids.get_mut(&3).unwrap().attrs.notes = "越界".into();
    let saved = db.save(&mut mine, &changes(&[3])).unwrap();
    assert!(saved.written.is_empty() && saved.conflicts.is_empty(), "{saved:?}");
    assert_eq!(
        saved.refused,
        vec![Refusal { id: 3, township: "341823101".into() }],
        "refused, said so, not a conflict"
    );
    assert_eq!(
        refusal_line(&saved.refused[0], Lang::En),
        "not allowed: grid 3 belongs to township 341823101, which this account may not change; my change was not written"
    );
    assert!(refusal_line(&saved.refused[0], Lang::Zh).starts_with("无权修改：网格 3 属于乡镇 341823101"));
    assert_eq!(mine.versions[&3], 1, "still the version loaded");
    // Giving its own grid to the other township, or adding a grid there: refused the same way (the
    // policy would have failed the whole save with an error); its own grid's edit lands beside them.
    let own = mine.project.grids.get_mut(&2).unwrap();
    own.village_code = "341823101001".into();
    mine.project.grids.get_mut(&1).unwrap().attrs.phone = "13800000001".into();
    let mut theirs = mine.project.grids[&3].clone();
    theirs.id = 0;
    let added = mine.project.add_grid(theirs);
    let saved = db.save(&mut mine, &changes(&[1, 2, added])).unwrap();
    assert_eq!(saved.written, vec![1]);
    let refused: Vec<(u64, &str)> = saved.refused.iter().map(|r| (r.id, r.township.as_str())).collect();
    assert_eq!(refused, [(2, "341823101"), (added, "341823101")]);
    // All or nothing: its own grid is not written either when one grid of the save is refused.
    mine.project.grids.get_mut(&1).unwrap().attrs.phone = "13800000002".into();
    let saved = db.save_with(&mut mine, &changes(&[1, 3]), SaveMode::AllOrNothing).unwrap();
    assert!(saved.rolled_back && saved.written.is_empty() && saved.refused.len() == 1, "{saved:?}");
    let phone: String = admin.query_one("SELECT phone FROM jingxian.grids WHERE id = 1", &[]).unwrap().get(0);
    assert_eq!(phone, "13800000001");
    let mut printer = pg.client_as("printer", "wangge");
    assert!(printer.execute("UPDATE jingxian.grids SET notes = 'x' WHERE id = 1", &[]).is_err());
    // The read-only account opens the project (to print it) as the others do.
    let read = connect(&pg.url_as("printer", "jingxian")).open().unwrap();
    assert_eq!(read.project.grids.len(), 3);
}

#[test]
fn the_schema_version_is_kept_and_a_newer_one_refused() {
    let Some((pg, _dir, _project, url)) = loaded() else { return };
    let out = wangge(&["db", "upgrade", &url, "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "schema jingxian is at version 2, the newest; nothing to do\n");
    let mut admin = pg.client("wangge");
    admin.execute("INSERT INTO jingxian.wangge_schema (version, written_by) VALUES (99, 'wangge 9')", &[]).unwrap();
    for args in [&["info", url.as_str()][..], &["db", "upgrade", &url], &["db", "log", &url]] {
        let mut args = args.to_vec();
        args.extend(["--lang", "en"]);
        let out = wangge(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("written by a newer Wangge (database schema 99)"), "{}", stderr(&out));
    }
    let out = wangge(&["info", &pg.url("nothing_here"), "--lang", "zh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("模式“nothing_here”中没有网格项目"), "{}", stderr(&out));
}

/// The commands that change a project (`code`, `fix`, `partition`) take a database URL too: what they
/// change is written back all or nothing, each grid only if no one else saved it since they read it.
#[test]
fn commands_that_change_a_project_save_back_to_the_database_all_or_nothing() {
    let Some((pg, _dir, _project, url)) = loaded() else { return };
    pg.client("wangge").batch_execute("UPDATE jingxian.grids SET code = ''").unwrap();
    let out = wangge(&["code", &url, "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let now = connect(&url).open().unwrap();
    assert!(now.project.grids.values().all(|g| g.code.len() == 15), "{:?}", now.project.grids);
    assert!(now.versions.values().all(|&v| v == 3), "one write each after the SQL's: {:?}", now.versions);

    // Someone saves one grid between the command's read and its save: nothing of the command lands.
    let path = std::path::Path::new(&url);
    let (mut mine, read_from) = wangge::io::open_to_save(path, &wangge::core::progress::NoProgress).unwrap();
    for g in mine.grids.values_mut() {
        g.attrs.notes = "命令写的".into();
    }
    let first = *mine.grids.keys().next().unwrap();
    pg.client("wangge").batch_execute(&format!("UPDATE jingxian.grids SET phone = '他们' WHERE id = {first}")).unwrap();
    let e = wangge::io::save_back(&mine, path, &read_from, &wangge::core::progress::NoProgress).unwrap_err();
    assert!(e.to_string().contains("nothing was saved: 1 grid(s) were saved by someone else"), "{e}");
    assert!(e.to_string().contains(&format!("grids {first})")), "{e}");
    let now = connect(&url).open().unwrap();
    assert!(now.project.grids.values().all(|g| g.attrs.notes != "命令写的"), "part of the command was written");
    assert_eq!(now.project.grids[&first].attrs.phone, "他们");
}

/// The county account alone changes the rest of the project (here the code rule, a setting); a township
/// account's save of it is refused by the database, and nothing of it is written.
#[test]
fn only_the_county_account_changes_the_code_rule() {
    let Some((pg, _dir, _project, url)) = loaded() else { return };
    pg.client("wangge").batch_execute("CREATE ROLE county LOGIN; CREATE ROLE jingchuan LOGIN;").unwrap();
    for (role, access) in [("county", vec!["--county"]), ("jingchuan", vec!["--township", "341823100"])] {
        let mut args = vec!["db", "grant", url.as_str(), "--role", role];
        args.extend(access);
        let out = wangge(&args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let rule = |role: &str, rule: &str| {
        let mut db = connect(&pg.url_as(role, "jingxian"));
        let mut loaded = db.open().unwrap();
        loaded.project.settings.insert("code_rule".into(), rule.into());
        db.save(&mut loaded, &Changes { grids: BTreeSet::new(), other_layers: true })
    };
    let refused = rule("jingchuan", "{village12}{seq:2}").unwrap_err();
    assert!(matches!(refused, DbError::CountyOnly), "{refused}");
    assert!(refused.to_string().starts_with("nothing was saved: only the county account may change"), "{refused}");
    // Nor through its own SQL.
    let own_sql = pg.client_as("jingchuan", "wangge").execute("UPDATE jingxian.project SET value = 'x'", &[]);
    assert!(server_says(own_sql.unwrap_err()).contains("permission denied"));
    rule("county", "{village12}{kind}{seq:2}").unwrap();
    let now = connect(&url).open().unwrap();
    assert_eq!(now.project.settings.get("code_rule").map(String::as_str), Some("{village12}{kind}{seq:2}"));
}

/// Two accounts granted `--county` and `--township 341823100`, and the neighbouring township 341823101's
/// village (the east half of the boundary) among the divisions; 341823100's own area is 城南居委会, the
/// west half (its other village has no polygon).
fn two_townships(pg: &Cluster, url: &str) {
    pg.client("wangge")
        .batch_execute(
            "INSERT INTO jingxian.divisions (code, name, parent_code, level, class, geom)
             VALUES ('341823101001', '邻镇村', '341823101', 'village', 'rural',
                     ST_Multi(ST_GeomFromText('POLYGON((621000 3385000, 622000 3385000, 622000 3386000, 621000 3386000, 621000 3385000))', 4548)));
             CREATE ROLE county LOGIN; CREATE ROLE jingchuan LOGIN;",
        )
        .unwrap();
    for (role, access) in [("county", vec!["--county"]), ("jingchuan", vec!["--township", "341823100"])] {
        let mut args = vec!["db", "grant", url, "--role", role];
        args.extend(access);
        let out = wangge(&args);
        assert!(out.status.success(), "{}", stderr(&out));
    }
}

fn household(x: f64, households: u32) -> wangge::core::HouseholdPoint {
    wangge::core::HouseholdPoint { position: geo::Point::new(x, 3_385_200.0), households, population: None }
}

fn layers_only() -> Changes {
    Changes { grids: BTreeSet::new(), other_layers: true }
}

/// Issue 16 §2: "a township account writes only grids, households and reference data of its own
/// township" — households and reference features by where they lie, enforced by PostgreSQL for the
/// account's own SQL, and said clearly (nothing written) when Wangge saves them.
#[test]
fn a_township_account_writes_households_and_reference_features_only_inside_its_township() {
    let Some((pg, _dir, _project, url)) = loaded() else { return };
    two_townships(&pg, &url);
    let mut town = pg.client_as("jingchuan", "wangge");
    let insert = |x: f64| {
        format!(
            "INSERT INTO jingxian.households (households, geom) VALUES (5, ST_SetSRID(ST_MakePoint({x}, 3385200), 4548))"
        )
    };
    assert_eq!(town.execute(&insert(620_200.0), &[]).unwrap(), 1, "inside its own village");
    let outside = town.execute(&insert(621_500.0), &[]).unwrap_err();
    assert!(server_says(outside).contains("row-level security"));
    let theirs = "ST_X(geom) > 621000";
    assert_eq!(town.execute(&format!("UPDATE jingxian.households SET households = 9 WHERE {theirs}"), &[]).unwrap(), 0);
    assert_eq!(town.execute(&format!("DELETE FROM jingxian.households WHERE {theirs}"), &[]).unwrap(), 0);
    let moved = town.execute(
        "UPDATE jingxian.households SET geom = ST_SetSRID(ST_MakePoint(621500, 3385200), 4548) WHERE ST_X(geom) = 620100",
        &[],
    );
    assert!(server_says(moved.unwrap_err()).contains("row-level security"), "nor move one out of its township");
    // The road runs across both townships: the county's; the pond lies inside: the township's.
    assert_eq!(town.execute("UPDATE jingxian.reference_features SET name = 'x' WHERE name = 'G205'", &[]).unwrap(), 0);
    assert_eq!(town.execute("UPDATE jingxian.reference_features SET name = '塘' WHERE name = ''", &[]).unwrap(), 1);
    assert!(town.execute("DELETE FROM jingxian.reference_layers", &[]).is_err(), "the list of layers is the county's");

    // Through Wangge: its own households and features are saved, merged with what others saved meanwhile.
    let mut db = connect(&pg.url_as("jingchuan", "jingxian"));
    let mut mine = db.open().unwrap();
    let mut county = connect(&pg.url_as("county", "jingxian"));
    let mut theirs = county.open().unwrap();
    mine.project.households.retain(|h| h.position.x() != 620_100.0);
    mine.project.households.push(household(620_300.0, 7));
    let pond = ReferenceFeature {
        geometry: ReferenceGeometry::Lines(MultiLineString(vec![
            line_string![(x: 620_050., y: 3_385_050.), (x: 620_060., y: 3_385_060.)],
        ])),
        name: "渠".into(),
    };
    mine.project.reference_layers[0].features.push(pond.clone());
    theirs.project.households.push(household(621_700.0, 4));
    county.save(&mut theirs, &layers_only()).unwrap();
    db.save(&mut mine, &layers_only()).unwrap();
    let now = connect(&url).open().unwrap().project;
    let xs: Vec<(f64, u32)> = now.households.iter().map(|h| (h.position.x(), h.households)).collect();
    assert_eq!(
        xs,
        [(621_500.0, 1), (621_999.0, 2), (620_200.0, 5), (621_700.0, 4), (620_300.0, 7)],
        "mine and the county's, neither lost"
    );
    assert_eq!(now.reference_layers[0].features.last(), Some(&pond));

    // Outside its township: nothing of the save is written, and the error says what and how many.
    mine.project.households.push(household(620_400.0, 1));
    mine.project.households.push(household(621_800.0, 2));
    let e = db.save(&mut mine, &layers_only()).unwrap_err();
    assert!(matches!(e, DbError::OutsideTownship { layer: None, count: 1 }), "{e:?}");
    assert!(e.to_string().contains("1 of the household points changed lie outside this account's township"), "{e}");
    let road = &mut mine.project.reference_layers[0].features[0];
    road.name = "G205 国道".into();
    mine.project.households.truncate(mine.project.households.len() - 2);
    let e = db.save(&mut mine, &layers_only()).unwrap_err();
    assert!(matches!(&e, DbError::OutsideTownship { layer: Some(l), count: 2 } if l == "道路"), "{e:?}");
    assert_eq!(connect(&url).open().unwrap().project, now, "nothing written");

    // A household the county removed meanwhile is not removed twice, nor anything else of the save written.
    let mut mine = db.open().unwrap();
    let mut theirs = county.open().unwrap();
    theirs.project.households.retain(|h| h.position.x() != 620_300.0);
    county.save(&mut theirs, &layers_only()).unwrap();
    mine.project.households.retain(|h| h.position.x() != 620_300.0);
    mine.project.households.push(household(620_500.0, 3));
    let e = db.save(&mut mine, &layers_only()).unwrap_err();
    assert!(matches!(e, DbError::LayersChanged), "{e:?}");
    let after = connect(&url).open().unwrap().project;
    assert!(after.households.iter().all(|h| h.position.x() != 620_500.0), "nothing of it written");
}

/// A save whose commit reached the database but whose reply did not (the connection dropped) is
/// retried with the same tag: it is recognised, nothing is written twice — a new grid is not added
/// again — and the versions come back as the lost reply would have brought them.
#[test]
fn a_save_retried_after_its_reply_was_lost_is_not_written_twice() {
    let Some((_pg, _dir, _project, url)) = loaded() else { return };
    let mut db = connect(&url);
    let mut mine = db.open().unwrap();
    let mut grid = mine.project.grids[&1].clone();
    grid.id = 0;
    grid.name = "新网格".into();
    let added = mine.project.add_grid(grid);
    mine.project.grids.get_mut(&2).unwrap().attrs.phone = "13900000000".into();
    let changes = changes(&[2, added]);
    let options = wangge::io::postgis::SaveOptions::all_or_nothing(Some(wangge::io::postgis::new_save_tag()));
    let read = mine.versions.clone();
    let mut lost = read.clone();
    let first = db.save_grids(&mine.project, (&mut lost, &mine.layers_read), &changes, &options).unwrap();
    assert!(!first.replayed && first.written.len() == 2, "{first:?}");
    // The reply is lost: the client still holds the versions it read, and tries again.
    let mut retried = read.clone();
    let again = connect(&url).save_grids(&mine.project, (&mut retried, &mine.layers_read), &changes, &options).unwrap();
    assert!(again.replayed, "{again:?}");
    assert_eq!((again.written.clone(), again.renumbered.clone()), (first.written.clone(), first.renumbered.clone()));
    assert_eq!(retried, lost, "the versions the lost reply would have given");
    let now = connect(&url).open().unwrap();
    assert_eq!(now.project.grids.values().filter(|g| g.name == "新网格").count(), 1, "added once");
    assert_eq!(now.versions[&2], 2, "written once");
    // Without a tag (or with a new one) it would have been written again: the tag is what tells.
    let mut twice = read;
    let other = wangge::io::postgis::SaveOptions::all_or_nothing(Some(wangge::io::postgis::new_save_tag()));
    let report = connect(&url).save_grids(&mine.project, (&mut twice, &mine.layers_read), &changes, &other).unwrap();
    assert!(report.rolled_back && report.conflicts.len() == 1, "grid 2 conflicts with my own first save: {report:?}");
}

/// `wangge db upgrade` brings a version-1 schema (made before households and reference features were
/// the townships' too) to version 2: the policies, the `saves` table, and the township accounts granted
/// before it get the rights the policies now bound.
#[test]
fn upgrade_from_version_1_gives_townships_their_households() {
    let Some((pg, _dir, _project, url)) = loaded() else { return };
    two_townships(&pg, &url);
    // Back to what version 1 was.
    pg.client("wangge")
        .batch_execute(
            "SET search_path TO jingxian, public;
             DROP TABLE saves;
             DROP POLICY households_read ON households; DROP POLICY households_write ON households;
             DROP POLICY reference_features_read ON reference_features;
             DROP POLICY reference_features_write ON reference_features;
             ALTER TABLE households DISABLE ROW LEVEL SECURITY;
             ALTER TABLE reference_features DISABLE ROW LEVEL SECURITY;
             DROP FUNCTION may_write_at(name, geometry);
             REVOKE INSERT, UPDATE, DELETE ON households, reference_features FROM jingchuan;
             DELETE FROM wangge_schema; INSERT INTO wangge_schema (version, written_by) VALUES (1, 'wangge 0.1');",
        )
        .unwrap();
    let mut db = connect(&pg.url_as("jingchuan", "jingxian"));
    let mut mine = db.open().unwrap();
    mine.project.households.push(household(620_600.0, 2));
    let e = db.save(&mut mine, &layers_only()).unwrap_err();
    assert!(matches!(e, DbError::OlderSchema { found: 1, current: 2 }), "{e:?}");
    assert!(e.to_string().contains("the schema's owner runs `wangge db upgrade URL` first"), "{e}");
    let out = wangge(&["db", "upgrade", &url, "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "schema jingxian upgraded from version 1 to 2\n");
    let mut mine = db.open().unwrap();
    mine.project.households.push(household(620_600.0, 2));
    db.save(&mut mine, &layers_only()).unwrap();
    mine.project.households.push(household(621_600.0, 2));
    assert!(matches!(db.save(&mut mine, &layers_only()), Err(DbError::OutsideTownship { .. })));
}

/// `wangge import … --into URL` as into a .gpkg (issue 16 §1 "every command accepts a database project
/// wherever it accepts a .gpkg"): the imported rows are merged into the database; a township account's
/// import outside its township is refused with exit 2 and nothing is written.
#[test]
fn import_takes_the_url_as_it_takes_the_file() {
    let Some((pg, dir, project, url)) = loaded() else { return };
    let csv = |x: f64, n: u32, name: &str| {
        let mut points = project.clone();
        points.households = vec![household(x, n)];
        let path = dir.path().join(name);
        wangge::io::export::export(&points, wangge::io::export::Layer::Households, &path, encoding_rs::UTF_8).unwrap();
        path
    };
    let inside = csv(620_300.0, 6, "inside.csv");
    let out = wangge(&["import", path_str(&inside), "--into", &url, "--as", "households", "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let now = connect(&url).open().unwrap().project;
    assert_eq!(now.households.len(), 4, "added to the three there");
    assert!(now.households.iter().any(|h| h.households == 6 && (h.position.x() - 620_300.0).abs() < 0.01));
    two_townships(&pg, &url);
    let town = pg.url_as("jingchuan", "jingxian");
    let outside = csv(621_500.0, 2, "outside.csv");
    let out = wangge(&["import", path_str(&outside), "--into", &town, "--as", "households", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("lie outside this account's township"), "{}", stderr(&out));
    assert!(stderr(&out).contains("jingchuan@"), "names the URL: {}", stderr(&out));
    assert_eq!(connect(&url).open().unwrap().project.households.len(), 4, "nothing written");
    let out = wangge(&["import", path_str(&inside), "--into", &town, "--as", "households", "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(connect(&url).open().unwrap().project.households.len(), 5);
}
