//! Exact segment predicates with JTS/GEOS semantics (RobustLineIntersector, PolygonNodeTopology,
//! LineSegment.project), on robust orientation tests so that "touches" means touches exactly.

use geo::Coord;
use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};

pub fn orient(p: Coord<f64>, q: Coord<f64>, r: Coord<f64>) -> Orientation {
    RobustKernel::orient2d(p, q, r)
}

/// How two segments meet, as JTS's RobustLineIntersector classifies it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Meet {
    None,
    /// Collinear with an overlap longer than a point.
    Collinear,
    /// One point, interior to both segments.
    Proper,
    /// One point, interior to one segment and an endpoint of the other (a T-junction).
    Interior(Coord<f64>),
    /// One point that is an endpoint of both segments.
    Endpoints(Coord<f64>),
}

fn in_box(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

/// Classifies how segment t0–t1 meets segment a0–a1 (both of non-zero length).
pub fn meet(t0: Coord<f64>, t1: Coord<f64>, a0: Coord<f64>, a1: Coord<f64>) -> Meet {
    // Envelope test first: most candidate pairs do not touch at all.
    if t0.x.max(t1.x) < a0.x.min(a1.x)
        || a0.x.max(a1.x) < t0.x.min(t1.x)
        || t0.y.max(t1.y) < a0.y.min(a1.y)
        || a0.y.max(a1.y) < t0.y.min(t1.y)
    {
        return Meet::None;
    }
    let (o1, o2) = (orient(t0, t1, a0), orient(t0, t1, a1));
    let (o3, o4) = (orient(a0, a1, t0), orient(a0, a1, t1));
    let sign = |o: Orientation| match o {
        Orientation::CounterClockwise => 1,
        Orientation::Clockwise => -1,
        Orientation::Collinear => 0,
    };
    let (s1, s2, s3, s4) = (sign(o1), sign(o2), sign(o3), sign(o4));
    if s1 * s2 > 0 || s3 * s4 > 0 {
        return Meet::None;
    }
    if s1 == 0 && s2 == 0 && s3 == 0 && s4 == 0 {
        return collinear(t0, t1, a0, a1);
    }
    if s1 != 0 && s2 != 0 && s3 != 0 && s4 != 0 {
        return Meet::Proper;
    }
    // Exactly one point, which is an endpoint of at least one segment.
    let point = if s1 == 0 && in_box(a0, t0, t1) {
        a0
    } else if s2 == 0 && in_box(a1, t0, t1) {
        a1
    } else if s3 == 0 && in_box(t0, a0, a1) {
        t0
    } else if s4 == 0 && in_box(t1, a0, a1) {
        t1
    } else {
        return Meet::None;
    };
    let end_of_t = point == t0 || point == t1;
    let end_of_a = point == a0 || point == a1;
    if end_of_t && end_of_a { Meet::Endpoints(point) } else { Meet::Interior(point) }
}

fn collinear(t0: Coord<f64>, t1: Coord<f64>, a0: Coord<f64>, a1: Coord<f64>) -> Meet {
    // Project on the dominant axis of the target.
    let key = |c: Coord<f64>| if (t1.x - t0.x).abs() >= (t1.y - t0.y).abs() { (c.x, c.y) } else { (c.y, c.x) };
    let (tl, th) = ordered(key(t0), key(t1));
    let (al, ah) = ordered(key(a0), key(a1));
    let lo = if tl > al { tl } else { al };
    let hi = if th < ah { th } else { ah };
    if lo > hi {
        Meet::None
    } else if lo == hi {
        let point = [t0, t1].into_iter().find(|&c| key(c) == lo).unwrap_or(t0);
        if point == a0 || point == a1 { Meet::Endpoints(point) } else { Meet::Interior(point) }
    } else {
        Meet::Collinear
    }
}

fn ordered(a: (f64, f64), b: (f64, f64)) -> ((f64, f64), (f64, f64)) {
    if a <= b { (a, b) } else { (b, a) }
}

/// JTS Quadrant: NE = 0, NW = 1, SW = 2, SE = 3.
fn quadrant(origin: Coord<f64>, p: Coord<f64>) -> u8 {
    let (dx, dy) = (p.x - origin.x, p.y - origin.y);
    match (dx >= 0.0, dy >= 0.0) {
        (true, true) => 0,
        (false, true) => 1,
        (false, false) => 2,
        (true, false) => 3,
    }
}

fn is_angle_greater(origin: Coord<f64>, p: Coord<f64>, q: Coord<f64>) -> bool {
    let (qp, qq) = (quadrant(origin, p), quadrant(origin, q));
    if qp != qq {
        return qp > qq;
    }
    orient(origin, q, p) == Orientation::CounterClockwise
}

fn is_between(origin: Coord<f64>, p: Coord<f64>, e0: Coord<f64>, e1: Coord<f64>) -> bool {
    is_angle_greater(origin, p, e0) && !is_angle_greater(origin, p, e1)
}

/// Whether the segment node–b lies inside the corner a0–node–a1 of a ring whose interior is on the
/// right (JTS PolygonNodeTopology.isInteriorSegment).
pub fn is_interior_segment(node: Coord<f64>, a0: Coord<f64>, a1: Coord<f64>, b: Coord<f64>) -> bool {
    let (mut lo, mut hi, mut interior_between) = (a0, a1, true);
    if is_angle_greater(node, lo, hi) {
        (lo, hi, interior_between) = (a1, a0, false);
    }
    is_between(node, b, lo, hi) == interior_between
}

fn projection_factor(p0: Coord<f64>, p1: Coord<f64>, p: Coord<f64>) -> f64 {
    if p == p0 {
        return 0.0;
    }
    if p == p1 {
        return 1.0;
    }
    let (dx, dy) = (p1.x - p0.x, p1.y - p0.y);
    let len2 = dx * dx + dy * dy;
    if len2 <= 0.0 {
        return f64::NAN;
    }
    ((p.x - p0.x) * dx + (p.y - p0.y) * dy) / len2
}

/// The part of segment s projected onto segment base (JTS LineSegment.project), if any.
fn project(base: (Coord<f64>, Coord<f64>), s: (Coord<f64>, Coord<f64>)) -> Option<(Coord<f64>, Coord<f64>)> {
    let (p0, p1) = base;
    let (f0, f1) = (projection_factor(p0, p1, s.0), projection_factor(p0, p1, s.1));
    if (f0 >= 1.0 && f1 >= 1.0) || (f0 <= 0.0 && f1 <= 0.0) || f0.is_nan() || f1.is_nan() {
        return None;
    }
    let at = |f: f64| {
        if f < 0.0 {
            p0
        } else if f > 1.0 {
            p1
        } else {
            Coord { x: p0.x + f * (p1.x - p0.x), y: p0.y + f * (p1.y - p0.y) }
        }
    };
    Some((at(f0), at(f1)))
}

fn dist(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).hypot(a.y - b.y)
}

/// Two segments that run side by side closer than `tolerance` for longer than `tolerance`
/// (JTS InvalidSegmentDetector.isNearlyParallel): the edges of a narrow gap or gore.
pub fn is_nearly_parallel(s0: (Coord<f64>, Coord<f64>), s1: (Coord<f64>, Coord<f64>), tolerance: f64) -> bool {
    let Some(proj0) = project(s0, s1) else { return false };
    let Some(mut proj1) = project(s1, s0) else { return false };
    if dist(proj0.0, proj0.1) <= tolerance || dist(proj1.0, proj1.1) <= tolerance {
        return false;
    }
    if dist(proj0.0, proj1.1) < dist(proj0.0, proj1.0) {
        proj1 = (proj1.1, proj1.0);
    }
    dist(proj0.0, proj1.0) <= tolerance && dist(proj0.1, proj1.1) <= tolerance
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn classifies_like_jts() {
        assert_eq!(meet(c(0., 0.), c(2., 2.), c(0., 2.), c(2., 0.)), Meet::Proper);
        assert_eq!(meet(c(0., 0.), c(4., 0.), c(2., 0.), c(2., 3.)), Meet::Interior(c(2., 0.)));
        assert_eq!(meet(c(2., 0.), c(2., 3.), c(0., 0.), c(4., 0.)), Meet::Interior(c(2., 0.)));
        assert_eq!(meet(c(0., 0.), c(4., 0.), c(4., 0.), c(4., 3.)), Meet::Endpoints(c(4., 0.)));
        assert_eq!(meet(c(0., 0.), c(4., 0.), c(2., 0.), c(6., 0.)), Meet::Collinear);
        assert_eq!(meet(c(0., 0.), c(4., 0.), c(4., 0.), c(6., 0.)), Meet::Endpoints(c(4., 0.)));
        assert_eq!(meet(c(0., 0.), c(4., 0.), c(5., 0.), c(6., 0.)), Meet::None);
        assert_eq!(meet(c(0., 0.), c(4., 0.), c(0., 1.), c(4., 1.)), Meet::None);
    }

    #[test]
    fn corner_interior_follows_the_right_hand_rule() {
        // Corner of the CW square (0,0) → (0,1) → (1,1) → (1,0) at (0,0): previous (1,0), next (0,1).
        let node = c(0., 0.);
        assert!(is_interior_segment(node, c(1., 0.), c(0., 1.), c(1., 1.)));
        assert!(!is_interior_segment(node, c(1., 0.), c(0., 1.), c(-1., -1.)));
    }

    #[test]
    fn nearly_parallel_edges_of_a_sliver() {
        assert!(is_nearly_parallel((c(1., 5.), c(9., 5.)), (c(5., 5.1), c(1., 5.)), 0.5));
        assert!(!is_nearly_parallel((c(1., 5.), c(9., 5.)), (c(5., 7.), c(1., 7.)), 0.5));
    }
}
