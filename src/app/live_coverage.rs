//! The coverage check kept live while editing: one [`Checker`] for the project, updated incrementally
//! with the grids each edit touched (a deleted grid becomes an empty item until the next full check).

use std::collections::{BTreeMap, BTreeSet};

use geo::MultiPolygon;

use crate::core::coverage::fixes::{Fix, checked_fixes_for};
use crate::core::coverage::{AreaChecked, Checker, CoverageOptions, Finding, FindingKind, Report};
use crate::core::{GridId, Project};

pub struct LiveCoverage {
    checker: Checker,
    /// The grid of each checker item; `None` for items of deleted grids.
    items: Vec<Option<GridId>>,
    slot: BTreeMap<GridId, usize>,
    report: Report,
    area: AreaChecked,
}

impl LiveCoverage {
    pub fn build(project: &Project) -> LiveCoverage {
        let items: Vec<Option<GridId>> = project.grids.keys().map(|id| Some(*id)).collect();
        let slot = project.grids.keys().enumerate().map(|(i, id)| (*id, i)).collect();
        let (checker, area) = Checker::for_project(project, CoverageOptions::for_project(project));
        let mut live = LiveCoverage { checker, items, slot, report: Report::default(), area };
        live.refresh_report();
        live
    }

    /// Re-checks after the grids in `changed` were added, removed or reshaped.
    pub fn update(&mut self, project: &Project, changed: &BTreeSet<GridId>) {
        let tombstones = self.items.iter().filter(|i| i.is_none()).count();
        if tombstones > 64 && tombstones * 4 > self.items.len() {
            *self = LiveCoverage::build(project);
            return;
        }
        let mut changes = Vec::new();
        for id in changed {
            match (project.grids.get(id), self.slot.get(id).copied()) {
                (Some(g), Some(i)) => changes.push((i, g.geometry.clone())),
                (Some(g), None) => {
                    let i = self.items.len() + changes.iter().filter(|(i, _)| *i >= self.items.len()).count();
                    changes.push((i, g.geometry.clone()));
                    self.slot.insert(*id, i);
                }
                (None, Some(i)) => {
                    changes.push((i, MultiPolygon(Vec::new())));
                    self.slot.remove(id);
                    self.items[i] = None;
                }
                (None, None) => {}
            }
        }
        changes.sort_by_key(|(i, _)| *i);
        for (i, _) in &changes {
            if *i >= self.items.len() {
                self.items.push(None);
            }
        }
        for (id, &i) in &self.slot {
            if changed.contains(id) {
                self.items[i] = Some(*id);
            }
        }
        self.checker.update(changes);
        self.refresh_report();
    }

    fn refresh_report(&mut self) {
        let mut report = self.checker.report();
        // Items of deleted grids are empty on purpose; whatever is said about them alone is moot.
        report
            .findings
            .retain(|f| f.items.is_empty() || f.items.iter().any(|i| self.items.get(*i).is_some_and(Option::is_some)));
        report.items = self.slot.len();
        self.report = report;
    }

    pub fn report(&self) -> &Report {
        &self.report
    }

    pub fn checker(&self) -> &Checker {
        &self.checker
    }

    /// Which area the grids are checked against (the boundary, else the villages' or townships' land).
    pub fn area(&self) -> &AreaChecked {
        &self.area
    }

    /// The fixes of finding `index` of the report, a fix marked safe only after trying it (and undoing
    /// it) showed a strict improvement.
    pub fn fixes_for(&mut self, index: usize) -> Vec<Fix> {
        match self.report.findings.get(index).cloned() {
            Some(finding) => checked_fixes_for(&mut self.checker, &finding),
            None => Vec::new(),
        }
    }

    /// The grid behind a checker item.
    pub fn grid_of(&self, item: usize) -> Option<GridId> {
        self.items.get(item).copied().flatten()
    }

    /// Error findings grouped by kind, worst kind first.
    pub fn grouped(&self) -> Vec<(FindingKind, Vec<&Finding>)> {
        FindingKind::ALL
            .iter()
            .map(|k| (*k, self.report.findings.iter().filter(|f| f.kind == *k).collect::<Vec<_>>()))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }
}
