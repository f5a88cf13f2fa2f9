//! Coverage checker benchmarks: a full check of a synthetic 100,000-grid coverage, and re-checking after
//! one shared vertex moves (the editor's case, target < 5 ms) on a clean and on a dirty coverage. The comparison with GEOS on the same
//! files is bench/compare_geos.py.

// Tests and benchmarks stop at a broken assumption: unwrap, expect and panic are how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{Coord, MultiPolygon, Polygon};
use wangge::core::coverage::synthetic::{grid_outline, jittered_grid, move_shared_vertex};
use wangge::core::coverage::{Checker, CoverageOptions, FindingKind};
use wangge::io::crs::crs_from_epsg;

const ORIGIN: Coord<f64> = Coord { x: 620_000.0, y: 3_385_000.0 };
const NX: usize = 316;
const NY: usize = 317;

fn options() -> CoverageOptions {
    CoverageOptions::for_crs(&crs_from_epsg(4548).expect("EPSG:4548 is bundled"))
}

fn full_check(c: &mut Criterion) {
    let items = jittered_grid(NX, NY, 100.0, ORIGIN, 7);
    let outline = grid_outline(NX, NY, 100.0, ORIGIN);
    let mut group = c.benchmark_group("coverage");
    group.sample_size(10);
    group.bench_function("full check, 100,172 grids", |b| {
        b.iter(|| Checker::new(items.clone(), Some(outline.clone()), Vec::new(), options()).report().ok())
    });
    group.finish();
}

fn incremental(c: &mut Criterion) {
    let items = jittered_grid(NX, NY, 100.0, ORIGIN, 7);
    let outline = grid_outline(NX, NY, 100.0, ORIGIN);
    let checker = Checker::new(items.clone(), Some(outline), Vec::new(), options());
    bench_moving_the_middle_vertex(c, "re-check after moving one shared vertex, 100,172 grids", items, checker);
}

/// The same re-check when the coverage is already dirty far from the edit: one grid near a corner is a
/// bow tie (invalid, with mismatched edges and gaps around it) and another has moved a shared vertex
/// alone (an overlap and a gap). The gap pass then walks the outline and the dirty grids only.
fn incremental_dirty(c: &mut Criterion) {
    let mut items = jittered_grid(NX, NY, 100.0, ORIGIN, 7);
    let outline = grid_outline(NX, NY, 100.0, ORIGIN);
    let bad = 10 * NX + 10;
    let mut ring = items[bad].0[0].exterior().0.clone();
    ring.swap(3, 6);
    items[bad] = MultiPolygon(vec![Polygon::new(ring.into(), vec![])]);
    let careless = 300 * NX + 20;
    let v = items[careless].0[0].exterior().0[3];
    move_shared_vertex(&mut items[careless..=careless], v, Coord { x: v.x + 17.0, y: v.y - 11.0 });
    let checker = Checker::new(items.clone(), Some(outline), Vec::new(), options());
    let before = checker.report();
    let kinds: Vec<FindingKind> = before.findings.iter().map(|f| f.kind).collect();
    assert!(before.count(FindingKind::Invalid) == 1 && kinds.len() > 2, "{kinds:?}");
    bench_moving_the_middle_vertex(
        c,
        "re-check after moving one shared vertex, 100,172 grids, dirty coverage",
        items,
        checker,
    );
}

criterion_group!(benches, full_check, incremental, incremental_dirty);
criterion_main!(benches);

/// Moves the vertex shared by four grids in the middle of the area (the corner of grid (158, 158)) a
/// little further each iteration and re-checks the four grids.
fn bench_moving_the_middle_vertex(
    c: &mut Criterion,
    name: &str,
    mut items: Vec<MultiPolygon<f64>>,
    mut checker: Checker,
) {
    let middle = 158 * NX + 158;
    let vertex = items[middle].0[0].exterior().0[0];
    // The grids that use the vertex, as the editor finds them through its index (not measured).
    let sharing: Vec<usize> = move_shared_vertex(&mut items, vertex, vertex);
    assert_eq!(sharing.len(), 4);
    let mut step = 0u64;
    let mut at = vertex;
    c.bench_function(name, |b| {
        b.iter(|| {
            step += 1;
            let to = Coord { x: vertex.x + (step % 7) as f64 * 0.5, y: vertex.y + (step % 5) as f64 * 0.5 };
            for &i in &sharing {
                move_shared_vertex(&mut items[i..=i], at, to);
            }
            at = to;
            checker.update(sharing.iter().map(|&i| (i, items[i].clone())).collect());
            checker.report().ok()
        })
    });
}
