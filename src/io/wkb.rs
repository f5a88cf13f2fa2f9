//! ISO Well-Known Binary for the geometries Wangge stores (points, polygons, multipolygons, lines), as used
//! inside GeoPackage geometry blobs. The reader accepts either byte order and Z/M variants (dropping Z/M)
//! and never trusts a count beyond the bytes actually present.

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPolygon, Point, Polygon};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WkbError {
    #[error("geometry blob ends early (byte {0})")]
    Truncated(usize),
    #[error("unknown byte order marker {0}")]
    ByteOrder(u8),
    #[error("unsupported WKB geometry type {0}")]
    UnsupportedType(u32),
    #[error("geometry collections nested more than {MAX_DEPTH} deep")]
    TooDeep,
    #[error("a line or ring has a coordinate that is not a number ({0}, {1})")]
    NotFinite(f64, f64),
}

/// How deep collections may nest: real data nests one or two levels; a crafted blob could nest until
/// the stack overflows.
pub const MAX_DEPTH: usize = 16;

const POINT: u32 = 1;
const LINESTRING: u32 = 2;
const POLYGON: u32 = 3;
const MULTIPOINT: u32 = 4;
const MULTILINESTRING: u32 = 5;
const MULTIPOLYGON: u32 = 6;
const COLLECTION: u32 = 7;

pub fn write_point(out: &mut Vec<u8>, p: Point<f64>) {
    out.push(1);
    out.extend_from_slice(&POINT.to_le_bytes());
    write_coord(out, p.0);
}

pub fn write_multipolygon(out: &mut Vec<u8>, mp: &MultiPolygon<f64>) {
    out.push(1);
    out.extend_from_slice(&MULTIPOLYGON.to_le_bytes());
    out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
    for polygon in &mp.0 {
        write_polygon(out, polygon);
    }
}

pub fn write_multilinestring(out: &mut Vec<u8>, lines: &MultiLineString<f64>) {
    out.push(1);
    out.extend_from_slice(&MULTILINESTRING.to_le_bytes());
    out.extend_from_slice(&(lines.0.len() as u32).to_le_bytes());
    for line in &lines.0 {
        out.push(1);
        out.extend_from_slice(&LINESTRING.to_le_bytes());
        out.extend_from_slice(&(line.0.len() as u32).to_le_bytes());
        for &c in &line.0 {
            write_coord(out, c);
        }
    }
}

fn write_polygon(out: &mut Vec<u8>, polygon: &Polygon<f64>) {
    out.push(1);
    out.extend_from_slice(&POLYGON.to_le_bytes());
    let rings: Vec<&LineString<f64>> = std::iter::once(polygon.exterior()).chain(polygon.interiors()).collect();
    out.extend_from_slice(&(rings.len() as u32).to_le_bytes());
    for ring in rings {
        out.extend_from_slice(&(ring.0.len() as u32).to_le_bytes());
        for &c in &ring.0 {
            write_coord(out, c);
        }
    }
}

fn write_coord(out: &mut Vec<u8>, c: Coord<f64>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

/// Reads one WKB geometry.
///
/// Empty rings carry nothing and are dropped, as are empty polygons inside a multipolygon, so no ring
/// that reaches the rest of Wangge is empty (a polygon with no rings at all stays an empty polygon).
pub fn read(bytes: &[u8]) -> Result<Geometry<f64>, WkbError> {
    let mut r = Reader { bytes, pos: 0, little: true };
    r.geometry(0)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    little: bool,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], WkbError> {
        let end = self.pos.checked_add(N).filter(|&e| e <= self.bytes.len()).ok_or(WkbError::Truncated(self.pos))?;
        let mut buf = [0u8; N];
        buf.copy_from_slice(&self.bytes[self.pos..end]);
        self.pos = end;
        Ok(buf)
    }

    fn u32(&mut self) -> Result<u32, WkbError> {
        let b = self.take::<4>()?;
        Ok(if self.little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    }

    fn f64(&mut self) -> Result<f64, WkbError> {
        let b = self.take::<8>()?;
        Ok(if self.little { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) })
    }

    /// A count of items each at least `min_item_bytes` long, checked against what is left.
    fn count(&mut self, min_item_bytes: usize) -> Result<usize, WkbError> {
        let n = self.u32()? as usize;
        let left = self.bytes.len() - self.pos;
        if n.saturating_mul(min_item_bytes) > left {
            return Err(WkbError::Truncated(self.bytes.len()));
        }
        Ok(n)
    }

    /// Reads the byte order and type; returns the base type and how many ordinates each vertex has.
    fn header(&mut self) -> Result<(u32, usize), WkbError> {
        let [order] = self.take::<1>()?;
        self.little = match order {
            0 => false,
            1 => true,
            other => return Err(WkbError::ByteOrder(other)),
        };
        let raw = self.u32()?;
        // EWKB flags (PostGIS) in the high bits, ISO Z/M/ZM as +1000/+2000/+3000.
        let (ewkb_z, ewkb_m) = (raw & 0x8000_0000 != 0, raw & 0x4000_0000 != 0);
        let code = raw & 0x0FFF_FFFF;
        let (base, iso_dims) = (code % 1000, code / 1000);
        let dims = match iso_dims {
            0 => 2 + usize::from(ewkb_z) + usize::from(ewkb_m),
            1 | 2 => 3,
            3 => 4,
            _ => return Err(WkbError::UnsupportedType(raw)),
        };
        Ok((base, dims))
    }

    fn coord(&mut self, dims: usize) -> Result<Coord<f64>, WkbError> {
        let c = Coord { x: self.f64()?, y: self.f64()? };
        for _ in 2..dims {
            self.f64()?;
        }
        Ok(c)
    }

    /// A line or ring. Its coordinates must be numbers (NaN stands for "empty" only in a point): a NaN
    /// vertex makes a ring that never closes, which geometry code asserts against.
    fn ring(&mut self, dims: usize) -> Result<LineString<f64>, WkbError> {
        let n = self.count(16)?;
        let coords = (0..n).map(|_| self.coord(dims)).collect::<Result<Vec<_>, _>>()?;
        if let Some(c) = coords.iter().find(|c| !(c.x.is_finite() && c.y.is_finite())) {
            return Err(WkbError::NotFinite(c.x, c.y));
        }
        Ok(LineString(coords))
    }

    fn polygon_body(&mut self, dims: usize) -> Result<Polygon<f64>, WkbError> {
        let n = self.count(4)?;
        let mut rings = (0..n).map(|_| self.ring(dims)).collect::<Result<Vec<_>, _>>()?.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
        Ok(Polygon::new(exterior, rings.filter(|r| !r.0.is_empty()).collect()))
    }

    fn geometry(&mut self, depth: usize) -> Result<Geometry<f64>, WkbError> {
        if depth > MAX_DEPTH {
            return Err(WkbError::TooDeep);
        }
        let (base, dims) = self.header()?;
        Ok(match base {
            POINT => Geometry::Point(Point(self.coord(dims)?)),
            LINESTRING => Geometry::LineString(self.ring(dims)?),
            POLYGON => Geometry::Polygon(self.polygon_body(dims)?),
            MULTIPOINT | MULTILINESTRING | MULTIPOLYGON | COLLECTION => {
                let n = self.count(5)?;
                let parts = (0..n).map(|_| self.geometry(depth + 1)).collect::<Result<Vec<_>, _>>()?;
                collect_parts(base, parts)?
            }
            other => return Err(WkbError::UnsupportedType(other)),
        })
    }
}

fn collect_parts(base: u32, parts: Vec<Geometry<f64>>) -> Result<Geometry<f64>, WkbError> {
    use geo::{GeometryCollection, MultiPoint};
    let mismatch = || WkbError::UnsupportedType(base);
    Ok(match base {
        MULTIPOINT => Geometry::MultiPoint(MultiPoint(
            parts.into_iter().map(|g| Point::try_from(g).map_err(|_| mismatch())).collect::<Result<_, _>>()?,
        )),
        MULTILINESTRING => Geometry::MultiLineString(MultiLineString(
            parts.into_iter().map(|g| LineString::try_from(g).map_err(|_| mismatch())).collect::<Result<_, _>>()?,
        )),
        MULTIPOLYGON => Geometry::MultiPolygon(MultiPolygon(
            parts
                .into_iter()
                .map(|g| Polygon::try_from(g).map_err(|_| mismatch()))
                .filter(|p| !matches!(p, Ok(p) if p.exterior().0.is_empty()))
                .collect::<Result<_, _>>()?,
        )),
        _ => Geometry::GeometryCollection(GeometryCollection(parts)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn multipolygon_round_trips() {
        let mp = MultiPolygon(vec![polygon![
            exterior: [(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 0.)],
            interiors: [[(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.), (x: 1., y: 1.)]],
        ]]);
        let mut bytes = Vec::new();
        write_multipolygon(&mut bytes, &mp);
        assert_eq!(read(&bytes).unwrap(), Geometry::MultiPolygon(mp));
    }

    #[test]
    fn truncated_or_lying_counts_are_errors_not_panics() {
        let mut bytes = Vec::new();
        write_point(&mut bytes, Point::new(1.0, 2.0));
        for cut in 0..bytes.len() {
            assert!(read(&bytes[..cut]).is_err());
        }
        // A polygon claiming 4 billion rings in 9 bytes.
        let lying = [1u8, 3, 0, 0, 0, 255, 255, 255, 255];
        assert!(matches!(read(&lying), Err(WkbError::Truncated(_))));
    }

    fn polygon_wkb(rings: &[&[(f64, f64)]]) -> Vec<u8> {
        let mut out = vec![1u8];
        out.extend_from_slice(&POLYGON.to_le_bytes());
        out.extend_from_slice(&(rings.len() as u32).to_le_bytes());
        for ring in rings {
            out.extend_from_slice(&(ring.len() as u32).to_le_bytes());
            for &(x, y) in *ring {
                write_coord(&mut out, Coord { x, y });
            }
        }
        out
    }

    /// Issue 10: a blob of collections nested 100,000 deep overflowed the stack.
    #[test]
    fn deeply_nested_collections_are_an_error_not_a_stack_overflow() {
        let mut bytes = Vec::new();
        for _ in 0..100_000 {
            bytes.push(1u8);
            bytes.extend_from_slice(&COLLECTION.to_le_bytes());
            bytes.extend_from_slice(&1u32.to_le_bytes());
        }
        write_point(&mut bytes, Point::new(1.0, 2.0));
        assert_eq!(read(&bytes), Err(WkbError::TooDeep));
        // Nesting real data uses is fine.
        let mut two = Vec::new();
        for _ in 0..2 {
            two.push(1u8);
            two.extend_from_slice(&COLLECTION.to_le_bytes());
            two.extend_from_slice(&1u32.to_le_bytes());
        }
        write_point(&mut two, Point::new(1.0, 2.0));
        assert!(read(&two).is_ok());
    }

    /// Issue 10: empty rings reached code that takes a ring's first point (the split tool).
    #[test]
    fn empty_rings_and_polygons_are_dropped() {
        let square: &[(f64, f64)] = &[(0., 0.), (4., 0.), (4., 4.), (0., 4.), (0., 0.)];
        let g = read(&polygon_wkb(&[square, &[], square])).unwrap();
        let Geometry::Polygon(p) = g else { panic!("{g:?}") };
        assert_eq!(p.interiors().len(), 1);
        assert!(p.interiors().iter().all(|r| !r.0.is_empty()));
        let mut mp = vec![1u8];
        mp.extend_from_slice(&MULTIPOLYGON.to_le_bytes());
        mp.extend_from_slice(&2u32.to_le_bytes());
        mp.extend(polygon_wkb(&[]));
        mp.extend(polygon_wkb(&[square]));
        let Geometry::MultiPolygon(mp) = read(&mp).unwrap() else { panic!() };
        assert_eq!(mp.0.len(), 1, "the empty polygon is dropped");
        let nan = polygon_wkb(&[&[(0., 0.), (4., 0.), (f64::NAN, 4.), (0., 0.)]]);
        assert!(matches!(read(&nan), Err(WkbError::NotFinite(..))));
    }

    #[test]
    fn reads_big_endian_and_z() {
        // Big-endian ISO PointZ (1001).
        let mut bytes = vec![0u8];
        bytes.extend_from_slice(&1001u32.to_be_bytes());
        for v in [1.5f64, 2.5, 9.0] {
            bytes.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(read(&bytes).unwrap(), Geometry::Point(Point::new(1.5, 2.5)));
    }
}
