//! Findings about areas: overlaps (pairs of grids sharing area, merged into one finding per area), gaps
//! and parts outside the boundary, each measured (area, inscribed-circle width) once and kept while its
//! piece does not change.

use std::collections::{BTreeMap, BTreeSet};

use geo::{Area, BooleanOps, BoundingRect, Geometry, MultiPolygon, Polygon, Rect};
use rustc_hash::{FxHashMap, FxHashSet};

use super::apart::interiors_apart;
use super::findings::{Detail, Finding, FindingKind};
use super::inscribed::{inscribed_width, wider_than};
use super::precision::round_multipolygon;
use super::window::clip_to_window;
use super::{Checker, count_vertices, gaps, overlaps, same_shape};
use crate::core::{area_m2, rect};

impl Checker {
    /// The significant overlap of two valid items, if their interiors intersect.
    pub(super) fn overlap_of(&self, a: u32, b: u32) -> Option<MultiPolygon<f64>> {
        let (Some(ea), Some(eb)) = (self.graph.envelope[a as usize], self.graph.envelope[b as usize]) else {
            return None;
        };
        // A shared area lies where the envelopes overlap (envelopes that only touch hold none). Most
        // pairs tested (neighbours of a flagged grid) share only their border: first each cut to that
        // window, which for neighbours holds a fraction of their vertices; only a pair that shares area
        // there is intersected whole, so that a piece found is the one the whole grids give.
        let window = rect::overlap(ea, eb)?;
        if interiors_apart(&self.graph, a, b, window) {
            return None;
        }
        let (ga, gb) = (&self.graph.geometry[a as usize], &self.graph.geometry[b as usize]);
        let (ca, cb) = (clip_to_window(ga, window), clip_to_window(gb, window));
        if ca.0.is_empty() || cb.0.is_empty() {
            return None;
        }
        let smaller = count_vertices(&ca) + count_vertices(&cb) < (count_vertices(ga) + count_vertices(gb)) * 3 / 4;
        if smaller && self.significant(ca.intersection(&cb)).0.is_empty() {
            return None;
        }
        let piece = self.significant(ga.intersection(gb));
        (!piece.0.is_empty()).then_some(piece)
    }

    /// Overlaps on a full check (`None`: the flood from every flagged item) or after an update (the
    /// changed items against their neighbours; every other pair keeps its result).
    pub(super) fn recompute_overlaps(&mut self, changed: Option<&[u32]>) {
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
    pub(super) fn regroup_overlaps(&mut self) {
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
                    if rect::overlap(ri, rj).is_none() {
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

    pub(super) fn measure_area(&self, mp: &MultiPolygon<f64>) -> f64 {
        match &self.options.crs {
            Some(crs) => area_m2(mp, crs),
            None => mp.unsigned_area(),
        }
    }

    /// Width (2 × inscribed radius) of the widest piece, in metres (or planar units).
    pub(super) fn measure_width(&self, mp: &MultiPolygon<f64>) -> f64 {
        let mut widest: f64 = 0.0;
        for polygon in &mp.0 {
            let (centre, width) = inscribed_width(polygon, 0.01, self.noise / 2.0);
            let scale = self.options.crs.as_ref().map_or(1.0, |c| c.ground_metres_per_unit(centre));
            widest = widest.max(width * scale);
        }
        widest
    }

    /// A finding about an area (overlap, gap, outside part) with its size and width.
    pub(super) fn area_finding(
        &self,
        kind: FindingKind,
        items: Vec<usize>,
        piece: MultiPolygon<f64>,
        detail: Detail,
    ) -> Finding {
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
    pub(super) fn significant(&self, mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
        let mp = round_multipolygon(&mp, self.options.precision);
        let noise = self.noise;
        MultiPolygon(mp.0.into_iter().filter(|p| p.unsigned_area() > noise * noise && wider_than(p, noise)).collect())
    }

    /// The items with an unmatched segment (ascending), and per item whether it is dirty: invalid, with
    /// invalid segments, or named by another item's invalid segment.
    pub(super) fn open_and_dirty(&self) -> (Vec<u32>, Vec<bool>) {
        let open: Vec<u32> = (0..self.open.len() as u32).filter(|&i| self.open[i as usize]).collect();
        let mut dirty: Vec<bool> = vec![false; self.graph.len()];
        for &i in &self.dirty {
            dirty[i as usize] = true;
            for s in &self.segments[i as usize] {
                dirty[s.other as usize] = true;
            }
        }
        (open, dirty)
    }

    /// Gaps (inside the boundary or enclosed by grids) and parts outside the boundary.
    pub(super) fn recompute_areas(&mut self) {
        let (open, dirty) = self.open_and_dirty();
        let union = if self.has_invalid_segments() {
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
