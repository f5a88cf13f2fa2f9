//! Recursive balanced spanning-tree cuts (after ReCom): draw a random spanning tree of a connected set
//! of atoms, preferring to keep expensive edges (across houses) inside it so that cheap ones (along
//! roads and rivers) end up between the two sides; cut the tree edge whose two sides can each be split
//! into whole grids within the band, the most balanced and cheapest such edge of a few trees; recurse.

use super::clusters::UnionFind;
use super::graph::Graph;
use crate::core::coverage::synthetic::Rng;

/// Household band of a grid, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub min: u64,
    pub max: u64,
}

impl Band {
    pub fn contains(self, households: u64) -> bool {
        households >= self.min && households <= self.max
    }

    /// How far `households` lies outside the band (0 inside).
    pub fn violation(self, households: u64) -> u64 {
        self.min.saturating_sub(households) + households.saturating_sub(self.max)
    }

    /// Whether `households` can be shared among `k` grids each within the band (sums only).
    pub fn fits(self, households: u64, k: usize) -> bool {
        let k = k as u64;
        households >= k * self.min && households <= k * self.max
    }
}

/// How many grids `households` should make: the count whose mean lies nearest the band's middle
/// among those whose mean lies in the band; 1 when there are too few households.
pub fn choose_count(households: u64, band: Band) -> usize {
    if households <= band.max {
        return 1;
    }
    let mid = (band.min + band.max) as f64 / 2.0;
    let ideal = (households as f64 / mid).round().max(1.0) as u64;
    let k_min = households.div_ceil(band.max.max(1));
    let k_max = households / band.min.max(1);
    if k_min <= k_max { ideal.clamp(k_min, k_max) as usize } else { ideal as usize }
}

/// Trees drawn per cut before the best cut so far is taken, when one of them gave a feasible cut …
const TREES: usize = 12;
/// … and at most this many while none did.
const MAX_TREES: usize = 60;

/// Splits every component of the graph; returns the part of each atom, parts numbered 0.. .
/// `counts` gives the number of grids per component (in [`Graph::components`] order).
pub fn split(graph: &Graph, components: &[Vec<usize>], counts: &[usize], band: Band, seed: u64) -> Vec<usize> {
    let mut part = vec![0; graph.len()];
    let mut next = 0;
    let mut scratch = Scratch::new(graph.len());
    for (i, (members, &k)) in components.iter().zip(counts).enumerate() {
        let mut rng = Rng::new(seed ^ (0x5851_F42D_4C95_7F2D_u64.wrapping_mul(i as u64 + 1)));
        for p in split_set(graph, members.clone(), k, band, EXACT_LIMIT, &mut rng, &mut scratch) {
            for a in p {
                part[a] = next;
            }
            next += 1;
        }
    }
    part
}

/// Splits one connected set of atoms into `k` connected parts (fewer when it cannot be cut): exactly
/// when it has at most `exact_limit` atoms (the search takes 3^n steps), else by recursive
/// spanning-tree cuts.
pub(super) fn split_set(
    graph: &Graph,
    members: Vec<usize>,
    k: usize,
    band: Band,
    exact_limit: usize,
    rng: &mut Rng,
    scratch: &mut Scratch,
) -> Vec<Vec<usize>> {
    if members.len() <= exact_limit.min(EXACT_LIMIT)
        && let Some(parts) = exact(graph, &members, band, k)
    {
        return parts;
    }
    let mut out = Vec::new();
    bisect(graph, members, k.max(1), band, rng, scratch, &mut out);
    out
}

/// Components of at most this many atoms are partitioned exactly (every split into connected parts
/// within the band is considered), so that small villages meet the band whenever it can be met.
pub const EXACT_LIMIT: usize = 14;

/// An exact partition of `members` (at most [`EXACT_LIMIT`]) into connected parts each within the band,
/// with the number of parts nearest `k`; `None` when there is none.
pub fn exact(graph: &Graph, members: &[usize], band: Band, k: usize) -> Option<Vec<Vec<usize>>> {
    let n = members.len();
    if n == 0 || n > EXACT_LIMIT {
        return None;
    }
    let index = |a: usize| members.iter().position(|&m| m == a);
    let mut neighbours = vec![0u32; n];
    for (i, &a) in members.iter().enumerate() {
        for &(b, _) in &graph.adjacency[a] {
            if let Some(j) = index(b) {
                neighbours[i] |= 1 << j;
            }
        }
    }
    let full: u32 = (1u32 << n) - 1;
    let size = 1usize << n;
    let mut weight = vec![0u64; size];
    let mut connected = vec![false; size];
    for mask in 1..size {
        let low = mask.trailing_zeros() as usize;
        weight[mask] = weight[mask & (mask - 1)] + graph.weight[members[low]];
        let m = mask as u32;
        let mut reached = 1u32 << low;
        loop {
            let mut grow = reached;
            let mut bits = reached;
            while bits != 0 {
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                grow |= neighbours[b] & m;
            }
            if grow == reached {
                break;
            }
            reached = grow;
        }
        connected[mask] = reached == m;
    }
    let ok = |t: usize| connected[t] && band.contains(weight[t]);
    // counts[mask]: bit c set when mask splits into c good parts.
    let mut counts = vec![0u32; size];
    counts[0] = 1;
    for mask in 1..size {
        let low = mask & mask.wrapping_neg();
        let rest = mask ^ low;
        let mut sub = rest;
        loop {
            let t = sub | low;
            if ok(t) {
                counts[mask] |= counts[mask ^ t] << 1;
            }
            if sub == 0 {
                break;
            }
            sub = (sub - 1) & rest;
        }
    }
    let possible = counts[full as usize];
    let c = (1..=n).filter(|c| possible >> c & 1 == 1).min_by_key(|&c| (c.abs_diff(k), c))?;
    let mut parts = Vec::new();
    let (mut mask, mut c) = (full as usize, c);
    while mask != 0 {
        let low = mask & mask.wrapping_neg();
        let rest = mask ^ low;
        let mut sub = rest;
        let mut found = None;
        loop {
            let t = sub | low;
            if ok(t) && (counts[mask ^ t] >> (c - 1)) & 1 == 1 {
                found = Some(t);
                break;
            }
            if sub == 0 {
                break;
            }
            sub = (sub - 1) & rest;
        }
        let t = found?;
        parts.push((0..n).filter(|&i| t >> i & 1 == 1).map(|i| members[i]).collect());
        mask ^= t;
        c -= 1;
    }
    Some(parts)
}

/// Reused between cuts.
pub(super) struct Scratch {
    /// Global atom → index in the set being cut (usize::MAX outside it).
    local: Vec<usize>,
}

impl Scratch {
    pub(super) fn new(atoms: usize) -> Scratch {
        Scratch { local: vec![usize::MAX; atoms] }
    }
}

fn bisect(
    graph: &Graph,
    set: Vec<usize>,
    k: usize,
    band: Band,
    rng: &mut Rng,
    scratch: &mut Scratch,
    out: &mut Vec<Vec<usize>>,
) {
    if k <= 1 || set.len() <= 1 {
        out.push(set);
        return;
    }
    let Some((side, k1)) = best_cut(graph, &set, k, band, rng, scratch) else {
        out.push(set);
        return;
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (i, &x) in set.iter().enumerate() {
        if side[i] { a.push(x) } else { b.push(x) }
    }
    bisect(graph, a, k1, band, rng, scratch, out);
    bisect(graph, b, k - k1, band, rng, scratch, out);
}

/// The chosen cut: which atoms of `set` go to the first side (with `k1` grids).
fn best_cut(
    graph: &Graph,
    set: &[usize],
    k: usize,
    band: Band,
    rng: &mut Rng,
    scratch: &mut Scratch,
) -> Option<(Vec<bool>, usize)> {
    for (i, &a) in set.iter().enumerate() {
        scratch.local[a] = i;
    }
    let n = set.len();
    let total: u64 = set.iter().map(|&a| graph.weight[a]).sum();
    let area: f64 = set.iter().map(|&a| graph.area_m2[a]).sum();
    let across = area.sqrt().max(1e-9);
    let mean = total as f64 / k as f64;
    let mut inner_edges: Vec<usize> = Vec::new();
    for &a in set {
        for &(b, e) in &graph.adjacency[a] {
            if a < b && scratch.local[b] != usize::MAX {
                inner_edges.push(e);
            }
        }
    }
    let log_cost: Vec<f64> = inner_edges.iter().map(|&e| graph.edges[e].cost.max(1e-9).ln()).collect();
    // (score, feasible, side, k1)
    let mut best: Option<(f64, bool, Vec<bool>, usize)> = None;
    let mut feasible_found = 0;
    for drawn in 0..MAX_TREES {
        if drawn >= TREES && feasible_found > 0 {
            break;
        }
        // A random maximum spanning tree by cost: expensive edges stay inside the tree, so the edge cut
        // leaves cheap edges between the two sides.
        let mut keyed: Vec<(f64, usize)> =
            inner_edges.iter().zip(&log_cost).map(|(&e, &c)| (c + 2.0 * rng.unit(), e)).collect();
        // The comparison is total (key, then edge), so the unstable sort is deterministic.
        keyed.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let mut sets = UnionFind::new(n);
        let mut tree: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut joined = 1;
        for &(_, e) in &keyed {
            let (a, b) = (scratch.local[graph.edges[e].a], scratch.local[graph.edges[e].b]);
            if sets.union(a, b) {
                tree[a].push(b);
                tree[b].push(a);
                joined += 1;
                if joined == n {
                    break;
                }
            }
        }
        // Root at a random atom; subtree sums in reverse depth-first order.
        let root = (rng.next_u64() % n as u64) as usize;
        let mut parent = vec![usize::MAX; n];
        let mut order = Vec::with_capacity(n);
        let mut stack = vec![root];
        parent[root] = root;
        while let Some(x) = stack.pop() {
            order.push(x);
            for &y in &tree[x] {
                if parent[y] == usize::MAX {
                    parent[y] = x;
                    stack.push(y);
                }
            }
        }
        if order.len() < n {
            // Not connected (the caller passes connected sets; be safe).
            break;
        }
        let mut sub = vec![0u64; n];
        for &x in order.iter().rev() {
            sub[x] += graph.weight[set[x]];
            if x != root {
                sub[parent[x]] += sub[x];
            }
        }
        let mut tree_best: Option<(f64, bool, usize, usize)> = None;
        for (x, &s) in sub.iter().enumerate() {
            if x == root {
                continue;
            }
            for k1 in 1..k {
                let feasible = band.fits(s, k1) && band.fits(total - s, k - k1);
                let balance = (s as f64 - k1 as f64 * mean).abs() / mean;
                let soft = if feasible {
                    0.0
                } else {
                    let per = |h: u64, kk: usize| {
                        let m = h as f64 / kk as f64;
                        (band.min as f64 - m).max(0.0) + (m - band.max as f64).max(0.0)
                    };
                    (per(s, k1) + per(total - s, k - k1)) / mean * 10.0 + 10.0
                };
                let score = balance + soft;
                let better = match &tree_best {
                    None => true,
                    Some((b, ..)) => score < *b,
                };
                if better {
                    tree_best = Some((score, feasible, x, k1));
                }
            }
        }
        let Some((score, feasible, x, k1)) = tree_best else { continue };
        // The side below x, and what the cut costs.
        let mut side = vec![false; n];
        let mut stack = vec![x];
        side[x] = true;
        while let Some(y) = stack.pop() {
            for &z in &tree[y] {
                if z != parent[y] && !side[z] {
                    side[z] = true;
                    stack.push(z);
                }
            }
        }
        let cut: f64 = inner_edges
            .iter()
            .filter(|&&e| side[scratch.local[graph.edges[e].a]] != side[scratch.local[graph.edges[e].b]])
            .map(|&e| graph.edges[e].cost)
            .sum();
        let total_score = score + 0.5 * cut / across;
        let better = match &best {
            None => true,
            Some((b, bf, ..)) => (feasible && !bf) || (feasible == *bf && total_score < *b),
        };
        if better {
            best = Some((total_score, feasible, side, k1));
        }
        if feasible {
            feasible_found += 1;
            if feasible_found >= 4 {
                break;
            }
        }
    }
    for &a in set {
        scratch.local[a] = usize::MAX;
    }
    best.map(|(_, _, side, k1)| (side, k1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_puts_the_mean_in_the_band() {
        let band = Band { min: 300, max: 500 };
        assert_eq!(choose_count(180, band), 1);
        assert_eq!(choose_count(500, band), 1);
        assert_eq!(choose_count(800, band), 2);
        assert_eq!(choose_count(4000, band), 10);
        assert_eq!(choose_count(1000, Band { min: 450, max: 480 }), 2, "1000 fits no count: nearest");
        assert!(band.fits(900, 2) && !band.fits(1100, 2) && !band.fits(500, 2));
    }
}
