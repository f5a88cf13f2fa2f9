//! Printing with a basemap (issue 14 item 4): the [`Item::BasemapSlot`] of each map frame (the overview,
//! its detail sheets, each grid's sheet) becomes one raster image under the vector grids and labels.
//!
//! For each frame: the zoom whose tile pixels match the print resolution (the basemap's dpi is the
//! print's, kept within 72–300 and the raster within [`MAX_RASTER_SIDE_PX`]); the tiles from memory, the
//! disk cache (stale ones too) or the MBTiles file, and only then from the network through
//! `io::tiles`' worker pool (never with `offline`), all before one overall deadline, so that a dead or
//! silent server never holds a print up; each raster pixel's page point taken to the project's CRS, to
//! WGS84, to the tiles' lon/lat (GCJ-02 for such a source) and into the tile, the transform evaluated
//! every [`CONTROL_STEP_PX`] pixels and interpolated between (as the app's tile meshes do). A missing
//! tile is filled from a loaded ancestor where there is one, else left blank, and listed in the
//! [`BasemapReport`]. The source's attribution is printed in the frame's bottom-right corner.
//!
//! OpenStreetMap's tile policy forbids bulk downloads: a print that would fetch more than
//! [`MAX_UNCACHED_OSM_TILES`] tiles not in the cache is refused before any is asked for.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use geo::Coord;

use super::PrintError;
use super::font::text_width;
use super::map_frame::MapFrame;
use super::page::{Align, Item, Page, PageRect, Raster, Rgba};
use crate::core::Project;
use crate::core::basemap::{
    BasemapSource, HALF_WORLD_M, SourceError, SourceKind, TileCover, TileId, TileImage, lonlat_to_mercator,
    tiles_for_view,
};
use crate::core::progress::Progress;
use crate::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use crate::io::tiles::{FetcherConfig, MbTiles, TileCache, TileError, TileFetcher, TileOrigin};

/// OpenStreetMap's tiles a print may fetch (tiles not in the cache); beyond, the print is refused.
pub const MAX_UNCACHED_OSM_TILES: usize = 64;
/// The basemap's resolution is the print's, within these bounds.
pub const MIN_BASEMAP_DPI: f64 = 72.0;
pub const MAX_BASEMAP_DPI: f64 = 300.0;
/// No frame's raster is larger than this along a side (an A2 frame at 300 dpi is about 4 600 pixels).
pub const MAX_RASTER_SIDE_PX: u32 = 6_000;
/// The page → tile transform is computed every this many raster pixels and interpolated between.
pub const CONTROL_STEP_PX: usize = 8;
/// How many zooms up a missing tile looks for an ancestor to fill its place.
const ANCESTOR_LEVELS: u8 = 6;
/// Decoded tiles kept in memory between frames (an atlas's neighbouring sheets share tiles).
const MEMORY_TILES: usize = 256;

/// How to print with a basemap: the source, and where its tiles may come from.
#[derive(Clone, Debug)]
pub struct BasemapPrint {
    pub source: BasemapSource,
    /// Cache and MBTiles only: no request leaves the machine.
    pub offline: bool,
    /// The disk cache the app fills while viewing (and that printing fills too).
    pub cache: Option<Arc<TileCache>>,
    /// The user's 天地图 key (from the settings, never the project).
    pub tianditu_key: Option<String>,
    /// The folder a relative MBTiles path is relative to: the project's.
    pub base_dir: Option<PathBuf>,
    /// For all the tiles of the whole print: past it, only what is at hand locally is drawn.
    pub deadline: Duration,
    /// For one request.
    pub request_timeout: Duration,
}

impl BasemapPrint {
    /// Online, no disk cache, no key, a 60 s deadline and 10 s per request.
    pub fn new(source: BasemapSource) -> BasemapPrint {
        BasemapPrint {
            source,
            offline: false,
            cache: None,
            tianditu_key: None,
            base_dir: None,
            deadline: Duration::from_secs(60),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// What printing the basemap did, for the warning and for tests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BasemapReport {
    /// Map frames that got a basemap.
    pub frames: usize,
    /// The zooms of their tiles.
    pub zooms: BTreeSet<u8>,
    /// Tiles drawn (their own image), over all frames, a tile shared by two frames counted twice.
    pub tiles_drawn: usize,
    /// Tiles brought over the network.
    pub fetched: usize,
    /// Tiles that could not be had, sorted (some may have been filled from an ancestor).
    pub missing: Vec<TileId>,
    /// Missing tiles whose place a loaded ancestor filled.
    pub filled_from_ancestor: usize,
    /// Why the first tile could not be had.
    pub first_error: Option<TileError>,
    /// The overall deadline passed before every tile was in.
    pub deadline_passed: bool,
}

impl BasemapReport {
    /// A few of the missing tiles as `z/x/y`, for a message.
    pub fn missing_list(&self, at_most: usize) -> String {
        let mut shown: Vec<String> =
            self.missing.iter().take(at_most).map(|t| format!("{}/{}/{}", t.z, t.x, t.y)).collect();
        if self.missing.len() > at_most {
            shown.push("…".into());
        }
        shown.join(", ")
    }
}

/// One map frame to fill: where its slot is and what it needs.
struct Plan {
    page: usize,
    item: usize,
    map: MapFrame,
    size_px: (u32, u32),
    cover: TileCover,
}

/// Replaces every [`Item::BasemapSlot`] of `pages` by the basemap's raster (and puts the attribution on
/// the page), `dpi` the print's resolution. Errors only for what makes the whole print wrong (an
/// OpenStreetMap bulk download, a CRS the tiles cannot be placed in, a cancel); missing tiles are in the
/// report.
pub fn fill_basemap(
    pages: &mut [Page],
    project: &Project,
    basemap: &BasemapPrint,
    dpi: f64,
    progress: &dyn Progress,
) -> Result<BasemapReport, PrintError> {
    let started = Instant::now();
    let source = Arc::new(basemap.source.clone());
    let wgs84 = crs_from_epsg(4326).map_err(|e| PrintError::BasemapCrs(e.to_string()))?;
    let to_wgs84 = Transformer::new(&SourceCrs::Epsg(project.crs.clone()), &wgs84)
        .map_err(|e| PrintError::BasemapCrs(e.to_string()))?;
    let to_lonlat = |p: Coord<f64>| -> Option<Coord<f64>> {
        let c = source.tile_lonlat(to_wgs84.apply(p).ok()?);
        (c.x.is_finite() && c.y.is_finite()).then_some(c)
    };
    let dpi = if dpi.is_finite() { dpi.clamp(MIN_BASEMAP_DPI, MAX_BASEMAP_DPI) } else { 150.0 };
    let mut plans = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        for (i, item) in page.items.iter().enumerate() {
            let Item::BasemapSlot { map } = item else { continue };
            let f = map.frame;
            let longest = f.width.max(f.height).max(1e-9) * dpi / 72.0;
            let shrink = (f64::from(MAX_RASTER_SIDE_PX) / longest).min(1.0);
            let px = |pt: f64| ((pt * dpi / 72.0 * shrink).round() as u32).max(1);
            let size_px = (px(f.width), px(f.height));
            let size = Coord { x: f64::from(size_px.0), y: f64::from(size_px.1) };
            let cover = tiles_for_view(map.visible_world(), size, to_lonlat, source.min_zoom..=source.max_zoom);
            plans.push(Plan { page: p, item: i, map: *map, size_px, cover });
        }
    }
    let mut supply = Supply::new(Arc::clone(&source), basemap, started)?;
    if source.forbids_prefetch() && supply.online {
        let wanted: BTreeSet<TileId> = plans.iter().flat_map(|p| p.cover.tiles.iter().copied()).collect();
        let uncached = wanted.iter().filter(|t| !supply.in_cache(**t)).count();
        if uncached > MAX_UNCACHED_OSM_TILES {
            return Err(PrintError::Basemap(SourceError::BulkDownload {
                tiles: uncached,
                limit: MAX_UNCACHED_OSM_TILES,
            }));
        }
    }
    let mut missing = BTreeSet::new();
    for plan in &plans {
        progress.check()?;
        let tiles = supply.gather(&plan.cover, &mut missing);
        let z = plan.cover.zoom;
        let to_tile = |page_pt: (f64, f64)| -> Option<Coord<f64>> {
            let m = lonlat_to_mercator(to_lonlat(plan.map.to_world(page_pt))?);
            let across = 2f64.powi(i32::from(z));
            Some(Coord {
                x: (m.x + HALF_WORLD_M) / (2.0 * HALF_WORLD_M) * across,
                y: (HALF_WORLD_M - m.y) / (2.0 * HALF_WORLD_M) * across,
            })
        };
        let raster = warp(&plan.map.frame, plan.size_px, z, &to_tile, &tiles);
        supply.report.frames += 1;
        supply.report.zooms.insert(z);
        supply.report.tiles_drawn += tiles.values().filter(|r| r.levels == 0).count();
        if let Some(page) = pages.get_mut(plan.page) {
            if let Some(slot) = page.items.get_mut(plan.item) {
                *slot = Item::Image { rect: plan.map.frame, image: Arc::new(raster) };
            }
            attribution(page, &plan.map.frame, &source);
        }
    }
    let mut report = supply.report;
    report.missing = missing.into_iter().collect();
    Ok(report)
}

/// "底图：<attribution>" (the source's name when it has none) on a white box in the frame's bottom-right.
fn attribution(page: &mut Page, frame: &PageRect, source: &BasemapSource) {
    let credit = if source.attribution.trim().is_empty() { source.name.trim() } else { source.attribution.trim() };
    let text = format!("底图：{credit}");
    let size = 6.5;
    let width = text_width(&text, size);
    let (right, baseline) = (frame.right() - 3.0, frame.bottom() - 3.0);
    page.rect(
        PageRect::new(right - width - 2.0, baseline - size - 1.0, width + 4.0, size + 3.0),
        Some(Rgba(255, 255, 255, 210)),
        None,
    );
    page.text((right, baseline), size, text, Rgba::rgb(40, 40, 40), Align::End);
}

/// A tile's image for the raster: its own (`levels` 0), or the part of an ancestor `levels` zooms up that
/// covers it, at column `dx`, row `dy` of the ancestor's 2^levels × 2^levels parts.
struct Resolved {
    image: Arc<TileImage>,
    levels: u8,
    dx: u32,
    dy: u32,
}

/// Where tiles come from, nearest first: memory, the disk cache, the MBTiles file, the network.
struct Supply {
    source: Arc<BasemapSource>,
    source_id: String,
    cache: Option<Arc<TileCache>>,
    mbtiles: Option<MbTiles>,
    fetcher: Option<TileFetcher>,
    config: FetcherConfig,
    /// Network allowed, and the deadline not passed yet.
    online: bool,
    deadline: Instant,
    memory: HashMap<TileId, Option<Arc<TileImage>>>,
    report: BasemapReport,
}

impl Supply {
    fn new(source: Arc<BasemapSource>, basemap: &BasemapPrint, started: Instant) -> Result<Supply, PrintError> {
        let mut report = BasemapReport::default();
        let mbtiles = match &source.kind {
            SourceKind::Mbtiles { path } => {
                let path = crate::io::tiles::resolve_stored_path(basemap.base_dir.as_deref(), path);
                match MbTiles::open(&path) {
                    Ok(file) => Some(file),
                    Err(e) => {
                        report.first_error = Some(e);
                        None
                    }
                }
            }
            _ => None,
        };
        let config = FetcherConfig {
            workers: 4,
            timeout: basemap.request_timeout.min(basemap.deadline).max(Duration::from_millis(100)),
            cache: basemap.cache.clone(),
            offline: basemap.offline,
            tianditu_key: basemap.tianditu_key.clone(),
            base_dir: basemap.base_dir.clone(),
            on_result: None,
        };
        Ok(Supply {
            source_id: source.cache_id(),
            online: !basemap.offline && source.is_online(),
            source,
            cache: basemap.cache.clone(),
            mbtiles,
            fetcher: None,
            config,
            deadline: started + basemap.deadline,
            memory: HashMap::new(),
            report,
        })
    }

    fn in_cache(&self, tile: TileId) -> bool {
        self.cache.as_ref().is_some_and(|c| c.get(&self.source_id, tile).is_some())
    }

    /// The tile from memory, the cache (however old) or the MBTiles file; never the network.
    fn local(&mut self, tile: TileId) -> Option<Arc<TileImage>> {
        if let Some(known) = self.memory.get(&tile) {
            return known.clone();
        }
        let bytes = match &self.mbtiles {
            Some(file) => match file.tile(tile) {
                Ok(bytes) => bytes,
                Err(e) => {
                    self.report.first_error.get_or_insert(e);
                    None
                }
            },
            None => self.cache.as_ref().and_then(|c| c.get(&self.source_id, tile)).map(|c| c.bytes),
        };
        let image = bytes.and_then(|b| match crate::io::tiles::decode_tile(&b) {
            Ok(image) => Some(Arc::new(image)),
            Err(e) => {
                self.report.first_error.get_or_insert(e);
                None
            }
        });
        self.memory.insert(tile, image.clone());
        image
    }

    /// The tiles of a frame: each its own image, or an ancestor's part, or absent (and in `missing`).
    fn gather(&mut self, cover: &TileCover, missing: &mut BTreeSet<TileId>) -> HashMap<TileId, Resolved> {
        if self.memory.len() > MEMORY_TILES {
            self.memory.clear();
        }
        let mut out = HashMap::new();
        let mut wanted = Vec::new();
        for &t in &cover.tiles {
            match self.local(t) {
                Some(image) => {
                    out.insert(t, Resolved { image, levels: 0, dx: 0, dy: 0 });
                }
                None => wanted.push(t),
            }
        }
        if self.online && !wanted.is_empty() {
            if Instant::now() >= self.deadline {
                self.online = false;
                self.report.deadline_passed = true;
            } else {
                let config = self.config.clone();
                let fetcher = self.fetcher.get_or_insert_with(|| TileFetcher::new(config));
                for &t in &wanted {
                    fetcher.request(&self.source, t);
                }
                for result in fetcher.wait(self.deadline) {
                    match result.outcome {
                        Ok((image, origin)) => {
                            if origin == TileOrigin::Network {
                                self.report.fetched += 1;
                            }
                            let image = Arc::new(image);
                            self.memory.insert(result.tile, Some(Arc::clone(&image)));
                            out.insert(result.tile, Resolved { image, levels: 0, dx: 0, dy: 0 });
                        }
                        Err(e) => {
                            self.report.first_error.get_or_insert(e);
                        }
                    }
                }
                if fetcher.pending() > 0 {
                    // The deadline passed with requests unanswered: the rest of the print is drawn from
                    // what is at hand.
                    fetcher.cancel_pending();
                    self.online = false;
                    self.report.deadline_passed = true;
                }
            }
        }
        for t in wanted {
            if out.contains_key(&t) {
                continue;
            }
            missing.insert(t);
            let mut ancestor = t.parent();
            while let Some(a) = ancestor.filter(|a| t.z - a.z <= ANCESTOR_LEVELS && a.z >= self.source.min_zoom) {
                if let Some(image) = self.local(a) {
                    let levels = t.z - a.z;
                    let (dx, dy) = (t.x - (a.x << levels), t.y - (a.y << levels));
                    out.insert(t, Resolved { image, levels, dx, dy });
                    self.report.filled_from_ancestor += 1;
                    break;
                }
                ancestor = a.parent();
            }
        }
        out
    }
}

/// The frame's raster: `size_px` pixels over `frame`; `to_tile` takes a page point to tile units at zoom
/// `z` (tile (x, y) spans [x, x+1) × [y, y+1)), `None` where it cannot. Pixels with no tile stay
/// transparent.
fn warp(
    frame: &PageRect,
    size_px: (u32, u32),
    z: u8,
    to_tile: &dyn Fn((f64, f64)) -> Option<Coord<f64>>,
    tiles: &HashMap<TileId, Resolved>,
) -> Raster {
    let (w, h) = (size_px.0 as usize, size_px.1 as usize);
    let mut rgba = vec![0u8; w * h * 4];
    let (pt_x, pt_y) = (frame.width / w as f64, frame.height / h as f64);
    // Control points every CONTROL_STEP_PX pixels (pixel edges), the last on the far edge.
    let (nx, ny) = (w.div_ceil(CONTROL_STEP_PX) + 1, h.div_ceil(CONTROL_STEP_PX) + 1);
    let at = |i: usize, len: usize| (i * CONTROL_STEP_PX).min(len) as f64;
    let mut controls: Vec<Option<Coord<f64>>> = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        for i in 0..nx {
            let (u, v) = (at(i, w), at(j, h));
            controls.push(to_tile((frame.left + u * pt_x, frame.top + v * pt_y)));
        }
    }
    let across = 2f64.powi(i32::from(z));
    let mut last: Option<(TileId, Option<&Resolved>)> = None;
    for py in 0..h {
        let v = py as f64 + 0.5;
        let j = (py / CONTROL_STEP_PX).min(ny - 2);
        let (v0, v1) = (at(j, h), at(j + 1, h));
        let tv = ((v - v0) / (v1 - v0).max(1e-9)).clamp(0.0, 1.0);
        for px in 0..w {
            let u = px as f64 + 0.5;
            let i = (px / CONTROL_STEP_PX).min(nx - 2);
            let (u0, u1) = (at(i, w), at(i + 1, w));
            let tu = ((u - u0) / (u1 - u0).max(1e-9)).clamp(0.0, 1.0);
            let corners = [
                controls[j * nx + i],
                controls[j * nx + i + 1],
                controls[(j + 1) * nx + i],
                controls[(j + 1) * nx + i + 1],
            ];
            let [Some(a), Some(b), Some(c), Some(d)] = corners else { continue };
            let lerp = |p: f64, q: f64, t: f64| p + (q - p) * t;
            let fx = lerp(lerp(a.x, b.x, tu), lerp(c.x, d.x, tu), tv);
            let fy = lerp(lerp(a.y, b.y, tu), lerp(c.y, d.y, tu), tv);
            if !(fx >= 0.0 && fy >= 0.0 && fx < across && fy < across) {
                continue;
            }
            let id = TileId { z, x: fx.floor() as u32, y: fy.floor() as u32 };
            let resolved = match last {
                Some((t, r)) if t == id => r,
                _ => {
                    let r = tiles.get(&id);
                    last = Some((id, r));
                    r
                }
            };
            let Some(r) = resolved else { continue };
            let n = f64::from(1u32 << r.levels.min(31));
            let tu = (f64::from(r.dx) + fx - fx.floor()) / n;
            let tv = (f64::from(r.dy) + fy - fy.floor()) / n;
            let pixel = sample(&r.image, tu, tv);
            let k = (py * w + px) * 4;
            rgba[k..k + 4].copy_from_slice(&pixel);
        }
    }
    Raster { width: w as u32, height: h as u32, rgba }
}

/// The tile's colour at (`u`, `v`) (0..1 from the north-west), bilinear between its pixels' centres and
/// clamped at its edges.
fn sample(image: &TileImage, u: f64, v: f64) -> [u8; 4] {
    let (w, h) = (image.width.max(1), image.height.max(1));
    let x = (u * f64::from(w) - 0.5).clamp(0.0, f64::from(w - 1));
    let y = (v * f64::from(h) - 0.5).clamp(0.0, f64::from(h - 1));
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (tx, ty) = (x - f64::from(x0), y - f64::from(y0));
    let p = |x, y| image.pixel(x, y).unwrap_or([0, 0, 0, 0]);
    let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut out = [0u8; 4];
    for k in 0..4 {
        let top = f64::from(a[k]) + (f64::from(b[k]) - f64::from(a[k])) * tx;
        let bottom = f64::from(c[k]) + (f64::from(d[k]) - f64::from(c[k])) * tx;
        out[k] = (top + (bottom - top) * ty).round().clamp(0.0, 255.0) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(rgb: [u8; 3]) -> Arc<TileImage> {
        let rgba = std::iter::repeat_n([rgb[0], rgb[1], rgb[2], 255], 256 * 256).flatten().collect();
        Arc::new(TileImage { width: 256, height: 256, rgba })
    }

    #[test]
    fn the_raster_takes_each_pixel_from_its_tile_and_leaves_missing_ones_blank() {
        // A frame 100 × 50 pt over tiles (0..2, 0..1) at zoom 3: x tile units = page x / 50, y = page y / 50.
        let frame = PageRect::new(0.0, 0.0, 100.0, 50.0);
        let to_tile = |(x, y): (f64, f64)| Some(Coord { x: x / 50.0, y: y / 50.0 });
        let mut tiles = HashMap::new();
        tiles.insert(TileId { z: 3, x: 0, y: 0 }, Resolved { image: solid([200, 0, 0]), levels: 0, dx: 0, dy: 0 });
        let raster = warp(&frame, (100, 50), 3, &to_tile, &tiles);
        assert_eq!(raster.pixel(10, 25), Some([200, 0, 0, 255]));
        assert_eq!(raster.pixel(49, 25), Some([200, 0, 0, 255]));
        // Tile (1, 0) is missing: blank.
        assert_eq!(raster.pixel(50, 25), Some([0, 0, 0, 0]));
        assert_eq!(raster.pixel(99, 49), Some([0, 0, 0, 0]));
    }

    #[test]
    fn an_ancestor_fills_the_part_of_a_missing_tile() {
        // The ancestor one zoom up: its left half red, right half blue; tile (1, 0) is its right half.
        let mut rgba = Vec::new();
        for _ in 0..256 {
            for x in 0..256 {
                rgba.extend_from_slice(if x < 128 { &[255, 0, 0, 255] } else { &[0, 0, 255, 255] });
            }
        }
        let parent = Arc::new(TileImage { width: 256, height: 256, rgba });
        let frame = PageRect::new(0.0, 0.0, 50.0, 50.0);
        let to_tile = |(x, y): (f64, f64)| Some(Coord { x: 1.0 + x / 50.0, y: y / 50.0 });
        let mut tiles = HashMap::new();
        tiles.insert(TileId { z: 4, x: 1, y: 0 }, Resolved { image: parent, levels: 1, dx: 1, dy: 0 });
        let raster = warp(&frame, (50, 50), 4, &to_tile, &tiles);
        assert_eq!(raster.pixel(25, 25), Some([0, 0, 255, 255]));
        assert_eq!(raster.pixel(1, 1), Some([0, 0, 255, 255]));
    }

    #[test]
    fn missing_tiles_are_listed_briefly() {
        let report =
            BasemapReport { missing: (0..5).map(|x| TileId { z: 9, x, y: 7 }).collect(), ..BasemapReport::default() };
        assert_eq!(report.missing_list(2), "9/0/7, 9/1/7, …");
        assert_eq!(report.missing_list(9), "9/0/7, 9/1/7, 9/2/7, 9/3/7, 9/4/7");
    }
}
