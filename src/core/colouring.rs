//! Fill colours for maps: neighbouring grids (sharing an edge, or at least two vertices where shared
//! edges are split differently) get different colours. Greedy colouring in id order, so the same
//! project always looks the same; planar maps rarely need more than six colours.

use std::collections::BTreeMap;

use geo::BoundingRect;
use rustc_hash::FxHashSet;

use super::{GridId, Project};

/// True when two grids share an edge: a segment, or two vertices.
pub fn share_an_edge(a: &geo::MultiPolygon<f64>, b: &geo::MultiPolygon<f64>) -> bool {
    let vertices: FxHashSet<[u64; 2]> =
        rings(a).flat_map(|r| r.iter().map(|c| [c.x.to_bits(), c.y.to_bits()])).collect();
    let mut shared = FxHashSet::default();
    for ring in rings(b) {
        for c in ring {
            let k = [c.x.to_bits(), c.y.to_bits()];
            if vertices.contains(&k) {
                shared.insert(k);
                if shared.len() >= 2 {
                    return true;
                }
            }
        }
    }
    false
}

fn rings(mp: &geo::MultiPolygon<f64>) -> impl Iterator<Item = &[geo::Coord<f64>]> {
    mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).map(|r| r.0.as_slice())
}

/// A colour index (0 ‥ `colours`) per grid, different for any two neighbours.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use wangge::core::{Crs, CrsUnits, Grid, Project, colour_grids};
/// let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
/// let square = |x: f64| MultiPolygon(vec![polygon![(x: x, y: 0.), (x: x + 1., y: 0.), (x: x + 1., y: 1.), (x: x, y: 1.)]]);
/// for x in [0.0, 1.0, 2.0] { p.add_grid(Grid::new(square(x))); }
/// let colours = colour_grids(&p, 8);
/// assert_ne!(colours[&1], colours[&2]);
/// assert_ne!(colours[&2], colours[&3]);
/// ```
pub fn colour_grids(project: &Project, colours: usize) -> BTreeMap<GridId, u8> {
    let tree = project.grid_tree();
    let mut out: BTreeMap<GridId, u8> = BTreeMap::new();
    for g in project.grids.values() {
        let mut used = vec![0usize; colours.max(1)];
        if let Some(e) = g.geometry.bounding_rect() {
            let envelope = rstar::AABB::from_corners(e.min().into(), e.max().into());
            for n in tree.locate_in_envelope_intersecting(envelope) {
                if let (Some(&c), Some(other)) = (out.get(&n.data), project.grids.get(&n.data))
                    && n.data != g.id
                    && share_an_edge(&g.geometry, &other.geometry)
                {
                    used[c as usize] += 1;
                }
            }
        }
        let pick = used
            .iter()
            .position(|&u| u == 0)
            .unwrap_or_else(|| used.iter().enumerate().min_by_key(|(_, u)| **u).map_or(0, |(i, _)| i));
        out.insert(g.id, pick as u8);
    }
    out
}
