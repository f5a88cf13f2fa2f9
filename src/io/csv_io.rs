//! CSV: household points in (lon,lat[,households][,population] or x,y), division lists in
//! (code,name,parent_code), and grid tables out (UTF-8 with BOM so that Excel shows Chinese).

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Geometry, Point};

use super::error::{AtPath, IoError};
use super::source::{FieldValue, SourceFeature, SourceLayer};

const X_NAMES: [&str; 5] = ["lon", "lng", "longitude", "x", "经度"];
const Y_NAMES: [&str; 4] = ["lat", "latitude", "y", "纬度"];

/// Reads a CSV table. Rows become features with text fields; when it has lon/lat (or x/y) columns each
/// row also gets a point. The CRS is left to the caller (`--crs`, default WGS84 for lon/lat).
pub fn read_csv(path: &Path) -> Result<SourceLayer, IoError> {
    let bytes = std::fs::read(path).at(path)?;
    let text = decode(&bytes, path)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| IoError::format(path, format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.to_string())
        .collect();
    let find = |names: &[&str]| headers.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)));
    let (xi, yi) = (find(&X_NAMES), find(&Y_NAMES));
    let mut features = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let number = i + 1;
        let record = record.map_err(|e| IoError::at_feature(path, number, super::Problem::Format(e.to_string())))?;
        let fields: BTreeMap<String, FieldValue> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.clone(), if v.is_empty() { FieldValue::Null } else { FieldValue::Text(v.to_string()) }))
            .collect();
        let geometry = match (xi, yi) {
            (Some(xi), Some(yi)) => {
                let coord = |j: usize, what: &str| -> Result<f64, IoError> {
                    let raw = record.get(j).unwrap_or("");
                    raw.parse::<f64>().map_err(|_| {
                        IoError::at_feature(
                            path,
                            number,
                            super::Problem::Geometry(format!("{what} {raw:?} is not a number")),
                        )
                    })
                };
                Some(Geometry::Point(Point::new(coord(xi, &headers[xi])?, coord(yi, &headers[yi])?)))
            }
            _ => None,
        };
        features.push(SourceFeature { number, geometry, fields });
    }
    let layer = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(SourceLayer { path: path.to_path_buf(), layer, crs: None, unrecognised_crs: None, features })
}

/// UTF-8 (with or without BOM), else GBK — spreadsheets saved by Chinese Excel are GBK.
fn decode(bytes: &[u8], path: &Path) -> Result<String, IoError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, _, had_errors) = encoding_rs::GBK.decode(bytes);
    if had_errors {
        return Err(IoError::format(path, "text is neither UTF-8 nor GBK"));
    }
    Ok(text.into_owned())
}

/// Writes a table as CSV, UTF-8 with a byte-order mark.
pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), IoError> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    let fail = |e: csv::Error| IoError::format(path, e.to_string());
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer.write_record(row).map_err(fail)?;
    }
    let body = writer.into_inner().map_err(|e| IoError::format(path, e.to_string()))?;
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(body);
    std::fs::write(path, out).at(path)
}
