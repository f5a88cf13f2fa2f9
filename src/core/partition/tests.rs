//! Property tests over random villages, household clouds and line sets (fixed seeds): the grids are a
//! valid coverage of the village by the project's checker, each one polygon, every household in exactly
//! one grid, deterministic for a seed; on small graphs the band is met whenever a brute-force search
//! says it can be.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Coord, LineString, MultiPolygon, Polygon};

use super::graph::{Graph, LineIndex, unit_adjacency};
use super::split::{Band, EXACT_LIMIT, choose_count};
use super::units::Unit;
use super::{RegionInput, partition_region};
use crate::core::coverage::synthetic::Rng;
use crate::core::coverage::{Checker, CoverageOptions, Detail, FindingKind, Village};

const X0: f64 = 620_000.0;
const Y0: f64 = 3_385_000.0;

fn mm(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// A star-shaped ring around (cx, cy).
fn star(rng: &mut Rng, cx: f64, cy: f64, radius: f64, clockwise: bool) -> LineString<f64> {
    let n = 6 + (rng.next_u64() % 10) as usize;
    let mut ring: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let angle = (i as f64 + 0.8 * rng.unit()) / n as f64 * std::f64::consts::TAU;
            let r = radius * (0.6 + 0.4 * rng.unit());
            Coord { x: mm(cx + r * angle.cos()), y: mm(cy + r * angle.sin()) }
        })
        .collect();
    if clockwise {
        ring.reverse();
    }
    ring.push(ring[0]);
    LineString(ring)
}

struct Case {
    village: MultiPolygon<f64>,
    input: RegionInput,
}

fn random_case(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let radius = 300.0 + 500.0 * rng.unit();
    let shape = rng.next_u64() % 4;
    let mut polygons = vec![Polygon::new(
        star(&mut rng, X0, Y0, radius, false),
        // A lake in some villages …
        if shape == 1 { vec![star(&mut rng, X0, Y0, radius * 0.25, true)] } else { vec![] },
    )];
    // … and an island in others.
    if shape == 2 {
        polygons.push(Polygon::new(star(&mut rng, X0 + radius * 2.2, Y0, radius * 0.3, false), vec![]));
    }
    let village = MultiPolygon(polygons);
    let mut households = Vec::new();
    let hamlets = 1 + rng.next_u64() % 6;
    for _ in 0..hamlets {
        let (cx, cy) = (X0 + (rng.unit() - 0.5) * radius * 1.6, Y0 + (rng.unit() - 0.5) * radius * 1.6);
        let spread = 15.0 + 90.0 * rng.unit();
        let n = 10 + rng.next_u64() % 150;
        for _ in 0..n {
            let dx = (rng.unit() + rng.unit() + rng.unit() - 1.5) * spread;
            let dy = (rng.unit() + rng.unit() + rng.unit() - 1.5) * spread;
            households.push((Coord { x: cx + dx, y: cy + dy }, 1 + rng.next_u64() % 3));
        }
    }
    for _ in 0..rng.next_u64() % 60 {
        let (x, y) = (X0 + (rng.unit() - 0.5) * radius * 2.0, Y0 + (rng.unit() - 0.5) * radius * 2.0);
        households.push((Coord { x, y }, 1));
    }
    if shape == 2 {
        households.push((Coord { x: X0 + radius * 2.2, y: Y0 }, 5));
    }
    households.retain(|(c, _)| village.coordinate_position(c) != CoordPos::Outside);
    let mut lines = Vec::new();
    for _ in 0..rng.next_u64() % 4 {
        let a = rng.unit() * std::f64::consts::TAU;
        let b = a + 2.0 + 2.0 * rng.unit();
        let r = radius * 1.2;
        let mid = Coord { x: X0 + (rng.unit() - 0.5) * radius, y: Y0 + (rng.unit() - 0.5) * radius };
        lines.push(LineString(vec![
            Coord { x: X0 + r * a.cos(), y: Y0 + r * a.sin() },
            mid,
            Coord { x: X0 + r * b.cos(), y: Y0 + r * b.sin() },
        ]));
    }
    let min = 60 + rng.next_u64() % 100;
    let band = Band { min, max: min * 5 / 3 };
    let grids = if rng.next_u64().is_multiple_of(5) { Some(1 + (rng.next_u64() % 5) as usize) } else { None };
    let input = RegionInput {
        polygon: village.clone(),
        households,
        lines,
        band,
        grids,
        cluster_m: 30.0,
        seed,
        precision: 0.001,
    };
    Case { village, input }
}

#[test]
fn random_villages_become_valid_coverages_with_every_household_in_exactly_one_grid() {
    let mut within = (0usize, 0usize);
    let mut along = 0.0;
    for seed in 0..120u64 {
        let case = random_case(seed * 7919 + 3);
        let out = partition_region(&case.input);
        assert!(!out.grids.is_empty(), "seed {seed}: no grids");
        let villages = vec![Village { code: "v".into(), polygon: case.village.clone() }];
        let report = Checker::new(
            out.grids.clone(),
            Some(case.village.clone()),
            villages,
            CoverageOptions { precision: 0.001, gap_width_m: 0.0, crs: None },
        )
        .report();
        for f in &report.findings {
            // Holes are allowed (a grid round a lake or round another grid); several parts are not.
            let hole_note = f.kind == FindingKind::Note && matches!(f.detail, Detail::Note { parts: 1, .. });
            assert!(hole_note, "seed {seed}: {:?} {:?} {:?}", f.kind, f.items, f.detail);
        }
        let parts = |g: &MultiPolygon<f64>| g.0.len();
        // One polygon per grid, except where the village itself has separate parts.
        for g in &out.grids {
            assert!(parts(g) == 1, "seed {seed}: a grid of {} parts", parts(g));
        }
        // Every household in exactly one grid; the counts are the grids' own.
        let mut counted = vec![0u64; out.grids.len()];
        for (c, w) in &case.input.households {
            let positions: Vec<CoordPos> = out.grids.iter().map(|g| g.coordinate_position(c)).collect();
            let inside = positions.iter().filter(|p| **p == CoordPos::Inside).count();
            let on = positions.iter().position(|p| *p != CoordPos::Outside);
            assert!(inside <= 1, "seed {seed}: a household inside {inside} grids");
            let Some(first) = on else { panic!("seed {seed}: household at {c:?} in no grid") };
            let home = positions.iter().position(|p| *p == CoordPos::Inside).unwrap_or(first);
            counted[home] += w;
        }
        assert_eq!(counted, out.per_grid, "seed {seed}: households per grid");
        assert_eq!(counted.iter().sum::<u64>(), case.input.households.iter().map(|h| h.1).sum::<u64>());
        within.0 += out.per_grid.iter().filter(|&&h| case.input.band.contains(h)).count();
        within.1 += out.per_grid.len();
        along += out.cut_along_m;
        if seed % 10 == 0 {
            let again = partition_region(&case.input);
            assert_eq!(again.grids, out.grids, "seed {seed}: not deterministic");
        }
    }
    assert!(along > 0.0, "some boundaries follow the lines");
    // 266 of 365 here; many random villages cannot meet the band at all (one cluster above it, too few).
    assert!(within.0 * 100 >= within.1 * 70, "only {}/{} grids within the band", within.0, within.1);
}

fn square_unit(x: usize, y: usize) -> Unit {
    let c = |dx: usize, dy: usize| Coord { x: (x + dx) as f64 * 10.0, y: (y + dy) as f64 * 10.0 };
    Unit { rings: vec![vec![c(0, 0), c(1, 0), c(1, 1), c(0, 1), c(0, 0)]], area_m2: 100.0 }
}

/// Whether the atoms can be split into connected parts each within the band: every set partition,
/// pruned when a part grows past the band's maximum.
fn brute_force_feasible(graph: &Graph, band: Band) -> bool {
    fn connected(graph: &Graph, members: &[usize]) -> bool {
        let mut seen = vec![members[0]];
        let mut stack = vec![members[0]];
        while let Some(x) = stack.pop() {
            for &(y, _) in &graph.adjacency[x] {
                if members.contains(&y) && !seen.contains(&y) {
                    seen.push(y);
                    stack.push(y);
                }
            }
        }
        seen.len() == members.len()
    }
    fn go(graph: &Graph, band: Band, next: usize, parts: &mut Vec<Vec<usize>>) -> bool {
        if next == graph.len() {
            return parts
                .iter()
                .all(|p| band.contains(p.iter().map(|&a| graph.weight[a]).sum()) && connected(graph, p));
        }
        for i in 0..=parts.len() {
            if i == parts.len() {
                parts.push(vec![next]);
            } else {
                parts[i].push(next);
            }
            let w: u64 = parts[i].iter().map(|&a| graph.weight[a]).sum();
            if w <= band.max && go(graph, band, next + 1, parts) {
                return true;
            }
            if parts[i].len() == 1 {
                parts.pop();
            } else {
                parts[i].pop();
            }
        }
        false
    }
    go(graph, band, 0, &mut Vec::new())
}

#[test]
fn on_small_graphs_the_band_is_met_whenever_it_can_be() {
    let mut feasible_cases = 0;
    for seed in 0..150u64 {
        let mut rng = Rng::new(seed + 1000);
        let (w, h) = (2 + (rng.next_u64() % 3) as usize, 2 + (rng.next_u64() % 2) as usize);
        let units: Vec<Unit> = (0..w * h).map(|i| square_unit(i % w, i / w)).collect();
        let weights: Vec<u64> = units.iter().map(|_| rng.next_u64() % 60).collect();
        let adjacency = unit_adjacency(&units, &LineIndex::new(&[], 0.01));
        let graph = Graph::build(&units, &weights, &adjacency, &[]);
        let total: u64 = weights.iter().sum();
        let min = 40 + rng.next_u64() % 60;
        let band = Band { min, max: min + 10 + rng.next_u64() % 60 };
        let _ = choose_count(total, band);
        let (part, parts) = super::partition_graph(&graph, band, None, seed, &mut Vec::new());
        let mut sums = vec![0u64; parts];
        for (a, &p) in part.iter().enumerate() {
            sums[p] += graph.weight[a];
        }
        if brute_force_feasible(&graph, band) {
            feasible_cases += 1;
            assert!(
                sums.iter().all(|&s| band.contains(s)),
                "seed {seed}: {sums:?} for band {band:?}, weights {weights:?}"
            );
        }
    }
    assert!(feasible_cases >= 30, "only {feasible_cases} feasible cases: the test would prove little");
}

/// Lattices too large for the exact search, with a partition into connected parts within the band
/// planted in them (parts grown from random seeds, each part's households drawn inside the band and
/// scattered over its atoms): the band can be met, so the spanning-tree cuts and the repair must meet
/// it (they do, in all 60 cases).
#[test]
fn planted_feasible_partitions_are_found_beyond_the_exact_search() {
    let (mut met, mut grids, mut cases_all_met) = (0usize, 0usize, 0usize);
    let cases = 60u64;
    for seed in 0..cases {
        let mut rng = Rng::new(seed + 77);
        let (w, h) = (6 + (rng.next_u64() % 6) as usize, 5 + (rng.next_u64() % 5) as usize);
        let n = w * h;
        let units: Vec<Unit> = (0..n).map(|i| square_unit(i % w, i / w)).collect();
        let k = 3 + (rng.next_u64() % 6) as usize;
        // Grow k connected parts from distinct seeds, one atom at a time.
        let mut owner = vec![usize::MAX; n];
        let mut frontier: Vec<usize> = Vec::new();
        let mut placed = 0;
        while placed < k {
            let s = (rng.next_u64() % n as u64) as usize;
            if owner[s] == usize::MAX {
                owner[s] = placed;
                frontier.push(s);
                placed += 1;
            }
        }
        let neighbours = |a: usize| {
            let (x, y) = (a % w, a / w);
            let mut out = Vec::new();
            if x > 0 {
                out.push(a - 1);
            }
            if x + 1 < w {
                out.push(a + 1);
            }
            if y > 0 {
                out.push(a - w);
            }
            if y + 1 < h {
                out.push(a + w);
            }
            out
        };
        while owner.contains(&usize::MAX) {
            let a = frontier[(rng.next_u64() % frontier.len() as u64) as usize];
            let free: Vec<usize> = neighbours(a).into_iter().filter(|&b| owner[b] == usize::MAX).collect();
            if free.is_empty() {
                frontier.retain(|&f| f != a);
                continue;
            }
            let b = free[(rng.next_u64() % free.len() as u64) as usize];
            owner[b] = owner[a];
            frontier.push(b);
        }
        let band = Band { min: 300, max: 500 };
        let mut weights = vec![0u64; n];
        for p in 0..k {
            let atoms: Vec<usize> = (0..n).filter(|&a| owner[a] == p).collect();
            let target = band.min + rng.next_u64() % (band.max - band.min + 1);
            // Two hamlets take most of it: heavy atoms leave the cuts little room.
            let hamlets = [
                atoms[(rng.next_u64() % atoms.len() as u64) as usize],
                atoms[(rng.next_u64() % atoms.len() as u64) as usize],
            ];
            for i in 0..target {
                let a = if i % 10 < 7 {
                    hamlets[(i % 2) as usize]
                } else {
                    atoms[(rng.next_u64() % atoms.len() as u64) as usize]
                };
                weights[a] += 1;
            }
        }
        let adjacency = unit_adjacency(&units, &LineIndex::new(&[], 0.01));
        let graph = Graph::build(&units, &weights, &adjacency, &[]);
        assert!(graph.len() > EXACT_LIMIT);
        let (part, parts) = super::partition_graph(&graph, band, Some(k), seed, &mut Vec::new());
        let mut sums = vec![0u64; parts];
        for (a, &p) in part.iter().enumerate() {
            sums[p] += graph.weight[a];
        }
        // Every part connected.
        for p in 0..parts {
            let members: Vec<usize> = (0..n).filter(|&a| part[a] == p).collect();
            let mut seen = vec![members[0]];
            let mut stack = vec![members[0]];
            while let Some(x) = stack.pop() {
                for &(y, _) in &graph.adjacency[x] {
                    if part[y] == p && !seen.contains(&y) {
                        seen.push(y);
                        stack.push(y);
                    }
                }
            }
            assert_eq!(seen.len(), members.len(), "seed {seed}: part {p} not connected");
        }
        let inside = sums.iter().filter(|&&s| band.contains(s)).count();
        met += inside;
        grids += parts;
        cases_all_met += usize::from(inside == parts);
    }
    eprintln!("planted: {met}/{grids} grids within the band, {cases_all_met}/{cases} cases entirely");
    assert_eq!(met, grids, "grids within the band");
    assert_eq!(cases_all_met as u64, cases);
}
