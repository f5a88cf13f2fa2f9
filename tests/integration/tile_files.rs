//! Tiles as files, for the tests and the benchmarks (which include this file): a 256 × 256 PNG tile and
//! an MBTiles file holding tiles.

use wangge::core::basemap::TileId;

/// A 256 × 256 PNG tile whose row `r` (from the top) is all `colour(r)`.
pub fn png_tile(colour: impl Fn(usize) -> [u8; 3]) -> Vec<u8> {
    let rgb: Vec<u8> = (0..256).flat_map(|row| colour(row).repeat(256)).collect();
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, 256, 256);
    enc.set_color(png::ColorType::Rgb);
    enc.write_header().unwrap().write_image_data(&rgb).unwrap();
    out
}

/// An MBTiles file with `metadata` (name, value) and `tiles` (stored with rows in TMS order, as the
/// format has).
pub fn write_mbtiles(
    path: &std::path::Path,
    metadata: &[(&str, &str)],
    tiles: impl IntoIterator<Item = (TileId, Vec<u8>)>,
) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .unwrap();
    for (name, value) in metadata {
        db.execute("INSERT INTO metadata VALUES (?1, ?2)", [name, value]).unwrap();
    }
    for (t, png) in tiles {
        db.execute("INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)", rusqlite::params![t.z, t.x, t.tms_y(), png]).unwrap();
    }
}
