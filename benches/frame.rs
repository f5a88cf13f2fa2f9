//! Frame preparation of the map canvas with 100,000 grids: R-tree culling, level of detail and the
//! fill mesh for the whole county in view (target < 8 ms), and for a zoomed-in view with outlines and
//! labels. Also the editor's per-edit cost: the spatial index, map cache and live check updated for a
//! moved shared vertex. And the basemaps: two MBTiles layers (imagery and labels, as 天地图 img + cia) on a
//! 2560 × 1600 screen, 300 tiles in view, all loaded (target < 8 ms).

// Tests and benchmarks stop at a broken assumption: unwrap, expect and panic are how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use criterion::{Criterion, criterion_group, criterion_main};
use eframe::egui::{self, Pos2};
use geo::{Coord, Rect};
use wangge::app::basemap::Basemaps;
use wangge::app::level_of_detail::{ToScreen, prepare_grids};
use wangge::app::map_cache::MapCache;
use wangge::app::reference_layers::ReferenceDrawing;
use wangge::core::basemap::{BasemapSource, tiles_for_view};
use wangge::core::coverage::synthetic::{grid_outline, jittered_grid};
use wangge::core::edit::{SpatialIndex, move_vertex};
use wangge::core::{Grid, Project, Viewport};
use wangge::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use wangge::io::gpkg::{add_basemap, save_project};
use wangge::text::Settings;

#[path = "../tests/integration/tile_files.rs"]
mod tile_files;

const ORIGIN: Coord<f64> = Coord { x: 620_000.0, y: 3_385_000.0 };
const NX: usize = 316;
const NY: usize = 317;

fn project() -> Project {
    let mut p = Project::new("bench", crs_from_epsg(4548).expect("EPSG:4548 is bundled"));
    p.boundary = grid_outline(NX, NY, 100.0, ORIGIN);
    for g in jittered_grid(NX, NY, 100.0, ORIGIN, 7) {
        p.add_grid(Grid::new(g));
    }
    p
}

fn frame(c: &mut Criterion) {
    let p = project();
    let cache = MapCache::build(&p);
    let mut vp = Viewport::new(Coord { x: 1000.0, y: 700.0 });
    vp.fit(p.extent().expect("the project has grids"));
    let origin = Pos2::new(260.0, 60.0);
    let selection = BTreeSet::from([1, 2, 3]);
    let mut group = c.benchmark_group("frame");
    group.sample_size(20);
    group.bench_function("prepare, 100,172 grids at full extent", |b| {
        b.iter(|| prepare_grids(&cache, ToScreen::new(vp, origin), &selection).fills.vertices.len())
    });
    let mut zoomed = vp;
    zoomed.world_per_px = 1.2;
    group.bench_function("prepare, zoomed to ~100 grids with outlines and labels", |b| {
        b.iter(|| prepare_grids(&cache, ToScreen::new(zoomed, origin), &selection).outlines.len())
    });
    group.finish();
}

fn per_edit(c: &mut Criterion) {
    let mut p = project();
    let mut index = SpatialIndex::build(&p);
    let mut cache = MapCache::build(&p);
    let middle = (158 * NX + 158) as u64 + 1;
    let vertex = p.grids[&middle].geometry.0[0].exterior().0[0];
    let mut step = 0u64;
    let mut group = c.benchmark_group("edit");
    group.sample_size(20);
    group.bench_function("move a shared vertex: command, index and map cache update, 100,172 grids", |b| {
        b.iter(|| {
            step += 1;
            let from = if step % 2 == 1 { vertex } else { Coord { x: vertex.x + 3.0, y: vertex.y } };
            let to = if step % 2 == 1 { Coord { x: vertex.x + 3.0, y: vertex.y } } else { vertex };
            let command = move_vertex(&p, &index, from, to).expect("the vertex is shared");
            let grids: BTreeSet<u64> = command.grids().into_iter().collect();
            command.apply(&mut p).expect("the grids exist");
            index.update(&p, &grids);
            cache.update(&p, &grids);
        })
    });
    group.finish();
    let _ = Rect::new(vertex, vertex);
}

fn basemap(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let p = Project::new("basemap bench", crs_from_epsg(4548).expect("EPSG:4548 is bundled"));
    let screen = egui::Rect::from_min_size(Pos2::ZERO, egui::vec2(2560.0, 1600.0));
    let mut vp = Viewport::new(Coord { x: 2560.0, y: 1600.0 });
    vp.centre_in_world = Coord { x: 635_000.0, y: 3_400_000.0 };
    vp.world_per_px = 1.5;
    let to = ToScreen::new(vp, Pos2::ZERO);
    // The tiles this view asks for, exactly as the layer will ask: both files hold them, nothing more.
    let to_wgs84 = Transformer::new(&SourceCrs::Epsg(p.crs.clone()), &crs_from_epsg(4326).unwrap()).unwrap();
    let cover = tiles_for_view(vp.visible_world(), vp.size_on_screen, |c| to_wgs84.apply(c).ok(), 0..=18);
    let gpkg = dir.path().join("p.gpkg");
    save_project(&p, &gpkg).unwrap();
    for (name, rgb) in [("影像", [90, 120, 60]), ("注记", [250, 250, 250])] {
        let file = dir.path().join(format!("{name}.mbtiles"));
        // Tiles of one colour: the decoder's cost is not what is measured.
        let png = tile_files::png_tile(|_| rgb);
        tile_files::write_mbtiles(&file, &[("format", "png")], cover.tiles.iter().map(|t| (*t, png.clone())));
        add_basemap(&gpkg, &BasemapSource::mbtiles(name, &file.to_string_lossy()), false).unwrap();
    }
    let mut basemaps = Basemaps::default();
    basemaps.open(Some(&gpkg), &p, &Settings::default());
    let ctx = egui::Context::default();
    let input = || egui::RawInput { screen_rect: Some(screen), ..Default::default() };
    let frame = |basemaps: &mut Basemaps| {
        let mut output = ctx.run_ui(input(), |ui| {
            let painter = ui.ctx().layer_painter(egui::LayerId::background());
            basemaps.draw(&painter, to, screen);
        });
        // No GPU here: the textures the tiles became are not uploaded anywhere.
        output.textures_delta.clear();
    };
    // Load every tile first: the bench measures a frame of a view whose tiles have arrived.
    let want = 2 * cover.tiles.len();
    let started = std::time::Instant::now();
    while basemaps.textures() < want {
        assert!(started.elapsed().as_secs() < 60, "{} of {want} tiles loaded", basemaps.textures());
        frame(&mut basemaps);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    frame(&mut basemaps);
    assert!(basemaps.drawn() >= 100 && basemaps.drawn() == want, "{} tiles drawn", basemaps.drawn());
    let mut group = c.benchmark_group("frame");
    group.sample_size(20);
    let name = format!("basemaps: 2 MBTiles layers, {want} tiles in view at zoom {}, all loaded", cover.zoom);
    group.bench_function(name, |b| b.iter(|| frame(&mut basemaps)));
    group.finish();
}

/// 40,000 reference features over the same county: 20,000 roads of six vertices and 20,000 buildings.
fn reference_layers() -> Vec<wangge::core::ReferenceLayer> {
    use wangge::core::{ReferenceFeature, ReferenceGeometry, ReferenceLayer};
    let mut roads = ReferenceLayer::new("道路");
    let mut houses = ReferenceLayer::new("房屋");
    for k in 0..20_000usize {
        let (x, y) = (ORIGIN.x + (k % 200) as f64 * 158.0, ORIGIN.y + (k / 200) as f64 * 317.0);
        let line = (0..6).map(|i| Coord { x: x + i as f64 * 30.0, y: y + (i % 2) as f64 * 12.0 }).collect();
        roads.features.push(ReferenceFeature {
            geometry: ReferenceGeometry::Lines(geo::MultiLineString(vec![geo::LineString(line)])),
            name: String::new(),
        });
        let (hx, hy) = (x + 60.0, y + 150.0);
        let ring = vec![(hx, hy), (hx + 20.0, hy), (hx + 20.0, hy + 14.0), (hx, hy + 14.0), (hx, hy)];
        houses.features.push(ReferenceFeature {
            geometry: ReferenceGeometry::Polygons(geo::MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])])),
            name: String::new(),
        });
    }
    vec![roads, houses]
}

fn references(c: &mut Criterion) {
    let p = project();
    let drawing = ReferenceDrawing::build(&reference_layers());
    let mut vp = Viewport::new(Coord { x: 1000.0, y: 700.0 });
    vp.fit(p.extent().expect("the project has grids"));
    let origin = Pos2::new(260.0, 60.0);
    let mut group = c.benchmark_group("frame");
    group.sample_size(20);
    group.bench_function("prepare reference layers, 40,000 features at full extent", |b| {
        b.iter(|| drawing.prepare(ToScreen::new(vp, origin)).strokes.len())
    });
    let mut zoomed = vp;
    zoomed.world_per_px = 1.2;
    group.bench_function("prepare reference layers, zoomed to ~150 features", |b| {
        b.iter(|| drawing.prepare(ToScreen::new(zoomed, origin)).strokes.len())
    });
    group.finish();
}

criterion_group!(benches, frame, per_edit, references, basemap);
criterion_main!(benches);
