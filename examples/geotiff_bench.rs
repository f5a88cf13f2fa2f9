//! How fast a GeoTIFF basemap serves a view (BENCHMARKS.md, issue 14 item 2): for a 1920 × 1080 view
//! at the image's centre, at its deepest zoom, three zooms out (or its shallowest) and its shallowest, the tiles of the view
//! made from a freshly opened image (cold chunk cache): the time, the chunks decoded against all the
//! image has, and the process's peak memory.
//!
//! `cargo run --release --no-default-features --example geotiff_bench -- FILE.tif`

use std::time::Instant;

use wangge::core::basemap::{TileId, tile_at};
use wangge::io::tiles::GeoTiff;

fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string())))
        .unwrap_or_else(|| "?".into())
}

fn main() -> anyhow::Result<()> {
    let Some(path) = std::env::args().nth(1) else {
        anyhow::bail!("usage: geotiff_bench FILE.tif");
    };
    let started = Instant::now();
    let image = GeoTiff::open(std::path::Path::new(&path))?;
    let info = image.info.clone();
    println!(
        "{path}: {} × {} px, levels {:?}, tiled {}, {} chunks in all levels, zooms {}–{}, opened in {:.1?}",
        info.width,
        info.height,
        info.levels,
        info.tiled,
        image.chunks_total(),
        info.min_zoom,
        info.max_zoom,
        started.elapsed()
    );
    drop(image);
    let centre = info.bounds_lonlat.center();
    // The zooms the image is served at (`basemap add` stores them): its deepest, three out, its shallowest.
    let mut zooms = vec![info.max_zoom, info.max_zoom.saturating_sub(3).max(info.min_zoom), info.min_zoom];
    zooms.dedup();
    for z in zooms {
        let Some(mid) = tile_at(centre, z) else { continue };
        // 1920 × 1080 pixels: 9 × 6 tiles around the centre.
        let tiles: Vec<TileId> = (-3i64..=2)
            .flat_map(|dy| (-4i64..=4).map(move |dx| (dx, dy)))
            .filter_map(|(dx, dy)| {
                TileId::new(z, u32::try_from(i64::from(mid.x) + dx).ok()?, u32::try_from(i64::from(mid.y) + dy).ok()?)
            })
            .collect();
        let mut image = GeoTiff::open(std::path::Path::new(&path))?;
        let start = Instant::now();
        let mut made = 0;
        for &t in &tiles {
            made += usize::from(image.render(t)?.is_some());
        }
        let took = start.elapsed();
        println!(
            "z {z}: {} tiles ({made} on the image) in {:.0?} ({:.1} ms a tile), {} chunks read of {}, peak RSS {}",
            tiles.len(),
            took,
            took.as_secs_f64() * 1000.0 / tiles.len() as f64,
            image.chunks_read(),
            image.chunks_total(),
            peak_rss()
        );
    }
    Ok(())
}
