//! The coverage checker: proves that grids partition an area — no invalid polygons, no overlaps, no gaps,
//! nothing outside the boundary, shared edges that match vertex for vertex, no grid across a village line.
//!
//! Edge matching follows JTS/GEOS CoverageValidator exactly (see `validator`); gaps are measured by the
//! width of their largest inscribed circle (JTS CoverageGapFinder). Coordinates are compared after
//! snapping to a fixed precision. [`Checker::update`] re-checks only the neighbourhood of an edit.
//!
//! [`Checker`] is built in `build`, checked phase by phase in `pipeline` (validity, edges, pairs, villages)
//! and `areas` (overlaps, gaps, outside parts), re-checked after edits in `update`; this file holds its
//! state, its report and its accessors.

mod apart;
mod areas;
mod build;
mod checked_area;
mod dirty_union;
mod findings;
pub mod fixes;
mod gaps;
mod graph;
mod inscribed;
mod monotone;
mod options;
mod overlaps;
mod parallel;
mod pipeline;
mod precision;
mod predicates;
mod rings;
mod segment_index;
pub mod synthetic;
mod update;
mod validator;
mod validity;
mod window;

use std::collections::{BTreeMap, BTreeSet};

use geo::{Geometry, MultiPolygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

pub use checked_area::{AreaChecked, area_parts, area_to_cover};
pub use findings::{Detail, Finding, FindingKind, Report};
pub use inscribed::{inscribed_width, maximum_inscribed_circle, wider_than};
pub use monotone::rings_meet_badly;
pub use options::{CoverageOptions, Village};
pub use precision::{prepare as prepare_geometry, round_coord, round_multipolygon};
pub use validator::{Cause, invalid_edges};
pub use validity::{InvalidProblem, InvalidReason, validity_problem, validity_reason};
pub use window::clip_to_window;

use findings::group_duplicates;
use graph::Graph;
use overlaps::Overlaps;
use rings::{SegmentKey, segment_key};
use validator::InvalidSegment;

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
    /// The one-village rule's finding per item that breaks it (few: a map, not a slot per item).
    village_findings: BTreeMap<u32, Finding>,
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
    /// Milliseconds per phase of the last check or update.
    pub fn phase_timings(&self) -> &[(&'static str, f64)] {
        &self.phases
    }

    pub fn options(&self) -> &CoverageOptions {
        &self.options
    }

    /// Whether an item was removed.
    pub fn is_removed(&self, item: usize) -> bool {
        self.deleted.get(item).copied().unwrap_or(false)
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
        // One pass over every item (the report's own cost among 100,000 grids: each item's geometry is
        // read once, for its vertices and its parts and holes).
        let mut vertices = 0;
        for (i, g) in self.graph.geometry.iter().enumerate() {
            vertices += count_vertices(g);
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
        findings.extend(self.village_findings.values().cloned());
        findings.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then_with(|| a.items.cmp(&b.items))
                .then_with(|| b.area.unwrap_or(0.0).total_cmp(&a.area.unwrap_or(0.0)))
        });
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
}

fn count_vertices(g: &MultiPolygon<f64>) -> usize {
    g.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum()
}

/// Two items with the same rings (whatever their start vertex or orientation).
fn same_shape(graph: &Graph, a: u32, b: u32) -> bool {
    let keys = |i: u32| {
        let mut k: Vec<SegmentKey> = graph
            .rings_of(i as usize)
            .flat_map(|ring| (0..ring.segments()).map(move |s| segment_key(&ring, s).0))
            .collect();
        k.sort_unstable();
        k
    };
    graph.envelope[a as usize] == graph.envelope[b as usize] && keys(a) == keys(b)
}

#[cfg(test)]
mod dirty_updates;
#[cfg(test)]
mod flood_complete;
#[cfg(test)]
mod jts_conformance;
