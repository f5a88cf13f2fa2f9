//! MBTiles 1.3 raster files (offline basemaps): an SQLite file with `metadata(name, value)` and
//! `tiles(zoom_level, tile_column, tile_row, tile_data)`, rows counted from the south (TMS). Opened read
//! only; a file that is not MBTiles gives an error naming it, never a panic.

use std::path::{Path, PathBuf};

use geo::{Coord, Rect};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::decode::TileFormat;
use super::{MbtilesProblem, TileError};
use crate::core::basemap::{MAX_ZOOM, TileId};

/// What an MBTiles file says about itself (`metadata` table), with the zooms of its tiles where the
/// metadata does not say.
#[derive(Clone, Debug, PartialEq)]
pub struct MbTilesMetadata {
    pub name: String,
    /// `png`, `jpg`, `webp` …; sniffed from a tile when the metadata has none.
    pub format: TileFormat,
    /// West, south, east, north in WGS84 degrees, when given.
    pub bounds: Option<Rect<f64>>,
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub attribution: String,
}

/// An open MBTiles file.
#[derive(Debug)]
pub struct MbTiles {
    conn: Connection,
    path: PathBuf,
    pub metadata: MbTilesMetadata,
}

impl MbTiles {
    /// Opens an MBTiles file and reads its metadata.
    ///
    /// ```
    /// use wangge::core::basemap::TileId;
    /// use wangge::io::tiles::MbTiles;
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("t.mbtiles");
    /// let db = rusqlite::Connection::open(&path).unwrap();
    /// db.execute_batch("CREATE TABLE metadata (name TEXT, value TEXT);
    ///     CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
    ///     INSERT INTO metadata VALUES ('format', 'png'), ('minzoom', '3'), ('maxzoom', '3');
    ///     INSERT INTO tiles VALUES (3, 5, 5, x'89504E47');").unwrap(); // TMS row 5 = XYZ row 2 at z 3
    /// drop(db);
    /// let mb = MbTiles::open(&path).unwrap();
    /// assert_eq!((mb.metadata.min_zoom, mb.metadata.max_zoom), (3, 3));
    /// assert_eq!(mb.tile(TileId { z: 3, x: 5, y: 2 }).unwrap(), Some(b"\x89PNG".to_vec()));
    /// assert_eq!(mb.tile(TileId { z: 3, x: 5, y: 5 }).unwrap(), None);
    /// ```
    pub fn open(path: &Path) -> Result<MbTiles, TileError> {
        let fail = |problem: MbtilesProblem| TileError::Mbtiles { path: path.display().to_string(), problem };
        let unreadable = |e: rusqlite::Error| fail(MbtilesProblem::Unreadable(e.to_string()));
        if !path.is_file() {
            return Err(fail(MbtilesProblem::NoSuchFile));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(unreadable)?;
        let has = |name: &str| -> Result<bool, TileError> {
            conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = ?1 AND type IN ('table', 'view')",
                [name],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(unreadable)
        };
        if !has("tiles")? {
            return Err(fail(MbtilesProblem::NoTilesTable));
        }
        let mut meta = std::collections::HashMap::new();
        if has("metadata")? {
            let mut stmt = conn.prepare("SELECT name, value FROM metadata").map_err(unreadable)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?)))
                .map_err(unreadable)?;
            for (name, value) in rows.flatten() {
                if let (Some(n), Some(v)) = (name, value) {
                    meta.insert(n.trim().to_ascii_lowercase(), v);
                }
            }
        }
        let zoom = |v: Option<&String>| v.and_then(|v| v.trim().parse::<u8>().ok()).filter(|z| *z <= MAX_ZOOM);
        let (mut min_zoom, mut max_zoom) = (zoom(meta.get("minzoom")), zoom(meta.get("maxzoom")));
        if min_zoom.is_none() || max_zoom.is_none() {
            let (lo, hi): (Option<i64>, Option<i64>) = conn
                .query_row("SELECT min(zoom_level), max(zoom_level) FROM tiles", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(unreadable)?;
            let clamp = |z: Option<i64>| z.map(|z| z.clamp(0, i64::from(MAX_ZOOM)) as u8);
            min_zoom = min_zoom.or(clamp(lo));
            max_zoom = max_zoom.or(clamp(hi));
        }
        let format = match meta.get("format") {
            Some(f) => TileFormat::from_name(f),
            None => {
                let first: Option<Vec<u8>> = conn
                    .query_row("SELECT tile_data FROM tiles WHERE tile_data IS NOT NULL LIMIT 1", [], |r| {
                        r.get::<_, Option<Vec<u8>>>(0)
                    })
                    .optional()
                    .map(Option::flatten)
                    .map_err(unreadable)?;
                first.as_deref().and_then(TileFormat::sniff).unwrap_or(TileFormat::Png)
            }
        };
        if let TileFormat::Other(name) = &format {
            // Vector tiles (`pbf`) and anything else we cannot draw: said once, when the file is added.
            return Err(TileError::UnsupportedFormat(name.clone()));
        }
        let bounds = meta.get("bounds").and_then(|b| {
            let v: Vec<f64> = b.split(',').filter_map(|s| s.trim().parse().ok()).collect();
            match v.as_slice() {
                [w, s, e, n] if v.iter().all(|x| x.is_finite()) => {
                    Some(Rect::new(Coord { x: *w, y: *s }, Coord { x: *e, y: *n }))
                }
                _ => None,
            }
        });
        let (min_zoom, max_zoom) = (min_zoom.unwrap_or(0), max_zoom.unwrap_or(MAX_ZOOM));
        let metadata = MbTilesMetadata {
            name: meta.get("name").cloned().unwrap_or_default(),
            format,
            bounds,
            min_zoom: min_zoom.min(max_zoom),
            max_zoom,
            attribution: meta.get("attribution").cloned().unwrap_or_default(),
        };
        Ok(MbTiles { conn, path: path.to_path_buf(), metadata })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The bytes of a tile (XYZ numbering; the TMS row flip is done here), `None` when the file has none.
    pub fn tile(&self, tile: TileId) -> Result<Option<Vec<u8>>, TileError> {
        if !tile.is_valid() {
            return Ok(None);
        }
        self.conn
            .query_row(
                "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                [i64::from(tile.z), i64::from(tile.x), i64::from(tile.tms_y())],
                |r| r.get::<_, Option<Vec<u8>>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| TileError::Mbtiles {
                path: self.path.display().to_string(),
                problem: MbtilesProblem::Unreadable(e.to_string()),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_mbtiles_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.mbtiles");
        assert!(matches!(MbTiles::open(&missing), Err(TileError::Mbtiles { .. })));
        let text = dir.path().join("text.mbtiles");
        std::fs::write(&text, "not sqlite at all, just some text that is long enough to be a header").unwrap();
        assert!(MbTiles::open(&text).is_err());
        let empty_db = dir.path().join("empty.mbtiles");
        Connection::open(&empty_db).unwrap().execute_batch("CREATE TABLE x (a);").unwrap();
        assert!(MbTiles::open(&empty_db).is_err());
    }

    #[test]
    fn zooms_and_format_from_the_tiles_when_metadata_is_silent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.mbtiles");
        let db = Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
             INSERT INTO tiles VALUES (5, 1, 1, x'FFD8FFE0'), (9, 1, 1, NULL);",
        )
        .unwrap();
        drop(db);
        let mb = MbTiles::open(&path).unwrap();
        assert_eq!((mb.metadata.min_zoom, mb.metadata.max_zoom, mb.metadata.bounds), (5, 9, None));
        assert_eq!(mb.metadata.format, TileFormat::Jpeg);
        assert_eq!(mb.tile(TileId { z: 9, x: 1, y: 510 }).unwrap(), None);
        assert_eq!(mb.tile(TileId { z: 2, x: 9, y: 9 }).unwrap(), None);
    }

    #[test]
    fn vector_tiles_are_refused_when_the_file_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.mbtiles");
        let db = Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE metadata (name TEXT, value TEXT); INSERT INTO metadata VALUES ('format', 'pbf');
             CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);",
        )
        .unwrap();
        drop(db);
        assert!(matches!(MbTiles::open(&path), Err(TileError::UnsupportedFormat(f)) if f == "pbf"));
    }
}
