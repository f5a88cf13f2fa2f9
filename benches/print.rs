//! Printing speed on the 泾县 sample divided into ~650 grids (the size of the real county plan):
//! the overview to PDF (target < 2 s), the atlas of one page per grid to PDF (target < 30 s), and the
//! overview with a basemap from an MBTiles file (issue 14: tiles read, warped into the frame's raster at
//! 150 dpi and embedded).

// Tests and benchmarks stop at a broken assumption: unwrap, expect and panic are how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{BoundingRect, Coord};
use wangge::core::basemap::{BasemapSource, TileId, tile_at};
use wangge::core::coverage::synthetic::fill_with_grids;
use wangge::core::progress::NoProgress;
use wangge::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use wangge::print::{BasemapPrint, Paper, PrintOptions, Products, document_title, fill_basemap, pages, render_pdf};

#[path = "../tests/integration/tile_files.rs"]
mod tile_files;

/// An MBTiles file with every zoom-11 tile over the project's extent, each a PNG of its own colour.
fn mbtiles_over(project: &wangge::core::Project, path: &std::path::Path) -> usize {
    let to_wgs84 = Transformer::new(&SourceCrs::Epsg(project.crs.clone()), &crs_from_epsg(4326).unwrap()).unwrap();
    let e = project.boundary.bounding_rect().unwrap();
    let grow = e.width().max(e.height()) * 0.5;
    let sw = tile_at(to_wgs84.apply(Coord { x: e.min().x - grow, y: e.min().y - grow }).unwrap(), 11).unwrap();
    let ne = tile_at(to_wgs84.apply(Coord { x: e.max().x + grow, y: e.max().y + grow }).unwrap(), 11).unwrap();
    let tiles: Vec<TileId> = (sw.x..=ne.x).flat_map(|x| (ne.y..=sw.y).map(move |y| TileId { z: 11, x, y })).collect();
    let png = |t: &TileId| tile_files::png_tile(|_| [(t.x % 256) as u8, (t.y % 256) as u8, 128]);
    let metadata = [("format", "png"), ("minzoom", "11"), ("maxzoom", "11")];
    tile_files::write_mbtiles(path, &metadata, tiles.iter().map(|t| (*t, png(t))));
    tiles.len()
}

fn print(c: &mut Criterion) {
    let mut project = wangge::app::load_sample().expect("the bundled sample opens");
    fill_with_grids(&mut project, 1_900.0);
    let grids = project.grids.len();
    let overview = PrintOptions { paper: Paper::A2, landscape: true, ..PrintOptions::default() };
    let atlas =
        PrintOptions { products: Products { overview: false, atlas: true, table: false }, ..PrintOptions::default() };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dom.mbtiles");
    let tiles = mbtiles_over(&project, &file);
    let mut source = BasemapSource::mbtiles("影像", &file.to_string_lossy());
    (source.min_zoom, source.max_zoom) = (11, 11);
    let basemap = BasemapPrint { offline: true, ..BasemapPrint::new(source) };
    let with_basemap = PrintOptions { basemap: Some("影像".into()), ..overview.clone() };
    let mut group = c.benchmark_group("print");
    group.sample_size(10);
    group.bench_function(format!("overview of {grids} grids to PDF (A2, layout + labels + PDF)"), |b| {
        b.iter(|| render_pdf(&pages(&project, &overview), &document_title(&project, &overview)).expect("PDF").len())
    });
    group.bench_function(
        format!("overview of {grids} grids to PDF with an MBTiles basemap ({tiles} z11 tiles, A2 at 150 dpi)"),
        |b| {
            b.iter(|| {
                let mut made = pages(&project, &with_basemap);
                let report = fill_basemap(&mut made, &project, &basemap, 150.0, &NoProgress).expect("basemap");
                assert!(report.missing.is_empty() && report.frames == 1, "{report:?}");
                render_pdf(&made, "overview").expect("PDF").len()
            })
        },
    );
    group.bench_function(format!("atlas of {grids} grid pages + index to PDF"), |b| {
        b.iter(|| render_pdf(&pages(&project, &atlas), "atlas").expect("PDF").len())
    });
    group.finish();
}

criterion_group!(benches, print);
criterion_main!(benches);
