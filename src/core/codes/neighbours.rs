//! 四至: for each grid, the neighbour (or the boundary) to its north, east, south and west, from the
//! borders it shares — each shared segment counts towards the side its midpoint lies on, seen from the
//! grid's interior point, and the longest border on a side wins.

use std::collections::BTreeMap;

use geo::{Coord, InteriorPoint};
use rustc_hash::FxHashMap;

use crate::core::coverage::snap_coord;
use crate::core::{GridId, Project};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    Grid(GridId),
    /// The border on this side is not shared with another grid (the township's edge, or a gap).
    Boundary,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FourSides {
    pub north: Option<Side>,
    pub east: Option<Side>,
    pub south: Option<Side>,
    pub west: Option<Side>,
}

type Key = (u64, u64, u64, u64);

fn key(a: Coord<f64>, b: Coord<f64>) -> Key {
    let (a, b) = if (a.x, a.y) <= (b.x, b.y) { (a, b) } else { (b, a) };
    (a.x.to_bits(), a.y.to_bits(), b.x.to_bits(), b.y.to_bits())
}

/// 0 = north, 1 = east, 2 = south, 3 = west.
fn side_of(from: Coord<f64>, to: Coord<f64>) -> usize {
    let angle = (to.y - from.y).atan2(to.x - from.x).to_degrees();
    match angle {
        a if (-45.0..45.0).contains(&a) => 1,
        a if (45.0..135.0).contains(&a) => 0,
        a if (-135.0..-45.0).contains(&a) => 2,
        _ => 3,
    }
}

pub fn four_sides(project: &Project) -> BTreeMap<GridId, FourSides> {
    let p = project.precision;
    let snap = |c: Coord<f64>| snap_coord(c, p);
    let mut owners: FxHashMap<Key, Vec<GridId>> = FxHashMap::default();
    let segments = |g: &crate::core::Grid| -> Vec<(Coord<f64>, Coord<f64>)> {
        g.geometry
            .0
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .flat_map(|ring| ring.0.windows(2).map(|w| (snap(w[0]), snap(w[1]))).collect::<Vec<_>>())
            .filter(|(a, b)| a != b)
            .collect()
    };
    for g in project.grids.values() {
        for (a, b) in segments(g) {
            owners.entry(key(a, b)).or_default().push(g.id);
        }
    }
    let mut out = BTreeMap::new();
    for g in project.grids.values() {
        let Some(centre) = g.geometry.interior_point() else { continue };
        // Per side: border length with each neighbour (None = no neighbour).
        let mut lengths: [BTreeMap<Option<GridId>, f64>; 4] = Default::default();
        for (a, b) in segments(g) {
            let mid = Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
            let len = (b.x - a.x).hypot(b.y - a.y);
            let neighbour = owners[&key(a, b)].iter().copied().find(|&o| o != g.id);
            *lengths[side_of(centre.0, mid)].entry(neighbour).or_default() += len;
        }
        let pick = |side: &BTreeMap<Option<GridId>, f64>| {
            side.iter()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(n, _)| n.map_or(Side::Boundary, Side::Grid))
        };
        out.insert(
            g.id,
            FourSides {
                north: pick(&lengths[0]),
                east: pick(&lengths[1]),
                south: pick(&lengths[2]),
                west: pick(&lengths[3]),
            },
        );
    }
    out
}
