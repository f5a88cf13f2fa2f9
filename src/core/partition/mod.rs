//! Auto-partition (issue 15): propose the grids of a village from its households, along its roads and
//! rivers. Pure core — no I/O, no GUI.
//!
//! One area (a village polygon, or what stands in for it) goes through: `units` (cut by a household
//! quadtree and the reference lines in one overlay) → `clusters` (households closer than `cluster_m`
//! merge the units they span) → `graph` (atoms, shared lengths, cut costs) → `split` (recursive
//! balanced spanning-tree cuts) → `repair` (parts out of the band re-split with their neighbours) →
//! `improve` (local moves for compactness, line following and the band) → `dissolve` (one polygon per
//! grid, exact shared edges) → `report`. `plan` does it for the villages of
//! a project and turns the result into one edit command.

mod clusters;
mod dissolve;
mod graph;
mod improve;
mod plan;
mod repair;
mod report;
mod split;
mod units;

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

pub use clusters::{UnionFind, clusters};
pub use dissolve::dissolve;
pub use graph::{ALONG_COST, Graph, LineIndex, Shared};
pub use improve::polsby_popper;
pub use plan::{PartitionError, PartitionRequest, Plan, Selection, plan, plan_with};
pub use report::{AreaUsed, Reason, VillageReport};
pub use split::{Band, choose_count};
pub use units::{Fineness, Unit, build_units};

/// Default distance under which household points form one cluster (metres).
pub const DEFAULT_CLUSTER_M: f64 = 30.0;

/// One area to partition.
#[derive(Clone, Debug)]
pub struct RegionInput {
    pub polygon: MultiPolygon<f64>,
    /// Household points and how many households each stands for.
    pub households: Vec<(Coord<f64>, u64)>,
    /// Lines to cut along (roads, rivers, outlines of water bodies).
    pub lines: Vec<LineString<f64>>,
    pub band: Band,
    /// The number of grids wanted; by default, from the band.
    pub grids: Option<usize>,
    pub cluster_m: f64,
    pub seed: u64,
    pub precision: f64,
}

/// The proposed grids of one area, in a deterministic order, with the numbers for its report.
#[derive(Clone, Debug)]
pub struct RegionOutcome {
    pub grids: Vec<MultiPolygon<f64>>,
    pub per_grid: Vec<u64>,
    pub polsby_popper: Vec<f64>,
    pub cut_m: f64,
    pub cut_along_m: f64,
    pub units: usize,
    pub reasons: Vec<Reason>,
}

/// Partitions one area (see the module doc).
pub fn partition_region(input: &RegionInput) -> RegionOutcome {
    let band = input.band;
    let points: Vec<Coord<f64>> = input.households.iter().map(|h| h.0).collect();
    let weights: Vec<u64> = input.households.iter().map(|h| h.1).collect();
    let total: u64 = weights.iter().sum();
    let area: f64 = geo::Area::unsigned_area(&input.polygon);
    let expected = input.grids.unwrap_or_else(|| choose_count(total, band)).max(1);
    let fineness = Fineness {
        households_per_unit: (band.min as f64 / 8.0).max(4.0),
        min_cell_m: 8.0,
        max_cell_m: (area / (expected as f64 * 16.0)).sqrt().max(8.0),
    };
    let units = build_units(&input.polygon, &points, &weights, &input.lines, fineness, input.precision);
    let unit_of_point = assign_points(&units, &points);
    let mut unit_weight = vec![0u64; units.len()];
    for (i, u) in unit_of_point.iter().enumerate() {
        if let Some(u) = u {
            unit_weight[*u] += weights[i];
        }
    }
    // Clusters: the units each cluster touches, merged when the cluster fits in one grid.
    let cluster = clusters(&points, input.cluster_m);
    let clusters_n = cluster.iter().max().map_or(0, |m| m + 1);
    let mut cluster_weight = vec![0u64; clusters_n];
    let mut cluster_units: Vec<Vec<usize>> = vec![Vec::new(); clusters_n];
    for (i, &c) in cluster.iter().enumerate() {
        cluster_weight[c] += weights[i];
        if let Some(u) = unit_of_point[i]
            && !cluster_units[c].contains(&u)
        {
            cluster_units[c].push(u);
        }
    }
    let mut reasons = Vec::new();
    let biggest = cluster_weight.iter().copied().max().unwrap_or(0);
    if biggest > band.max {
        reasons.push(Reason::ClusterTooBig { households: biggest });
    }
    let merge: Vec<Vec<usize>> = cluster_units
        .into_iter()
        .zip(&cluster_weight)
        .filter(|(us, w)| us.len() > 1 && **w <= band.max)
        .map(|(us, _)| us)
        .collect();
    let tolerance_m = (input.precision * 20.0).max(0.01);
    let lines = LineIndex::new(&input.lines, tolerance_m);
    let adjacency = graph::unit_adjacency(&units, &lines);
    let mut graph = Graph::build(&units, &unit_weight, &adjacency, &merge);
    let mut found = reasons.clone();
    let (mut part, mut parts) = partition_graph(&graph, band, input.grids, input.seed, &mut found);
    // Clusters stay whole unless the band forces otherwise: when some grid misses the band, partition
    // the units themselves too and keep that when more grids meet the band.
    let missed = outside_band(&graph, &part, parts, band);
    if missed > 0 && !merge.is_empty() {
        let loose = Graph::build(&units, &unit_weight, &adjacency, &[]);
        let mut loose_found = reasons.clone();
        let (loose_part, loose_parts) = partition_graph(&loose, band, input.grids, input.seed, &mut loose_found);
        if outside_band(&loose, &loose_part, loose_parts, band) < missed {
            (graph, part, parts, found) = (loose, loose_part, loose_parts, loose_found);
        }
    }
    let mut reasons = found;
    // Grids in reading order of their first atom (atoms follow units, units their first vertex).
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); parts];
    let mut weight = vec![0u64; parts];
    for (a, &p) in part.iter().enumerate() {
        members[p].extend(graph.units_of_atom[a].iter().copied());
        weight[p] += graph.weight[a];
    }
    let (mut cut_m, mut cut_along_m) = (0.0, 0.0);
    for e in &graph.edges {
        if part[e.a] != part[e.b] {
            cut_m += e.shared.length_m;
            cut_along_m += e.shared.along_m;
        }
    }
    let mut grids = Vec::with_capacity(parts);
    let mut per_grid = Vec::with_capacity(parts);
    let mut pp = Vec::with_capacity(parts);
    for (p, mut us) in members.into_iter().enumerate() {
        if us.is_empty() {
            continue;
        }
        us.sort_unstable();
        let mp = dissolve(&units, &us);
        let a: f64 = geo::Area::unsigned_area(&mp);
        let perimeter: f64 =
            mp.0.iter()
                .map(|poly| {
                    units::ring_length(&poly.exterior().0)
                        + poly.interiors().iter().map(|r| units::ring_length(&r.0)).sum::<f64>()
                })
                .sum();
        pp.push(polsby_popper(a, perimeter));
        per_grid.push(weight[p]);
        grids.push(mp);
    }
    let outside = per_grid.iter().filter(|&&h| !band.contains(h)).count();
    if outside > 0 && reasons.is_empty() {
        reasons.push(Reason::ShapesMiss { grids_outside: outside });
    }
    RegionOutcome { grids, per_grid, polsby_popper: pp, cut_m, cut_along_m, units: units.len(), reasons }
}

/// Partitions the atoms of `graph` into connected parts within `band` (see the module doc: split →
/// repair → improve); `grids` fixes the number of parts, shared among the graph's components by their
/// households. Returns the part of each atom and the number of parts; why the band cannot be met, as far
/// as the sums tell, is added to `reasons`.
pub fn partition_graph(
    graph: &Graph,
    band: Band,
    grids: Option<usize>,
    seed: u64,
    reasons: &mut Vec<Reason>,
) -> (Vec<usize>, usize) {
    let total: u64 = graph.weight.iter().sum();
    let components = graph.components();
    let component_weight: Vec<u64> = components.iter().map(|c| c.iter().map(|&a| graph.weight[a]).sum()).collect();
    let counts: Vec<usize> = match grids {
        Some(n) => share_count(n, &component_weight),
        None => component_weight.iter().map(|&w| choose_count(w, band)).collect(),
    };
    if total == 0 {
        reasons.push(Reason::NoHouseholds);
    } else if total < band.min {
        reasons.push(Reason::TooFewHouseholds { households: total, min: band.min });
    } else if components.len() > 1 {
        for &w in &component_weight {
            if w < band.min {
                reasons.push(Reason::Island { households: w });
            }
        }
    }
    if let Some(n) = grids
        && !band.fits(total, n)
    {
        reasons.push(Reason::CountAskedMisses { grids: n, households: total });
    }
    for (&w, &k) in component_weight.iter().zip(&counts) {
        if w >= band.min && grids.is_none() && !band.fits(w, k) {
            reasons.push(Reason::NoCountFits { households: w });
        }
    }
    let mut part = split::split(graph, &components, &counts, band, seed);
    let parts = part.iter().max().map_or(0, |m| m + 1);
    repair::repair(graph, &mut part, parts, band, seed);
    let parts = repair::renumber(&mut part);
    improve::improve(graph, &mut part, parts, band);
    (part, parts)
}

/// How many of the `parts` parts of `part` lie outside the band.
fn outside_band(graph: &Graph, part: &[usize], parts: usize, band: Band) -> usize {
    let mut weight = vec![0u64; parts];
    for (a, &p) in part.iter().enumerate() {
        weight[p] += graph.weight[a];
    }
    weight.iter().filter(|&&w| !band.contains(w)).count()
}

/// `n` grids shared among components by their households (largest remainder), at least one each.
fn share_count(n: usize, weights: &[u64]) -> Vec<usize> {
    let total: u64 = weights.iter().sum();
    let n = n.max(weights.len());
    if total == 0 {
        let mut out = vec![1; weights.len()];
        if let Some(first) = out.first_mut() {
            *first += n - weights.len();
        }
        return out;
    }
    let extra = n - weights.len();
    let exact: Vec<f64> = weights.iter().map(|&w| w as f64 / total as f64 * extra as f64).collect();
    let mut out: Vec<usize> = exact.iter().map(|e| 1 + e.floor() as usize).collect();
    let mut left = n - out.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    for i in order {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

/// The unit of each point: the lowest-numbered unit it lies in or on; a point in none (rounding at the
/// outline) goes to the unit whose envelope is nearest. `None` only when there are no units.
fn assign_points(units: &[Unit], points: &[Coord<f64>]) -> Vec<Option<usize>> {
    let polygons: Vec<Polygon<f64>> = units
        .iter()
        .map(|u| {
            Polygon::new(LineString(u.rings[0].clone()), u.rings[1..].iter().map(|r| LineString(r.clone())).collect())
        })
        .collect();
    let tree = RTree::bulk_load(
        polygons
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let r = p.bounding_rect()?;
                Some(GeomWithData::new(Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]), i))
            })
            .collect(),
    );
    points
        .iter()
        .map(|p| {
            let here = rstar::AABB::from_point([p.x, p.y]);
            let hit = tree
                .locate_in_envelope_intersecting(here)
                .map(|g| g.data)
                .filter(|&i| polygons[i].coordinate_position(p) != CoordPos::Outside)
                .min();
            hit.or_else(|| tree.nearest_neighbor([p.x, p.y]).map(|g| g.data))
        })
        .collect()
}

#[cfg(test)]
mod tests;
