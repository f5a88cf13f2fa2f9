//! dBASE III attribute tables (.dbf) of Shapefiles, read and written here so that the text encoding is
//! under our control: the .cpg file decides, else the language-driver byte, else the bytes themselves
//! (valid UTF-8 → UTF-8, else GBK, as Chinese desktop GIS files usually are).

use std::collections::BTreeMap;

use encoding_rs::{Encoding, GBK, UTF_8};

use super::source::FieldValue;

/// dBASE language driver id for code page 936 (GBK / Simplified Chinese).
const LDID_GBK: u8 = 0x4D;
const LDID_GBK_ALT: u8 = 0x7A;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DbfError {
    #[error("the .dbf file is truncated or its header is damaged")]
    Damaged,
    #[error("record {record}: text is not valid {encoding}{hint}")]
    Encoding { record: usize, encoding: &'static str, hint: &'static str },
    #[error("the .cpg file names an unknown encoding {0:?}")]
    UnknownCpg(String),
}

#[derive(Clone, Debug)]
struct FieldDef {
    /// Raw bytes: names are decoded with the table's encoding once it is known.
    name: Vec<u8>,
    kind: u8,
    length: usize,
    decimals: u8,
}

/// Records as field maps, in file order, with deleted records kept as `None` so that feature numbers
/// stay aligned with the .shp. Also returns the encoding used.
pub type DbfRecords = (Vec<Option<BTreeMap<String, FieldValue>>>, &'static Encoding);

/// Reads a .dbf. `cpg` is the content of the .cpg file, if there is one.
pub fn read(bytes: &[u8], cpg: Option<&str>) -> Result<DbfRecords, DbfError> {
    let table = DbfTable::open(bytes, cpg)?;
    let records = (0..table.records).map(|r| table.record(r)).collect::<Result<_, _>>()?;
    Ok((records, table.encoding))
}

/// A .dbf held as its bytes, its records decoded one at a time ([`DbfTable::record`]), so that a reader
/// handing features on holds one decoded record, not all of them.
pub struct DbfTable<'a> {
    fields: Vec<FieldDef>,
    names: Vec<String>,
    body: &'a [u8],
    record_len: usize,
    pub records: usize,
    pub encoding: &'static Encoding,
}

impl<'a> DbfTable<'a> {
    /// Reads the header and settles the encoding (`cpg`: the content of the .cpg file, if there is one).
    pub fn open(bytes: &'a [u8], cpg: Option<&str>) -> Result<DbfTable<'a>, DbfError> {
        if bytes.len() < 32 {
            return Err(DbfError::Damaged);
        }
        let records = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let record_len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
        let ldid = bytes[29];
        if header_len > bytes.len() || header_len < 33 || record_len == 0 {
            return Err(DbfError::Damaged);
        }
        let fields = field_defs(&bytes[32..header_len])?;
        if 1 + fields.iter().map(|f| f.length).sum::<usize>() > record_len {
            return Err(DbfError::Damaged);
        }
        let body = &bytes[header_len..];
        // Tolerate a missing end-of-file marker but not missing records.
        let available = body.len() / record_len;
        if available < records {
            return Err(DbfError::Damaged);
        }
        let body = &body[..records * record_len];
        let names: Vec<u8> = fields.iter().flat_map(|f| f.name.iter().copied().chain([b' '])).collect();
        let encoding = choose_encoding(cpg, ldid, &[names.as_slice(), body])?;
        let names: Vec<String> = fields.iter().map(|f| encoding.decode(&f.name).0.trim().to_string()).collect();
        Ok(DbfTable { fields, names, body, record_len, records, encoding })
    }

    /// Record `r` (from 0) as a field map; `None` when it is deleted.
    pub fn record(&self, r: usize) -> Result<Option<BTreeMap<String, FieldValue>>, DbfError> {
        let Some(rec) = self.body.get(r * self.record_len..(r + 1) * self.record_len) else {
            return Err(DbfError::Damaged);
        };
        if rec[0] == b'*' {
            return Ok(None);
        }
        let mut pos = 1;
        let mut map = BTreeMap::new();
        for (f, name) in self.fields.iter().zip(&self.names) {
            let raw = &rec[pos..pos + f.length];
            pos += f.length;
            map.insert(name.clone(), decode_field(f, raw, self.encoding, r + 1)?);
        }
        Ok(Some(map))
    }
}

fn field_defs(area: &[u8]) -> Result<Vec<FieldDef>, DbfError> {
    let mut fields = Vec::new();
    for chunk in area.chunks(32) {
        if chunk[0] == 0x0D {
            break;
        }
        if chunk.len() < 32 {
            return Err(DbfError::Damaged);
        }
        let name_end = chunk[..11].iter().position(|&b| b == 0).unwrap_or(11);
        fields.push(FieldDef {
            name: chunk[..name_end].to_vec(),
            kind: chunk[11].to_ascii_uppercase(),
            length: chunk[16] as usize,
            decimals: chunk[17],
        });
    }
    Ok(fields)
}

/// `parts`: the field names (each followed by a space) and the records, checked for UTF-8 one after the
/// other (as if joined: a part ending in ASCII ends on a character boundary) without copying them.
fn choose_encoding(cpg: Option<&str>, ldid: u8, parts: &[&[u8]]) -> Result<&'static Encoding, DbfError> {
    if let Some(label) = cpg.map(str::trim).filter(|l| !l.is_empty()) {
        let label = match label {
            "936" | "CP936" | "cp936" => "gbk",
            "65001" => "utf-8",
            other => other,
        };
        return Encoding::for_label(label.as_bytes()).ok_or_else(|| DbfError::UnknownCpg(label.to_string()));
    }
    if ldid == LDID_GBK || ldid == LDID_GBK_ALT {
        return Ok(GBK);
    }
    if parts.iter().all(|p| std::str::from_utf8(p).is_ok()) {
        return Ok(UTF_8);
    }
    Ok(GBK)
}

fn decode_text(raw: &[u8], encoding: &'static Encoding, record: usize) -> Result<String, DbfError> {
    let raw = trim_padding(raw);
    if encoding == UTF_8 {
        return match std::str::from_utf8(raw) {
            Ok(s) => Ok(s.to_string()),
            // Some writers cut UTF-8 text at the field width in the middle of a character: drop the stub.
            Err(e) if e.error_len().is_none() => Ok(String::from_utf8_lossy(&raw[..e.valid_up_to()]).into_owned()),
            Err(_) => Err(DbfError::Encoding {
                record,
                encoding: "UTF-8",
                hint: " (if the file is GBK, add a .cpg file containing GBK)",
            }),
        };
    }
    let (text, _, had_errors) = encoding.decode(raw);
    if had_errors {
        return Err(DbfError::Encoding { record, encoding: encoding.name(), hint: "" });
    }
    Ok(text.into_owned())
}

fn trim_padding(raw: &[u8]) -> &[u8] {
    let end = raw.iter().rposition(|&b| b != b' ' && b != 0).map_or(0, |i| i + 1);
    let start = raw[..end].iter().position(|&b| b != b' ').unwrap_or(end);
    &raw[start..end]
}

fn decode_field(f: &FieldDef, raw: &[u8], encoding: &'static Encoding, record: usize) -> Result<FieldValue, DbfError> {
    Ok(match f.kind {
        b'N' | b'F' => {
            let text = String::from_utf8_lossy(trim_padding(raw)).into_owned();
            if text.is_empty() || text.starts_with('*') {
                FieldValue::Null
            } else if let Some(i) = text.parse::<i64>().ok().filter(|_| f.decimals == 0) {
                FieldValue::Int(i)
            } else if let Ok(r) = text.parse::<f64>() {
                FieldValue::Real(r)
            } else {
                FieldValue::Text(text)
            }
        }
        b'D' => {
            let t = String::from_utf8_lossy(trim_padding(raw)).into_owned();
            if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
                FieldValue::Text(format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..]))
            } else if t.is_empty() {
                FieldValue::Null
            } else {
                FieldValue::Text(t)
            }
        }
        _ => {
            let text = decode_text(raw, encoding, record)?;
            if text.is_empty() { FieldValue::Null } else { FieldValue::Text(text) }
        }
    })
}

/// A column to write: character (`decimals` = None) or numeric.
#[derive(Clone, Debug)]
pub struct Column {
    pub name: &'static str,
    pub numeric_decimals: Option<u8>,
}

/// Writes a .dbf in the given encoding (UTF-8 or GBK); `rows[i][j]` is the value of column j.
/// Character widths fit the longest encoded value (max 254 bytes, cut at a character boundary).
pub fn write(columns: &[Column], rows: &[Vec<FieldValue>], encoding: &'static Encoding) -> Vec<u8> {
    let mut widths = Widths::new(columns);
    for row in rows {
        widths.add(row, encoding);
    }
    let widths = widths.get();
    let mut out = header(columns, &widths, rows.len(), encoding);
    for row in rows {
        write_record(&mut out, columns, &widths, row, encoding);
    }
    out.push(END_OF_FILE);
    out
}

/// The end-of-file mark after the last record.
pub const END_OF_FILE: u8 = 0x1A;

/// The widths of the columns of a .dbf, measured over every row before any is written (a first pass).
#[derive(Clone, Debug)]
pub struct Widths {
    longest: Vec<usize>,
    decimals: Vec<Option<u8>>,
}

impl Widths {
    pub fn new(columns: &[Column]) -> Widths {
        Widths { longest: vec![0; columns.len()], decimals: columns.iter().map(|c| c.numeric_decimals).collect() }
    }

    /// Widens the columns to hold this row's values.
    pub fn add(&mut self, row: &[FieldValue], encoding: &'static Encoding) {
        for ((longest, v), &decimals) in self.longest.iter_mut().zip(row).zip(&self.decimals) {
            *longest = (*longest).max(encode_value(v, decimals, encoding).len());
        }
    }

    /// The width of each column in bytes.
    pub fn get(&self) -> Vec<usize> {
        self.longest
            .iter()
            .zip(&self.decimals)
            .map(|(&longest, d)| if d.is_some() { longest.clamp(10, 20) } else { longest.clamp(1, 254) })
            .collect()
    }
}

fn encode_value(v: &FieldValue, decimals: Option<u8>, encoding: &'static Encoding) -> Vec<u8> {
    match (v, decimals) {
        (FieldValue::Null, _) => Vec::new(),
        (FieldValue::Real(r), Some(d)) => format!("{r:.*}", d as usize).into_bytes(),
        (v, _) => encode_cut(&v.as_text(), encoding, 254),
    }
}

/// The .dbf header for `records` records with these columns and widths.
pub fn header(columns: &[Column], widths: &[usize], records: usize, encoding: &'static Encoding) -> Vec<u8> {
    let header_len = 32 + 32 * columns.len() + 1;
    let record_len = 1 + widths.iter().sum::<usize>();
    let mut out = Vec::with_capacity(header_len);
    out.push(0x03);
    out.extend_from_slice(&[126, 1, 1]); // last-update date (YYMMDD from 1900); fixed for reproducible files
    out.extend_from_slice(&(records as u32).to_le_bytes());
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(&(record_len as u16).to_le_bytes());
    out.extend_from_slice(&[0u8; 17]);
    out.push(if encoding == GBK { LDID_GBK } else { 0 });
    out.extend_from_slice(&[0u8; 2]);
    for (c, &w) in columns.iter().zip(widths) {
        let mut name = [0u8; 11];
        name[..c.name.len().min(10)].copy_from_slice(&c.name.as_bytes()[..c.name.len().min(10)]);
        out.extend_from_slice(&name);
        out.push(if c.numeric_decimals.is_some() { b'N' } else { b'C' });
        out.extend_from_slice(&[0u8; 4]);
        out.push(w as u8);
        out.push(c.numeric_decimals.unwrap_or(0));
        out.extend_from_slice(&[0u8; 14]);
    }
    out.push(0x0D);
    out
}

/// Appends one record to `out`.
pub fn write_record(
    out: &mut Vec<u8>,
    columns: &[Column],
    widths: &[usize],
    row: &[FieldValue],
    encoding: &'static Encoding,
) {
    out.push(b' ');
    for ((v, &w), c) in row.iter().zip(widths).zip(columns) {
        let value = encode_value(v, c.numeric_decimals, encoding);
        let value = &value[..value.len().min(w)];
        let pad = std::iter::repeat_n(b' ', w - value.len());
        if c.numeric_decimals.is_some() {
            out.extend(pad);
            out.extend_from_slice(value);
        } else {
            out.extend_from_slice(value);
            out.extend(pad);
        }
    }
}

/// Encodes text, cutting it to at most `max` bytes at a character boundary.
fn encode_cut(text: &str, encoding: &'static Encoding, max: usize) -> Vec<u8> {
    let mut end = text.len();
    loop {
        let (bytes, _, _) = encoding.encode(&text[..end]);
        if bytes.len() <= max {
            return bytes.into_owned();
        }
        end = text[..end].char_indices().next_back().map_or(0, |(i, _)| i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(encoding: &'static Encoding) -> Vec<u8> {
        let columns =
            [Column { name: "name", numeric_decimals: None }, Column { name: "hh", numeric_decimals: Some(0) }];
        let rows = vec![
            vec![FieldValue::Text("泾川镇城东社区".into()), FieldValue::Int(420)],
            vec![FieldValue::Null, FieldValue::Null],
        ];
        write(&columns, &rows, encoding)
    }

    #[test]
    fn gbk_is_detected_without_cpg() {
        let (rows, enc) = read(&sample(GBK), None).unwrap();
        assert_eq!(enc, GBK);
        assert_eq!(rows[0].as_ref().unwrap()["name"], FieldValue::Text("泾川镇城东社区".into()));
        assert_eq!(rows[0].as_ref().unwrap()["hh"], FieldValue::Int(420));
        assert_eq!(rows[1].as_ref().unwrap()["hh"], FieldValue::Null);
        // Even with the language-driver byte cleared, the bytes are not UTF-8, so GBK is chosen.
        let mut bytes = sample(GBK);
        bytes[29] = 0;
        assert_eq!(read(&bytes, None).unwrap().1, GBK);
    }

    #[test]
    fn utf8_round_trips_and_cpg_wins() {
        let (rows, enc) = read(&sample(UTF_8), Some("UTF-8")).unwrap();
        assert_eq!(enc, UTF_8);
        assert_eq!(rows[0].as_ref().unwrap()["name"], FieldValue::Text("泾川镇城东社区".into()));
        let err = read(&sample(GBK), Some("UTF-8")).unwrap_err();
        assert!(matches!(err, DbfError::Encoding { record: 1, .. }), "{err}");
        assert!(matches!(read(&sample(UTF_8), Some("klingon")), Err(DbfError::UnknownCpg(_))));
    }

    #[test]
    fn damaged_files_are_errors() {
        let bytes = sample(UTF_8);
        for cut in [0, 10, 31, 40, bytes.len() - 10] {
            assert!(read(&bytes[..cut], None).is_err(), "cut at {cut}");
        }
    }
}
