//! Basemaps (issue 14), the pure part: Web-Mercator tile math, the tiles a view needs, tile sources and
//! their URLs (XYZ/TMS, WMTS, 天地图, OpenStreetMap, MBTiles), and where a tile — GCJ-02 ones included —
//! lands in the project's CRS. Fetching, caching and decoding tiles is `io::tiles`' job.
//!
//! How the app draws a basemap, each frame:
//! 1. `tiles_for_view(viewport.visible_world(), size in physical pixels, |p| Some(source.tile_lonlat(
//!    to_wgs84.apply(p).ok()?)), source.min_zoom..=source.max_zoom)` — the tiles and their zoom;
//! 2. for each tile with a texture already: draw it with [`tile_mesh`]`(tile, source.gcj02, 4,
//!    |c| from_wgs84.apply(c).ok())` (the mesh changes only with the project CRS: keep it with the
//!    texture); else `io::tiles::TileFetcher::request` it and draw its nearest loaded ancestor
//!    ([`TileId::parent`]) meanwhile, with the matching part of its texture;
//! 3. `TileFetcher::poll` → textures (a [`TileImage`] is RGBA, ready for `egui::ColorImage`); when the
//!    view has moved on, `TileFetcher::cancel_pending` drops the queued requests of the old one.
//!
//! The fetcher's `on_result` callback is where the app asks for a repaint; nothing here waits.

mod place;
mod source;
mod tile;

pub use place::{MeshVertex, TileMesh, tile_corners_wgs84, tile_mesh, tile_point_wgs84};
pub use source::{BasemapSource, NewKind, SourceError, SourceKind, TiandituLayer, strip_key};
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
