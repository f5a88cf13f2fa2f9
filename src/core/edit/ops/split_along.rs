//! Split along a reference line: instead of drawing the cut, the planner picks a road or river of a
//! shown reference layer; the line's part under the click is the cut, and the split is the one a drawn
//! line makes ([`super::split_grids`]: each grid it crosses exactly twice is cut, neighbours noded).
//!
//! ```
//! use geo::{Coord, LineString, MultiLineString, MultiPolygon, polygon};
//! use wangge::core::{Crs, CrsUnits, Grid, Project, ReferenceFeature, ReferenceGeometry, ReferenceLayer};
//! use wangge::core::edit::{SpatialIndex, reference_line_at};
//! let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
//! p.add_grid(Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)]])));
//! let road = LineString::from(vec![(4.0, -5.0), (5.0, 15.0)]);
//! let mut layer = ReferenceLayer::new("道路");
//! layer.features.push(ReferenceFeature { geometry: ReferenceGeometry::Lines(MultiLineString(vec![road.clone()])), name: "X1".into() });
//! p.reference_layers.push(layer);
//! let index = SpatialIndex::build(&p);
//! let (layer, line) = reference_line_at(&p, &index, Coord { x: 4.6, y: 5.0 }, 1.0).unwrap();
//! assert_eq!((layer.as_str(), line), ("道路", road));
//! assert!(reference_line_at(&p, &index, Coord { x: 8.0, y: 5.0 }, 1.0).is_none());
//! ```

use geo::{Coord, LineString};

use crate::core::edit::geom::{closest_on_segment, dist2};
use crate::core::edit::index::{Source, SpatialIndex};
use crate::core::{Project, ReferenceGeometry};

/// The reference line (one part of a road or river of a shown layer) nearest to `pos_in_world` within
/// `tolerance_in_world`, with its layer's name; `None` when no line is in reach. Polygon layers
/// (buildings) are not cut along.
pub fn reference_line_at(
    project: &Project,
    index: &SpatialIndex,
    pos_in_world: Coord<f64>,
    tolerance_in_world: f64,
) -> Option<(String, LineString<f64>)> {
    let limit = tolerance_in_world * tolerance_in_world;
    // The nearest segment of a reference layer (ties by position, then layer: never the R-tree's order).
    let (_, a, b, name) = index
        .segments_near(pos_in_world, tolerance_in_world)
        .into_iter()
        .filter_map(|(a, b, source)| match source {
            Source::Reference(name) => {
                Some((dist2(closest_on_segment(pos_in_world, a, b).0, pos_in_world), a, b, name))
            }
            _ => None,
        })
        .filter(|(d, ..)| *d <= limit)
        .min_by(|x, y| {
            x.0.total_cmp(&y.0).then(x.1.x.total_cmp(&y.1.x)).then(x.1.y.total_cmp(&y.1.y)).then(x.3.cmp(y.3))
        })?;
    let layer = project.reference_layers.iter().find(|l| &l.name == name)?;
    layer.features.iter().find_map(|f| match &f.geometry {
        ReferenceGeometry::Lines(lines) => lines
            .0
            .iter()
            .find(|line| line.0.windows(2).any(|w| (w[0] == a && w[1] == b) || (w[0] == b && w[1] == a)))
            .map(|line| (name.clone(), line.clone())),
        ReferenceGeometry::Polygons(_) => None,
    })
}
