//! GeoPackage tables: the core metadata tables, SRS rows with their real WKT, feature tables with their
//! contents and geometry-column rows, and the gpkg_rtree_index extension with its standard triggers.

use rusqlite::{Transaction, params};

use crate::core::Crs;
use crate::io::crs::wkt_of;

/// GeoPackage 1.3.0, as PRAGMA user_version: the newest version that GDAL 3.6 (Debian 12) reads without
/// a warning; nothing we write needs 1.4.
pub const GPKG_USER_VERSION: i32 = 10300;
/// 'GPKG' as PRAGMA application_id.
pub const GPKG_APPLICATION_ID: i32 = 0x4750_4B47;

pub fn create_core_tables(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
            srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
            organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
         CREATE TABLE IF NOT EXISTS gpkg_contents (
            table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
            description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
            CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
            table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
            srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
            CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
            CONSTRAINT uk_gc_table_name UNIQUE (table_name),
            CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
            CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
         CREATE TABLE IF NOT EXISTS gpkg_extensions (
            table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
            scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
         INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES
            ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
            ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');",
    )?;
    register_srs(tx, 4326, "WGS 84")
}

/// Adds the SRS row for a CRS (srs_id = EPSG code) with its full OGC WKT.
pub fn register_crs(tx: &Transaction<'_>, crs: &Crs) -> rusqlite::Result<()> {
    register_srs(tx, crs.epsg, &crs.name)
}

fn register_srs(tx: &Transaction<'_>, epsg: u32, name: &str) -> rusqlite::Result<()> {
    let wkt = wkt_of(epsg).unwrap_or("undefined");
    tx.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition)
         VALUES (?1, ?2, 'EPSG', ?2, ?3)",
        params![name, epsg, wkt],
    )?;
    Ok(())
}

/// Removes a feature table and everything that refers to it, if it exists.
pub fn drop_feature_table(tx: &Transaction<'_>, table: &str) -> rusqlite::Result<()> {
    tx.execute_batch(&format!(
        "DROP TABLE IF EXISTS \"{table}\"; DROP TABLE IF EXISTS \"rtree_{table}_geom\";
         DELETE FROM gpkg_extensions WHERE table_name = '{table}';
         DELETE FROM gpkg_geometry_columns WHERE table_name = '{table}';
         DELETE FROM gpkg_contents WHERE table_name = '{table}';"
    ))
}

/// Creates a feature table `table(fid, geom, <columns>)`, registers it and gives it an R-tree index whose
/// triggers keep it current on every later insert, update and delete.
pub fn create_feature_table(
    tx: &Transaction<'_>,
    table: &str,
    geometry_type: &str,
    columns_sql: &str,
    srs_id: u32,
    description: &str,
) -> rusqlite::Result<()> {
    tx.execute_batch(&format!(
        "CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {geometry_type}{columns_sql});"
    ))?;
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES (?1, 'features', ?1, ?2, ?3)",
        params![table, description, srs_id],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        params![table, geometry_type, srs_id],
    )?;
    tx.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        params![table],
    )?;
    let t = table;
    let r = format!("rtree_{t}_geom");
    tx.execute_batch(&format!(
        "CREATE VIRTUAL TABLE \"{r}\" USING rtree(id, minx, maxx, miny, maxy);
         CREATE TRIGGER \"{r}_insert\" AFTER INSERT ON \"{t}\" WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
         BEGIN INSERT OR REPLACE INTO \"{r}\" VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
         CREATE TRIGGER \"{r}_update1\" AFTER UPDATE OF geom ON \"{t}\" WHEN OLD.fid = NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
         BEGIN INSERT OR REPLACE INTO \"{r}\" VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
         CREATE TRIGGER \"{r}_update2\" AFTER UPDATE OF geom ON \"{t}\" WHEN OLD.fid = NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
         BEGIN DELETE FROM \"{r}\" WHERE id = OLD.fid; END;
         CREATE TRIGGER \"{r}_update3\" AFTER UPDATE ON \"{t}\" WHEN OLD.fid != NEW.fid AND (NEW.geom NOTNULL AND NOT ST_IsEmpty(NEW.geom))
         BEGIN DELETE FROM \"{r}\" WHERE id = OLD.fid; INSERT OR REPLACE INTO \"{r}\" VALUES (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom)); END;
         CREATE TRIGGER \"{r}_update4\" AFTER UPDATE ON \"{t}\" WHEN OLD.fid != NEW.fid AND (NEW.geom ISNULL OR ST_IsEmpty(NEW.geom))
         BEGIN DELETE FROM \"{r}\" WHERE id IN (OLD.fid, NEW.fid); END;
         CREATE TRIGGER \"{r}_delete\" AFTER DELETE ON \"{t}\" WHEN old.geom NOT NULL
         BEGIN DELETE FROM \"{r}\" WHERE id = OLD.fid; END;"
    ))
}

/// Records the layer's extent in gpkg_contents (read by GDAL/QGIS for zoom-to-layer).
pub fn update_extent(tx: &Transaction<'_>, table: &str) -> rusqlite::Result<()> {
    tx.execute(
        &format!(
            "UPDATE gpkg_contents SET (min_x, max_x, min_y, max_y) =
               (SELECT min(minx), max(maxx), min(miny), max(maxy) FROM \"rtree_{table}_geom\")
             WHERE table_name = ?1"
        ),
        params![table],
    )?;
    Ok(())
}
