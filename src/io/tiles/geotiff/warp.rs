//! A Web-Mercator tile made from the image: every tile pixel is taken back to the image (Web Mercator
//! → WGS84 lon/lat → the image's CRS by proj4rs → pixel, exactly at a 17 × 17 grid of points and
//! interpolated between them), the level whose pixels are closest to (and not coarser than) the tile's
//! is chosen, and it is sampled bilinearly; outside the image the tile is transparent.

use geo::Coord;

use super::error::GeoTiffProblem;
use super::header::PixelToWorld;
use super::levels::{Chunk, Pyramid};
use crate::core::basemap::{TILE_SIZE_PX, TileId, TileImage};
use crate::io::crs::Transformer;

/// Grid cells along a tile side: the exact transform is done at (CELLS + 1)² points.
const CELLS: usize = 16;
const SIDE: usize = TILE_SIZE_PX as usize;

/// The full-resolution pixel (column, row) of each grid point of a tile, `None` where the transform fails.
pub fn tile_grid(tile: TileId, from_wgs84: &Transformer, to_pixel: &PixelToWorld) -> Vec<Option<(f64, f64)>> {
    let mut grid = Vec::with_capacity((CELLS + 1) * (CELLS + 1));
    for gy in 0..=CELLS {
        for gx in 0..=CELLS {
            let uv = Coord { x: gx as f64 / CELLS as f64, y: gy as f64 / CELLS as f64 };
            let world = from_wgs84.apply(tile.lonlat_at(uv)).ok();
            grid.push(world.map(|w| to_pixel.apply(w.x, w.y)).filter(|(c, r)| c.is_finite() && r.is_finite()));
        }
    }
    grid
}

/// The level to read for a tile whose grid is `grid`: the coarsest whose pixels are no larger than a
/// tile pixel (by the full-resolution pixels a tile pixel spans at the tile's centre).
pub fn choose_level(grid: &[Option<(f64, f64)>], levels: &[(u32, u32)]) -> usize {
    let Some(&(full_w, _)) = levels.first() else { return 0 };
    let at = |gx: usize, gy: usize| grid.get(gy * (CELLS + 1) + gx).copied().flatten();
    let mid = CELLS / 2;
    let span = match (at(mid, mid), at(mid + 1, mid), at(mid, mid + 1)) {
        (Some(c), Some(e), Some(s)) => {
            let step = SIDE as f64 / CELLS as f64;
            ((e.0 - c.0).hypot(e.1 - c.1) / step).min((s.0 - c.0).hypot(s.1 - c.1) / step)
        }
        _ => return 0,
    };
    let mut best = 0;
    for (i, &(w, _)) in levels.iter().enumerate() {
        let factor = f64::from(full_w) / f64::from(w.max(1));
        // Levels come largest first; a little slack: a level 2 % coarser than a tile pixel looks sharp.
        if factor <= span * 1.02 {
            best = i;
        }
    }
    best
}

/// Renders a tile from `level` of the pyramid; `None` when no pixel of it falls on the image.
pub fn render_tile(
    pyramid: &mut Pyramid,
    grid: &[Option<(f64, f64)>],
    level: usize,
) -> Result<Option<TileImage>, GeoTiffProblem> {
    let (Some(full), Some(l)) = (pyramid.levels.first(), pyramid.levels.get(level)) else {
        return Ok(None);
    };
    let (lw, lh) = (l.width, l.height);
    let (fx, fy) = (f64::from(lw) / f64::from(full.width), f64::from(lh) / f64::from(full.height));
    let mut rgba = vec![0u8; SIDE * SIDE * 4];
    let mut any = false;
    let mut sampler = Sampler { pyramid, level, last: None, width: lw, height: lh };
    let step = SIDE / CELLS;
    for gy in 0..CELLS {
        for gx in 0..CELLS {
            let node = |dx: usize, dy: usize| grid.get((gy + dy) * (CELLS + 1) + gx + dx).copied().flatten();
            let (Some(p00), Some(p10), Some(p01), Some(p11)) = (node(0, 0), node(1, 0), node(0, 1), node(1, 1)) else {
                continue;
            };
            for py in 0..step {
                let v = (py as f64 + 0.5) / step as f64;
                for px in 0..step {
                    let u = (px as f64 + 0.5) / step as f64;
                    let lerp = |a: f64, b: f64, c: f64, d: f64| {
                        (a * (1.0 - u) + b * u) * (1.0 - v) + (c * (1.0 - u) + d * u) * v
                    };
                    let col = lerp(p00.0, p10.0, p01.0, p11.0) * fx;
                    let row = lerp(p00.1, p10.1, p01.1, p11.1) * fy;
                    if !(col >= 0.0 && row >= 0.0 && col < f64::from(lw) && row < f64::from(lh)) {
                        continue;
                    }
                    let colour = sampler.bilinear(col, row)?;
                    let (x, y) = (gx * step + px, gy * step + py);
                    let i = (y * SIDE + x) * 4;
                    rgba[i..i + 4].copy_from_slice(&colour);
                    any = true;
                }
            }
        }
    }
    Ok(any.then_some(TileImage { width: SIDE as u32, height: SIDE as u32, rgba }))
}

/// Reads pixels of one level through the pyramid's chunk cache, remembering the last chunk (the next
/// pixel is nearly always in it).
struct Sampler<'a> {
    pyramid: &'a mut Pyramid,
    level: usize,
    last: Option<std::sync::Arc<Chunk>>,
    width: u32,
    height: u32,
}

impl Sampler<'_> {
    fn pixel(&mut self, col: u32, row: u32) -> Result<[u8; 4], GeoTiffProblem> {
        let (col, row) = (col.min(self.width - 1), row.min(self.height - 1));
        if let Some(p) = self.last.as_ref().and_then(|c| c.pixel(col, row)) {
            return Ok(p);
        }
        let chunk = self.pyramid.chunk(self.level, col, row)?;
        let p = chunk.pixel(col, row).unwrap_or([0; 4]);
        self.last = Some(chunk);
        Ok(p)
    }

    /// The colour at (col, row) of the level (pixel centres at +0.5), edges clamped.
    fn bilinear(&mut self, col: f64, row: f64) -> Result<[u8; 4], GeoTiffProblem> {
        let (x, y) = ((col - 0.5).max(0.0), (row - 0.5).max(0.0));
        let (x0, y0) = (x.floor(), y.floor());
        let (tx, ty) = (x - x0, y - y0);
        let (x0, y0) = (x0 as u32, y0 as u32);
        let a = self.pixel(x0, y0)?;
        let (x1, y1) = (x0.saturating_add(1), y0.saturating_add(1));
        let b = self.pixel(x1, y0)?;
        let c = self.pixel(x0, y1)?;
        let d = self.pixel(x1, y1)?;
        let mut out = [0u8; 4];
        for k in 0..4 {
            let top = f64::from(a[k]) * (1.0 - tx) + f64::from(b[k]) * tx;
            let bottom = f64::from(c[k]) * (1.0 - tx) + f64::from(d[k]) * tx;
            out[k] = (top * (1.0 - ty) + bottom * ty).round().clamp(0.0, 255.0) as u8;
        }
        Ok(out)
    }
}
