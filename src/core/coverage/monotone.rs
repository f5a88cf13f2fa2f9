//! Whether the rings of one polygon are simple and meet each other at single points only, by monotone
//! chains (as JTS/GEOS's `MonotoneChain` noding): each ring is cut where its direction leaves a
//! quadrant, so that within a chain x and y both only grow or only shrink. Two segments of one chain
//! can then meet only where they follow each other, at their shared vertex; only pairs of chains whose
//! extents meet are compared, by halving the longer piece until short pieces remain (the extent of a
//! piece of a chain is the box of its two end points). Most segments of a real polygon are never tested
//! against anything, where the sweep over segments in `validity` tests each against its active
//! neighbours. A polygon of few segments compares all pairs instead, which costs less than the chains.
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
/// [`Scratch::any_pair_meets_badly`]); above it, monotone chains are.
const FEW_SEGMENTS: u32 = 24;

/// Whether the ring, going from `a` to `b` and on to `c`, turns straight back: the two segments then
/// share more than their vertex `b` (exact: one orientation test, then comparisons).
fn turns_back(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> bool {
    use geo::algorithm::kernels::Orientation;
    if super::predicates::orient(a, b, c) != Orientation::Collinear {
        return false;
    }
    // Collinear: back if a and c lie on the same side of b.
    let side = |p: Coord<f64>| (p.x.total_cmp(&b.x), p.y.total_cmp(&b.y));
    side(a) == side(c)
}

/// Whether segments of two different rings meet badly: anything but touching at a point (a vertex of
/// one on the other is allowed).
fn rings_cross(s0: Coord<f64>, s1: Coord<f64>, t0: Coord<f64>, t1: Coord<f64>) -> bool {
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
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => scratch.meet_badly(rings),
        // Not reachable (no callback re-enters), but a fresh buffer is always correct.
        Err(_) => Scratch::default().meet_badly(rings),
    })
}

impl Scratch {
    fn meet_badly(&mut self, rings: &[&LineString<f64>]) -> bool {
        self.points.clear();
        self.rings.clear();
        self.chains.clear();
        for ring in rings {
            let first = self.points.len() as u32;
            for &c in &ring.0 {
                if self.points.len() as u32 == first || self.points.last() != Some(&c) {
                    self.points.push(c);
                }
            }
            self.rings.push((first, self.points.len() as u32 - first - 1));
        }
        let segments: u32 = self.rings.iter().map(|r| r.1).sum();
        if segments <= FEW_SEGMENTS {
            return self.any_pair_meets_badly();
        }
        let Some(extent) = geo::BoundingRect::bounding_rect(rings[0]) else { return false };
        // Sweep along the longer side of the extent: fewer chains are active at once.
        let along_x = extent.width() >= extent.height();
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

    /// Every pair of segments, for polygons of few segments (most grids and counties): comparing all
    /// pairs' boxes costs less than cutting chains and sorting them. Neighbours in a ring need no
    /// segment intersection: they meet badly only when the ring turns back on itself.
    fn any_pair_meets_badly(&self) -> bool {
        let p = &self.points;
        for (r, &(first, segments)) in self.rings.iter().enumerate() {
            for i in 0..segments {
                let s = first + i;
                let (s0, s1) = (p[s as usize], p[s as usize + 1]);
                // Its next neighbour in the ring.
                let after = if i + 1 == segments { first } else { s + 1 };
                if turns_back(s0, s1, p[after as usize + 1]) {
                    return true;
                }
                // Every later segment of this ring but the neighbours, then every later ring's.
                let last_of_ring = if i == 0 { first + segments - 1 } else { first + segments };
                for t in s + 2..last_of_ring {
                    if boxes_meet(s0, s1, p[t as usize], p[t as usize + 1])
                        && meet(s0, s1, p[t as usize], p[t as usize + 1]) != Meet::None
                    {
                        return true;
                    }
                }
                for &(other_first, other_segments) in &self.rings[r + 1..] {
                    for t in other_first..other_first + other_segments {
                        let (t0, t1) = (p[t as usize], p[t as usize + 1]);
                        if boxes_meet(s0, s1, t0, t1) && rings_cross(s0, s1, t0, t1) {
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
                    if boxes_meet(s0, s1, p[t as usize], p[t as usize + 1]) && self.segments_meet_badly(a, s, b, t) {
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

    /// Segment `s` (from point `s` to `s + 1`) of chain `a` against segment `t` of chain `b`.
    fn segments_meet_badly(&self, a: &Chain, s: u32, b: &Chain, t: u32) -> bool {
        let p = &self.points;
        let (s0, s1, t0, t1) = (p[s as usize], p[s as usize + 1], p[t as usize], p[t as usize + 1]);
        if a.ring == b.ring {
            let (first, segments) = self.rings[a.ring as usize];
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
