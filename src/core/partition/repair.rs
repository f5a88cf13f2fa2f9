//! Repair after the cuts (a ReCom step aimed at the band): the recursive cuts only know that each side's
//! households can be shared among its grids by the sums, so some parts come out of the band. A part out
//! of it is merged with one neighbouring part (or two: a neighbour and a neighbour of either), the union
//! is split again into as many parts with fresh spanning trees (exactly when small), and the new parts
//! are kept when they lie, in all, nearer the band than the old ones. Every part stays connected: the
//! union of adjacent connected parts is connected, and the split makes connected parts.

use super::graph::Graph;
use super::split::{Band, Scratch, split_set};
use crate::core::coverage::synthetic::Rng;

/// Rounds over the parts out of band; each round tries every such part once.
const ROUNDS: usize = 6;
/// Fresh splits of one union before it is given up.
const ATTEMPTS: usize = 3;
/// Groups (pairs and triples) tried per part out of band and round.
const GROUPS: usize = 24;
/// Unions of at most this many atoms are split exactly (once: the search is deterministic).
const EXACT: usize = 10;

/// Repairs `part` (the part of each atom, `parts` of them, each connected) in place; returns how many
/// groups were re-split. Parts keep their numbers where they can; a re-split group reuses its numbers
/// (a union that splits into fewer parts than it had leaves a number unused: see [`renumber`]).
pub fn repair(graph: &Graph, part: &mut [usize], parts: usize, band: Band, seed: u64) -> usize {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); parts];
    for (a, &p) in part.iter().enumerate() {
        members[p].push(a);
    }
    let mut weight: Vec<u64> = members.iter().map(|m| m.iter().map(|&a| graph.weight[a]).sum()).collect();
    let mut rng = Rng::new(seed ^ 0x2545_F491_4F6C_DD1D);
    let mut scratch = Scratch::new(graph.len());
    let mut done = 0;
    for _ in 0..ROUNDS {
        let mut bad: Vec<usize> = (0..parts).filter(|&p| !members[p].is_empty() && !band.contains(weight[p])).collect();
        if bad.is_empty() {
            break;
        }
        bad.sort_by_key(|&p| (std::cmp::Reverse(band.violation(weight[p])), p));
        let mut changed = false;
        for p in bad {
            // A part that is one atom heavier than the band allows stays so whatever its neighbours do.
            let hopeless = members[p].len() == 1 && weight[p] > band.max;
            if members[p].is_empty() || band.contains(weight[p]) || hopeless {
                continue;
            }
            for group in groups(graph, part, &members, p) {
                let before: u64 = group.iter().map(|&q| band.violation(weight[q])).sum();
                let union: Vec<usize> = {
                    let mut u: Vec<usize> = group.iter().flat_map(|&q| members[q].iter().copied()).collect();
                    u.sort_unstable();
                    u
                };
                let mut best: Option<(u64, Vec<Vec<usize>>)> = None;
                let attempts = if union.len() <= EXACT { 1 } else { ATTEMPTS };
                for _ in 0..attempts {
                    let split = split_set(graph, union.clone(), group.len(), band, EXACT, &mut rng, &mut scratch);
                    if split.len() > group.len() {
                        continue;
                    }
                    let after: u64 =
                        split.iter().map(|s| band.violation(s.iter().map(|&a| graph.weight[a]).sum())).sum();
                    if after < before && best.as_ref().is_none_or(|b| after < b.0) {
                        let zero = after == 0;
                        best = Some((after, split));
                        if zero {
                            break;
                        }
                    }
                }
                let Some((_, split)) = best else { continue };
                for (slot, &q) in group.iter().enumerate() {
                    let new = split.get(slot).cloned().unwrap_or_default();
                    for &a in &new {
                        part[a] = q;
                    }
                    weight[q] = new.iter().map(|&a| graph.weight[a]).sum();
                    members[q] = new;
                }
                done += 1;
                changed = true;
                break;
            }
        }
        if !changed {
            break;
        }
    }
    done
}

/// The groups to re-split around part `p`: `p` with each neighbouring part, then with each pair of a
/// neighbour and a part next to `p` or that neighbour; at most [`GROUPS`], in a deterministic order.
fn groups(graph: &Graph, part: &[usize], members: &[Vec<usize>], p: usize) -> Vec<Vec<usize>> {
    let neighbours_of = |q: usize| {
        let mut out: Vec<usize> = members[q]
            .iter()
            .flat_map(|&a| graph.adjacency[a].iter().map(|&(b, _)| part[b]))
            .filter(|&r| r != q)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let near = neighbours_of(p);
    let mut out: Vec<Vec<usize>> = near.iter().map(|&q| vec![p, q]).collect();
    'outer: for &q in &near {
        let mut thirds = neighbours_of(q);
        thirds.extend(near.iter().copied());
        thirds.sort_unstable();
        thirds.dedup();
        for r in thirds {
            if r == p || r == q {
                continue;
            }
            let mut g = vec![p, q, r];
            g[1..].sort_unstable();
            if !out.contains(&g) {
                out.push(g);
            }
            if out.len() >= GROUPS {
                break 'outer;
            }
        }
    }
    out.truncate(GROUPS);
    out
}

/// Part numbers made dense again (0.. in order of first atom) after a repair left some unused; returns
/// how many parts there are.
pub fn renumber(part: &mut [usize]) -> usize {
    let mut map = vec![usize::MAX; part.iter().max().map_or(0, |m| m + 1)];
    let mut next = 0;
    for p in part.iter_mut() {
        if map[*p] == usize::MAX {
            map[*p] = next;
            next += 1;
        }
        *p = map[*p];
    }
    next
}
