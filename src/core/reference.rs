//! Reference layers: roads, rivers, railways, buildings — drawn under the grids, snapped to, cut along, and
//! never checked as grids. Pure data, in the project's CRS.

use geo::{BoundingRect, MultiLineString, MultiPolygon, Rect};

/// The colours of the reference layers in turn (red-brown road, blue river, grey railway, green,
/// purple), as RGB: the map and the printed sheets draw a layer in the same colour.
pub const REFERENCE_RGB: [[u8; 3]; 5] = [[190, 80, 40], [40, 110, 200], [90, 90, 90], [40, 140, 60], [140, 60, 160]];

/// The colour of the layer at `position` in the project's list.
pub fn reference_rgb(position: usize) -> [u8; 3] {
    REFERENCE_RGB[position % REFERENCE_RGB.len()]
}

/// Puts `layer` into `layers`: in place of the one of the same name (returns true), else at the end.
pub fn put_layer(layers: &mut Vec<ReferenceLayer>, layer: ReferenceLayer) -> bool {
    match layers.iter_mut().find(|l| l.name == layer.name) {
        Some(old) => {
            *old = layer;
            true
        }
        None => {
            layers.push(layer);
            false
        }
    }
}

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
