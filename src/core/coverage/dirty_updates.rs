//! Re-checking a dirty coverage (one that already has findings somewhere) after an edit must give
//! exactly what a full check of the edited coverage gives: the gap pass of an update walks only the
//! coverage's outline and its dirty items, and keeps the measures of unchanged pieces.

use geo::{Coord, MultiPolygon, Polygon, Scale};

use super::synthetic::{Rng, grid_outline, jittered_grid, move_shared_vertex};
use super::{Checker, CoverageOptions, FindingKind};

const ORIGIN: Coord<f64> = Coord { x: 620_000.0, y: 3_385_000.0 };
const N: usize = 9;

fn options(seed: u64) -> CoverageOptions {
    // Millimetre precision as in a projected CRS; every other seed also looks for narrow gaps.
    CoverageOptions { precision: 0.001, gap_width_m: if seed.is_multiple_of(2) { 0.0 } else { 2.0 }, crs: None }
}

fn mm(c: Coord<f64>) -> Coord<f64> {
    Coord { x: (c.x * 1000.0).round() / 1000.0, y: (c.y * 1000.0).round() / 1000.0 }
}

/// A grid made a bow tie (invalid), by swapping two vertices of its shell.
fn bow_tie(g: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let mut ring = g.0[0].exterior().0.clone();
    ring.swap(3, 6);
    MultiPolygon(vec![Polygon::new(ring.into(), vec![])])
}

/// A fault planted in a fresh coverage, chosen by the seed: an invalid grid, a grid that moved a shared
/// vertex alone (an overlap and a gap), a grid shrunk (a gap and mismatched edges), or a grid copied onto
/// its neighbour (a duplicate).
fn plant(items: &mut [MultiPolygon<f64>], rng: &mut Rng, seed: u64) {
    // An inner grid, so that a shrunk one leaves a gap enclosed by others even with no boundary.
    let (col, row) = (1 + rng.next_u64() as usize % (N - 2), 1 + rng.next_u64() as usize % (N - 2));
    let i = row * N + col;
    match seed % 4 {
        0 => items[i] = bow_tie(&items[i]),
        1 => {
            let v = items[i].0[0].exterior().0[3];
            move_shared_vertex(&mut items[i..=i], v, mm(Coord { x: v.x + 17.0, y: v.y - 11.0 }));
        }
        2 => items[i] = items[i].scale(0.8).map_coords_mm(),
        _ => items[(i + 1) % items.len()] = items[i].clone(),
    }
}

trait MapMm {
    fn map_coords_mm(&self) -> MultiPolygon<f64>;
}

impl MapMm for MultiPolygon<f64> {
    fn map_coords_mm(&self) -> MultiPolygon<f64> {
        geo::MapCoords::map_coords(self, mm)
    }
}

#[test]
fn updates_of_a_dirty_coverage_equal_full_checks() {
    for seed in 0..8u64 {
        let with_boundary = seed % 3 != 2;
        let boundary = with_boundary.then(|| grid_outline(N, N, 100.0, ORIGIN));
        let mut rng = Rng::new(seed + 1000);
        let mut items = jittered_grid(N, N, 100.0, ORIGIN, seed);
        plant(&mut items, &mut rng, seed);
        let options = options(seed);
        let full = |items: &[MultiPolygon<f64>]| {
            Checker::new(items.to_vec(), boundary.clone(), Vec::new(), options.clone()).report()
        };
        let mut checker = Checker::new(items.clone(), boundary.clone(), Vec::new(), options.clone());
        let planted = checker.report();
        assert!(!planted.ok(), "seed {seed}: the planted fault is found");
        for step in 0..30 {
            let target = (rng.next_u64() % items.len() as u64) as usize;
            let ring = items[target].0[0].exterior().0.clone();
            let vertex = ring[(rng.next_u64() % (ring.len() as u64 - 1)) as usize];
            let to = mm(Coord { x: vertex.x + (rng.unit() - 0.5) * 24.0, y: vertex.y + (rng.unit() - 0.5) * 24.0 });
            let changed: Vec<usize> = match step % 5 {
                // Topological edits: every grid using the vertex moves it (the coverage stays as dirty).
                0..=2 => move_shared_vertex(&mut items, vertex, to),
                // A careless edit: one grid moves it alone (a new overlap or gap).
                3 => move_shared_vertex(&mut items[target..=target], vertex, to).iter().map(|_| target).collect(),
                // A grid redrawn smaller, leaving a gap around it.
                _ => {
                    items[target] = items[target].scale(0.9).map_coords_mm();
                    vec![target]
                }
            };
            checker.update(changed.iter().map(|&i| (i, items[i].clone())).collect());
            let expected = full(&items);
            assert_eq!(checker.report(), expected, "seed {seed}, step {step}: updated ≠ rebuilt");
        }
        let last = checker.report();
        assert!(
            last.findings
                .iter()
                .any(|f| matches!(f.kind, FindingKind::Gap | FindingKind::Overlap | FindingKind::Invalid)),
            "seed {seed}: the edits were made on a dirty coverage"
        );
    }
}
