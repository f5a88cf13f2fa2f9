//! Snapping: a position near a vertex goes to the vertex, else near a segment to the closest point on
//! it, of the boundary, the village lines or the grids. Vertices win over segments, as in QGIS.
//!
//! ```
//! use geo::{Coord, polygon, MultiPolygon};
//! use wangge::core::{Crs, CrsUnits, Grid, Project};
//! use wangge::core::edit::{SpatialIndex, snap, SnapKind};
//! let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
//! p.add_grid(Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)]])));
//! let index = SpatialIndex::build(&p);
//! let s = snap(&index, Coord { x: 10.3, y: 9.8 }, 1.0, None).unwrap();
//! assert_eq!((s.pos_in_world, s.kind), (Coord { x: 10., y: 10. }, SnapKind::Vertex));
//! let s = snap(&index, Coord { x: 5.0, y: 0.4 }, 1.0, None).unwrap();
//! assert_eq!((s.pos_in_world, s.kind), (Coord { x: 5., y: 0. }, SnapKind::Edge));
//! ```

use geo::Coord;

use super::geom::{closest_on_segment, dist2};
use super::index::{Source, SpatialIndex};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapKind {
    Vertex,
    Edge,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Snap {
    pub pos_in_world: Coord<f64>,
    pub kind: SnapKind,
    pub source: Source,
}

/// Snaps `pos_in_world` within `tolerance_in_world` (world units); `ignore` is a vertex not to snap to (the one
/// being dragged).
pub fn snap(
    index: &SpatialIndex,
    pos_in_world: Coord<f64>,
    tolerance_in_world: f64,
    ignore: Option<Coord<f64>>,
) -> Option<Snap> {
    let near = index.segments_near(pos_in_world, tolerance_in_world);
    let limit = tolerance_in_world * tolerance_in_world;
    let ignored = |c: Coord<f64>| ignore.is_some_and(|i| dist2(i, c) <= f64::EPSILON * (1.0 + c.x.abs() + c.y.abs()));
    // Vertices first; only when no vertex is in reach, the closest point on a segment.
    let vertices = near.iter().flat_map(|(a, b, source)| [(*a, *source), (*b, *source)]).filter(|(v, _)| !ignored(*v));
    let best_vertex = pick(vertices.map(|(v, s)| (dist2(v, pos_in_world), v, s)), limit);
    if let Some((pos, source)) = best_vertex {
        return Some(Snap { pos_in_world: pos, kind: SnapKind::Vertex, source: source.clone() });
    }
    let points = near.iter().filter(|(a, b, _)| !(ignored(*a) || ignored(*b))).map(|(a, b, source)| {
        let (c, _) = closest_on_segment(pos_in_world, *a, *b);
        (dist2(c, pos_in_world), c, *source)
    });
    pick(points, limit).map(|(pos, source)| Snap { pos_in_world: pos, kind: SnapKind::Edge, source: source.clone() })
}

/// The nearest candidate within `limit` (squared); ties broken by position and source, so the result
/// never depends on the R-tree's order.
fn pick<'a>(
    candidates: impl Iterator<Item = (f64, Coord<f64>, &'a Source)>,
    limit: f64,
) -> Option<(Coord<f64>, &'a Source)> {
    candidates
        .filter(|(d, _, _)| *d <= limit)
        .min_by(|a, b| {
            a.0.total_cmp(&b.0).then(a.1.x.total_cmp(&b.1.x)).then(a.1.y.total_cmp(&b.1.y)).then(a.2.cmp(b.2))
        })
        .map(|(_, c, s)| (c, s))
}
