//! The Wangge project file: one GeoPackage with the layers `boundary`, `divisions`, `grids` and
//! `households` in the project CRS, and a `wangge_project` key/value table for everything else.
//! A save writes the new state beside the file (a copy of it, changed in one transaction) and renames it
//! over the file: a crash at any point leaves the previous project, whole on its own, or the new one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use geo::BoundingRect;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params};

use super::beside::Beside;
use super::{blob, is_geopackage, open_existing, schema, sql_functions};
use crate::core::progress::{NoProgress, Progress, Stage};
use crate::core::{Grid, GridId, Project, area_m2};
use crate::io::error::{AtPath, IoError, NotAProject, Problem};

/// Version of the Wangge tables inside the GeoPackage; bump when their meaning changes.
pub const SCHEMA_VERSION: u32 = 1;

const DIVISION_COLUMNS: &str =
    ", code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, parent_code TEXT, level TEXT NOT NULL, class TEXT NOT NULL";
const GRID_COLUMNS: &str = ", code TEXT, name TEXT, kind TEXT NOT NULL, class TEXT NOT NULL, village_code TEXT, \
    households INTEGER, population INTEGER, party_members INTEGER, grid_head TEXT, grid_staff TEXT, phone TEXT, \
    notes TEXT, valid_from TEXT, valid_to TEXT, area_m2 REAL";
const HOUSEHOLD_COLUMNS: &str = ", households INTEGER NOT NULL, population INTEGER";

/// What changed in a project since it was read from its file or last saved to it: a save of these alone
/// writes a few rows, not the whole grids table (the app tracks them through its undo history).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Grids added, changed or removed.
    pub grids: BTreeSet<GridId>,
    /// The boundary, the divisions, the households or the name changed (those small layers are then
    /// written afresh; the settings always are).
    pub other_layers: bool,
}

/// Writes the whole project to `path`, creating the file if needed; refuses to overwrite a file that is not a
/// Wangge project. The new state is written to a temporary file beside it (a copy of the old file, so that
/// tables other programs added stay, changed in one transaction), flushed to disk and renamed over it: the
/// file is whole at every instant on its own, and a new project is created complete or not at all.
pub fn save_project(project: &Project, path: &Path) -> Result<(), IoError> {
    save_project_with(project, path, None, &NoProgress)
}

/// [`save_project`], reporting its progress, and with `changes` (when the file at `path` is the project
/// as it was read or last saved, apart from them) writing only the rows they name. The file is replaced
/// the same way either way, so a crash leaves the old project or the new one; a cancelled save leaves the
/// file as it was.
pub fn save_project_with(
    project: &Project,
    path: &Path,
    changes: Option<&Changes>,
    progress: &dyn Progress,
) -> Result<(), IoError> {
    progress.begin(Stage::Saving, changes.map_or(project.grids.len(), |c| c.grids.len()) as u64);
    // Saving through a link replaces the file it points to, not the link.
    let target = std::fs::canonicalize(path).ok().filter(|_| path.is_symlink()).unwrap_or_else(|| path.to_path_buf());
    let existing = check_existing(&target, path)?;
    let temp = Beside::create(&target).at(path)?;
    if existing {
        std::fs::copy(&target, temp.path()).at(path)?;
    }
    let mut conn =
        Connection::open_with_flags(temp.path(), OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .at(path)?;
    sql_functions::register(&conn).at(path)?;
    // The temporary file is thrown away if anything fails, so it needs no journal on disk; it is flushed
    // once, whole, before the rename.
    conn.pragma_update_and_check(None, "journal_mode", "MEMORY", |r| r.get::<_, String>(0)).at(path)?;
    conn.pragma_update(None, "synchronous", "OFF").at(path)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).at(path)?;
    let srs = project.crs.epsg;
    match changes {
        Some(changes) if existing && grids_in_place(&tx, srs, path)? => {
            write_changes(&tx, project, changes, path, progress)?
        }
        _ => write_all(&tx, project, path, progress)?,
    }
    progress.check().map_err(|c| IoError::new(path, c))?;
    tx.commit().at(path)?;
    conn.close().map_err(|(_, e)| e).at(path)?;
    temp.replace_target().at(path)
}

/// Whether `target` holds a project to update (false: none yet, or an empty file). Refuses a file that is
/// not a Wangge project. Opening it read-write lets SQLite roll back the journal an older Wangge left in a
/// crash, and a write-ahead log another program left is folded into the file, so that a copy of the file
/// alone is the whole project.
fn check_existing(target: &Path, path: &Path) -> Result<bool, IoError> {
    match std::fs::metadata(target) {
        Ok(m) if m.len() > 0 => {}
        Ok(_) => {
            // An empty file (made by a file dialog, or by a crash of an older Wangge's first save): a journal
            // beside it can only describe that emptiness, and must not be played back over the new project.
            for suffix in ["-journal", "-wal"] {
                let mut side = target.as_os_str().to_owned();
                side.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(side));
            }
            return Ok(false);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(IoError::new(path, e)),
    }
    let conn = open_existing(target, true)?;
    let has_tables: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0)).at(path)?;
    if has_tables > 0 && !(is_geopackage(&conn).at(path)? && has_project_table(&conn).at(path)?) {
        return Err(IoError::new(path, Problem::NotAProject(NotAProject::WouldOverwrite)));
    }
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).at(path)?;
    if mode.eq_ignore_ascii_case("wal") {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).at(path)?;
    }
    Ok(true)
}

pub(super) fn has_project_table(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'wangge_project'", [], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

fn write_all(tx: &Transaction<'_>, project: &Project, path: &Path, progress: &dyn Progress) -> Result<(), IoError> {
    tx.pragma_update(None, "application_id", schema::GPKG_APPLICATION_ID).at(path)?;
    tx.pragma_update(None, "user_version", schema::GPKG_USER_VERSION).at(path)?;
    schema::create_core_tables(tx).at(path)?;
    schema::register_crs(tx, &project.crs).at(path)?;
    // Grids, the big layer, are updated in place (see write_grids); the small layers are written afresh.
    write_small_layers(tx, project, path)?;
    write_grids(tx, project, project.crs.epsg, path, progress)?;
    schema::update_extent(tx, "grids").at(path)?;
    write_settings(tx, project).at(path)
}

/// Only what changed: the grids named (updated, inserted or deleted by fid, the R-tree kept current by its
/// triggers), the small layers if they changed, the settings, and the recorded extents.
fn write_changes(
    tx: &Transaction<'_>,
    project: &Project,
    changes: &Changes,
    path: &Path,
    progress: &dyn Progress,
) -> Result<(), IoError> {
    if changes.other_layers {
        write_small_layers(tx, project, path)?;
    }
    if !changes.grids.is_empty() {
        let srs = project.crs.epsg;
        let stored_extent: Option<[f64; 4]> = tx
            .query_row("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'grids'", [], |r| {
                Ok([r.get::<_, Option<f64>>(0)?, r.get(1)?, r.get(2)?, r.get(3)?])
            })
            .at(path)?
            .into_iter()
            .collect::<Option<Vec<f64>>>()
            .and_then(|v| v.try_into().ok());
        // Grids that leave the recorded extent's edge may shrink it; new shapes can only grow it.
        let mut shrinks = stored_extent.is_none();
        let mut grown = stored_extent;
        let mut envelope = tx.prepare("SELECT minx, miny, maxx, maxy FROM rtree_grids_geom WHERE id = ?1").at(path)?;
        let mut update = tx
            .prepare(&format!(
                "UPDATE grids SET ({GRID_VALUES}) = (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) WHERE fid = ?1"
            ))
            .at(path)?;
        let mut insert = tx.prepare(&insert_grid_sql()).at(path)?;
        let mut delete = tx.prepare("DELETE FROM grids WHERE fid = ?1").at(path)?;
        for &id in &changes.grids {
            progress.check().map_err(|c| IoError::new(path, c))?;
            let fid = id as i64;
            if let Some(e) = envelope
                .query_row([fid], |r| Ok([r.get::<_, f64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?]))
                .optional()
                .at(path)?
                && let Some(x) = stored_extent
                // The R-tree rounds outwards to 32-bit floats: "on the edge" is within that rounding.
                && (e[0] <= x[0] + f32_ulp(x[0]) || e[1] <= x[1] + f32_ulp(x[1])
                    || e[2] >= x[2] - f32_ulp(x[2]) || e[3] >= x[3] - f32_ulp(x[3]))
            {
                shrinks = true;
            }
            match project.grids.get(&id) {
                Some(grid) => {
                    let values = grid_row(grid, project, srs);
                    let mut bound: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(17);
                    bound.push(&fid);
                    bound.extend(values.iter().map(|v| v as &dyn rusqlite::ToSql));
                    if update.execute(bound.as_slice()).at(path)? == 0 {
                        insert.execute(bound.as_slice()).at(path)?;
                    }
                    if let (Some(x), Some(r)) = (grown.as_mut(), grid.geometry.bounding_rect()) {
                        *x = [x[0].min(r.min().x), x[1].min(r.min().y), x[2].max(r.max().x), x[3].max(r.max().y)];
                    }
                }
                None => {
                    delete.execute([fid]).at(path)?;
                }
            }
            progress.advance(1);
        }
        match grown.filter(|_| !shrinks) {
            Some(x) => {
                tx.execute(
                    "UPDATE gpkg_contents SET (min_x, min_y, max_x, max_y) = (?1, ?2, ?3, ?4) WHERE table_name = 'grids'",
                    params![x[0], x[1], x[2], x[3]],
                )
                .at(path)?;
            }
            None => schema::update_extent(tx, "grids").at(path)?,
        }
        touch_grids(tx).at(path)?;
    }
    write_settings(tx, project).at(path)
}

/// The spacing of 32-bit floats near `x` (the R-tree's precision there).
fn f32_ulp(x: f64) -> f64 {
    let f = x as f32;
    f64::from(f.next_up() - f).abs().max(f64::from(f - f.next_down()).abs())
}

fn touch_grids(tx: &Transaction<'_>) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE table_name = 'grids'",
        [],
    )
}

/// The boundary, divisions, households and reference layers, written afresh with their extents.
fn write_small_layers(tx: &Transaction<'_>, project: &Project, path: &Path) -> Result<(), IoError> {
    for table in ["boundary", "divisions", "households"] {
        schema::drop_feature_table(tx, table).at(path)?;
    }
    let srs = project.crs.epsg;
    let srs_id = srs as i32;
    schema::create_feature_table(tx, "boundary", "MULTIPOLYGON", ", name TEXT", srs, "区域边界 area to partition")
        .at(path)?;
    if !project.boundary.0.is_empty() {
        tx.execute(
            "INSERT INTO boundary (geom, name) VALUES (?1, ?2)",
            params![blob::encode_multipolygon(&project.boundary, srs_id), project.name],
        )
        .at(path)?;
    }
    write_divisions(tx, project, srs, path)?;
    write_households(tx, project, srs, path)?;
    for table in ["boundary", "divisions", "households"] {
        schema::update_extent(tx, table).at(path)?;
    }
    super::reference::write_reference_layers(tx, project, path)
}

fn write_divisions(tx: &Transaction<'_>, project: &Project, srs: u32, path: &Path) -> Result<(), IoError> {
    schema::create_feature_table(tx, "divisions", "MULTIPOLYGON", DIVISION_COLUMNS, srs, "乡镇与村（社区） divisions")
        .at(path)?;
    let mut insert = tx
        .prepare("INSERT INTO divisions (geom, code, name, parent_code, level, class) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .at(path)?;
    for d in project.divisions.values() {
        let geom = d.polygon.as_ref().map(|p| blob::encode_multipolygon(p, srs as i32));
        let level = d.code.level();
        insert.execute(params![geom, d.code.as_str(), d.name, d.parent_code, level, d.class.key()]).at(path)?;
    }
    Ok(())
}

const GRID_VALUES: &str = "geom, code, name, kind, class, village_code, households, population, party_members, \
    grid_head, grid_staff, phone, notes, valid_from, valid_to, area_m2";

/// The grids table's row for a grid, column by column after the fid (as GRID_VALUES).
fn grid_row(g: &Grid, project: &Project, srs: u32) -> [Value; 16] {
    let a = &g.attrs;
    let text = |s: &str| Value::Text(s.to_string());
    let count = |n: Option<u32>| n.map_or(Value::Null, |n| Value::Integer(n.into()));
    [
        Value::Blob(blob::encode_multipolygon(&g.geometry, srs as i32)),
        text(&g.code),
        text(&g.name),
        text(g.kind.key()),
        text(g.class.key()),
        text(&g.village_code),
        count(a.households),
        count(a.population),
        count(a.party_members),
        text(&a.grid_head),
        text(&a.grid_staff),
        text(&a.phone),
        text(&a.notes),
        text(&a.valid_from),
        text(&a.valid_to),
        Value::Real(area_m2(&g.geometry, &project.crs)),
    ]
}

fn insert_grid_sql() -> String {
    format!(
        "INSERT INTO grids (fid, {GRID_VALUES}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
    )
}

/// Whether the file has a grids table of this very layout and CRS, with its R-tree: rows can then be
/// changed in place.
fn grids_in_place(tx: &Transaction<'_>, srs: u32, path: &Path) -> Result<bool, IoError> {
    let create_sql = format!(
        "CREATE TABLE \"grids\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON{GRID_COLUMNS})"
    );
    let stored_sql: Option<String> = tx
        .query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'grids'", [], |r| r.get(0))
        .optional()
        .at(path)?;
    let stored_srs: Option<i64> = tx
        .query_row(
            "SELECT g.srs_id FROM gpkg_geometry_columns g JOIN gpkg_contents c ON c.table_name = g.table_name
             WHERE g.table_name = 'grids' AND g.column_name = 'geom' AND c.srs_id = g.srs_id",
            [],
            |r| r.get(0),
        )
        .optional()
        .at(path)?;
    let has_rtree: bool = tx
        .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'rtree_grids_geom'", [], |r| r.get::<_, i64>(0))
        .at(path)?
        > 0;
    Ok(stored_sql.as_deref() == Some(create_sql.as_str()) && stored_srs == Some(srs as i64) && has_rtree)
}

/// Writes the grids. When the file already has a grids table of this very layout and CRS, only the rows that
/// differ are deleted, updated or inserted — a save after one edit touches a few pages, not the whole layer
/// and its R-tree; otherwise (a new file, an older layout) the table is made afresh.
fn write_grids(
    tx: &Transaction<'_>,
    project: &Project,
    srs: u32,
    path: &Path,
    progress: &dyn Progress,
) -> Result<(), IoError> {
    let in_place = grids_in_place(tx, srs, path)?;
    if !in_place {
        schema::drop_feature_table(tx, "grids").at(path)?;
        schema::create_feature_table(tx, "grids", "MULTIPOLYGON", GRID_COLUMNS, srs, "网格 grids").at(path)?;
    }
    let mut wanted: BTreeMap<i64, [Value; 16]> = BTreeMap::new();
    for (n, g) in project.grids.values().enumerate() {
        if n.is_multiple_of(1024) {
            progress.check().map_err(|c| IoError::new(path, c))?;
        }
        wanted.insert(g.id as i64, grid_row(g, project, srs));
        progress.advance(1);
    }
    let (mut stale, mut changed) = (Vec::new(), Vec::new());
    if in_place {
        let mut stmt = tx.prepare(&format!("SELECT fid, {GRID_VALUES} FROM grids")).at(path)?;
        let mut rows = stmt.query([]).at(path)?;
        while let Some(row) = rows.next().at(path)? {
            let fid: i64 = row.get(0).at(path)?;
            match wanted.get(&fid) {
                None => stale.push(fid),
                Some(values) => {
                    let mut same = true;
                    for (i, value) in values.iter().enumerate() {
                        if row.get_ref(i + 1).at(path)? != ValueRef::from(value) {
                            same = false;
                            break;
                        }
                    }
                    if same {
                        wanted.remove(&fid);
                    } else {
                        changed.push(fid);
                    }
                }
            }
        }
    }
    progress.check().map_err(|c| IoError::new(path, c))?;
    let mut delete = tx.prepare("DELETE FROM grids WHERE fid = ?1").at(path)?;
    for fid in stale.iter().chain(&changed) {
        delete.execute([fid]).at(path)?;
    }
    let mut insert = tx.prepare(&insert_grid_sql()).at(path)?;
    for (fid, values) in &wanted {
        let mut bound: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(17);
        bound.push(fid);
        bound.extend(values.iter().map(|v| v as &dyn rusqlite::ToSql));
        insert.execute(bound.as_slice()).at(path)?;
    }
    if !(stale.is_empty() && wanted.is_empty()) {
        touch_grids(tx).at(path)?;
    }
    Ok(())
}

fn write_households(tx: &Transaction<'_>, project: &Project, srs: u32, path: &Path) -> Result<(), IoError> {
    schema::create_feature_table(tx, "households", "POINT", HOUSEHOLD_COLUMNS, srs, "住户点 household points")
        .at(path)?;
    let mut insert =
        tx.prepare("INSERT INTO households (geom, households, population) VALUES (?1, ?2, ?3)").at(path)?;
    for h in &project.households {
        insert.execute(params![blob::encode_point(h.position, srs as i32), h.households, h.population]).at(path)?;
    }
    Ok(())
}

fn write_settings(tx: &Transaction<'_>, project: &Project) -> rusqlite::Result<()> {
    // Registered as an attributes table, as the GeoPackage spec asks of every user table.
    tx.execute_batch(
        // An INTEGER primary key, as GeoPackage asks of every user table (Req 119); files from before it had
        // `key TEXT PRIMARY KEY` and are migrated here, on their next save.
        "DROP TABLE IF EXISTS wangge_project;
         CREATE TABLE wangge_project (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, key TEXT NOT NULL UNIQUE, value TEXT NOT NULL);
         DELETE FROM gpkg_contents WHERE table_name = 'wangge_project';
         INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
           VALUES ('wangge_project', 'attributes', 'wangge_project', 'Wangge project settings');",
    )?;
    let mut rows: BTreeMap<String, String> =
        project.settings.iter().map(|(k, v)| (format!("setting.{k}"), v.clone())).collect();
    rows.insert("schema_version".into(), SCHEMA_VERSION.to_string());
    rows.insert("name".into(), project.name.clone());
    rows.insert("crs_epsg".into(), project.crs.epsg.to_string());
    rows.insert("precision".into(), project.precision.to_string());
    rows.insert("next_grid_id".into(), project.next_grid_id.to_string());
    if !project.read_only_grids.is_empty() {
        let ids: Vec<String> = project.read_only_grids.iter().map(u64::to_string).collect();
        rows.insert("read_only_grids".into(), ids.join(","));
    }
    rows.insert("written_by".into(), format!("wangge {}", env!("CARGO_PKG_VERSION")));
    let mut insert = tx.prepare("INSERT INTO wangge_project (key, value) VALUES (?1, ?2)")?;
    for (k, v) in rows {
        insert.execute(params![k, v])?;
    }
    Ok(())
}
