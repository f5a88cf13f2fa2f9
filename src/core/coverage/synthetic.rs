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

/// An axis-aligned square of half side `half` round `centre`, counter-clockwise.
pub fn square(centre: Coord<f64>, half: f64) -> MultiPolygon<f64> {
    let (x, y) = (centre.x, centre.y);
    let ring = vec![
        (x - half, y - half),
        (x + half, y - half),
        (x + half, y + half),
        (x - half, y + half),
        (x - half, y - half),
    ];
    MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])])
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

/// A project's boundary divided into a lattice of `cell`-sized grids clipped to it — a realistic stand-in
/// for a finished township plan (tests and print benchmarks). Grids are handed to villages in reading
/// order (north → south, west → east), about the same number each, named 第N网格, with made-up staff,
/// phones and counts, and coded by the default rule. Deterministic.
pub fn fill_with_grids(project: &mut crate::core::Project, cell: f64) {
    use crate::core::codes::{CodeRule, CodingOptions, DEFAULT_RULE, GRID_AXES, assign_codes};
    use crate::core::{Grid, GridAttrs};
    use geo::{BooleanOps, BoundingRect, Rect};
    let Some(extent) = project.boundary.bounding_rect() else { return };
    let boundary = super::precision::prepare(project.boundary.clone(), 0.0);
    let (nx, ny) = ((extent.width() / cell).ceil() as usize, (extent.height() / cell).ceil() as usize);
    let mut cells = Vec::new();
    for row in 0..ny {
        for col in 0..nx {
            let x = extent.min().x + col as f64 * cell;
            let y = extent.max().y - (row + 1) as f64 * cell;
            let square = MultiPolygon(vec![Rect::new(Coord { x, y }, Coord { x: x + cell, y: y + cell }).to_polygon()]);
            let clipped = super::precision::prepare(square.intersection(&boundary), project.precision);
            if !clipped.0.is_empty() {
                cells.push(clipped);
            }
        }
    }
    let villages: Vec<String> = project.villages().map(|v| v.code.to_string()).collect();
    let per_village = cells.len().div_ceil(villages.len().max(1));
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
    let mut rng = Rng::new(655);
    for (i, geometry) in cells.into_iter().enumerate() {
        let mut grid = Grid::new(geometry);
        if let Some(v) = villages.get(i / per_village.max(1)) {
            grid.village_code = v.clone();
            grid.class = project.divisions.get(v).map(|d| d.class).unwrap_or_default();
        }
        let n = i % per_village.max(1) + 1;
        grid.name = format!("第{n}网格");
        let who = |k: u64| {
            format!(
                "{}{}",
                surnames[(k % 10) as usize],
                ["建国", "秀英", "志强", "丽华", "海涛"][(k / 10 % 5) as usize]
            )
        };
        grid.attrs = GridAttrs {
            households: Some(100 + (rng.next_u64() % 400) as u32),
            population: Some(300 + (rng.next_u64() % 1200) as u32),
            party_members: Some((rng.next_u64() % 40) as u32),
            grid_head: who(rng.next_u64()),
            grid_staff: who(rng.next_u64()),
            phone: format!("139{:08}", rng.next_u64() % 100_000_000),
            ..GridAttrs::default()
        };
        project.add_grid(grid);
    }
    if let Ok(rule) = CodeRule::parse(DEFAULT_RULE)
        && let Ok(changes) =
            assign_codes(project, &rule, &CodingOptions { renumber: true, row_height: None }, &GRID_AXES)
    {
        for c in changes {
            if let Some(g) = project.grids.get_mut(&c.grid) {
                g.code = c.new;
            }
        }
    }
}
