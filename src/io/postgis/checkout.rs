//! `wangge db checkout`: a township's part of a database project written as a normal project file, to
//! be edited offline and checked in later (`checkin.rs`). The file holds the township's grids (village
//! code starting with its 9-digit code), its divisions, households and the reference features near it,
//! and the neighbouring townships' grids that touch its grids, read-only. Two tables of our own record
//! where it came from (`wangge_checkout`: URL without password, schema, township, the database's last
//! change id) and the state of every grid at check-out (`wangge_checkout_base`: version and content),
//! the base of the three-way merge. Both are attribute tables registered in `gpkg_contents`, so the file
//! stays a valid GeoPackage; a save by the app keeps them (it copies the file it replaces).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use geo::{BoundingRect, Geometry, Intersects, MultiPolygon, Point};
use rusqlite::{Connection, OptionalExtension, params};

use super::read::grid_from_row;
use super::url::DbUrl;
use super::{Db, DbError};
use crate::core::{Grid, GridId, HouseholdPoint, Project, ReferenceGeometry};
use crate::io::error::{AtPath, IoError, Problem};
use crate::io::{save_project, wkb};

/// Where a check-out came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutInfo {
    /// The project's URL (it never holds a password).
    pub url: String,
    pub schema: String,
    /// The 9-digit township code.
    pub township: String,
    /// The id of the database's last recorded change when the file was checked out or last checked in.
    pub last_change: i64,
}

/// A grid as it was at check-out: its content and its version in the database.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseGrid {
    pub grid: Grid,
    pub version: i32,
    /// A neighbouring township's grid (read-only in the file).
    pub read_only: bool,
}

/// What a check-out wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckoutReport {
    pub grids: usize,
    pub neighbours: usize,
    pub households: usize,
    pub last_change: i64,
}

/// Whether `code` is a 9-digit township code.
pub(super) fn is_township_code(code: &str) -> bool {
    code.len() == 9 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The grids of `township` and the grids of other townships that touch them, and any grid named in
/// `also`, with their versions, by id; reads in the connection's current transaction.
pub(super) fn scope_grids(
    client: &mut impl postgres::GenericClient,
    township: &str,
    also: &[i64],
) -> Result<BTreeMap<GridId, (Grid, i32)>, DbError> {
    let sql = format!(
        "{} WHERE left(village_code, 9) = $1 OR id = ANY($2)
            OR EXISTS (SELECT 1 FROM grids t WHERE left(t.village_code, 9) = $1 AND ST_Intersects(grids.geom, t.geom))
         ORDER BY id",
        super::read::grid_select()
    );
    let rows = client.query(&sql, &[&township, &also])?;
    let mut grids = BTreeMap::new();
    for row in rows {
        let (grid, version) = grid_from_row(&row)?;
        grids.insert(grid.id, (grid, version));
    }
    Ok(grids)
}

/// Whether a grid with this village code is the township's own.
pub(super) fn in_township(grid: &Grid, township: &str) -> bool {
    grid.village_code.get(..9) == Some(township)
}

impl Db {
    /// Writes township `township`'s check-out to `to` (which must not exist), read in one consistent
    /// snapshot of the database. Errors name the URL or the file.
    pub fn checkout(&mut self, township: &str, to: &Path) -> Result<CheckoutReport, IoError> {
        let url = self.url.clone();
        let at_url = |e: DbError| IoError::new(&super::url_path(&url), Problem::Database(e));
        if !is_township_code(township) {
            return Err(at_url(DbError::BadTownship(township.to_string())));
        }
        if to.exists() {
            return Err(IoError::new(to, Problem::Database(DbError::CheckoutExists)));
        }
        self.client.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").map_err(|e| at_url(e.into()))?;
        let read = self.read_township(township);
        // A read-only transaction: ending it cannot lose anything.
        let _ = self.client.batch_execute("ROLLBACK");
        let (project, versions, last_change) = read.map_err(at_url)?;
        let info = CheckoutInfo {
            url: url.to_string(),
            schema: url.schema.clone(),
            township: township.to_string(),
            last_change,
        };
        save_project(&project, to)?;
        // The base is what the file holds (as the file gives it back), so that an untouched grid is
        // unchanged whatever the round trip does.
        let written = crate::io::open_project(to)?;
        let base = base_of(&written, &versions);
        write_checkout_tables(to, &info, (&base, super::layers::Rows::of(&written)))?;
        Ok(CheckoutReport {
            grids: base.values().filter(|b| !b.read_only).count(),
            neighbours: base.values().filter(|b| b.read_only).count(),
            households: project.households.len(),
            last_change,
        })
    }

    /// The township's project (neighbours read-only), the versions of its grids, the last change id.
    fn read_township(&mut self, township: &str) -> Result<(Project, BTreeMap<GridId, i32>, i64), DbError> {
        let mut project = self.open_without_grids()?;
        let grids = scope_grids(&mut self.client, township, &[])?;
        let own: Vec<&Grid> = grids.values().map(|(g, _)| g).filter(|g| in_township(g, township)).collect();
        if own.is_empty() && !project.divisions.contains_key(township) {
            return Err(DbError::NoSuchTownship(township.to_string()));
        }
        let last_change: i64 = self.client.query_one("SELECT coalesce(max(id), 0) FROM changes", &[])?.get(0);
        // Households inside the township's grids, found by the database's index.
        let rows = self.client.query(
            "SELECT ST_AsBinary(h.geom), h.households, h.population FROM households h
             WHERE EXISTS (SELECT 1 FROM grids t WHERE left(t.village_code, 9) = $1 AND ST_Intersects(h.geom, t.geom))
             ORDER BY h.id",
            &[&township],
        )?;
        let mut households = Vec::with_capacity(rows.len());
        for row in rows {
            let bad = |detail: String| DbError::BadRow { table: "households", id: 0, detail };
            let Geometry::Point(position) = wkb::read(row.get(0)).map_err(|e| bad(e.to_string()))? else {
                return Err(bad("not a point".into()));
            };
            let count = |v: Option<i64>| v.and_then(|n| u32::try_from(n).ok());
            households.push(HouseholdPoint {
                position: Point(position.0),
                households: count(row.get(1)).unwrap_or(0),
                population: count(row.get(2)),
            });
        }
        project.households = households;
        // The township's own divisions; its polygon (if the county drew one) is the boundary.
        project.divisions.retain(|code, _| code.starts_with(township));
        project.boundary =
            project.divisions.get(township).and_then(|d| d.polygon.clone()).unwrap_or_else(|| MultiPolygon(Vec::new()));
        if let Some(d) = project.divisions.get(township) {
            project.name = d.name.clone();
        }
        // Reference features near the check-out (their extent touching the grids').
        let extent = grids.values().filter_map(|(g, _)| g.geometry.bounding_rect()).reduce(crate::core::rect::union);
        for layer in &mut project.reference_layers {
            layer.features.retain(|f| {
                let rect = match &f.geometry {
                    ReferenceGeometry::Lines(lines) => lines.bounding_rect(),
                    ReferenceGeometry::Polygons(polygons) => polygons.bounding_rect(),
                };
                match (extent, rect) {
                    (Some(e), Some(r)) => e.intersects(&r),
                    _ => false,
                }
            });
        }
        let mut versions = BTreeMap::new();
        for (id, (grid, version)) in grids {
            if !in_township(&grid, township) {
                project.read_only_grids.insert(id);
            }
            versions.insert(id, version);
            project.grids.insert(id, grid);
        }
        let after_max = project.grids.keys().next_back().map_or(1, |id| id + 1);
        project.next_grid_id = project.next_grid_id.max(after_max);
        Ok((project, versions, last_change))
    }
}

/// The base of a check-out: each grid of `project` with its version.
pub(super) fn base_of(project: &Project, versions: &BTreeMap<GridId, i32>) -> BTreeMap<GridId, BaseGrid> {
    project
        .grids
        .values()
        .filter_map(|g| {
            let version = *versions.get(&g.id)?;
            Some((g.id, BaseGrid { grid: g.clone(), version, read_only: project.read_only_grids.contains(&g.id) }))
        })
        .collect()
}

const BASE_COLUMNS: &str = "fid, version, read_only, geom, code, name, kind, class, village_code, households, population, \
    party_members, grid_head, grid_staff, phone, notes, valid_from, valid_to";

/// Writes (replacing) the check-out's own tables in `path`, in one transaction.
pub(super) fn write_checkout_tables(
    path: &Path,
    info: &CheckoutInfo,
    (base, rows): (&BTreeMap<GridId, BaseGrid>, super::layers::Rows<'_>),
) -> Result<(), IoError> {
    let mut conn = Connection::open(path).at(path)?;
    let tx = conn.transaction().at(path)?;
    tx.execute_batch(
        "DROP TABLE IF EXISTS wangge_checkout;
         DROP TABLE IF EXISTS wangge_checkout_base;
         CREATE TABLE wangge_checkout (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, key TEXT NOT NULL UNIQUE, value TEXT NOT NULL);
         CREATE TABLE wangge_checkout_base (fid INTEGER PRIMARY KEY NOT NULL, version INTEGER NOT NULL,
             read_only BOOLEAN NOT NULL, geom BLOB NOT NULL, code TEXT, name TEXT, kind TEXT NOT NULL, class TEXT NOT NULL,
             village_code TEXT, households INTEGER, population INTEGER, party_members INTEGER, grid_head TEXT,
             grid_staff TEXT, phone TEXT, notes TEXT, valid_from TEXT, valid_to TEXT);
         DELETE FROM gpkg_contents WHERE table_name IN ('wangge_checkout', 'wangge_checkout_base');
         INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
             ('wangge_checkout', 'attributes', 'wangge_checkout', 'Wangge check-out: where this township file came from'),
             ('wangge_checkout_base', 'attributes', 'wangge_checkout_base', 'Wangge check-out: each grid as checked out (WKB), the base of check-in');",
    )
    .at(path)?;
    {
        let mut insert = tx.prepare("INSERT INTO wangge_checkout (key, value) VALUES (?1, ?2)").at(path)?;
        for (k, v) in [
            ("url", info.url.clone()),
            ("schema", info.schema.clone()),
            ("township", info.township.clone()),
            ("last_change", info.last_change.to_string()),
            ("written_by", format!("wangge {}", env!("CARGO_PKG_VERSION"))),
            // The households and reference features as checked out: the base their check-in merges against.
            (LAYERS_BASE, super::layers::rows_to_text(rows)),
            // New each time the file is written: what a check-in of this state merged is kept under it.
            (ROWS_TAG, super::save::new_save_tag()),
        ] {
            insert.execute(params![k, v]).at(path)?;
        }
        let marks: Vec<String> = (1..=18).map(|i| format!("?{i}")).collect();
        let mut insert = tx
            .prepare(&format!("INSERT INTO wangge_checkout_base ({BASE_COLUMNS}) VALUES ({})", marks.join(", ")))
            .at(path)?;
        for (id, b) in base {
            let g = &b.grid;
            let mut geom = Vec::new();
            wkb::write_multipolygon(&mut geom, &g.geometry);
            let a = &g.attrs;
            insert
                .execute(params![
                    *id as i64,
                    b.version,
                    b.read_only,
                    geom,
                    g.code,
                    g.name,
                    g.kind.key(),
                    g.class.key(),
                    g.village_code,
                    a.households,
                    a.population,
                    a.party_members,
                    a.grid_head,
                    a.grid_staff,
                    a.phone,
                    a.notes,
                    a.valid_from,
                    a.valid_to
                ])
                .at(path)?;
        }
    }
    tx.commit().at(path)
}

/// Where the check-out at `path` came from, and its base; an error naming the file when it is not a
/// check-out (or its tables are damaged).
pub fn read_checkout(path: &Path) -> Result<(CheckoutInfo, BTreeMap<GridId, BaseGrid>), IoError> {
    if !path.is_file() {
        return Err(IoError::new(path, std::io::Error::from(std::io::ErrorKind::NotFound)));
    }
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).at(path)?;
    let not_checkout = || IoError::new(path, Problem::Database(DbError::NotACheckout));
    let has = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('wangge_checkout', 'wangge_checkout_base')",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(|_| not_checkout())?;
    if has != 2 {
        return Err(not_checkout());
    }
    let value = |key: &str| -> Result<String, IoError> {
        conn.query_row("SELECT value FROM wangge_checkout WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .at(path)?
            .ok_or_else(|| IoError::new(path, Problem::Database(DbError::BadCheckout(format!("no {key}")))))
    };
    let bad = |detail: String| IoError::new(path, Problem::Database(DbError::BadCheckout(detail)));
    let info = CheckoutInfo {
        url: value("url")?,
        schema: value("schema")?,
        township: value("township")?,
        last_change: value("last_change")?.parse().map_err(|_| bad("last_change is not a number".into()))?,
    };
    if !is_township_code(&info.township) || DbUrl::parse(&info.url).is_err() {
        return Err(bad("its township or URL is not valid".into()));
    }
    let mut stmt = conn.prepare(&format!("SELECT {BASE_COLUMNS} FROM wangge_checkout_base ORDER BY fid")).at(path)?;
    let mut rows = stmt.query([]).at(path)?;
    let mut base = BTreeMap::new();
    let mut n = 0;
    while let Some(r) = rows.next().at(path)? {
        n += 1;
        let feature = |e: String| IoError::at_feature(path, n, Problem::Database(DbError::BadCheckout(e)));
        let fid: i64 = r.get(0).at(path)?;
        let id = GridId::try_from(fid).map_err(|_| feature(format!("grid id {fid}")))?;
        let geom: Vec<u8> = r.get(3).at(path)?;
        let geometry = match wkb::read(&geom).map_err(|e| feature(e.to_string()))? {
            Geometry::MultiPolygon(mp) => mp,
            Geometry::Polygon(p) => MultiPolygon(vec![p]),
            _ => return Err(feature(format!("grid {id}: not a polygon"))),
        };
        let grid = crate::io::gpkg::grid_from_columns(r, 4, (id, geometry), path, n)?;
        let version: i32 = r.get(1).at(path)?;
        let read_only: bool = r.get(2).at(path)?;
        base.insert(id, BaseGrid { grid, version, read_only });
    }
    Ok((info, base))
}

/// The key of the check-out's base households and reference features in `wangge_checkout`, and of the
/// tag of the file's state.
const LAYERS_BASE: &str = "layers_base";
const ROWS_TAG: &str = "rows_tag";

/// The households and reference layers of the check-out at `path` as checked out (or last checked in);
/// None for a check-out made before they were kept (its check-in carries grids only).
pub(super) fn read_checkout_rows(path: &Path) -> Result<Option<CheckedOutRows>, IoError> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).at(path)?;
    let value = |key: &str| -> Result<Option<String>, IoError> {
        conn.query_row("SELECT value FROM wangge_checkout WHERE key = ?1", [key], |r| r.get(0)).optional().at(path)
    };
    let (Some(text), Some(tag)) = (value(LAYERS_BASE)?, value(ROWS_TAG)?) else { return Ok(None) };
    let rows = super::layers::rows_from_text(&text)
        .map_err(|e| IoError::new(path, Problem::Database(DbError::BadCheckout(format!("{LAYERS_BASE}: {e}")))))?;
    Ok(Some(CheckedOutRows { households: rows.0, reference_layers: rows.1, text, tag }))
}

/// A check-out's households and reference layers as checked out, and the text they were kept as.
pub(super) struct CheckedOutRows {
    pub households: Vec<HouseholdPoint>,
    pub reference_layers: Vec<crate::core::ReferenceLayer>,
    pub text: String,
    /// The tag of the file's state (see `checkin_rows`).
    pub tag: String,
}

impl CheckedOutRows {
    /// Whether `mine` (the file's project now) has other households or reference features.
    pub fn changed_in(&self, mine: &Project) -> bool {
        mine.households != self.households || mine.reference_layers != self.reference_layers
    }
}

/// The ids of `base` that are read-only.
pub(super) fn read_only_ids(base: &BTreeMap<GridId, BaseGrid>) -> BTreeSet<GridId> {
    base.iter().filter(|(_, b)| b.read_only).map(|(id, _)| *id).collect()
}
