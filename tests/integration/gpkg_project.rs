//! The project file: round trip, atomic saves (a killed save leaves the previous project), clear errors.

use rusqlite::Connection;
use wangge::io::{IoError, Problem, open_project, save_project};

use crate::common::{path_str, small_project, wangge_env};

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

#[test]
fn a_save_killed_midway_leaves_the_previous_project_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    let before = small_project();
    save_project(&before, &path).unwrap();
    let grids = dir.path().join("more.geojson");
    std::fs::write(
        &grids,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"X"},
            "geometry":{"type":"Polygon","coordinates":[[[118.1,30.5],[118.2,30.5],[118.2,30.6],[118.1,30.5]]]}}]}"#,
    )
    .unwrap();
    // The process dies after writing the grids table, before the commit — as a crash or kill -9 would.
    let out = wangge_env(
        &["import", path_str(&grids), "--into", path_str(&path), "--as", "grids"],
        &[("WANGGE_TEST_ABORT_MID_SAVE", "1")],
    );
    assert!(!out.status.success(), "the save was meant to be killed");
    let after = open_project(&path).unwrap();
    assert_eq!(after, before);
    let conn = Connection::open(&path).unwrap();
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
