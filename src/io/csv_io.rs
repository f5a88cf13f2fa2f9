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

/// Reads a CSV table row by row ([`parse_csv_each`]): its text is held, one row's feature at a time.
pub fn read_csv_each(
    path: &Path,
    each: &mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
) -> Result<SourceLayer, IoError> {
    let bytes = std::fs::read(path).at(path)?;
    parse_csv_each(path, &bytes, None, each)
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
    let mut features = Vec::new();
    let mut layer = parse_csv_each(path, bytes, max_rows, &mut |f| {
        features.push(f);
        Ok(())
    })?;
    layer.features = features;
    Ok(layer)
}

/// Reads a CSV table held in memory row by row, handing each row's feature to `each` in file order; returns
/// the layer with no features.
pub fn parse_csv_each(
    path: &Path,
    bytes: &[u8],
    max_rows: Option<usize>,
    each: &mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
) -> Result<SourceLayer, IoError> {
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
        each(SourceFeature { number, geometry, fields })?;
    }
    let layer = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(SourceLayer { path: path.to_path_buf(), layer, crs: None, unrecognised_crs: None, features: Vec::new() })
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
    let mut writer = CsvWriter::create(path, header)?;
    for row in rows {
        writer.row(row)?;
    }
    writer.finish().map(|_| ())
}

fn write_failed(path: &Path, e: impl ToString) -> IoError {
    IoError::new(path, Problem::WriteFailed { what: Written::Table, detail: e.to_string() })
}

/// Writes a CSV table (UTF-8 with a byte-order mark, so that Excel shows Chinese) row by row.
pub struct CsvWriter<'a> {
    path: &'a Path,
    writer: csv::Writer<std::io::BufWriter<std::fs::File>>,
    rows: usize,
}

impl<'a> CsvWriter<'a> {
    pub fn create(path: &'a Path, header: &[&str]) -> Result<Self, IoError> {
        use std::io::Write;
        let mut file = std::fs::File::create(path).map(|f| std::io::BufWriter::with_capacity(1 << 16, f)).at(path)?;
        file.write_all(b"\xEF\xBB\xBF").at(path)?;
        let mut writer = csv::WriterBuilder::new().from_writer(file);
        writer.write_record(header).map_err(|e| write_failed(path, e))?;
        Ok(CsvWriter { path, writer, rows: 0 })
    }

    pub fn row<S: AsRef<[u8]>>(&mut self, row: &[S]) -> Result<(), IoError> {
        self.writer.write_record(row).map_err(|e| write_failed(self.path, e))?;
        self.rows += 1;
        Ok(())
    }

    /// Flushes the file; returns the number of rows written (the header not counted).
    pub fn finish(self) -> Result<usize, IoError> {
        let path = self.path;
        let mut file = self.writer.into_inner().map_err(|e| write_failed(path, e))?;
        std::io::Write::flush(&mut file).at(path)?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows are handed on as they are read: the rows before a bad one arrive before its error, which names
    /// the file and the row (a reader building the whole table first would hand over none).
    #[test]
    fn rows_are_handed_on_before_a_later_bad_row() {
        let text = "code,lon,lat\na,120.1,30.1\nb,120.2,30.2\nc,east,30.3\nd,120.4,30.4\n";
        let path = Path::new("points.csv");
        let mut seen = Vec::new();
        let e = parse_csv_each(path, text.as_bytes(), None, &mut |f| {
            seen.push((f.number, f.fields["code"].as_text(), f.geometry));
            Ok(())
        })
        .unwrap_err()
        .to_string();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1], (2, "b".to_string(), Some(Geometry::Point(Point::new(120.2, 30.2)))));
        assert!(e.contains("points.csv") && e.contains("3") && e.contains("\"east\" is not a number"), "{e}");
        // The whole-table reader: the same error; a consumer's own error stops the reading at its row.
        assert_eq!(parse_csv(path, text.as_bytes(), None).unwrap_err().to_string(), e);
        let mut count = 0;
        let stop = parse_csv_each(path, text.as_bytes(), None, &mut |f| {
            count += 1;
            if f.number == 1 { Err(IoError::new(path, Problem::Io(std::io::Error::other("enough")))) } else { Ok(()) }
        });
        assert!(stop.unwrap_err().to_string().contains("enough"));
        assert_eq!(count, 1);
    }
}
