//! A partition of a project's villages, as one edit command: the villages chosen, the area that stands
//! in for a village without a polygon, existing grids kept or replaced, new grids noded against their
//! neighbours (grids of other villages included) and coded by the project's rule.

use std::collections::{BTreeMap, BTreeSet};

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Area, BooleanOps, BoundingRect, Coord, Intersects, LineString, MultiPolygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::report::{AreaUsed, VillageReport};
use super::split::Band;
use super::{RegionInput, RegionOutcome, partition_region};
use crate::core::codes::{
    CodeRule, CodingError, CodingOptions, GroundAxes, ROW_HEIGHT_SETTING, RuleError, assign_codes, household_band,
    project_rule,
};
use crate::core::coverage::prepare_geometry;
use crate::core::edit::{Command, insert_points, node_tolerance, snap_to_vertices, vertices};
use crate::core::progress::{NoProgress, Progress, Stage};
use crate::core::{AreaClass, Grid, GridId, Project, ReferenceGeometry};

/// Which villages to partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    Villages(Vec<String>),
    /// Every village of a township (9-digit code).
    Township(String),
    All,
}

/// What to partition and how.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionRequest {
    pub selection: Selection,
    /// The household band; by default `households.urban` / `households.rural` by the village's class.
    pub band: Option<Band>,
    /// Grids per village; by default from the band.
    pub grids: Option<usize>,
    /// Reference layers to cut along, by name.
    pub along: Vec<String>,
    /// Keep the village's existing grids and partition only the land they leave uncovered.
    pub keep_existing: bool,
    pub seed: u64,
    pub cluster_m: f64,
}

impl PartitionRequest {
    pub fn new(selection: Selection) -> PartitionRequest {
        PartitionRequest {
            selection,
            band: None,
            grids: None,
            along: Vec::new(),
            keep_existing: false,
            seed: 1,
            cluster_m: super::DEFAULT_CLUSTER_M,
        }
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PartitionError {
    #[error("no village {0} in the project")]
    UnknownVillage(String),
    #[error("no township {0} in the project, or it has no villages")]
    UnknownTownship(String),
    #[error("no reference layer {0} in the project")]
    UnknownLayer(String),
    #[error("no villages to partition")]
    NoVillages,
    #[error("village {0} has no polygon and the project has no boundary to partition instead")]
    NoArea(String),
    #[error("the household band {0}..{1} is empty")]
    BadBand(u64, u64),
    #[error("--grids must be at least 1")]
    BadCount,
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error(transparent)]
    Coding(#[from] CodingError),
    #[error("cancelled")]
    Cancelled,
}

/// The proposal: the reports per area, the grids it makes (ids as they will be) and the one command
/// that applies it (removals, neighbours noded, new grids, their codes).
#[derive(Clone, Debug)]
pub struct Plan {
    pub reports: Vec<VillageReport>,
    pub command: Command,
    pub added: Vec<Grid>,
    pub removed: Vec<GridId>,
    /// Existing grids that gained vertices where new grids meet them.
    pub noded: Vec<GridId>,
}

struct Area0 {
    villages: Vec<String>,
    used: AreaUsed,
    polygon: MultiPolygon<f64>,
    class: AreaClass,
}

/// Partitions the chosen villages of `project` (see the module doc). `axes` say where north lies, for
/// numbering the new grids.
pub fn plan(project: &Project, request: &PartitionRequest, axes: &dyn GroundAxes) -> Result<Plan, PartitionError> {
    plan_with(project, request, axes, &NoProgress)
}

/// [`plan`], reporting one step per area to `progress` and stopping with [`PartitionError::Cancelled`]
/// when it is cancelled.
pub fn plan_with(
    project: &Project,
    request: &PartitionRequest,
    axes: &dyn GroundAxes,
    progress: &dyn Progress,
) -> Result<Plan, PartitionError> {
    if let Some(b) = request.band
        && (b.min > b.max || b.max == 0)
    {
        return Err(PartitionError::BadBand(b.min, b.max));
    }
    if request.grids == Some(0) {
        return Err(PartitionError::BadCount);
    }
    let chosen = chosen_villages(project, &request.selection)?;
    let mut lines: Vec<LineString<f64>> = Vec::new();
    for name in &request.along {
        let layer = project.reference_layer(name).ok_or_else(|| PartitionError::UnknownLayer(name.clone()))?;
        for f in &layer.features {
            match &f.geometry {
                ReferenceGeometry::Lines(ls) => lines.extend(ls.0.iter().cloned()),
                ReferenceGeometry::Polygons(ps) => {
                    for p in &ps.0 {
                        lines.push(p.exterior().clone());
                        lines.extend(p.interiors().iter().cloned());
                    }
                }
            }
        }
    }
    let areas = areas_of(project, &chosen)?;
    progress.begin(Stage::Partitioning, areas.len() as u64);
    let group: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
    let replaced: Vec<GridId> = if request.keep_existing {
        Vec::new()
    } else {
        project.grids.values().filter(|g| group.contains(g.village_code.as_str())).map(|g| g.id).collect()
    };
    let kept: Vec<&Grid> = project.grids.values().filter(|g| !replaced.contains(&g.id)).collect();
    let kept_tree = envelope_tree(kept.iter().map(|g| &g.geometry));
    let villages_with_polygons: Vec<&MultiPolygon<f64>> =
        project.villages().filter_map(|v| v.polygon.as_ref()).filter(|p| !p.0.is_empty()).collect();
    let precision = project.precision;
    let mut taken = vec![false; project.households.len()];
    let point_tree = project.household_tree();
    let mut inputs = Vec::with_capacity(areas.len());
    for (index, area) in areas.iter().enumerate() {
        progress.check().map_err(|_| PartitionError::Cancelled)?;
        let band = request.band.unwrap_or_else(|| {
            let (min, max) = household_band(project, area.class);
            Band { min, max }
        });
        // The land to partition: the area less the grids that stay (and, for a stand-in area, less the
        // villages that have their own polygons).
        let mut region = prepare_geometry(area.polygon.clone(), precision);
        let mut cut_away: Vec<&MultiPolygon<f64>> = Vec::new();
        if let Some(r) = region.bounding_rect() {
            let envelope = rstar::AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
            for g in kept_tree.locate_in_envelope_intersecting(envelope) {
                cut_away.push(&kept[g.data].geometry);
            }
        }
        if area.used != AreaUsed::Village {
            cut_away.extend(villages_with_polygons.iter().copied());
        }
        let mut kept_here = 0;
        for other in cut_away {
            if !other.intersects(&region) {
                continue;
            }
            let overlap = other.intersection(&region).unsigned_area();
            if overlap > precision.max(1e-9) * 1000.0 {
                region = prepare_geometry(region.difference(other), precision);
                kept_here += 1;
            }
        }
        let mut households = Vec::new();
        if let Some(r) = region.bounding_rect() {
            let envelope = rstar::AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
            let mut inside: Vec<usize> =
                point_tree.locate_in_envelope(envelope).map(|g| g.data).filter(|&i| !taken[i]).collect();
            inside.sort_unstable();
            for i in inside {
                let h = &project.households[i];
                if region.coordinate_position(&h.position.0) != CoordPos::Outside {
                    taken[i] = true;
                    households.push((h.position.0, u64::from(h.households)));
                }
            }
        }
        let input = RegionInput {
            polygon: region,
            households,
            lines: lines.clone(),
            band,
            grids: request.grids,
            cluster_m: request.cluster_m,
            seed: request.seed.wrapping_add(index as u64),
            precision,
        };
        inputs.push((input, kept_here, band));
    }
    let outcomes = partition_all(&inputs, progress)?;
    let mut reports = Vec::new();
    let mut new_grids: Vec<Grid> = Vec::new();
    let mut area_of_grid: Vec<usize> = Vec::new();
    for (index, ((area, (_, kept_here, band)), outcome)) in areas.iter().zip(&inputs).zip(outcomes).enumerate() {
        let (kept_here, band) = (*kept_here, *band);
        let village_codes = village_codes(project, &area.villages, &outcome.grids);
        area_of_grid.extend(std::iter::repeat_n(index, outcome.grids.len()));
        for (geometry, village_code) in outcome.grids.iter().zip(village_codes) {
            let mut grid = Grid::new(geometry.clone());
            grid.village_code = village_code;
            grid.class = area.class;
            new_grids.push(grid);
        }
        reports.push(VillageReport {
            villages: area.villages.clone(),
            area_used: area.used,
            band,
            households: outcome.per_grid.iter().sum(),
            per_grid: outcome.per_grid,
            polsby_popper: outcome.polsby_popper,
            cut_m: outcome.cut_m,
            cut_along_m: outcome.cut_along_m,
            kept: kept_here,
            units: outcome.units,
            reasons: outcome.reasons,
        });
    }
    // Node: every new grid gets the vertices of its neighbours (new or kept) that lie on its edges,
    // and kept neighbours get the new grids' vertices.
    let tolerance = node_tolerance(project);
    let mut all: Vec<MultiPolygon<f64>> = new_grids.iter().map(|g| g.geometry.clone()).collect();
    all.extend(kept.iter().map(|g| g.geometry.clone()));
    let tree = envelope_tree(all.iter());
    // First snap: a new vertex within rounding of a vertex of a kept grid or of an earlier area's grid
    // becomes that vertex (two villages' cuts can meet their common line a millimetre apart; inserted
    // into each other they would leave a segment shorter than the tolerance unmatched). Grids of one
    // area share their vertices already, and only earlier areas are snapped to, so nothing swaps.
    for i in 0..new_grids.len() {
        let Some(r) = all[i].bounding_rect() else { continue };
        let envelope = rstar::AABB::from_corners(
            [r.min().x - tolerance, r.min().y - tolerance],
            [r.max().x + tolerance, r.max().y + tolerance],
        );
        let mut near: Vec<usize> = tree.locate_in_envelope_intersecting(envelope).map(|g| g.data).collect();
        near.sort_unstable();
        let mut points: Vec<Coord<f64>> = Vec::new();
        for j in near {
            let other_area = j >= new_grids.len() || area_of_grid[j] < area_of_grid[i];
            if other_area {
                points.extend(vertices(&all[j]));
            }
        }
        if !points.is_empty() {
            all[i] = snap_to_vertices(&all[i], &points, tolerance);
        }
    }
    let mut noded_all = all.clone();
    for (i, geometry) in all.iter().enumerate() {
        let Some(r) = geometry.bounding_rect() else { continue };
        let envelope = rstar::AABB::from_corners(
            [r.min().x - tolerance, r.min().y - tolerance],
            [r.max().x + tolerance, r.max().y + tolerance],
        );
        let mut points: Vec<Coord<f64>> = Vec::new();
        let mut near: Vec<usize> = tree.locate_in_envelope_intersecting(envelope).map(|g| g.data).collect();
        near.sort_unstable();
        for j in near {
            // Kept grids only take vertices from new grids: their shared edges with each other are theirs.
            if j != i && (i < new_grids.len() || j < new_grids.len()) {
                points.extend(vertices(&all[j]));
            }
        }
        if i < new_grids.len() {
            points.extend(vertices(&project.boundary));
        }
        let (noded, changed) = insert_points(geometry, &points, tolerance);
        if changed {
            noded_all[i] = noded;
        }
    }
    let mut commands: Vec<Command> = replaced.iter().map(|&id| Command::RemoveGrid(id)).collect();
    let mut noded = Vec::new();
    for (k, g) in kept.iter().enumerate() {
        let geometry = &noded_all[new_grids.len() + k];
        if *geometry != g.geometry {
            noded.push(g.id);
            commands.push(Command::SetGeometry { id: g.id, geometry: geometry.clone() });
        }
    }
    for (i, grid) in new_grids.iter_mut().enumerate() {
        grid.geometry = noded_all[i].clone();
        grid.id = project.next_grid_id + i as u64;
        commands.push(Command::AddGrid(Box::new(grid.clone())));
    }
    // Codes by the project's rule, for the new grids only.
    let rule: CodeRule = project_rule(project)?;
    let mut after = project.clone();
    let layout = Command::Batch(commands);
    let layout_inverse = layout.clone().apply(&mut after);
    let mut steps = vec![layout];
    if layout_inverse.is_ok() {
        let row_height = project.settings.get(ROW_HEIGHT_SETTING).and_then(|h| h.parse().ok());
        let changes = assign_codes(&after, &rule, &CodingOptions { renumber: false, row_height }, axes)?;
        let added: BTreeSet<GridId> = new_grids.iter().map(|g| g.id).collect();
        let ours: Vec<_> = changes.into_iter().filter(|c| added.contains(&c.grid)).collect();
        for c in &ours {
            if let Some(g) = new_grids.iter_mut().find(|g| g.id == c.grid) {
                g.code = c.new.clone();
            }
        }
        steps.push(Command::from_codes(&after, &ours, &rule.to_string()));
    }
    Ok(Plan { reports, command: Command::Batch(steps), added: new_grids, removed: replaced, noded })
}

impl Plan {
    /// Each proposed grid with its households and the band it was made for, in the order of `added`.
    pub fn proposed(&self) -> impl Iterator<Item = (&Grid, u64, Band)> + '_ {
        let per_grid = self.reports.iter().flat_map(|r| r.per_grid.iter().map(move |&h| (h, r.band)));
        self.added.iter().zip(per_grid).map(|(g, (h, band))| (g, h, band))
    }
}

/// The village of each proposed grid of an area shared by several villages without polygons of their own
/// (a stand-in area): nothing ties a household point to a village, so the only evidence of where each
/// village lies is its existing grids (replaced or kept) — a new grid goes to the village whose
/// existing grids it overlaps most, else to the village of the nearest existing grid (centroids). When
/// none of them has a grid, the area's grids (in reading order, so neighbours stay together) are shared
/// evenly among the villages in code order, for the planner to adjust. Every village gets a grid when
/// there are enough: one without existing grids takes, from a village with several, the grid whose
/// evidence is weakest (the farthest from its village's old grids). No grid is left without a code.
fn village_codes(project: &Project, villages: &[String], grids: &[MultiPolygon<f64>]) -> Vec<String> {
    use geo::Centroid;
    if villages.len() <= 1 {
        return vec![villages.first().cloned().unwrap_or_default(); grids.len()];
    }
    let old: Vec<&Grid> = project.grids.values().filter(|g| villages.contains(&g.village_code)).collect();
    let n = grids.len().max(1);
    // Each grid's village and how sure: an overlap (its area, > 0) beats a distance (its negative).
    let mut chosen: Vec<(String, f64)> = grids
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let mut best: Option<(f64, &str)> = None;
            for o in &old {
                if o.geometry.intersects(g) {
                    let overlap = o.geometry.intersection(g).unsigned_area();
                    if overlap > 0.0 && best.is_none_or(|b| overlap > b.0) {
                        best = Some((overlap, o.village_code.as_str()));
                    }
                }
            }
            if best.is_none()
                && let Some(c) = g.centroid()
            {
                for o in &old {
                    if let Some(d) = o.geometry.centroid() {
                        let distance = (d.x() - c.x()).hypot(d.y() - c.y());
                        if best.is_none_or(|b| -distance > b.0) {
                            best = Some((-distance, o.village_code.as_str()));
                        }
                    }
                }
            }
            match best {
                Some((sure, code)) => (code.to_string(), sure),
                None => (villages[i * villages.len() / n].clone(), f64::NEG_INFINITY),
            }
        })
        .collect();
    for village in villages {
        if chosen.iter().any(|(code, _)| code == village) {
            continue;
        }
        let count = |code: &str, chosen: &[(String, f64)]| chosen.iter().filter(|(c, _)| c == code).count();
        // The least sure grid of a village that keeps one; ties to the first (reading order).
        let weakest = (0..chosen.len())
            .filter(|&i| count(&chosen[i].0, &chosen) >= 2)
            .min_by(|&a, &b| chosen[a].1.total_cmp(&chosen[b].1).then(a.cmp(&b)));
        match weakest {
            Some(i) => chosen[i] = (village.clone(), f64::NEG_INFINITY),
            None => break,
        }
    }
    chosen.into_iter().map(|(code, _)| code).collect()
}

/// Partitions the areas on all cores (each area alone: no shared state), results in the areas' order,
/// so that the plan is the same whatever the number of threads; one step of `progress` per area, and
/// no new area started once it is cancelled.
fn partition_all(
    inputs: &[(RegionInput, usize, Band)],
    progress: &dyn Progress,
) -> Result<Vec<RegionOutcome>, PartitionError> {
    let cancelled = |_| PartitionError::Cancelled;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(inputs.len()).max(1);
    if threads == 1 {
        let mut out = Vec::with_capacity(inputs.len());
        for (input, ..) in inputs {
            progress.check().map_err(cancelled)?;
            out.push(partition_region(input));
            progress.advance(1);
        }
        return Ok(out);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, RegionOutcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((input, ..)) = inputs.get(i) else { break };
                        if progress.is_cancelled() {
                            break;
                        }
                        mine.push((i, partition_region(input)));
                        progress.advance(1);
                    }
                    mine
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    progress.check().map_err(cancelled)?;
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, o)| o).collect())
}

fn envelope_tree<'a>(
    geometries: impl Iterator<Item = &'a MultiPolygon<f64>>,
) -> RTree<GeomWithData<Rectangle<[f64; 2]>, usize>> {
    RTree::bulk_load(
        geometries
            .enumerate()
            .filter_map(|(i, g)| {
                let r = g.bounding_rect()?;
                Some(GeomWithData::new(Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]), i))
            })
            .collect(),
    )
}

/// The village codes chosen, sorted.
fn chosen_villages(project: &Project, selection: &Selection) -> Result<Vec<String>, PartitionError> {
    let out: Vec<String> = match selection {
        Selection::All => project.villages().map(|v| v.code.to_string()).collect(),
        Selection::Villages(codes) => {
            let mut out = Vec::new();
            for code in codes {
                let code = code.trim();
                match project.divisions.get(code) {
                    Some(d) if d.code.is_village() => out.push(code.to_string()),
                    _ => return Err(PartitionError::UnknownVillage(code.to_string())),
                }
            }
            out
        }
        Selection::Township(town) => {
            let town = town.trim();
            let found = project.townships().find(|t| t.code.to_string() == town || t.name == town);
            let Some(t) = found else { return Err(PartitionError::UnknownTownship(town.to_string())) };
            let code = t.code.to_string();
            let out: Vec<String> = project
                .villages()
                .filter(|v| v.parent_code.as_deref() == Some(code.as_str()) || v.code.to_string().starts_with(&code))
                .map(|v| v.code.to_string())
                .collect();
            if out.is_empty() {
                return Err(PartitionError::UnknownTownship(town.to_string()));
            }
            out
        }
    };
    let mut out = out;
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(PartitionError::NoVillages);
    }
    Ok(out)
}

/// The areas to partition: each village with a polygon on its own; villages without one grouped by
/// the area that stands in for them (their township's polygon, else the project boundary).
fn areas_of(project: &Project, chosen: &[String]) -> Result<Vec<Area0>, PartitionError> {
    let mut areas = Vec::new();
    let mut stand_in: BTreeMap<(u8, String), Area0> = BTreeMap::new();
    for code in chosen {
        let Some(v) = project.divisions.get(code) else { continue };
        if let Some(polygon) = v.polygon.as_ref().filter(|p| !p.0.is_empty()) {
            areas.push(Area0 {
                villages: vec![code.clone()],
                used: AreaUsed::Village,
                polygon: polygon.clone(),
                class: v.class,
            });
            continue;
        }
        let township = v.parent_code.as_ref().and_then(|t| project.divisions.get(t));
        let (key, used, polygon) = match township.and_then(|t| t.polygon.as_ref().filter(|p| !p.0.is_empty())) {
            Some(p) => ((0, v.parent_code.clone().unwrap_or_default()), AreaUsed::Township, p.clone()),
            None if !project.boundary.0.is_empty() => {
                ((1, String::new()), AreaUsed::Boundary, project.boundary.clone())
            }
            None => return Err(PartitionError::NoArea(code.clone())),
        };
        stand_in
            .entry(key)
            .or_insert_with(|| Area0 { villages: Vec::new(), used, polygon, class: v.class })
            .villages
            .push(code.clone());
    }
    areas.extend(stand_in.into_values());
    Ok(areas)
}

#[cfg(test)]
mod village_code_tests {
    use super::*;
    use crate::core::{Crs, CrsUnits};

    fn square(x: f64, w: f64) -> MultiPolygon<f64> {
        geo::Rect::new(Coord { x, y: 0.0 }, Coord { x: x + w, y: 1000.0 }).to_polygon().into()
    }

    #[test]
    fn a_village_without_old_grids_still_gets_one_the_least_sure() {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for (village, x) in [("341823100001", 0.0), ("341823100002", 1000.0)] {
            let mut g = Grid::new(square(x, 1000.0));
            g.village_code = village.into();
            p.add_grid(g);
        }
        let villages: Vec<String> = ["341823100001", "341823100002", "341823100003"].map(String::from).to_vec();
        // Four new grids, two over each old one; the third overlaps its old grid least (400 m of 1000).
        let grids = vec![square(0.0, 500.0), square(500.0, 500.0), square(1000.0, 400.0), square(1400.0, 600.0)];
        let codes = village_codes(&p, &villages, &grids);
        assert_eq!(codes, ["341823100001", "341823100001", "341823100003", "341823100002"]);
        // Without enough grids for all, none is taken from a village that has only one.
        let codes = village_codes(&p, &villages, &grids[1..3]);
        assert_eq!(codes, ["341823100001", "341823100002"]);
    }
}
