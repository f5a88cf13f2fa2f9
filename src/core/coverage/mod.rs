//! The coverage checker: proves that grids partition an area — no invalid polygons, no overlaps, no gaps,
//! nothing outside the boundary, shared edges that match vertex for vertex, no grid across a village line.
//!
//! Edge matching follows JTS/GEOS CoverageValidator exactly (see `validator`); gaps are measured by the
//! width of their largest inscribed circle (JTS CoverageGapFinder). Coordinates are compared after
//! snapping to a fixed precision. [`Checker::update`] re-checks only the neighbourhood of an edit.

mod checked_area;
mod findings;
pub mod fixes;
mod gaps;
mod graph;
mod inscribed;
mod options;
mod overlaps;
mod parallel;
mod precision;
mod predicates;
mod rings;
pub mod synthetic;
mod validator;
mod validity;

use std::collections::{BTreeMap, BTreeSet};

use geo::{Area, BooleanOps, BoundingRect, Geometry, Line, MultiLineString, MultiPolygon, Polygon, Rect};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};
use rustc_hash::{FxHashMap, FxHashSet};

pub use checked_area::{AreaChecked, area_parts, area_to_cover};
pub use findings::{Detail, Finding, FindingKind, Report};
pub use inscribed::{inscribed_width, maximum_inscribed_circle, wider_than};
pub use options::{CoverageOptions, Village};
pub use precision::{prepare as prepare_geometry, round_coord, round_multipolygon};
pub use validator::{Cause, invalid_edges};
pub use validity::{InvalidProblem, InvalidReason, validity_problem, validity_reason};

use super::{Project, area_m2, rect};
use findings::group_duplicates;
use graph::{Graph, aabb};
use overlaps::Overlaps;
use rings::{SegmentKey, SegmentState, segment_key};
use validator::{InvalidSegment, validate_item};

/// A coverage being checked, kept so that edits can be re-checked incrementally.
pub struct Checker {
    options: CoverageOptions,
    graph: Graph,
    boundary: Option<MultiPolygon<f64>>,
    villages: Vec<Village>,
    village_tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    invalid: Vec<Option<InvalidReason>>,
    /// Items removed (by [`Checker::remove`]): empty, and nothing is said about them.
    deleted: Vec<bool>,
    segments: Vec<Vec<InvalidSegment>>,
    /// The finding for each pair of items whose edges interact badly (duplicates, edge mismatches).
    pairs: BTreeMap<(u32, u32), Finding>,
    /// Every pair of valid items whose interiors intersect, with the (significant) shared area.
    overlaps: Overlaps,
    /// The overlaps as reported: pairs whose shared areas overlap merged into one finding.
    overlap_findings: Vec<Finding>,
    areas: Vec<Finding>,
    village_findings: Vec<Option<Finding>>,
    /// Pieces narrower than this are rounding noise of boolean operations, not findings.
    noise: f64,
    /// `options.gap_width_m` in CRS units.
    gap_width_in_world: f64,
    /// Milliseconds spent in each phase of the last full check or update, for profiling and reports.
    phases: Vec<(&'static str, f64)>,
    /// Items that are invalid or have invalid segments, kept so that edits need not scan every item.
    dirty: BTreeSet<u32>,
    /// Per item: whether it has a segment no neighbour matches (on the union's boundary), so that the
    /// gap pass walks those items only, not every segment of the coverage.
    open: Vec<bool>,
}

impl Checker {
    /// Checks a project's grids, in id order (item `i` is the `i`-th grid), against the area it must
    /// cover ([`area_to_cover`]: its boundary, else its villages' or townships' land), with its village
    /// polygons for the one-village rule. How the app, `wangge check` and `wangge fix` check a project;
    /// start from [`CoverageOptions::for_project`].
    pub fn for_project(project: &Project, options: CoverageOptions) -> (Checker, AreaChecked) {
        let (boundary, area) = area_to_cover(project);
        let items = project.grids.values().map(|g| g.geometry.clone()).collect();
        (Checker::new(items, boundary, Village::of(project), options), area)
    }

    /// Checks `items` (one multipolygon per grid, in input order) against an optional boundary.
    pub fn new(
        items: Vec<MultiPolygon<f64>>,
        boundary: Option<MultiPolygon<f64>>,
        villages: Vec<Village>,
        options: CoverageOptions,
    ) -> Checker {
        let started = std::time::Instant::now();
        let p = options.precision;
        let snapped: Vec<MultiPolygon<f64>> = items.into_iter().map(|g| precision::prepare(g, p)).collect();
        let boundary = boundary.map(|b| precision::prepare(b, p));
        let villages: Vec<Village> =
            villages.into_iter().map(|v| Village { polygon: precision::prepare(v.polygon, p), code: v.code }).collect();
        let village_tree = RTree::bulk_load(
            villages
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let e = v.polygon.bounding_rect()?;
                    Some(GeomWithData::new(Rectangle::from_corners(e.min().into(), e.max().into()), i))
                })
                .collect(),
        );
        let graph = Graph::build(snapped);
        let n = graph.len();
        let extent = graph
            .envelope
            .iter()
            .flatten()
            .chain(boundary.as_ref().and_then(|b| b.bounding_rect()).iter())
            .copied()
            .reduce(rect::union);
        let diagonal = extent.map_or(1.0, |e| e.width().hypot(e.height()));
        let noise = if p > 0.0 { p } else { diagonal * 1e-9 };
        let gap_width_in_world = options.gap_width_in_world(extent);
        let mut checker = Checker {
            options,
            graph,
            boundary,
            villages,
            village_tree,
            invalid: vec![None; n],
            deleted: vec![false; n],
            segments: vec![Vec::new(); n],
            pairs: BTreeMap::new(),
            overlaps: Overlaps::new(),
            overlap_findings: Vec::new(),
            areas: Vec::new(),
            village_findings: vec![None; n],
            noise,
            gap_width_in_world,
            phases: vec![("index", started.elapsed().as_secs_f64() * 1e3)],
            dirty: BTreeSet::new(),
            open: vec![false; n],
        };
        let all: Vec<u32> = (0..n as u32).collect();
        checker.run_phases(&all, None);
        checker
    }

    /// Validity, edges, overlaps, pairs, areas and villages of the given items, timing each phase. A full
    /// check (`changed` = None) finds overlaps by the flood and computes the areas; an update tests the
    /// changed items for overlaps and leaves the areas to the caller.
    fn run_phases(&mut self, items: &[u32], changed: Option<&[u32]>) {
        let mut t = std::time::Instant::now();
        let mut lap = |name: &'static str, phases: &mut Vec<(&'static str, f64)>| {
            phases.push((name, t.elapsed().as_secs_f64() * 1e3));
            t = std::time::Instant::now();
        };
        let mut phases = std::mem::take(&mut self.phases);
        let problems = parallel::map(items, |&i| {
            if self.deleted[i as usize] { None } else { validity_reason(&self.graph.geometry[i as usize]) }
        });
        for (&i, problem) in items.iter().zip(problems) {
            self.invalid[i as usize] = problem;
        }
        lap("validity", &mut phases);
        let gap_width_in_world = self.gap_width_in_world;
        let verdicts = if changed.is_none() {
            // A full check: exact matches in one pass over the segment hash.
            let mut same_side = validator::exact_matches(&mut self.graph);
            let prematched: Vec<(u32, Vec<InvalidSegment>)> =
                items.iter().map(|&i| (i, std::mem::take(&mut same_side[i as usize]))).collect();
            let graph = &self.graph;
            parallel::map(&prematched, |(i, same)| validate_item(graph, *i, gap_width_in_world, Some(same.clone())))
        } else {
            parallel::map(items, |&i| validate_item(&self.graph, i, gap_width_in_world, None))
        };
        for (&i, verdict) in items.iter().zip(verdicts) {
            for (ring, states) in self.graph.rings[i as usize].iter_mut().zip(verdict.states) {
                ring.state = states;
            }
            self.segments[i as usize] = verdict.invalid;
            self.open[i as usize] =
                self.graph.rings[i as usize].iter().any(|r| r.state.contains(&SegmentState::Unknown));
            if self.segments[i as usize].is_empty() && self.invalid[i as usize].is_none() {
                self.dirty.remove(&i);
            } else {
                self.dirty.insert(i);
            }
        }
        lap("edges", &mut phases);
        self.recompute_overlaps(changed);
        lap("overlaps", &mut phases);
        self.recompute_pairs(items);
        lap("pairs", &mut phases);
        if changed.is_none() {
            self.recompute_areas();
            lap("gaps", &mut phases);
        }
        self.recheck_villages(items);
        lap("villages", &mut phases);
        self.phases = phases;
    }

    /// Milliseconds per phase of the last check or update.
    pub fn phase_timings(&self) -> &[(&'static str, f64)] {
        &self.phases
    }

    pub fn options(&self) -> &CoverageOptions {
        &self.options
    }

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
        let invalid_before = self.has_invalid_segments();
        let changed: Vec<u32> = changes.iter().map(|(i, _)| *i as u32).collect();
        for (i, g) in changes {
            if i >= self.graph.len() {
                self.invalid.push(None);
                self.deleted.push(false);
                self.segments.push(Vec::new());
                self.village_findings.push(None);
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
        if self.unmatched_keys(&affected.iter().copied().collect()) != before
            || invalid_before
            || self.has_invalid_segments()
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

    /// Whether an item was removed.
    pub fn is_removed(&self, item: usize) -> bool {
        self.deleted.get(item).copied().unwrap_or(false)
    }

    fn has_invalid_segments(&self) -> bool {
        !self.dirty.is_empty()
    }

    fn unmatched_keys(&self, items: &BTreeSet<u32>) -> Vec<(SegmentKey, bool)> {
        let mut keys = Vec::new();
        for &i in items {
            for ring in self.graph.rings.get(i as usize).into_iter().flatten() {
                for s in 0..ring.segments() {
                    if ring.state[s] == SegmentState::Unknown {
                        keys.push(segment_key(ring, s));
                    }
                }
            }
        }
        keys.sort_unstable();
        keys
    }

    /// The significant overlap of two valid items, if their interiors intersect.
    fn overlap_of(&self, a: u32, b: u32) -> Option<MultiPolygon<f64>> {
        let (Some(ea), Some(eb)) = (self.graph.envelope[a as usize], self.graph.envelope[b as usize]) else {
            return None;
        };
        // Envelopes that only touch cannot hold a shared area.
        if ea.max().x <= eb.min().x || eb.max().x <= ea.min().x || ea.max().y <= eb.min().y || eb.max().y <= ea.min().y
        {
            return None;
        }
        let piece = self.significant(self.graph.geometry[a as usize].intersection(&self.graph.geometry[b as usize]));
        (!piece.0.is_empty()).then_some(piece)
    }

    /// Overlaps on a full check (`None`: the flood from every flagged item) or after an update (the
    /// changed items against their neighbours; every other pair keeps its result).
    fn recompute_overlaps(&mut self, changed: Option<&[u32]>) {
        let usable = |i: u32| self.invalid[i as usize].is_none() && !self.deleted[i as usize];
        let test = |a: u32, b: u32| self.overlap_of(a, b);
        match changed {
            None => {
                let mut seeds: BTreeSet<u32> = self.dirty.clone();
                for list in &self.segments {
                    seeds.extend(list.iter().map(|s| s.other));
                }
                self.overlaps = overlaps::flood(&self.graph, seeds, &usable, &test);
            }
            Some(changed) => {
                let found = overlaps::around(&self.graph, changed, &usable, &test);
                let changed: FxHashSet<u32> = changed.iter().copied().collect();
                self.overlaps.retain(|(a, b), _| !changed.contains(a) && !changed.contains(b));
                self.overlaps.extend(found);
            }
        }
        self.regroup_overlaps();
    }

    /// One finding per area claimed by several grids: the pairs' shared areas, merged where they share
    /// area themselves (three grids on one spot are one finding naming all three). Duplicates are
    /// reported as such, not again as overlaps. Findings of unchanged groups are kept as measured.
    fn regroup_overlaps(&mut self) {
        let keys: Vec<(u32, u32)> =
            self.overlaps.keys().copied().filter(|&(a, b)| !same_shape(&self.graph, a, b)).collect();
        let mut parent: Vec<usize> = (0..keys.len()).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        let mut by_item: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for (k, &(a, b)) in keys.iter().enumerate() {
            by_item.entry(a).or_default().push(k);
            by_item.entry(b).or_default().push(k);
        }
        let rects: Vec<Option<Rect<f64>>> = keys.iter().map(|k| self.overlaps[k].bounding_rect()).collect();
        for list in by_item.values() {
            for (x, &i) in list.iter().enumerate() {
                for &j in &list[x + 1..] {
                    if root(&mut parent, i) == root(&mut parent, j) {
                        continue;
                    }
                    let (Some(ri), Some(rj)) = (rects[i], rects[j]) else { continue };
                    if ri.max().x <= rj.min().x
                        || rj.max().x <= ri.min().x
                        || ri.max().y <= rj.min().y
                        || rj.max().y <= ri.min().y
                    {
                        continue;
                    }
                    let shared = self.significant(self.overlaps[&keys[i]].intersection(&self.overlaps[&keys[j]]));
                    if !shared.0.is_empty() {
                        let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                        parent[ri] = rj;
                    }
                }
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for k in 0..keys.len() {
            groups.entry(root(&mut parent, k)).or_default().push(k);
        }
        let old = std::mem::take(&mut self.overlap_findings);
        let mut findings = Vec::new();
        for members in groups.values() {
            let items: Vec<usize> = members
                .iter()
                .flat_map(|&k| [keys[k].0 as usize, keys[k].1 as usize])
                .collect::<BTreeSet<usize>>()
                .into_iter()
                .collect();
            let piece = if members.len() == 1 {
                self.overlaps[&keys[members[0]]].clone()
            } else {
                let polygons: Vec<Polygon<f64>> =
                    members.iter().flat_map(|&k| self.overlaps[&keys[k]].0.iter().cloned()).collect();
                self.significant(geo::unary_union(&polygons))
            };
            let reused = old
                .iter()
                .find(|f| f.items == items && matches!(&f.geometry, Geometry::MultiPolygon(g) if *g == piece));
            findings.push(match reused {
                Some(f) => f.clone(),
                None => self.area_finding(FindingKind::Overlap, items, piece, Detail::Overlap),
            });
        }
        self.overlap_findings = findings;
    }

    fn recompute_pairs(&mut self, items: &[u32]) {
        let touched: BTreeSet<u32> = items.iter().copied().collect();
        self.pairs.retain(|(a, b), _| !touched.contains(a) && !touched.contains(b));
        let mut pairs: BTreeSet<(u32, u32)> = BTreeSet::new();
        // Pairs seen from either side: the touched item's own segments or a neighbour's. A neighbour
        // that sees a problem with a touched item lies near it, so only dirty items near the touched
        // ones need looking at (all of them on a full check).
        let candidates: Vec<u32> = if touched.len() == self.graph.len() {
            self.dirty.iter().copied().collect()
        } else {
            let mut near: BTreeSet<u32> = BTreeSet::new();
            for &i in &touched {
                if let Some(e) = self.graph.envelope[i as usize] {
                    near.extend(self.graph.items_near(e, self.gap_width_in_world).filter(|j| self.dirty.contains(j)));
                }
                near.insert(i);
            }
            near.into_iter().collect()
        };
        for j in candidates {
            for s in self.segments[j as usize].iter().filter(|s| touched.contains(&j) || touched.contains(&s.other)) {
                pairs.insert((j.min(s.other), j.max(s.other)));
            }
        }
        for (a, b) in pairs {
            if let Some(result) = self.pair_result(a, b) {
                self.pairs.insert((a, b), result);
            }
        }
    }

    fn measure_area(&self, mp: &MultiPolygon<f64>) -> f64 {
        match &self.options.crs {
            Some(crs) => area_m2(mp, crs),
            None => mp.unsigned_area(),
        }
    }

    /// Width (2 × inscribed radius) of the widest piece, in metres (or planar units).
    fn measure_width(&self, mp: &MultiPolygon<f64>) -> f64 {
        let mut widest: f64 = 0.0;
        for polygon in &mp.0 {
            let (centre, width) = inscribed_width(polygon, 0.01, self.noise / 2.0);
            let scale = self.options.crs.as_ref().map_or(1.0, |c| c.ground_metres_per_unit(centre));
            widest = widest.max(width * scale);
        }
        widest
    }

    /// A finding about an area (overlap, gap, outside part) with its size and width.
    fn area_finding(&self, kind: FindingKind, items: Vec<usize>, piece: MultiPolygon<f64>, detail: Detail) -> Finding {
        Finding {
            kind,
            items,
            area: Some(self.measure_area(&piece)),
            width: Some(self.measure_width(&piece)),
            geometry: Geometry::MultiPolygon(piece),
            detail,
        }
    }

    /// Keeps the pieces of a boolean result that are wider than rounding noise, snapped to precision.
    fn significant(&self, mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
        let mp = round_multipolygon(&mp, self.options.precision);
        let noise = self.noise;
        MultiPolygon(mp.0.into_iter().filter(|p| p.unsigned_area() > noise * noise && wider_than(p, noise)).collect())
    }

    fn pair_result(&self, a: u32, b: u32) -> Option<Finding> {
        let of = |x: u32, y: u32| -> Vec<InvalidSegment> {
            self.segments[x as usize].iter().filter(|s| s.other == y).copied().collect()
        };
        let (sa, sb) = (of(a, b), of(b, a));
        if sa.is_empty() && sb.is_empty() {
            return None;
        }
        let ga = &self.graph.geometry[a as usize];
        let items = vec![a as usize, b as usize];
        if same_shape(&self.graph, a, b) {
            let finding = Finding {
                kind: FindingKind::Duplicate,
                items,
                area: Some(self.measure_area(ga)),
                width: None,
                geometry: Geometry::MultiPolygon(ga.clone()),
                detail: Detail::Duplicate,
            };
            return Some(finding);
        }
        // An overlap is reported as such (see `regroup_overlaps`), not again as mismatched edges.
        if self.overlaps.contains_key(&(a, b)) {
            return None;
        }
        let lines: Vec<_> = sa
            .iter()
            .map(|s| (a, s))
            .chain(sb.iter().map(|s| (b, s)))
            .map(|(item, s)| {
                let (p0, p1) = self.graph.rings[item as usize][s.ring as usize].segment(s.seg as usize);
                Line::new(p0, p1).into()
            })
            .collect();
        let causes: BTreeSet<Cause> = sa.iter().chain(&sb).map(|s| s.cause).collect();
        let finding = Finding {
            kind: FindingKind::EdgeMismatch,
            items,
            area: None,
            width: None,
            geometry: Geometry::MultiLineString(MultiLineString(lines)),
            detail: Detail::EdgeMismatch { segments: sa.len() + sb.len(), causes: causes.into_iter().collect() },
        };
        Some(finding)
    }

    /// Gaps (inside the boundary or enclosed by grids) and parts outside the boundary.
    fn recompute_areas(&mut self) {
        let open: Vec<u32> = (0..self.open.len() as u32).filter(|&i| self.open[i as usize]).collect();
        let union = if self.has_invalid_segments() {
            let mut dirty: Vec<bool> = vec![false; self.graph.len()];
            for &i in &self.dirty {
                dirty[i as usize] = true;
                for s in &self.segments[i as usize] {
                    dirty[s.other as usize] = true;
                }
            }
            gaps::union_with_dirty(&self.graph, &dirty, &open)
        } else {
            gaps::union_from_unmatched(&self.graph, &open)
        };
        let old = Measured::of(std::mem::take(&mut self.areas));
        let mut areas = Vec::new();
        let mut gap_pieces: Vec<(Polygon<f64>, bool)> = Vec::new();
        match &self.boundary {
            Some(boundary) => {
                let uncovered = self.significant(gaps::uncovered(boundary, &union.polygons));
                let holes: Vec<&Polygon<f64>> = union.holes.iter().collect();
                for piece in uncovered.0 {
                    let enclosed = holes.iter().any(|h| h.bounding_rect() == piece.bounding_rect());
                    gap_pieces.push((piece, enclosed));
                }
                let outside = self.significant(gaps::outside(boundary, &union.polygons));
                for piece in outside.0 {
                    let piece = MultiPolygon(vec![piece]);
                    let Some(env) = piece.bounding_rect() else { continue };
                    let mut owners: Vec<usize> = self
                        .graph
                        .items_near(env, 0.0)
                        .filter(|&i| {
                            !self.significant(self.graph.geometry[i as usize].intersection(&piece)).0.is_empty()
                        })
                        .map(|i| i as usize)
                        .collect();
                    owners.sort_unstable();
                    areas.push(old.reuse(FindingKind::Outside, owners, piece, Detail::Outside, self));
                }
            }
            None => {
                for hole in union.holes {
                    let significant = self.significant(MultiPolygon(vec![hole]));
                    gap_pieces.extend(significant.0.into_iter().map(|p| (p, true)));
                }
            }
        }
        for (piece, enclosed) in gap_pieces {
            let piece = MultiPolygon(vec![piece]);
            let Some(env) = piece.bounding_rect() else { continue };
            let mut around: Vec<usize> = self.graph.items_near(env, self.noise).map(|i| i as usize).collect();
            around.sort_unstable();
            areas.push(old.reuse(FindingKind::Gap, around, piece, Detail::Gap { enclosed }, self));
        }
        self.areas = areas;
    }

    fn recheck_villages(&mut self, items: &[u32]) {
        if self.villages.is_empty() {
            return;
        }
        for &i in items {
            let i = i as usize;
            let grid = &self.graph.geometry[i];
            let (Some(env), None) = (grid.bounding_rect(), &self.invalid[i]) else {
                self.village_findings[i] = None;
                continue;
            };
            let grid_area = grid.unsigned_area();
            let mut inside: Vec<(String, f64, MultiPolygon<f64>)> = Vec::new();
            for v in self.village_tree.locate_in_envelope_intersecting(aabb(env, 0.0)) {
                let village = &self.villages[v.data];
                let part = self.significant(grid.intersection(&village.polygon));
                let area = part.unsigned_area();
                if area > grid_area * 1e-6 {
                    inside.push((village.code.clone(), self.measure_area(&part), part));
                }
            }
            inside.sort_by(|a, b| a.0.cmp(&b.0));
            self.village_findings[i] = match inside.len() {
                0 => Some(Finding {
                    kind: FindingKind::NoVillage,
                    items: vec![i],
                    area: Some(self.measure_area(grid)),
                    width: None,
                    geometry: Geometry::MultiPolygon(grid.clone()),
                    detail: Detail::NoVillage,
                }),
                1 => None,
                _ => Some(Finding {
                    kind: FindingKind::VillageCrossing,
                    items: vec![i],
                    area: Some(self.measure_area(grid)),
                    width: None,
                    geometry: Geometry::MultiPolygon(grid.clone()),
                    detail: Detail::VillageCrossing { villages: inside.into_iter().map(|(c, a, _)| (c, a)).collect() },
                }),
            };
        }
    }

    /// All findings, worst kind first, then by the items involved.
    pub fn report(&self) -> Report {
        let mut findings = Vec::new();
        for (i, problem) in self.invalid.iter().enumerate() {
            if let Some(problem) = problem {
                findings.push(Finding {
                    kind: FindingKind::Invalid,
                    items: vec![i],
                    area: Some(self.measure_area(&self.graph.geometry[i])),
                    width: None,
                    geometry: Geometry::MultiPolygon(self.graph.geometry[i].clone()),
                    detail: Detail::Invalid(*problem),
                });
            }
        }
        for (i, g) in self.graph.geometry.iter().enumerate() {
            if self.deleted[i] {
                continue;
            }
            let holes: usize = g.0.iter().map(|p| p.interiors().len()).sum();
            if g.0.len() > 1 || holes > 0 {
                findings.push(Finding {
                    kind: FindingKind::Note,
                    items: vec![i],
                    area: Some(self.measure_area(g)),
                    width: None,
                    geometry: Geometry::MultiPolygon(g.clone()),
                    detail: Detail::Note { parts: g.0.len(), holes },
                });
            }
        }
        findings.extend(self.pairs.values().filter(|f| f.kind != FindingKind::Duplicate).cloned());
        findings.extend(group_duplicates(self.pairs.values().filter(|f| f.kind == FindingKind::Duplicate)));
        findings.extend(self.overlap_findings.iter().cloned());
        findings.extend(self.areas.iter().cloned());
        findings.extend(self.village_findings.iter().flatten().cloned());
        findings.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then_with(|| a.items.cmp(&b.items))
                .then_with(|| b.area.unwrap_or(0.0).total_cmp(&a.area.unwrap_or(0.0)))
        });
        let vertices = self.graph.geometry.iter().map(count_vertices).sum();
        Report { items: self.graph.len() - self.deleted.iter().filter(|d| **d).count(), vertices, findings }
    }

    /// The (snapped) geometry of an item as checked.
    pub fn geometry(&self, item: usize) -> Option<&MultiPolygon<f64>> {
        self.graph.geometry.get(item)
    }

    /// How many items the coverage has.
    pub fn len(&self) -> usize {
        self.graph.len()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.len() == 0
    }

    pub fn boundary(&self) -> Option<&MultiPolygon<f64>> {
        self.boundary.as_ref()
    }

    /// Items whose envelope comes near `area`.
    pub fn items_near(&self, area: Rect<f64>) -> Vec<usize> {
        self.graph.items_near(area, 0.0).map(|i| i as usize).collect()
    }
}

/// The area findings of the previous gap pass, by the bounding box of their piece: a piece that comes
/// out of the next pass unchanged keeps its measured area and width (the inscribed circle is the
/// costly part), so that a re-check measures only the pieces an edit changed.
struct Measured {
    by_box: FxHashMap<[u64; 4], Vec<Finding>>,
}

impl Measured {
    fn of(findings: Vec<Finding>) -> Measured {
        let mut by_box: FxHashMap<[u64; 4], Vec<Finding>> = FxHashMap::default();
        for f in findings {
            if let Some(key) = f.geometry.bounding_rect().map(box_key) {
                by_box.entry(key).or_default().push(f);
            }
        }
        Measured { by_box }
    }

    fn reuse(
        &self,
        kind: FindingKind,
        items: Vec<usize>,
        piece: MultiPolygon<f64>,
        detail: Detail,
        checker: &Checker,
    ) -> Finding {
        let same = piece.bounding_rect().map(box_key).and_then(|key| self.by_box.get(&key)).and_then(|list| {
            list.iter().find(|f| f.kind == kind && matches!(&f.geometry, Geometry::MultiPolygon(g) if *g == piece))
        });
        match same {
            Some(f) => Finding { kind, items, area: f.area, width: f.width, geometry: f.geometry.clone(), detail },
            None => checker.area_finding(kind, items, piece, detail),
        }
    }
}

fn box_key(r: Rect<f64>) -> [u64; 4] {
    [r.min().x.to_bits(), r.min().y.to_bits(), r.max().x.to_bits(), r.max().y.to_bits()]
}

fn count_vertices(g: &MultiPolygon<f64>) -> usize {
    g.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum()
}

/// Two items with the same rings (whatever their start vertex or orientation).
fn same_shape(graph: &Graph, a: u32, b: u32) -> bool {
    let keys = |i: u32| {
        let mut k: Vec<SegmentKey> = graph.rings[i as usize]
            .iter()
            .flat_map(|ring| (0..ring.segments()).map(move |s| segment_key(ring, s).0))
            .collect();
        k.sort_unstable();
        k
    };
    graph.envelope[a as usize] == graph.envelope[b as usize] && keys(a) == keys(b)
}

#[cfg(test)]
mod dirty_updates;
#[cfg(test)]
mod jts_conformance;
