//! Every pair of grids whose interiors intersect, found from the grids' geometry — not only where the
//! edge rules flag a segment between the two (DESIGN.md §3: a grid whose every edge its neighbours
//! match can still lie inside another grid, and GEOS has no edge to flag for it).
//!
//! Why a local search is complete. For valid, consistently oriented polygons the sum of their winding
//! numbers at a point p, d(p), is the number of grids covering p; grids overlap exactly where d ≥ 2.
//! d changes only across segments, and two equal segments of opposite direction (a matched pair)
//! cancel. Across an unmatched segment that the edge rules pass (it crosses no other segment, lies in
//! no other grid and on no other grid's boundary) only its own grid changes, so d is 0 on one side and
//! 1 on the other. Hence every connected region K where d ≥ 2 is bounded by flagged segments, whose
//! grids ("seeds") cover K next to them; with no flagged segment at all there is no overlap. The grids
//! meeting K are connected through envelope neighbours (a path inside K crosses from one grid to the
//! next where both are present), and each of them overlaps another grid. So a flood from the seeds,
//! testing every envelope neighbour of every grid reached and going on from each grid that overlaps
//! something, reaches every grid meeting K and tests every pair that overlaps there.
//!
//! The full check runs that flood (nothing to do on a clean coverage); an incremental update tests
//! the changed grids against all their envelope neighbours, and keeps every other pair's result (their
//! geometry did not change), which gives the same set.

use std::collections::{BTreeMap, BTreeSet};

use geo::{MultiPolygon, Rect};
use rustc_hash::FxHashSet;

use super::graph::Graph;
use super::parallel;
use super::rings::segment_key;
use crate::core::rect;

/// The overlap of each pair of items (smaller index first) whose interiors intersect significantly.
pub type Overlaps = BTreeMap<(u32, u32), MultiPolygon<f64>>;

/// Floods from `seeds` as described in the module documentation. `usable` tells the items that take
/// part (valid ones); an unusable (invalid) seed gives the pairs it can hide ([`hidden_by`]). `test` gives a pair's
/// significant overlap, if any.
pub fn flood(
    graph: &Graph,
    seeds: impl IntoIterator<Item = u32>,
    usable: &(dyn Fn(u32) -> bool + Sync),
    test: &(dyn Fn(u32, u32) -> Option<MultiPolygon<f64>> + Sync),
) -> Overlaps {
    let mut found = Overlaps::new();
    let mut processed: FxHashSet<u32> = FxHashSet::default();
    let mut tested: FxHashSet<(u32, u32)> = FxHashSet::default();
    let mut frontier: BTreeSet<u32> = seeds.into_iter().collect();
    while !frontier.is_empty() {
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut next: BTreeSet<u32> = BTreeSet::new();
        for &x in &frontier {
            if !processed.insert(x) {
                continue;
            }
            if !usable(x) {
                for pair in hidden_by(graph, x, usable) {
                    if tested.insert(pair) {
                        pairs.push(pair);
                    }
                }
                continue;
            }
            for y in neighbours(graph, x).filter(|&y| usable(y)) {
                let pair = (x.min(y), x.max(y));
                if tested.insert(pair) {
                    pairs.push(pair);
                }
            }
        }
        let results = parallel::map(&pairs, |&(a, b)| test(a, b));
        let mut overlapping: BTreeSet<u32> = BTreeSet::new();
        for (pair, result) in pairs.into_iter().zip(results) {
            if let Some(piece) = result {
                overlapping.extend([pair.0, pair.1]);
                found.insert(pair, piece);
            }
        }
        // A grid that overlaps something meets a region K: every neighbour of it may meet K too.
        for &z in &overlapping {
            if !processed.contains(&z) {
                next.insert(z);
            }
            next.extend(neighbours(graph, z).filter(|y| !processed.contains(y)));
        }
        frontier = next;
    }
    found
}

/// Tests every item in `items` against all its envelope neighbours (both usable).
pub fn around(
    graph: &Graph,
    items: &[u32],
    usable: &(dyn Fn(u32) -> bool + Sync),
    test: &(dyn Fn(u32, u32) -> Option<MultiPolygon<f64>> + Sync),
) -> Overlaps {
    let mut pairs: BTreeSet<(u32, u32)> = BTreeSet::new();
    for &x in items.iter().filter(|&&x| (x as usize) < graph.len() && usable(x)) {
        pairs.extend(neighbours(graph, x).filter(|&y| usable(y)).map(|y| (x.min(y), x.max(y))));
    }
    let pairs: Vec<(u32, u32)> = pairs.into_iter().collect();
    let results = parallel::map(&pairs, |&(a, b)| test(a, b));
    pairs.into_iter().zip(results).filter_map(|(pair, r)| Some((pair, r?))).collect()
}

/// The pairs an invalid item `x` can hide an overlap in. The edge rules skip matched segments, and the
/// winding argument above counts valid items only: a valid item's segment matched by `x` alone can
/// bound an overlap region K with no segment flagged. On K's side of such a segment another valid item
/// covers the ground next to it, so its envelope meets the segment's. Hence: each usable item sharing a
/// segment with `x`, against every usable item whose envelope meets the box of the segments it shares
/// with `x` (from there the flood goes on as from any overlap found).
fn hidden_by(graph: &Graph, x: u32, usable: &(dyn Fn(u32) -> bool + Sync)) -> Vec<(u32, u32)> {
    let mut shared: BTreeMap<u32, Rect<f64>> = BTreeMap::new();
    for ring in graph.rings_of(x as usize) {
        for s in 0..ring.segments() {
            let (p0, p1) = ring.segment(s);
            if p0 == p1 {
                continue;
            }
            let (key, _) = segment_key(&ring, s);
            for o in graph.occurrences(&key) {
                if o.item == x || !usable(o.item) {
                    continue;
                }
                let segment = Rect::new(p0, p1);
                shared.entry(o.item).and_modify(|r| *r = rect::union(*r, segment)).or_insert(segment);
            }
        }
    }
    let mut pairs = Vec::new();
    for (z, area) in shared {
        for y in graph.items_near(area, 0.0).filter(|&y| y != z && y != x && usable(y)) {
            pairs.push((z.min(y), z.max(y)));
        }
    }
    pairs
}

fn neighbours(graph: &Graph, x: u32) -> impl Iterator<Item = u32> + '_ {
    graph.envelope[x as usize].into_iter().flat_map(move |e| graph.items_near(e, 0.0).filter(move |&y| y != x))
}
