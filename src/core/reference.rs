//! Reference layers: roads, rivers, railways, buildings — drawn under the grids, snapped to, cut along, and
//! never checked as grids. Pure data, in the project's CRS.

use geo::{BoundingRect, MultiLineString, MultiPolygon, Rect};

/// The shape of a reference feature: lines (roads, rivers, railways) or polygons (buildings, water bodies).
#[derive(Clone, Debug, PartialEq)]
pub enum ReferenceGeometry {
    Lines(MultiLineString<f64>),
    Polygons(MultiPolygon<f64>),
}

impl ReferenceGeometry {
    pub fn bounding_rect(&self) -> Option<Rect<f64>> {
        match self {
            ReferenceGeometry::Lines(lines) => lines.bounding_rect(),
            ReferenceGeometry::Polygons(polygons) => polygons.bounding_rect(),
        }
    }
}

/// One road, river or building, with the name it had in its source file (empty when none).
#[derive(Clone, Debug, PartialEq)]
pub struct ReferenceFeature {
    pub geometry: ReferenceGeometry,
    pub name: String,
}

/// A named layer of reference features, e.g. 道路 imported from `roads.shp`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReferenceLayer {
    /// Unique within the project; what `--along 道路` and the layers panel call it.
    pub name: String,
    pub features: Vec<ReferenceFeature>,
}

impl ReferenceLayer {
    pub fn new(name: impl Into<String>) -> ReferenceLayer {
        ReferenceLayer { name: name.into(), features: Vec::new() }
    }

    /// The bounding box of all its features, if it has any.
    pub fn extent(&self) -> Option<Rect<f64>> {
        super::rect::union_all(self.features.iter().filter_map(|f| f.geometry.bounding_rect()))
    }
}
