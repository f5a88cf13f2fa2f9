//! The maximum inscribed circle of a polygon. Twice its radius is a gap's width, as JTS
//! CoverageGapFinder defines it: what tells a sliver from a missing grid.
//!
//! Two searches, the larger answer kept (both are lower bounds of the true radius, each exact where the
//! other is weak):
//! - across: from every vertex and every edge middle, a ray along the inward normal to the first
//!   boundary it meets; the middle of that chord is a candidate centre. A sliver is widest where one of
//!   its sides bends (a vertex), and a chord across it there finds that width at once — where a grid
//!   search would need as many cells as the sliver is long divided by its width. The best candidate is
//!   then polished by a grid search in a box of its own size.
//! - the "polylabel" branch-and-bound grid search over the whole polygon (compact shapes: missing
//!   grids, triangles where three grids meet), with a cap on the cells examined.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use geo::{BoundingRect, Coord, MinimumRotatedRect, Point, Polygon, Rect, Rotate};

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
            best = best.min(segment_distance2(p, a, b));
        }
    }
    let best = best.sqrt();
    if inside { best } else { -best }
}

/// Squared distance from a point to a segment (one square root per polygon, not per segment).
pub(super) fn segment_distance2(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (ex, ey) = (p.x - (a.x + t * dx), p.y - (a.y + t * dy));
    ex * ex + ey * ey
}

/// A rectangular search cell: rectangles rather than squares so that a sliver gets one row of cells
/// down its middle instead of millions of tiny squares.
struct Cell {
    centre: Coord<f64>,
    half_w: f64,
    half_h: f64,
    distance: f64,
    potential: f64,
}

impl Cell {
    fn new(polygon: &Polygon<f64>, centre: Coord<f64>, half_w: f64, half_h: f64) -> Cell {
        let distance = signed_distance(polygon, centre);
        Cell { centre, half_w, half_h, distance, potential: distance + half_w.hypot(half_h) }
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

/// Cells examined at most. Slivers are first turned to lie along the x axis, so that the first row of
/// cells already runs down their middle; the cap then only bounds pathological shapes, whose answer is
/// the best found so far (a lower bound).
const MAX_CELLS: usize = 5_000;
/// For the noise test a coarser search is enough: a piece in which no circle wider than the noise is
/// found among this many cells is at the scale of the noise.
const NOISE_CELLS: usize = 2_000;
/// Cells of the first grid at most.
const INITIAL_CELLS: usize = 1_000;

/// Chords across the polygon whose middles are candidate centres: at most about this many distance
/// evaluations (rays × segments) are spent on them, so that huge rings take a sample of their vertices.
const CHORD_BUDGET: usize = 4_000_000;

fn rings_of(polygon: &Polygon<f64>) -> Vec<&[Coord<f64>]> {
    std::iter::once(polygon.exterior()).chain(polygon.interiors()).map(|r| r.0.as_slice()).collect()
}

fn unit(x: f64, y: f64) -> Option<Coord<f64>> {
    let len = x.hypot(y);
    (len > 0.0 && len.is_finite()).then(|| Coord { x: x / len, y: y / len })
}

/// The first boundary point hit by the ray `from + t·dir` (t > 0), ignoring the two segments `skip`
/// (ring, segment) that `from` lies on; `None` if nothing is hit.
fn first_hit(rings: &[&[Coord<f64>]], from: Coord<f64>, dir: Coord<f64>, skip: [(usize, usize); 2]) -> Option<f64> {
    let mut best: Option<f64> = None;
    for (r, ring) in rings.iter().enumerate() {
        for (s, w) in ring.windows(2).enumerate() {
            if skip.contains(&(r, s)) {
                continue;
            }
            let (a, b) = (w[0], w[1]);
            let (ex, ey) = (b.x - a.x, b.y - a.y);
            let denom = dir.x * ey - dir.y * ex;
            if denom == 0.0 {
                continue;
            }
            let (qx, qy) = (a.x - from.x, a.y - from.y);
            let t = (qx * ey - qy * ex) / denom;
            let u = (qx * dir.y - qy * dir.x) / denom;
            if t > 0.0 && (0.0..=1.0).contains(&u) && best.is_none_or(|b| t < b) {
                best = Some(t);
            }
        }
    }
    best
}

/// The best centre among the middles of chords along the inward normals (see the module doc).
fn across(polygon: &Polygon<f64>) -> Option<(Coord<f64>, f64)> {
    let rings = rings_of(polygon);
    let segments: usize = rings.iter().map(|r| r.len().saturating_sub(1)).sum();
    if segments < 3 {
        return None;
    }
    // Two rays per segment; a sample of them when the ring is huge.
    let step = ((2 * segments * segments) / CHORD_BUDGET).max(1);
    let mut best: Option<(Coord<f64>, f64)> = None;
    let mut consider = |centre: Coord<f64>| {
        let d = signed_distance(polygon, centre);
        if d > 0.0 && best.is_none_or(|(_, b)| d > b) {
            best = Some((centre, d));
        }
    };
    let mut k = 0usize;
    for (r, ring) in rings.iter().enumerate() {
        let n = ring.len().saturating_sub(1);
        if n < 3 {
            continue;
        }
        // Interior on the left of every segment for a CCW exterior and CW holes.
        let ccw = super::rings::signed_area(ring) > 0.0;
        let sign = if ccw == (r == 0) { 1.0 } else { -1.0 };
        let normal = |s: usize| {
            let (a, b) = (ring[s], ring[s + 1]);
            unit(-(b.y - a.y) * sign, (b.x - a.x) * sign)
        };
        for s in 0..n {
            k += 1;
            if !k.is_multiple_of(step) {
                continue;
            }
            let prev = if s == 0 { n - 1 } else { s - 1 };
            let Some(here) = normal(s) else { continue };
            // From the edge's middle along its normal.
            let (a, b) = (ring[s], ring[s + 1]);
            let mid = Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
            if let Some(t) = first_hit(&rings, mid, here, [(r, s), (r, s)]) {
                consider(Coord { x: mid.x + here.x * t / 2.0, y: mid.y + here.y * t / 2.0 });
            }
            // From the vertex at the edge's start along the bisector of its two normals.
            let dir = normal(prev).and_then(|p| unit(p.x + here.x, p.y + here.y)).unwrap_or(here);
            if let Some(t) = first_hit(&rings, a, dir, [(r, s), (r, prev)]) {
                consider(Coord { x: a.x + dir.x * t / 2.0, y: a.y + dir.y * t / 2.0 });
            }
        }
    }
    best
}

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
    best_circle(polygon, tolerance, 0.0)
}

/// Twice the inscribed radius, to within `relative` of itself (JTS uses 1 %) or `absolute`.
pub fn inscribed_width(polygon: &Polygon<f64>, relative: f64, absolute: f64) -> (Coord<f64>, f64) {
    let (centre, radius) = best_circle(polygon, absolute, relative);
    (centre, 2.0 * radius)
}

fn best_circle(polygon: &Polygon<f64>, absolute: f64, relative: f64) -> (Coord<f64>, f64) {
    let stop = |cells| Stop { absolute, relative, radius_above: f64::INFINITY, max_cells: cells, seed: None };
    let mut best = search(polygon, stop(MAX_CELLS));
    if let Some((centre, radius)) = across(polygon) {
        // Polish the chord's middle: a grid search in a box around it, starting from it.
        let r = radius * 2.0;
        let bbox = Rect::new((centre.x - r, centre.y - r), (centre.x + r, centre.y + r));
        let polished = search_in(polygon, bbox, Stop { seed: Some((centre, radius)), ..stop(MAX_CELLS) });
        if polished.1 > best.1 {
            best = polished;
        }
    }
    best
}

/// Whether a circle wider than `width` fits inside: stops as soon as one is found, so that slivers
/// of rounding noise are told from real pieces cheaply.
pub fn wider_than(polygon: &Polygon<f64>, width: f64) -> bool {
    let radius = width / 2.0;
    // Most real pieces are answered by one point.
    if let Some(p) = geo::InteriorPoint::interior_point(polygon)
        && signed_distance(polygon, p.0) > radius
    {
        return true;
    }
    if search(
        polygon,
        Stop { absolute: radius * 0.1, relative: 0.0, radius_above: radius, max_cells: NOISE_CELLS, seed: None },
    )
    .1 > radius
    {
        return true;
    }
    across(polygon).is_some_and(|(_, r)| r > radius)
}

struct Stop {
    absolute: f64,
    relative: f64,
    /// Stop once a circle of this radius is found.
    radius_above: f64,
    max_cells: usize,
    /// A centre and radius already known (the search only looks for better).
    seed: Option<(Coord<f64>, f64)>,
}

/// The polygon turned so that its minimum rotated rectangle is axis-aligned, with the turn to undo.
fn aligned(polygon: &Polygon<f64>) -> (Polygon<f64>, f64, Point<f64>) {
    let Some(rect) = polygon.minimum_rotated_rect() else { return (polygon.clone(), 0.0, Point::new(0.0, 0.0)) };
    let c = &rect.exterior().0;
    if c.len() < 3 {
        return (polygon.clone(), 0.0, Point::new(0.0, 0.0));
    }
    let angle = (c[1].y - c[0].y).atan2(c[1].x - c[0].x).to_degrees();
    let pivot = Point(c[0]);
    (polygon.rotate_around_point(-angle, pivot), angle, pivot)
}

fn search(polygon: &Polygon<f64>, stop: Stop) -> (Coord<f64>, f64) {
    let (turned, angle, pivot) = aligned(polygon);
    let Some(bbox) = turned.bounding_rect() else { return (Coord { x: 0.0, y: 0.0 }, 0.0) };
    let (centre, radius) = search_in(&turned, bbox, stop);
    (Point(centre).rotate_around_point(angle, pivot).0, radius)
}

/// The grid search over the cells of `bbox`.
fn search_in(polygon: &Polygon<f64>, bbox: Rect<f64>, stop: Stop) -> (Coord<f64>, f64) {
    let (w, h) = (bbox.width(), bbox.height());
    if w <= 0.0 || h <= 0.0 {
        return (bbox.min(), 0.0);
    }
    let floor = stop.absolute.max(w.min(h) * 1e-9);
    // Square cells of the short side, unless that makes more cells than the budget allows.
    let size = w.min(h).max((w * h / INITIAL_CELLS as f64).sqrt());
    let (nx, ny) = ((w / size).ceil().max(1.0), (h / size).ceil().max(1.0));
    let (half_w, half_h) = (w / nx / 2.0, h / ny / 2.0);
    let mut queue = BinaryHeap::new();
    for i in 0..nx as usize {
        for j in 0..ny as usize {
            let centre =
                Coord { x: bbox.min().x + (2 * i + 1) as f64 * half_w, y: bbox.min().y + (2 * j + 1) as f64 * half_h };
            queue.push(Cell::new(polygon, centre, half_w, half_h));
        }
    }
    let mut best = Cell::new(polygon, bbox.center(), 0.0, 0.0);
    if let Some((centre, radius)) = stop.seed
        && radius > best.distance
    {
        best = Cell { centre, half_w: 0.0, half_h: 0.0, distance: radius, potential: radius };
    }
    let mut examined = 0;
    while let Some(cell) = queue.pop() {
        examined += 1;
        if cell.distance > best.distance {
            best = Cell {
                centre: cell.centre,
                half_w: 0.0,
                half_h: 0.0,
                distance: cell.distance,
                potential: cell.distance,
            };
            if best.distance > stop.radius_above {
                break;
            }
        }
        let tolerance = floor.max(stop.relative * best.distance);
        // The queue is ordered by potential: no other cell can do better by more than this, and when
        // only a threshold matters, no cell below it is worth opening.
        if cell.potential - best.distance <= tolerance
            || (stop.radius_above.is_finite() && cell.potential <= stop.radius_above)
            || examined > stop.max_cells
        {
            break;
        }
        // Split across the long side only while a cell is elongated, to keep cells near square.
        let (cx, cy) = (cell.centre.x, cell.centre.y);
        if cell.half_w > 2.0 * cell.half_h {
            let hw = cell.half_w / 2.0;
            for dx in [-hw, hw] {
                queue.push(Cell::new(polygon, Coord { x: cx + dx, y: cy }, hw, cell.half_h));
            }
        } else if cell.half_h > 2.0 * cell.half_w {
            let hh = cell.half_h / 2.0;
            for dy in [-hh, hh] {
                queue.push(Cell::new(polygon, Coord { x: cx, y: cy + dy }, cell.half_w, hh));
            }
        } else {
            let (hw, hh) = (cell.half_w / 2.0, cell.half_h / 2.0);
            for (dx, dy) in [(-hw, -hh), (hw, -hh), (-hw, hh), (hw, hh)] {
                queue.push(Cell::new(polygon, Coord { x: cx + dx, y: cy + dy }, hw, hh));
            }
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
