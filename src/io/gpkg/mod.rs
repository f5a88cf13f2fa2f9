//! GeoPackage (OGC 12-128r18, version 1.4): the project file and a source of layers to import.

mod basemaps;
mod beside;
pub mod blob;
mod layers;
mod project_file;
mod project_read;
mod reference;
mod schema;
mod sql_functions;

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::error::{AtPath, IoError};

pub use basemaps::{add_basemap, copy_basemaps, list_basemaps, remove_basemap};
pub use layers::{LayerInfo, list_layers, read_layer, read_layer_each};
pub use project_file::{Changes, SCHEMA_VERSION, save_project, save_project_with};
pub(crate) use project_read::grid_from_columns;
pub use project_read::{
    GridFacts, count_grids, each_grid, open_project, open_project_facts, open_project_with, open_project_without_grids,
};
pub use reference::{LAYERS_TABLE as REFERENCE_LAYERS_TABLE, reference_geometry};

/// Opens an existing SQLite file (never creates one) with the GeoPackage SQL functions registered.
fn open_existing(path: &Path, writable: bool) -> Result<Connection, IoError> {
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(path).at(path)?;
    let read = std::io::Read::read(&mut file, &mut head).at(path)?;
    if read < 16 || &head != b"SQLite format 3\0" {
        return Err(IoError::new(path, super::Problem::NotAProject(super::NotAProject::NotSqlite)));
    }
    let flags = if writable { OpenFlags::SQLITE_OPEN_READ_WRITE } else { OpenFlags::SQLITE_OPEN_READ_ONLY };
    let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).at(path)?;
    sql_functions::register(&conn).at(path)?;
    Ok(conn)
}

/// True if the database has the GeoPackage core tables.
fn is_geopackage(conn: &Connection) -> rusqlite::Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('gpkg_contents', 'gpkg_spatial_ref_sys')",
        [],
        |r| r.get(0),
    )?;
    Ok(n == 2)
}
