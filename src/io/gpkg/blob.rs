//! GeoPackage geometry blobs: the "GP" header (version, flags, srs_id, envelope) followed by ISO WKB.

use geo::{BoundingRect, Geometry, MultiLineString, MultiPolygon, Point, Rect};

use crate::io::wkb::{self, WkbError};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BlobError {
    #[error("not a GeoPackage geometry blob (no \"GP\" magic)")]
    Magic,
    #[error("geometry blob header is truncated")]
    Header,
    #[error("geometry blob has an invalid envelope indicator {0}")]
    Envelope(u8),
    #[error(transparent)]
    Wkb(#[from] WkbError),
}

const FLAG_LITTLE_ENDIAN: u8 = 0b0000_0001;
const ENVELOPE_XY: u8 = 0b0000_0010;
const FLAG_EMPTY: u8 = 0b0001_0000;

/// Encodes a multipolygon with its XY envelope (what spatial indexes and GDAL read first).
pub fn encode_multipolygon(mp: &MultiPolygon<f64>, srs_id: i32) -> Vec<u8> {
    let envelope = mp.bounding_rect();
    let mut out = header(srs_id, envelope);
    wkb::write_multipolygon(&mut out, mp);
    out
}

/// Encodes a multilinestring (a reference layer's roads or rivers) with its XY envelope.
pub fn encode_multilinestring(lines: &MultiLineString<f64>, srs_id: i32) -> Vec<u8> {
    let mut out = header(srs_id, lines.bounding_rect());
    wkb::write_multilinestring(&mut out, lines);
    out
}

/// Encodes a point; GeoPackage recommends no envelope for points (it would only repeat the point).
pub fn encode_point(p: Point<f64>, srs_id: i32) -> Vec<u8> {
    let mut out = vec![b'G', b'P', 0, FLAG_LITTLE_ENDIAN];
    out.extend_from_slice(&srs_id.to_le_bytes());
    wkb::write_point(&mut out, p);
    out
}

fn header(srs_id: i32, envelope: Option<Rect<f64>>) -> Vec<u8> {
    let mut flags = FLAG_LITTLE_ENDIAN;
    flags |= if envelope.is_some() { ENVELOPE_XY } else { FLAG_EMPTY };
    let mut out = vec![b'G', b'P', 0, flags];
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(r) = envelope {
        for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// What the header says, without decoding the WKB.
pub struct BlobHeader {
    pub srs_id: i32,
    pub empty: bool,
    /// [minx, maxx, miny, maxy] when the blob carries one.
    pub envelope: Option<[f64; 4]>,
    pub wkb_offset: usize,
}

pub fn read_header(blob: &[u8]) -> Result<BlobHeader, BlobError> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err(if blob.len() >= 2 && &blob[..2] != b"GP" { BlobError::Magic } else { BlobError::Header });
    }
    let flags = blob[3];
    let little = flags & FLAG_LITTLE_ENDIAN != 0;
    let int = |b: [u8; 4]| {
        if little { i32::from_le_bytes(b) } else { i32::from_be_bytes(b) }
    };
    let srs_id = int([blob[4], blob[5], blob[6], blob[7]]);
    let envelope_kind = (flags >> 1) & 0b111;
    let doubles = match envelope_kind {
        0 => 0,
        1 => 4,
        2 | 3 => 6,
        4 => 8,
        other => return Err(BlobError::Envelope(other)),
    };
    let wkb_offset = 8 + doubles * 8;
    if blob.len() < wkb_offset {
        return Err(BlobError::Header);
    }
    let envelope = (doubles > 0).then(|| {
        let d = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&blob[8 + i * 8..16 + i * 8]);
            if little { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) }
        };
        [d(0), d(1), d(2), d(3)]
    });
    Ok(BlobHeader { srs_id, empty: flags & FLAG_EMPTY != 0, envelope, wkb_offset })
}

/// Decodes a blob into a geometry and its srs_id.
pub fn decode(blob: &[u8]) -> Result<(Geometry<f64>, i32), BlobError> {
    let h = read_header(blob)?;
    Ok((wkb::read(&blob[h.wkb_offset..])?, h.srs_id))
}

/// The XY envelope of a blob: from its header, else computed from the geometry. `None` when empty.
pub fn envelope(blob: &[u8]) -> Result<Option<[f64; 4]>, BlobError> {
    let h = read_header(blob)?;
    if h.empty {
        return Ok(None);
    }
    if let Some(e) = h.envelope {
        return Ok(Some(e));
    }
    let geometry = wkb::read(&blob[h.wkb_offset..])?;
    Ok(geometry.bounding_rect().map(|r| [r.min().x, r.max().x, r.min().y, r.max().y]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn envelope_and_srs_survive_a_round_trip() {
        let mp = MultiPolygon(vec![polygon![(x: 1., y: 2.), (x: 5., y: 2.), (x: 5., y: 7.), (x: 1., y: 2.)]]);
        let blob = encode_multipolygon(&mp, 4548);
        assert_eq!(envelope(&blob).unwrap(), Some([1., 5., 2., 7.]));
        assert_eq!(decode(&blob).unwrap(), (Geometry::MultiPolygon(mp), 4548));
        let empty = encode_multipolygon(&MultiPolygon(vec![]), 4548);
        assert!(read_header(&empty).unwrap().empty);
        assert_eq!(envelope(&encode_point(Point::new(3.0, 4.0), 4490)).unwrap(), Some([3., 3., 4., 4.]));
        let lines = MultiLineString(vec![geo::LineString::from(vec![(0., 1.), (3., -2.)])]);
        let blob = encode_multilinestring(&lines, 4548);
        assert_eq!(envelope(&blob).unwrap(), Some([0., 3., -2., 1.]));
        assert_eq!(decode(&blob).unwrap(), (Geometry::MultiLineString(lines), 4548));
        assert!(read_header(&encode_multilinestring(&MultiLineString(vec![]), 4548)).unwrap().empty);
        assert_eq!(decode(b"XX\0\x01\0\0\0\0").unwrap_err(), BlobError::Magic);
    }
}
