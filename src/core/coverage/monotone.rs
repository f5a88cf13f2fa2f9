//! Whether the rings of one polygon are simple and meet each other at single points only. Three ways to
//! the same answer, by the polygon's size and shape:
//!
//! * **all pairs** of segments, for a polygon of few segments (most grids and counties): their boxes,
//!   and the rare pairs whose boxes meet exactly;
//! * a **sweep over the segments** sorted by their low ends, each compared with the segments it
//!   overlaps along the sweep — for rings that zigzag (the quantised US counties turn quadrant after
//!   every one or two segments);
//! * **monotone chains** (as JTS/GEOS's `MonotoneChain` noding), for rings that run one way for long
//!   (streets): each ring is cut where its direction leaves a quadrant, so that within a chain x and y
//!   both only grow or only shrink. Two segments of one chain can then meet only where they follow each
//!   other, at their shared vertex; only pairs of chains whose extents meet are compared, by halving the
//!   longer piece until short pieces remain (the extent of a piece of a chain is the box of its two end
//!   points).
//!
//! Neighbouring segments of a ring share their vertex and meet badly only where the ring turns straight
//! back; the first two ways leave that to one pass over the vertices.
//!
//! This is the fast answer to "is there any problem"; when there is one, `validity` finds and names it
//! with its segment sweep, so that the reason reported does not depend on this order of search.
//!
//! ```
//! use geo::LineString;
//! use wangge::core::coverage::rings_meet_badly;
//!
//! let square = LineString::from(vec![(0., 0.), (0., 4.), (4., 4.), (4., 0.), (0., 0.)]);
//! assert!(!rings_meet_badly(&[&square]));
//! let bow_tie = LineString::from(vec![(0., 0.), (4., 4.), (4., 0.), (0., 4.), (0., 0.)]);
//! assert!(rings_meet_badly(&[&bow_tie]));
//! ```

use std::cell::RefCell;

use geo::{Coord, LineString};

use super::predicates::{Meet, meet};

/// A run of segments `start..end` (indices of points in [`Scratch::points`]) of ring `ring`, whose
/// segments all point into one quadrant.
#[derive(Clone, Copy)]
struct Chain {
    start: u32,
    end: u32,
    ring: u32,
    /// Extent along the sweep axis, for the sweep over chains.
    lo: f64,
    hi: f64,
    /// Extent across the sweep axis.
    across_lo: f64,
    across_hi: f64,
}

/// Per-thread buffers, kept between polygons so that checking a polygon allocates nothing.
#[derive(Default)]
struct Scratch {
    /// Every ring's points, repeated points dropped, rings one after another.
    points: Vec<Coord<f64>>,
    /// Per ring: its first point in `points` and its number of segments.
    rings: Vec<(u32, u32)>,
    chains: Vec<Chain>,
    /// The chains in sweep order: (low end as ordered bits, first point, chain).
    order: Vec<(u64, u32, u32)>,
    active: Vec<u32>,
    /// The segments in sweep order (see [`Scratch::sweep_meets_badly`]).
    keys: Vec<u64>,
    active_segments: Vec<ActiveSegment>,
    /// The boxes of the segments, for all pairs.
    boxes: Vec<SegmentBox>,
}

/// The box of a segment.
#[derive(Clone, Copy)]
struct SegmentBox {
    xlo: f64,
    xhi: f64,
    ylo: f64,
    yhi: f64,
}

impl SegmentBox {
    fn of(a: Coord<f64>, b: Coord<f64>) -> SegmentBox {
        SegmentBox { xlo: a.x.min(b.x), xhi: a.x.max(b.x), ylo: a.y.min(b.y), yhi: a.y.max(b.y) }
    }

    /// Touching counts.
    fn meets(&self, other: &SegmentBox) -> bool {
        self.xhi >= other.xlo && self.xlo <= other.xhi && self.yhi >= other.ylo && self.ylo <= other.yhi
    }
}

/// A segment the segment sweep has reached and not yet passed: its high end along the sweep axis (as
/// ordered bits), its extent across it, its first point and its ring.
#[derive(Clone, Copy)]
struct ActiveSegment {
    hi: u64,
    clo: f64,
    chi: f64,
    seg: u32,
    ring: u32,
}

/// The bits of `x` as an unsigned number in the order of [`f64::total_cmp`].
fn ordered_bits(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 { !bits } else { bits | 1 << 63 }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Whether the box of `a0`, `a1` meets the box of `b0`, `b1` (touching counts).
fn boxes_meet(a0: Coord<f64>, a1: Coord<f64>, b0: Coord<f64>, b1: Coord<f64>) -> bool {
    a0.x.max(a1.x) >= b0.x.min(b1.x)
        && b0.x.max(b1.x) >= a0.x.min(a1.x)
        && a0.y.max(a1.y) >= b0.y.min(b1.y)
        && b0.y.max(b1.y) >= a0.y.min(a1.y)
}

/// Up to this many segments (all rings together), every pair is compared (see
/// [`Scratch::any_pair_meets_badly`]); above it, the segment sweep or the monotone chains are.
const FEW_SEGMENTS: u32 = 24;

/// Rings of fewer segments a monotone chain than this are swept segment by segment (see
/// [`Scratch::sweep_meets_badly`]); others by their chains.
const SEGMENTS_A_CHAIN: u32 = 3;

/// Whether the ring, going from `a` to `b` and on to `c`, turns straight back: the two segments then
/// share more than their vertex `b` (exact: one orientation test, then comparisons).
fn turns_back(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> bool {
    use geo::algorithm::kernels::Orientation;
    // Back if a and c lie on the same side of b in x and in y, and the three are collinear. Most
    // vertices turn by less than a right angle, which the sign of one dot product shows: a and c on
    // the same side make every product of the differences (exact in sign) at most zero.
    let dot = (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y);
    if dot > 0.0 {
        return false;
    }
    let side = |p: Coord<f64>| (p.x.partial_cmp(&b.x), p.y.partial_cmp(&b.y));
    side(a) == side(c) && super::predicates::orient(a, b, c) == Orientation::Collinear
}

/// Whether segments of two different rings meet badly: anything but touching at a point (a vertex of
/// one on the other is allowed).
pub(super) fn rings_cross(s0: Coord<f64>, s1: Coord<f64>, t0: Coord<f64>, t1: Coord<f64>) -> bool {
    !matches!(meet(s0, s1, t0, t1), Meet::None | Meet::Endpoints(_) | Meet::Interior(_))
}

/// JTS Quadrant of a direction: NE = 0, NW = 1, SW = 2, SE = 3 (zero components count as positive).
fn quadrant(from: Coord<f64>, to: Coord<f64>) -> u8 {
    match (to.x >= from.x, to.y >= from.y) {
        (true, true) => 0,
        (false, true) => 1,
        (false, false) => 2,
        (true, false) => 3,
    }
}

/// Whether segments of the rings (the exterior first, then the holes, each closed, finite, with at
/// least 3 distinct points) meet where a valid polygon's may not: two segments of one ring anywhere
/// but the vertex they share as neighbours, or two rings along a segment or crossing (touching at a
/// vertex is allowed).
pub fn rings_meet_badly(rings: &[&LineString<f64>]) -> bool {
    rings_meet_badly_given(rings, false)
}

/// [`rings_meet_badly`], told whether the rings are known to have no repeated points (`distinct`).
pub(super) fn rings_meet_badly_given(rings: &[&LineString<f64>], distinct: bool) -> bool {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => scratch.meet_badly(rings, distinct),
        // Not reachable (no callback re-enters), but a fresh buffer is always correct.
        Err(_) => Scratch::default().meet_badly(rings, distinct),
    })
}

/// [`rings_meet_badly`] answered each way (all pairs, segment sweep, monotone chains), for tests that
/// hold the three to one answer.
#[cfg(test)]
pub(super) fn rings_meet_badly_each_way(rings: &[&LineString<f64>]) -> [bool; 3] {
    Scratch::default().each_way(rings)
}

impl Scratch {
    fn meet_badly(&mut self, rings: &[&LineString<f64>], distinct: bool) -> bool {
        self.load(rings, distinct);
        let segments: u32 = self.rings.iter().map(|r| r.1).sum();
        if segments <= FEW_SEGMENTS {
            return self.any_ring_turns_back() || self.any_pair_meets_badly();
        }
        // Chains pay where they are long (streets: many segments one way); a ring that zigzags (the
        // quantised counties: fewer than two segments a chain) is swept segment by segment.
        let along_x = self.along_x();
        if self.zigzags() {
            return self.any_ring_turns_back() || self.sweep_meets_badly(along_x);
        }
        self.cut_chains(along_x);
        self.chains_meet_badly_swept()
    }

    /// The answer of each way, whatever the polygon's size and shape: all pairs, the segment sweep, the
    /// monotone chains.
    #[cfg(test)]
    fn each_way(&mut self, rings: &[&LineString<f64>]) -> [bool; 3] {
        self.load(rings, false);
        let along_x = self.along_x();
        let pairs = self.any_ring_turns_back() || self.any_pair_meets_badly();
        let swept = self.any_ring_turns_back() || self.sweep_meets_badly(along_x);
        self.cut_chains(along_x);
        [pairs, swept, self.chains_meet_badly_swept()]
    }

    /// Sweep along the longer side of the exterior's extent: fewer segments are active at once.
    fn along_x(&self) -> bool {
        let exterior = &self.points[..=self.rings[0].1 as usize];
        let (x, y) = exterior.iter().fold(
            ((f64::INFINITY, f64::NEG_INFINITY), (f64::INFINITY, f64::NEG_INFINITY)),
            |((x0, x1), (y0, y1)), c| ((x0.min(c.x), x1.max(c.x)), (y0.min(c.y), y1.max(c.y))),
        );
        x.1 - x.0 >= y.1 - y.0
    }

    /// Copies the rings' points, repeated points dropped (none, when `distinct`), rings one after another.
    fn load(&mut self, rings: &[&LineString<f64>], distinct: bool) {
        self.points.clear();
        self.rings.clear();
        for ring in rings {
            let first = self.points.len() as u32;
            if distinct || ring.0.windows(2).all(|w| w[0] != w[1]) {
                self.points.extend_from_slice(&ring.0);
            } else {
                for &c in &ring.0 {
                    if self.points.len() as u32 == first || self.points.last() != Some(&c) {
                        self.points.push(c);
                    }
                }
            }
            self.rings.push((first, self.points.len() as u32 - first - 1));
        }
    }

    /// The segments swept in the order of their low ends along the sweep axis, each compared with the
    /// active ones (those whose high end it has not passed) whose extents across the axis meet its own.
    fn sweep_meets_badly(&mut self, along_x: bool) -> bool {
        let p = &self.points;
        // One u64 per segment, sorted: its low end as ordered bits, the lowest bits replaced by the
        // segment's first point. The sweep stands at the key with those bits cleared, at or below the
        // segment's true low end, so a segment leaves the active ones only when no later one can reach
        // it (the order among nearly equal low ends does not matter).
        let shift = u64::BITS - (p.len() as u64).leading_zeros();
        let mask = (1u64 << shift) - 1;
        let low_end = |a: Coord<f64>, b: Coord<f64>| if along_x { a.x.min(b.x) } else { a.y.min(b.y) };
        self.keys.clear();
        for &(first, segments) in &self.rings {
            let (first, segments) = (first as usize, segments as usize);
            let ring = p[first..=first + segments].windows(2).enumerate();
            self.keys.extend(ring.map(|(i, w)| ordered_bits(low_end(w[0], w[1]) + 0.0) & !mask | (first + i) as u64));
        }
        self.keys.sort_unstable();
        self.active_segments.clear();
        for &key in &self.keys {
            let s = (key & mask) as u32;
            let at = key & !mask;
            let (a, b) = (p[s as usize], p[s as usize + 1]);
            let (hi, (clo, chi)) = if along_x {
                (a.x.max(b.x), (a.y.min(b.y), a.y.max(b.y)))
            } else {
                (a.y.max(b.y), (a.x.min(b.x), a.x.max(b.x)))
            };
            self.active_segments.retain(|t| t.hi >= at);
            let r =
                if self.rings.len() == 1 { 0 } else { self.rings.partition_point(|&(first, _)| first <= s) as u32 - 1 };
            for t in &self.active_segments {
                if t.chi < clo || chi < t.clo || (t.ring == r && self.neighbours(r, s, t.seg)) {
                    continue;
                }
                if self.pair_meets_badly(r, s, t.ring, t.seg) {
                    return true;
                }
            }
            self.active_segments.push(ActiveSegment { hi: ordered_bits(hi + 0.0), clo, chi, seg: s, ring: r });
        }
        false
    }

    /// Whether the exterior's first segments change quadrant more often than once in
    /// [`SEGMENTS_A_CHAIN`] segments (a sample: which way is cheaper, not what the answer is).
    fn zigzags(&self) -> bool {
        let (first, segments) = self.rings[0];
        let sample = &self.points[first as usize..=(first + segments.min(32)) as usize];
        let changes = sample.windows(3).filter(|w| quadrant(w[0], w[1]) != quadrant(w[1], w[2])).count() as u32;
        (changes + 1) * SEGMENTS_A_CHAIN > sample.len() as u32 - 1
    }

    /// Cuts the rings into monotone chains, with their extents along and across the sweep.
    fn cut_chains(&mut self, along_x: bool) {
        self.chains.clear();
        for r in 0..self.rings.len() {
            let (first, segments) = self.rings[r];
            // Cut the ring into chains where the quadrant of its direction changes.
            let mut start = first;
            while start < first + segments {
                let q = quadrant(self.points[start as usize], self.points[start as usize + 1]);
                let mut end = start + 1;
                while end < first + segments && quadrant(self.points[end as usize], self.points[end as usize + 1]) == q
                {
                    end += 1;
                }
                let (a, b) = (self.points[start as usize], self.points[end as usize]);
                let (x, y) = ((a.x.min(b.x), a.x.max(b.x)), (a.y.min(b.y), a.y.max(b.y)));
                let ((lo, hi), (across_lo, across_hi)) = if along_x { (x, y) } else { (y, x) };
                self.chains.push(Chain { start, end, ring: r as u32, lo, hi, across_lo, across_hi });
                start = end;
            }
        }
    }

    /// The monotone chains, swept by their low ends; pairs whose extents meet are halved down to
    /// segments.
    fn chains_meet_badly_swept(&mut self) -> bool {
        // The sweep order, by the chains' low end (then their start): a sort of 12-byte keys, not of
        // the chains themselves.
        self.order.clear();
        self.order.extend(self.chains.iter().enumerate().map(|(i, c)| (ordered_bits(c.lo), c.start, i as u32)));
        self.order.sort_unstable();
        self.active.clear();
        for k in 0..self.order.len() {
            let i = self.order[k].2;
            let c = self.chains[i as usize];
            let chains = &self.chains;
            self.active.retain(|&j| chains[j as usize].hi >= c.lo);
            for &j in &self.active {
                let d = self.chains[j as usize];
                if d.across_hi < c.across_lo || c.across_hi < d.across_lo {
                    continue;
                }
                if self.chains_meet_badly(&c, c.start, c.end, &d, d.start, d.end) {
                    return true;
                }
            }
            self.active.push(i);
        }
        false
    }

    /// Whether a ring turns straight back at one of its vertices: two neighbouring segments share more
    /// than their vertex. The sweeps and the pairs leave neighbours to this one pass.
    fn any_ring_turns_back(&self) -> bool {
        let p = &self.points;
        for &(first, segments) in &self.rings {
            let ring = &p[first as usize..=(first + segments) as usize];
            // The closing vertex: the last but one point before it.
            if turns_back(ring[ring.len() - 2], ring[0], ring[1]) {
                return true;
            }
            for w in ring.windows(3) {
                if turns_back(w[0], w[1], w[2]) {
                    return true;
                }
            }
        }
        false
    }

    /// Every pair of segments, for polygons of few segments (most grids and counties): comparing all
    /// pairs' boxes costs less than sorting them. Each box is computed once; a pair is rejected on x
    /// first (most are), and the rare pairs whose boxes meet are then tested exactly. Neighbours in a
    /// ring are left to [`Scratch::any_ring_turns_back`].
    fn any_pair_meets_badly(&mut self) -> bool {
        let p = &self.points;
        self.boxes.clear();
        // The box of every pair of consecutive points (between rings too, never compared).
        self.boxes.extend(p.windows(2).map(|w| SegmentBox::of(w[0], w[1])));
        let boxes = &self.boxes[..];
        for (r, &(first, segments)) in self.rings.iter().enumerate() {
            let (first, segments) = (first as usize, segments as usize);
            for s in first..first + segments {
                let (s0, s1) = (p[s], p[s + 1]);
                let bs = boxes[s];
                // Every later segment of this ring but the neighbours.
                let last_of_ring = if s == first { first + segments - 1 } else { first + segments };
                for t in s + 2..last_of_ring.max(s + 2) {
                    if boxes[t].meets(&bs) && meet(s0, s1, p[t], p[t + 1]) != Meet::None {
                        return true;
                    }
                }
                // Every later ring's segments.
                for &(other_first, other_segments) in &self.rings[r + 1..] {
                    for t in other_first as usize..(other_first + other_segments) as usize {
                        if boxes[t].meets(&bs) && rings_cross(s0, s1, p[t], p[t + 1]) {
                            return true;
                        }
                    }
                }
            }
        }
        false
    }

    /// Whether points `a0..=a1` of chain `a` and `b0..=b1` of chain `b` hold two segments that meet badly.
    fn chains_meet_badly(&self, a: &Chain, a0: u32, a1: u32, b: &Chain, b0: u32, b1: u32) -> bool {
        /// Pieces this short are compared segment by segment rather than halved further.
        const SHORT: u32 = 4;
        let p = &self.points;
        // The pieces' extents (a monotone piece lies in the box of its end points) must meet.
        if !boxes_meet(p[a0 as usize], p[a1 as usize], p[b0 as usize], p[b1 as usize]) {
            return false;
        }
        if a1 - a0 <= SHORT && b1 - b0 <= SHORT {
            for s in a0..a1 {
                let (s0, s1) = (p[s as usize], p[s as usize + 1]);
                for t in b0..b1 {
                    if boxes_meet(s0, s1, p[t as usize], p[t as usize + 1])
                        && self.pair_meets_badly(a.ring, s, b.ring, t)
                    {
                        return true;
                    }
                }
            }
            return false;
        }
        // Halve the longer piece.
        if a1 - a0 >= b1 - b0 {
            let am = (a0 + a1) / 2;
            self.chains_meet_badly(a, a0, am, b, b0, b1) || self.chains_meet_badly(a, am, a1, b, b0, b1)
        } else {
            let bm = (b0 + b1) / 2;
            self.chains_meet_badly(a, a0, a1, b, b0, bm) || self.chains_meet_badly(a, a0, a1, b, bm, b1)
        }
    }

    /// Whether segments `s` and `t` of ring `r` follow each other.
    fn neighbours(&self, r: u32, s: u32, t: u32) -> bool {
        let (first, segments) = self.rings[r as usize];
        let last = first + segments - 1;
        s + 1 == t || t + 1 == s || (s == first && t == last) || (t == first && s == last)
    }

    /// Segment `s` (from point `s` to `s + 1`) of ring `rs` against segment `t` of ring `rt`.
    fn pair_meets_badly(&self, rs: u32, s: u32, rt: u32, t: u32) -> bool {
        let p = &self.points;
        let (s0, s1, t0, t1) = (p[s as usize], p[s as usize + 1], p[t as usize], p[t as usize + 1]);
        if rs == rt {
            let (first, segments) = self.rings[rs as usize];
            let (i, j) = (s - first, t - first);
            // Neighbours share a vertex; they meet badly only where the ring turns straight back.
            if (i + 1) % segments == j {
                return turns_back(s0, s1, t1);
            }
            if (j + 1) % segments == i {
                return turns_back(t0, t1, s1);
            }
            return meet(s0, s1, t0, t1) != Meet::None;
        }
        rings_cross(s0, s1, t0, t1)
    }
}

#[cfg(test)]
mod tests {
    use super::ordered_bits;

    /// The sweep's sort key orders numbers as `total_cmp` does, signs, zeros and extremes included.
    #[test]
    fn ordered_bits_sort_as_total_cmp() {
        let mut rng = crate::core::coverage::synthetic::Rng::new(7);
        let mut values: Vec<f64> =
            vec![0.0, -0.0, 1.0, -1.0, f64::MIN, f64::MAX, f64::MIN_POSITIVE, -f64::MIN_POSITIVE];
        values.extend((0..2000).map(|_| (rng.unit() - 0.5) * 10f64.powi((rng.next_u64() % 40) as i32 - 20)));
        for &a in &values {
            for &b in values.iter().step_by(7) {
                assert_eq!(ordered_bits(a).cmp(&ordered_bits(b)), a.total_cmp(&b), "{a} against {b}");
            }
        }
    }
}
