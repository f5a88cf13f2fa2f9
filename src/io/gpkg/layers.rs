//! Reading any GeoPackage's feature layers (ours or one from GDAL/QGIS) for `wangge info` and import.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};

use super::{blob, is_geopackage, open_existing};
use crate::core::progress::{NoProgress, Progress, Stage};
use crate::io::crs::{SourceCrs, crs_from_epsg, crs_from_wkt};
use crate::io::error::{AtPath, IoError, NotAProject, Problem};
use crate::io::source::{FieldValue, SourceFeature, SourceLayer};

#[derive(Clone, Debug, PartialEq)]
pub struct LayerInfo {
    pub name: String,
    pub geometry_column: String,
    pub geometry_type: String,
    pub srs_id: i32,
    pub features: i64,
    /// [min_x, min_y, max_x, max_y] as recorded in gpkg_contents.
    pub extent: Option<[f64; 4]>,
}

pub fn list_layers(path: &Path) -> Result<Vec<LayerInfo>, IoError> {
    let conn = open_existing(path, false)?;
    if !is_geopackage(&conn).at(path)? {
        return Err(IoError::new(path, Problem::NotAProject(NotAProject::NotGeoPackage)));
    }
    layers(&conn, path)
}

fn layers(conn: &Connection, path: &Path) -> Result<Vec<LayerInfo>, IoError> {
    let mut stmt = conn
        .prepare(
            "SELECT c.table_name, g.column_name, g.geometry_type_name, g.srs_id, c.min_x, c.min_y, c.max_x, c.max_y
             FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
             WHERE c.data_type = 'features' ORDER BY c.table_name",
        )
        .at(path)?;
    let mut out: Vec<LayerInfo> = stmt
        .query_map([], |r| {
            // The extent is optional metadata: GDAL reads a file whose min_y holds text, and so do we.
            let number = |i: usize| -> rusqlite::Result<Option<f64>> { Ok(lenient_number(r.get_ref(i)?)) };
            let extent = match (number(4)?, number(5)?, number(6)?, number(7)?) {
                (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
                _ => None,
            };
            Ok(LayerInfo {
                name: r.get(0)?,
                geometry_column: r.get(1)?,
                geometry_type: r.get(2)?,
                srs_id: r.get(3)?,
                features: 0,
                extent,
            })
        })
        .at(path)?
        .collect::<Result<_, _>>()
        .at(path)?;
    for layer in &mut out {
        layer.features = conn
            .query_row(&format!("SELECT count(*) FROM \"{}\"", layer.name.replace('"', "\"\"")), [], |r| r.get(0))
            .at(path)?;
    }
    Ok(out)
}

/// A number from optional metadata, whatever its storage class: text that reads as a number counts,
/// anything else is absent.
fn lenient_number(value: ValueRef<'_>) -> Option<f64> {
    match value {
        ValueRef::Integer(i) => Some(i as f64),
        ValueRef::Real(r) => Some(r),
        ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
    .filter(|v: &f64| v.is_finite())
}

/// The CRS a GeoPackage srs_id stands for: by its EPSG organisation code, else by its WKT.
fn srs_crs(conn: &Connection, srs_id: i32, path: &Path) -> Result<Option<SourceCrs>, IoError> {
    if srs_id <= 0 {
        return Ok(None);
    }
    let row: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            params![srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .at(path)?;
    let Some((org, code, definition)) = row else {
        return Err(IoError::new(path, Problem::UnknownSrsId { srs_id }));
    };
    let crs = if org.eq_ignore_ascii_case("EPSG") {
        crs_from_epsg(code as u32).or_else(|_| crs_from_wkt(&definition))
    } else {
        crs_from_wkt(&definition)
    };
    crs.map(|c| Some(SourceCrs::Epsg(c))).at(path)
}

/// Reads one feature layer; with no name, the file must have exactly one.
pub fn read_layer(path: &Path, layer: Option<&str>) -> Result<SourceLayer, IoError> {
    let mut features = Vec::new();
    let mut source = read_layer_each(path, layer, &NoProgress, &mut |f| {
        features.push(f);
        Ok(())
    })?;
    source.features = features;
    Ok(source)
}

/// Reads one feature layer row by row, handing each feature to `each` as it is read; returns the layer
/// with its CRS and no features. Progress counts rows.
pub fn read_layer_each(
    path: &Path,
    layer: Option<&str>,
    progress: &dyn Progress,
    each: &mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
) -> Result<SourceLayer, IoError> {
    let conn = open_existing(path, false)?;
    if !is_geopackage(&conn).at(path)? {
        return Err(IoError::new(path, Problem::NotAProject(NotAProject::NotGeoPackage)));
    }
    let all = layers(&conn, path)?;
    let names = || all.iter().map(|l| l.name.clone()).collect::<Vec<_>>();
    let info = match layer {
        Some(name) => all
            .iter()
            .find(|l| l.name == name)
            .ok_or_else(|| IoError::new(path, Problem::NoSuchLayer { name: name.to_string(), layers: names() }))?,
        None if all.len() == 1 => &all[0],
        None => {
            return Err(IoError::new(path, Problem::ChooseLayer { layers: names() }));
        }
    };
    let crs = srs_crs(&conn, info.srs_id, path)?;
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut stmt = conn.prepare(&format!("SELECT * FROM {}", quote(&info.name))).at(path)?;
    let columns: Vec<String> = stmt.column_names().map(String::from).collect();
    progress.begin(Stage::Reading, info.features.max(0) as u64);
    let mut rows = stmt.query([]).at(path)?;
    let mut number = 0;
    while let Some(row) = rows.next().at(path)? {
        number += 1;
        let mut feature = SourceFeature { number, geometry: None, fields: BTreeMap::new() };
        for (i, column) in columns.iter().enumerate() {
            let value = row.get_ref(i).at(path)?;
            if column.eq_ignore_ascii_case(&info.geometry_column) {
                if let ValueRef::Blob(bytes) = value {
                    let (geometry, _) = blob::decode(bytes).map_err(|e| IoError::at_feature(path, number, e))?;
                    feature.geometry = Some(geometry);
                }
                continue;
            }
            let field = match value {
                ValueRef::Null | ValueRef::Blob(_) => FieldValue::Null,
                ValueRef::Integer(i) => FieldValue::Int(i),
                ValueRef::Real(r) => FieldValue::Real(r),
                ValueRef::Text(t) => FieldValue::Text(String::from_utf8_lossy(t).into_owned()),
            };
            feature.fields.insert(column.clone(), field);
        }
        each(feature)?;
        progress.advance(1);
        if progress.is_cancelled() {
            return Err(IoError::new(path, Problem::Cancelled(crate::core::progress::Cancelled)));
        }
    }
    Ok(SourceLayer {
        path: path.to_path_buf(),
        layer: info.name.clone(),
        crs,
        unrecognised_crs: None,
        features: Vec::new(),
    })
}
