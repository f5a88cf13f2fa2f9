//! ESRI Shapefiles: geometry through the `shapefile` crate, attributes through our own .dbf code (for
//! control over GBK/UTF-8), the CRS from the .prj, the encoding from the .cpg.

use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use geo::{Area, Contains, Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use shapefile::{PolygonRing, Shape, ShapeReader, ShapeWriter};

use super::crs::{SourceCrs, crs_from_prj_bytes, wkt_of};
use super::dbf;
use super::error::{AtPath, GeometryKind, IoError, Problem, ShpDamage, Written};
use super::source::{FieldValue, SourceFeature, SourceLayer};

fn sidecar(path: &Path, ext: &str) -> Option<PathBuf> {
    // Sidecars may be upper or lower case (FOO.SHP + FOO.DBF is common on Windows shares).
    [ext.to_string(), ext.to_ascii_uppercase()].into_iter().map(|e| path.with_extension(e)).find(|p| p.exists())
}

pub fn read_shapefile(path: &Path) -> Result<SourceLayer, IoError> {
    let prj = sidecar(path, "prj").map(|p| std::fs::read(&p).at(&p).map(|b| (p, b))).transpose()?;
    let dbf_path = sidecar(path, "dbf").ok_or_else(|| IoError::new(path, Problem::MissingSidecar { ext: "dbf" }))?;
    let cpg = sidecar(path, "cpg").map(|p| std::fs::read_to_string(&p).at(&p)).transpose()?;
    let dbf_bytes = std::fs::read(&dbf_path).at(&dbf_path)?;
    let shp_bytes = std::fs::read(path).at(path)?;
    let files = ShapefileBytes {
        shp: &shp_bytes,
        dbf: (&dbf_path, &dbf_bytes),
        prj: prj.as_ref().map(|(p, b)| (p.as_path(), b.as_slice())),
        cpg: cpg.as_deref(),
    };
    parse_shapefile(path, &files)
}

/// The parts of a shapefile as bytes, each with the path its messages name.
pub struct ShapefileBytes<'a> {
    pub shp: &'a [u8],
    pub dbf: (&'a Path, &'a [u8]),
    pub prj: Option<(&'a Path, &'a [u8])>,
    pub cpg: Option<&'a str>,
}

/// Reads a shapefile held in memory (.shp, .dbf and optional .prj/.cpg); `path` names the .shp in messages.
pub fn parse_shapefile(path: &Path, files: &ShapefileBytes<'_>) -> Result<SourceLayer, IoError> {
    let (mut crs, mut unrecognised_crs) = (None, None);
    if let Some((prj, bytes)) = files.prj {
        match crs_from_prj_bytes(bytes) {
            Ok(c) => crs = Some(SourceCrs::Epsg(c)),
            Err(e) => unrecognised_crs = Some((prj.to_path_buf(), e)),
        }
    }
    let (dbf_path, dbf_bytes) = files.dbf;
    let (records, _) = dbf::read(dbf_bytes, files.cpg).map_err(|e| IoError::new(dbf_path, e))?;
    let shapes = read_shapes(path, files.shp)?;
    if shapes.len() != records.len() {
        let problem = Problem::ShapeCountMismatch { shapes: shapes.len(), records: records.len() };
        return Err(IoError::new(path, problem));
    }
    let mut features = Vec::with_capacity(shapes.len());
    for (i, (shape, record)) in shapes.into_iter().zip(records).enumerate() {
        let Some(fields) = record else { continue }; // deleted in the .dbf
        let number = i + 1;
        let geometry = shape_to_geometry(shape).map_err(|p| IoError::at_feature(path, number, p))?;
        features.push(SourceFeature { number, geometry, fields });
    }
    let layer = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(SourceLayer { path: path.to_path_buf(), layer, crs, unrecognised_crs, features })
}

fn read_shapes(path: &Path, shp: &[u8]) -> Result<Vec<Shape>, IoError> {
    check_shp_records(shp).map_err(|d| IoError::new(path, Problem::DamagedShp(d)))?;
    let damaged = |e: shapefile::Error| IoError::new(path, Problem::DamagedShp(ShpDamage::Library(e.to_string())));
    let reader = ShapeReader::new(std::io::Cursor::new(shp)).map_err(damaged)?;
    reader.read().map_err(damaged)
}

/// Walks the records of a .shp and checks every count against the bytes actually there, before the
/// `shapefile` crate reads them: it reserves memory for as many parts and points as a record claims,
/// so one damaged count could ask for gigabytes.
fn check_shp_records(shp: &[u8]) -> Result<(), ShpDamage> {
    const HEADER_BYTES: usize = 100;
    let int_le = |at: usize| -> Option<i64> { Some(i32::from_le_bytes(shp.get(at..at + 4)?.try_into().ok()?) as i64) };
    let int_be = |at: usize| -> Option<i64> { Some(i32::from_be_bytes(shp.get(at..at + 4)?.try_into().ok()?) as i64) };
    let mut at = HEADER_BYTES;
    let mut record = 0usize;
    while at + 8 <= shp.len() {
        record += 1;
        let words = int_be(at + 4).unwrap_or(-1);
        let content = usize::try_from(words).ok().and_then(|w| w.checked_mul(2));
        let Some(content) = content.filter(|&c| c >= 4 && at + 8 + c <= shp.len()) else {
            return Err(ShpDamage::RecordTooLong { record, words });
        };
        let start = at + 8;
        let shape_type = int_le(start).unwrap_or(0);
        // Polyline/polygon (+M, +Z) and multipatch: bbox, parts, points; multipoint: bbox, points.
        let (parts_at, points_at, part_bytes) = match shape_type {
            3 | 5 | 13 | 15 | 23 | 25 | 31 => (Some(start + 36), start + 40, if shape_type == 31 { 8 } else { 4 }),
            8 | 18 | 28 => (None, start + 36, 0),
            _ => (None, 0, 0),
        };
        if points_at > 0 {
            let parts = parts_at.map_or(Some(0), int_le);
            let points = int_le(points_at);
            let (Some(parts), Some(points)) = (parts, points) else {
                return Err(ShpDamage::CountsCut { record });
            };
            let needed = (points_at + 4 - start) as i64 + parts * part_bytes + points * 16;
            if parts < 0 || points < 0 || needed > content as i64 {
                return Err(ShpDamage::CountsTooLarge { record, parts, points, bytes: content });
            }
            // Each part starts at a point index: from 0 up, never past the points (the crate takes the
            // difference of two as a count).
            let mut previous = 0;
            for k in 0..parts as usize {
                let first = int_le(points_at + 4 + 4 * k).unwrap_or(-1);
                if first < previous || first > points || (k == 0 && first != 0) {
                    return Err(ShpDamage::BadPartStart { record, part: k + 1, first, points });
                }
                previous = first;
            }
        }
        at = start + content;
    }
    Ok(())
}

fn shape_to_geometry(shape: Shape) -> Result<Option<Geometry<f64>>, Problem> {
    let xy_rings = |rings: Vec<Vec<Coord<f64>>>| assemble_polygons(rings).map(|mp| Some(Geometry::MultiPolygon(mp)));
    match shape {
        Shape::NullShape => Ok(None),
        Shape::Point(p) => Ok(Some(Geometry::Point(Point::new(p.x, p.y)))),
        Shape::PointM(p) => Ok(Some(Geometry::Point(Point::new(p.x, p.y)))),
        Shape::PointZ(p) => Ok(Some(Geometry::Point(Point::new(p.x, p.y)))),
        Shape::Polygon(p) => xy_rings(
            p.into_inner()
                .into_iter()
                .map(|r| r.into_inner().iter().map(|q| Coord { x: q.x, y: q.y }).collect())
                .collect(),
        ),
        Shape::PolygonM(p) => xy_rings(
            p.into_inner()
                .into_iter()
                .map(|r| r.into_inner().iter().map(|q| Coord { x: q.x, y: q.y }).collect())
                .collect(),
        ),
        Shape::PolygonZ(p) => xy_rings(
            p.into_inner()
                .into_iter()
                .map(|r| r.into_inner().iter().map(|q| Coord { x: q.x, y: q.y }).collect())
                .collect(),
        ),
        other => Err(Problem::UnsupportedShape { shape_type: other.shapetype().to_string() }),
    }
}

/// Shapefile polygons are a flat list of rings: clockwise ones are shells, counter-clockwise ones holes.
/// Each hole goes to the smallest shell that contains it.
fn assemble_polygons(rings: Vec<Vec<Coord<f64>>>) -> Result<MultiPolygon<f64>, Problem> {
    let mut shells: Vec<Polygon<f64>> = Vec::new();
    let mut holes: Vec<LineString<f64>> = Vec::new();
    for ring in rings {
        if ring.len() < 4 {
            let closed = ring.len() > 1 && ring.first() == ring.last();
            return Err(Problem::RingTooShort { points: ring.len() - usize::from(closed) });
        }
        if let Some(c) = ring.iter().find(|c| !(c.x.is_finite() && c.y.is_finite())) {
            return Err(Problem::UnusableCoordinate { x: c.x, y: c.y });
        }
        let ring = LineString(ring);
        let signed = Polygon::new(ring.clone(), vec![]).signed_area();
        if signed <= 0.0 { shells.push(Polygon::new(ring, vec![])) } else { holes.push(ring) }
    }
    if shells.is_empty() && holes.len() == 1 {
        // A lone counter-clockwise ring is a shell written with the wrong orientation.
        shells.push(Polygon::new(holes.remove(0), vec![]));
    }
    for hole in holes {
        let probe = Point(hole.0[0]);
        let owner = shells
            .iter_mut()
            .filter(|s| s.contains(&probe) || s.exterior().contains(&probe))
            .min_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
            .ok_or(Problem::HoleOutsideShells)?;
        owner.interiors_push(hole);
    }
    Ok(MultiPolygon(shells))
}

/// Writes .shp/.shx/.dbf/.prj/.cpg. `features` are polygons (or points) with one value per column.
pub fn write_shapefile(
    path: &Path,
    features: &[(Geometry<f64>, Vec<FieldValue>)],
    columns: &[dbf::Column],
    epsg: u32,
    encoding: &'static Encoding,
) -> Result<(), IoError> {
    let fail = |e: shapefile::Error| {
        IoError::new(path, Problem::WriteFailed { what: Written::Shapefile, detail: e.to_string() })
    };
    let mut writer = ShapeWriter::from_path(path).map_err(fail)?;
    let all_points = features.iter().all(|(g, _)| matches!(g, Geometry::Point(_)));
    if all_points && !features.is_empty() {
        let points: Vec<shapefile::Point> = features
            .iter()
            .filter_map(|(g, _)| match g {
                Geometry::Point(p) => Some(shapefile::Point::new(p.x(), p.y())),
                _ => None,
            })
            .collect();
        for p in &points {
            writer.write_shape(p).map_err(fail)?;
        }
    } else {
        let mut polygons = Vec::with_capacity(features.len());
        for (i, (g, _)) in features.iter().enumerate() {
            let Geometry::MultiPolygon(mp) = g else {
                let found = GeometryKind::of(Some(g));
                return Err(IoError::at_feature(path, i + 1, Problem::ExpectedPolygon { found }));
            };
            polygons.push(to_shape_polygon(mp).ok_or_else(|| IoError::at_feature(path, i + 1, Problem::EmptyPolygon))?);
        }
        for p in &polygons {
            writer.write_shape(p).map_err(fail)?;
        }
    }
    writer.finalize().map_err(fail)?;
    let rows: Vec<Vec<FieldValue>> = features.iter().map(|(_, v)| v.clone()).collect();
    let dbf_path = path.with_extension("dbf");
    std::fs::write(&dbf_path, dbf::write(columns, &rows, encoding)).at(&dbf_path)?;
    let cpg_path = path.with_extension("cpg");
    std::fs::write(&cpg_path, if encoding == encoding_rs::GBK { "GBK" } else { "UTF-8" }).at(&cpg_path)?;
    if let Some(wkt) = wkt_of(epsg) {
        let prj_path = path.with_extension("prj");
        std::fs::write(&prj_path, wkt).at(&prj_path)?;
    }
    Ok(())
}

fn to_shape_polygon(mp: &MultiPolygon<f64>) -> Option<shapefile::Polygon> {
    let points = |ring: &LineString<f64>| ring.0.iter().map(|c| shapefile::Point::new(c.x, c.y)).collect::<Vec<_>>();
    let mut rings = Vec::new();
    for polygon in &mp.0 {
        if polygon.exterior().0.len() < 4 {
            continue;
        }
        rings.push(PolygonRing::Outer(points(polygon.exterior())));
        rings.extend(polygon.interiors().iter().map(|r| PolygonRing::Inner(points(r))));
    }
    (!rings.is_empty()).then(|| shapefile::Polygon::with_rings(rings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_go_to_their_shell() {
        let ring = |pts: &[(f64, f64)]| pts.iter().map(|&(x, y)| Coord { x, y }).collect::<Vec<_>>();
        // Shell clockwise, hole counter-clockwise, as shapefiles store them.
        let shell = ring(&[(0., 0.), (0., 10.), (10., 10.), (10., 0.), (0., 0.)]);
        let hole = ring(&[(2., 2.), (4., 2.), (4., 4.), (2., 4.), (2., 2.)]);
        let far = ring(&[(20., 0.), (20., 5.), (25., 5.), (25., 0.), (20., 0.)]);
        let mp = assemble_polygons(vec![shell.clone(), far, hole]).unwrap();
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert!(assemble_polygons(vec![ring(&[(0., 0.), (1., 1.), (0., 0.)])]).is_err());
        // Issue 10 (found by fuzzing): a NaN vertex left a ring that never closes, and geo asserted.
        let nan = ring(&[(0., 0.), (0., 10.), (f64::NAN, 10.), (10., 0.), (0., 0.)]);
        assert!(assemble_polygons(vec![shell.clone(), nan]).unwrap_err().to_string().contains("not a usable number"));
    }
}
