//! Local moves after the cuts: a boundary atom moves to the neighbouring part when that raises the
//! parts' compactness (Polsby–Popper 4πA/P²) and cuts less across houses, keeps both parts connected
//! and takes neither further from the band.

use super::graph::Graph;
use super::split::Band;

/// Weight of the cut cost against compactness (per characteristic length of a part).
const CUT_WEIGHT: f64 = 0.15;
const PASSES: usize = 8;

pub fn polsby_popper(area_m2: f64, perimeter_m: f64) -> f64 {
    if perimeter_m > 0.0 { 4.0 * std::f64::consts::PI * area_m2 / (perimeter_m * perimeter_m) } else { 0.0 }
}

/// Improves `part` (the part of each atom, `parts` of them) in place; returns how many moves it made.
pub fn improve(graph: &Graph, part: &mut [usize], parts: usize, band: Band) -> usize {
    let mut weight = vec![0u64; parts];
    let mut area = vec![0.0f64; parts];
    let mut perimeter = vec![0.0f64; parts];
    let mut size = vec![0usize; parts];
    for (a, &p) in part.iter().enumerate() {
        weight[p] += graph.weight[a];
        area[p] += graph.area_m2[a];
        perimeter[p] += graph.perimeter_m[a];
        size[p] += 1;
    }
    for e in &graph.edges {
        if part[e.a] == part[e.b] {
            perimeter[part[e.a]] -= 2.0 * e.shared.length_m;
        }
    }
    let total_area: f64 = area.iter().sum();
    let length_scale = (total_area / parts.max(1) as f64).sqrt().max(1e-9);
    let width = (band.max.saturating_sub(band.min)).max(1) as f64;
    let mut moves = 0;
    let mut seen = vec![usize::MAX; graph.len()];
    let mut stamp = 0;
    for _ in 0..PASSES {
        let mut moved = 0;
        for u in 0..graph.len() {
            let p = part[u];
            if size[p] <= 1 {
                continue;
            }
            // Shared length of u with each neighbouring part, and with its own.
            let mut with: Vec<(usize, f64, f64)> = Vec::new(); // (part, shared length, cut cost)
            for &(v, e) in &graph.adjacency[u] {
                let q = part[v];
                let edge = &graph.edges[e];
                match with.iter_mut().find(|w| w.0 == q) {
                    Some(w) => {
                        w.1 += edge.shared.length_m;
                        w.2 += edge.cost;
                    }
                    None => with.push((q, edge.shared.length_m, edge.cost)),
                }
            }
            let (own_shared, own_cost) = with.iter().find(|w| w.0 == p).map_or((0.0, 0.0), |w| (w.1, w.2));
            let mut best: Option<(f64, usize, f64)> = None;
            for &(q, q_shared, q_cost) in &with {
                if q == p {
                    continue;
                }
                let (wu, wp, wq) = (graph.weight[u], weight[p], weight[q]);
                let before = band.violation(wp) + band.violation(wq);
                let after = band.violation(wp - wu) + band.violation(wq + wu);
                if after > before {
                    continue;
                }
                let pp_before = polsby_popper(area[p], perimeter[p]) + polsby_popper(area[q], perimeter[q]);
                let new_p_perimeter = perimeter[p] - graph.perimeter_m[u] + 2.0 * own_shared;
                let new_q_perimeter = perimeter[q] + graph.perimeter_m[u] - 2.0 * q_shared;
                let pp_after = polsby_popper(area[p] - graph.area_m2[u], new_p_perimeter)
                    + polsby_popper(area[q] + graph.area_m2[u], new_q_perimeter);
                // Cut cost: edges to p become cut, edges to q stop being cut.
                let cut_change = (own_cost - q_cost) / length_scale;
                let gain =
                    (pp_after - pp_before) - CUT_WEIGHT * cut_change + 10.0 * (before as f64 - after as f64) / width;
                if gain > 1e-9 && best.as_ref().is_none_or(|b| gain > b.0) {
                    best = Some((gain, q, new_q_perimeter));
                }
            }
            let Some((_, q, new_q_perimeter)) = best else { continue };
            stamp += 1;
            if !connected_without(graph, part, p, u, size[p] - 1, &mut seen, stamp) {
                continue;
            }
            perimeter[p] = perimeter[p] - graph.perimeter_m[u] + 2.0 * own_shared;
            perimeter[q] = new_q_perimeter;
            weight[p] -= graph.weight[u];
            weight[q] += graph.weight[u];
            area[p] -= graph.area_m2[u];
            area[q] += graph.area_m2[u];
            size[p] -= 1;
            size[q] += 1;
            part[u] = q;
            moved += 1;
        }
        moves += moved;
        if moved == 0 {
            break;
        }
    }
    moves
}

/// Whether part `p` stays connected when `u` leaves it (`remaining` atoms after).
fn connected_without(
    graph: &Graph,
    part: &[usize],
    p: usize,
    u: usize,
    remaining: usize,
    seen: &mut [usize],
    stamp: usize,
) -> bool {
    let Some(start) = graph.adjacency[u].iter().map(|&(v, _)| v).find(|&v| part[v] == p) else {
        return remaining == 0;
    };
    seen[u] = stamp;
    seen[start] = stamp;
    let mut stack = vec![start];
    let mut reached = 1;
    while let Some(x) = stack.pop() {
        for &(y, _) in &graph.adjacency[x] {
            if part[y] == p && seen[y] != stamp {
                seen[y] = stamp;
                reached += 1;
                stack.push(y);
            }
        }
    }
    reached == remaining
}
