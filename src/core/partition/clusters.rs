//! Clusters of households: points closer together than `cluster_m` belong together (single linkage,
//! union-find over an R-tree), and the units a cluster spans are merged so that no grid boundary
//! splits it — unless the cluster alone holds more households than a grid may.

use geo::Coord;
use rstar::RTree;
use rstar::primitives::GeomWithData;

/// Disjoint sets with path halving and union by size.
#[derive(Clone, Debug)]
pub struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    pub fn new(n: usize) -> UnionFind {
        UnionFind { parent: (0..n).collect(), size: vec![1; n] }
    }

    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the sets of `a` and `b`; the smaller index stays the root on equal sizes (deterministic).
    pub fn union(&mut self, a: usize, b: usize) -> bool {
        let (mut ra, mut rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if self.size[ra] < self.size[rb] || (self.size[ra] == self.size[rb] && rb < ra) {
            std::mem::swap(&mut ra, &mut rb);
        }
        self.parent[rb] = ra;
        self.size[ra] += self.size[rb];
        true
    }
}

/// The cluster of each point: points within `cluster_m` of each other, transitively. Clusters are
/// numbered 0.. in the order of their first point.
pub fn clusters(points: &[Coord<f64>], cluster_m: f64) -> Vec<usize> {
    let n = points.len();
    let mut sets = UnionFind::new(n);
    if cluster_m > 0.0 && n > 1 {
        let tree = RTree::bulk_load(points.iter().enumerate().map(|(i, p)| GeomWithData::new([p.x, p.y], i)).collect());
        let d2 = cluster_m * cluster_m;
        for (i, p) in points.iter().enumerate() {
            for near in tree.locate_within_distance([p.x, p.y], d2) {
                if near.data > i {
                    sets.union(i, near.data);
                }
            }
        }
    }
    let mut number = vec![usize::MAX; n];
    let mut next = 0;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let root = sets.find(i);
        if number[root] == usize::MAX {
            number[root] = next;
            next += 1;
        }
        out.push(number[root]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_closer_than_the_distance_chain_into_one_cluster() {
        let p = |x: f64, y: f64| Coord { x, y };
        let points = [p(0.0, 0.0), p(25.0, 0.0), p(50.0, 0.0), p(200.0, 0.0), p(229.0, 0.0), p(500.0, 0.0)];
        assert_eq!(clusters(&points, 30.0), vec![0, 0, 0, 1, 1, 2]);
        assert_eq!(clusters(&points, 20.0), vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(clusters(&points, 0.0), vec![0, 1, 2, 3, 4, 5]);
    }
}
