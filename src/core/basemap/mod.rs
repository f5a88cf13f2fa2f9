//! Basemaps (issue 14), the pure part: Web-Mercator tile math, the tiles a view needs, tile sources and
//! their URLs (XYZ/TMS, WMTS, 天地图, OpenStreetMap, MBTiles), and where a tile — GCJ-02 ones included —
//! lands in the project's CRS. Fetching, caching and decoding tiles is `io::tiles`' job.
//!
//! How the app draws a basemap: [`tiles_for_view`] with the view and a project → lon/lat transform gives
//! the tiles; `io::tiles::TileFetcher` loads them off the UI thread; [`tile_mesh`] places each one.

mod place;
mod source;
mod tile;

pub use place::{MeshVertex, TileMesh, tile_corners_wgs84, tile_mesh, tile_point_wgs84};
pub use source::{BasemapSource, SourceError, SourceKind, TiandituLayer, strip_key};
pub use tile::{
    HALF_WORLD_M, MAX_LATITUDE, MAX_TILES_PER_VIEW, MAX_ZOOM, TILE_SIZE_PX, TileCover, TileId, ground_resolution_m,
    lonlat_to_mercator, mercator_to_lonlat, tile_at, tiles_for_view, zoom_for_resolution,
};

/// A decoded tile: `width × height` pixels, 4 bytes each (red, green, blue, alpha; not premultiplied),
/// row by row from the north-west.
#[derive(Clone, PartialEq, Eq)]
pub struct TileImage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

impl TileImage {
    /// The pixel at (x, y), or `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        let p = self.rgba.get(i..i + 4)?;
        Some([p[0], p[1], p[2], p[3]])
    }
}

impl std::fmt::Debug for TileImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TileImage({}×{})", self.width, self.height)
    }
}
