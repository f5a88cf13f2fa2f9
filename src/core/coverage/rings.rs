//! Coverage rings: every ring of every polygon with repeated points removed, its orientation relative to
//! the polygon interior, and a status per segment (as in JTS CoverageRing).

use geo::{Coord, LineString, MultiPolygon};

/// What the validator has concluded about one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SegmentState {
    #[default]
    Unknown,
    /// Shared exactly with a neighbour, which lies on the other side.
    Matched,
    Invalid,
}

#[derive(Clone, Debug)]
pub struct Ring {
    /// Closed: first == last; no consecutive repeats.
    pub coords: Vec<Coord<f64>>,
    /// True for CW shells and CCW holes: the polygon interior lies to the right of each segment.
    pub interior_on_right: bool,
    pub state: Vec<SegmentState>,
}

impl Ring {
    /// Builds a ring; `None` for rings that collapse to fewer than 2 distinct points.
    pub fn new(ring: &LineString<f64>, is_shell: bool) -> Option<Ring> {
        let mut coords: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
        for &c in &ring.0 {
            if !(c.x.is_finite() && c.y.is_finite()) {
                continue;
            }
            if coords.last() != Some(&c) {
                coords.push(c);
            }
        }
        if coords.len() >= 2 && coords.first() != coords.last() {
            let first = coords[0];
            coords.push(first);
        }
        if coords.len() < 3 {
            return None;
        }
        let ccw = signed_area(&coords) > 0.0;
        let interior_on_right = if is_shell { !ccw } else { ccw };
        let segments = coords.len() - 1;
        Some(Ring { coords, interior_on_right, state: vec![SegmentState::Unknown; segments] })
    }

    pub fn segments(&self) -> usize {
        self.coords.len() - 1
    }

    pub fn segment(&self, i: usize) -> (Coord<f64>, Coord<f64>) {
        (self.coords[i], self.coords[i + 1])
    }

    pub fn prev(&self, i: usize) -> usize {
        if i == 0 { self.segments() - 1 } else { i - 1 }
    }

    /// The ring vertex before `index` that differs from `pt` (JTS CoverageRing.findVertexPrev).
    pub fn vertex_prev(&self, index: usize, pt: Coord<f64>) -> Coord<f64> {
        let mut i = index;
        for _ in 0..self.coords.len() {
            if self.coords[i] != pt {
                return self.coords[i];
            }
            i = if i == 0 { self.coords.len() - 2 } else { i - 1 };
        }
        self.coords[index]
    }

    /// The ring vertex after segment `index` that differs from `pt` (JTS CoverageRing.findVertexNext).
    pub fn vertex_next(&self, index: usize, pt: Coord<f64>) -> Coord<f64> {
        let mut i = index + 1;
        for _ in 0..self.coords.len() {
            if self.coords[i] != pt {
                return self.coords[i];
            }
            i = if i >= self.coords.len() - 2 { 0 } else { i + 1 };
        }
        self.coords[index]
    }
}

/// Shoelace area of a closed ring, positive when counter-clockwise.
pub fn signed_area(ring: &[Coord<f64>]) -> f64 {
    let Some(&origin) = ring.first() else { return 0.0 };
    // Relative to the first vertex, so that large projected coordinates lose no precision.
    let twice: f64 = ring
        .windows(2)
        .map(|w| (w[0].x - origin.x) * (w[1].y - origin.y) - (w[1].x - origin.x) * (w[0].y - origin.y))
        .sum();
    twice / 2.0
}

/// All rings of a multipolygon, shells first then their holes, polygon by polygon.
pub fn rings_of(mp: &MultiPolygon<f64>) -> Vec<Ring> {
    let mut out = Vec::new();
    for polygon in &mp.0 {
        out.extend(Ring::new(polygon.exterior(), true));
        out.extend(polygon.interiors().iter().filter_map(|r| Ring::new(r, false)));
    }
    out
}

/// Hash key of a segment regardless of direction: the smaller endpoint first (x, then y).
pub type SegmentKey = [u64; 4];

fn bits(v: f64) -> u64 {
    // -0.0 and 0.0 are the same coordinate.
    if v == 0.0 { 0 } else { v.to_bits() }
}

/// The key and whether the segment, oriented with the interior on its right, runs from the smaller
/// endpoint to the larger ("forward").
pub fn segment_key(ring: &Ring, i: usize) -> (SegmentKey, bool) {
    let (mut p0, mut p1) = ring.segment(i);
    if !ring.interior_on_right {
        std::mem::swap(&mut p0, &mut p1);
    }
    let forward = (p0.x, p0.y) <= (p1.x, p1.y);
    let (a, b) = if forward { (p0, p1) } else { (p1, p0) };
    ([bits(a.x), bits(a.y), bits(b.x), bits(b.y)], forward)
}
