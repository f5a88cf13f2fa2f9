//! Units: the small pieces a region is cut into before they are grouped into grids. A quadtree over the
//! region's households (cells of a few dozen households, finer where they are dense) and the reference
//! lines cut the region in ONE overlay (i_overlay's slice), so that every edge two units share has the
//! same vertices in both — the grids dissolved from them then match their neighbours exactly.

use geo::{Coord, Intersects, LineString, MultiPolygon, Rect};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::solver::Solver;
use i_overlay::float::overlay::OverlayOptions;
use i_overlay::float::slice::FloatSlice;

/// One unit: closed rings (the first the outer one, counter-clockwise; then holes, clockwise), with
/// coordinates on the precision grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub rings: Vec<Vec<Coord<f64>>>,
    pub area_m2: f64,
}

/// How fine the quadtree is.
#[derive(Clone, Copy, Debug)]
pub struct Fineness {
    /// Split a cell while it holds more households than this …
    pub households_per_unit: f64,
    /// … and is wider than this (metres).
    pub min_cell_m: f64,
    /// Split any cell wider than this, households or not (so that empty land is cut too).
    pub max_cell_m: f64,
}

/// Cuts `region` by a household quadtree and by `lines`; `points` and `weights` are the households.
pub fn build_units(
    region: &MultiPolygon<f64>,
    points: &[Coord<f64>],
    weights: &[u64],
    lines: &[LineString<f64>],
    fineness: Fineness,
    precision: f64,
) -> Vec<Unit> {
    use geo::BoundingRect;
    let Some(extent) = region.bounding_rect() else { return Vec::new() };
    let step = if precision > 0.0 { precision } else { 1e-3 };
    // A square a little larger than the region, its corner on the precision grid, so that no lattice
    // line runs along the region's outline.
    let side = extent.width().max(extent.height()) * 1.02 + 4.0 * step;
    let origin = Coord {
        x: ((extent.min().x - side * 0.01 - step) / step).floor() * step,
        y: ((extent.min().y - side * 0.01 - step) / step).floor() * step,
    };
    let mut segments: Vec<[[f64; 2]; 2]> = Vec::new();
    let all: Vec<usize> = (0..points.len()).collect();
    let cell = Cell { x: 0.0, y: 0.0, size: side };
    subdivide(region, origin, cell, &all, points, weights, fineness, step, 0, &mut segments);
    let local = |c: Coord<f64>| [c.x - origin.x, c.y - origin.y];
    let mut strings: Vec<Vec<[f64; 2]>> = segments.iter().map(|s| s.to_vec()).collect();
    for line in lines {
        // Segment by segment, clipped to the square: a road 50 km long must not widen the overlay's
        // integer grid (and so coarsen every vertex) for a village 1 km across.
        for w in line.0.windows(2) {
            if let Some(segment) = clip_to_square(local(w[0]), local(w[1]), side) {
                strings.push(segment.to_vec());
            }
        }
    }
    let shapes: Vec<Vec<Vec<[f64; 2]>>> = region
        .0
        .iter()
        .map(|p| {
            let mut contours = vec![open_ring(p.exterior(), &local)];
            contours.extend(p.interiors().iter().map(|r| open_ring(r, &local)));
            contours
        })
        .collect();
    let options = OverlayOptions::<f64> { preserve_output_collinear: true, ..OverlayOptions::default() };
    // Coordinates are local (metres from `origin`) on a grid 16 times finer than the precision, so
    // that new vertices (where lines cross the outline) lie within rounding of the outline; i_overlay's
    // grid is 32-bit, so regions wider than ~60 km at 1 mm get a coarser one.
    let scale = (16.0 / step).min(1.0e9 / side);
    let sliced = if scale * step >= 1.0 {
        shapes.slice_custom_by_fixed_scale(&strings, FillRule::NonZero, options, Solver::default(), scale).ok()
    } else {
        None
    };
    let sliced =
        sliced.unwrap_or_else(|| shapes.slice_custom_by(&strings, FillRule::NonZero, options, Solver::default()));
    let mut units = Vec::with_capacity(sliced.len());
    for shape in sliced {
        let mut rings = Vec::with_capacity(shape.len());
        for (i, contour) in shape.iter().enumerate() {
            let mut ring: Vec<Coord<f64>> = Vec::with_capacity(contour.len() + 1);
            for p in contour {
                let c = Coord { x: round(p[0] + origin.x, step), y: round(p[1] + origin.y, step) };
                if ring.last() != Some(&c) {
                    ring.push(c);
                }
            }
            while ring.len() > 1 && ring.first() == ring.last() {
                ring.pop();
            }
            if ring.len() < 3 {
                continue;
            }
            ring.push(ring[0]);
            let a = signed_area(&ring);
            // Outer rings counter-clockwise, holes clockwise, whatever the overlay gave.
            if (i == 0 && a < 0.0) || (i > 0 && a > 0.0) {
                ring.reverse();
            }
            if i == 0 || !rings.is_empty() {
                rings.push(ring);
            }
        }
        if rings.is_empty() {
            continue;
        }
        let area_m2: f64 = rings.iter().map(|r| signed_area(r)).sum();
        if area_m2 > 0.0 {
            units.push(Unit { rings, area_m2 });
        }
    }
    // A deterministic order (the overlay's is, but say so): by the first vertex of the outer ring.
    units.sort_by(|a, b| {
        let (p, q) = (a.rings[0][0], b.rings[0][0]);
        p.x.total_cmp(&q.x).then(p.y.total_cmp(&q.y))
    });
    units
}

#[derive(Clone, Copy, Debug)]
struct Cell {
    x: f64,
    y: f64,
    size: f64,
}

/// Quadtree leaves as lattice lines: each leaf gives its top and right edges, which never overlap
/// another leaf's (two leaves with the same right edge lie on the same side of it, one above the other).
#[allow(clippy::too_many_arguments)]
fn subdivide(
    region: &MultiPolygon<f64>,
    origin: Coord<f64>,
    cell: Cell,
    inside: &[usize],
    points: &[Coord<f64>],
    weights: &[u64],
    fineness: Fineness,
    step: f64,
    depth: u32,
    out: &mut Vec<[[f64; 2]; 2]>,
) {
    let world = Rect::new(
        Coord { x: origin.x + cell.x, y: origin.y + cell.y },
        Coord { x: origin.x + cell.x + cell.size, y: origin.y + cell.y + cell.size },
    );
    if !world.to_polygon().intersects(region) {
        return;
    }
    let households: u64 = inside.iter().map(|&i| weights[i]).sum();
    let half = ((cell.size / 2.0) / step).round() * step;
    let split = depth < 24
        && half > step * 4.0
        && (cell.size > fineness.max_cell_m
            || (households as f64 > fineness.households_per_unit && cell.size / 2.0 >= fineness.min_cell_m));
    if !split {
        let (x0, y0, x1, y1) = (cell.x, cell.y, cell.x + cell.size, cell.y + cell.size);
        out.push([[x0, y1], [x1, y1]]);
        out.push([[x1, y0], [x1, y1]]);
        return;
    }
    let mid = Coord { x: origin.x + cell.x + half, y: origin.y + cell.y + half };
    let mut quads: [Vec<usize>; 4] = Default::default();
    for &i in inside {
        let p = points[i];
        let q = usize::from(p.x >= mid.x) + 2 * usize::from(p.y >= mid.y);
        quads[q].push(i);
    }
    let children = [
        Cell { x: cell.x, y: cell.y, size: half },
        Cell { x: cell.x + half, y: cell.y, size: cell.size - half },
        Cell { x: cell.x, y: cell.y + half, size: half },
        Cell { x: cell.x + half, y: cell.y + half, size: cell.size - half },
    ];
    for (child, members) in children.into_iter().zip(quads.iter()) {
        // Children of unequal sides (rounding to the precision grid) are fine: only their edges matter.
        subdivide(region, origin, child, members, points, weights, fineness, step, depth + 1, out);
    }
}

/// The part of segment a–b inside the square [0, side]² (Liang–Barsky), if any.
fn clip_to_square(a: [f64; 2], b: [f64; 2], side: f64) -> Option<[[f64; 2]; 2]> {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, a[0]), (dx, side - a[0]), (-dy, a[1]), (dy, side - a[1])] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 < t1).then(|| [[a[0] + t0 * dx, a[1] + t0 * dy], [a[0] + t1 * dx, a[1] + t1 * dy]])
}

fn open_ring(ring: &LineString<f64>, local: &impl Fn(Coord<f64>) -> [f64; 2]) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = ring.0.iter().map(|c| local(*c)).collect();
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

fn round(v: f64, step: f64) -> f64 {
    (v / step).round() * step
}

/// Shoelace area of a closed ring (positive counter-clockwise).
pub fn signed_area(ring: &[Coord<f64>]) -> f64 {
    if ring.len() < 3 {
        return 0.0;
    }
    // Relative to the first vertex: projected coordinates are millions of metres.
    let o = ring[0];
    let mut sum = 0.0;
    for w in ring.windows(2) {
        sum += (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y);
    }
    sum / 2.0
}

/// Length of a closed ring.
pub fn ring_length(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2).map(|w| (w[1].x - w[0].x).hypot(w[1].y - w[0].y)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;
    use std::collections::HashMap;

    #[test]
    fn units_cover_the_region_and_share_every_inner_edge_exactly() {
        let region = MultiPolygon(vec![polygon![
            (x: 1000.0, y: 2000.0), (x: 1400.0, y: 2010.0), (x: 1390.0, y: 2300.0), (x: 1010.0, y: 2280.0)
        ]]);
        let points: Vec<Coord<f64>> =
            (0..200).map(|i| Coord { x: 1100.0 + (i % 20) as f64 * 3.1, y: 2100.0 + (i / 20) as f64 * 2.7 }).collect();
        let weights = vec![1; points.len()];
        let road = LineString::from(vec![(990.0, 2150.0), (1420.0, 2160.0)]);
        let fineness = Fineness { households_per_unit: 20.0, min_cell_m: 5.0, max_cell_m: 100.0 };
        let units = build_units(&region, &points, &weights, &[road], fineness, 0.001);
        assert!(units.len() > 10, "{}", units.len());
        let total: f64 = units.iter().map(|u| u.area_m2).sum();
        let expected = geo::Area::unsigned_area(&region);
        assert!((total - expected).abs() < 1e-3 * expected, "{total} vs {expected}");
        // Every directed edge inside the region is matched by the reverse edge of another unit.
        let mut directed: HashMap<[u64; 4], usize> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            for r in &u.rings {
                for w in r.windows(2) {
                    directed.insert([w[0].x.to_bits(), w[0].y.to_bits(), w[1].x.to_bits(), w[1].y.to_bits()], i);
                }
            }
        }
        let unmatched: f64 = units
            .iter()
            .flat_map(|u| u.rings.iter())
            .flat_map(|r| r.windows(2))
            .filter(|w| {
                !directed.contains_key(&[w[1].x.to_bits(), w[1].y.to_bits(), w[0].x.to_bits(), w[0].y.to_bits()])
            })
            .map(|w| (w[1].x - w[0].x).hypot(w[1].y - w[0].y))
            .sum();
        let outline = ring_length(&region.0[0].exterior().0);
        assert!((unmatched - outline).abs() < 1e-6 * outline, "unmatched {unmatched} vs outline {outline}");
    }
}
