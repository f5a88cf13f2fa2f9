//! Marks every segment of one item as matched or invalid against its neighbours, with the semantics of
//! JTS/GEOS CoveragePolygonValidator: exact matches first (through the segment hash), then segments that
//! cross, touch at a non-vertex, overlap collinearly, run nearly parallel within the gap width, or lie
//! inside a neighbour.

use geo::Coord;
use geo::coordinate_position::{CoordPos, CoordinatePosition};

use smallvec::SmallVec;

use super::graph::{Graph, Occurrence};
use super::predicates::{Meet, is_interior_segment, is_nearly_parallel, meet};
#[cfg(doc)]
use super::rings::ItemRings;
use super::rings::{SegmentState, segment_key};

/// Why a segment is invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// Equal to a neighbour's segment with the neighbour on the same side: the two overlap.
    SameSide,
    /// Crosses a neighbour's segment.
    Crossing,
    /// Touches a neighbour's segment at a point that is not a vertex of both (T-junction).
    TJunction,
    /// Collinear with a neighbour's segment and overlapping it, but not equal (vertices do not match).
    Collinear,
    /// Enters the neighbour's interior at a shared vertex, or starts inside it.
    Inside,
    /// Runs within the gap width of a neighbour's segment, nearly parallel: a narrow gap or gore.
    NearlyParallel,
}

impl Cause {
    /// The key used in JSON output.
    pub fn key(self) -> &'static str {
        match self {
            Cause::SameSide => "same_side",
            Cause::Crossing => "crossing",
            Cause::TJunction => "t_junction",
            Cause::Collinear => "collinear",
            Cause::Inside => "inside",
            Cause::NearlyParallel => "nearly_parallel",
        }
    }
}

/// One invalid segment of the target and the neighbour that makes it so.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InvalidSegment {
    pub ring: u32,
    pub seg: u32,
    pub cause: Cause,
    pub other: u32,
}

/// The verdict on one item: a state per segment (all its rings' in one vector, as in
/// [`ItemRings::state`]; `None` when they are those the graph holds), and the invalid segments.
pub struct ItemVerdict {
    pub states: Option<Vec<SegmentState>>,
    pub invalid: Vec<InvalidSegment>,
}

/// The exact-match verdict of every segment of a freshly built graph, in one pass over the segment index
/// (a full check), instead of one lookup per segment in [`validate_item`]: each segment's state is
/// stored in its item's states, and each item gets its same-side records, in the order `validate_item`
/// makes them (by ring and segment; the other item is the first equal segment in the same direction).
pub fn exact_matches(graph: &mut Graph) -> Vec<Vec<InvalidSegment>> {
    let Graph { segments, rings, .. } = graph;
    let mut same_side: Vec<Vec<InvalidSegment>> = vec![Vec::new(); rings.len()];
    let mut list: SmallVec<[Occurrence; 4]> = SmallVec::new();
    for chain in segments.shared() {
        // Most segments are shared by two rings in opposite directions: both matched.
        let mut pair = chain.clone();
        if let (Some(a), Some(b), None) = (pair.next(), pair.next(), pair.next())
            && a.forward != b.forward
        {
            for o in [a, b] {
                let item = &mut rings[o.item as usize];
                let at = item.first(o.ring as usize) + o.seg as usize;
                item.state[at] = SegmentState::Matched;
            }
            continue;
        }
        list.clear();
        list.extend(chain);
        for (k, o) in list.iter().enumerate() {
            let others = list.iter().enumerate().filter(|&(j, _)| j != k).map(|(_, other)| other);
            let state = match others.clone().find(|other| other.forward == o.forward) {
                Some(other) => {
                    same_side[o.item as usize].push(InvalidSegment {
                        ring: o.ring,
                        seg: o.seg,
                        cause: Cause::SameSide,
                        other: other.item,
                    });
                    SegmentState::Invalid
                }
                None if others.clone().next().is_some() => SegmentState::Matched,
                None => continue,
            };
            let item = &mut rings[o.item as usize];
            let at = item.first(o.ring as usize) + o.seg as usize;
            item.state[at] = state;
        }
    }
    for list in &mut same_side {
        list.sort_unstable_by_key(|s| (s.ring, s.seg));
    }
    same_side
}

/// Validates item `target` against every item within `gap_width_in_world` of it. Reads the graph only, so that
/// items can be validated in parallel; the caller stores the verdict. With `prematched` (the item's
/// records from [`exact_matches`], whose states are in the graph) the exact matches are not looked up again.
pub fn validate_item(
    graph: &Graph,
    target: u32,
    gap_width_in_world: f64,
    prematched: Option<Vec<InvalidSegment>>,
) -> ItemVerdict {
    let t = target as usize;
    let item = &graph.rings[t];
    if let Some(invalid) = prematched {
        if !item.state.contains(&SegmentState::Unknown) {
            return ItemVerdict { states: None, invalid };
        }
        return find_interacting(graph, target, gap_width_in_world, item.state.clone(), invalid);
    }
    let mut invalid = Vec::new();
    let mut states: Vec<SegmentState> = vec![SegmentState::Unknown; item.state.len()];
    for (r, ring) in graph.rings_of(t).enumerate() {
        let first = item.first(r);
        for (s, state) in states[first..first + ring.segments()].iter_mut().enumerate() {
            let (p0, p1) = ring.segment(s);
            if p0 == p1 {
                continue;
            }
            let (key, forward) = segment_key(&ring, s);
            for o in graph.occurrences(&key).filter(|o| !(o.item == target && o.ring == r as u32 && o.seg == s as u32))
            {
                if o.forward == forward {
                    if *state != SegmentState::Invalid {
                        invalid.push(InvalidSegment {
                            ring: r as u32,
                            seg: s as u32,
                            cause: Cause::SameSide,
                            other: o.item,
                        });
                    }
                    *state = SegmentState::Invalid;
                } else if *state == SegmentState::Unknown {
                    *state = SegmentState::Matched;
                }
            }
        }
    }
    find_interacting(graph, target, gap_width_in_world, states, invalid)
}

/// The rest of [`validate_item`]: the segments no exact match settled, against the neighbours' segments.
fn find_interacting(
    graph: &Graph,
    target: u32,
    gap_width_in_world: f64,
    mut states: Vec<SegmentState>,
    mut invalid: Vec<InvalidSegment>,
) -> ItemVerdict {
    let t = target as usize;
    let all_known = states.iter().all(|s| *s != SegmentState::Unknown);
    if !all_known && let Some(envelope) = graph.envelope[t] {
        let mut neighbours: Vec<u32> =
            graph.items_near(envelope, gap_width_in_world).filter(|&i| i != target).collect();
        // By id: which neighbour a finding names (the first to hold a point, the first a segment meets
        // among equals) must not depend on how the index orders them.
        neighbours.sort_unstable();
        // Only the unknown segments are compared: the neighbours' segments near them (one mismatch on
        // a long border needs the neighbours' segments there, not all along the border).
        let unknown = unknown_box(graph, t, &states).unwrap_or(envelope);
        let nearby = nearby_segments(graph, &neighbours, unknown, gap_width_in_world);
        let mut touches = vec![false; states.len()];
        interacting(graph, t, &mut states, &mut touches, &nearby, gap_width_in_world, &mut invalid);
        inside(graph, t, &mut states, &touches, &neighbours, &mut invalid);
    }
    ItemVerdict { states: Some(states), invalid }
}

/// The box of the target's unknown segments.
fn unknown_box(graph: &Graph, t: usize, states: &[SegmentState]) -> Option<geo::Rect<f64>> {
    let boxes = graph.rings_of(t).enumerate().flat_map(|(r, ring)| {
        let states = &states[graph.rings[t].first(r)..][..ring.segments()];
        let unknown = ring.coords.windows(2).zip(states).filter(|(_, state)| **state == SegmentState::Unknown);
        unknown.map(|(w, _)| geo::Rect::new(w[0], w[1]))
    });
    crate::core::rect::union_all(boxes)
}

/// A neighbour's segment near the target, sorted by the left end of its x extent; its end points held
/// here, read once (each is compared with many of the target's segments).
struct Nearby {
    xmin: f64,
    xmax: f64,
    a0: Coord<f64>,
    a1: Coord<f64>,
    item: u32,
    ring: u32,
    seg: u32,
}

/// The neighbours' segments that come within `grow` of `envelope` (the box of the target's unknown
/// segments), sorted by x: large neighbours (a coastal county) contribute only their nearby part. The
/// test is [`seg_box_apart`]'s, so that no segment it would keep for an unknown segment is left out.
fn nearby_segments(graph: &Graph, neighbours: &[u32], envelope: geo::Rect<f64>, grow: f64) -> Vec<Nearby> {
    let (lo, hi) = (envelope.min(), envelope.max());
    let mut out = Vec::new();
    for &n in neighbours {
        // A neighbour whose box stays beyond `grow` of the envelope has no segment near it (each
        // segment's box lies in the neighbour's): the same test, once for all its segments.
        if graph.envelope[n as usize].is_none_or(|e| {
            e.max().x + grow < lo.x || hi.x + grow < e.min().x || e.max().y + grow < lo.y || hi.y + grow < e.min().y
        }) {
            continue;
        }
        for (r, ring) in graph.rings_of(n as usize).enumerate() {
            for a in 0..ring.segments() {
                let (a0, a1) = ring.segment(a);
                let (xmin, xmax) = (a0.x.min(a1.x), a0.x.max(a1.x));
                if a0 == a1
                    || xmax + grow < lo.x
                    || hi.x + grow < xmin
                    || a0.y.max(a1.y) + grow < lo.y
                    || hi.y + grow < a0.y.min(a1.y)
                {
                    continue;
                }
                out.push(Nearby { xmin, xmax, a0, a1, item: n, ring: r as u32, seg: a as u32 });
            }
        }
    }
    out.sort_by(|p, q| p.xmin.total_cmp(&q.xmin));
    out
}

pub(super) fn seg_box_apart(a: (Coord<f64>, Coord<f64>), b: (Coord<f64>, Coord<f64>), grow: f64) -> bool {
    a.0.x.max(a.1.x) + grow < b.0.x.min(b.1.x)
        || b.0.x.max(b.1.x) + grow < a.0.x.min(a.1.x)
        || a.0.y.max(a.1.y) + grow < b.0.y.min(b.1.y)
        || b.0.y.max(b.1.y) + grow < a.0.y.min(a.1.y)
}

/// JTS InvalidSegmentDetector over every pair (unknown target segment, nearby neighbour segment).
/// `touches` is set for each segment that meets a neighbour's segment at all (for [`inside`]).
fn interacting(
    graph: &Graph,
    t: usize,
    states: &mut [SegmentState],
    touches: &mut [bool],
    nearby: &[Nearby],
    gap_width_in_world: f64,
    invalid: &mut Vec<InvalidSegment>,
) {
    // How far right the nearby segments reach, up to each one (in their order, by left end): a
    // non-decreasing sequence, so the first that reaches a point is found by halving.
    let reach: Vec<f64> = nearby
        .iter()
        .scan(f64::NEG_INFINITY, |furthest, c| {
            *furthest = c.xmax.max(*furthest);
            Some(*furthest)
        })
        .collect();
    for (r, ring) in graph.rings_of(t).enumerate() {
        let first = graph.rings[t].first(r);
        let touches = &mut touches[first..first + ring.segments()];
        for (s, state) in states[first..first + ring.segments()].iter_mut().enumerate() {
            if *state != SegmentState::Unknown {
                continue;
            }
            let (t0, t1) = ring.segment(s);
            if t0 == t1 {
                continue;
            }
            let (txmin, txmax) = (t0.x.min(t1.x), t0.x.max(t1.x));
            // Only candidates whose x extent can reach the segment: those starting left of its right end,
            // from the first whose right end (or an earlier one's) reaches its left end.
            let end = nearby.partition_point(|c| c.xmin <= txmax + gap_width_in_world);
            let start = reach[..end].partition_point(|&x| x + gap_width_in_world < txmin);
            for c in nearby[start..end].iter().filter(|c| c.xmax + gap_width_in_world >= txmin) {
                let (a0, a1) = (c.a0, c.a1);
                if seg_box_apart((t0, t1), (a0, a1), gap_width_in_world) {
                    continue;
                }
                if (t0 == a0 && t1 == a1) || (t0 == a1 && t1 == a0) {
                    touches[s] = true;
                    continue;
                }
                let meeting = meet(t0, t1, a0, a1);
                touches[s] |= meeting != Meet::None;
                let cause = match meeting {
                    Meet::None => None,
                    Meet::Collinear => Some(Cause::Collinear),
                    Meet::Proper => Some(Cause::Crossing),
                    Meet::Interior(_) => Some(Cause::TJunction),
                    Meet::Endpoints(node) => {
                        let end = if node == t0 { t1 } else { t0 };
                        let (adj, a) = (graph.ring(c.item as usize, c.ring as usize), c.seg as usize);
                        let (mut prev, mut next) = (adj.vertex_prev(a, node), adj.vertex_next(a, node));
                        if end == prev || end == next {
                            None
                        } else {
                            if !adj.interior_on_right {
                                std::mem::swap(&mut prev, &mut next);
                            }
                            is_interior_segment(node, prev, next, end).then_some(Cause::Inside)
                        }
                    }
                };
                let cause = cause.or_else(|| {
                    (gap_width_in_world > 0.0 && is_nearly_parallel((t0, t1), (a0, a1), gap_width_in_world))
                        .then_some(Cause::NearlyParallel)
                });
                if let Some(cause) = cause {
                    *state = SegmentState::Invalid;
                    invalid.push(InvalidSegment { ring: r as u32, seg: s as u32, cause, other: c.item });
                    break;
                }
            }
        }
    }
}

/// Unknown segments whose start vertex lies inside a neighbour are inside it, and so is the segment
/// before (JTS markInvalidInteriorSegments). Along a run of unknown segments, a segment that meets no
/// neighbour's segment at all (`touches` false) has both ends on the same side of every neighbour's
/// boundary: its end is inside the same neighbour as its start, and is not tested again (a coastline's
/// points, each tested against every neighbour whose box holds it, were a tenth of a dirty check). The
/// rules above already flag an unknown segment that crosses into a neighbour, so the `touches` guard
/// rarely decides anything; it is what makes the shortcut hold without leaning on them.
fn inside(
    graph: &Graph,
    t: usize,
    states: &mut [SegmentState],
    touches: &[bool],
    neighbours: &[u32],
    invalid: &mut Vec<InvalidSegment>,
) {
    for (r, ring) in graph.rings_of(t).enumerate() {
        let first = graph.rings[t].first(r);
        let states = &mut states[first..][..ring.segments()];
        let touches = &touches[first..][..ring.segments()];
        // The owner found for the previous segment's start, when it was looked for.
        let mut previous: Option<Option<u32>> = None;
        for s in 0..ring.segments() {
            if states[s] != SegmentState::Unknown {
                previous = None;
                continue;
            }
            let p = ring.coords[s];
            let owner = match previous {
                Some(owner) if s > 0 && !touches[s - 1] => owner,
                _ => neighbours.iter().copied().find(|&n| strictly_inside(graph, n, p)),
            };
            previous = Some(owner);
            let Some(owner) = owner else { continue };
            states[s] = SegmentState::Invalid;
            invalid.push(InvalidSegment { ring: r as u32, seg: s as u32, cause: Cause::Inside, other: owner });
            let prev = ring.prev(s);
            if states[prev] == SegmentState::Unknown {
                states[prev] = SegmentState::Invalid;
                invalid.push(InvalidSegment { ring: r as u32, seg: prev as u32, cause: Cause::Inside, other: owner });
            }
        }
    }
}

fn strictly_inside(graph: &Graph, item: u32, p: Coord<f64>) -> bool {
    let Some(env) = graph.envelope[item as usize] else { return false };
    if p.x < env.min().x || p.x > env.max().x || p.y < env.min().y || p.y > env.max().y {
        return false;
    }
    graph.geometry[item as usize].0.iter().any(|polygon| polygon.coordinate_position(&p) == CoordPos::Inside)
}

/// Invalid segments per item in the JTS/GEOS sense (for conformance tests and `coverage_invalid_edges`
/// comparisons): the segments of each item that GEOS would return as invalid edges.
pub fn invalid_edges(checker: &super::Checker) -> Vec<Vec<geo::Line<f64>>> {
    checker
        .segments
        .iter()
        .enumerate()
        .map(|(i, list)| {
            let mut lines: Vec<geo::Line<f64>> = list
                .iter()
                .map(|s| {
                    let (p0, p1) = checker.graph.ring(i, s.ring as usize).segment(s.seg as usize);
                    geo::Line::new(p0, p1)
                })
                .collect();
            lines.dedup();
            lines
        })
        .collect()
}
