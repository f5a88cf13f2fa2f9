//! The segment graph of a coverage: every item's rings, a hash of every segment (to find exact matches in
//! O(1)), and an index of item envelopes (to find neighbours). Items can be replaced one at a time,
//! which is what makes re-checking after an edit cheap.

use geo::{Coord, MultiPolygon, Rect};
use rstar::{AABB, RTree};

use super::rings::{ItemRings, Ring, SegmentKey, undirected_key};
pub use super::segment_index::Occurrence;
use super::segment_index::{Chain, SegmentIndex};
use crate::core::packed_rtree::PackedRTree;
use crate::core::rect::{self, RectEntry, rect_entry};

pub type ItemBox = RectEntry<u32>;

pub struct Graph {
    pub geometry: Vec<MultiPolygon<f64>>,
    /// Each item's rings: views onto `geometry`, with a state per segment.
    pub rings: Vec<ItemRings>,
    pub envelope: Vec<Option<Rect<f64>>>,
    pub segments: SegmentIndex,
    pub tree: ItemTree,
}

/// The items' envelopes: those of the full check in a packed tree (built by one sort), and those that
/// edits have changed since in an R-tree (which can take insertions and removals).
pub struct ItemTree {
    packed: PackedRTree<u32>,
    /// Per item of the full check: whether `packed` holds its envelope as it is now (false once an
    /// edit has replaced the item, or when it had none).
    current: Vec<bool>,
    changed: RTree<ItemBox>,
}

impl ItemTree {
    fn new(envelope: &[Option<Rect<f64>>]) -> ItemTree {
        let entries: Vec<(Rect<f64>, u32)> =
            envelope.iter().enumerate().filter_map(|(i, e)| Some(((*e)?, i as u32))).collect();
        ItemTree {
            packed: PackedRTree::new(entries),
            current: envelope.iter().map(Option::is_some).collect(),
            changed: RTree::new(),
        }
    }

    fn remove(&mut self, envelope: Rect<f64>, item: u32) {
        match self.current.get_mut(item as usize) {
            Some(current) if *current => *current = false,
            _ => {
                self.changed.remove(&rect_entry(envelope, item));
            }
        }
    }

    fn insert(&mut self, envelope: Rect<f64>, item: u32) {
        self.changed.insert(rect_entry(envelope, item));
    }

    /// Items whose envelope meets `area` (touching counts): the full check's first, then the changed
    /// ones.
    fn meeting(&self, area: Rect<f64>) -> impl Iterator<Item = u32> + '_ {
        let packed = self.packed.query(area).copied().filter(|&i| self.current[i as usize]);
        let changed = self.changed.locate_in_envelope_intersecting(aabb(area, 0.0)).map(|b| b.data);
        packed.chain(changed)
    }
}

pub fn aabb(r: Rect<f64>, grow: f64) -> AABB<[f64; 2]> {
    AABB::from_corners([r.min().x - grow, r.min().y - grow], [r.max().x + grow, r.max().y + grow])
}

/// The key of an occurrence, read from its ring's coordinates.
#[inline]
fn key_of(geometry: &[MultiPolygon<f64>], rings: &[ItemRings], o: Occurrence) -> SegmentKey {
    let i = o.item as usize;
    rings[i].key_at(&geometry[i], o.ring as usize, o.seg as usize)
}

impl Graph {
    pub fn build(geometry: Vec<MultiPolygon<f64>>) -> Graph {
        let rings: Vec<ItemRings> = geometry.iter().map(ItemRings::of).collect();
        let envelope: Vec<Option<Rect<f64>>> = geometry.iter().map(envelope_of).collect();
        let tree = ItemTree::new(&envelope);
        let total: usize = rings.iter().map(|r| r.state.len()).sum();
        // In a coverage most segments are shared by two items: about half as many keys as segments.
        // (The table grows if the guess is short.)
        let mut segments = SegmentIndex::with_capacity(total / 2 + total / 16 + 16, total);
        for item in 0..rings.len() {
            add_segments(&mut segments, &geometry, &rings, item);
        }
        Graph { geometry, rings, envelope, segments, tree }
    }

    pub fn len(&self) -> usize {
        self.geometry.len()
    }

    /// Ring `r` of `item`.
    pub fn ring(&self, item: usize, r: usize) -> Ring<'_> {
        self.rings[item].ring(&self.geometry[item], r)
    }

    /// The rings of `item`, in order (none for an item out of range).
    pub fn rings_of(&self, item: usize) -> impl ExactSizeIterator<Item = Ring<'_>> + Clone + '_ {
        let (rings, geometry) = match (self.rings.get(item), self.geometry.get(item)) {
            (Some(r), Some(g)) => (r, g),
            _ => (&EMPTY_RINGS, &EMPTY_GEOMETRY),
        };
        rings.rings(geometry)
    }

    /// Every occurrence of a segment key, in insertion order.
    pub fn occurrences(&self, key: &SegmentKey) -> Chain<'_> {
        let key_of = |o: Occurrence| key_of(&self.geometry, &self.rings, o);
        self.segments.get(key, &key_of)
    }

    /// Replaces (or, at index == len, appends) an item's geometry.
    pub fn replace(&mut self, item: usize, geometry: MultiPolygon<f64>) {
        if item == self.len() {
            self.geometry.push(MultiPolygon(Vec::new()));
            self.rings.push(ItemRings::default());
            self.envelope.push(None);
        }
        let id = item as u32;
        remove_segments(&mut self.segments, &self.geometry, &self.rings, item);
        if let Some(old) = self.envelope[item] {
            self.tree.remove(old, id);
        }
        self.rings[item] = ItemRings::of(&geometry);
        self.envelope[item] = envelope_of(&geometry);
        self.geometry[item] = geometry;
        add_segments(&mut self.segments, &self.geometry, &self.rings, item);
        if let Some(e) = self.envelope[item] {
            self.tree.insert(e, id);
        }
    }

    /// Items whose envelope comes within `grow` of `area`, in no particular order (sort them where the
    /// order shows).
    pub fn items_near(&self, area: Rect<f64>, grow: f64) -> impl Iterator<Item = u32> + '_ {
        self.tree.meeting(rect::grow(area, grow))
    }
}

static EMPTY_RINGS: ItemRings = ItemRings::EMPTY;
static EMPTY_GEOMETRY: MultiPolygon<f64> = MultiPolygon(Vec::new());

/// Every non-degenerate segment of an item's rings, as the occurrence it is and its key. Plain loops,
/// not an iterator chain: this runs once per segment of the coverage.
fn each_segment(
    geometry: &MultiPolygon<f64>,
    rings: &ItemRings,
    item: usize,
    mut f: impl FnMut(SegmentKey, Occurrence),
) {
    for (r, ring) in rings.rings(geometry).enumerate() {
        for (s, w) in ring.coords.windows(2).enumerate() {
            // A ring view has no repeated points; the test costs next to nothing.
            if w[0] == w[1] {
                continue;
            }
            // As `segment_key`: the segment oriented with the interior on its right.
            let (key, forward) =
                if ring.interior_on_right { undirected_key(w[0], w[1]) } else { undirected_key(w[1], w[0]) };
            f(key, Occurrence { item: item as u32, ring: r as u32, seg: s as u32, forward });
        }
    }
}

/// The box of an item's shells: what geo's `bounding_rect` gives (the same comparisons, so the same box
/// for any coordinates, NaN and -0.0 included), in a plain loop per ring.
fn envelope_of(mp: &MultiPolygon<f64>) -> Option<Rect<f64>> {
    let mut range: Option<(f64, f64, f64, f64)> = None;
    for polygon in &mp.0 {
        let ring = &polygon.exterior().0;
        let Some(first) = ring.first() else { continue };
        let (mut x0, mut x1, mut y0, mut y1) = range.unwrap_or((first.x, first.x, first.y, first.y));
        // geo tests `p > max`, else `p < min`: while min <= max no value passes both, and a NaN
        // passes neither, so two independent tests (min and max instructions) are the same.
        for c in ring {
            x1 = if c.x > x1 { c.x } else { x1 };
            x0 = if c.x < x0 { c.x } else { x0 };
            y1 = if c.y > y1 { c.y } else { y1 };
            y0 = if c.y < y0 { c.y } else { y0 };
        }
        range = Some((x0, x1, y0, y1));
    }
    range.map(|(x0, x1, y0, y1)| Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 }))
}

fn add_segments(index: &mut SegmentIndex, geometry: &[MultiPolygon<f64>], rings: &[ItemRings], item: usize) {
    let key_of = |o: Occurrence| key_of(geometry, rings, o);
    each_segment(&geometry[item], &rings[item], item, |key, o| index.insert(&key, o, &key_of));
}

fn remove_segments(index: &mut SegmentIndex, geometry: &[MultiPolygon<f64>], rings: &[ItemRings], item: usize) {
    let key_of = |o: Occurrence| key_of(geometry, rings, o);
    each_segment(&geometry[item], &rings[item], item, |key, o| index.remove(&key, o.item, o.ring, o.seg, &key_of));
}

#[cfg(test)]
mod tests {
    use geo::{BoundingRect, Coord, MultiPolygon, Rect, polygon};

    use super::Graph;
    use crate::core::coverage::synthetic::{Rng, jittered_grid};

    fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size)]])
    }

    /// The plain loop gives geo's box on any coordinates: NaN first, NaN later, -0.0 against 0.0, empty
    /// shells between others.
    #[test]
    fn envelope_is_geos_bounding_rect() {
        use geo::{LineString, Polygon};
        let mut rng = Rng::new(5);
        let special = [f64::NAN, -0.0, 0.0, 1.0, -1.0, f64::INFINITY, f64::NEG_INFINITY];
        for case in 0..2000 {
            let polygons = (0..1 + rng.next_u64() % 3)
                .map(|_| {
                    let n = (rng.next_u64() % 6) as usize;
                    let ring: Vec<Coord<f64>> = (0..n)
                        .map(|_| {
                            let mut v = || match rng.next_u64() % 10 {
                                0 => special[(rng.next_u64() % special.len() as u64) as usize],
                                _ => rng.unit() * 10.0 - 5.0,
                            };
                            Coord { x: v(), y: v() }
                        })
                        .collect();
                    Polygon::new(LineString(ring), vec![])
                })
                .collect();
            let mp = MultiPolygon(polygons);
            let (ours, geos) = (super::envelope_of(&mp), mp.bounding_rect());
            let bits = |r: Option<Rect<f64>>| r.map(|r| [r.min().x, r.min().y, r.max().x, r.max().y].map(f64::to_bits));
            assert_eq!(bits(ours), bits(geos), "case {case}: {mp:?}");
        }
    }

    /// After edits that move items, empty them and add new ones (some edited again and again), every
    /// query finds exactly the items whose current envelope meets the area: the packed tree forgets
    /// the boxes edits replaced, the changed ones are found in the R-tree.
    #[test]
    fn neighbours_follow_edits() {
        let mut graph = Graph::build(jittered_grid(12, 12, 10.0, Coord { x: 0.0, y: 0.0 }, 3));
        let mut rng = Rng::new(11);
        for step in 0..400 {
            let item = (rng.next_u64() % (graph.len() as u64 + 1)) as usize;
            let geometry = if step % 9 == 0 {
                MultiPolygon(Vec::new())
            } else {
                square(rng.unit() * 130.0 - 5.0, rng.unit() * 130.0 - 5.0, 1.0 + rng.unit() * 20.0)
            };
            graph.replace(item, geometry);
            let area = Rect::new(
                Coord { x: rng.unit() * 120.0, y: rng.unit() * 120.0 },
                Coord { x: rng.unit() * 120.0, y: rng.unit() * 120.0 },
            );
            let grow = rng.unit() * 3.0;
            let mut found: Vec<u32> = graph.items_near(area, grow).collect();
            found.sort_unstable();
            let grown = crate::core::rect::grow(area, grow);
            let expected: Vec<u32> = (0..graph.len() as u32)
                .filter(|&i| {
                    graph.geometry[i as usize].bounding_rect().is_some_and(|e| {
                        e.min().x <= grown.max().x
                            && grown.min().x <= e.max().x
                            && e.min().y <= grown.max().y
                            && grown.min().y <= e.max().y
                    })
                })
                .collect();
            assert_eq!(found, expected, "step {step}: item {item} replaced, query {grown:?}");
        }
    }
}
