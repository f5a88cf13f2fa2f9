//! ESRI Shapefiles: geometry through the `shapefile` crate, attributes through our own .dbf code (for
//! control over GBK/UTF-8), the CRS from the .prj, the encoding from the .cpg.

use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use geo::{Area, Contains, Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use shapefile::record::traits::HasXY;
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
    let mut features = Vec::new();
    let mut layer = read_shapefile_each(path, &mut |f| {
        features.push(f);
        Ok(())
    })?;
    layer.features = features;
    Ok(layer)
}

/// Reads a shapefile from disk feature by feature ([`parse_shapefile_each`]): the files' bytes are held,
/// one decoded feature at a time.
pub fn read_shapefile_each(
    path: &Path,
    each: &mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
) -> Result<SourceLayer, IoError> {
    let prj = sidecar(path, "prj").map(|p| std::fs::read(&p).at(&p).map(|b| (p, b))).transpose()?;
    let dbf_path = sidecar(path, "dbf").ok_or_else(|| IoError::new(path, Problem::MissingSidecar { ext: "dbf" }))?;
    let cpg = sidecar(path, "cpg").map(|p| std::fs::read_to_string(&p).at(&p)).transpose()?;
    let shx = sidecar(path, "shx").map(|p| std::fs::read(&p).at(&p)).transpose()?;
    let dbf_bytes = std::fs::read(&dbf_path).at(&dbf_path)?;
    let shp_bytes = std::fs::read(path).at(path)?;
    let files = ShapefileBytes {
        shp: &shp_bytes,
        shx: shx.as_deref(),
        dbf: (&dbf_path, &dbf_bytes),
        prj: prj.as_ref().map(|(p, b)| (p.as_path(), b.as_slice())),
        cpg: cpg.as_deref(),
    };
    parse_shapefile_each(path, &files, each)
}

/// The parts of a shapefile as bytes, each with the path its messages name.
pub struct ShapefileBytes<'a> {
    pub shp: &'a [u8],
    /// The index of record offsets, when there is one: the records are read where it says they start
    /// (as GDAL reads them) if it agrees with the .shp, else one after another.
    pub shx: Option<&'a [u8]>,
    pub dbf: (&'a Path, &'a [u8]),
    pub prj: Option<(&'a Path, &'a [u8])>,
    pub cpg: Option<&'a str>,
}

/// Reads a shapefile held in memory (.shp, .dbf and optional .prj/.cpg); `path` names the .shp in messages.
pub fn parse_shapefile(path: &Path, files: &ShapefileBytes<'_>) -> Result<SourceLayer, IoError> {
    let mut features = Vec::new();
    let mut layer = parse_shapefile_each(path, files, &mut |f| {
        features.push(f);
        Ok(())
    })?;
    layer.features = features;
    Ok(layer)
}

/// Reads a shapefile held in memory feature by feature: each shape and its .dbf record are decoded and
/// handed to `each` in file order (deleted records skipped), never all of them at once. Returns the layer
/// with its CRS and no features.
pub fn parse_shapefile_each(
    path: &Path,
    files: &ShapefileBytes<'_>,
    each: &mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
) -> Result<SourceLayer, IoError> {
    let (mut crs, mut unrecognised_crs) = (None, None);
    if let Some((prj, bytes)) = files.prj {
        match crs_from_prj_bytes(bytes) {
            Ok(c) => crs = Some(SourceCrs::Epsg(c)),
            Err(e) => unrecognised_crs = Some((prj.to_path_buf(), e)),
        }
    }
    let (dbf_path, dbf_bytes) = files.dbf;
    let dbf_error = |e: dbf::DbfError| IoError::new(dbf_path, Problem::Dbf(e));
    let table = dbf::DbfTable::open(dbf_bytes, files.cpg).map_err(dbf_error)?;
    let shx = files.shx.filter(|shx| shx_agrees(files.shp, shx));
    check_shp_records(files.shp, shx).map_err(|d| IoError::new(path, Problem::DamagedShp(d)))?;
    let damaged = |e: shapefile::Error| IoError::new(path, Problem::DamagedShp(ShpDamage::Library(e.to_string())));
    let shp = std::io::Cursor::new(files.shp);
    let mut reader = match shx {
        Some(shx) => ShapeReader::with_shx(shp, std::io::Cursor::new(shx)),
        None => ShapeReader::new(shp),
    }
    .map_err(damaged)?;
    let by_index = shx.map(|shx| shx_entries(shx).count());
    let all_shapes: Box<dyn Iterator<Item = Result<Shape, shapefile::Error>>> = match by_index {
        Some(count) => {
            Box::new((0..count).map(|i| reader.read_nth_shape(i).unwrap_or(Err(shapefile::Error::MissingIndexFile))))
        }
        None => Box::new(reader.iter_shapes()),
    };
    let mut shapes = 0;
    for (i, shape) in all_shapes.enumerate() {
        let shape = shape.map_err(damaged)?;
        shapes = i + 1;
        if shapes > table.records {
            continue; // counted below
        }
        let Some(fields) = table.record(i).map_err(dbf_error)? else { continue }; // deleted in the .dbf
        let number = i + 1;
        let geometry = shape_to_geometry(shape).map_err(|p| IoError::at_feature(path, number, p))?;
        each(SourceFeature { number, geometry, fields })?;
    }
    if shapes != table.records {
        return Err(IoError::new(path, Problem::ShapeCountMismatch { shapes, records: table.records }));
    }
    let layer = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(SourceLayer { path: path.to_path_buf(), layer, crs, unrecognised_crs, features: Vec::new() })
}

const SHP_HEADER_BYTES: usize = 100;

fn int_be(bytes: &[u8], at: usize) -> Option<i64> {
    Some(i32::from_be_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?) as i64)
}

fn int_le(bytes: &[u8], at: usize) -> Option<i64> {
    Some(i32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?) as i64)
}

/// The .shx's entries: where each record starts in the .shp and its content's length, both in bytes.
fn shx_entries(shx: &[u8]) -> impl Iterator<Item = (i64, i64)> + '_ {
    shx.get(SHP_HEADER_BYTES..)
        .unwrap_or(&[])
        .chunks_exact(8)
        .map(|e| (int_be(e, 0).unwrap_or(-1) * 2, int_be(e, 4).unwrap_or(-1) * 2))
}

/// Whether the .shx can be trusted to say where the .shp's records start: a whole number of entries, each
/// pointing inside the .shp at a record header whose length is the entry's. Some writers leave bytes
/// between records (libpysal's TAZ example has 48 after records 105 and 117); GDAL, reading by the
/// .shx, never sees them, and a reader walking the .shp record after record takes them for a header.
fn shx_agrees(shp: &[u8], shx: &[u8]) -> bool {
    const FILE_CODE: i64 = 9994;
    shx.len() >= SHP_HEADER_BYTES
        && (shx.len() - SHP_HEADER_BYTES).is_multiple_of(8)
        && int_be(shx, 0) == Some(FILE_CODE)
        && int_be(shx, 24).map(|words| words * 2) == Some(shx.len() as i64)
        && shx_entries(shx).all(|(offset, content)| {
            offset >= SHP_HEADER_BYTES as i64
                && content >= 4
                && offset + 8 + content <= shp.len() as i64
                && int_be(shp, offset as usize + 4).map(|words| words * 2) == Some(content)
        })
}

/// Checks every record of a .shp — at the offsets an agreeing .shx gives, else one after another — and
/// every count against the bytes actually there, before the `shapefile` crate reads them: it reserves
/// memory for as many parts and points as a record claims, so one damaged count could ask for gigabytes.
fn check_shp_records(shp: &[u8], shx: Option<&[u8]>) -> Result<(), ShpDamage> {
    if let Some(shx) = shx {
        for (i, (offset, content)) in shx_entries(shx).enumerate() {
            check_shp_record(shp, offset as usize + 8, content as usize, i + 1)?;
        }
        return Ok(());
    }
    let mut at = SHP_HEADER_BYTES;
    let mut record = 0usize;
    while at + 8 <= shp.len() {
        record += 1;
        let words = int_be(shp, at + 4).unwrap_or(-1);
        let content = usize::try_from(words).ok().and_then(|w| w.checked_mul(2));
        let Some(content) = content.filter(|&c| c >= 4 && at + 8 + c <= shp.len()) else {
            return Err(ShpDamage::RecordTooLong { record, words });
        };
        check_shp_record(shp, at + 8, content, record)?;
        at += 8 + content;
    }
    Ok(())
}

/// Checks one record's counts: `start` is where its content (`content` bytes, inside `shp`) begins.
fn check_shp_record(shp: &[u8], start: usize, content: usize, record: usize) -> Result<(), ShpDamage> {
    let shape_type = int_le(shp, start).unwrap_or(0);
    // Polyline/polygon (+M, +Z) and multipatch: bbox, parts, points; multipoint: bbox, points.
    let (parts_at, points_at, part_bytes) = match shape_type {
        3 | 5 | 13 | 15 | 23 | 25 | 31 => (Some(start + 36), start + 40, if shape_type == 31 { 8 } else { 4 }),
        8 | 18 | 28 => (None, start + 36, 0),
        _ => return Ok(()),
    };
    let parts = parts_at.map_or(Some(0), |at| int_le(shp, at));
    let points = int_le(shp, points_at);
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
        let first = int_le(shp, points_at + 4 + 4 * k).unwrap_or(-1);
        if first < previous || first > points || (k == 0 && first != 0) {
            return Err(ShpDamage::BadPartStart { record, part: k + 1, first, points });
        }
        previous = first;
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
        Shape::Polygon(p) => xy_rings(rings(p.into_inner())),
        Shape::PolygonM(p) => xy_rings(rings(p.into_inner())),
        Shape::PolygonZ(p) => xy_rings(rings(p.into_inner())),
        // Roads and rivers, for reference layers.
        Shape::Polyline(p) => Ok(Some(lines(p.into_inner()))),
        Shape::PolylineM(p) => Ok(Some(lines(p.into_inner()))),
        Shape::PolylineZ(p) => Ok(Some(lines(p.into_inner()))),
        other => Err(Problem::UnsupportedShape { shape_type: other.shapetype().to_string() }),
    }
}

/// A shape's points (with or without M and Z) as x, y coordinates.
fn xy<P: HasXY>(points: &[P]) -> Vec<Coord<f64>> {
    points.iter().map(|q| Coord { x: q.x(), y: q.y() }).collect()
}

/// A polygon's rings as x, y coordinates.
fn rings<P: HasXY>(rings: Vec<PolygonRing<P>>) -> Vec<Vec<Coord<f64>>> {
    rings.into_iter().map(|r| xy(&r.into_inner())).collect()
}

/// A polyline's parts as a multilinestring.
fn lines<P: HasXY>(parts: Vec<Vec<P>>) -> Geometry<f64> {
    Geometry::MultiLineString(geo::MultiLineString(parts.iter().map(|part| LineString(xy(part))).collect()))
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
    let mut widths = dbf::Widths::new(columns);
    for (_, values) in features {
        widths.add(values, encoding);
    }
    let mut writer = ShapefileWriter::create(path, columns, widths, features.len(), encoding)?;
    for (g, values) in features {
        writer.feature(g, values)?;
    }
    writer.finish(epsg).map(|_| ())
}

/// Writes a shapefile feature by feature: the shapes to .shp/.shx and the records to .dbf as they come.
/// The .dbf's column widths and record count are known beforehand (a first pass over the rows, see
/// [`dbf::Widths`]); the kind of shape (points or polygons) is that of the first feature.
pub struct ShapefileWriter<'a> {
    path: &'a Path,
    columns: &'a [dbf::Column],
    widths: Vec<usize>,
    encoding: &'static Encoding,
    shapes: ShapeWriter<std::io::BufWriter<std::fs::File>>,
    dbf: std::io::BufWriter<std::fs::File>,
    dbf_path: PathBuf,
    record: Vec<u8>,
    points: Option<bool>,
    written: usize,
    records: usize,
}

impl<'a> ShapefileWriter<'a> {
    pub fn create(
        path: &'a Path,
        columns: &'a [dbf::Column],
        widths: dbf::Widths,
        records: usize,
        encoding: &'static Encoding,
    ) -> Result<Self, IoError> {
        let fail = |e: shapefile::Error| {
            IoError::new(path, Problem::WriteFailed { what: Written::Shapefile, detail: e.to_string() })
        };
        let shapes = ShapeWriter::from_path(path).map_err(fail)?;
        let dbf_path = path.with_extension("dbf");
        let widths = widths.get();
        let mut dbf = std::fs::File::create(&dbf_path).map(std::io::BufWriter::new).at(&dbf_path)?;
        std::io::Write::write_all(&mut dbf, &dbf::header(columns, &widths, records, encoding)).at(&dbf_path)?;
        Ok(ShapefileWriter {
            path,
            columns,
            widths,
            encoding,
            shapes,
            dbf,
            dbf_path,
            record: Vec::new(),
            points: None,
            written: 0,
            records,
        })
    }

    /// One feature: a point, or a multipolygon with at least one ring, and its values.
    pub fn feature(&mut self, g: &Geometry<f64>, values: &[FieldValue]) -> Result<(), IoError> {
        let number = self.written + 1;
        let path = self.path;
        let fail = |e: shapefile::Error| {
            IoError::new(path, Problem::WriteFailed { what: Written::Shapefile, detail: e.to_string() })
        };
        let points = *self.points.get_or_insert(matches!(g, Geometry::Point(_)));
        if self.written >= self.records {
            return Err(IoError::new(path, Problem::ChangedWhileWriting));
        }
        match g {
            Geometry::Point(p) if points => {
                self.shapes.write_shape(&shapefile::Point::new(p.x(), p.y())).map_err(fail)?
            }
            Geometry::MultiPolygon(mp) if !points => {
                let polygon =
                    to_shape_polygon(mp).ok_or_else(|| IoError::at_feature(path, number, Problem::EmptyPolygon))?;
                self.shapes.write_shape(&polygon).map_err(fail)?;
            }
            _ => {
                let found = GeometryKind::of(Some(g));
                let problem =
                    if points { Problem::ExpectedPoint { found } } else { Problem::ExpectedPolygon { found } };
                return Err(IoError::at_feature(path, number, problem));
            }
        }
        self.record.clear();
        dbf::write_record(&mut self.record, self.columns, &self.widths, values, self.encoding);
        std::io::Write::write_all(&mut self.dbf, &self.record).at(&self.dbf_path)?;
        self.written += 1;
        Ok(())
    }

    /// Completes the .shp/.shx headers and the .dbf, writes the .cpg and the .prj (when the CRS has a WKT);
    /// returns the number of features written.
    pub fn finish(mut self, epsg: u32) -> Result<usize, IoError> {
        let path = self.path;
        let fail = |e: shapefile::Error| {
            IoError::new(path, Problem::WriteFailed { what: Written::Shapefile, detail: e.to_string() })
        };
        if self.written != self.records {
            return Err(IoError::new(path, Problem::ChangedWhileWriting));
        }
        self.shapes.finalize().map_err(fail)?;
        std::io::Write::write_all(&mut self.dbf, &[dbf::END_OF_FILE]).at(&self.dbf_path)?;
        std::io::Write::flush(&mut self.dbf).at(&self.dbf_path)?;
        let cpg_path = path.with_extension("cpg");
        std::fs::write(&cpg_path, if self.encoding == encoding_rs::GBK { "GBK" } else { "UTF-8" }).at(&cpg_path)?;
        if let Some(wkt) = wkt_of(epsg) {
            let prj_path = path.with_extension("prj");
            std::fs::write(&prj_path, wkt).at(&prj_path)?;
        }
        Ok(self.written)
    }
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
    use geo::polygon;

    use super::*;

    /// The unit square at `x`, 0.
    fn square(x: f64) -> Geometry<f64> {
        Geometry::MultiPolygon(MultiPolygon(vec![polygon![
            (x: x, y: 0.), (x: x + 1., y: 0.), (x: x + 1., y: 1.), (x: x, y: 1.)
        ]]))
    }

    /// `n` unit squares in a row, the i-th with `code` = prefix + i.
    fn write_squares(path: &Path, prefix: &str, n: usize) {
        let features: Vec<_> =
            (0..n).map(|i| (square(i as f64), vec![FieldValue::Text(format!("{prefix}{i}"))])).collect();
        let columns = [dbf::Column { name: "code", numeric_decimals: None }];
        write_shapefile(path, &features, &columns, 4548, encoding_rs::UTF_8).unwrap();
    }

    /// Features are decoded and handed on one at a time: the first two come before the third record's bad
    /// text is even read (a reader decoding the whole .dbf first would hand over none), and the error names
    /// the record.
    #[test]
    fn features_are_handed_on_before_a_later_record_is_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grids.shp");
        write_squares(&path, "grid", 4);
        let shp = std::fs::read(&path).unwrap();
        let mut dbf_bytes = std::fs::read(path.with_extension("dbf")).unwrap();
        // "grid2" → "grid\xFF": not UTF-8, which the .cpg promises.
        let at = dbf_bytes.windows(5).position(|w| w == b"grid2").unwrap();
        dbf_bytes[at + 4] = 0xFF;
        let dbf_path = path.with_extension("dbf");
        let files =
            ShapefileBytes { shp: &shp, shx: None, dbf: (&dbf_path, &dbf_bytes), prj: None, cpg: Some("UTF-8") };
        let mut seen = Vec::new();
        let e = parse_shapefile_each(&path, &files, &mut |f| {
            seen.push((f.number, f.fields["code"].as_text()));
            Ok(())
        })
        .unwrap_err()
        .to_string();
        assert_eq!(seen, [(1, "grid0".to_string()), (2, "grid1".to_string())]);
        assert!(e.contains("grids.dbf") && e.contains("record 3"), "{e}");
        // The whole-file reader gives the same error, and all four features once the text is mended.
        assert_eq!(parse_shapefile(&path, &files).unwrap_err().to_string(), e);
        dbf_bytes[at + 4] = b'2';
        let files =
            ShapefileBytes { shp: &shp, shx: None, dbf: (&dbf_path, &dbf_bytes), prj: None, cpg: Some("UTF-8") };
        let layer = parse_shapefile(&path, &files).unwrap();
        assert_eq!(layer.features.iter().map(|f| f.number).collect::<Vec<_>>(), [1, 2, 3, 4]);
        // The third shape is the third square (rings come back clockwise, as shapefiles store them).
        let third = layer.features[2].geometry.as_ref().and_then(geo::BoundingRect::bounding_rect);
        assert_eq!(third, geo::BoundingRect::bounding_rect(&square(2.)));
    }

    /// Some writers leave bytes between records (libpysal's TAZ example: 48 after records 105 and 117).
    /// GDAL reads by the .shx and never sees them; so does Wangge when the .shx agrees with the .shp.
    /// Without the .shx, or with one that disagrees, the .shp is walked record after record and the gap
    /// is reported at the record it breaks.
    #[test]
    fn records_are_read_where_the_shx_says_they_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zones.shp");
        write_squares(&path, "z", 3);
        let shx_path = path.with_extension("shx");
        let (mut shp, mut shx) = (std::fs::read(&path).unwrap(), std::fs::read(&shx_path).unwrap());
        let word = |b: &[u8], at: usize| i32::from_be_bytes(b[at..at + 4].try_into().unwrap());
        let set_word = |b: &mut Vec<u8>, at: usize, v: i32| b[at..at + 4].copy_from_slice(&v.to_be_bytes());
        // 48 bytes of junk after the first record, whose first bytes look like a huge record header.
        let second = 2 * word(&shx, 108) as usize;
        let junk: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(37).wrapping_add(0x61)).collect();
        shp.splice(second..second, junk);
        let words = word(&shp, 24);
        set_word(&mut shp, 24, words + 24);
        for entry in [1, 2] {
            let offset = word(&shx, 100 + 8 * entry);
            set_word(&mut shx, 100 + 8 * entry, offset + 24);
        }
        std::fs::write(&path, &shp).unwrap();
        std::fs::write(&shx_path, &shx).unwrap();

        let layer = read_shapefile(&path).unwrap();
        let codes: Vec<_> = layer.features.iter().map(|f| f.fields["code"].as_text()).collect();
        assert_eq!(codes, ["z0", "z1", "z2"]);
        for (f, i) in layer.features.iter().zip(0..) {
            let rect = f.geometry.as_ref().and_then(geo::BoundingRect::bounding_rect);
            assert_eq!(rect, geo::BoundingRect::bounding_rect(&square(i as f64)), "feature {i}");
        }

        // A .shx that points one record astray is not trusted: the .shp is walked, and the junk named.
        let mut astray = shx.clone();
        set_word(&mut astray, 116, word(&shx, 116) + 2);
        std::fs::write(&shx_path, &astray).unwrap();
        let e = read_shapefile(&path).unwrap_err().to_string();
        assert!(e.contains("zones.shp") && e.contains("record 2"), "{e}");
        // Without the .shx, the same.
        std::fs::remove_file(&shx_path).unwrap();
        assert_eq!(read_shapefile(&path).unwrap_err().to_string(), e);
    }

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
