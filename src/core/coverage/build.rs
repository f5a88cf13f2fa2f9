//! Building a checker: snapping the items, the boundary and the villages to the precision grid, the
//! segment graph and R-trees, then the full check of every item.

use geo::{BoundingRect, MultiPolygon};
use rstar::RTree;
use std::collections::{BTreeMap, BTreeSet};

use super::checked_area::{AreaChecked, area_to_cover};
use super::graph::Graph;
use super::options::{CoverageOptions, Village};
use super::overlaps::Overlaps;
use super::{Checker, precision};
use crate::core::{Project, rect};

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
                .filter_map(|(i, v)| Some(rect::rect_entry(v.polygon.bounding_rect()?, i)))
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
            village_findings: BTreeMap::new(),
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
}
