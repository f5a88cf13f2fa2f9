//! The Wangge project file: one GeoPackage with the layers `boundary`, `divisions`, `grids` and
//! `households` in the project CRS, and a `wangge_project` key/value table for everything else.
//! A save writes the new state beside the file (a copy of it, changed in one transaction) and renames it
//! over the file: a crash at any point leaves the previous project, whole on its own, or the new one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use geo::{Geometry, MultiPolygon, Point};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params};

use super::beside::Beside;
use super::{blob, is_geopackage, open_existing, schema, sql_functions};
use crate::core::{
    AreaClass, Division, DivisionCode, Grid, GridAttrs, GridId, GridKind, HouseholdPoint, Project, area_m2,
};
use crate::io::crs::crs_from_epsg;
use crate::io::error::{AtPath, GeometryKind, IoError, NotAProject, Problem, ProjectKey};

/// Version of the Wangge tables inside the GeoPackage; bump when their meaning changes.
pub const SCHEMA_VERSION: u32 = 1;
const LAYERS: [&str; 4] = ["boundary", "divisions", "grids", "households"];

const DIVISION_COLUMNS: &str =
    ", code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, parent_code TEXT, level TEXT NOT NULL, class TEXT NOT NULL";
const GRID_COLUMNS: &str = ", code TEXT, name TEXT, kind TEXT NOT NULL, class TEXT NOT NULL, village_code TEXT, \
    households INTEGER, population INTEGER, party_members INTEGER, grid_head TEXT, grid_staff TEXT, phone TEXT, \
    notes TEXT, valid_from TEXT, valid_to TEXT, area_m2 REAL";
const HOUSEHOLD_COLUMNS: &str = ", households INTEGER NOT NULL, population INTEGER";

/// Writes the whole project to `path`, creating the file if needed; refuses to overwrite a file that is not a
/// Wangge project. The new state is written to a temporary file beside it (a copy of the old file, so that
/// tables other programs added stay, changed in one transaction), flushed to disk and renamed over it: the
/// file is whole at every instant on its own, and a new project is created complete or not at all.
pub fn save_project(project: &Project, path: &Path) -> Result<(), IoError> {
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
    write_all(&tx, project, path)?;
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

fn has_project_table(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'wangge_project'", [], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

fn write_all(tx: &Transaction<'_>, project: &Project, path: &Path) -> Result<(), IoError> {
    tx.pragma_update(None, "application_id", schema::GPKG_APPLICATION_ID).at(path)?;
    tx.pragma_update(None, "user_version", schema::GPKG_USER_VERSION).at(path)?;
    schema::create_core_tables(tx).at(path)?;
    schema::register_crs(tx, &project.crs).at(path)?;
    // Grids, the big layer, are updated in place (see write_grids); the small layers are written afresh.
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
    write_grids(tx, project, srs, path)?;
    write_households(tx, project, srs, path)?;
    for table in LAYERS {
        schema::update_extent(tx, table).at(path)?;
    }
    write_settings(tx, project).at(path)
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

/// Writes the grids. When the file already has a grids table of this very layout and CRS, only the rows that
/// differ are deleted, updated or inserted — a save after one edit touches a few pages, not the whole layer
/// and its R-tree; otherwise (a new file, an older layout) the table is made afresh.
fn write_grids(tx: &Transaction<'_>, project: &Project, srs: u32, path: &Path) -> Result<(), IoError> {
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
    let in_place = stored_sql.as_deref() == Some(create_sql.as_str()) && stored_srs == Some(srs as i64) && has_rtree;
    if !in_place {
        schema::drop_feature_table(tx, "grids").at(path)?;
        schema::create_feature_table(tx, "grids", "MULTIPOLYGON", GRID_COLUMNS, srs, "网格 grids").at(path)?;
    }
    let mut wanted: BTreeMap<i64, [Value; 16]> =
        project.grids.values().map(|g| (g.id as i64, grid_row(g, project, srs))).collect();
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
    let mut delete = tx.prepare("DELETE FROM grids WHERE fid = ?1").at(path)?;
    for fid in stale.iter().chain(&changed) {
        delete.execute([fid]).at(path)?;
    }
    let mut insert = tx
        .prepare(&format!(
            "INSERT INTO grids (fid, {GRID_VALUES}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        ))
        .at(path)?;
    for (fid, values) in &wanted {
        let mut bound: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(17);
        bound.push(fid);
        bound.extend(values.iter().map(|v| v as &dyn rusqlite::ToSql));
        insert.execute(bound.as_slice()).at(path)?;
    }
    if !(stale.is_empty() && wanted.is_empty()) {
        tx.execute(
            "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE table_name = 'grids'",
            [],
        )
        .at(path)?;
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
    rows.insert("written_by".into(), format!("wangge {}", env!("CARGO_PKG_VERSION")));
    let mut insert = tx.prepare("INSERT INTO wangge_project (key, value) VALUES (?1, ?2)")?;
    for (k, v) in rows {
        insert.execute(params![k, v])?;
    }
    Ok(())
}

/// Opens a Wangge project. A file from a crashed save is rolled back to its last complete save by SQLite.
pub fn open_project(path: &Path) -> Result<Project, IoError> {
    // Writable where possible, so that SQLite can roll back the journal of an interrupted save.
    let conn = open_existing(path, true).or_else(|_| open_existing(path, false))?;
    if !is_geopackage(&conn).at(path)? {
        return Err(IoError::new(path, Problem::NotAProject(NotAProject::NotGeoPackage)));
    }
    if !has_project_table(&conn).at(path)? {
        return Err(IoError::new(path, Problem::NotAProject(NotAProject::PlainGeoPackage)));
    }
    let mut stmt = conn.prepare("SELECT key, value FROM wangge_project").at(path)?;
    let rows: BTreeMap<String, String> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).at(path)?.collect::<Result<_, _>>().at(path)?;
    let value = |key: &str| rows.get(key).map(String::as_str).unwrap_or("");
    let schema_version: u32 = value("schema_version")
        .parse()
        .map_err(|_| IoError::new(path, Problem::MissingProjectKey { key: ProjectKey::SchemaVersion }))?;
    if schema_version > SCHEMA_VERSION {
        return Err(IoError::new(path, Problem::NewerSchema { found: schema_version, supported: SCHEMA_VERSION }));
    }
    let epsg: u32 = value("crs_epsg")
        .parse()
        .map_err(|_| IoError::new(path, Problem::MissingProjectKey { key: ProjectKey::CrsEpsg }))?;
    let mut project = Project::new(value("name"), crs_from_epsg(epsg).at(path)?);
    if let Ok(p) = value("precision").parse::<f64>()
        && p.is_finite()
        && p > 0.0
    {
        project.precision = p;
    }
    project.settings =
        rows.iter().filter_map(|(k, v)| Some((k.strip_prefix("setting.")?.to_string(), v.clone()))).collect();
    read_boundary(&conn, &mut project, path)?;
    read_divisions(&conn, &mut project, path)?;
    read_grids(&conn, &mut project, path)?;
    read_households(&conn, &mut project, path)?;
    let stored_next: u64 = value("next_grid_id").parse().ok().filter(|&n| n <= MAX_FID as u64 + 1).unwrap_or(1);
    let after_max = project.grids.keys().next_back().map_or(1, |id| id + 1);
    project.next_grid_id = stored_next.max(after_max);
    Ok(project)
}

/// Grid ids are their fids: 1 ..= 2^53 (what every GIS, JavaScript included, holds exactly), so that the
/// ids given after them can never overflow.
const MAX_FID: i64 = 1 << 53;

fn grid_id(fid: i64, path: &Path) -> Result<GridId, IoError> {
    if (1..=MAX_FID).contains(&fid) {
        return Ok(fid as GridId);
    }
    // The fid is the problem: it names the row, there is no feature number to give.
    Err(IoError::new(path, Problem::FidOutOfRange { fid, max: MAX_FID }))
}

fn multipolygon(blob_bytes: &[u8], path: &Path, fid: i64) -> Result<MultiPolygon<f64>, IoError> {
    let at = |p: Problem| IoError::at_feature(path, fid.max(0) as usize, p);
    let (geometry, _) = blob::decode(blob_bytes).map_err(|e| at(Problem::Blob(e)))?;
    match geometry {
        Geometry::MultiPolygon(mp) => Ok(mp),
        Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        other => Err(at(Problem::ExpectedPolygon { found: GeometryKind::of(Some(&other)) })),
    }
}

fn read_boundary(conn: &Connection, project: &mut Project, path: &Path) -> Result<(), IoError> {
    let mut stmt = conn.prepare("SELECT fid, geom FROM boundary WHERE geom IS NOT NULL ORDER BY fid").at(path)?;
    let mut rows = stmt.query([]).at(path)?;
    while let Some(row) = rows.next().at(path)? {
        let (fid, bytes): (i64, Vec<u8>) = (row.get(0).at(path)?, row.get(1).at(path)?);
        project.boundary.0.extend(multipolygon(&bytes, path, fid)?.0);
    }
    Ok(())
}

fn read_divisions(conn: &Connection, project: &mut Project, path: &Path) -> Result<(), IoError> {
    let mut stmt =
        conn.prepare("SELECT fid, geom, code, name, parent_code, class FROM divisions ORDER BY code").at(path)?;
    let mut rows = stmt.query([]).at(path)?;
    while let Some(row) = rows.next().at(path)? {
        let fid: i64 = row.get(0).at(path)?;
        let geom: Option<Vec<u8>> = row.get(1).at(path)?;
        let code_text: String = row.get(2).at(path)?;
        let code = DivisionCode::parse(&code_text).map_err(|e| IoError::at_feature(path, fid.max(0) as usize, e))?;
        let polygon = geom.map(|b| multipolygon(&b, path, fid)).transpose()?;
        let class_text: String = row.get(5).at(path)?;
        let division = Division {
            name: row.get(3).at(path)?,
            parent_code: row.get(4).at(path)?,
            class: AreaClass::parse(&class_text).unwrap_or_else(|| code.default_class()),
            code,
            polygon,
        };
        project.divisions.insert(division.code.to_string(), division);
    }
    Ok(())
}

fn read_grids(conn: &Connection, project: &mut Project, path: &Path) -> Result<(), IoError> {
    let mut stmt = conn
        .prepare(
            "SELECT fid, geom, code, name, kind, class, village_code, households, population, party_members,
                    grid_head, grid_staff, phone, notes, valid_from, valid_to FROM grids ORDER BY fid",
        )
        .at(path)?;
    let mut rows = stmt.query([]).at(path)?;
    while let Some(row) = rows.next().at(path)? {
        let fid: i64 = row.get(0).at(path)?;
        let id = grid_id(fid, path)?;
        let geom: Option<Vec<u8>> = row.get(1).at(path)?;
        let geometry = geom.map(|b| multipolygon(&b, path, fid)).transpose()?.unwrap_or(MultiPolygon(vec![]));
        let text =
            |i: usize| -> Result<String, IoError> { Ok(row.get::<_, Option<String>>(i).at(path)?.unwrap_or_default()) };
        let count = |i: usize| -> Result<Option<u32>, IoError> {
            let v: Option<i64> = row.get(i).at(path)?;
            v.map(u32::try_from).transpose().map_err(|_| {
                let column = ["households", "population", "party_members"].get(i.wrapping_sub(7)).unwrap_or(&"");
                IoError::at_feature(path, fid.max(0) as usize, Problem::CountOutOfRange { column })
            })
        };
        let grid = Grid {
            id,
            code: text(2)?,
            name: text(3)?,
            kind: GridKind::parse(&text(4)?).unwrap_or_default(),
            class: AreaClass::parse(&text(5)?).unwrap_or_default(),
            village_code: text(6)?,
            geometry,
            attrs: GridAttrs {
                households: count(7)?,
                population: count(8)?,
                party_members: count(9)?,
                grid_head: text(10)?,
                grid_staff: text(11)?,
                phone: text(12)?,
                notes: text(13)?,
                valid_from: text(14)?,
                valid_to: text(15)?,
            },
        };
        project.grids.insert(grid.id, grid);
    }
    Ok(())
}

fn read_households(conn: &Connection, project: &mut Project, path: &Path) -> Result<(), IoError> {
    let mut stmt = conn.prepare("SELECT fid, geom, households, population FROM households ORDER BY fid").at(path)?;
    let mut rows = stmt.query([]).at(path)?;
    while let Some(row) = rows.next().at(path)? {
        let fid: i64 = row.get(0).at(path)?;
        let bytes: Vec<u8> = row.get(1).at(path)?;
        let (geometry, _) = blob::decode(&bytes).map_err(|e| IoError::at_feature(path, fid.max(0) as usize, e))?;
        let Geometry::Point(position) = geometry else {
            let found = GeometryKind::of(Some(&geometry));
            return Err(IoError::at_feature(path, fid.max(0) as usize, Problem::ExpectedPoint { found }));
        };
        project.households.push(HouseholdPoint {
            position: Point(position.0),
            households: row.get::<_, i64>(2).at(path)?.clamp(0, u32::MAX as i64) as u32,
            population: row.get::<_, Option<i64>>(3).at(path)?.map(|p| p.clamp(0, u32::MAX as i64) as u32),
        });
    }
    Ok(())
}
