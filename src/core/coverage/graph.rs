//! The segment graph of a coverage: every item's rings, a hash of every segment (to find exact matches in
//! O(1)), and an R-tree of item envelopes (to find neighbours). Items can be replaced one at a time,
//! which is what makes re-checking after an edit cheap.

use geo::{BoundingRect, MultiPolygon, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use super::rings::{Ring, SegmentKey, rings_of, segment_key};

/// Where one segment of the coverage sits, and its direction with the interior on its right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub item: u32,
    pub ring: u32,
    pub seg: u32,
    pub forward: bool,
}

pub type ItemBox = GeomWithData<Rectangle<[f64; 2]>, u32>;

pub struct Graph {
    pub geometry: Vec<MultiPolygon<f64>>,
    pub rings: Vec<Vec<Ring>>,
    pub envelope: Vec<Option<Rect<f64>>>,
    pub segments: FxHashMap<SegmentKey, SmallVec<[Occurrence; 2]>>,
    pub tree: RTree<ItemBox>,
}

pub fn aabb(r: Rect<f64>, grow: f64) -> AABB<[f64; 2]> {
    AABB::from_corners([r.min().x - grow, r.min().y - grow], [r.max().x + grow, r.max().y + grow])
}

impl Graph {
    pub fn build(geometry: Vec<MultiPolygon<f64>>) -> Graph {
        let rings: Vec<Vec<Ring>> = geometry.iter().map(rings_of).collect();
        let envelope: Vec<Option<Rect<f64>>> = geometry.iter().map(|g| g.bounding_rect()).collect();
        let boxes: Vec<ItemBox> = envelope
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let e = (*e)?;
                Some(GeomWithData::new(Rectangle::from_corners(e.min().into(), e.max().into()), i as u32))
            })
            .collect();
        let total: usize = rings.iter().flatten().map(Ring::segments).sum();
        // In a coverage most segments are shared by two items: about half as many keys as segments.
        // (A smaller table is faster to fill and to probe; the map grows if the guess is short.)
        let mut segments = FxHashMap::with_capacity_and_hasher(total / 2 + total / 16 + 16, Default::default());
        for (item, item_rings) in rings.iter().enumerate() {
            add_segments(&mut segments, item as u32, item_rings);
        }
        Graph { geometry, rings, envelope, segments, tree: RTree::bulk_load(boxes) }
    }

    pub fn len(&self) -> usize {
        self.geometry.len()
    }

    /// Replaces (or, at index == len, appends) an item's geometry.
    pub fn replace(&mut self, item: usize, geometry: MultiPolygon<f64>) {
        if item == self.len() {
            self.geometry.push(MultiPolygon(Vec::new()));
            self.rings.push(Vec::new());
            self.envelope.push(None);
        }
        let id = item as u32;
        remove_segments(&mut self.segments, id, &self.rings[item]);
        if let Some(old) = self.envelope[item] {
            self.tree.remove(&GeomWithData::new(Rectangle::from_corners(old.min().into(), old.max().into()), id));
        }
        self.rings[item] = rings_of(&geometry);
        add_segments(&mut self.segments, id, &self.rings[item]);
        self.envelope[item] = geometry.bounding_rect();
        if let Some(e) = self.envelope[item] {
            self.tree.insert(GeomWithData::new(Rectangle::from_corners(e.min().into(), e.max().into()), id));
        }
        self.geometry[item] = geometry;
    }

    /// Items whose envelope comes within `grow` of `area`.
    pub fn items_near(&self, area: Rect<f64>, grow: f64) -> impl Iterator<Item = u32> + '_ {
        self.tree.locate_in_envelope_intersecting(aabb(area, grow)).map(|b| b.data)
    }
}

/// Every non-degenerate segment of an item's rings: (ring, segment, key, forward).
fn ring_segments(rings: &[Ring]) -> impl Iterator<Item = (u32, u32, SegmentKey, bool)> + '_ {
    rings.iter().enumerate().flat_map(|(r, ring)| {
        (0..ring.segments()).filter_map(move |s| {
            let (p0, p1) = ring.segment(s);
            (p0 != p1).then(|| {
                let (key, forward) = segment_key(ring, s);
                (r as u32, s as u32, key, forward)
            })
        })
    })
}

fn add_segments(map: &mut FxHashMap<SegmentKey, SmallVec<[Occurrence; 2]>>, item: u32, rings: &[Ring]) {
    for (ring, seg, key, forward) in ring_segments(rings) {
        map.entry(key).or_default().push(Occurrence { item, ring, seg, forward });
    }
}

fn remove_segments(map: &mut FxHashMap<SegmentKey, SmallVec<[Occurrence; 2]>>, item: u32, rings: &[Ring]) {
    for (ring, seg, key, _) in ring_segments(rings) {
        if let Some(list) = map.get_mut(&key) {
            list.retain(|o| !(o.item == item && o.ring == ring && o.seg == seg));
            if list.is_empty() {
                map.remove(&key);
            }
        }
    }
}
