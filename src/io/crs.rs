//! Coordinate reference systems in pure Rust: EPSG definitions from `crs-definitions`, transforms by
//! `proj4rs`, GCJ-02/BD-09 by their published formulas, and CRS recognition from .prj/GeoPackage WKT.

use geo::Coord;
use proj4rs::Proj;

use crate::core::china_offsets;
use crate::core::{Crs, CrsUnits};

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CrsError {
    #[error("unknown CRS {0:?}: use EPSG:<code> (e.g. EPSG:4490, EPSG:4548), wgs84, cgcs2000, gcj02 or bd09")]
    UnknownName(String),
    #[error("EPSG:{0} is not a CRS Wangge knows")]
    UnknownEpsg(u32),
    #[error("cannot recognise the coordinate system in this WKT: {0}")]
    UnrecognisedWkt(String),
    #[error("cannot set up the projection for EPSG:{0}: {1}")]
    Projection(u32, String),
    #[error("cannot transform ({x}, {y}) from {from} to {to}: {reason}")]
    Transform { x: f64, y: f64, from: String, to: String, reason: String },
}

/// Where coordinates come from: a real CRS, or one of the obfuscated lon/lat systems of Chinese web maps.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceCrs {
    Epsg(Crs),
    /// GCJ-02 lon/lat (Amap, Tencent): WGS84 shifted by the published offset formula.
    Gcj02,
    /// BD-09 lon/lat (Baidu).
    Bd09,
}

impl SourceCrs {
    pub fn label(&self) -> String {
        match self {
            SourceCrs::Epsg(crs) => format!("{} ({})", crs.auth_id(), crs.name),
            SourceCrs::Gcj02 => "GCJ-02".to_string(),
            SourceCrs::Bd09 => "BD-09".to_string(),
        }
    }
}

/// Parses a user's `--crs` value: `EPSG:4490`, `4490`, `wgs84`, `cgcs2000`, `webmercator`, `gcj02`, `bd09`.
pub fn parse_crs_arg(text: &str) -> Result<SourceCrs, CrsError> {
    let t = text.trim().to_ascii_lowercase();
    let code = match t.as_str() {
        "gcj02" | "gcj-02" | "amap" | "tencent" => return Ok(SourceCrs::Gcj02),
        "bd09" | "bd-09" | "baidu" => return Ok(SourceCrs::Bd09),
        "wgs84" | "wgs 84" => 4326,
        "cgcs2000" => 4490,
        "webmercator" | "web mercator" => 3857,
        other => {
            let digits = other.strip_prefix("epsg:").unwrap_or(other);
            digits.parse::<u32>().map_err(|_| CrsError::UnknownName(text.to_string()))?
        }
    };
    crs_from_epsg(code).map(SourceCrs::Epsg)
}

fn definition(code: u32) -> Option<crs_definitions::Def> {
    u16::try_from(code).ok().and_then(crs_definitions::from_code)
}

/// Looks up an EPSG code. Every code in the bundled EPSG table that proj4rs can set up is accepted; the
/// ones Wangge is tested with are 4326, 4490, 3857, 4491–4554 (CGCS2000 Gauss-Krüger) and 32601–32660.
pub fn crs_from_epsg(code: u32) -> Result<Crs, CrsError> {
    let def = definition(code).ok_or(CrsError::UnknownEpsg(code))?;
    let proj = Proj::from_proj_string(def.proj4).map_err(|e| CrsError::Projection(code, e.to_string()))?;
    let units = if proj.is_latlong() {
        CrsUnits::Degrees
    } else if def.proj4.contains("+proj=merc") && def.proj4.contains("+a=6378137 +b=6378137") {
        CrsUnits::WebMercator
    } else {
        CrsUnits::Metres
    };
    Ok(Crs { epsg: code, name: wkt_name(def.wkt).unwrap_or_default(), units })
}

/// The OGC WKT of an EPSG code, as written to gpkg_spatial_ref_sys and .prj files.
pub fn wkt_of(code: u32) -> Option<&'static str> {
    definition(code).map(|d| d.wkt)
}

/// The name in the outermost `XXX["name", …` of a WKT.
fn wkt_name(wkt: &str) -> Option<String> {
    let start = wkt.find("[\"")? + 2;
    let end = start + wkt[start..].find('"')?;
    Some(wkt[start..end].to_string())
}

/// The CGCS2000 3-degree Gauss-Krüger CRS (EPSG:4534–4554, no zone prefix) whose central meridian is
/// nearest `lon`: what Chinese planners work in. Outside China's longitudes: the UTM zone.
pub fn gauss_kruger_3deg_for(lon: f64, lat: f64) -> Crs {
    let cm = (lon / 3.0).round() * 3.0;
    let code = if (75.0..=135.0).contains(&cm) {
        4534 + ((cm - 75.0) / 3.0) as u32
    } else {
        let zone = (((lon + 180.0) / 6.0).floor() as u32).clamp(0, 59) + 1;
        if lat >= 0.0 { 32600 + zone } else { 32700 + zone }
    };
    // Every code above is in the bundled table (tested), so lookup cannot fail; fall back to 4490 anyway.
    crs_from_epsg(code).unwrap_or(Crs {
        epsg: 4490,
        name: "China Geodetic Coordinate System 2000".into(),
        units: CrsUnits::Degrees,
    })
}

/// The geodetic datum of a CRS, as a map's coordinate-system line names it.
#[derive(Clone, Debug, PartialEq)]
pub enum Datum {
    Cgcs2000,
    Wgs84,
    Xian1980,
    Beijing1954,
    /// Any other, by the name its WKT gives it.
    Other(String),
}

/// How a CRS maps the earth onto the sheet.
#[derive(Clone, Debug, PartialEq)]
pub enum Projection {
    /// Longitude and latitude in degrees.
    Geographic,
    /// Gauss-Krüger (Transverse Mercator, scale 1) in a 3° or 6° zone; `zone` when the false easting
    /// carries the zone number before the 500 km.
    GaussKruger {
        zone_width_deg: u32,
        central_meridian_deg: f64,
        zone: Option<u32>,
    },
    Utm {
        zone: u32,
        south: bool,
    },
    WebMercator,
    /// Anything else, by its name.
    Other(String),
}

/// What a CRS is, read from its definition (datum, projection and parameters), not from a table of
/// names: the words for it are in `text::print::crs_line`.
#[derive(Clone, Debug, PartialEq)]
pub struct CrsDescription {
    pub datum: Datum,
    pub projection: Projection,
}

/// The `DATUM["…"` name of a WKT.
fn wkt_datum(wkt: &str) -> Option<String> {
    let start = wkt.find("DATUM[\"")? + 7;
    let end = start + wkt[start..].find('"')?;
    Some(wkt[start..end].to_string())
}

/// Describes a CRS from its EPSG definition. Unknown codes come back as `Other` with the CRS's name.
pub fn describe_crs(crs: &Crs) -> CrsDescription {
    let Some(def) = definition(crs.epsg) else {
        return CrsDescription {
            datum: Datum::Other(crs.name.clone()),
            projection: Projection::Other(crs.name.clone()),
        };
    };
    let proj4 = def.proj4;
    let datum_name = wkt_datum(def.wkt).unwrap_or_default();
    let datum = match datum_name.to_ascii_lowercase().as_str() {
        "china_2000" => Datum::Cgcs2000,
        "wgs_1984" => Datum::Wgs84,
        "xian_1980" => Datum::Xian1980,
        "beijing_1954" => Datum::Beijing1954,
        _ => Datum::Other(datum_name.replace('_', " ")),
    };
    let param = |key: &str| -> Option<f64> {
        proj4.split_whitespace().find_map(|p| p.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
    };
    let name = wkt_name(def.wkt).unwrap_or_else(|| crs.name.clone());
    let projection = if proj4.contains("+proj=longlat") || proj4.contains("+proj=latlong") {
        Projection::Geographic
    } else if crs.units == CrsUnits::WebMercator {
        Projection::WebMercator
    } else if proj4.contains("+proj=utm") {
        match param("+zone") {
            Some(zone) if zone.fract() == 0.0 && (1.0..=60.0).contains(&zone) => {
                Projection::Utm { zone: zone as u32, south: proj4.contains("+south") }
            }
            _ => Projection::Other(name),
        }
    } else if proj4.contains("+proj=tmerc")
        && param("+k").unwrap_or(1.0) == 1.0
        && param("+lat_0").unwrap_or(0.0) == 0.0
    {
        let cm = param("+lon_0").unwrap_or(f64::NAN);
        let x_0 = param("+x_0").unwrap_or(f64::NAN);
        // The zone number in millions before the 500 km false easting: 3° zones are numbered by
        // cm / 3, 6° zones by (cm + 3) / 6; without it the name says which series the zone is of.
        let prefix = ((x_0 - 500_000.0) / 1e6).round();
        let prefixed = prefix >= 1.0 && (x_0 - 500_000.0 - prefix * 1e6).abs() < 1e-6;
        let lower = name.to_ascii_lowercase();
        let three_named = lower.contains("3-degree") || lower.contains("3 degree") || name.contains("3度");
        let width = if prefixed {
            if prefix == (cm / 3.0).round() {
                Some(3)
            } else if prefix == ((cm + 3.0) / 6.0).round() {
                Some(6)
            } else {
                None
            }
        } else if x_0 == 500_000.0 {
            Some(if three_named { 3 } else { 6 })
        } else {
            None
        };
        match width {
            Some(w) if cm.is_finite() && matches!(datum, Datum::Cgcs2000 | Datum::Xian1980 | Datum::Beijing1954) => {
                Projection::GaussKruger {
                    zone_width_deg: w,
                    central_meridian_deg: cm,
                    zone: prefixed.then_some(prefix as u32),
                }
            }
            _ => Projection::Other(name),
        }
    } else {
        Projection::Other(name)
    };
    CrsDescription { datum, projection }
}

/// Recognises the CRS of a .prj file or a GeoPackage `definition`: by its EPSG authority when present,
/// else by the datum and projection parameters (ESRI .prj files carry no authority). Names may hold any
/// text (Chinese software writes e.g. `PROJCS["CGCS2000 3度带 117E", …]`).
pub fn crs_from_wkt(wkt: &str) -> Result<Crs, CrsError> {
    // A byte-order mark or blank lines before the WKT are common in .prj files written on Windows.
    let wkt = wkt.trim_start_matches('\u{feff}').trim();
    if let Some(code) = top_level_epsg(wkt) {
        return crs_from_epsg(code);
    }
    let code = epsg_from_parameters(wkt).ok_or_else(|| CrsError::UnrecognisedWkt(shorten(wkt)))?;
    crs_from_epsg(code)
}

/// The text of a .prj file: UTF-8 (with or without BOM), else GBK (what Chinese desktop GIS writes),
/// else UTF-8 with the undecodable bytes replaced — the names may suffer, the parameters do not.
pub fn prj_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let (text, _, had_errors) = encoding_rs::GBK.decode(bytes);
    if had_errors { String::from_utf8_lossy(bytes).into_owned() } else { text.into_owned() }
}

/// [`crs_from_wkt`] on the bytes of a .prj file (see [`prj_text`]).
pub fn crs_from_prj_bytes(bytes: &[u8]) -> Result<Crs, CrsError> {
    crs_from_wkt(&prj_text(bytes))
}

fn shorten(text: &str) -> String {
    let t: String = text.chars().take(120).collect();
    if t.len() < text.len() { format!("{t}…") } else { t }
}

/// The EPSG code in an `AUTHORITY["EPSG","n"]` (WKT1) or `ID["EPSG",n]` (WKT2) at nesting depth 1.
/// Works on bytes: the prefixes are ASCII, and a multi-byte character never matches one.
fn top_level_epsg(wkt: &str) -> Option<u32> {
    let mut depth = 0usize;
    let mut found = None;
    let bytes = wkt.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'[' | b'(' => depth += 1,
            b']' | b')' => depth = depth.saturating_sub(1),
            _ if depth == 1 => {
                let rest = &bytes[i..];
                for prefix in [&b"AUTHORITY[\"EPSG\",\""[..], &b"ID[\"EPSG\","[..]] {
                    if rest.len() > prefix.len() && rest[..prefix.len()].eq_ignore_ascii_case(prefix) {
                        let digits = &rest[prefix.len()..];
                        let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
                        found = std::str::from_utf8(&digits[..n]).ok().and_then(|d| d.parse().ok()).or(found);
                    }
                }
            }
            _ => {}
        }
    }
    found
}

fn parameter(wkt_lower: &str, name: &str) -> Option<f64> {
    let key = format!("parameter[\"{name}\",");
    let start = wkt_lower.find(&key)? + key.len();
    let end = start + wkt_lower[start..].find(']')?;
    wkt_lower[start..end].trim().parse().ok()
}

fn epsg_from_parameters(wkt: &str) -> Option<u32> {
    let w = wkt.to_ascii_lowercase();
    let cgcs2000 = w.contains("2000") && (w.contains("china") || w.contains("cgcs"));
    let wgs84 = w.contains("wgs_1984") || w.contains("wgs 84") || w.contains("wgs84");
    let projected = w.starts_with("projcs") || w.starts_with("projcrs");
    if !projected {
        return if cgcs2000 {
            Some(4490)
        } else if wgs84 {
            Some(4326)
        } else {
            None
        };
    }
    if w.contains("mercator_auxiliary_sphere") || w.contains("popular_visualisation") || w.contains("pseudo-mercator") {
        return Some(3857);
    }
    if !(w.contains("transverse_mercator") || w.contains("gauss_kruger") || w.contains("gauss-kruger")) {
        return None;
    }
    let cm = parameter(&w, "central_meridian")?;
    let fe = parameter(&w, "false_easting")?;
    let k = parameter(&w, "scale_factor").unwrap_or(1.0);
    if cgcs2000 && k == 1.0 && cm.fract() == 0.0 {
        let cm = cm as i64;
        let six_degree = w.contains("6_degree") || w.contains("6-degree") || w.contains("6度");
        if fe == 500_000.0 && cm % 3 == 0 && (75..=135).contains(&cm) {
            // Same parameters for the 3° "CM" and 6° "CM" series; the name says which one it is.
            return Some(if six_degree && (cm + 3) % 6 == 0 {
                4502 + ((cm - 75) / 6) as u32
            } else {
                4534 + ((cm - 75) / 3) as u32
            });
        }
        let zone3 = cm / 3;
        if cm % 3 == 0 && (25..=45).contains(&zone3) && fe == zone3 as f64 * 1e6 + 500_000.0 && !six_degree {
            return Some(4513 + (zone3 - 25) as u32);
        }
        let zone6 = (cm + 3) / 6;
        if (cm + 3) % 6 == 0 && (13..=23).contains(&zone6) && fe == zone6 as f64 * 1e6 + 500_000.0 {
            return Some(4491 + (zone6 - 13) as u32);
        }
        return None;
    }
    if wgs84 && k == 0.9996 && fe == 500_000.0 && (cm + 183.0) % 6.0 == 0.0 {
        let zone = ((cm + 183.0) / 6.0) as u32;
        let south = parameter(&w, "false_northing").unwrap_or(0.0) == 10_000_000.0;
        return (1..=60).contains(&zone).then_some(if south { 32700 } else { 32600 } + zone);
    }
    None
}

/// Where a CRS can be used, in longitude/latitude degrees (with a margin: data "far outside" it lies
/// beyond these bounds). Coordinates outside mean nothing useful — Transverse Mercator far from its
/// central meridian folds the globe onto itself, so lon −170°, lat −80° in a 117°E Gauss-Krüger zone
/// comes back as somewhere near 130°E.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AreaOfUse {
    pub lon_min: f64,
    pub lon_max: f64,
    pub lat_min: f64,
    pub lat_max: f64,
}

impl AreaOfUse {
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        (self.lon_min..=self.lon_max).contains(&lon) && (self.lat_min..=self.lat_max).contains(&lat)
    }
}

impl std::fmt::Display for AreaOfUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "lon {}° – {}°, lat {}° – {}°", self.lon_min, self.lon_max, self.lat_min, self.lat_max)
    }
}

/// How far beyond a Transverse Mercator zone's edge data is still taken as meant for it (degrees):
/// a county straddling a zone edge is often kept in one zone; three degrees further is another place.
const ZONE_MARGIN_DEG: f64 = 3.0;

/// The area of use of a CRS: the world for lon/lat, ±85° for Web Mercator, and for Transverse Mercator
/// (Gauss-Krüger, UTM) the zone with a margin — CGCS2000 zones within 0–60°N (China lies within
/// 3–54°N), UTM zones in their hemisphere. `None` for projections not checked.
pub fn area_of_use(crs: &Crs) -> Option<AreaOfUse> {
    let world = AreaOfUse { lon_min: -180.0, lon_max: 180.0, lat_min: -90.0, lat_max: 90.0 };
    match crs.units {
        CrsUnits::Degrees => return Some(world),
        CrsUnits::WebMercator => return Some(AreaOfUse { lat_min: -85.06, lat_max: 85.06, ..world }),
        CrsUnits::Metres => {}
    }
    let proj4 = definition(crs.epsg)?.proj4;
    let param = |key: &str| -> Option<f64> {
        proj4.split_whitespace().find_map(|p| p.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
    };
    let (lon_0, half_width, lat_min, lat_max) = if proj4.contains("+proj=utm") {
        let zone = param("+zone")?;
        let south = proj4.contains("+south");
        (zone * 6.0 - 183.0, 3.0, if south { -80.0 } else { -5.0 }, if south { 5.0 } else { 84.0 })
    } else if proj4.contains("+proj=tmerc") {
        let half_width = match crs.epsg {
            4491..=4512 => 3.0,
            4513..=4554 => 1.5,
            _ => 3.0,
        };
        let (lat_min, lat_max) = if (4491..=4554).contains(&crs.epsg) { (0.0, 60.0) } else { (-85.0, 85.0) };
        (param("+lon_0")?, half_width, lat_min, lat_max)
    } else {
        return None;
    };
    let reach = half_width + ZONE_MARGIN_DEG;
    Some(AreaOfUse { lon_min: lon_0 - reach, lon_max: lon_0 + reach, lat_min, lat_max })
}

enum Stage {
    Proj(Proj),
    /// GCJ-02 or BD-09: undo the offset to WGS84 lon/lat, then project from WGS84 (held here).
    Gcj02(Proj),
    Bd09(Proj),
}

/// Transforms coordinates from a source CRS to a target EPSG CRS. Geographic coordinates are in degrees
/// on both sides (proj4rs works in radians internally).
pub struct Transformer {
    from: Stage,
    to: Proj,
    to_latlong: bool,
    identity: bool,
    labels: (String, String),
}

impl Transformer {
    pub fn new(from: &SourceCrs, to: &Crs) -> Result<Transformer, CrsError> {
        let proj = |crs: &Crs| -> Result<Proj, CrsError> {
            let def = definition(crs.epsg).ok_or(CrsError::UnknownEpsg(crs.epsg))?;
            Proj::from_proj_string(def.proj4).map_err(|e| CrsError::Projection(crs.epsg, e.to_string()))
        };
        let wgs84 = || proj(&Crs { epsg: 4326, name: String::new(), units: CrsUnits::Degrees });
        let (stage, identity) = match from {
            SourceCrs::Epsg(crs) => (Stage::Proj(proj(crs)?), crs.epsg == to.epsg),
            SourceCrs::Gcj02 => (Stage::Gcj02(wgs84()?), false),
            SourceCrs::Bd09 => (Stage::Bd09(wgs84()?), false),
        };
        let target = proj(to)?;
        let to_latlong = target.is_latlong();
        Ok(Transformer { from: stage, to: target, to_latlong, identity, labels: (from.label(), to.auth_id()) })
    }

    pub fn is_identity(&self) -> bool {
        self.identity
    }

    pub fn apply(&self, c: Coord<f64>) -> Result<Coord<f64>, CrsError> {
        if self.identity {
            return Ok(c);
        }
        let fail = |reason: String| CrsError::Transform {
            x: c.x,
            y: c.y,
            from: self.labels.0.clone(),
            to: self.labels.1.clone(),
            reason,
        };
        let (src, mut p) = match &self.from {
            Stage::Proj(p) => (p, c),
            Stage::Gcj02(wgs84) => (wgs84, china_offsets::gcj02_to_wgs84(c)),
            Stage::Bd09(wgs84) => (wgs84, china_offsets::bd09_to_wgs84(c)),
        };
        if src.is_latlong() {
            p = Coord { x: p.x.to_radians(), y: p.y.to_radians() };
        }
        let (x, y) = proj4rs::adaptors::transform_xy(src, &self.to, p.x, p.y).map_err(|e| fail(e.to_string()))?;
        let out = if self.to_latlong { Coord { x: x.to_degrees(), y: y.to_degrees() } } else { Coord { x, y } };
        if out.x.is_finite() && out.y.is_finite() { Ok(out) } else { Err(fail("result is not finite".into())) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_esri_prj_without_authority() {
        let esri_gk = r#"PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(crs_from_wkt(esri_gk).unwrap().epsg, 4548);
        let zone39 = esri_gk.replace("CM_117E", "Zone_39").replace("500000.0", "39500000.0");
        assert_eq!(crs_from_wkt(&zone39).unwrap().epsg, 4527);
        let six = esri_gk.replace("3_Degree", "6_Degree").replace("500000.0", "20500000.0");
        assert_eq!(crs_from_wkt(&six).unwrap().epsg, 4498); // 6° zone 20 (CM 117E)
        let geo = r#"GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(crs_from_wkt(geo).unwrap().epsg, 4490);
        let utm = r#"PROJCS["WGS_1984_UTM_Zone_50N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(crs_from_wkt(utm).unwrap().epsg, 32650);
    }

    /// Issue 10: a non-ASCII name at depth 1 made the authority scan slice inside a character (panic).
    #[test]
    fn recognises_wkt_with_chinese_names() {
        let gk = r#"PROJCS["CGCS2000 3度带 117E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",117],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],AXIS["东",EAST],AXIS["北",NORTH]]"#;
        assert_eq!(crs_from_wkt(gk).unwrap().epsg, 4548);
        let with_authority = gk.replace("AXIS[\"东\",EAST]", "AUTHORITY[\"EPSG\",\"4549\"],AXIS[\"东\",EAST]");
        assert_eq!(crs_from_wkt(&with_authority).unwrap().epsg, 4549, "the authority wins over the parameters");
        let six = gk.replace("3度带", "6度带").replace("500000", "20500000");
        assert_eq!(crs_from_wkt(&six).unwrap().epsg, 4498);
        // Saved as GBK by Chinese desktop GIS, with a BOM-less first line break.
        let (gbk, _, _) = encoding_rs::GBK.encode(gk);
        assert_eq!(crs_from_prj_bytes(&gbk).unwrap().epsg, 4548);
        let mut bom = b"\xEF\xBB\xBF\r\n".to_vec();
        bom.extend_from_slice(gk.as_bytes());
        assert_eq!(crs_from_prj_bytes(&bom).unwrap().epsg, 4548, "a BOM must not make it read as geographic");
        // Every cut of the text, even inside a character, is an answer and never a panic.
        for cut in 0..gk.len() {
            let _ = crs_from_prj_bytes(&gk.as_bytes()[..cut]);
        }
        assert!(matches!(
            crs_from_wkt("LOCAL_CS[\"网格\",AUTHORITY[\"EPSG\",\"x\"]]"),
            Err(CrsError::UnrecognisedWkt(_))
        ));
    }

    #[test]
    fn reads_the_authority_of_the_outer_crs_not_of_its_datum() {
        let wkt = wkt_of(4548).unwrap();
        assert_eq!(crs_from_wkt(wkt).unwrap().epsg, 4548);
        assert!(matches!(crs_from_wkt("LOCAL_CS[\"x\"]"), Err(CrsError::UnrecognisedWkt(_))));
    }

    #[test]
    fn all_required_codes_are_known() {
        let codes = [4326, 4490, 3857].into_iter().chain(4491..=4554).chain(32601..=32660);
        for code in codes {
            let crs = crs_from_epsg(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert!(wkt_of(code).is_some());
            Transformer::new(&SourceCrs::Epsg(crs_from_epsg(4490).unwrap()), &crs).unwrap();
        }
        assert_eq!(crs_from_epsg(3857).unwrap().units, CrsUnits::WebMercator);
        assert_eq!(crs_from_epsg(4490).unwrap().units, CrsUnits::Degrees);
        assert_eq!(gauss_kruger_3deg_for(118.4, 30.7).epsg, 4548);
    }

    #[test]
    fn areas_of_use_follow_the_zone() {
        let gk117 = area_of_use(&crs_from_epsg(4548).unwrap()).unwrap();
        assert_eq!((gk117.lon_min, gk117.lon_max, gk117.lat_min, gk117.lat_max), (112.5, 121.5, 0.0, 60.0));
        assert!(gk117.contains(118.4, 30.7));
        assert!(!gk117.contains(-170.0, -80.0), "the case of issue 10");
        let six = area_of_use(&crs_from_epsg(4498).unwrap()).unwrap();
        assert_eq!((six.lon_min, six.lon_max), (111.0, 123.0));
        let utm50s = area_of_use(&crs_from_epsg(32750).unwrap()).unwrap();
        assert_eq!((utm50s.lon_min, utm50s.lon_max, utm50s.lat_min, utm50s.lat_max), (111.0, 123.0, -80.0, 5.0));
        assert!(area_of_use(&crs_from_epsg(4490).unwrap()).unwrap().contains(-170.0, -80.0));
        assert!(!area_of_use(&crs_from_epsg(3857).unwrap()).unwrap().contains(0.0, 89.0));
    }

    #[test]
    fn describes_crs_from_their_definitions() {
        let d = |code| describe_crs(&crs_from_epsg(code).unwrap());
        let gk = |w, cm, zone| Projection::GaussKruger { zone_width_deg: w, central_meridian_deg: cm, zone };
        assert_eq!(d(4490), CrsDescription { datum: Datum::Cgcs2000, projection: Projection::Geographic });
        assert_eq!(d(4326), CrsDescription { datum: Datum::Wgs84, projection: Projection::Geographic });
        assert_eq!(d(3857), CrsDescription { datum: Datum::Wgs84, projection: Projection::WebMercator });
        assert_eq!(d(4548).projection, gk(3, 117.0, None));
        assert_eq!(d(4548).datum, Datum::Cgcs2000);
        assert_eq!(d(4513).projection, gk(3, 75.0, Some(25)));
        assert_eq!(d(4527).projection, gk(3, 117.0, Some(39)));
        assert_eq!(d(4491).projection, gk(6, 75.0, Some(13)));
        assert_eq!(d(4498).projection, gk(6, 117.0, Some(20)));
        assert_eq!(d(4509).projection, gk(6, 117.0, None));
        assert_eq!(d(32650).projection, Projection::Utm { zone: 50, south: false });
        assert_eq!(d(32750).projection, Projection::Utm { zone: 50, south: true });
        assert_eq!(d(2383), CrsDescription { datum: Datum::Xian1980, projection: gk(3, 114.0, None) });
        assert_eq!(d(2435).datum, Datum::Beijing1954);
    }

    #[test]
    fn parses_user_crs_names() {
        assert_eq!(parse_crs_arg("EPSG:4548").unwrap(), SourceCrs::Epsg(crs_from_epsg(4548).unwrap()));
        assert_eq!(parse_crs_arg("gcj02").unwrap(), SourceCrs::Gcj02);
        assert!(matches!(parse_crs_arg("EPSG:1"), Err(CrsError::UnknownEpsg(1))));
        assert!(matches!(parse_crs_arg("mars"), Err(CrsError::UnknownName(_))));
    }
}
