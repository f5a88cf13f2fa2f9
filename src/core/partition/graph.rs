//! The unit graph: which units share an edge, how long, how much of it runs along a reference line;
//! units merged into atoms (a household cluster's units become one atom); and what cutting between two
//! atoms costs — little along a road or river, much across a block of houses.

use geo::{Coord, LineString};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};
use rustc_hash::FxHashMap;

use super::clusters::UnionFind;
use super::units::{Unit, ring_length};

/// Cutting along a reference line costs this fraction of cutting across open land.
pub const ALONG_COST: f64 = 0.05;

/// Shared boundary between two units or atoms.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Shared {
    pub length_m: f64,
    /// The part of it that runs along a reference line.
    pub along_m: f64,
}

/// Reference line segments in an R-tree, to tell which unit edges run along them.
pub struct LineIndex {
    tree: RTree<GeomWithData<Line<[f64; 2]>, ()>>,
    tolerance_m: f64,
}

impl LineIndex {
    pub fn new(lines: &[LineString<f64>], tolerance_m: f64) -> LineIndex {
        let segments = lines
            .iter()
            .flat_map(|l| l.0.windows(2))
            .filter(|w| w[0] != w[1])
            .map(|w| GeomWithData::new(Line::new([w[0].x, w[0].y], [w[1].x, w[1].y]), ()))
            .collect();
        LineIndex { tree: RTree::bulk_load(segments), tolerance_m }
    }

    fn near(&self, c: Coord<f64>) -> bool {
        self.tree.locate_within_distance([c.x, c.y], self.tolerance_m * self.tolerance_m).next().is_some()
    }

    /// Whether the segment a–b lies along a line: both ends and the middle near one.
    pub fn along(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        let mid = Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
        self.tree.size() > 0 && self.near(mid) && self.near(a) && self.near(b)
    }
}

fn key(a: Coord<f64>, b: Coord<f64>) -> [u64; 4] {
    let (p, q) = if (a.x, a.y) <= (b.x, b.y) { (a, b) } else { (b, a) };
    [p.x.to_bits(), p.y.to_bits(), q.x.to_bits(), q.y.to_bits()]
}

/// Unit pairs that share boundary, in (lower, higher) order, sorted.
pub fn unit_adjacency(units: &[Unit], lines: &LineIndex) -> Vec<((usize, usize), Shared)> {
    let mut owner: FxHashMap<[u64; 4], usize> = FxHashMap::default();
    let mut pairs: FxHashMap<(usize, usize), Shared> = FxHashMap::default();
    for (i, u) in units.iter().enumerate() {
        for ring in &u.rings {
            for w in ring.windows(2) {
                let k = key(w[0], w[1]);
                match owner.get(&k) {
                    Some(&j) if j != i => {
                        let length = (w[1].x - w[0].x).hypot(w[1].y - w[0].y);
                        let along = if lines.along(w[0], w[1]) { length } else { 0.0 };
                        let s = pairs.entry((j.min(i), j.max(i))).or_default();
                        s.length_m += length;
                        s.along_m += along;
                    }
                    Some(_) => {}
                    None => {
                        owner.insert(k, i);
                    }
                }
            }
        }
    }
    let mut out: Vec<_> = pairs.into_iter().collect();
    out.sort_by_key(|(k, _)| *k);
    out
}

/// An edge of the atom graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub shared: Shared,
    /// What cutting here costs (see the module doc).
    pub cost: f64,
}

/// Atoms (merged units) and their adjacency.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub units_of_atom: Vec<Vec<usize>>,
    pub weight: Vec<u64>,
    pub area_m2: Vec<f64>,
    pub perimeter_m: Vec<f64>,
    pub edges: Vec<Edge>,
    /// Per atom: (neighbour, edge index), sorted by neighbour.
    pub adjacency: Vec<Vec<(usize, usize)>>,
}

impl Graph {
    pub fn len(&self) -> usize {
        self.weight.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weight.is_empty()
    }

    /// Builds the atoms: units in one `merge` group that share an edge become one atom.
    pub fn build(
        units: &[Unit],
        unit_weight: &[u64],
        adjacency: &[((usize, usize), Shared)],
        merge: &[Vec<usize>],
    ) -> Graph {
        let n = units.len();
        let mut sets = UnionFind::new(n);
        let adjacent: rustc_hash::FxHashSet<(usize, usize)> = adjacency.iter().map(|(k, _)| *k).collect();
        for group in merge {
            for (i, &a) in group.iter().enumerate() {
                for &b in &group[i + 1..] {
                    if adjacent.contains(&(a.min(b), a.max(b))) {
                        sets.union(a, b);
                    }
                }
            }
        }
        let mut atom_of_root = vec![usize::MAX; n];
        let mut atom_of_unit = vec![0; n];
        let mut g = Graph::default();
        for u in 0..n {
            let root = sets.find(u);
            if atom_of_root[root] == usize::MAX {
                atom_of_root[root] = g.units_of_atom.len();
                g.units_of_atom.push(Vec::new());
                g.weight.push(0);
                g.area_m2.push(0.0);
                g.perimeter_m.push(0.0);
            }
            let atom = atom_of_root[root];
            atom_of_unit[u] = atom;
            g.units_of_atom[atom].push(u);
            g.weight[atom] += unit_weight[u];
            g.area_m2[atom] += units[u].area_m2;
            g.perimeter_m[atom] += units[u].rings.iter().map(|r| ring_length(r)).sum::<f64>();
        }
        let mut shared: std::collections::BTreeMap<(usize, usize), Shared> = Default::default();
        for ((a, b), s) in adjacency {
            let (x, y) = (atom_of_unit[*a], atom_of_unit[*b]);
            if x == y {
                // Inside an atom: not part of its perimeter.
                g.perimeter_m[x] -= 2.0 * s.length_m;
                continue;
            }
            let e = shared.entry((x.min(y), x.max(y))).or_default();
            e.length_m += s.length_m;
            e.along_m += s.along_m;
        }
        g.connect(shared);
        g
    }

    /// A graph of given atoms (no units behind them: `units_of_atom` lists each atom alone), for
    /// partitioning polygons made elsewhere — the benchmark against spopt runs on its units. `shared`
    /// gives the boundary each adjacent pair shares; pairs may come in either order, once each.
    pub fn from_atoms(
        weight: Vec<u64>,
        area_m2: Vec<f64>,
        perimeter_m: Vec<f64>,
        shared: impl IntoIterator<Item = ((usize, usize), Shared)>,
    ) -> Graph {
        let n = weight.len();
        let mut g = Graph {
            units_of_atom: (0..n).map(|a| vec![a]).collect(),
            weight,
            area_m2,
            perimeter_m,
            ..Graph::default()
        };
        let mut pairs: std::collections::BTreeMap<(usize, usize), Shared> = Default::default();
        for ((a, b), s) in shared {
            if a == b || a >= n || b >= n {
                continue;
            }
            let e = pairs.entry((a.min(b), a.max(b))).or_default();
            e.length_m += s.length_m;
            e.along_m += s.along_m;
        }
        g.connect(pairs);
        g
    }

    /// The edges and adjacency lists from the shared boundaries, with their cut costs.
    fn connect(&mut self, shared: std::collections::BTreeMap<(usize, usize), Shared>) {
        let g = self;
        let total_weight: u64 = g.weight.iter().sum();
        let total_area: f64 = g.area_m2.iter().sum();
        let mean_density = if total_area > 0.0 { total_weight as f64 / total_area } else { 0.0 };
        let density = |a: usize| if g.area_m2[a] > 0.0 { g.weight[a] as f64 / g.area_m2[a] } else { 0.0 };
        g.adjacency = vec![Vec::new(); g.len()];
        for ((a, b), s) in shared {
            let houses = if mean_density > 0.0 { (density(a).min(density(b)) / mean_density).min(20.0) } else { 0.0 };
            let cost = ((s.length_m - s.along_m).max(0.0) + ALONG_COST * s.along_m) * (1.0 + houses);
            let index = g.edges.len();
            g.edges.push(Edge { a, b, shared: s, cost });
            g.adjacency[a].push((b, index));
            g.adjacency[b].push((a, index));
        }
    }

    /// The connected components, each sorted, in order of their smallest atom.
    pub fn components(&self) -> Vec<Vec<usize>> {
        let mut seen = vec![false; self.len()];
        let mut out = Vec::new();
        for start in 0..self.len() {
            if seen[start] {
                continue;
            }
            seen[start] = true;
            let mut stack = vec![start];
            let mut members = Vec::new();
            while let Some(x) = stack.pop() {
                members.push(x);
                for &(y, _) in &self.adjacency[x] {
                    if !seen[y] {
                        seen[y] = true;
                        stack.push(y);
                    }
                }
            }
            members.sort_unstable();
            out.push(members);
        }
        out
    }
}
