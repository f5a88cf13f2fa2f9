//! GeoJSON in (FeatureCollection, Feature or bare geometry; foreign members allowed; the legacy 2008 `crs`
//! member honoured) and out (RFC 7946: WGS84 lon/lat, counter-clockwise shells, 7 decimals).

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Geometry, MultiPolygon, Orient, orient::Direction};
use geojson::{Feature, GeoJson, GeometryValue, Position};
use serde_json::{Map, Value};

use super::crs::{SourceCrs, crs_from_epsg, parse_crs_arg};
use super::error::{AtPath, IoError, Problem};
use super::source::{FieldValue, SourceFeature, SourceLayer};

pub fn read_geojson(path: &Path) -> Result<SourceLayer, IoError> {
    let bytes = std::fs::read(path).at(path)?;
    parse_geojson(path, &bytes)
}

/// Reads GeoJSON held in memory; `path` names the file in messages (and gives the layer its name).
pub fn parse_geojson(path: &Path, bytes: &[u8]) -> Result<SourceLayer, IoError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| IoError::new(path, Problem::NotJson { detail: e.to_string() }))?;
    let crs = legacy_crs(&value, path)?;
    let geojson = serde_json::from_value::<GeoJson>(value)
        .map_err(|e| IoError::new(path, Problem::NotGeoJson { detail: e.to_string() }))?;
    let raw_features: Vec<Feature> = match geojson {
        GeoJson::FeatureCollection(fc) => fc.features,
        GeoJson::Feature(f) => vec![f],
        GeoJson::Geometry(g) => vec![Feature { geometry: Some(g), ..Default::default() }],
    };
    let mut features = Vec::with_capacity(raw_features.len());
    for (i, f) in raw_features.into_iter().enumerate() {
        let number = i + 1;
        let geometry = f
            .geometry
            .map(|g| {
                // The geojson crate indexes [0] and [1] of every position while converting: check first.
                check_positions(&g.value)?;
                Geometry::<f64>::try_from(&g.value).map_err(|e| Problem::BadGeoJsonGeometry { detail: e.to_string() })
            })
            .transpose()
            .map_err(|p| IoError::at_feature(path, number, p))?;
        let fields = f.properties.unwrap_or_default().into_iter().map(|(k, v)| (k, json_to_field(v))).collect();
        features.push(SourceFeature { number, geometry, fields });
    }
    let layer = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    // RFC 7946 files without a crs member are WGS84 lon/lat.
    let crs = Some(crs.unwrap_or(SourceCrs::Epsg(crs_from_epsg(4326).at(path)?)));
    Ok(SourceLayer { path: path.to_path_buf(), layer, crs, unrecognised_crs: None, features })
}

/// Every position must hold at least two numbers (x, y; more are ignored), RFC 7946 §3.1.1.
fn check_positions(value: &GeometryValue) -> Result<(), Problem> {
    let check = |p: &Position| -> Result<(), Problem> {
        if p.len() < 2 {
            return Err(Problem::ShortPosition { numbers: p.as_slice().to_vec() });
        }
        Ok(())
    };
    let all = |ps: &[Position]| ps.iter().try_for_each(check);
    match value {
        GeometryValue::Point { coordinates } => check(coordinates),
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => all(coordinates),
        GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
            coordinates.iter().try_for_each(|l| all(l))
        }
        GeometryValue::MultiPolygon { coordinates } => coordinates.iter().flatten().try_for_each(|l| all(l)),
        GeometryValue::GeometryCollection { geometries } => {
            geometries.iter().try_for_each(|g| check_positions(&g.value))
        }
    }
}

/// The 2008 `"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}` member.
fn legacy_crs(value: &Value, path: &Path) -> Result<Option<SourceCrs>, IoError> {
    let Some(name) = value.pointer("/crs/properties/name").and_then(Value::as_str) else {
        return Ok(None);
    };
    let code = if name.contains("CRS84") || name.contains("CRS:84") {
        "4326"
    } else {
        name.rsplit(':').next().unwrap_or(name)
    };
    parse_crs_arg(code).map(Some).at(path)
}

fn json_to_field(v: Value) -> FieldValue {
    match v {
        Value::Null => FieldValue::Null,
        Value::Bool(b) => FieldValue::Text(b.to_string()),
        Value::Number(n) => {
            n.as_i64().map(FieldValue::Int).unwrap_or_else(|| FieldValue::Real(n.as_f64().unwrap_or(f64::NAN)))
        }
        Value::String(s) => FieldValue::Text(s),
        other => FieldValue::Text(other.to_string()),
    }
}

fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// Serialises features (already in WGS84 lon/lat) as an RFC 7946 FeatureCollection.
pub fn to_rfc7946(features: &[(Geometry<f64>, BTreeMap<&'static str, Value>)], columns: &[&'static str]) -> String {
    let out: Vec<Value> = features
        .iter()
        .map(|(geometry, props)| {
            let mut properties = Map::new();
            for c in columns {
                properties.insert((*c).to_string(), props.get(c).cloned().unwrap_or(Value::Null));
            }
            let geometry = match geometry {
                Geometry::MultiPolygon(mp) => multipolygon_json(mp),
                Geometry::Point(p) => {
                    serde_json::json!({"type": "Point", "coordinates": [round7(p.x()), round7(p.y())]})
                }
                _ => Value::Null,
            };
            serde_json::json!({"type": "Feature", "properties": properties, "geometry": geometry})
        })
        .collect();
    let mut text =
        serde_json::to_string(&serde_json::json!({"type": "FeatureCollection", "features": out})).unwrap_or_default();
    text.push('\n');
    text
}

fn multipolygon_json(mp: &MultiPolygon<f64>) -> Value {
    let oriented = mp.orient(Direction::Default);
    let ring = |r: &geo::LineString<f64>| -> Value {
        Value::Array(r.0.iter().map(|c| serde_json::json!([round7(c.x), round7(c.y)])).collect())
    };
    let polygons: Vec<Value> = oriented
        .0
        .iter()
        .map(|p| Value::Array(std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect()))
        .collect();
    serde_json::json!({"type": "MultiPolygon", "coordinates": polygons})
}
