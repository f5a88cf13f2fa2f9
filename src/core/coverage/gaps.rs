//! The union of a coverage, its holes (enclosed gaps), and what lies between it and the boundary.
//! For a coverage whose edges all match, the union's boundary is exactly the set of unmatched segments,
//! so it is assembled from them directly (linear time); otherwise a boolean union is used.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::orient::{Direction, Orient};
use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon};
use rustc_hash::FxHashMap;

use super::graph::Graph;
use super::rings::SegmentState;

/// The union as polygons, and its holes as gap polygons (with any islands inside them cut out).
pub struct Union {
    pub polygons: MultiPolygon<f64>,
    pub holes: Vec<Polygon<f64>>,
}

fn key(c: Coord<f64>) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
}

/// Assembles the union from the unmatched segments of a coverage with no invalid segments. `open` lists,
/// in ascending order, the items that have unmatched segments (no other item has any).
pub fn union_from_unmatched(graph: &Graph, open: &[u32]) -> Union {
    let mut edges: Vec<(Coord<f64>, Coord<f64>)> = Vec::new();
    for ring in open.iter().flat_map(|&i| graph.rings_of(i as usize)) {
        for s in 0..ring.segments() {
            if ring.state[s] == SegmentState::Unknown {
                edges.push(oriented(&ring, s));
            }
        }
    }
    walk(edges)
}

/// A segment oriented with the item's interior on its right.
fn oriented(ring: &super::rings::Ring<'_>, s: usize) -> (Coord<f64>, Coord<f64>) {
    let (a, b) = ring.segment(s);
    if ring.interior_on_right { (a, b) } else { (b, a) }
}

/// The union of a coverage in which some items are dirty (invalid, or with invalid edges): the clean
/// items' union is assembled from their segments not matched by another clean item, and only that and
/// the dirty items go through the boolean union — far fewer vertices than all items.
///
/// Only clean items with an unmatched segment (`open`, ascending) or a segment matched by a dirty item
/// can give an edge, so only those are visited: a dirty coverage costs what its outline and its dirty
/// items cost, not what all its segments do, and the edges come in the same order as a full scan's.
pub fn union_with_dirty(graph: &Graph, dirty: &[bool], open: &[u32]) -> Union {
    let dirty_items: Vec<usize> = (0..dirty.len()).filter(|&i| dirty[i]).collect();
    let mut visit: std::collections::BTreeSet<usize> =
        open.iter().map(|&i| i as usize).filter(|&i| !dirty[i]).collect();
    for &d in &dirty_items {
        for ring in graph.rings_of(d) {
            for s in 0..ring.segments() {
                let (key, _) = super::rings::segment_key(&ring, s);
                for o in graph.occurrences(&key) {
                    if !dirty[o.item as usize] {
                        visit.insert(o.item as usize);
                    }
                }
            }
        }
    }
    let mut edges: Vec<(Coord<f64>, Coord<f64>)> = Vec::new();
    for item in visit {
        for ring in graph.rings_of(item) {
            for s in 0..ring.segments() {
                if ring.state[s] == SegmentState::Matched {
                    let (key, forward) = super::rings::segment_key(&ring, s);
                    let matched_by_clean = graph
                        .occurrences(&key)
                        .any(|o| o.forward != forward && o.item as usize != item && !dirty[o.item as usize]);
                    if matched_by_clean {
                        continue;
                    }
                }
                edges.push(oriented(&ring, s));
            }
        }
    }
    let clean = walk(edges).polygons;
    let mut polygons: Vec<Polygon<f64>> = clean.0;
    for &item in &dirty_items {
        polygons.extend(graph.geometry[item].0.iter().cloned());
    }
    overlay_union(polygons)
}

fn walk(edges: Vec<(Coord<f64>, Coord<f64>)>) -> Union {
    let mut outgoing: FxHashMap<(u64, u64), Vec<usize>> = FxHashMap::default();
    for (i, e) in edges.iter().enumerate() {
        outgoing.entry(key(e.0)).or_default().push(i);
    }
    let mut used = vec![false; edges.len()];
    let mut shells = Vec::new();
    let mut holes = Vec::new();
    for start in 0..edges.len() {
        if used[start] {
            continue;
        }
        let mut ring = vec![edges[start].0];
        let mut current = start;
        used[start] = true;
        loop {
            let (from, to) = edges[current];
            ring.push(to);
            if to == edges[start].0 {
                break;
            }
            let candidates = outgoing.get(&key(to)).map(Vec::as_slice).unwrap_or(&[]);
            let next = candidates
                .iter()
                .copied()
                .filter(|&i| !used[i])
                .min_by(|&a, &b| turn_order(from, to, edges[a].1, edges[b].1));
            let Some(next) = next else { break };
            used[next] = true;
            current = next;
        }
        if ring.len() < 4 || ring.first() != ring.last() {
            continue;
        }
        let polygon = Polygon::new(LineString(ring), vec![]);
        if polygon.signed_area() < 0.0 { shells.push(polygon) } else { holes.push(polygon) }
    }
    assemble(shells, holes)
}

/// Orders candidate next vertices by how far right they turn from the direction from→via: the
/// rightmost first, which keeps polygons that touch at a point apart.
fn turn_order(from: Coord<f64>, via: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> std::cmp::Ordering {
    let angle = |p: Coord<f64>| {
        let (ix, iy) = (via.x - from.x, via.y - from.y);
        let (ox, oy) = (p.x - via.x, p.y - via.y);
        // Signed turn angle in (-π, π]: negative is a right turn.
        (ix * oy - iy * ox).atan2(ix * ox + iy * oy)
    };
    angle(a).total_cmp(&angle(b))
}

fn first_inside(container: &Polygon<f64>, ring: &LineString<f64>) -> Option<bool> {
    ring.0.iter().find_map(|c| match container.coordinate_position(c) {
        CoordPos::Inside => Some(true),
        CoordPos::Outside => Some(false),
        CoordPos::OnBoundary => None,
    })
}

/// Puts each hole into the smallest shell that contains it, and cuts islands out of the holes.
fn assemble(shells: Vec<Polygon<f64>>, hole_rings: Vec<Polygon<f64>>) -> Union {
    let mut with_holes: Vec<Polygon<f64>> = shells.clone();
    let mut holes = Vec::new();
    for hole in hole_rings {
        let owner = shells
            .iter()
            .enumerate()
            .filter(|(_, s)| first_inside(s, hole.exterior()) == Some(true))
            .min_by(|a, b| a.1.unsigned_area().total_cmp(&b.1.unsigned_area()))
            .map(|(i, _)| i);
        if let Some(i) = owner {
            with_holes[i].interiors_push(hole.exterior().clone());
        }
        let islands: Vec<LineString<f64>> = shells
            .iter()
            .filter(|s| first_inside(&hole, s.exterior()) == Some(true))
            .map(|s| s.exterior().clone())
            .collect();
        holes.push(Polygon::new(hole.exterior().clone(), islands));
    }
    // Walked shells run clockwise (the union on their right); boolean operations sum windings, so
    // give every polygon the standard orientation before any is used.
    let polygons = MultiPolygon(with_holes).orient(Direction::Default);
    Union { polygons, holes }
}

fn overlay_union(polygons: Vec<Polygon<f64>>) -> Union {
    let union = if polygons.is_empty() { MultiPolygon(Vec::new()) } else { geo::unary_union(&polygons) };
    let holes = union
        .0
        .iter()
        .flat_map(|p| p.interiors().iter().map(|r| Polygon::new(r.clone(), vec![])))
        .map(|hole| {
            let islands = union
                .0
                .iter()
                .filter(|s| first_inside(&hole, s.exterior()) == Some(true))
                .map(|s| s.exterior().clone())
                .collect();
            Polygon::new(hole.exterior().clone(), islands)
        })
        .collect();
    Union { polygons: union, holes }
}

/// Parts of the boundary no grid covers.
pub fn uncovered(boundary: &MultiPolygon<f64>, union: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    boundary.difference(union)
}

/// Parts of the union outside the boundary.
pub fn outside(boundary: &MultiPolygon<f64>, union: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    union.difference(boundary)
}
