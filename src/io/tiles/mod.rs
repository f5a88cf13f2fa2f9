//! Basemap tiles from the network, the disk cache and MBTiles files (issue 14): a [`TileFetcher`] with a
//! small pool of worker threads (the caller asks, and later polls; it never waits), HTTP(S) with timeouts
//! and a real User-Agent, a [`TileCache`] on disk (size cap, expiry, least recently used out first,
//! atomic writes) that also serves tiles offline, an [`MbTiles`] reader, a [`GeoTiff`] orthophoto that
//! makes its tiles on demand, and PNG/JPEG decoding. The tile
//! math and the sources are `core::basemap`'s.

mod cache;
mod decode;
mod fetcher;
pub mod geotiff;
mod http;
mod local_source;
mod mbtiles;

pub use cache::{CachedTile, TileCache};
pub use decode::{TileFormat, decode_tile};
pub use fetcher::{FetcherConfig, TileFetcher, TileOrigin, TileResult};
pub use geotiff::{GeoTiff, GeoTiffError, GeoTiffInfo};
pub use http::{USER_AGENT, http_agent, http_get_tile};
pub use local_source::{geotiff_source, mbtiles_source, resolve_stored_path, stored_path};
pub use mbtiles::{MbTiles, MbTilesMetadata};

use crate::core::basemap::SourceError;

/// What is wrong with an MBTiles file (worded in `text::basemap` for the UI).
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum MbtilesProblem {
    #[error("no such file")]
    NoSuchFile,
    /// The file was not opened (it failed to open when the basemap was set up).
    #[error("not open")]
    NotOpen,
    #[error("not an MBTiles file: no tiles table")]
    NoTilesTable,
    /// SQLite could not read it (not a database, damaged, locked): SQLite's own words.
    #[error("cannot read it as an MBTiles file ({0})")]
    Unreadable(String),
}

/// Why a tile could not be had. Messages never include the 天地图 key.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum TileError {
    #[error("天地图 needs a key (tk): get one at https://console.tianditu.gov.cn and set it in the settings")]
    MissingKey,
    #[error(
        "天地图 refused the key ({0}): check it, and that it is a 浏览器端 / 服务端 key allowed for this use, at https://console.tianditu.gov.cn"
    )]
    KeyRefused(String),
    #[error("the server has no such tile (HTTP 404): {0}")]
    NotFound(String),
    #[error("the tile server did not answer within {0:.0?}: {1}")]
    Timeout(std::time::Duration, String),
    #[error("cannot reach the tile server ({reason}): {url}")]
    Unreachable { url: String, reason: String },
    #[error("the tile server answered HTTP {status}: {url}")]
    Http { status: u16, url: String },
    #[error("not a tile image: {0}")]
    BadImage(String),
    #[error("{0} tiles are not supported (raster PNG, JPEG and WebP are; vector tiles are not)")]
    UnsupportedFormat(String),
    #[error("working offline, and this tile is not in the cache")]
    NotCached,
    #[error("{path}: {problem}")]
    Mbtiles { path: String, problem: MbtilesProblem },
    #[error("tile cache {path}: {reason}")]
    Cache { path: String, reason: String },
    #[error("{0}")]
    Source(SourceError),
    #[error("{0}")]
    GeoTiff(geotiff::GeoTiffError),
}

impl From<SourceError> for TileError {
    fn from(e: SourceError) -> TileError {
        match e {
            SourceError::MissingKey => TileError::MissingKey,
            other => TileError::Source(other),
        }
    }
}

impl TileError {
    /// True for errors that trying again later may cure (the network), false for ones it will not (a bad
    /// key, a missing tile, a broken image): the app retries only the first kind.
    pub fn is_transient(&self) -> bool {
        matches!(self, TileError::Timeout(..) | TileError::Unreachable { .. } | TileError::Http { status: 500.., .. })
    }
}
