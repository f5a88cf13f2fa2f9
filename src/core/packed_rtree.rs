//! A packed Hilbert R-tree: a static index of rectangles, built once by sorting them along a Hilbert
//! curve and grouping them sixteen to a node, level by level (as the `flatbush` index does). Building
//! costs one sort, where an R*-tree's bulk load partitions the rectangles again at every level (a tenth
//! of the instructions of `rstar`'s on the US counties' 3,231 boxes); a query reads each node's boxes
//! from one array. It cannot change: an index that must follow edits keeps the boxes that moved
//! elsewhere (as the coverage checker's graph does).
//!
//! A query returns the data of every rectangle that meets the area, touching included, in the tree's
//! order: along the curve by the rectangles' centres, and in the order given among centres that fall in
//! one cell of the curve's grid. Callers that show the order sort the answer.
//!
//! ```
//! use geo::{Coord, Rect};
//! use wangge::core::packed_rtree::PackedRTree;
//!
//! let square = |x: f64, y: f64| Rect::new(Coord { x, y }, Coord { x: x + 1.0, y: y + 1.0 });
//! let tree = PackedRTree::new(vec![(square(0.0, 0.0), 'a'), (square(1.0, 0.0), 'b'), (square(5.0, 5.0), 'c')]);
//! let mut near: Vec<char> = tree.query(square(0.5, 0.5)).copied().collect();
//! near.sort();
//! assert_eq!(near, vec!['a', 'b']); // 'b' touches the area at x = 1.5..2
//! assert_eq!(tree.query(square(10.0, 10.0)).count(), 0);
//! ```

use geo::Rect;

/// Rectangles a node holds.
const NODE_SIZE: usize = 16;

/// A box as four numbers: lowest x, lowest y, highest x, highest y.
type Bounds = [f64; 4];

fn bounds(r: Rect<f64>) -> Bounds {
    [r.min().x, r.min().y, r.max().x, r.max().y]
}

/// The smallest box holding both.
fn union(a: Bounds, b: &Bounds) -> Bounds {
    [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]
}

fn meets(a: &Bounds, b: &Bounds) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

pub struct PackedRTree<T> {
    /// The boxes of every level, the leaves first, each level's nodes in curve order.
    boxes: Vec<Bounds>,
    /// Where each level starts in `boxes` (the leaves at 0); the last level is the root alone.
    levels: Vec<usize>,
    /// The leaves' data, in the leaves' order.
    data: Vec<T>,
}

impl<T> PackedRTree<T> {
    /// Indexes the rectangles with their data.
    pub fn new(entries: Vec<(Rect<f64>, T)>) -> PackedRTree<T> {
        let n = entries.len();
        let empty = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        let extent = entries.iter().fold(empty, |e, (r, _)| union(e, &bounds(*r)));
        // Each centre as a cell of a 65,536 × 65,536 grid over the extent, numbered along the curve; the
        // index breaks ties, so that the order depends on the rectangles alone (and their input order
        // only among equal centres).
        let (width, height) = (extent[2] - extent[0], extent[3] - extent[1]);
        let cell = |v: f64, lo: f64, size: f64| {
            let t = if size > 0.0 { (v - lo) / size } else { 0.0 };
            // Saturating: a NaN (a broken coordinate) lands on 0, never out of the grid.
            (t * 65_535.0) as u32
        };
        // Sorted in place by (curve position, input index), the keys computed once.
        let mut entries = entries;
        entries.sort_by_cached_key(|(r, _)| {
            let b = bounds(*r);
            hilbert(cell((b[0] + b[2]) / 2.0, extent[0], width), cell((b[1] + b[3]) / 2.0, extent[1], height))
        });
        let mut boxes: Vec<Bounds> = Vec::with_capacity(n + n / (NODE_SIZE - 1) + 1);
        let mut data: Vec<T> = Vec::with_capacity(n);
        for (r, d) in entries {
            boxes.push(bounds(r));
            data.push(d);
        }
        let mut levels = vec![0];
        let (mut start, mut end) = (0, boxes.len());
        while end - start > 1 {
            levels.push(end);
            for first in (start..end).step_by(NODE_SIZE) {
                let children = &boxes[first..(first + NODE_SIZE).min(end)];
                boxes.push(children.iter().fold(children[0], union));
            }
            (start, end) = (end, boxes.len());
        }
        PackedRTree { boxes, levels, data }
    }

    /// How many rectangles it holds.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The data of every rectangle that meets `area` (touching counts).
    pub fn query(&self, area: Rect<f64>) -> Query<'_, T> {
        let area = bounds(area);
        let mut stack = Vec::new();
        let top = self.levels.len() - 1;
        if let Some(root) = self.boxes.last()
            && meets(root, &area)
        {
            stack.push((top, self.boxes.len() - 1));
        }
        Query { tree: self, area, stack, leaves: 0..0 }
    }

    /// The nodes (or leaves) under node `at` of `level`: a range of `boxes`.
    fn children(&self, level: usize, at: usize) -> std::ops::Range<usize> {
        let below = self.levels[level - 1];
        let first = below + (at - self.levels[level]) * NODE_SIZE;
        first..(first + NODE_SIZE).min(self.levels[level])
    }
}

/// The rectangles meeting an area, found depth first.
pub struct Query<'a, T> {
    tree: &'a PackedRTree<T>,
    area: Bounds,
    /// Nodes still to open: (level, position in `boxes`).
    stack: Vec<(usize, usize)>,
    /// Leaves of the node being read, still to test.
    leaves: std::ops::Range<usize>,
}

impl<'a, T> Iterator for Query<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        let tree = self.tree;
        loop {
            for leaf in self.leaves.by_ref() {
                if meets(&tree.boxes[leaf], &self.area) {
                    return Some(&tree.data[leaf]);
                }
            }
            let (level, at) = self.stack.pop()?;
            if level == 0 {
                // The root is a leaf: a tree of one rectangle, already tested.
                return Some(&tree.data[at]);
            }
            let children = tree.children(level, at);
            if level == 1 {
                self.leaves = children;
            } else {
                // Pushed last first, so that nodes open in curve order.
                for child in children.rev() {
                    if meets(&tree.boxes[child], &self.area) {
                        self.stack.push((level - 1, child));
                    }
                }
            }
        }
    }
}

/// The position of cell (x, y) of a 65,536 × 65,536 grid along a Hilbert curve through it (the
/// branch-free form of "Fast Hilbert curve generation" by rawrunprotected, as flatbush has it).
fn hilbert(x: u32, y: u32) -> u32 {
    let mut a = x ^ y;
    let mut b = 0xFFFF ^ a;
    let mut c = 0xFFFF ^ (x | y);
    let mut d = x & (y ^ 0xFFFF);

    let mut aa = a | (b >> 1);
    let mut bb = (a >> 1) ^ a;
    let mut cc = ((c >> 1) ^ (b & (d >> 1))) ^ c;
    let mut dd = ((a & (c >> 1)) ^ (d >> 1)) ^ d;

    (a, b, c, d) = (aa, bb, cc, dd);
    aa = (a & (a >> 2)) ^ (b & (b >> 2));
    bb = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2));
    cc ^= (a & (c >> 2)) ^ (b & (d >> 2));
    dd ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2));

    (a, b, c, d) = (aa, bb, cc, dd);
    aa = (a & (a >> 4)) ^ (b & (b >> 4));
    bb = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4));
    cc ^= (a & (c >> 4)) ^ (b & (d >> 4));
    dd ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4));

    (a, b, c, d) = (aa, bb, cc, dd);
    cc ^= (a & (c >> 8)) ^ (b & (d >> 8));
    dd ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8));

    a = cc ^ (cc >> 1);
    b = dd ^ (dd >> 1);

    let mut i0 = x ^ y;
    let mut i1 = b | (0xFFFF ^ (i0 | a));

    i0 = (i0 | (i0 << 8)) & 0x00FF_00FF;
    i0 = (i0 | (i0 << 4)) & 0x0F0F_0F0F;
    i0 = (i0 | (i0 << 2)) & 0x3333_3333;
    i0 = (i0 | (i0 << 1)) & 0x5555_5555;

    i1 = (i1 | (i1 << 8)) & 0x00FF_00FF;
    i1 = (i1 | (i1 << 4)) & 0x0F0F_0F0F;
    i1 = (i1 | (i1 << 2)) & 0x3333_3333;
    i1 = (i1 | (i1 << 1)) & 0x5555_5555;

    (i1 << 1) | i0
}

#[cfg(test)]
mod tests {
    use geo::{Coord, Rect};

    use super::{PackedRTree, hilbert};
    use crate::core::coverage::synthetic::Rng;

    fn rect(x: f64, y: f64, w: f64, h: f64) -> Rect<f64> {
        Rect::new(Coord { x, y }, Coord { x: x + w, y: y + h })
    }

    /// Every query answers what testing every rectangle answers, for trees of every depth (up to
    /// 5,000 rectangles: three levels of nodes), with points (zero-size boxes), shared edges and corners,
    /// huge rectangles among small ones, and queries that miss everything.
    #[test]
    fn queries_find_what_testing_every_rectangle_finds() {
        let mut rng = Rng::new(7);
        for n in [0, 1, 2, 15, 16, 17, 255, 256, 257, 1000, 5000] {
            let rects: Vec<Rect<f64>> = (0..n)
                .map(|i| match i % 7 {
                    // On a lattice: neighbours share edges and corners exactly.
                    0..=2 => rect((i % 50) as f64, (i / 50) as f64, 1.0, 1.0),
                    3 => rect(rng.unit() * 60.0, rng.unit() * 60.0, 0.0, 0.0),
                    4 if i % 500 == 4 => rect(-10.0, -10.0, 200.0, 3.0),
                    _ => rect(rng.unit() * 60.0, rng.unit() * 60.0, rng.unit() * 5.0, rng.unit() * 5.0),
                })
                .collect();
            let tree = PackedRTree::new(rects.iter().enumerate().map(|(i, r)| (*r, i)).collect());
            assert_eq!(tree.len(), n);
            for q in 0..300 {
                let area = match q % 3 {
                    0 => rect((q % 50) as f64, (q / 10) as f64, 1.0, 1.0),
                    1 => rect(rng.unit() * 70.0 - 5.0, rng.unit() * 70.0 - 5.0, rng.unit() * 10.0, rng.unit() * 10.0),
                    _ => rect(rng.unit() * 70.0, rng.unit() * 70.0, 0.0, 0.0),
                };
                let mut found: Vec<usize> = tree.query(area).copied().collect();
                found.sort_unstable();
                let hits = |r: &Rect<f64>| {
                    r.min().x <= area.max().x
                        && area.min().x <= r.max().x
                        && r.min().y <= area.max().y
                        && area.min().y <= r.max().y
                };
                let expected: Vec<usize> = (0..n).filter(|&i| hits(&rects[i])).collect();
                assert_eq!(found, expected, "{n} rectangles, query {q}: {area:?}");
            }
        }
    }

    /// Rectangles with broken coordinates (NaN, infinite) are kept without a panic; the others are found.
    #[test]
    fn broken_coordinates_do_not_break_the_tree() {
        let mut entries: Vec<(Rect<f64>, usize)> = (0..40).map(|i| (rect(i as f64, 0.0, 1.0, 1.0), i)).collect();
        entries.push((rect(f64::NAN, 0.0, 1.0, 1.0), 40));
        entries.push((Rect::new(Coord { x: f64::NEG_INFINITY, y: 0.0 }, Coord { x: f64::INFINITY, y: 1.0 }), 41));
        let tree = PackedRTree::new(entries);
        let mut found: Vec<usize> = tree.query(rect(10.5, 0.5, 0.0, 0.0)).copied().collect();
        found.sort_unstable();
        assert_eq!(found, vec![10, 41]);
    }

    /// The curve visits every cell of a small grid once, each step to a neighbouring cell (the order is
    /// what keeps a node's rectangles together).
    #[test]
    fn the_curve_steps_from_cell_to_neighbouring_cell() {
        // The top-left 256 × 256 corner of the grid is the curve's first 65,536 positions.
        let mut cells: Vec<(u32, u32, u32)> =
            (0..256u32).flat_map(|x| (0..256u32).map(move |y| (hilbert(x, y), x, y))).collect();
        cells.sort_unstable();
        for (k, w) in cells.windows(2).enumerate() {
            assert_eq!(w[0].0 + 1, w[1].0, "positions repeat or skip at {k}");
            let step = w[0].1.abs_diff(w[1].1) + w[0].2.abs_diff(w[1].2);
            assert_eq!(step, 1, "a jump between {:?} and {:?}", w[0], w[1]);
        }
    }
}
