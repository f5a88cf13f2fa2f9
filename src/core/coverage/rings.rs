//! Coverage rings: every ring of every polygon with repeated points removed, its orientation relative to
//! the polygon interior, and a status per segment (as in JTS CoverageRing).

use std::borrow::Cow;

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

/// One ring of an item as the checker sees it: closed (first == last), no consecutive repeats, finite,
/// with the state of each segment. A view: the coordinates are those of the item's geometry (or, for the
/// rare ring that needed cleaning, of a cleaned copy), the states those of the item's state vector.
#[derive(Clone, Copy, Debug)]
pub struct Ring<'a> {
    pub coords: &'a [Coord<f64>],
    /// True for CW shells and CCW holes: the polygon interior lies to the right of each segment.
    pub interior_on_right: bool,
    pub state: &'a [SegmentState],
}

/// Where one ring of an item takes its coordinates, and where its segments' states start.
#[derive(Clone, Debug)]
struct RingSource {
    /// Polygon of the item's multipolygon, and ring in it (0 the exterior, 1… the holes).
    polygon: u32,
    ring: u32,
    /// The offset of the ring's first segment in the item's state vector.
    first: u32,
    interior_on_right: bool,
    /// The cleaned ring, when the geometry's ring has repeated or non-finite points or is not closed;
    /// `None` (nearly always) when the geometry's ring is used as it is: coordinates are held once.
    cleaned: Option<Box<[Coord<f64>]>>,
}

/// The rings of one item (shells first then their holes, polygon by polygon) and a state per segment,
/// all rings' states in one vector.
#[derive(Clone, Debug, Default)]
pub struct ItemRings {
    sources: Vec<RingSource>,
    pub state: Vec<SegmentState>,
    /// Every ring of the geometry is used as it is and is as validity wants it: closed, finite, no
    /// repeated point, at least 4 points, non-zero area (validity need not look at that again).
    pub plain: bool,
}

/// The coordinates of ring `ring` of polygon `polygon` (0 the exterior).
fn geometry_ring(mp: &MultiPolygon<f64>, polygon: u32, ring: u32) -> &[Coord<f64>] {
    let Some(p) = mp.0.get(polygon as usize) else { return &[] };
    let line = if ring == 0 { Some(p.exterior()) } else { p.interiors().get(ring as usize - 1) };
    line.map_or(&[], |l| l.0.as_slice())
}

/// The ring as the checker uses it (see [`Ring`]), `None` for a ring that collapses to fewer than 2
/// distinct points; borrowed when the geometry's ring already is that.
fn clean(ring: &LineString<f64>) -> Option<Cow<'_, [Coord<f64>]>> {
    let raw = &ring.0;
    let as_is = raw.len() >= 3
        && raw.first() == raw.last()
        && raw.iter().all(|c| c.x.is_finite() && c.y.is_finite())
        && raw.windows(2).all(|w| w[0] != w[1]);
    if as_is {
        return Some(Cow::Borrowed(raw.as_slice()));
    }
    let mut coords: Vec<Coord<f64>> = Vec::with_capacity(raw.len());
    for &c in raw {
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
    (coords.len() >= 3).then_some(Cow::Owned(coords))
}

/// Twice the signed area of a ring the checker can use as it is ([`clean`] would borrow it: closed, at
/// least 3 points, all finite, no consecutive repeats), summed as [`signed_area`] sums it; `None` for
/// any other ring, and for one whose area overflows (the caller then takes [`clean`]'s way).
fn twice_area_as_is(raw: &[Coord<f64>]) -> Option<f64> {
    let (&origin, rest) = raw.split_first()?;
    if raw.len() < 3 || raw.last() != Some(&origin) || !(origin.x.is_finite() && origin.y.is_finite()) {
        return None;
    }
    // No test of each point for finiteness: the first non-finite coordinate makes its segment's term
    // NaN or infinite (a finite neighbour times it, or infinity less itself), and the sum stays so. One
    // test of the sum after the loop, and no branch in it.
    let mut twice = -0.0;
    let mut repeated = false;
    let mut a = origin;
    for &b in rest {
        repeated |= a == b;
        twice += (a.x - origin.x) * (b.y - origin.y) - (b.x - origin.x) * (a.y - origin.y);
        a = b;
    }
    (!repeated && twice.is_finite()).then_some(twice)
}

impl ItemRings {
    pub const EMPTY: ItemRings = ItemRings { sources: Vec::new(), state: Vec::new(), plain: false };

    /// The rings of an item's geometry, every segment's state unknown.
    pub fn of(mp: &MultiPolygon<f64>) -> ItemRings {
        // One entry a ring (a ring that collapses leaves one unused): no reallocation as it fills.
        let mut sources = Vec::with_capacity(mp.0.iter().map(|p| 1 + p.interiors().len()).sum());
        let mut segments = 0usize;
        // No polygon: invalid, which validity names.
        let mut plain = !mp.0.is_empty();
        for (p, polygon) in mp.0.iter().enumerate() {
            let lines = std::iter::once(polygon.exterior()).chain(polygon.interiors());
            for (r, line) in lines.enumerate() {
                // Nearly always the ring as it is: checked and measured in one pass.
                let (coords, ccw) = match twice_area_as_is(&line.0) {
                    Some(twice) => {
                        // As `signed_area`, which sums the same terms in the same order and halves.
                        plain &= line.0.len() >= 4 && twice / 2.0 != 0.0;
                        (Cow::Borrowed(line.0.as_slice()), twice > 0.0)
                    }
                    None => {
                        plain = false;
                        let Some(coords) = clean(line) else { continue };
                        let ccw = signed_area(&coords) > 0.0;
                        (coords, ccw)
                    }
                };
                let is_shell = r == 0;
                let interior_on_right = if is_shell { !ccw } else { ccw };
                let first = segments as u32;
                segments += coords.len() - 1;
                let cleaned = match coords {
                    Cow::Borrowed(_) => None,
                    Cow::Owned(v) => Some(v.into_boxed_slice()),
                };
                sources.push(RingSource { polygon: p as u32, ring: r as u32, first, interior_on_right, cleaned });
            }
        }
        ItemRings { sources, state: vec![SegmentState::Unknown; segments], plain }
    }

    /// Where ring `r`'s segments start in [`ItemRings::state`].
    pub fn first(&self, r: usize) -> usize {
        // The first ring's segments come first: no need to look (most items have one ring).
        if r == 0 { 0 } else { self.sources[r].first as usize }
    }

    /// Ring `r`, its coordinates taken from `mp`, the item's geometry these rings were made of.
    pub fn ring<'a>(&'a self, mp: &'a MultiPolygon<f64>, r: usize) -> Ring<'a> {
        let source = &self.sources[r];
        let coords = match &source.cleaned {
            Some(c) => c,
            None => geometry_ring(mp, source.polygon, source.ring),
        };
        let first = source.first as usize;
        let n = coords.len().saturating_sub(1);
        Ring { coords, interior_on_right: source.interior_on_right, state: &self.state[first..first + n] }
    }

    /// The key of segment `seg` of ring `r` ([`segment_key`]'s, which does not depend on the ring's
    /// orientation), read without making the ring's view: how the segment index confirms a match.
    #[inline]
    pub fn key_at(&self, mp: &MultiPolygon<f64>, r: usize, seg: usize) -> SegmentKey {
        let source = &self.sources[r];
        let coords = match &source.cleaned {
            Some(c) => c,
            None => geometry_ring(mp, source.polygon, source.ring),
        };
        undirected_key(coords[seg], coords[seg + 1]).0
    }

    /// Every ring, in order.
    pub fn rings<'a>(&'a self, mp: &'a MultiPolygon<f64>) -> impl ExactSizeIterator<Item = Ring<'a>> + Clone + 'a {
        (0..self.sources.len()).map(move |r| self.ring(mp, r))
    }
}

impl Ring<'_> {
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

/// Hash key of a segment regardless of direction: the smaller endpoint first (x, then y).
pub type SegmentKey = [u64; 4];

fn bits(v: f64) -> u64 {
    // -0.0 and 0.0 are the same coordinate: adding 0.0 turns -0.0 into 0.0 and leaves every other
    // finite value as it is, without a branch.
    (v + 0.0).to_bits()
}

/// The key of the segment `p0`–`p1` and whether it runs from the smaller endpoint to the larger.
#[inline]
pub fn undirected_key(p0: Coord<f64>, p1: Coord<f64>) -> (SegmentKey, bool) {
    // `(p0.x, p0.y) <= (p1.x, p1.y)` spelt out (the same answer, NaN included: every comparison with
    // it is false), which compiles to two comparisons without the tuple's ordering chain.
    let forward = p0.x < p1.x || (p0.x == p1.x && p0.y <= p1.y);
    let (a, b) = if forward { (p0, p1) } else { (p1, p0) };
    ([bits(a.x), bits(a.y), bits(b.x), bits(b.y)], forward)
}

/// The key and whether the segment, oriented with the interior on its right, runs from the smaller
/// endpoint to the larger ("forward").
pub fn segment_key(ring: &Ring, i: usize) -> (SegmentKey, bool) {
    let (p0, p1) = ring.segment(i);
    if ring.interior_on_right { undirected_key(p0, p1) } else { undirected_key(p1, p0) }
}

#[cfg(test)]
mod tests {
    use geo::{Coord, LineString, MultiPolygon, Polygon};

    use super::{ItemRings, segment_key};

    /// The key's direction is the tuple order `(x, y) <=` on every pair of values, NaN and signed zeros
    /// included.
    #[test]
    fn forward_is_the_tuple_order() {
        let values = [f64::NAN, -0.0, 0.0, 1.0, -1.0, f64::INFINITY, f64::NEG_INFINITY];
        for &ax in &values {
            for &ay in &values {
                for &bx in &values {
                    for &by in &values {
                        let (a, b) = (Coord { x: ax, y: ay }, Coord { x: bx, y: by });
                        assert_eq!(super::undirected_key(a, b).1, (ax, ay) <= (bx, by), "{a:?} {b:?}");
                    }
                }
            }
        }
    }

    /// The one-pass area is `signed_area`'s, doubled, exactly for the rings `clean` would borrow, and
    /// `None` for every other: NaN and infinities anywhere (one or both coordinates, next to a point on
    /// the first's axis), repeated points, rings not closed or too short, areas that overflow.
    #[test]
    fn twice_area_only_of_rings_used_as_they_are() {
        let mut rng = crate::core::coverage::synthetic::Rng::new(23);
        let special = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300];
        let (mut some, mut none) = (0, 0);
        for case in 0..20_000 {
            let n = 2 + (rng.next_u64() % 7) as usize;
            let mut ring: Vec<Coord<f64>> =
                (0..n).map(|_| Coord { x: (rng.next_u64() % 4) as f64, y: (rng.next_u64() % 4) as f64 }).collect();
            if !rng.next_u64().is_multiple_of(4) {
                ring.push(ring[0]);
            }
            if rng.next_u64().is_multiple_of(3) {
                let at = (rng.next_u64() % ring.len() as u64) as usize;
                let value = special[(rng.next_u64() % special.len() as u64) as usize];
                match rng.next_u64() % 3 {
                    0 => ring[at].x = value,
                    1 => ring[at].y = value,
                    _ => ring[at] = Coord { x: value, y: value },
                }
            }
            let borrowed = matches!(super::clean(&LineString(ring.clone())), Some(std::borrow::Cow::Borrowed(_)));
            let area = super::signed_area(&ring);
            let expected = (borrowed && area.is_finite()).then_some(area);
            let got = super::twice_area_as_is(&ring).map(|twice| twice / 2.0);
            assert_eq!(got.map(f64::to_bits), expected.map(f64::to_bits), "case {case}: {ring:?}");
            if got.is_some() { some += 1 } else { none += 1 }
        }
        assert!(some > 2000 && none > 2000, "{some} used as they are, {none} not");
    }

    /// The key read for the segment index is the ring view's key, whichever way each ring runs, with
    /// signed zeros, repeated points (a cleaned ring) and holes.
    #[test]
    fn key_at_is_the_views_key() {
        let mut rng = crate::core::coverage::synthetic::Rng::new(11);
        let coordinate = |rng: &mut crate::core::coverage::synthetic::Rng| match rng.next_u64() % 5 {
            0 => 0.0,
            1 => -0.0,
            _ => (rng.next_u64() % 7) as f64 - 3.0,
        };
        for _ in 0..300 {
            let ring = |rng: &mut crate::core::coverage::synthetic::Rng| {
                let n = 3 + rng.next_u64() % 6;
                let mut points: Vec<Coord<f64>> =
                    (0..n).map(|_| Coord { x: coordinate(rng), y: coordinate(rng) }).collect();
                points.push(points[0]);
                LineString(points)
            };
            let (exterior, hole) = (ring(&mut rng), ring(&mut rng));
            let mp = MultiPolygon(vec![Polygon::new(exterior, vec![hole])]);
            let rings = ItemRings::of(&mp);
            for (r, view) in rings.rings(&mp).enumerate() {
                for s in 0..view.segments() {
                    let (p0, p1) = view.segment(s);
                    if p0 != p1 {
                        assert_eq!(rings.key_at(&mp, r, s), segment_key(&view, s).0, "{mp:?} ring {r} segment {s}");
                    }
                }
            }
        }
    }
}
