//! Marks every segment of one item as matched or invalid against its neighbours, with the semantics of
//! JTS/GEOS CoveragePolygonValidator: exact matches first (through the segment hash), then segments that
//! cross, touch at a non-vertex, overlap collinearly, run nearly parallel within the gap width, or lie
//! inside a neighbour.

use geo::Coord;
use geo::coordinate_position::{CoordPos, CoordinatePosition};

use super::graph::Graph;
use super::predicates::{Meet, is_interior_segment, is_nearly_parallel, meet};
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

/// One invalid segment of the target and the neighbour that makes it so.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InvalidSegment {
    pub ring: u32,
    pub seg: u32,
    pub cause: Cause,
    pub other: u32,
}

/// Validates item `target` against every item within `gap_width` of it, updating its ring states.
pub fn validate_item(graph: &mut Graph, target: u32, gap_width: f64) -> Vec<InvalidSegment> {
    let t = target as usize;
    let mut invalid = Vec::new();
    let mut rings = std::mem::take(&mut graph.rings[t]);
    for (r, ring) in rings.iter_mut().enumerate() {
        for s in 0..ring.segments() {
            ring.state[s] = SegmentState::Unknown;
            let (p0, p1) = ring.segment(s);
            if p0 == p1 {
                continue;
            }
            let (key, forward) = segment_key(ring, s);
            let Some(list) = graph.segments.get(&key) else { continue };
            for o in list.iter().filter(|o| !(o.item == target && o.ring == r as u32 && o.seg == s as u32)) {
                if o.forward == forward {
                    if ring.state[s] != SegmentState::Invalid {
                        invalid.push(InvalidSegment {
                            ring: r as u32,
                            seg: s as u32,
                            cause: Cause::SameSide,
                            other: o.item,
                        });
                    }
                    ring.state[s] = SegmentState::Invalid;
                } else if ring.state[s] == SegmentState::Unknown {
                    ring.state[s] = SegmentState::Matched;
                }
            }
        }
    }
    let all_known = rings.iter().all(|ring| ring.state.iter().all(|s| *s != SegmentState::Unknown));
    if !all_known && let Some(envelope) = graph.envelope[t] {
        let neighbours: Vec<u32> = graph.items_near(envelope, gap_width).filter(|&i| i != target).collect();
        interacting(graph, &mut rings, &neighbours, gap_width, &mut invalid);
        inside(graph, &mut rings, &neighbours, &mut invalid);
    }
    graph.rings[t] = rings;
    invalid
}

fn seg_box_apart(a: (Coord<f64>, Coord<f64>), b: (Coord<f64>, Coord<f64>), grow: f64) -> bool {
    a.0.x.max(a.1.x) + grow < b.0.x.min(b.1.x)
        || b.0.x.max(b.1.x) + grow < a.0.x.min(a.1.x)
        || a.0.y.max(a.1.y) + grow < b.0.y.min(b.1.y)
        || b.0.y.max(b.1.y) + grow < a.0.y.min(a.1.y)
}

/// JTS InvalidSegmentDetector over every pair (unknown target segment, neighbour segment).
fn interacting(
    graph: &Graph,
    rings: &mut [super::rings::Ring],
    neighbours: &[u32],
    gap_width: f64,
    invalid: &mut Vec<InvalidSegment>,
) {
    for (r, ring) in rings.iter_mut().enumerate() {
        for s in 0..ring.segments() {
            if ring.state[s] != SegmentState::Unknown {
                continue;
            }
            let (t0, t1) = ring.segment(s);
            if t0 == t1 {
                continue;
            }
            'neighbours: for &n in neighbours {
                for adj in &graph.rings[n as usize] {
                    for a in 0..adj.segments() {
                        let (a0, a1) = adj.segment(a);
                        if a0 == a1 || seg_box_apart((t0, t1), (a0, a1), gap_width) {
                            continue;
                        }
                        if (t0 == a0 && t1 == a1) || (t0 == a1 && t1 == a0) {
                            continue;
                        }
                        let cause = match meet(t0, t1, a0, a1) {
                            Meet::None => None,
                            Meet::Collinear => Some(Cause::Collinear),
                            Meet::Proper => Some(Cause::Crossing),
                            Meet::Interior(_) => Some(Cause::TJunction),
                            Meet::Endpoints(node) => {
                                let end = if node == t0 { t1 } else { t0 };
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
                            (gap_width > 0.0 && is_nearly_parallel((t0, t1), (a0, a1), gap_width))
                                .then_some(Cause::NearlyParallel)
                        });
                        if let Some(cause) = cause {
                            ring.state[s] = SegmentState::Invalid;
                            invalid.push(InvalidSegment { ring: r as u32, seg: s as u32, cause, other: n });
                            break 'neighbours;
                        }
                    }
                }
            }
        }
    }
}

/// Unknown segments whose start vertex lies inside a neighbour are inside it, and so is the segment
/// before (JTS markInvalidInteriorSegments).
fn inside(graph: &Graph, rings: &mut [super::rings::Ring], neighbours: &[u32], invalid: &mut Vec<InvalidSegment>) {
    for (r, ring) in rings.iter_mut().enumerate() {
        for s in 0..ring.segments() {
            if ring.state[s] != SegmentState::Unknown {
                continue;
            }
            let p = ring.coords[s];
            let Some(owner) = neighbours.iter().copied().find(|&n| strictly_inside(graph, n, p)) else { continue };
            ring.state[s] = SegmentState::Invalid;
            invalid.push(InvalidSegment { ring: r as u32, seg: s as u32, cause: Cause::Inside, other: owner });
            let prev = ring.prev(s);
            if ring.state[prev] == SegmentState::Unknown {
                ring.state[prev] = SegmentState::Invalid;
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
