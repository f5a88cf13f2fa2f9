//! Households and population per grid, by point-in-polygon through an R-tree. Exact on boundaries: a
//! point on a shared edge belongs to one grid only (the one with the lowest id), so nothing is counted
//! twice.

use std::collections::BTreeMap;

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use rstar::AABB;

use crate::core::{AreaClass, GridId, Project};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub households: u64,
    pub population: u64,
    pub points: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HouseholdCounts {
    pub per_grid: BTreeMap<GridId, Counts>,
    /// Positions (in `project.households`) of points in no grid.
    pub unassigned: Vec<usize>,
}

pub fn count_households(project: &Project) -> HouseholdCounts {
    let tree = project.grid_tree();
    let mut out = HouseholdCounts::default();
    for id in project.grids.keys() {
        out.per_grid.insert(*id, Counts::default());
    }
    for (i, h) in project.households.iter().enumerate() {
        let p = h.position.0;
        let mut inside = None;
        let mut on_edge: Option<GridId> = None;
        for candidate in tree.locate_in_envelope_intersecting(AABB::from_point([p.x, p.y])) {
            match project.grids[&candidate.data].geometry.coordinate_position(&p) {
                CoordPos::Inside => {
                    inside = Some(candidate.data);
                    break;
                }
                CoordPos::OnBoundary => on_edge = Some(on_edge.map_or(candidate.data, |e| e.min(candidate.data))),
                CoordPos::Outside => {}
            }
        }
        match inside.or(on_edge) {
            Some(grid) => {
                let c = out.per_grid.entry(grid).or_default();
                c.households += h.households as u64;
                c.population += h.population.unwrap_or(0) as u64;
                c.points += 1;
            }
            None => out.unassigned.push(i),
        }
    }
    out
}

/// The household band a grid should fall in: settings `households.urban` / `households.rural` as
/// "min-max"; urban defaults to 300–500 (one grid worker each), rural to 100–800.
pub fn household_band(project: &Project, class: AreaClass) -> (u64, u64) {
    let (key, default) = match class {
        AreaClass::Urban => ("households.urban", (300, 500)),
        AreaClass::Rural => ("households.rural", (100, 800)),
    };
    project
        .settings
        .get(key)
        .and_then(|v| {
            let (a, b) = v.split_once('-')?;
            Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
        })
        .unwrap_or(default)
}
