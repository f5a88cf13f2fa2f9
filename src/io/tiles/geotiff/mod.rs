//! GeoTIFF orthophotos (a DOM from the third land survey, a drone mosaic) as an offline basemap:
//! the georeferencing from the GeoTIFF tags or a world file and `.prj` beside the image
//! ([`header`], [`sidecar`]), the image and its internal overviews read a chunk at a time
//! ([`levels`]), and Web-Mercator tiles made from it on demand ([`warp`]) — served by the tile fetcher
//! like an MBTiles file's. 8-bit grey, grey + alpha, RGB, RGBA (and JPEG YCbCr), in strips or tiles,
//! uncompressed, LZW, Deflate, PackBits or JPEG; anything else is refused with the file's name and
//! what is not supported. No input makes it panic; nothing reads the whole image.

mod error;
pub mod header;
pub mod levels;
pub mod sidecar;
pub mod warp;

use std::path::Path;
use std::sync::Arc;

use geo::{Coord, Rect};

pub use error::{GeoTiffError, GeoTiffProblem, Pixels, Unsupported};
pub use header::{GeoKeyCrs, PixelToWorld};
use levels::{Input, Pyramid, first_image, guarded, open_levels};
pub use sidecar::parse_world_file;

use crate::core::Crs;
use crate::core::basemap::{MAX_ZOOM, TileId, TileImage, lonlat_to_mercator, zoom_for_resolution};
use crate::io::crs::{SourceCrs, Transformer, crs_from_epsg, crs_from_wkt};

/// Decoded chunks kept per open image (a worker of the fetcher has its own).
pub const CHUNK_CACHE_BYTES: usize = 48 << 20;

/// Pixels of an image small enough to be served at any zoom without overviews.
pub const SMALL_IMAGE_PX: u64 = 4096 * 4096;

/// Where the georeferencing came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// The GeoTIFF tags (GeoKeys for the CRS).
    Tags,
    /// A world file (`.tfw`) or a `.prj` beside the image.
    Sidecar,
}

/// What an open GeoTIFF is.
#[derive(Clone, Debug, PartialEq)]
pub struct GeoTiffInfo {
    pub width: u32,
    pub height: u32,
    pub crs: Crs,
    /// Pixel corner → image CRS, as PixelIsArea.
    pub transform: PixelToWorld,
    pub pixel_is_point: bool,
    pub transform_from: Found,
    pub crs_from: Found,
    /// The full image and its overviews, largest first: (width, height).
    pub levels: Vec<(u32, u32)>,
    /// Chunks (strips or tiles) of the full image.
    pub chunks: u32,
    pub tiled: bool,
    pub pixels: Pixels,
    /// The image's extent in WGS84 lon/lat (its outline sampled).
    pub bounds_lonlat: Rect<f64>,
    /// Ground metres of a full-resolution pixel at the image's centre.
    pub pixel_size_m: f64,
    /// The zooms its tiles are worth making at: from where a tile pixel spans at most 8 pixels of its
    /// coarsest level (2 for an image over [`SMALL_IMAGE_PX`] in strips without overviews), to one past
    /// its own resolution.
    pub min_zoom: u8,
    pub max_zoom: u8,
}

/// An open GeoTIFF, ready to make tiles.
pub struct GeoTiff {
    name: String,
    pub info: GeoTiffInfo,
    pyramid: Pyramid,
    to_pixel: PixelToWorld,
    from_wgs84: Transformer,
}

impl std::fmt::Debug for GeoTiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoTiff").field("name", &self.name).field("info", &self.info).finish_non_exhaustive()
    }
}

impl GeoTiff {
    /// Opens a GeoTIFF file, with the `.tfw` and `.prj` beside it where its tags say nothing.
    pub fn open(path: &Path) -> Result<GeoTiff, GeoTiffError> {
        let name = path.display().to_string();
        if !path.is_file() {
            return Err(GeoTiffError::new(name, GeoTiffProblem::Read("no such file".into())));
        }
        GeoTiff::from_input(name, Input::File(path.to_path_buf()), Some(path))
    }

    /// A GeoTIFF in memory (no files beside it), `name` naming it in errors.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<GeoTiff, GeoTiffError> {
        GeoTiff::from_input(name.to_string(), Input::Memory(Arc::from(bytes)), None)
    }

    fn from_input(name: String, input: Input, path: Option<&Path>) -> Result<GeoTiff, GeoTiffError> {
        let fail = |problem| GeoTiffError::new(name.clone(), problem);
        let mut first = first_image(&input).map_err(fail)?;
        let tags = guarded(|| header::read_geo_tags(&mut first)).map_err(fail)?;
        let (transform, transform_from) = match tags.transform {
            Some(t) => (t, Found::Tags),
            None => match path.map(sidecar::read_world_file).transpose().map_err(fail)?.flatten() {
                Some(t) => (t, Found::Sidecar),
                None => return Err(fail(GeoTiffProblem::NoGeoreference)),
            },
        };
        let beside = || path.map(sidecar::read_prj).transpose().map(Option::flatten);
        let (crs, crs_from) = match tags.crs {
            GeoKeyCrs::Epsg(code) => match (crs_from_epsg(code), beside().map_err(fail)?) {
                (Ok(crs), _) => (crs, Found::Tags),
                (Err(_), Some(crs)) => (crs, Found::Sidecar),
                (Err(_), None) => return Err(fail(GeoTiffProblem::UnknownCrs(code))),
            },
            GeoKeyCrs::Wkt(wkt) => match (crs_from_wkt(&wkt), beside().map_err(fail)?) {
                (Ok(crs), _) => (crs, Found::Tags),
                (Err(_), Some(crs)) => (crs, Found::Sidecar),
                (Err(_), None) => return Err(fail(GeoTiffProblem::UserDefinedCrs)),
            },
            GeoKeyCrs::UserDefined => {
                (beside().map_err(fail)?.ok_or_else(|| fail(GeoTiffProblem::UserDefinedCrs))?, Found::Sidecar)
            }
            GeoKeyCrs::None => (beside().map_err(fail)?.ok_or_else(|| fail(GeoTiffProblem::NoCrs))?, Found::Sidecar),
        };
        let levels = open_levels(&input, first).map_err(fail)?;
        let to_pixel = transform.inverse().ok_or_else(|| fail(GeoTiffProblem::DegenerateTransform))?;
        let wgs84 = crs_from_epsg(4326).map_err(|e| fail(GeoTiffProblem::NotOnEarth(e.to_string())))?;
        let not_on_earth = |e: crate::io::crs::CrsError| fail(GeoTiffProblem::NotOnEarth(e.to_string()));
        let from_wgs84 = Transformer::new(&SourceCrs::Epsg(wgs84.clone()), &crs).map_err(not_on_earth)?;
        let to_wgs84 = Transformer::new(&SourceCrs::Epsg(crs.clone()), &wgs84).map_err(not_on_earth)?;
        let full = levels.first().ok_or_else(|| fail(GeoTiffProblem::Damaged("no image".into())))?;
        let (width, height) = (full.width, full.height);
        let lonlat_of = |col: f64, row: f64| {
            let (x, y) = transform.apply(col, row);
            to_wgs84.apply(Coord { x, y }).ok().filter(|c| c.y.abs() <= 90.0 && c.x.abs() <= 540.0)
        };
        // The outline, 16 points a side.
        let (w, h) = (f64::from(width), f64::from(height));
        let mut outline = Vec::new();
        for i in 0..=16 {
            let t = f64::from(i) / 16.0;
            outline.extend([lonlat_of(t * w, 0.0), lonlat_of(t * w, h), lonlat_of(0.0, t * h), lonlat_of(w, t * h)]);
        }
        let outline: Vec<Coord<f64>> = outline.into_iter().flatten().collect();
        let Some(first_point) = outline.first() else {
            return Err(fail(GeoTiffProblem::NotOnEarth("no corner of the image has a longitude and latitude".into())));
        };
        let (mut lo, mut hi) = (*first_point, *first_point);
        for c in &outline {
            lo = Coord { x: lo.x.min(c.x), y: lo.y.min(c.y) };
            hi = Coord { x: hi.x.max(c.x), y: hi.y.max(c.y) };
        }
        let bounds_lonlat = Rect::new(lo, hi);
        let (cx, cy) = (w / 2.0, h / 2.0);
        let pixel_size_m = match (lonlat_of(cx, cy), lonlat_of(cx + 1.0, cy), lonlat_of(cx, cy + 1.0)) {
            (Some(c), Some(e), Some(s)) => {
                let (mc, me, ms) = (lonlat_to_mercator(c), lonlat_to_mercator(e), lonlat_to_mercator(s));
                let cos = c.y.to_radians().cos();
                ((me.x - mc.x).hypot(me.y - mc.y) * (ms.x - mc.x).hypot(ms.y - mc.y)).sqrt() * cos
            }
            _ => f64::NAN,
        };
        if !(pixel_size_m.is_finite() && pixel_size_m > 0.0) {
            return Err(fail(GeoTiffProblem::NotOnEarth("the size of a pixel on the ground is unknown".into())));
        }
        let lat = bounds_lonlat.center().y;
        let max_zoom = zoom_for_resolution(pixel_size_m, lat, 0..=MAX_ZOOM).saturating_add(1).min(MAX_ZOOM);
        let coarsest = levels.last().map_or(width, |l| l.width);
        let coarsest_m = pixel_size_m * f64::from(width) / f64::from(coarsest.max(1));
        // A large image in strips without overviews decodes whole rows of the full image for every tile:
        // it is served only while a tile pixel is at most two image pixels (BENCHMARKS.md).
        let small = u64::from(width) * u64::from(height) <= SMALL_IMAGE_PX;
        let reach = if full.tiled || levels.len() > 1 || small { 8.0 } else { 2.0 };
        let min_zoom = zoom_for_resolution(coarsest_m * reach, lat, 0..=max_zoom);
        let info = GeoTiffInfo {
            width,
            height,
            crs,
            transform,
            pixel_is_point: tags.pixel_is_point,
            transform_from,
            crs_from,
            levels: levels.iter().map(|l| (l.width, l.height)).collect(),
            chunks: full.chunk_count(),
            tiled: full.tiled,
            pixels: full.pixels,
            bounds_lonlat,
            pixel_size_m,
            min_zoom,
            max_zoom,
        };
        Ok(GeoTiff { name, info, pyramid: Pyramid::new(levels, CHUNK_CACHE_BYTES), to_pixel, from_wgs84 })
    }

    /// The Web-Mercator tile `tile` made from the image, `None` when the image does not reach into it.
    ///
    /// ```
    /// // A 4×4 RGB image of 1° pixels from 118°E 31°N, in CGCS2000 lon/lat (EPSG:4490).
    /// use tiff::encoder::{TiffEncoder, colortype::RGB8};
    /// use tiff::tags::Tag;
    /// let mut bytes = std::io::Cursor::new(Vec::new());
    /// let mut enc = TiffEncoder::new(&mut bytes).unwrap();
    /// let mut image = enc.new_image::<RGB8>(4, 4).unwrap();
    /// image.encoder().write_tag(Tag::ModelPixelScaleTag, &[1.0f64, 1.0, 0.0][..]).unwrap();
    /// image.encoder().write_tag(Tag::ModelTiepointTag, &[0.0f64, 0.0, 0.0, 118.0, 31.0, 0.0][..]).unwrap();
    /// image.encoder().write_tag(Tag::GeoKeyDirectoryTag, &[1u16, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4490][..]).unwrap();
    /// image.write_data(&[200u8; 48]).unwrap();
    /// let mut tif = wangge::io::tiles::geotiff::GeoTiff::from_bytes("t.tif", bytes.get_ref()).unwrap();
    /// assert_eq!(tif.info.crs.epsg, 4490);
    /// let tile = wangge::core::basemap::tile_at(geo::Coord { x: 120.0, y: 29.0 }, 7).unwrap();
    /// let image = tif.render(tile).unwrap().unwrap();
    /// assert_eq!(image.pixel(128, 128), Some([200, 200, 200, 255]));
    /// let far = wangge::core::basemap::tile_at(geo::Coord { x: 0.0, y: 0.0 }, 7).unwrap();
    /// assert_eq!(tif.render(far).unwrap(), None);
    /// ```
    pub fn render(&mut self, tile: TileId) -> Result<Option<TileImage>, GeoTiffError> {
        let b = tile.bounds_lonlat();
        let i = self.info.bounds_lonlat;
        if !tile.is_valid()
            || b.max().x < i.min().x
            || b.min().x > i.max().x
            || b.max().y < i.min().y
            || b.min().y > i.max().y
        {
            return Ok(None);
        }
        let grid = warp::tile_grid(tile, &self.from_wgs84, &self.to_pixel);
        let level = warp::choose_level(&grid, &self.info.levels);
        warp::render_tile(&mut self.pyramid, &grid, level)
            .map_err(|problem| GeoTiffError::new(self.name.clone(), problem))
    }

    /// Chunks (strips or tiles, of every level) decoded since it was opened.
    pub fn chunks_read(&self) -> u64 {
        self.pyramid.chunks_read
    }

    /// Chunks of every level together.
    pub fn chunks_total(&self) -> u64 {
        self.pyramid.levels.iter().map(|l| u64::from(l.chunk_count())).sum()
    }
}

#[cfg(test)]
mod tests {
    use tiff::encoder::{TiffEncoder, colortype::RGB8};
    use tiff::tags::Tag;

    use super::*;

    fn small_geotiff() -> Vec<u8> {
        let mut bytes = std::io::Cursor::new(Vec::new());
        let mut enc = TiffEncoder::new(&mut bytes).unwrap();
        let mut image = enc.new_image::<RGB8>(32, 32).unwrap();
        image.rows_per_strip(4).unwrap();
        let dir = image.encoder();
        dir.write_tag(Tag::ModelPixelScaleTag, &[1.0f64, 1.0, 0.0][..]).unwrap();
        dir.write_tag(Tag::ModelTiepointTag, &[0.0f64, 0.0, 0.0, 39_620_000.0, 3_386_000.0, 0.0][..]).unwrap();
        dir.write_tag(Tag::GeoKeyDirectoryTag, &[1u16, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 4527][..]).unwrap();
        let pixels: Vec<u8> = (0..32 * 32 * 3).map(|i| (i % 251) as u8).collect();
        image.write_data(&pixels).unwrap();
        bytes.into_inner()
    }

    #[test]
    fn thousands_of_damaged_geotiffs_never_panic() {
        let good = small_geotiff();
        let mut image = GeoTiff::from_bytes("good.tif", &good).unwrap();
        let centre = crate::core::basemap::tile_at(image.info.bounds_lonlat.center(), 19).unwrap();
        assert!(image.render(centre).unwrap().is_some());
        // A small LCG: the same damage on every run.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        let mut opened = 0;
        for _ in 0..1500 {
            let mut bytes = good.clone();
            for _ in 0..1 + next() % 4 {
                let i = next() % bytes.len();
                bytes[i] = next() as u8;
            }
            if next() % 5 == 0 {
                bytes.truncate(next() % bytes.len());
            }
            if let Ok(mut image) = GeoTiff::from_bytes("damaged.tif", &bytes) {
                opened += 1;
                for z in [image.info.max_zoom, image.info.min_zoom] {
                    if let Some(t) = crate::core::basemap::tile_at(image.info.bounds_lonlat.center(), z)
                        && let Ok(Some(tile)) = image.render(t)
                    {
                        assert_eq!(tile.rgba.len(), 256 * 256 * 4);
                    }
                }
            }
        }
        assert!(opened > 100, "only {opened} damaged files opened: the damage is too coarse to test rendering");
    }
}
