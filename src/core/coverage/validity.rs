//! Polygon validity (OGC simple-feature rules that matter for a partition) in O(n log n): rings with
//! enough distinct finite points and non-zero area, no ring crossing or touching itself, rings of one
//! polygon crossing each other at most at single points, holes inside their shell. A sweep over the
//! segments sorted by x replaces the all-pairs test, which is what makes checking real data fast.

use std::fmt;

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};

use smallvec::SmallVec;

use super::monotone::{rings_cross, rings_meet_badly, rings_meet_badly_given};
use super::predicates::{Meet, meet};
use super::rings::signed_area;
use crate::core::rect;

/// Why a grid is not a valid polygon: a machine-readable reason (see [`InvalidReason::key`]); the words
/// for it in each language are the app's (`finding_text`), the English [`fmt::Display`] is for logs and
/// edit refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InvalidReason {
    pub problem: InvalidProblem,
    /// 1-based part of a multipolygon, when it has several.
    pub part: Option<usize>,
}

/// Rings are numbered 0 for the exterior, 1… for the holes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvalidProblem {
    /// The grid has no polygon at all.
    NoPolygon,
    /// A coordinate is NaN or infinite.
    NotFinite { ring: usize },
    /// A ring with fewer than 3 distinct points, or not closed.
    TooFewPoints { ring: usize },
    /// A ring crosses or touches itself.
    SelfIntersection { ring: usize },
    /// Two rings of one polygon cross (or share a segment).
    RingsCross { first: usize, second: usize },
    /// A ring encloses no area.
    ZeroArea { ring: usize },
    /// A hole not inside the exterior ring.
    HoleOutside { hole: usize },
    /// Two parts of a multipolygon overlap.
    PartsOverlap { first: usize, second: usize },
}

impl InvalidProblem {
    /// The key used in JSON output (`reason`).
    pub fn key(self) -> &'static str {
        match self {
            InvalidProblem::NoPolygon => "no_polygon",
            InvalidProblem::NotFinite { .. } => "not_finite",
            InvalidProblem::TooFewPoints { .. } => "too_few_points",
            InvalidProblem::SelfIntersection { .. } => "self_intersection",
            InvalidProblem::RingsCross { .. } => "rings_cross",
            InvalidProblem::ZeroArea { .. } => "zero_area",
            InvalidProblem::HoleOutside { .. } => "hole_outside",
            InvalidProblem::PartsOverlap { .. } => "parts_overlap",
        }
    }
}

impl InvalidReason {
    pub fn key(self) -> &'static str {
        self.problem.key()
    }

    fn whole(problem: InvalidProblem) -> InvalidReason {
        InvalidReason { problem, part: None }
    }
}

fn ring_name(r: usize) -> String {
    if r == 0 { "the exterior ring".into() } else { format!("interior ring {r}") }
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(part) = self.part {
            write!(f, "part {part}: ")?;
        }
        match self.problem {
            InvalidProblem::NoPolygon => write!(f, "has no polygon"),
            InvalidProblem::NotFinite { ring } => {
                write!(f, "{} has a coordinate that is not a finite number", ring_name(ring))
            }
            InvalidProblem::TooFewPoints { ring } => {
                write!(f, "{} must have at least 3 distinct points", ring_name(ring))
            }
            InvalidProblem::SelfIntersection { ring } => write!(f, "{} crosses or touches itself", ring_name(ring)),
            InvalidProblem::RingsCross { first, second } => {
                write!(f, "{} and {} cross", ring_name(first), ring_name(second))
            }
            InvalidProblem::ZeroArea { ring } => write!(f, "{} has zero area", ring_name(ring)),
            InvalidProblem::HoleOutside { hole } => write!(f, "interior ring {hole} is not inside the exterior ring"),
            InvalidProblem::PartsOverlap { first, second } => write!(f, "parts {first} and {second} overlap"),
        }
    }
}

/// Why a multipolygon is not valid, if it is not, in English (for edit refusals and logs).
pub fn validity_problem(g: &MultiPolygon<f64>) -> Option<String> {
    validity_reason(g).map(|r| r.to_string())
}

/// Why a multipolygon is not valid, if it is not. Empty parts (`MULTIPOLYGON (…, EMPTY)`) carry no
/// area and are ignored, as JTS does; a grid with no non-empty part has no polygon.
pub fn validity_reason(g: &MultiPolygon<f64>) -> Option<InvalidReason> {
    validity_reason_given(g, false)
}

/// [`validity_reason`], told whether every ring of `g` is already known to be closed, finite, without
/// repeated points, of at least 4 points and of non-zero area ([`super::rings::ItemRings::plain`], found
/// as the checker measures the rings): those tests are then not made again. The answer is the same.
pub(super) fn validity_reason_given(g: &MultiPolygon<f64>, plain: bool) -> Option<InvalidReason> {
    let parts = g.0.iter().filter(|p| !is_empty_part(p)).count();
    if parts == 0 {
        return Some(InvalidReason::whole(InvalidProblem::NoPolygon));
    }
    for (p, polygon) in g.0.iter().enumerate().filter(|(_, p)| !is_empty_part(p)) {
        if let Some(problem) = polygon_problem(polygon, plain) {
            return Some(InvalidReason { problem, part: (g.0.len() > 1).then_some(p + 1) });
        }
    }
    if parts > 1 {
        return parts_problem(g).map(InvalidReason::whole);
    }
    None
}

/// A polygon with no coordinates at all (an EMPTY part).
pub fn is_empty_part(p: &Polygon<f64>) -> bool {
    p.exterior().0.is_empty() && p.interiors().iter().all(|r| r.0.is_empty())
}

fn polygon_problem(polygon: &Polygon<f64>, plain: bool) -> Option<InvalidProblem> {
    let rings: SmallVec<[&LineString<f64>; 4]> =
        std::iter::once(polygon.exterior()).chain(polygon.interiors()).collect();
    // Rings the checker found plain passed the finiteness, point-count and area tests as it measured them.
    let untested: &[&LineString<f64>] = if plain { &[] } else { &rings };
    for (r, ring) in untested.iter().enumerate() {
        if ring.0.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
            return Some(InvalidProblem::NotFinite { ring: r });
        }
        let distinct = 1 + ring.0.windows(2).filter(|w| w[0] != w[1]).count();
        if distinct < 4 || ring.0.first() != ring.0.last() {
            return Some(InvalidProblem::TooFewPoints { ring: r });
        }
    }
    // The monotone chains answer whether anything crosses; the sweep, rarely run, says what.
    if rings_meet_badly_given(&rings, plain)
        && let Some(problem) = crossing(&rings)
    {
        return Some(problem);
    }
    for (r, ring) in untested.iter().enumerate() {
        if signed_area(&ring.0) == 0.0 {
            return Some(InvalidProblem::ZeroArea { ring: r });
        }
    }
    if polygon.interiors().is_empty() {
        return None;
    }
    let shell = Polygon::new(polygon.exterior().clone(), vec![]);
    for (h, hole) in polygon.interiors().iter().enumerate() {
        let outside = hole.0.iter().find_map(|c| match shell.coordinate_position(c) {
            CoordPos::Inside => Some(false),
            CoordPos::Outside => Some(true),
            CoordPos::OnBoundary => None,
        });
        if outside != Some(false) {
            return Some(InvalidProblem::HoleOutside { hole: h + 1 });
        }
    }
    None
}

/// A segment of ring `ring`, index `index`, with its extent along the sweep (`lo`..`hi`) and across it
/// (`clo`..`chi`), computed once.
struct Seg {
    a: Coord<f64>,
    b: Coord<f64>,
    lo: f64,
    hi: f64,
    clo: f64,
    chi: f64,
    ring: u32,
    index: u32,
    ring_len: u32,
}

/// Self-intersections within a ring and crossings between rings, by a sweep over x.
fn crossing(rings: &[&LineString<f64>]) -> Option<InvalidProblem> {
    // Sweep along the longer side of the extent: fewer segments are active at once.
    let along_x = rings[0].bounding_rect().is_none_or(|r| r.width() >= r.height());
    let mut segs: Vec<Seg> = Vec::with_capacity(rings.iter().map(|r| r.0.len()).sum());
    for (r, ring) in rings.iter().enumerate() {
        // The ring without repeated points, as segments (consecutive equal points are one vertex).
        let first = segs.len();
        let mut prev: Option<Coord<f64>> = None;
        for &c in &ring.0 {
            if let Some(p) = prev {
                if p == c {
                    continue;
                }
                let (lo, hi, clo, chi) = if along_x {
                    (p.x.min(c.x), p.x.max(c.x), p.y.min(c.y), p.y.max(c.y))
                } else {
                    (p.y.min(c.y), p.y.max(c.y), p.x.min(c.x), p.x.max(c.x))
                };
                let index = (segs.len() - first) as u32;
                segs.push(Seg { a: p, b: c, lo, hi, clo, chi, ring: r as u32, index, ring_len: 0 });
            }
            prev = Some(c);
        }
        let n = (segs.len() - first) as u32;
        for s in &mut segs[first..] {
            s.ring_len = n;
        }
    }
    segs.sort_by(|p, q| p.lo.total_cmp(&q.lo));
    let mut active: Vec<usize> = Vec::new();
    for i in 0..segs.len() {
        let s = &segs[i];
        active.retain(|&j| segs[j].hi >= s.lo);
        for &j in &active {
            let t = &segs[j];
            if t.chi < s.clo || s.chi < t.clo {
                continue;
            }
            let m = meet(s.a, s.b, t.a, t.b);
            if m == Meet::None {
                continue;
            }
            if s.ring == t.ring {
                let adjacent = (s.index + 1) % s.ring_len == t.index || (t.index + 1) % t.ring_len == s.index;
                let shared_vertex = matches!(m, Meet::Endpoints(_));
                if adjacent && shared_vertex {
                    continue;
                }
                return Some(InvalidProblem::SelfIntersection { ring: s.ring as usize });
            }
            if !matches!(m, Meet::Endpoints(_) | Meet::Interior(_)) {
                let (a, b) = (t.ring.min(s.ring) as usize, t.ring.max(s.ring) as usize);
                return Some(InvalidProblem::RingsCross { first: a, second: b });
            }
        }
        active.push(i);
    }
    None
}

/// Parts of a multipolygon must not overlap (they may touch at points). Only parts whose extents meet
/// are compared (islands far apart cost nothing); when two shells do not cross, one vertex tells whether
/// one lies inside the other.
fn parts_problem(g: &MultiPolygon<f64>) -> Option<InvalidProblem> {
    let boxes: Vec<_> = g.0.iter().map(|p| if is_empty_part(p) { None } else { p.bounding_rect() }).collect();
    let mut order: Vec<usize> = (0..g.0.len()).collect();
    order.sort_by(|&a, &b| {
        let x = |i: usize| boxes[i].map_or(f64::INFINITY, |r| r.min().x);
        x(a).total_cmp(&x(b))
    });
    for (k, &i) in order.iter().enumerate() {
        let Some(bi) = boxes[i] else { continue };
        for &j in &order[k + 1..] {
            let Some(bj) = boxes[j] else { continue };
            if bj.min().x > bi.max().x {
                break;
            }
            if bj.min().y > bi.max().y || bi.min().y > bj.max().y {
                continue;
            }
            let (p, q) = (&g.0[i], &g.0[j]);
            let first_inside = |a: &Polygon<f64>, b: &Polygon<f64>| {
                b.exterior().0.iter().find_map(|c| match a.coordinate_position(c) {
                    CoordPos::Inside => Some(true),
                    CoordPos::Outside => Some(false),
                    CoordPos::OnBoundary => None,
                }) == Some(true)
            };
            // Where the boxes overlap, their edges included (parts whose boxes only touch can share a
            // segment along that edge); the boxes meet, as tested above.
            let Some(window) = rect::meeting(bi, bj) else { continue };
            if shells_cross(p.exterior(), q.exterior(), window) || first_inside(p, q) || first_inside(q, p) {
                return Some(InvalidProblem::PartsOverlap { first: i.min(j) + 1, second: i.max(j) + 1 });
            }
        }
    }
    None
}

/// Up to this many pairs of segments near the other part, [`shells_cross`] compares them pair by pair.
const FEW_PAIRS: usize = 4096;

/// Whether the exteriors of two parts, each a simple ring (`polygon_problem` passed both), cross or
/// share a segment (touching at points is allowed). Only a segment whose box meets `window`, where the
/// two rings' boxes overlap, can meet the other ring: beside a coast, an island's box holds a few of
/// the mainland's segments, and those few are compared with the island's near the mainland, pair by
/// pair. When that leaves many pairs, both rings go through the monotone chains (and, if they find
/// anything, the naming sweep).
fn shells_cross(a: &LineString<f64>, b: &LineString<f64>, window: Rect<f64>) -> bool {
    let (lo, hi) = (window.min(), window.max());
    let near = |ring: &LineString<f64>| -> Vec<(Coord<f64>, Coord<f64>)> {
        ring.0
            .windows(2)
            .filter(|w| {
                let (p, q) = (w[0], w[1]);
                p != q && p.x.max(q.x) >= lo.x && p.x.min(q.x) <= hi.x && p.y.max(q.y) >= lo.y && p.y.min(q.y) <= hi.y
            })
            .map(|w| (w[0], w[1]))
            .collect()
    };
    let (near_a, near_b) = (near(a), near(b));
    if near_a.len().saturating_mul(near_b.len()) > FEW_PAIRS {
        let rings = [a, b];
        return rings_meet_badly(&rings) && crossing(&rings).is_some();
    }
    near_a.iter().any(|&(s0, s1)| near_b.iter().any(|&(t0, t1)| rings_cross(s0, s1, t0, t1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    /// Each fast way (all pairs, the segment sweep with its turn-back pass, the monotone chains) and the
    /// way chosen by size and shape must find a problem exactly when the naming sweep does: random rings
    /// on a small integer grid, so that shared vertices, collinear runs, spikes, touching and crossing
    /// rings are common; sizes on both sides of the all-pairs limit.
    #[test]
    fn every_way_agrees_with_the_naming_sweep() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let (mut bad, mut cases) = (0, 0);
        // Cases over the all-pairs limit (monotone chains), and how many of them are bad.
        let (mut long_bad, mut long_cases) = (0, 0);
        for case in 0..12000 {
            let rings_n = 1 + (case % 3);
            let mut rings: Vec<LineString<f64>> = Vec::new();
            for r in 0..rings_n {
                let points = 3 + next(if case % 3 == 0 { 12 } else { 120 }) as usize;
                let grid = 4 + next(24) as i64;
                let mut ring: Vec<Coord<f64>> = Vec::new();
                if case % 2 == 0 {
                    // A star around a centre: simple unless the grid rounds it onto itself; the
                    // holes' stars lie mostly inside the exterior's, sometimes touching or crossing it.
                    let outer = if case % 4 == 0 { 3.0 * grid as f64 } else { grid as f64 } / (1 + 2 * r) as f64;
                    for k in 0..points {
                        let angle = k as f64 / points as f64 * std::f64::consts::TAU;
                        let radius = outer * (0.7 + 0.3 * next(100) as f64 / 100.0);
                        ring.push(Coord { x: (radius * angle.cos()).round(), y: (radius * angle.sin()).round() });
                    }
                } else {
                    // A random walk with steps of -1, 0 or 1 (or larger), often turning back on itself.
                    let (mut x, mut y) = (next(grid as u64) as i64, next(grid as u64) as i64);
                    for _ in 0..points {
                        ring.push(Coord { x: x as f64, y: y as f64 });
                        let step = if case % 7 == 0 { 5 } else { 3 };
                        x += next(step) as i64 - (step as i64) / 2;
                        y += next(step) as i64 - (step as i64) / 2;
                    }
                }
                ring.push(ring[0]);
                rings.push(LineString(ring));
            }
            // The same preconditions as `polygon_problem`: at least 3 distinct points per ring.
            if rings.iter().any(|r| 1 + r.0.windows(2).filter(|w| w[0] != w[1]).count() < 4) {
                continue;
            }
            let refs: Vec<&LineString<f64>> = rings.iter().collect();
            let swept = crossing(&refs).is_some();
            assert_eq!(rings_meet_badly(&refs), swept, "case {case}: {rings:?}");
            assert_eq!(super::super::monotone::rings_meet_badly_each_way(&refs), [swept; 3], "case {case}: {rings:?}");
            cases += 1;
            bad += usize::from(swept);
            if rings.iter().map(|r| r.0.len()).sum::<usize>() > 60 {
                long_cases += 1;
                long_bad += usize::from(swept);
            }
        }
        assert!(long_bad > long_cases / 10 && long_cases - long_bad > long_cases / 10, "{long_bad} of {long_cases}");
        // Both answers are common, so both directions of disagreement were tried.
        assert!(bad > cases / 5 && cases - bad > cases / 5, "{bad} of {cases} cases bad");
    }

    /// Two simple rings cross exactly when the monotone chains and the naming sweep say so of both
    /// together, as `shells_cross` finds it comparing the segments near the other ring: random stars
    /// on small integer grids, touching, crossing, sharing segments and apart, with boxes that overlap
    /// or only touch.
    #[test]
    fn shells_cross_as_the_sweep_says() {
        let mut rng = crate::core::coverage::synthetic::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut next = |n: u64| rng.next_u64() % n;
        let (mut crossed, mut cases) = (0, 0);
        for case in 0..6000 {
            let star = |points: usize, next: &mut dyn FnMut(u64) -> u64| {
                let radius = 2.0 + next(6) as f64;
                let (cx, cy) = (next(12) as f64, next(12) as f64);
                let mut ring: Vec<Coord<f64>> = (0..points)
                    .map(|k| {
                        let angle = k as f64 / points as f64 * std::f64::consts::TAU;
                        let r = radius * (0.6 + 0.4 * next(100) as f64 / 100.0);
                        Coord { x: (cx + r * angle.cos()).round(), y: (cy + r * angle.sin()).round() }
                    })
                    .collect();
                ring.dedup();
                ring.push(ring[0]);
                LineString(ring)
            };
            let many = if case % 5 == 0 { 90 } else { 4 + next(12) as usize };
            let few = 4 + next(12) as usize;
            let (a, b) = (star(many, &mut next), star(few, &mut next));
            let simple = |r: &LineString<f64>| r.0.len() >= 4 && crossing(&[r]).is_none() && signed_area(&r.0) != 0.0;
            if !simple(&a) || !simple(&b) {
                continue;
            }
            let (Some(ba), Some(bb)) = (a.bounding_rect(), b.bounding_rect()) else { continue };
            let Some(window) = crate::core::rect::meeting(ba, bb) else { continue };
            let swept = rings_meet_badly(&[&a, &b]) && crossing(&[&a, &b]).is_some();
            assert_eq!(shells_cross(&a, &b, window), swept, "case {case}: {a:?} {b:?}");
            assert_eq!(shells_cross(&b, &a, window), swept, "case {case} reversed: {a:?} {b:?}");
            cases += 1;
            crossed += usize::from(swept);
        }
        assert!(crossed > cases / 5 && cases - crossed > cases / 5, "{crossed} of {cases} cross");
        assert!(cases > 2000, "{cases} cases");
    }

    /// Told what the checker's rings found (`ItemRings::plain`), validity gives the same reason as
    /// without: random rings on a small grid (repeated points, spikes, collinear and zero-area rings),
    /// rings not closed, NaN, an empty part or hole, and an area whose half underflows to zero.
    #[test]
    fn plain_rings_give_the_same_reason() {
        use super::super::rings::ItemRings;
        let mut rng = crate::core::coverage::synthetic::Rng::new(0x5DEE_CE66_D1CE_4E5B);
        let mut ring = |n: u64, grid: u64| -> LineString<f64> {
            let mut points: Vec<Coord<f64>> = (0..3 + rng.next_u64() % n)
                .map(|_| Coord { x: (rng.next_u64() % grid) as f64, y: (rng.next_u64() % grid) as f64 })
                .collect();
            match rng.next_u64() % 20 {
                0 => points[1].x = f64::NAN,
                1 => {}
                2 => points.insert(1, points[1]),
                _ => points.push(points[0]),
            }
            LineString(points)
        };
        let mut cases: Vec<MultiPolygon<f64>> = (0..6000)
            .map(|case| {
                let parts = 1 + case % 3;
                MultiPolygon(
                    (0..parts)
                        .map(|_| {
                            let holes = (0..case % 2).map(|_| ring(5, 6)).collect();
                            Polygon::new(ring(if case % 5 == 0 { 40 } else { 8 }, 12), holes)
                        })
                        .collect(),
                )
            })
            .collect();
        let tiny = f64::MIN_POSITIVE;
        let underflow = polygon![(x: 0., y: 0.), (x: tiny, y: 0.), (x: 0., y: 2f64.powi(-52))];
        let square = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)];
        let empty_hole = Polygon::new(square.exterior().clone(), vec![LineString(vec![])]);
        cases.extend([
            MultiPolygon(vec![underflow]),
            MultiPolygon(vec![square.clone(), Polygon::new(LineString(vec![]), vec![])]),
            MultiPolygon(vec![empty_hole]),
            MultiPolygon(vec![]),
        ]);
        let mut plain = 0;
        for (case, g) in cases.iter().enumerate() {
            let rings = ItemRings::of(g);
            plain += usize::from(rings.plain);
            assert_eq!(validity_reason_given(g, rings.plain), validity_reason(g), "case {case}: {g:?}");
        }
        assert!(plain > cases.len() / 10 && plain < cases.len() * 9 / 10, "{plain} of {} plain", cases.len());
        let underflow = &cases[cases.len() - 4];
        assert!(!ItemRings::of(underflow).plain);
        assert_eq!(validity_reason(underflow).map(InvalidReason::key), Some("zero_area"));
    }

    #[test]
    fn finds_the_usual_problems() {
        let ok = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)];
        assert_eq!(validity_problem(&MultiPolygon(vec![ok.clone()])), None);
        let bow_tie = polygon![(x: 0., y: 0.), (x: 4., y: 4.), (x: 4., y: 0.), (x: 0., y: 4.)];
        assert!(validity_problem(&MultiPolygon(vec![bow_tie])).unwrap().contains("crosses or touches itself"));
        let spike = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 2., y: 0.)];
        assert!(validity_problem(&MultiPolygon(vec![spike])).is_some());
        let flat = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 8., y: 0.)];
        assert!(validity_problem(&MultiPolygon(vec![flat])).is_some());
        let hole_out = polygon![
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 5., y: 5.), (x: 6., y: 5.), (x: 6., y: 6.)]],
        ];
        assert!(validity_problem(&MultiPolygon(vec![hole_out])).unwrap().contains("not inside"));
        let hole_in = polygon![
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)],
            interiors: [[(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.)]],
        ];
        assert_eq!(validity_problem(&MultiPolygon(vec![hole_in])), None);
        let overlapping = MultiPolygon(vec![ok.clone(), polygon![(x: 2., y: 2.), (x: 6., y: 2.), (x: 6., y: 6.)]]);
        assert!(validity_problem(&overlapping).unwrap().contains("overlap"));
        let nan = polygon![(x: 0., y: 0.), (x: f64::NAN, y: 0.), (x: 4., y: 4.)];
        assert!(validity_problem(&MultiPolygon(vec![nan])).unwrap().contains("finite"));
    }
}
