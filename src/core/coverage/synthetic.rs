//! Synthetic coverages for tests and benchmarks: a jittered lattice of grids whose shared edges carry
//! extra vertices (so grids look like digitised ones, ~12 vertices each), clean by construction.

use geo::{Coord, LineString, MultiPolygon, Polygon};

/// A small deterministic generator (SplitMix64), so tests and benchmarks see the same data every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `nx` × `ny` grids of about `cell` metres starting at `origin`, rounded to millimetres.
pub fn jittered_grid(nx: usize, ny: usize, cell: f64, origin: Coord<f64>, seed: u64) -> Vec<MultiPolygon<f64>> {
    let mut rng = Rng::new(seed);
    let mm = |v: f64| (v * 1000.0).round() / 1000.0;
    let corner: Vec<Vec<Coord<f64>>> = (0..=ny)
        .map(|j| {
            (0..=nx)
                .map(|i| {
                    let border = i == 0 || j == 0 || i == nx || j == ny;
                    let (dx, dy) =
                        if border { (0.0, 0.0) } else { ((rng.unit() - 0.5) * 0.4, (rng.unit() - 0.5) * 0.4) };
                    Coord { x: mm(origin.x + (i as f64 + dx) * cell), y: mm(origin.y + (j as f64 + dy) * cell) }
                })
                .collect()
        })
        .collect();
    // Two extra vertices on every edge, shared by both grids on either side.
    let edge_points = |a: Coord<f64>, b: Coord<f64>, rng: &mut Rng, straight: bool| -> [Coord<f64>; 2] {
        let wiggle = |t: f64, rng: &mut Rng| {
            let (nx_, ny_) = (-(b.y - a.y), b.x - a.x);
            let k = if straight { 0.0 } else { (rng.unit() - 0.5) * 0.08 };
            Coord { x: mm(a.x + (b.x - a.x) * t + nx_ * k), y: mm(a.y + (b.y - a.y) * t + ny_ * k) }
        };
        [wiggle(1.0 / 3.0, rng), wiggle(2.0 / 3.0, rng)]
    };
    let horizontal: Vec<Vec<[Coord<f64>; 2]>> = (0..=ny)
        .map(|j| (0..nx).map(|i| edge_points(corner[j][i], corner[j][i + 1], &mut rng, j == 0 || j == ny)).collect())
        .collect();
    let vertical: Vec<Vec<[Coord<f64>; 2]>> = (0..ny)
        .map(|j| (0..=nx).map(|i| edge_points(corner[j][i], corner[j + 1][i], &mut rng, i == 0 || i == nx)).collect())
        .collect();
    let mut out = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        for i in 0..nx {
            let (h0, h1) = (horizontal[j][i], horizontal[j + 1][i]);
            let (v0, v1) = (vertical[j][i], vertical[j][i + 1]);
            let ring = vec![
                corner[j][i],
                h0[0],
                h0[1],
                corner[j][i + 1],
                v1[0],
                v1[1],
                corner[j + 1][i + 1],
                h1[1],
                h1[0],
                corner[j + 1][i],
                v0[1],
                v0[0],
                corner[j][i],
            ];
            out.push(MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]));
        }
    }
    out
}

/// The outline of [`jittered_grid`]'s area.
pub fn grid_outline(nx: usize, ny: usize, cell: f64, origin: Coord<f64>) -> MultiPolygon<f64> {
    let (w, h) = (nx as f64 * cell, ny as f64 * cell);
    let c = |x: f64, y: f64| Coord { x: origin.x + x, y: origin.y + y };
    MultiPolygon(vec![Polygon::new(LineString(vec![c(0., 0.), c(w, 0.), c(w, h), c(0., h), c(0., 0.)]), vec![])])
}

/// Moves every occurrence of vertex `from` to `to` in the given items; returns the items changed.
pub fn move_shared_vertex(items: &mut [MultiPolygon<f64>], from: Coord<f64>, to: Coord<f64>) -> Vec<usize> {
    let mut changed = Vec::new();
    for (i, item) in items.iter_mut().enumerate() {
        let mut hit = false;
        for polygon in &mut item.0 {
            polygon.exterior_mut(|ring| {
                for c in &mut ring.0 {
                    if *c == from {
                        *c = to;
                        hit = true;
                    }
                }
            });
        }
        if hit {
            changed.push(i);
        }
    }
    changed
}
