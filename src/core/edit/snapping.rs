//! Snapping: a position near a vertex goes to the vertex, else near a segment to the closest point on
//! it, of the boundary, the village lines, the grids or the shown reference layers (roads, rivers,
//! buildings). Vertices win over segments, as in QGIS.
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

#[cfg(test)]
mod tests {
    use geo::{LineString, MultiLineString, MultiPolygon, polygon};

    use super::*;
    use crate::core::{Crs, CrsUnits, Grid, Project, ReferenceFeature, ReferenceGeometry, ReferenceLayer};

    /// A grid and, 50 m east of it, a road (lines) and a house (a polygon) in two reference layers.
    fn project() -> Project {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        p.add_grid(Grid::new(MultiPolygon(vec![
            polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)],
        ])));
        let road = LineString::from(vec![(50.0, -20.0), (52.0, 5.0), (55.0, 30.0)]);
        let mut roads = ReferenceLayer::new("道路");
        roads.features.push(ReferenceFeature {
            geometry: ReferenceGeometry::Lines(MultiLineString(vec![road])),
            name: "G205".into(),
        });
        let mut houses = ReferenceLayer::new("房屋");
        let house = polygon![(x: 70., y: 0.), (x: 80., y: 0.), (x: 80., y: 8.), (x: 70., y: 8.)];
        houses.features.push(ReferenceFeature {
            geometry: ReferenceGeometry::Polygons(MultiPolygon(vec![house])),
            name: String::new(),
        });
        p.reference_layers = vec![roads, houses];
        p
    }

    #[test]
    fn reference_vertices_and_edges_are_snapped_to_unless_their_layer_is_hidden() {
        let mut index = SpatialIndex::build(&project());
        let road = Source::Reference("道路".into());
        let at_vertex = snap(&index, Coord { x: 52.4, y: 5.3 }, 1.0, None).unwrap();
        assert_eq!(
            (at_vertex.pos_in_world, at_vertex.kind, &at_vertex.source),
            (Coord { x: 52.0, y: 5.0 }, SnapKind::Vertex, &road)
        );
        // On the road between its vertices: the closest point of the segment (50,-20)–(52,5).
        let on_edge = snap(&index, Coord { x: 51.5, y: -7.0 }, 1.0, None).unwrap();
        assert_eq!((on_edge.kind, &on_edge.source), (SnapKind::Edge, &road));
        let (a, b) = (Coord { x: 50.0, y: -20.0 }, Coord { x: 52.0, y: 5.0 });
        let cross = (b.x - a.x) * (on_edge.pos_in_world.y - a.y) - (b.y - a.y) * (on_edge.pos_in_world.x - a.x);
        assert!(cross.abs() < 1e-9, "{:?} is not on the road", on_edge.pos_in_world);
        let corner = snap(&index, Coord { x: 79.6, y: 8.3 }, 1.0, None).unwrap();
        assert_eq!(
            (corner.pos_in_world, &corner.source),
            (Coord { x: 80.0, y: 8.0 }, &Source::Reference("房屋".into()))
        );
        // Switched off in the layers panel: not snapped to; the other layer still is.
        index.set_hidden_references(&["道路".to_string()].into());
        assert_eq!(snap(&index, Coord { x: 52.4, y: 5.3 }, 1.0, None), None);
        assert!(snap(&index, Coord { x: 79.6, y: 8.3 }, 1.0, None).is_some());
        index.set_hidden_references(&Default::default());
        assert!(snap(&index, Coord { x: 52.4, y: 5.3 }, 1.0, None).is_some());
    }
}
