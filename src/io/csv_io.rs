//! CSV: household points in (lon,lat[,households][,population] or x,y), division lists in
//! (code,name,parent_code), and grid tables out (UTF-8 with BOM so that Excel shows Chinese).

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Geometry, Point};

use super::error::{AtPath, IoError, Problem, Written};
use super::source::{FieldValue, SourceFeature, SourceLayer};

const X_NAMES: [&str; 5] = ["lon", "lng", "longitude", "x", "经度"];
const Y_NAMES: [&str; 4] = ["lat", "latitude", "y", "纬度"];

/// The longest column name accepted (characters): far beyond any real header, short enough that a
/// damaged file cannot make every row carry a huge copy of it.
pub const MAX_NAME_CHARS: usize = 255;
/// The most columns a table may have.
pub const MAX_COLUMNS: usize = 2_000;
/// The longest value one field may hold (bytes).
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// What the rows of one table may hold in memory, names and values together (bytes).
pub const MAX_TABLE_BYTES: usize = 1 << 30;
/// Memory a field costs beyond its name and value: map node, string headers.
const FIELD_OVERHEAD_BYTES: usize = 96;

/// Reads a CSV table. Rows become features with text fields; when it has lon/lat (or x/y) columns each
/// row also gets a point. The CRS is left to the caller (`--crs`, default WGS84 for lon/lat).
pub fn read_csv(path: &Path) -> Result<SourceLayer, IoError> {
    let bytes = std::fs::read(path).at(path)?;
    parse_csv(path, &bytes, None)
}

/// The header and the first `rows` rows only: enough to tell whether a table can be imported at all
/// before reading a large file.
pub fn read_csv_head(path: &Path, rows: usize) -> Result<SourceLayer, IoError> {
    use std::io::Read;
    // Enough bytes for the header and a few rows of any table within the limits above.
    let limit = (MAX_COLUMNS * (MAX_NAME_CHARS * 4 + 1)) as u64 + (rows as u64 + 1) * 1024 * 1024;
    let mut bytes = Vec::new();
    std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut bytes)).at(path)?;
    if bytes.len() as u64 == limit {
        // Cut inside a row (or a character): keep whole lines only.
        let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        bytes.truncate(end);
    }
    parse_csv(path, &bytes, Some(rows))
}

/// Reads a CSV table held in memory (at most `max_rows` rows when given); `path` names it in messages.
pub fn parse_csv(path: &Path, bytes: &[u8], max_rows: Option<usize>) -> Result<SourceLayer, IoError> {
    let text = decode(bytes, path)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| IoError::new(path, Problem::UnreadableHeader { detail: e.to_string() }))?
        .iter()
        .map(|h| h.to_string())
        .collect();
    check_header(&headers).map_err(|p| IoError::new(path, p))?;
    let find = |names: &[&str]| headers.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)));
    let (xi, yi) = (find(&X_NAMES), find(&Y_NAMES));
    let mut features = Vec::new();
    let mut held_bytes = 0usize;
    for (i, record) in reader.records().take(max_rows.unwrap_or(usize::MAX)).enumerate() {
        let number = i + 1;
        let fail = |p: Problem| IoError::at_feature(path, number, p);
        let record = record.map_err(|e| fail(Problem::UnreadableRow { detail: e.to_string() }))?;
        for (h, v) in headers.iter().zip(record.iter()) {
            if v.len() > MAX_FIELD_BYTES {
                return Err(fail(Problem::FieldTooLong { field: h.clone(), bytes: v.len(), max: MAX_FIELD_BYTES }));
            }
            held_bytes += h.len() + v.len() + FIELD_OVERHEAD_BYTES;
        }
        if held_bytes > MAX_TABLE_BYTES {
            return Err(fail(Problem::TableTooLarge { max_mb: MAX_TABLE_BYTES >> 20, columns: headers.len() }));
        }
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
                        let shown: String = raw.chars().take(40).collect();
                        let more = if shown.len() < raw.len() { "…" } else { "" };
                        let problem = Problem::NotANumber { column: what.to_string(), text: format!("{shown}{more}") };
                        IoError::at_feature(path, number, problem)
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

/// Column names a table can be read with: not too many, none too long.
fn check_header(headers: &[String]) -> Result<(), Problem> {
    if headers.len() > MAX_COLUMNS {
        return Err(Problem::TooManyColumns { columns: headers.len(), max: MAX_COLUMNS });
    }
    for (i, h) in headers.iter().enumerate() {
        let chars = h.chars().count();
        if chars > MAX_NAME_CHARS {
            let start: String = h.chars().take(20).collect();
            return Err(Problem::ColumnNameTooLong { column: i + 1, start, chars, max: MAX_NAME_CHARS });
        }
    }
    Ok(())
}

/// UTF-8 (with or without BOM), else GBK — spreadsheets saved by Chinese Excel are GBK.
fn decode(bytes: &[u8], path: &Path) -> Result<String, IoError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, _, had_errors) = encoding_rs::GBK.decode(bytes);
    if had_errors {
        return Err(IoError::new(path, Problem::NotUtf8OrGbk));
    }
    Ok(text.into_owned())
}

/// Writes a table as CSV, UTF-8 with a byte-order mark.
pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<(), IoError> {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    let fail = |e: csv::Error| IoError::new(path, Problem::WriteFailed { what: Written::Table, detail: e.to_string() });
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer.write_record(row).map_err(fail)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| IoError::new(path, Problem::WriteFailed { what: Written::Table, detail: e.to_string() }))?;
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(body);
    std::fs::write(path, out).at(path)
}
