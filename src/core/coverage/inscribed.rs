//! The maximum inscribed circle of a polygon (pole of inaccessibility, found by the "polylabel" grid
//! search). Twice its radius is a gap's width, as JTS CoverageGapFinder defines it: what tells a sliver
//! from a missing grid.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use geo::{BoundingRect, Coord, Polygon};

/// Distance from `p` to the nearest ring segment of `polygon`, negative when `p` is outside.
fn signed_distance(polygon: &Polygon<f64>, p: Coord<f64>) -> f64 {
    let mut inside = false;
    let mut best = f64::INFINITY;
    for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
        for w in ring.0.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
                inside = !inside;
            }
            best = best.min(segment_distance(p, a, b));
        }
    }
    if inside { best } else { -best }
}

fn segment_distance(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (p.x - (a.x + t * dx)).hypot(p.y - (a.y + t * dy))
}

struct Cell {
    centre: Coord<f64>,
    half: f64,
    distance: f64,
    potential: f64,
}

impl Cell {
    fn new(polygon: &Polygon<f64>, centre: Coord<f64>, half: f64) -> Cell {
        let distance = signed_distance(polygon, centre);
        Cell { centre, half, distance, potential: distance + half * std::f64::consts::SQRT_2 }
    }
}

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        self.potential == other.potential
    }
}
impl Eq for Cell {}
impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        self.potential.total_cmp(&other.potential)
    }
}

/// Cells examined at most: bounds the time on pathological shapes; the answer is then the best so far.
const MAX_CELLS: usize = 100_000;

/// Centre and radius of the (approximately) largest circle inside `polygon`, to within `tolerance`.
///
/// ```
/// use geo::polygon;
/// use wangge::core::coverage::maximum_inscribed_circle;
/// let square = polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)];
/// let (_, radius) = maximum_inscribed_circle(&square, 0.01);
/// assert!((radius - 5.0).abs() <= 0.01);
/// ```
pub fn maximum_inscribed_circle(polygon: &Polygon<f64>, tolerance: f64) -> (Coord<f64>, f64) {
    let Some(bbox) = polygon.bounding_rect() else { return (Coord { x: 0.0, y: 0.0 }, 0.0) };
    let side = bbox.width().min(bbox.height());
    if side <= 0.0 {
        return (bbox.min(), 0.0);
    }
    let tolerance = tolerance.max(side * 1e-9);
    let half = side / 2.0;
    let mut queue = BinaryHeap::new();
    let mut x = bbox.min().x;
    while x < bbox.max().x {
        let mut y = bbox.min().y;
        while y < bbox.max().y {
            queue.push(Cell::new(polygon, Coord { x: x + half, y: y + half }, half));
            y += side;
        }
        x += side;
    }
    let mut best = Cell::new(polygon, bbox.center(), 0.0);
    let mut examined = 0;
    while let Some(cell) = queue.pop() {
        examined += 1;
        if cell.distance > best.distance {
            best = Cell { centre: cell.centre, half: 0.0, distance: cell.distance, potential: cell.distance };
        }
        if cell.potential - best.distance <= tolerance || examined > MAX_CELLS {
            continue;
        }
        let h = cell.half / 2.0;
        for (dx, dy) in [(-h, -h), (h, -h), (-h, h), (h, h)] {
            queue.push(Cell::new(polygon, Coord { x: cell.centre.x + dx, y: cell.centre.y + dy }, h));
        }
    }
    (best.centre, best.distance.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn width_of_a_sliver_is_its_thickness() {
        // 100 m long, 4 cm wide, diagonal.
        let sliver = polygon![(x: 0., y: 0.), (x: 70.71, y: 70.71), (x: 70.6817, y: 70.7383), (x: -0.0283, y: 0.0283)];
        let (_, r) = maximum_inscribed_circle(&sliver, 1e-4);
        assert!((2.0 * r - 0.04).abs() < 0.002, "{}", 2.0 * r);
    }

    #[test]
    fn jts_gap_finder_triangle() {
        // CoverageGapFinderTest.testThreePolygonGap: the gap (3 5, 7 5, 5 6) has width ≤ 1.
        let gap = polygon![(x: 3., y: 5.), (x: 7., y: 5.), (x: 5., y: 6.)];
        let (_, r) = maximum_inscribed_circle(&gap, 0.01);
        assert!(2.0 * r <= 1.0 && 2.0 * r > 0.7, "{}", 2.0 * r);
    }
}
