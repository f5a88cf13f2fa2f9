//! Re-checking after an edit: only the items within reach of the old and new shapes go through the
//! phases again; the gap pass reruns only when the coverage's unmatched segments change or it is dirty.

use std::collections::BTreeSet;

use geo::{BoundingRect, MultiPolygon, Rect};

use super::rings::{SegmentKey, SegmentState, segment_key};
use super::{Checker, precision};
use crate::core::rect;

impl Checker {
    /// Replaces the geometry of some items (an index equal to the current count appends a new item) and
    /// re-checks only what those edits can affect: the items within reach of the old and new shapes.
    pub fn update(&mut self, changes: Vec<(usize, MultiPolygon<f64>)>) {
        let p = self.options.precision;
        let gap_width_in_world = self.gap_width_in_world;
        let changes: Vec<(usize, MultiPolygon<f64>)> =
            changes.into_iter().map(|(i, g)| (i, precision::prepare(g, p))).collect();
        let mut dirty: Option<Rect<f64>> = None;
        for (i, g) in &changes {
            for r in [self.graph.envelope.get(*i).copied().flatten(), g.bounding_rect()].into_iter().flatten() {
                dirty = Some(dirty.map_or(r, |d| rect::union(d, r)));
            }
        }
        let mut affected: BTreeSet<u32> = changes.iter().map(|(i, _)| *i as u32).collect();
        if let Some(d) = dirty {
            affected.extend(self.graph.items_near(d, gap_width_in_world));
        }
        let before = self.unmatched_keys(&affected);
        let dirty_before = self.dirty_items();
        let changed: Vec<u32> = changes.iter().map(|(i, _)| *i as u32).collect();
        for (i, g) in changes {
            if i >= self.graph.len() {
                self.invalid.push(None);
                self.deleted.push(false);
                self.segments.push(Vec::new());
                self.open.push(false);
            }
            if !g.0.is_empty() {
                self.deleted[i] = false;
            }
            self.graph.replace(i, g);
        }
        let affected: Vec<u32> = affected.into_iter().filter(|&i| (i as usize) < self.graph.len()).collect();
        self.phases.clear();
        self.run_phases(&affected, Some(&changed));
        // The union the gap pass builds changes only where the edit is: through the unmatched segments of
        // the items it reached, or through dirty items (invalid, or with invalid edges) it touched or
        // made. A dirty coverage elsewhere does not make every edit rerun the whole gap pass.
        let dirty_after = self.dirty_items();
        let touches_dirty = dirty.is_some_and(|d| {
            dirty_before.iter().chain(&dirty_after).any(|&m| {
                self.graph.envelope.get(m as usize).copied().flatten().is_some_and(|e| near(e, d, gap_width_in_world))
            })
        });
        if self.unmatched_keys(&affected.iter().copied().collect()) != before
            || dirty_before != dirty_after
            || touches_dirty
        {
            let t = std::time::Instant::now();
            self.recompute_areas();
            self.phases.push(("gaps", t.elapsed().as_secs_f64() * 1e3));
        }
    }

    /// Removes items: they become empty, and no finding names them (as if they were not there). An
    /// update with a geometry brings an item back.
    pub fn remove(&mut self, items: &[usize]) {
        for &i in items.iter().filter(|&&i| i < self.graph.len()) {
            self.deleted[i] = true;
        }
        self.update(items.iter().filter(|&&i| i < self.graph.len()).map(|&i| (i, MultiPolygon(Vec::new()))).collect());
    }

    /// The items the gap pass treats as dirty: those with invalid segments and their partners in them.
    fn dirty_items(&self) -> BTreeSet<u32> {
        let mut items = self.dirty.clone();
        for &i in &self.dirty {
            items.extend(self.segments[i as usize].iter().map(|s| s.other));
        }
        items
    }

    pub(super) fn has_invalid_segments(&self) -> bool {
        !self.dirty.is_empty()
    }

    pub(super) fn unmatched_keys(&self, items: &BTreeSet<u32>) -> Vec<(SegmentKey, bool)> {
        let mut keys = Vec::new();
        for &i in items {
            for ring in self.graph.rings_of(i as usize) {
                for s in 0..ring.segments() {
                    if ring.state[s] == SegmentState::Unknown {
                        keys.push(segment_key(&ring, s));
                    }
                }
            }
        }
        keys.sort_unstable();
        keys
    }
}

/// Whether two boxes come within `grow` of each other (touching counts).
fn near(a: Rect<f64>, b: Rect<f64>, grow: f64) -> bool {
    a.min().x <= b.max().x + grow
        && b.min().x <= a.max().x + grow
        && a.min().y <= b.max().y + grow
        && b.min().y <= a.max().y + grow
}
