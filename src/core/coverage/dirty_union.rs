//! The union of a dirty coverage assembled around its dirty items: they, and the clean items entangled
//! with them, go through i_overlay's boolean union; the rest of the outline is walked from the far clean
//! items' unmatched segments, as a clean coverage's is ([`super::gaps`]), and the two are joined along the
//! segments they share.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{BoundingRect, Coord, Polygon, Rect};

#[cfg(doc)]
use super::gaps::union_of_outline;
use super::gaps::{Union, oriented, walk};
use super::graph::Graph;
use super::inscribed::segment_distance2;
use super::rings::SegmentState;
use super::validator::seg_box_apart;
use crate::core::rect;

/// The items that go through the boolean union: the dirty ones, and the clean ones a dirty item may
/// overlap, or meet other than along whole shared segments (on opposite sides) and at shared vertices,
/// or come within `snap` of (where the boolean union's rounding may join the two: a clean item left
/// out would then keep, beside it, a sliver the union of the whole outline never had).
///
/// A clean item is left out only when that is proved for every dirty item whose box comes within
/// `snap` of its box: no segment of the dirty item near the clean one's box crosses, touches inside,
/// or runs along part of a segment of the clean one, nor shares one with it on the same side, nor
/// comes within `snap` of one other than at a shared end point, nor has its interior inside the clean
/// one (its middle point, when the rest holds); and no part of the clean item lies within the dirty
/// one's box. Then the two meet at most along shared segments and at vertices: a common interior would
/// be bounded either by part of a dirty segment inside the clean item, or by the clean item's own
/// boundary alone (a part of it lying inside the dirty item, and so within its box).
fn entangled(graph: &Graph, dirty: &[bool], dirty_items: &[usize], snap: f64) -> Vec<bool> {
    let mut local = dirty.to_vec();
    let mut clean_segments: Vec<(Coord<f64>, Coord<f64>)> = Vec::new();
    for &d in dirty_items {
        let Some(d_box) = rings_box(&graph.geometry[d]) else { continue };
        let near_d = rect::grow(d_box, snap);
        for c in graph.items_near(d_box, snap) {
            let c = c as usize;
            if local[c] {
                continue;
            }
            let Some(c_box) = graph.envelope[c] else { continue };
            let part_inside = graph.geometry[c]
                .0
                .iter()
                .any(|part| part.exterior().bounding_rect().is_some_and(|b| rect::contains(d_box, b)));
            clean_segments.clear();
            for ring in graph.rings_of(c) {
                let segments = (0..ring.segments()).map(|s| oriented(&ring, s));
                clean_segments.extend(segments.filter(|&(a, b)| box_meets(a, b, near_d)));
            }
            local[c] = part_inside || dirty_meets_badly(graph, d, c, c_box, &clean_segments, snap);
        }
    }
    local
}

fn box_meets(a: Coord<f64>, b: Coord<f64>, r: Rect<f64>) -> bool {
    a.x.max(b.x) >= r.min().x && a.x.min(b.x) <= r.max().x && a.y.max(b.y) >= r.min().y && a.y.min(b.y) <= r.max().y
}

/// Whether a segment of dirty item `d` near clean item `c`'s box meets one of `c`'s segments
/// (`clean_segments`: those near `d`'s box, oriented) other than at a shared end point or as the same
/// segment run the other way, comes within `snap` of one, or lies inside `c`.
fn dirty_meets_badly(
    graph: &Graph,
    d: usize,
    c: usize,
    c_box: Rect<f64>,
    clean_segments: &[(Coord<f64>, Coord<f64>)],
    snap: f64,
) -> bool {
    use super::predicates::{Meet, meet};
    let near_c = rect::grow(c_box, snap);
    for ring in graph.rings_of(d) {
        for s in 0..ring.segments() {
            let (q0, q1) = oriented(&ring, s);
            if q0 == q1 || !box_meets(q0, q1, near_c) {
                continue;
            }
            let mut shared = false;
            for &(p0, p1) in clean_segments {
                // The same segment the other way (most along a shared border), without the predicates.
                if (q0, q1) == (p1, p0) {
                    shared = true;
                    continue;
                }
                if seg_box_apart((q0, q1), (p0, p1), snap) {
                    continue;
                }
                match meet(q0, q1, p0, p1) {
                    Meet::None | Meet::Endpoints(_) if !within_snap(q0, q1, p0, p1, snap) => {}
                    _ => return true,
                }
            }
            if !shared {
                let middle = Coord { x: (q0.x + q1.x) / 2.0, y: (q0.y + q1.y) / 2.0 };
                if rect::contains(c_box, Rect::new(middle, middle))
                    && graph.geometry[c].coordinate_position(&middle) != CoordPos::Outside
                {
                    return true;
                }
            }
        }
    }
    false
}

/// Whether an end point of either segment, other than one they share, lies within `snap` of the
/// other segment: for two segments that do not cross, whether they come that near (sharing an end
/// point, whether their other ends do).
fn within_snap(a0: Coord<f64>, a1: Coord<f64>, b0: Coord<f64>, b1: Coord<f64>, snap: f64) -> bool {
    let shared = |p: Coord<f64>, q0: Coord<f64>, q1: Coord<f64>| p == q0 || p == q1;
    [(a0, b0, b1), (a1, b0, b1), (b0, a0, a1), (b1, a0, a1)]
        .into_iter()
        .any(|(p, q0, q1)| !shared(p, q0, q1) && segment_distance2(p, q0, q1) <= snap * snap)
}

/// How near a point must come to a segment for i_overlay to join them: a few units of the integer grid
/// it rounds the coverage's extent to (its snapping starts at one unit and grows while splits remain).
fn snap_distance(extent: Rect<f64>) -> f64 {
    8.0 * grid(extent).inv_scale
}

/// i_overlay's integer grid for a union over `extent`, as it derives it from the points.
fn grid(extent: Rect<f64>) -> i_overlay::i_float::adapter::FloatPointAdapter<[f64; 2], f64> {
    use i_overlay::i_float::adapter::FloatPointAdapter;
    use i_overlay::i_float::float::rect::FloatRect;
    FloatPointAdapter::new(FloatRect::new(extent.min().x, extent.max().x, extent.min().y, extent.max().y))
}

/// The union assembled from two parts: the far clean items' edges not matched by another clean item
/// (walked as the clean path walks them), and the boolean union of the dirty items with the clean items
/// entangled with them ([`entangled`]) — a few thousand segments around the dirty items instead of the
/// whole outline. The two parts meet along a seam of segments that a far item shares with one of the
/// boolean union's items, and at single points: a seam segment is left out of the far edges, and comes
/// back from the boolean union as the local item's edge, where it is dropped.
///
/// The boolean union runs on i_overlay's integer grid, set by the whole coverage's extent as
/// [`union_of_outline`] sets it, and its points are given back their own coordinates where a single
/// input point rounds to them, so the seam's segments come back exactly. `None` when one does not (a
/// seam point merged with another or moved onto a segment by the rounding): then the caller takes the
/// union of the whole outline.
pub(super) fn union_near_dirty(graph: &Graph, dirty: &[bool], dirty_items: &[usize], open: &[u32]) -> Option<Union> {
    use rustc_hash::FxHashSet;
    // The union's extent, which sets the boolean union's grid as the whole outline's union sets it:
    // that of the items on its outline (those with an unmatched segment) and the dirty items.
    let outline = open.iter().filter_map(|&i| graph.envelope[i as usize]);
    let extent = rect::union_all(outline.chain(dirty_items.iter().filter_map(|&d| rings_box(&graph.geometry[d]))))?;
    let local = entangled(graph, dirty, dirty_items, snap_distance(extent));
    let local_items: Vec<usize> = (0..local.len()).filter(|&i| local[i]).collect();
    // The far items' edges: their unmatched segments (only items in `open` have any).
    let mut edges: Vec<(Coord<f64>, Coord<f64>)> = Vec::with_capacity(open.len() * 8);
    for item in open.iter().map(|&i| i as usize).filter(|&i| !local[i]) {
        for ring in graph.rings_of(item) {
            for s in 0..ring.segments() {
                if ring.state[s] == SegmentState::Unknown {
                    edges.push(oriented(&ring, s));
                }
            }
        }
    }
    // The seam, as the local items' edges: those a far item runs the other way. The far item's segment
    // is matched (it is clean), so not among the far edges; were it not, the join would not be exact.
    let mut seam: FxHashSet<[u64; 4]> = FxHashSet::default();
    let mut polygons: Vec<Polygon<f64>> = Vec::new();
    for &item in &local_items {
        for ring in graph.rings_of(item) {
            for s in 0..ring.segments() {
                let (key, forward) = super::rings::segment_key(&ring, s);
                let mut far_side = graph.occurrences(&key).filter(|o| o.forward != forward && !local[o.item as usize]);
                let Some(o) = far_side.next() else { continue };
                if graph.ring(o.item as usize, o.ring as usize).state[o.seg as usize] != SegmentState::Matched {
                    return None;
                }
                let (a, b) = oriented(&ring, s);
                seam.insert(edge_bits(a, b));
            }
        }
        polygons.extend(graph.geometry[item].0.iter().cloned());
    }
    let seams = seam.len();
    let mut cancelled = 0;
    let pinned = seam.iter().flat_map(|e| {
        [
            Coord { x: f64::from_bits(e[0]), y: f64::from_bits(e[1]) },
            Coord { x: f64::from_bits(e[2]), y: f64::from_bits(e[3]) },
        ]
    });
    let pinned: Vec<Coord<f64>> = pinned.collect();
    for (a, b) in boolean_union_edges(&polygons, &pinned, extent)? {
        if seam.remove(&edge_bits(a, b)) {
            cancelled += 1;
        } else {
            edges.push((a, b));
        }
    }
    (cancelled == seams).then(|| walk(edges))
}

/// An edge's key: its end points' bits, -0.0 as 0.0.
fn edge_bits(a: Coord<f64>, b: Coord<f64>) -> [u64; 4] {
    [(a.x + 0.0).to_bits(), (a.y + 0.0).to_bits(), (b.x + 0.0).to_bits(), (b.y + 0.0).to_bits()]
}

/// The box of every ring of an item, holes too: an invalid item's hole can lie outside its shell, and
/// the boolean union counts it.
fn rings_box(item: &geo::MultiPolygon<f64>) -> Option<Rect<f64>> {
    let rings = item.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
    rect::union_all(rings.filter_map(|ring| ring.bounding_rect()))
}

/// The boundary edges of the union of `polygons` (any orientation of their rings), oriented with the
/// union on their right as walked edges are, computed on the integer grid i_overlay derives from
/// `extent`. Each output point that a single input point rounds to gets that point's coordinates back;
/// others (crossings) are as i_overlay gives them. `None` when i_overlay cannot be given the polygons:
/// a point not finite, or outside `extent` (which sets the grid, and which i_overlay asserts it holds).
fn boolean_union_edges(
    polygons: &[Polygon<f64>],
    pinned: &[Coord<f64>],
    extent: Rect<f64>,
) -> Option<Vec<(Coord<f64>, Coord<f64>)>> {
    use i_overlay::core::fill_rule::FillRule;
    use i_overlay::core::overlay::{IntOverlayOptions, Overlay, ShapeType};
    use i_overlay::core::overlay_rule::OverlayRule;
    use i_overlay::i_float::int::point::IntPoint;
    use rustc_hash::FxHashMap;
    let adapter = grid(extent);
    let inside = |c: Coord<f64>| c.x.is_finite() && c.y.is_finite() && rect::contains(extent, Rect::new(c, c));
    let segments: usize =
        polygons.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).map(|r| r.0.len()).sum();
    let solver = super::gaps::solver_for(segments);
    // Every point kept (collinear ones too), so that the seam's segments come out as they went in.
    let options = IntOverlayOptions {
        preserve_input_collinear: true,
        preserve_output_collinear: true,
        ..IntOverlayOptions::default()
    };
    let mut overlay = Overlay::new_custom(segments, options, solver);
    // Each grid point's own coordinates, or NaN where two different points round to it: a pinned
    // point's, whatever else rounds to it, unless another pinned point does too.
    let nan = Coord { x: f64::NAN, y: f64::NAN };
    let mut own: FxHashMap<IntPoint, (Coord<f64>, bool)> = FxHashMap::default();
    for &c in pinned {
        if !inside(c) {
            return None;
        }
        let p = adapter.float_to_int(&[c.x, c.y]);
        own.entry(p)
            .and_modify(|o| {
                if o.0 != c {
                    o.0 = nan
                }
            })
            .or_insert((c, true));
    }
    let mut contour: Vec<IntPoint> = Vec::new();
    for ring in polygons.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())) {
        contour.clear();
        // i_overlay's paths are implicitly closed: the closing coordinate is left out.
        for &c in &ring.0[..ring.0.len().saturating_sub(1)] {
            if !inside(c) {
                return None;
            }
            let p = adapter.float_to_int(&[c.x, c.y]);
            own.entry(p)
                .and_modify(|o| {
                    if !o.1 && o.0 != c {
                        o.0 = nan
                    }
                })
                .or_insert((c, false));
            contour.push(p);
        }
        overlay.add_contour(&contour, ShapeType::Subject);
    }
    let shapes = overlay.overlay(OverlayRule::Subject, FillRule::Positive);
    let point = |p: &IntPoint| match own.get(p) {
        Some(&(c, _)) if !c.x.is_nan() => c,
        _ => {
            let [x, y] = adapter.int_to_float(p);
            Coord { x, y }
        }
    };
    let mut edges = Vec::new();
    // Contours come counter-clockwise round the union (holes clockwise): reversed, the union lies on
    // each edge's right.
    for path in shapes.iter().flatten() {
        let points: Vec<Coord<f64>> = path.iter().map(point).collect();
        for (i, &a) in points.iter().enumerate() {
            let b = points[(i + 1) % points.len()];
            edges.push((b, a));
        }
    }
    Some(edges)
}

#[cfg(test)]
mod tests {
    use geo::{Area, Coord, LineString, Polygon};

    use super::{entangled, union_near_dirty};
    use crate::core::coverage::gaps::union_of_outline;
    use crate::core::coverage::synthetic::{Rng, jittered_grid, move_shared_vertex, square};
    use crate::core::coverage::{Checker, CoverageOptions, FindingKind};

    /// Faults planted in a jittered grid, chosen by the seed: bow ties, a vertex one grid moves alone (by
    /// metres, or by less than the boolean union's grid, where the grids beside it stay clean), grids shrunk (mismatched edges and gaps), and extra grids drawn across a corner where four meet
    /// (each of its invalid segments names one of the grids it crosses; the others stay clean) or inside
    /// a grid, some of them multi-part.
    fn faulty_coverage(seed: u64) -> Vec<geo::MultiPolygon<f64>> {
        const N: usize = 8;
        let origin = Coord { x: 620_000.0, y: 3_385_000.0 };
        let mut rng = Rng::new(seed + 77);
        let mut items = jittered_grid(N, N, 100.0, origin, seed);
        for _ in 0..1 + seed % 4 {
            let i = (1 + rng.next_u64() as usize % (N - 2)) * N + 1 + rng.next_u64() as usize % (N - 2);
            let ring = items[i].0[0].exterior().0.clone();
            let v = ring[rng.next_u64() as usize % (ring.len() - 1)];
            match rng.next_u64() % 5 {
                0 => {
                    let mut bow = ring.clone();
                    bow.swap(1, 2);
                    items[i] = geo::MultiPolygon(vec![Polygon::new(LineString(bow), vec![])]);
                }
                1 => {
                    // Far, or by a hair: less than the boolean union's grid (about 0.5 µm here).
                    let reach = if rng.next_u64().is_multiple_of(2) { 40.0 } else { 2e-7 };
                    let to = Coord { x: v.x + (rng.unit() - 0.5) * reach, y: v.y + (rng.unit() - 0.5) * reach };
                    move_shared_vertex(&mut items[i..=i], v, to);
                }
                2 => items[i] = geo::Scale::scale(&items[i], 0.8),
                3 => {
                    let at = Coord { x: v.x + (rng.unit() - 0.5) * 10.0, y: v.y + (rng.unit() - 0.5) * 10.0 };
                    let mut extra = square(at, 15.0 + rng.unit() * 25.0);
                    if rng.next_u64().is_multiple_of(2) {
                        extra.0.extend(square(Coord { x: at.x + 250.0, y: at.y }, 10.0).0);
                    }
                    items.push(extra);
                }
                _ => {
                    let centre = geo::Centroid::centroid(&items[i]).map_or(v, |c| c.0);
                    items.push(square(centre, 10.0 + rng.unit() * 10.0));
                }
            }
        }
        items
    }

    /// The union assembled around the dirty items ([`union_near_dirty`]) is the union of the whole
    /// outline ([`union_of_outline`]): as many pieces, the same area, holes of the same areas — on
    /// coverages with faults planted (overlaps, gaps, crossings a grid's matched segments alone see).
    #[test]
    fn the_union_around_dirty_items_is_the_whole_outlines() {
        let (mut faulty, mut assembled) = (0, 0);
        let seeds = 120u64;
        for seed in 0..seeds {
            let items = faulty_coverage(seed);
            let checker = Checker::new(items, None, Vec::new(), CoverageOptions::planar());
            let (open, dirty) = checker.open_and_dirty();
            let dirty_items: Vec<usize> = (0..dirty.len()).filter(|&i| dirty[i]).collect();
            if dirty_items.is_empty() {
                // A planted fault can leave the coverage valid (a grid shrunk where it has no neighbour).
                continue;
            }
            faulty += 1;
            let whole = union_of_outline(&checker.graph, &dirty, &dirty_items, &open);
            let Some(near) = union_near_dirty(&checker.graph, &dirty, &dirty_items, &open) else { continue };
            assembled += 1;
            assert_eq!(near.polygons.0.len(), whole.polygons.0.len(), "seed {seed}: pieces");
            let (a, b) = (near.polygons.unsigned_area(), whole.polygons.unsigned_area());
            assert!((a - b).abs() <= 1e-6 * b, "seed {seed}: area {a} against {b}");
            // Holes of rounding noise left out: a vertex moved by 0.2 µm in a clean part of the coverage
            // opens one of ~1e-7 m², which the whole outline's rounding happens to close.
            let areas = |u: &super::Union| {
                let mut areas: Vec<f64> = u.holes.iter().map(|h| h.unsigned_area()).filter(|&a| a > 1e-4).collect();
                areas.sort_by(f64::total_cmp);
                areas
            };
            let (ours, theirs) = (areas(&near), areas(&whole));
            assert_eq!(ours.len(), theirs.len(), "seed {seed}: holes {ours:?} against {theirs:?}");
            for (a, b) in ours.iter().zip(&theirs) {
                assert!((a - b).abs() <= 1e-3 + 1e-6 * b, "seed {seed}: hole of {a} against {b}");
            }
        }
        // The seam comes back exactly almost always (the grid here is far finer than the data).
        assert!(faulty >= seeds - 10, "only {faulty} of {seeds} coverages came out faulty");
        assert!(assembled >= faulty - 5, "assembled around the dirty items on {assembled} of {faulty} coverages");
    }

    fn rectangle(x0: f64, y0: f64, x1: f64, y1: f64) -> geo::MultiPolygon<f64> {
        let ring = vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)];
        geo::MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])])
    }

    /// Which clean grids go through the boolean union with a dirty one (the unit square, grid 0): those
    /// it may overlap or meet badly, or come within the snapping distance of — not those that share a
    /// whole edge with it, touch it at a corner or lie apart.
    #[test]
    fn clean_grids_entangled_with_a_dirty_one() {
        let mut t_junction = rectangle(0.0, -1.0, 1.0, 0.0);
        // The top edge split at (0.5, 0): the dirty square's bottom edge passes through that vertex.
        t_junction.0[0].exterior_mut(|ring| ring.0.insert(3, Coord { x: 0.5, y: 0.0 }));
        let items = vec![
            rectangle(0.0, 0.0, 1.0, 1.0),
            rectangle(1.0, 0.0, 2.0, 1.0),         // 1: a whole edge shared
            rectangle(-1.0, 0.0, -1e-7, 1.0),      // 2: 0.1 µm away
            rectangle(0.0, 1.5, 1.0, 2.5),         // 3: apart
            rectangle(0.5, -0.5, 1.5, 0.5),        // 4: crossing
            rectangle(0.4, 0.4, 0.6, 0.6),         // 5: inside
            t_junction,                            // 6: a vertex on the dirty square's edge
            rectangle(1.0, 1.0, 2.0, 2.0),         // 7: a corner touching
            rectangle(-0.5, -0.5, 1.5, 1.5),       // 8: round the dirty square
            rectangle(-1.0, 1.0 + 1e-3, 0.0, 2.0), // 9: a millimetre away
        ];
        let checker = Checker::new(items, None, Vec::new(), CoverageOptions::planar());
        let mut dirty = vec![false; 10];
        dirty[0] = true;
        let local = entangled(&checker.graph, &dirty, &[0], 1e-6);
        let expected = [true, false, true, false, true, true, true, false, true, false];
        assert_eq!(local, expected);
    }

    /// A point one grid writes as -0.0 and its neighbour as 0.0 is one vertex (a coordinate just below
    /// zero rounds to -0.0 at the check's precision): the union joins there, and no false gap appears.
    #[test]
    fn minus_zero_and_zero_are_one_vertex() {
        let options = CoverageOptions { precision: 0.001, gap_width_m: 0.0, crs: None };
        let items = vec![
            rectangle(-1.0, 0.0, -1e-7, 1.0),
            rectangle(-1.5, 0.0, -0.5, 1.0),
            rectangle(0.0, 0.0, 1.0, 1.0),
            rectangle(1.0, 0.0, 2.0, 1.0),
        ];
        let boundary = rectangle(-1.5, 0.0, 2.0, 1.0);
        let report = Checker::new(items, Some(boundary), Vec::new(), options).report();
        let kinds: Vec<FindingKind> = report.findings.iter().map(|f| f.kind).collect();
        assert!(kinds.contains(&FindingKind::Overlap), "{kinds:?}");
        assert!(!kinds.contains(&FindingKind::Gap), "{:?}", report.findings);
    }

    /// A dirty grid whose hole lies far outside its shell (outside every grid's box) is checked without
    /// a panic: the boolean union's grid holds every ring it is given.
    #[test]
    fn a_hole_outside_its_shell_is_checked() {
        let mut items: Vec<geo::MultiPolygon<f64>> = (0..3)
            .flat_map(|x| (0..2).map(move |y| rectangle(x as f64, y as f64, x as f64 + 1.0, y as f64 + 1.0)))
            .collect();
        let hole = LineString::from(vec![(30.0, 0.0), (31.0, 0.0), (31.0, 1.0), (30.0, 1.0), (30.0, 0.0)]);
        items[0].0[0].interiors_push(hole);
        let report = Checker::new(items, None, Vec::new(), CoverageOptions::planar()).report();
        let invalid = report.findings.iter().any(|f| f.kind == FindingKind::Invalid && f.items == vec![0]);
        assert!(invalid, "{:?}", report.findings);
    }
}
