//! The overlap flood of a full check must find every overlapping pair that testing all pairs finds:
//! random coverages with bow ties, grids that moved a shared vertex alone and copied grids, compared
//! pair by pair. (An overlap that an invalid grid's matched segments hide from the edge rules, which
//! the flood reaches only through the invalid grid's neighbours, needs real data to arise: the
//! integration test `an_overlap_beside_an_invalid_grid_is_found` has it.)

use std::collections::BTreeSet;

use geo::{Coord, MultiPolygon, Polygon};

use super::synthetic::{Rng, jittered_grid, move_shared_vertex};
use super::{Checker, CoverageOptions};

const ORIGIN: Coord<f64> = Coord { x: 620_000.0, y: 3_385_000.0 };
const N: usize = 8;

fn mm(c: Coord<f64>) -> Coord<f64> {
    Coord { x: (c.x * 1000.0).round() / 1000.0, y: (c.y * 1000.0).round() / 1000.0 }
}

/// The grid with two vertices of its shell swapped: a bow tie, invalid.
fn bow_tie(g: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let mut ring = g.0[0].exterior().0.clone();
    let n = ring.len() - 1;
    ring.swap(1, n / 2 + 1);
    ring[n] = ring[0];
    MultiPolygon(vec![Polygon::new(ring.into(), vec![])])
}

#[test]
fn the_flood_finds_every_overlapping_pair() {
    let (mut overlapping_pairs, mut next_to_invalid) = (0, 0);
    for seed in 0..120u64 {
        let mut rng = Rng::new(seed + 77);
        let mut items = jittered_grid(N, N, 100.0, ORIGIN, seed);
        let mut invalid: Vec<usize> = Vec::new();
        for _ in 0..1 + seed % 4 {
            let i = (rng.next_u64() % items.len() as u64) as usize;
            match rng.next_u64() % 3 {
                0 => {
                    items[i] = bow_tie(&items[i]);
                    invalid.push(i);
                }
                1 => {
                    // One grid moves a vertex it shares, alone: it overlaps a neighbour or leaves a gap.
                    let ring = items[i].0[0].exterior().0.clone();
                    let v = ring[(rng.next_u64() % (ring.len() as u64 - 1)) as usize];
                    let to = mm(Coord { x: v.x + (rng.unit() - 0.5) * 60.0, y: v.y + (rng.unit() - 0.5) * 60.0 });
                    move_shared_vertex(&mut items[i..=i], v, to);
                }
                _ => items[(i + 1) % N.pow(2)] = items[i].clone(),
            }
        }
        let options = CoverageOptions { precision: 0.001, gap_width_m: 0.0, crs: None };
        let checker = Checker::new(items.clone(), None, Vec::new(), options);
        let flooded: BTreeSet<(u32, u32)> = checker.overlaps.keys().copied().collect();
        let usable = |i: u32| checker.invalid[i as usize].is_none();
        let mut all_pairs: BTreeSet<(u32, u32)> = BTreeSet::new();
        for a in 0..items.len() as u32 {
            for b in a + 1..items.len() as u32 {
                if usable(a) && usable(b) && checker.overlap_of(a, b).is_some() {
                    all_pairs.insert((a, b));
                }
            }
        }
        assert_eq!(flooded, all_pairs, "seed {seed}");
        overlapping_pairs += all_pairs.len();
        let near = |a: u32| {
            invalid.iter().any(|&w| {
                let (ea, ew) = (checker.graph.envelope[a as usize], checker.graph.envelope[w]);
                ea.zip(ew).is_some_and(|(ea, ew)| {
                    ea.min().x <= ew.max().x
                        && ew.min().x <= ea.max().x
                        && ea.min().y <= ew.max().y
                        && ew.min().y <= ea.max().y
                })
            })
        };
        next_to_invalid += all_pairs.iter().filter(|&&(a, b)| near(a) || near(b)).count();
    }
    // Overlaps did occur, some of them beside invalid grids.
    assert!(
        overlapping_pairs > 50 && next_to_invalid > 5,
        "{overlapping_pairs} overlaps, {next_to_invalid} near invalid grids"
    );
}
