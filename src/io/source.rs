//! Features as read from any input file, before they are mapped onto the project model.

use std::collections::BTreeMap;
use std::path::PathBuf;

use geo::Geometry;

use super::crs::{CrsError, SourceCrs};

#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl FieldValue {
    /// The value as text, as a user would type it ("" for null).
    pub fn as_text(&self) -> String {
        match self {
            FieldValue::Null => String::new(),
            FieldValue::Int(i) => i.to_string(),
            FieldValue::Real(r) if r.fract() == 0.0 && r.abs() < 1e15 => format!("{}", *r as i64),
            FieldValue::Real(r) => r.to_string(),
            FieldValue::Text(t) => t.trim().to_string(),
        }
    }

    pub fn is_null(&self) -> bool {
        match self {
            FieldValue::Null => true,
            FieldValue::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceFeature {
    /// 1-based position in the file, used in every error message about it.
    pub number: usize,
    pub geometry: Option<Geometry<f64>>,
    pub fields: BTreeMap<String, FieldValue>,
}

/// One layer of an input file with the CRS it declares (if any).
#[derive(Clone, Debug, PartialEq)]
pub struct SourceLayer {
    pub path: PathBuf,
    pub layer: String,
    pub crs: Option<SourceCrs>,
    /// A CRS the file declares that Wangge does not recognise (the reason), kept so that planar work
    /// can go on and an import can say exactly what to give with --crs.
    pub unrecognised_crs: Option<(PathBuf, CrsError)>,
    pub features: Vec<SourceFeature>,
}

/// "a point", "a polygon" … for messages about the wrong geometry type.
pub fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "a point",
        Geometry::Line(_) | Geometry::LineString(_) => "a line",
        Geometry::Polygon(_) => "a polygon",
        Geometry::MultiPoint(_) => "a multipoint",
        Geometry::MultiLineString(_) => "a multiline",
        Geometry::MultiPolygon(_) => "a multipolygon",
        Geometry::GeometryCollection(_) => "a geometry collection",
        Geometry::Rect(_) | Geometry::Triangle(_) => "a rectangle",
    }
}
