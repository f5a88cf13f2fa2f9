//! GeoJSON in (FeatureCollection, Feature or bare geometry; foreign members allowed; the legacy 2008 `crs`
//! member honoured) and out (RFC 7946: WGS84 lon/lat, counter-clockwise shells, 7 decimals).

use std::io::{Read, Write};
use std::path::Path;

use geo::{Geometry, MultiPolygon, Orient, orient::Direction};
use geojson::{Feature, GeoJson, GeometryValue, Position};
use serde_json::{Map, Value};

use super::crs::{SourceCrs, crs_from_epsg, parse_crs_arg};
use super::error::{AtPath, IoError, Problem};
use super::source::{FieldValue, SourceFeature, SourceLayer};
use crate::core::progress::{Cancelled, NoProgress, Progress, Stage};

pub fn read_geojson(path: &Path) -> Result<SourceLayer, IoError> {
    let mut features = Vec::new();
    let mut layer = read_geojson_each(path, &NoProgress, &mut |f| {
        features.push(f);
        Ok(())
    })?;
    layer.features = features;
    Ok(layer)
}

/// Reads a GeoJSON file feature by feature: each is handed to `each` as soon as it is read, so the
/// file's text and its document tree are never held whole (a FeatureCollection's `features` are walked
/// one element at a time; its other members — `crs` among them — may come before or after them).
/// Returns the layer with its CRS and no features. Progress counts bytes read.
pub fn read_geojson_each(
    path: &Path,
    progress: &dyn Progress,
    each: &mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
) -> Result<SourceLayer, IoError> {
    let file = std::fs::File::open(path).at(path)?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    progress.begin(Stage::Reading, total);
    let reader = std::io::BufReader::with_capacity(1 << 16, Counting { inner: file, progress, pending: 0 });
    parse_geojson_each(path, reader, each)
}

/// Reads GeoJSON held in memory; `path` names the file in messages (and gives the layer its name).
pub fn parse_geojson(path: &Path, bytes: &[u8]) -> Result<SourceLayer, IoError> {
    let mut features = Vec::new();
    let mut layer = parse_geojson_each(path, bytes, &mut |f| {
        features.push(f);
        Ok(())
    })?;
    layer.features = features;
    Ok(layer)
}

/// Reads GeoJSON from any reader, feature by feature (see [`read_geojson_each`]); a byte-order mark is
/// skipped. Nothing past the feature being read is asked of `reader` before `each` has had the
/// features before it.
pub fn parse_geojson_each<R: Read>(
    path: &Path,
    reader: R,
    each: &mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
) -> Result<SourceLayer, IoError> {
    let mut reader = SkipBom { inner: reader, head: [0; 3], head_len: 0, head_at: 0, started: false };
    reader.start().at(path)?;
    let mut stopped: Option<IoError> = None;
    let mut count = 0usize;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let top = TopSeed { path, each, stopped: &mut stopped, count: &mut count };
    let read = serde::de::DeserializeSeed::deserialize(top, &mut de).and_then(|top| de.end().map(|()| top));
    let top = match read {
        Ok(top) => top,
        Err(e) => {
            if let Some(stopped) = stopped {
                return Err(stopped);
            }
            return Err(json_error(path, e));
        }
    };
    let crs = legacy_crs(top.members.get("crs"), path)?;
    let kind = top.members.get("type").and_then(Value::as_str).unwrap_or("");
    if kind == "FeatureCollection" {
        if !top.had_features {
            return Err(IoError::new(path, Problem::CollectionWithoutFeatures));
        }
    } else if top.had_features {
        return Err(IoError::new(path, Problem::FeaturesOutsideCollection { kind: kind.to_string() }));
    } else {
        let single = serde_json::from_value::<GeoJson>(Value::Object(top.members))
            .map_err(|e| IoError::new(path, Problem::NotGeoJson { detail: e.to_string() }))?;
        let feature = match single {
            GeoJson::FeatureCollection(_) => return Err(IoError::new(path, Problem::CollectionWithoutFeatures)),
            GeoJson::Feature(f) => f,
            GeoJson::Geometry(g) => Feature { geometry: Some(g), ..Default::default() },
        };
        each(source_feature(path, 1, feature)?)?;
    }
    let layer = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    // RFC 7946 files without a crs member are WGS84 lon/lat.
    let crs = Some(crs.unwrap_or(SourceCrs::Epsg(crs_from_epsg(4326).at(path)?)));
    Ok(SourceLayer { path: path.to_path_buf(), layer, crs, unrecognised_crs: None, features: Vec::new() })
}

/// A JSON error as the user reads it: broken text is "not valid JSON", well-formed JSON of the wrong
/// shape "not valid GeoJSON".
fn json_error(path: &Path, e: serde_json::Error) -> IoError {
    match e.classify() {
        serde_json::error::Category::Data => IoError::new(path, Problem::NotGeoJson { detail: e.to_string() }),
        serde_json::error::Category::Io => IoError::new(path, Problem::Io(e.into())),
        _ => IoError::new(path, Problem::NotJson { detail: e.to_string() }),
    }
}

/// One GeoJSON feature as a source feature: positions checked, geometry converted, properties as fields.
fn source_feature(path: &Path, number: usize, f: Feature) -> Result<SourceFeature, IoError> {
    let geometry = f
        .geometry
        .map(|g| {
            // The geojson crate indexes [0] and [1] of every position while converting: check first.
            check_positions(&g.value)?;
            Geometry::<f64>::try_from(&g.value).map_err(|e| Problem::BadGeoJsonGeometry { detail: e.to_string() })
        })
        .transpose()
        .map_err(|p| IoError::at_feature(path, number, p))?;
    let fields = f.properties.unwrap_or_default().into_iter().map(|(k, v)| (k, json_to_field(v))).collect();
    Ok(SourceFeature { number, geometry, fields })
}

/// What the top-level object held besides its features.
struct Top {
    /// Every member but `features` (small for a FeatureCollection; the whole object for a Feature or a
    /// bare geometry, which is one feature).
    members: Map<String, Value>,
    had_features: bool,
}

struct TopSeed<'a, 'f> {
    path: &'a Path,
    each: &'a mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
    /// The error `each` (or a feature's conversion) stopped the reading with.
    stopped: &'f mut Option<IoError>,
    count: &'f mut usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = Top;
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Top, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for TopSeed<'_, '_> {
    type Value = Top;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a GeoJSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut top = Top { members: Map::new(), had_features: false };
        while let Some(key) = map.next_key::<String>()? {
            let kind = top.members.get("type").and_then(Value::as_str);
            // The features of a collection are walked one by one; "features" in a Feature is a foreign
            // member like any other.
            if key == "features" && kind.is_none_or(|k| k == "FeatureCollection") {
                map.next_value_seed(FeaturesSeed {
                    path: self.path,
                    each: &mut *self.each,
                    stopped: &mut *self.stopped,
                    count: &mut *self.count,
                })?;
                top.had_features = true;
            } else {
                let value: Value = map.next_value()?;
                top.members.insert(key, value);
            }
        }
        Ok(top)
    }
}

struct FeaturesSeed<'a, 'f> {
    path: &'a Path,
    each: &'a mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
    stopped: &'f mut Option<IoError>,
    count: &'f mut usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for FeaturesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FeaturesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of features")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        use serde::de::Error;
        // Each element is read as a small JSON tree of its own, turned into a feature and handed on
        // before the next is read.
        while let Some(value) = seq.next_element::<Value>()? {
            *self.count += 1;
            let number = *self.count;
            // The geojson crate refuses a short position with its own English words: said by us first.
            let short = value.get("geometry").and_then(|g| g.get("coordinates")).and_then(short_position);
            let done = short
                .map_or(Ok(value), |numbers| Err(Problem::ShortPosition { numbers }))
                .and_then(|v| {
                    serde_json::from_value::<Feature>(v).map_err(|e| Problem::NotGeoJson { detail: e.to_string() })
                })
                .map_err(|p| IoError::at_feature(self.path, number, p))
                .and_then(|f| source_feature(self.path, number, f))
                .and_then(|f| (self.each)(f));
            if let Err(e) = done {
                *self.stopped = Some(e);
                return Err(A::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// The first position in raw GeoJSON coordinates with fewer than two numbers, as its numbers.
fn short_position(coordinates: &Value) -> Option<Vec<f64>> {
    let items = coordinates.as_array()?;
    if items.iter().any(Value::is_number) {
        return (items.len() < 2).then(|| items.iter().filter_map(Value::as_f64).collect());
    }
    items.iter().find_map(short_position)
}

/// Skips a UTF-8 byte-order mark at the start of a reader.
struct SkipBom<R> {
    inner: R,
    head: [u8; 3],
    head_len: usize,
    head_at: usize,
    started: bool,
}

impl<R: Read> SkipBom<R> {
    fn start(&mut self) -> std::io::Result<()> {
        while self.head_len < 3 {
            let n = self.inner.read(&mut self.head[self.head_len..])?;
            if n == 0 {
                break;
            }
            self.head_len += n;
        }
        if self.head[..self.head_len] == *b"\xEF\xBB\xBF" {
            self.head_at = 3;
        }
        self.started = true;
        Ok(())
    }
}

impl<R: Read> Read for SkipBom<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !self.started {
            self.start()?;
        }
        if self.head_at < self.head_len {
            let n = (self.head_len - self.head_at).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.head_at..self.head_at + n]);
            self.head_at += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// Reports the bytes read as progress (every 1 MiB) and stops the reading when cancelled.
struct Counting<'p, R> {
    inner: R,
    progress: &'p dyn Progress,
    pending: u64,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pending += n as u64;
        if self.pending >= 1 << 20 || n == 0 {
            self.progress.advance(std::mem::take(&mut self.pending));
            if self.progress.is_cancelled() {
                return Err(std::io::Error::other(Cancelled));
            }
        }
        Ok(n)
    }
}

/// Every position must hold at least two numbers (x, y; more are ignored), RFC 7946 §3.1.1.
fn check_positions(value: &GeometryValue) -> Result<(), Problem> {
    let check = |p: &Position| -> Result<(), Problem> {
        if p.len() < 2 {
            return Err(Problem::ShortPosition { numbers: p.as_slice().to_vec() });
        }
        Ok(())
    };
    let all = |ps: &[Position]| ps.iter().try_for_each(check);
    match value {
        GeometryValue::Point { coordinates } => check(coordinates),
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => all(coordinates),
        GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
            coordinates.iter().try_for_each(|l| all(l))
        }
        GeometryValue::MultiPolygon { coordinates } => coordinates.iter().flatten().try_for_each(|l| all(l)),
        GeometryValue::GeometryCollection { geometries } => {
            geometries.iter().try_for_each(|g| check_positions(&g.value))
        }
    }
}

/// The 2008 `"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}` member.
fn legacy_crs(crs: Option<&Value>, path: &Path) -> Result<Option<SourceCrs>, IoError> {
    let Some(name) = crs.and_then(|c| c.pointer("/properties/name")).and_then(Value::as_str) else {
        return Ok(None);
    };
    let code = if name.contains("CRS84") || name.contains("CRS:84") {
        "4326"
    } else {
        name.rsplit(':').next().unwrap_or(name)
    };
    parse_crs_arg(code).map(Some).at(path)
}

fn json_to_field(v: Value) -> FieldValue {
    match v {
        Value::Null => FieldValue::Null,
        Value::Bool(b) => FieldValue::Text(b.to_string()),
        Value::Number(n) => {
            n.as_i64().map(FieldValue::Int).unwrap_or_else(|| FieldValue::Real(n.as_f64().unwrap_or(f64::NAN)))
        }
        Value::String(s) => FieldValue::Text(s),
        other => FieldValue::Text(other.to_string()),
    }
}

fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// Writes an RFC 7946 FeatureCollection feature by feature: [`GeoJsonWriter::feature`] for each (already in
/// WGS84 lon/lat), then [`GeoJsonWriter::finish`]. Only the feature being written is held.
pub struct GeoJsonWriter<W: Write> {
    out: W,
    columns: Vec<&'static str>,
    written: usize,
}

impl<W: Write> GeoJsonWriter<W> {
    pub fn new(mut out: W, columns: &[&'static str]) -> std::io::Result<Self> {
        out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
        Ok(GeoJsonWriter { out, columns: columns.to_vec(), written: 0 })
    }

    /// One feature: a multipolygon or a point (anything else is written with a null geometry), with one
    /// value per column, in the order of the columns.
    pub fn feature(&mut self, geometry: &Geometry<f64>, values: Vec<Value>) -> std::io::Result<()> {
        let mut properties = Map::new();
        let mut values = values.into_iter();
        for c in &self.columns {
            properties.insert((*c).to_string(), values.next().unwrap_or(Value::Null));
        }
        let geometry = match geometry {
            Geometry::MultiPolygon(mp) => multipolygon_json(mp),
            Geometry::Point(p) => serde_json::json!({"type": "Point", "coordinates": [round7(p.x()), round7(p.y())]}),
            _ => Value::Null,
        };
        if self.written > 0 {
            self.out.write_all(b",")?;
        }
        serde_json::to_writer(
            &mut self.out,
            &serde_json::json!({"type": "Feature", "properties": properties, "geometry": geometry}),
        )?;
        self.written += 1;
        Ok(())
    }

    /// Closes the collection and flushes; returns the number of features written.
    pub fn finish(mut self) -> std::io::Result<usize> {
        self.out.write_all(b"]}\n")?;
        self.out.flush()?;
        Ok(self.written)
    }
}

fn multipolygon_json(mp: &MultiPolygon<f64>) -> Value {
    let oriented = mp.orient(Direction::Default);
    let ring = |r: &geo::LineString<f64>| -> Value {
        Value::Array(r.0.iter().map(|c| serde_json::json!([round7(c.x), round7(c.y)])).collect())
    };
    let polygons: Vec<Value> = oriented
        .0
        .iter()
        .map(|p| Value::Array(std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect()))
        .collect();
    serde_json::json!({"type": "MultiPolygon", "coordinates": polygons})
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;

    fn feature(i: usize) -> String {
        format!(r#"{{"type":"Feature","properties":{{"code":"{i:06}"}},"geometry":{SQUARE}}}"#)
    }

    /// An endless FeatureCollection, made as it is read: no file could hold it, so a reader that wanted the
    /// whole document first would never hand over a feature. Fails (an I/O error) after `fail_after` bytes.
    struct Endless {
        text: Vec<u8>,
        at: usize,
        next: usize,
        served: std::rc::Rc<std::cell::Cell<usize>>,
        fail_after: usize,
    }

    impl Endless {
        fn new(head: &str, fail_after: usize) -> (Endless, std::rc::Rc<std::cell::Cell<usize>>) {
            let served = std::rc::Rc::new(std::cell::Cell::new(0));
            let reader = Endless { text: head.as_bytes().to_vec(), at: 0, next: 1, served: served.clone(), fail_after };
            (reader, served)
        }
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.served.get() >= self.fail_after {
                return Err(std::io::Error::other("the disk went away"));
            }
            if self.at == self.text.len() {
                self.text = format!("{}{}", if self.next > 1 { "," } else { "" }, feature(self.next)).into_bytes();
                self.at = 0;
                self.next += 1;
            }
            let n = buf.len().min(self.text.len() - self.at).min(self.fail_after - self.served.get());
            buf[..n].copy_from_slice(&self.text[self.at..self.at + n]);
            self.at += n;
            self.served.set(self.served.get() + n);
            Ok(n)
        }
    }

    #[test]
    fn features_are_handed_over_as_they_are_read_not_after_the_whole_file() {
        let head = r#"{"type":"FeatureCollection","features":["#;
        let (reader, served) = Endless::new(head, usize::MAX);
        let path = Path::new("endless.geojson");
        let mut seen = Vec::new();
        let e = parse_geojson_each(path, reader, &mut |f| {
            // Feature n is handed over before the reader is asked for much past its own text.
            let end_of_this = head.len() + (1..=f.number).map(|i| feature(i).len() + usize::from(i > 1)).sum::<usize>();
            assert!(
                served.get() <= end_of_this + 8,
                "feature {}: {} bytes read, it ends at {end_of_this}",
                f.number,
                served.get()
            );
            assert_eq!(f.fields["code"], FieldValue::Text(format!("{:06}", f.number)));
            seen.push(f.number);
            if f.number == 5000 {
                return Err(IoError::at_feature(path, f.number, Problem::Io(std::io::Error::other("enough"))));
            }
            Ok(())
        })
        .unwrap_err()
        .to_string();
        assert_eq!(seen, (1..=5000).collect::<Vec<_>>());
        // The error the consumer stopped with is the one reported, naming the file and the feature.
        assert!(e.contains("endless.geojson") && e.contains("feature 5000") && e.contains("enough"), "{e}");
    }

    #[test]
    fn a_read_error_part_way_comes_after_the_features_before_it() {
        let (reader, _) = Endless::new(r#"{"type":"FeatureCollection","features":["#, 10_000);
        let mut count = 0;
        let e = parse_geojson_each(Path::new("cut.geojson"), reader, &mut |_| {
            count += 1;
            Ok(())
        })
        .unwrap_err()
        .to_string();
        let per_feature = feature(10).len() + 1;
        assert!(count >= 10_000 / per_feature - 2 && count <= 10_000 / per_feature, "{count}");
        assert!(e.contains("cut.geojson") && e.contains("the disk went away"), "{e}");
    }

    #[test]
    fn members_may_come_in_any_order_and_the_crs_after_the_features_counts() {
        let crs = r#""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4548"}}"#;
        let features = format!(r#""features":[{},{}]"#, feature(1), feature(2));
        for text in [
            format!(r#"{{"type":"FeatureCollection",{crs},{features}}}"#),
            format!(r#"{{{features},"type":"FeatureCollection",{crs}}}"#),
            format!(r#"{{{features},{crs},"name":"grids","type":"FeatureCollection"}}"#),
            format!("\u{feff}{{{features},{crs},\"type\":\"FeatureCollection\"}}"),
        ] {
            let layer = parse_geojson(Path::new("x.geojson"), text.as_bytes()).unwrap();
            assert_eq!(layer.features.len(), 2, "{text}");
            match &layer.crs {
                Some(SourceCrs::Epsg(c)) => assert_eq!(c.epsg, 4548, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        // Without a crs member: RFC 7946 lon/lat.
        let layer =
            parse_geojson(Path::new("x.geojson"), format!("{{{features},\"type\":\"FeatureCollection\"}}").as_bytes())
                .unwrap();
        assert!(matches!(&layer.crs, Some(SourceCrs::Epsg(c)) if c.epsg == 4326));
        // A Feature or a bare geometry is one feature.
        let one = format!(r#"{{"type":"Feature","name":"one","properties":{{"code":"x"}},"geometry":{SQUARE}}}"#);
        assert_eq!(parse_geojson(Path::new("f.geojson"), one.as_bytes()).unwrap().features.len(), 1);
        assert_eq!(parse_geojson(Path::new("g.geojson"), SQUARE.as_bytes()).unwrap().features.len(), 1);
    }

    #[test]
    fn bad_documents_name_the_file_and_the_feature() {
        let bad = |text: String| parse_geojson(Path::new("bad.geojson"), text.as_bytes()).unwrap_err().to_string();
        let e = bad(format!(
            r#"{{"type":"FeatureCollection","features":[{},{},{{"type":"Feature","geometry":{{"type":"Polygonz","coordinates":[]}}}}]}}"#,
            feature(1),
            feature(2)
        ));
        assert!(e.contains("bad.geojson") && e.contains("feature 3") && e.contains("not valid GeoJSON"), "{e}");
        let e = bad(format!(r#"{{"type":"FeatureCollection","features":[{}]}} trailing"#, feature(1)));
        assert!(e.contains("not valid JSON"), "{e}");
        let e = bad(format!(r#"{{"type":"FeatureCollection","features":[{}"#, feature(1)));
        assert!(e.contains("not valid JSON"), "{e}");
        let e = bad(r#"{"type":"FeatureCollection"}"#.into());
        assert!(e.contains("needs \"features\""), "{e}");
        let e = bad("[1, 2]".into());
        assert!(e.contains("not valid GeoJSON"), "{e}");
        let e = bad(format!(r#"{{"features":[{}],"type":"Feature","geometry":null}}"#, feature(1)));
        assert!(e.contains("not valid GeoJSON"), "{e}");
    }
}
