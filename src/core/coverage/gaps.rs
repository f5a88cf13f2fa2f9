//! The union of a coverage, its holes (enclosed gaps), and what lies between it and the boundary.
//! For a coverage whose edges all match, the union's boundary is exactly the set of unmatched segments,
//! so it is assembled from them directly (linear time). Otherwise the dirty items, and the clean ones
//! they may overlap, go through a boolean union, which is joined to the rest of the outline along the
//! segments they share with it ([`super::dirty_union`]); the whole outline goes through the boolean
//! union only when that join does not come out exact.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Area, BooleanOps, BoundingRect, Coord, Intersects, LineString, MultiPolygon, Polygon, Rect};

use super::dirty_union::union_near_dirty;
use super::graph::Graph;
use super::rings::SegmentState;
use crate::core::rect;

/// The union as polygons, and its holes as gap polygons (with any islands inside them cut out).
pub struct Union {
    pub polygons: MultiPolygon<f64>,
    pub holes: Vec<Polygon<f64>>,
}

/// A vertex's key: its coordinates' bits, -0.0 as 0.0 (as the segment index keys them), so that a
/// ring joins edges that meet at a point one item writes with -0.0 and another with 0.0.
fn key(c: Coord<f64>) -> (u64, u64) {
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
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
pub(super) fn oriented(ring: &super::rings::Ring<'_>, s: usize) -> (Coord<f64>, Coord<f64>) {
    let (a, b) = ring.segment(s);
    if ring.interior_on_right { (a, b) } else { (b, a) }
}

/// The union of a coverage in which some items are dirty (invalid, or with invalid edges). Only what
/// lies near a dirty item goes through the boolean union ([`union_near_dirty`]); when that cannot be
/// joined back exactly to the rest, the whole outline does ([`union_of_outline`]).
pub fn union_with_dirty(graph: &Graph, dirty: &[bool], open: &[u32]) -> Union {
    let dirty_items: Vec<usize> = (0..dirty.len()).filter(|&i| dirty[i]).collect();
    union_near_dirty(graph, dirty, &dirty_items, open)
        .unwrap_or_else(|| union_of_outline(graph, dirty, &dirty_items, open))
}

/// The union of a dirty coverage through the boolean union of its whole outline: the clean items'
/// union is assembled from their segments not matched by another clean item, and only that and the
/// dirty items go through the boolean union — far fewer vertices than all items.
///
/// Only clean items with an unmatched segment (`open`, ascending) or a segment matched by a dirty item
/// can give an edge, so only those are visited: a dirty coverage costs what its outline and its dirty
/// items cost, not what all its segments do, and the edges come in the same order as a full scan's.
pub(super) fn union_of_outline(graph: &Graph, dirty: &[bool], dirty_items: &[usize], open: &[u32]) -> Union {
    // Clean items that share a segment with a dirty one.
    let mut touched: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
    for &d in dirty_items {
        for ring in graph.rings_of(d) {
            for s in 0..ring.segments() {
                let (key, _) = super::rings::segment_key(&ring, s);
                for o in graph.occurrences(&key) {
                    if !dirty[o.item as usize] {
                        touched.insert(o.item as usize);
                    }
                }
            }
        }
    }
    let mut visit: std::collections::BTreeSet<usize> =
        open.iter().map(|&i| i as usize).filter(|&i| !dirty[i]).collect();
    visit.extend(touched.iter().copied());
    let mut edges: Vec<(Coord<f64>, Coord<f64>)> = Vec::with_capacity(visit.len() * 8);
    for item in visit {
        // A clean item's matched segment is matched by another item (a valid polygon shares no segment
        // with itself), a clean one unless the item shares segments with a dirty one.
        let near_dirty = touched.contains(&item);
        for ring in graph.rings_of(item) {
            for s in 0..ring.segments() {
                if ring.state[s] == SegmentState::Matched {
                    if !near_dirty {
                        continue;
                    }
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
    let dirty_boxes: Vec<Rect<f64>> = dirty_items.iter().filter_map(|&i| graph.envelope[i]).collect();
    let (passing, mut polygons) = apart_from(clean.0, &dirty_boxes);
    for &item in dirty_items {
        polygons.extend(graph.geometry[item].0.iter().cloned());
    }
    let mut union = union_of(&polygons, &passing);
    union.0.extend(passing);
    with_holes(union)
}

/// The clean union's polygons that the boolean union would give back as they are (first), and the rest:
/// a polygon whose box meets no dirty item's box (touching counts) meets nothing the union adds. Clean
/// polygons meet each other at single points at most, which the union (OGC: pieces that touch at a
/// point stay apart) leaves as it finds them. An island far from the dirty items is thus not noded again
/// (on the US counties, 231 of 247 polygons and a quarter of the union's segments).
fn apart_from(polygons: Vec<Polygon<f64>>, dirty_boxes: &[Rect<f64>]) -> (Vec<Polygon<f64>>, Vec<Polygon<f64>>) {
    polygons
        .into_iter()
        .partition(|polygon| polygon.bounding_rect().is_some_and(|b| !dirty_boxes.iter().any(|d| d.intersects(&b))))
}

pub(super) fn walk(edges: Vec<(Coord<f64>, Coord<f64>)>) -> Union {
    // The edges leaving each vertex as a list in edge order: the first in the vertex table, each next
    // one in `next_from` (no list allocated for each vertex).
    let starts = Starts::of(&edges);
    let mut used = vec![false; edges.len()];
    let mut shells = Vec::new();
    let mut holes = Vec::new();
    // One buffer for the ring being walked; each ring is then copied out at its size.
    let mut ring: Vec<Coord<f64>> = Vec::new();
    for start in 0..edges.len() {
        if used[start] {
            continue;
        }
        ring.clear();
        ring.push(edges[start].0);
        let mut current = start;
        used[start] = true;
        // Whether the ring passed a vertex with more than one edge leaving it (where it may come back).
        let mut pinched = false;
        loop {
            let (from, to) = edges[current];
            ring.push(to);
            if to == edges[start].0 {
                break;
            }
            let mut candidate = starts.first(&edges, to);
            pinched |= candidate != END && starts.next_from[candidate as usize] != END;
            let mut next: Option<usize> = None;
            while candidate != END {
                let c = candidate as usize;
                // The rightmost turn; the first in edge order among equals.
                let better =
                    next.is_none_or(|n| turn_order(from, to, edges[c].1, edges[n].1) == std::cmp::Ordering::Less);
                if !used[c] && better {
                    next = Some(c);
                }
                candidate = starts.next_from[c];
            }
            let Some(next) = next else { break };
            used[next] = true;
            current = next;
        }
        if ring.len() < 4 || ring.first() != ring.last() {
            continue;
        }
        let mut keep = |ring: Vec<Coord<f64>>| {
            if ring.len() >= 4 {
                let polygon = Polygon::new(LineString(ring), vec![]);
                if polygon.signed_area() < 0.0 { shells.push(polygon) } else { holes.push(polygon) }
            }
        };
        if pinched {
            simple_loops(&ring, &mut keep);
        } else {
            keep(ring.clone());
        }
    }
    assemble(shells, holes)
}

/// Splits a closed ring that comes back to a vertex into simple closed loops, in the order they close.
///
/// The walk keeps the union's corners at a vertex apart (the rightmost turn), so a ring comes back to a
/// vertex where the outside pinches in: a U whose arms touch at their tips walks as one ring round
/// both its outline and the gap the arms close, two gaps that touch at a point as one ring round both.
/// Split at the vertex, each loop is simple, with the union on its right: clockwise, it bounds a piece
/// of the union (a shell); counter-clockwise, a gap (a hole) — as OGC represents them.
fn simple_loops(ring: &[Coord<f64>], keep: &mut impl FnMut(Vec<Coord<f64>>)) {
    use rustc_hash::FxHashMap;
    let mut path: Vec<Coord<f64>> = Vec::with_capacity(ring.len());
    // Where each vertex of the path stands in it.
    let mut at: FxHashMap<(u64, u64), usize> = FxHashMap::default();
    for &c in ring {
        match at.get(&key(c)) {
            Some(&i) => {
                let mut closed = path.split_off(i + 1);
                for p in &closed {
                    at.remove(&key(*p));
                }
                closed.insert(0, c);
                closed.push(c);
                keep(closed);
            }
            None => {
                at.insert(key(c), path.len());
                path.push(c);
            }
        }
    }
}

const END: u32 = u32::MAX;

/// For each start vertex of the edges, its first edge (an open-addressed table of edge indices: the key
/// is read back from the edge, 4 bytes a slot), and for each edge the next one from the same vertex.
struct Starts {
    slots: Vec<u32>,
    next_from: Vec<u32>,
}

impl Starts {
    fn of(edges: &[(Coord<f64>, Coord<f64>)]) -> Starts {
        let size = (edges.len() * 2).next_power_of_two().max(16);
        let mut starts = Starts { slots: vec![END; size], next_from: vec![END; edges.len()] };
        let mask = size - 1;
        // In reverse, so that each list runs in edge order.
        for (i, e) in edges.iter().enumerate().rev() {
            let k = key(e.0);
            let mut slot = slot_of(k, mask);
            loop {
                let head = starts.slots[slot];
                if head == END {
                    starts.slots[slot] = i as u32;
                    break;
                }
                if key(edges[head as usize].0) == k {
                    starts.next_from[i] = head;
                    starts.slots[slot] = i as u32;
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        starts
    }

    /// The first edge (in edge order) leaving `vertex`, `END` if none.
    fn first(&self, edges: &[(Coord<f64>, Coord<f64>)], vertex: Coord<f64>) -> u32 {
        let k = key(vertex);
        let mask = self.slots.len() - 1;
        let mut slot = slot_of(k, mask);
        loop {
            let head = self.slots[slot];
            if head == END || key(edges[head as usize].0) == k {
                return head;
            }
            slot = (slot + 1) & mask;
        }
    }
}

fn slot_of(k: (u64, u64), mask: usize) -> usize {
    let h = (k.0 ^ k.1.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((h ^ (h >> 32)) as usize) & mask
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

/// Puts each hole into the smallest shell that contains it, and cuts islands out of the holes. A ring
/// can only contain rings within its bounding box, so only those are tested point by point.
fn assemble(shells: Vec<Polygon<f64>>, hole_rings: Vec<Polygon<f64>>) -> Union {
    let shell_boxes: Vec<Option<Rect<f64>>> = shells.iter().map(BoundingRect::bounding_rect).collect();
    let mut owners: Vec<Option<usize>> = Vec::with_capacity(hole_rings.len());
    let mut holes = Vec::with_capacity(hole_rings.len());
    for hole in hole_rings {
        let hole_box = hole.bounding_rect();
        let owner = shells
            .iter()
            .enumerate()
            .filter(|&(i, s)| within(hole_box, shell_boxes[i]) && first_inside(s, hole.exterior()) == Some(true))
            .min_by(|a, b| a.1.unsigned_area().total_cmp(&b.1.unsigned_area()))
            .map(|(i, _)| i);
        owners.push(owner);
        let islands: Vec<LineString<f64>> = shells
            .iter()
            .enumerate()
            .filter(|&(i, s)| within(shell_boxes[i], hole_box) && first_inside(&hole, s.exterior()) == Some(true))
            .map(|(_, s)| s.exterior().clone())
            .collect();
        let (exterior, _) = hole.into_inner();
        holes.push(Polygon::new(exterior, islands));
    }
    let mut with_holes = shells;
    for (hole, owner) in holes.iter().zip(owners) {
        if let Some(i) = owner {
            with_holes[i].interiors_push(hole.exterior().clone());
        }
    }
    // Walked shells run clockwise (the union on their right); boolean operations sum windings, so
    // give every polygon the standard orientation before any is used.
    let mut polygons = MultiPolygon(with_holes);
    super::precision::orient_in_place(&mut polygons);
    Union { polygons, holes }
}

/// Whether box `inner` lies within box `outer`, both known.
fn within(inner: Option<Rect<f64>>, outer: Option<Rect<f64>>) -> bool {
    inner.zip(outer).is_some_and(|(inner, outer)| rect::contains(outer, inner))
}

/// The union with its holes as gap polygons, the union's pieces inside each cut out as islands.
fn with_holes(union: MultiPolygon<f64>) -> Union {
    let boxes: Vec<Option<Rect<f64>>> = union.0.iter().map(|p| p.exterior().bounding_rect()).collect();
    let holes = union
        .0
        .iter()
        .flat_map(|p| p.interiors().iter().map(|r| Polygon::new(r.clone(), vec![])))
        .map(|hole| {
            let hole_box = hole.bounding_rect();
            let islands = union
                .0
                .iter()
                .enumerate()
                .filter(|&(i, s)| within(boxes[i], hole_box) && first_inside(&hole, s.exterior()) == Some(true))
                .map(|(_, s)| s.exterior().clone())
                .collect();
            Polygon::new(hole.exterior().clone(), islands)
        })
        .collect();
    Union { polygons: union, holes }
}

/// The union of polygons in the standard orientation (counter-clockwise shells), as geo's
/// `unary_union` computes it but with i_overlay's solver chosen here. Left to itself, i_overlay splits
/// segments with a list below 4,000 segments, a tree up to 16,000 and fragments above; on the dirty
/// outlines of the US counties (11,500 segments) and TAZ (9,000) the tree cost 1.6 times the
/// instructions of the list and the fragments 1.1 times (callgrind, one thread, BENCHMARKS.md), so the
/// list is used up to 16,000 segments and the fragments above, as i_overlay would.
///
/// `beside`: polygons that go round the union (see [`apart_from`]) but count in its extent, which
/// sets the integer grid i_overlay rounds to: the union is then what it would be with them in it.
fn union_of(polygons: &[Polygon<f64>], beside: &[Polygon<f64>]) -> MultiPolygon<f64> {
    use i_overlay::core::fill_rule::FillRule;
    use i_overlay::core::overlay::ShapeType;
    use i_overlay::core::overlay_rule::OverlayRule;
    use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
    use i_overlay::i_float::adapter::FloatPointAdapter;
    use i_overlay::i_float::float::rect::FloatRect;
    // i_overlay's paths are implicitly closed: the closing coordinate is left out.
    let subject: Vec<Vec<[f64; 2]>> = polygons
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|ring| ring.0[..ring.0.len().saturating_sub(1)].iter().map(|c| [c.x, c.y]).collect())
        .collect();
    let segments: usize = subject.iter().map(Vec::len).sum();
    if segments == 0 {
        return MultiPolygon(Vec::new());
    }
    let solver = solver_for(segments);
    // The extent as i_overlay takes it from the points (`FloatOverlay::with_subj_custom`), grown to
    // hold the polygons beside.
    let Some(mut extent) = FloatRect::with_iter(subject.iter().flatten()) else {
        return MultiPolygon(Vec::new());
    };
    for b in beside.iter().filter_map(|p| p.exterior().bounding_rect()) {
        extent.add_point(&[b.min().x, b.min().y]);
        extent.add_point(&[b.max().x, b.max().y]);
    }
    let adapter = FloatPointAdapter::new(extent);
    let shapes = FloatOverlay::new_custom(adapter, OverlayOptions::ogc(), solver, segments)
        .unsafe_add_source(&subject, ShapeType::Subject)
        .overlay(OverlayRule::Subject, FillRule::Positive);
    let ring = |path: Vec<[f64; 2]>| {
        let mut ring = LineString(path.into_iter().map(|[x, y]| Coord { x, y }).collect());
        ring.close();
        ring
    };
    let polygons = shapes.into_iter().filter_map(|shape| {
        let mut rings = shape.into_iter().map(ring);
        Some(Polygon::new(rings.next()?, rings.collect()))
    });
    MultiPolygon(polygons.collect())
}

/// i_overlay's solver for a union of `segments` segments, as [`union_of`] explains: the list up to
/// 16,000 segments, the fragments above; one thread (the fragment solver would otherwise split its
/// work over rayon's threads, which a check pinned to one core only pays for).
pub(super) fn solver_for(segments: usize) -> i_overlay::core::solver::Solver {
    use i_overlay::core::solver::{Precision, Solver, Strategy};
    let strategy = if segments < 16_000 { Strategy::List } else { Strategy::Frag };
    Solver { strategy, precision: Precision::HIGH, multithreading: None }
}

/// Parts of the boundary no grid covers.
pub fn uncovered(boundary: &MultiPolygon<f64>, union: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    boundary.difference(union)
}

/// Parts of the union outside the boundary.
pub fn outside(boundary: &MultiPolygon<f64>, union: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    union.difference(boundary)
}

#[cfg(test)]
mod tests {
    use geo::{Area, Coord, LineString, Polygon};

    use super::union_of;
    use crate::core::coverage::synthetic::{Rng, square};
    use crate::core::coverage::{Checker, CoverageOptions};

    /// Random overlapping 12-gons (counter-clockwise), `n` of them in a 1,000-unit square.
    fn blobs(n: usize, seed: u64) -> Vec<Polygon<f64>> {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| {
                let (cx, cy) = (rng.unit() * 1000.0, rng.unit() * 1000.0);
                let ring: Vec<Coord<f64>> = (0..12)
                    .map(|k| {
                        let angle = k as f64 * std::f64::consts::TAU / 12.0;
                        let r = 20.0 + rng.unit() * 40.0;
                        Coord { x: cx + r * angle.cos(), y: cy + r * angle.sin() }
                    })
                    .collect();
                Polygon::new(LineString::from(ring), vec![])
            })
            .collect()
    }

    /// The union with the solver chosen here is geo's `unary_union`: the same area, pieces and holes,
    /// on both sides of the 16,000-segment switch from the list to the fragment solver (1,500 blobs are
    /// 18,000 segments).
    #[test]
    fn the_union_is_geos_union_with_either_solver() {
        for (n, seed) in [(40, 1), (300, 2), (700, 3), (1500, 4)] {
            let polygons = blobs(n, seed);
            let ours = union_of(&polygons, &[]);
            let geo_union = geo::unary_union(&polygons);
            let holes = |mp: &geo::MultiPolygon<f64>| mp.0.iter().map(|p| p.interiors().len()).sum::<usize>();
            assert_eq!(ours.0.len(), geo_union.0.len(), "{n} blobs: pieces");
            assert_eq!(holes(&ours), holes(&geo_union), "{n} blobs: holes");
            let (a, b) = (ours.unsigned_area(), geo_union.unsigned_area());
            assert!((a - b).abs() <= 1e-9 * b, "{n} blobs: area {a} against {b}");
            // Standard orientation, as every later boolean operation expects.
            let shells_ccw = ours.0.iter().all(|p| crate::core::coverage::rings::signed_area(&p.exterior().0) > 0.0);
            assert!(shells_ccw, "{n} blobs: shells not counter-clockwise");
            // Enough blobs to reach the fragment solver, and holes to compare.
            assert!(n < 1000 || holes(&ours) > 0, "{n} blobs: no holes");
        }
    }

    fn unit_squares(cells: &[(i32, i32)]) -> Vec<geo::MultiPolygon<f64>> {
        cells.iter().map(|&(x, y)| square(Coord { x: x as f64 + 0.5, y: y as f64 + 0.5 }, 0.5)).collect()
    }

    /// The gaps' areas a full check finds.
    fn gap_areas(items: Vec<geo::MultiPolygon<f64>>) -> Vec<f64> {
        let report = Checker::new(items, None, Vec::new(), CoverageOptions::planar()).report();
        let gaps = report.findings.iter().filter(|f| f.kind == crate::core::coverage::FindingKind::Gap);
        let mut areas: Vec<f64> = gaps.filter_map(|f| f.area).collect();
        areas.sort_by(f64::total_cmp);
        areas
    }

    /// A gap the grids close only at a point (two arms of a U touching at their tips) is found, as is
    /// each of two gaps that touch at a point: the walk comes back to the pinch, and the ring is split
    /// there — with and without dirty grids elsewhere.
    #[test]
    fn gaps_closed_or_touching_at_a_point_are_found() {
        // A U of unit squares round the cell (1, 1), its arms' tips touching at (2, 2) only.
        let u = vec![
            geo::MultiPolygon(vec![Polygon::new(
                LineString::from(vec![
                    (0.0, 0.0),
                    (3.0, 0.0),
                    (3.0, 1.0),
                    (2.0, 1.0),
                    (1.0, 1.0),
                    (0.0, 1.0),
                    (0.0, 0.0),
                ]),
                vec![],
            )]),
            geo::MultiPolygon(vec![Polygon::new(
                LineString::from(vec![(0.0, 1.0), (1.0, 1.0), (1.0, 2.0), (1.0, 3.0), (0.0, 3.0), (0.0, 1.0)]),
                vec![],
            )]),
            unit_squares(&[(1, 2)]).remove(0),
            unit_squares(&[(2, 1)]).remove(0),
        ];
        // A 4 × 4 block without the cells (1, 1) and (2, 2), which touch at (2, 2).
        let cells: Vec<(i32, i32)> =
            (0..4).flat_map(|x| (0..4).map(move |y| (x, y))).filter(|c| *c != (1, 1) && *c != (2, 2)).collect();
        let block = unit_squares(&cells);
        // Two grids overlapping far away make the coverage dirty.
        let mut far_overlap = unit_squares(&[(10, 10)]);
        far_overlap.push(square(Coord { x: 11.0, y: 11.0 }, 0.5));
        for (name, items, gaps) in [("U", u, vec![1.0]), ("block", block, vec![1.0, 1.0])] {
            assert_eq!(gap_areas(items.clone()), gaps, "{name}");
            let dirty: Vec<geo::MultiPolygon<f64>> = items.into_iter().chain(far_overlap.iter().cloned()).collect();
            assert_eq!(gap_areas(dirty), gaps, "{name}, dirty elsewhere");
        }
    }
}
