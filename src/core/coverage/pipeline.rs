//! The phases of a check, run on every item (a full check) or on those an edit can reach (an update):
//! validity, edge matching, overlaps, the findings per pair of items, gaps and villages.

use std::collections::BTreeSet;

use geo::{Area, BooleanOps, BoundingRect, Geometry, Line, MultiLineString, MultiPolygon};

use super::findings::{Detail, Finding, FindingKind};
use super::graph::aabb;
use super::rings::SegmentState;
use super::validator::{self, Cause, InvalidSegment, validate_item};
use super::validity::validity_reason_given;
use super::{Checker, parallel, same_shape};

impl Checker {
    /// Validity, edges, overlaps, pairs, areas and villages of the given items, timing each phase. A full
    /// check (`changed` = None) finds overlaps by the flood and computes the areas; an update tests the
    /// changed items for overlaps and leaves the areas to the caller.
    pub(super) fn run_phases(&mut self, items: &[u32], changed: Option<&[u32]>) {
        let mut t = std::time::Instant::now();
        let mut lap = |name: &'static str, phases: &mut Vec<(&'static str, f64)>| {
            phases.push((name, t.elapsed().as_secs_f64() * 1e3));
            t = std::time::Instant::now();
        };
        let mut phases = std::mem::take(&mut self.phases);
        let problems = parallel::map(items, |&i| {
            let i = i as usize;
            if self.deleted[i] {
                None
            } else {
                validity_reason_given(&self.graph.geometry[i], self.graph.rings[i].plain)
            }
        });
        for (&i, problem) in items.iter().zip(problems) {
            self.invalid[i as usize] = problem;
        }
        lap("validity", &mut phases);
        let gap_width_in_world = self.gap_width_in_world;
        let verdicts = if changed.is_none() {
            // A full check: exact matches in one pass over the segment hash.
            let same_side = validator::exact_matches(&mut self.graph);
            let graph = &self.graph;
            parallel::map(items, |&i| validate_item(graph, i, gap_width_in_world, Some(same_side[i as usize].clone())))
        } else {
            parallel::map(items, |&i| validate_item(&self.graph, i, gap_width_in_world, None))
        };
        for (&i, verdict) in items.iter().zip(verdicts) {
            if let Some(states) = verdict.states {
                self.graph.rings[i as usize].state = states;
            }
            self.segments[i as usize] = verdict.invalid;
            self.open[i as usize] = self.graph.rings[i as usize].state.contains(&SegmentState::Unknown);
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

    pub(super) fn recompute_pairs(&mut self, items: &[u32]) {
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

    pub(super) fn pair_result(&self, a: u32, b: u32) -> Option<Finding> {
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
                let (p0, p1) = self.graph.ring(item as usize, s.ring as usize).segment(s.seg as usize);
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

    pub(super) fn recheck_villages(&mut self, items: &[u32]) {
        if self.villages.is_empty() {
            return;
        }
        for &i in items {
            let i = i as usize;
            let grid = &self.graph.geometry[i];
            let (Some(env), None) = (grid.bounding_rect(), &self.invalid[i]) else {
                self.village_findings.remove(&(i as u32));
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
            let finding = match inside.len() {
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
            match finding {
                Some(f) => self.village_findings.insert(i as u32, f),
                None => self.village_findings.remove(&(i as u32)),
            };
        }
    }
}
