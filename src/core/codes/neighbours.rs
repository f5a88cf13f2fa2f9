//! 四至: for each grid, everything it borders to its north, east, south and west — every neighbouring
//! grid, "边界" where it meets the project boundary and "未划分" where it meets land inside the boundary
//! that no grid covers.
//!
//! A neighbour lies on the side of the middle of the border the two grids share (its length-weighted
//! middle when the border is in pieces), seen from the grid's centre on the ground (true north, see
//! [`super::ground`]): a border running mostly east–west is north or south by where its middle lies, one
//! running mostly north–south east or west; others by the direction to the middle, the sides parted by
//! the diagonals of the grid's extent. So a neighbour due south is south even when its border runs past
//! the grid's south-east corner, and every grid along the north side of a wide grid is north of it.
//!
//! Borders are found segment by segment: a segment another grid has too is a border with it; along a
//! segment that is not shared vertex for vertex, the stretches where another grid's edges run (a vertex
//! of theirs in the middle of it) are borders with that grid; what is left is probed a little outside:
//! a grid there is a neighbour, else the boundary (without one: the villages, else the townships) says
//! whether the land is inside it (未划分) or not (边界). 边界 and 未划分 count on the side of each
//! stretch's middle, once they make up a noticeable part of the grid's outline.

use std::collections::BTreeMap;

use geo::{Centroid, Contains, Coord, InteriorPoint, Intersects, Point, Rect, Winding};
use rstar::{AABB, RTree, RTreeObject};
use rustc_hash::FxHashMap;

use super::ground::GroundAxes;
use crate::core::coverage::{area_parts, round_coord};
use crate::core::{Grid, GridId, Project};

/// What a grid borders on one side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Grid(GridId),
    /// The project boundary (边界): the land beyond is outside the area to cover.
    Boundary,
    /// Land inside the project boundary that no grid covers yet (未划分).
    Uncovered,
}

/// Everything a grid borders, per side, in order along the side: west → east on the north and south
/// sides, north → south on the east and west sides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FourSides {
    pub north: Vec<Side>,
    pub east: Vec<Side>,
    pub south: Vec<Side>,
    pub west: Vec<Side>,
}

/// A border shorter than this share of the grid's outline does not put 边界/未划分 on a side.
const MIN_SHARE_OF_OUTLINE: f64 = 0.02;
/// A border whose run one way is this many times its run the other way faces that way.
const RUN_DOMINANCE: f64 = 1.5;
/// How far outside a border to look for what lies beyond, in units of the project precision (0.1 m).
const PROBE_PRECISIONS: f64 = 100.0;

type Key = (u64, u64, u64, u64);

fn key(a: Coord<f64>, b: Coord<f64>) -> Key {
    let (a, b) = if (a.x, a.y) <= (b.x, b.y) { (a, b) } else { (b, a) };
    (a.x.to_bits(), a.y.to_bits(), b.x.to_bits(), b.y.to_bits())
}

/// How far a grid reaches from its centre to the east, north, west and south (ground frame).
#[derive(Clone, Copy)]
struct Reach {
    east: f64,
    north: f64,
    west: f64,
    south: f64,
}

impl Reach {
    /// 0 = north, 1 = east, 2 = south, 3 = west: the side of the grid's extent a ground direction from
    /// the centre points to — split along the diagonals of the extent, so that on a wide grid a border at
    /// the west end of its north side is north, and on a square grid these are the 45° lines.
    fn side_of(&self, d: Coord<f64>) -> usize {
        let across = |v: f64, plus: f64, minus: f64| v / if v >= 0.0 { plus } else { minus }.max(f64::MIN_POSITIVE);
        let (x, y) = (across(d.x, self.east, self.west), across(d.y, self.north, self.south));
        match (y.abs() >= x.abs(), y >= 0.0, x >= 0.0) {
            (true, true, _) => 0,
            (true, false, _) => 2,
            (false, _, true) => 1,
            (false, _, false) => 3,
        }
    }
}

/// A segment of a grid's outline, snapped, with the unit normal pointing out of the grid.
struct Segment {
    a: Coord<f64>,
    b: Coord<f64>,
    outward: Coord<f64>,
}

fn segments(g: &Grid, precision: f64) -> Vec<Segment> {
    let snap = |c: Coord<f64>| round_coord(c, precision);
    let mut out = Vec::new();
    for poly in &g.geometry.0 {
        for (ring_index, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
            // The grid lies left of a counter-clockwise exterior and right of a counter-clockwise hole.
            let ccw = ring.is_ccw();
            let outward_is_left = (ring_index == 0) != ccw;
            for w in ring.0.windows(2) {
                let (a, b) = (snap(w[0]), snap(w[1]));
                let len = (b.x - a.x).hypot(b.y - a.y);
                if len == 0.0 || !len.is_finite() {
                    continue;
                }
                let left = Coord { x: -(b.y - a.y) / len, y: (b.x - a.x) / len };
                out.push(Segment { a, b, outward: if outward_is_left { left } else { -left } });
            }
        }
    }
    out
}

struct Indexed {
    id: GridId,
    rect: Rect<f64>,
}

impl RTreeObject for Indexed {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.rect.min().x, self.rect.min().y], [self.rect.max().x, self.rect.max().y])
    }
}

/// Length and length-weighted sum of middles of borders, and how far they run east–west and
/// north–south (ground frame).
#[derive(Clone, Copy, Default)]
struct Border {
    length: f64,
    weighted_middle: Coord<f64>,
    run: Coord<f64>,
}

impl Border {
    fn add(&mut self, middle: Coord<f64>, length: f64) {
        self.length += length;
        self.weighted_middle = self.weighted_middle + middle * length;
    }

    fn add_run(&mut self, ground_run: Coord<f64>) {
        self.run = self.run + Coord { x: ground_run.x.abs(), y: ground_run.y.abs() };
    }
    fn middle(&self) -> Coord<f64> {
        self.weighted_middle / self.length
    }
}

/// 四至 of every grid; `axes` says where north and east lie on the ground.
pub fn four_sides(project: &Project, axes: &dyn GroundAxes) -> BTreeMap<GridId, FourSides> {
    let precision = project.precision;
    let probe_distance = precision * PROBE_PRECISIONS;
    let outlines: BTreeMap<GridId, Vec<Segment>> =
        project.grids.values().map(|g| (g.id, segments(g, precision))).collect();
    let mut owners: FxHashMap<Key, Vec<GridId>> = FxHashMap::default();
    for (id, segs) in &outlines {
        for s in segs {
            owners.entry(key(s.a, s.b)).or_default().push(*id);
        }
    }
    let index = RTree::bulk_load(
        project
            .grids
            .values()
            .filter_map(|g| Some(Indexed { id: g.id, rect: geo::BoundingRect::bounding_rect(&g.geometry)? }))
            .collect(),
    );
    // Without a boundary, villages or townships: every border without a neighbour is 边界.
    let (area, _) = area_parts(project);
    let beyond = |own: GridId, probe: Coord<f64>| -> Side {
        let point = Point(probe);
        let found = index
            .locate_in_envelope_intersecting(AABB::from_point([probe.x, probe.y]))
            .filter(|c| c.id != own)
            .map(|c| c.id)
            .find(|id| project.grids.get(id).is_some_and(|g| g.geometry.contains(&point)));
        match found {
            Some(id) => Side::Grid(id),
            None if area.iter().any(|a| a.intersects(&point)) => Side::Uncovered,
            None => Side::Boundary,
        }
    };
    // The stretches of segment `s` (from, to: distances from s.a) along which other grids' edges run.
    let collinear_cover = |own: GridId, s: &Segment| -> Vec<(f64, f64, GridId)> {
        let length = (s.b.x - s.a.x).hypot(s.b.y - s.a.y);
        let u = (s.b - s.a) / length;
        let tol = probe_distance;
        let envelope = AABB::from_corners(
            [s.a.x.min(s.b.x) - tol, s.a.y.min(s.b.y) - tol],
            [s.a.x.max(s.b.x) + tol, s.a.y.max(s.b.y) + tol],
        );
        let off_line = |c: Coord<f64>| ((c.x - s.a.x) * u.y - (c.y - s.a.y) * u.x).abs();
        let along = |c: Coord<f64>| (c.x - s.a.x) * u.x + (c.y - s.a.y) * u.y;
        let mut out = Vec::new();
        for other in index.locate_in_envelope_intersecting(envelope).filter(|c| c.id != own) {
            for t in outlines.get(&other.id).into_iter().flatten() {
                if off_line(t.a) > tol || off_line(t.b) > tol {
                    continue;
                }
                let (p, q) = (along(t.a), along(t.b));
                let (from, to) = (p.min(q).max(0.0), p.max(q).min(length));
                if to - from > tol {
                    out.push((from, to, other.id));
                }
            }
        }
        out
    };
    let mut out = BTreeMap::new();
    for g in project.grids.values() {
        let Some(centre) = centre_of(g) else { continue };
        let frame = axes.axes_at(centre);
        let ground = |c: Coord<f64>| frame.to_ground(c - centre);
        let segs = &outlines[&g.id];
        let mut reach = Reach { east: 0.0, north: 0.0, west: 0.0, south: 0.0 };
        for s in segs {
            let d = ground(s.a);
            reach = Reach {
                east: reach.east.max(d.x),
                north: reach.north.max(d.y),
                west: reach.west.max(-d.x),
                south: reach.south.max(-d.y),
            };
        }
        let outline_length: f64 = segs.iter().map(|s| (s.b.x - s.a.x).hypot(s.b.y - s.a.y)).sum();
        let mut neighbours: BTreeMap<GridId, Border> = BTreeMap::new();
        // Per side, per 边界 / 未划分.
        let mut open: [BTreeMap<Side, Border>; 4] = Default::default();
        for s in segs {
            let middle = (s.a + s.b) / 2.0;
            let length = (s.b.x - s.a.x).hypot(s.b.y - s.a.y);
            let shared: Vec<GridId> =
                owners.get(&key(s.a, s.b)).into_iter().flatten().copied().filter(|&o| o != g.id).collect();
            if !shared.is_empty() {
                let run = frame.to_ground(s.b - s.a);
                for id in shared {
                    let border = neighbours.entry(id).or_default();
                    border.add(middle, length);
                    border.add_run(run);
                }
                continue;
            }
            // Not shared vertex for vertex: the stretches other grids' edges run along (a vertex of theirs
            // in the middle of it, say) are borders with them; what is left is probed.
            let u = (s.b - s.a) / length;
            let mut covered = collinear_cover(g.id, s);
            for &(from, to, id) in &covered {
                let border = neighbours.entry(id).or_default();
                border.add(s.a + u * ((from + to) / 2.0), to - from);
                border.add_run(frame.to_ground(u * (to - from)));
            }
            covered.sort_by(|x, y| x.0.total_cmp(&y.0));
            let mut gaps = Vec::new();
            let mut reached = 0.0_f64;
            for &(from, to, _) in &covered {
                if from - reached > probe_distance {
                    gaps.push((reached, from));
                }
                reached = reached.max(to);
            }
            if length - reached > probe_distance || (covered.is_empty() && length > 0.0) {
                gaps.push((reached, length));
            }
            for (from, to) in gaps {
                let at = s.a + u * ((from + to) / 2.0);
                match beyond(g.id, at + s.outward * probe_distance) {
                    Side::Grid(id) => {
                        let border = neighbours.entry(id).or_default();
                        border.add(at, to - from);
                        border.add_run(frame.to_ground(u * (to - from)));
                    }
                    other => open[reach.side_of(ground(at))].entry(other).or_default().add(at, to - from),
                }
            }
        }
        // (side, position along the side, what)
        let mut placed: Vec<(usize, f64, Side)> = Vec::new();
        let along = |side: usize, at: Coord<f64>| if side.is_multiple_of(2) { at.x } else { -at.y };
        for (id, border) in &neighbours {
            let at = ground(border.middle());
            // A border that runs mostly east–west is on the north or south side, one that runs mostly
            // north–south on the east or west; a border as much across as along goes by its direction.
            let side = if border.run.x >= RUN_DOMINANCE * border.run.y {
                if at.y >= 0.0 { 0 } else { 2 }
            } else if border.run.y >= RUN_DOMINANCE * border.run.x {
                if at.x >= 0.0 { 1 } else { 3 }
            } else {
                reach.side_of(at)
            };
            placed.push((side, along(side, at), Side::Grid(*id)));
        }
        for (side, kinds) in open.iter().enumerate() {
            for (what, border) in kinds {
                if border.length >= MIN_SHARE_OF_OUTLINE * outline_length {
                    placed.push((side, along(side, ground(border.middle())), *what));
                }
            }
        }
        placed.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut sides = FourSides::default();
        for (side, _, what) in placed {
            match side {
                0 => sides.north.push(what),
                1 => sides.east.push(what),
                2 => sides.south.push(what),
                _ => sides.west.push(what),
            }
        }
        out.insert(g.id, sides);
    }
    out
}

/// The grid's centroid, or a point inside it when the centroid is not (an L-shape, a ring).
fn centre_of(g: &Grid) -> Option<Coord<f64>> {
    match g.geometry.centroid() {
        Some(c) if g.geometry.contains(&c) => Some(c.0),
        _ => g.geometry.interior_point().map(|p| p.0),
    }
}
