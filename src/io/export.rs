//! Writing a project's layers out: GeoPackage (a complete copy of the project), GeoJSON (RFC 7946),
//! Shapefile (.prj, .cpg, UTF-8 or GBK) and CSV (UTF-8 with BOM).

use std::collections::BTreeMap;
use std::path::Path;

use encoding_rs::Encoding;
use geo::{Geometry, MapCoords};

use serde_json::Value;

use super::crs::{SourceCrs, Transformer, crs_from_epsg};
use super::dbf::Column;
use super::error::{IoError, Problem};
use super::source::FieldValue;
use super::{csv_io, geojson_io, gpkg, shapefile_io};
use crate::core::{Project, area_m2};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Boundary,
    Divisions,
    Grids,
    Households,
}

impl Layer {
    pub fn parse(text: &str) -> Option<Layer> {
        match text {
            "boundary" => Some(Layer::Boundary),
            "divisions" => Some(Layer::Divisions),
            "grids" => Some(Layer::Grids),
            "households" => Some(Layer::Households),
            _ => None,
        }
    }
}

/// A layer as rows: a geometry (None for divisions without polygons) and one value per column.
struct Table {
    columns: Vec<Column>,
    rows: Vec<(Option<Geometry<f64>>, Vec<FieldValue>)>,
}

fn text(s: &str) -> FieldValue {
    if s.is_empty() { FieldValue::Null } else { FieldValue::Text(s.to_string()) }
}

fn count(n: Option<u32>) -> FieldValue {
    n.map_or(FieldValue::Null, |n| FieldValue::Int(n as i64))
}

const fn c(name: &'static str) -> Column {
    Column { name, numeric_decimals: None }
}

const fn n(name: &'static str, decimals: u8) -> Column {
    Column { name, numeric_decimals: Some(decimals) }
}

fn table(project: &Project, layer: Layer) -> Table {
    match layer {
        Layer::Grids => Table {
            columns: vec![
                n("id", 0),
                c("code"),
                c("name"),
                c("kind"),
                c("class"),
                c("village_cd"),
                c("village"),
                n("households", 0),
                n("population", 0),
                n("party_mem", 0),
                c("grid_head"),
                c("grid_staff"),
                c("phone"),
                c("notes"),
                c("valid_from"),
                c("valid_to"),
                n("area_m2", 1),
            ],
            rows: project
                .grids
                .values()
                .map(|g| {
                    let village = project.divisions.get(&g.village_code).map_or("", |d| d.name.as_str());
                    let a = &g.attrs;
                    let values = vec![
                        FieldValue::Int(g.id as i64),
                        text(&g.code),
                        text(&g.name),
                        text(g.kind.label_zh()),
                        text(g.class.label_zh()),
                        text(&g.village_code),
                        text(village),
                        count(a.households),
                        count(a.population),
                        count(a.party_members),
                        text(&a.grid_head),
                        text(&a.grid_staff),
                        text(&a.phone),
                        text(&a.notes),
                        text(&a.valid_from),
                        text(&a.valid_to),
                        FieldValue::Real((area_m2(&g.geometry, &project.crs) * 10.0).round() / 10.0),
                    ];
                    (Some(Geometry::MultiPolygon(g.geometry.clone())), values)
                })
                .collect(),
        },
        Layer::Divisions => Table {
            columns: vec![c("code"), c("name"), c("parent_cd"), c("level"), c("class")],
            rows: project
                .divisions
                .values()
                .map(|d| {
                    let level = d.code.level();
                    let values = vec![
                        text(d.code.as_str()),
                        text(&d.name),
                        text(d.parent_code.as_deref().unwrap_or("")),
                        text(level),
                        text(d.class.label_zh()),
                    ];
                    (d.polygon.clone().map(Geometry::MultiPolygon), values)
                })
                .collect(),
        },
        Layer::Boundary => Table {
            columns: vec![c("name"), n("area_m2", 1)],
            rows: if project.boundary.0.is_empty() {
                Vec::new()
            } else {
                let area = (area_m2(&project.boundary, &project.crs) * 10.0).round() / 10.0;
                vec![(
                    Some(Geometry::MultiPolygon(project.boundary.clone())),
                    vec![text(&project.name), FieldValue::Real(area)],
                )]
            },
        },
        Layer::Households => Table {
            columns: vec![n("households", 0), n("population", 0)],
            rows: project
                .households
                .iter()
                .map(|h| {
                    (Some(Geometry::Point(h.position)), vec![FieldValue::Int(h.households as i64), count(h.population)])
                })
                .collect(),
        },
    }
}

/// Exports one layer (or, for .gpkg, the whole project) by the file's extension. Returns the number of
/// features written.
pub fn export(project: &Project, layer: Layer, path: &Path, encoding: &'static Encoding) -> Result<usize, IoError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "gpkg" => {
            gpkg::save_project(project, path)?;
            Ok(project.grids.len())
        }
        "geojson" | "json" => export_geojson(project, layer, path),
        "shp" => export_shapefile(project, layer, path, encoding),
        "csv" => export_csv(project, layer, path),
        _ => Err(IoError::new(path, Problem::UnknownOutputType)),
    }
}

fn to_wgs84(project: &Project, path: &Path) -> Result<Transformer, IoError> {
    let wgs84 = crs_from_epsg(4326).map_err(|e| IoError::new(path, e))?;
    Transformer::new(&SourceCrs::Epsg(project.crs.clone()), &wgs84).map_err(|e| IoError::new(path, e))
}

fn export_geojson(project: &Project, layer: Layer, path: &Path) -> Result<usize, IoError> {
    let t = to_wgs84(project, path)?;
    let table = table(project, layer);
    let mut features = Vec::with_capacity(table.rows.len());
    for (i, (geometry, values)) in table.rows.into_iter().enumerate() {
        let Some(geometry) = geometry else { continue };
        let t = &t;
        let lonlat = geometry.try_map_coords(|c| t.apply(c)).map_err(|e| IoError::at_feature(path, i + 1, e))?;
        let props: BTreeMap<&'static str, Value> =
            table.columns.iter().zip(values).map(|(col, v)| (col.name, field_json(v))).collect();
        features.push((lonlat, props));
    }
    let names: Vec<&'static str> = table.columns.iter().map(|c| c.name).collect();
    std::fs::write(path, geojson_io::to_rfc7946(&features, &names)).map_err(|e| IoError::new(path, e))?;
    Ok(features.len())
}

fn field_json(v: FieldValue) -> Value {
    match v {
        FieldValue::Null => Value::Null,
        FieldValue::Int(i) => Value::from(i),
        FieldValue::Real(r) => Value::from(r),
        FieldValue::Text(t) => Value::from(t),
    }
}

fn export_shapefile(
    project: &Project,
    layer: Layer,
    path: &Path,
    encoding: &'static Encoding,
) -> Result<usize, IoError> {
    let table = table(project, layer);
    let features: Vec<(Geometry<f64>, Vec<FieldValue>)> =
        table.rows.into_iter().filter_map(|(g, v)| Some((g?, v))).collect();
    if features.is_empty() {
        return Err(IoError::new(path, Problem::NothingToWrite));
    }
    shapefile_io::write_shapefile(path, &features, &table.columns, project.crs.epsg, encoding)?;
    Ok(features.len())
}

fn export_csv(project: &Project, layer: Layer, path: &Path) -> Result<usize, IoError> {
    let table = table(project, layer);
    let mut header: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let points = layer == Layer::Households;
    let t = if points { Some(to_wgs84(project, path)?) } else { None };
    if points {
        header.splice(0..0, ["lon", "lat"]);
    }
    let mut rows = Vec::with_capacity(table.rows.len());
    for (i, (geometry, values)) in table.rows.into_iter().enumerate() {
        let mut row: Vec<String> = values.iter().map(FieldValue::as_text).collect();
        if let (Some(t), Some(Geometry::Point(p))) = (&t, geometry) {
            let lonlat = t.apply(p.0).map_err(|e| IoError::at_feature(path, i + 1, e))?;
            row.splice(0..0, [format!("{:.7}", lonlat.x), format!("{:.7}", lonlat.y)]);
        }
        rows.push(row);
    }
    csv_io::write_csv(path, &header, &rows)?;
    Ok(rows.len())
}
