//! The georeferencing of a GeoTIFF from its tags: where its pixels are (ModelTiepoint + ModelPixelScale,
//! or ModelTransformation), whether a pixel's coordinates are its corner or its centre
//! (GTRasterTypeGeoKey: PixelIsArea or PixelIsPoint) and its CRS (ProjectedCSTypeGeoKey or
//! GeographicTypeGeoKey → EPSG, or the ESRI WKT some writers put in the citation).

use std::io::{Read, Seek};

use tiff::decoder::Decoder;
use tiff::tags::Tag;

use super::error::GeoTiffProblem;

/// Pixel (column, row; (0, 0) the north-west corner of the first pixel, growing east and south) to
/// world coordinates of the image CRS: `x = c + a·col + b·row`, `y = f + d·col + e·row`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PixelToWorld {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl PixelToWorld {
    pub fn apply(&self, col: f64, row: f64) -> (f64, f64) {
        (self.c + self.a * col + self.b * row, self.f + self.d * col + self.e * row)
    }

    /// The inverse (world → pixel), `None` when the transform is degenerate or not finite.
    pub fn inverse(&self) -> Option<PixelToWorld> {
        let det = self.a * self.e - self.b * self.d;
        let all = [self.a, self.b, self.c, self.d, self.e, self.f];
        if !(det.is_finite() && det.abs() > 1e-300 && all.iter().all(|v| v.is_finite())) {
            return None;
        }
        let (a, b, d, e) = (self.e / det, -self.b / det, -self.d / det, self.a / det);
        let inv = PixelToWorld { a, b, c: -(a * self.c + b * self.f), d, e, f: -(d * self.c + e * self.f) };
        [inv.a, inv.b, inv.c, inv.d, inv.e, inv.f].iter().all(|v| v.is_finite()).then_some(inv)
    }

    /// Ground units per pixel (the geometric mean of the two axes' scale).
    pub fn pixel_size(&self) -> f64 {
        (self.a * self.e - self.b * self.d).abs().sqrt()
    }

    /// Shifted by half a pixel towards the north-west: a PixelIsPoint transform (coordinates of the pixel
    /// centres) as a PixelIsArea one.
    pub fn from_centre_to_corner(&self) -> PixelToWorld {
        let (c, f) = self.apply(-0.5, -0.5);
        PixelToWorld { c, f, ..*self }
    }
}

/// How the CRS of the image is named in its GeoKeys.
#[derive(Clone, Debug, PartialEq)]
pub enum GeoKeyCrs {
    /// No CRS keys.
    None,
    Epsg(u32),
    /// A WKT found in a citation (ESRI writes its PE string there for user-defined systems).
    Wkt(String),
    /// User-defined (32767) without a usable citation.
    UserDefined,
}

/// What the GeoTIFF tags say.
#[derive(Clone, Debug, PartialEq)]
pub struct GeoTags {
    /// Already as PixelIsArea.
    pub transform: Option<PixelToWorld>,
    pub crs: GeoKeyCrs,
    pub pixel_is_point: bool,
}

const GT_MODEL_TYPE: u16 = 1024;
const GT_RASTER_TYPE: u16 = 1025;
const GT_CITATION: u16 = 1026;
const GEOGRAPHIC_TYPE: u16 = 2048;
const GEOG_CITATION: u16 = 2049;
const PROJECTED_CS_TYPE: u16 = 3072;
const PCS_CITATION: u16 = 3073;
const USER_DEFINED: u16 = 32767;
const GEO_ASCII_PARAMS: u16 = 34737;

/// Reads the GeoTIFF tags of the decoder's current image.
pub fn read_geo_tags<R: Read + Seek>(decoder: &mut Decoder<R>) -> Result<GeoTags, GeoTiffProblem> {
    let f64s = |decoder: &mut Decoder<R>, tag: Tag| -> Result<Option<Vec<f64>>, GeoTiffProblem> {
        match decoder.find_tag(tag) {
            Ok(Some(v)) => v.into_f64_vec().map(Some).map_err(|e| bad_tag(tag, e)),
            Ok(None) => Ok(None),
            Err(e) => Err(bad_tag(tag, e)),
        }
    };
    let scale = f64s(decoder, Tag::ModelPixelScaleTag)?;
    let tiepoints = f64s(decoder, Tag::ModelTiepointTag)?;
    let matrix = f64s(decoder, Tag::ModelTransformationTag)?;
    let keys = match decoder.find_tag(Tag::GeoKeyDirectoryTag) {
        Ok(Some(v)) => v.into_u16_vec().map_err(|e| bad_tag(Tag::GeoKeyDirectoryTag, e))?,
        Ok(None) => Vec::new(),
        Err(e) => return Err(bad_tag(Tag::GeoKeyDirectoryTag, e)),
    };
    let ascii = match decoder.find_tag(Tag::GeoAsciiParamsTag) {
        Ok(Some(v)) => v.into_string().unwrap_or_default(),
        _ => String::new(),
    };
    let keys = parse_geo_keys(&keys);
    let pixel_is_point = keys.raster_type == Some(2);
    let transform = transform_from(scale.as_deref(), tiepoints.as_deref(), matrix.as_deref())?
        .map(|t| if pixel_is_point { t.from_centre_to_corner() } else { t });
    Ok(GeoTags { transform, crs: keys.crs(&ascii), pixel_is_point })
}

fn bad_tag(tag: Tag, e: tiff::TiffError) -> GeoTiffProblem {
    GeoTiffProblem::Damaged(format!("tag {tag:?}: {e}"))
}

/// The pixel → world transform of the tags: ModelTransformation (its 2-D part), else the first tiepoint
/// with the pixel scale. `None` when the tags are not there; an error when they are but are unusable.
pub fn transform_from(
    scale: Option<&[f64]>,
    tiepoints: Option<&[f64]>,
    matrix: Option<&[f64]>,
) -> Result<Option<PixelToWorld>, GeoTiffProblem> {
    let transform = if let Some(m) = matrix {
        let [a, b, _, c, d, e, _, f, ..] = *m else {
            return Err(GeoTiffProblem::Damaged(format!("ModelTransformation has {} values, not 16", m.len())));
        };
        PixelToWorld { a, b, c, d, e, f }
    } else {
        match (scale, tiepoints) {
            (Some([sx, sy, ..]), Some([i, j, _, x, y, ..])) => {
                PixelToWorld { a: *sx, b: 0.0, c: x - i * sx, d: 0.0, e: -sy, f: y + j * sy }
            }
            (None, None) => return Ok(None),
            // A tiepoint alone (several of them: a warped image) or a scale alone cannot place the image.
            (_, _) => return Ok(None),
        }
    };
    if transform.inverse().is_none() {
        return Err(GeoTiffProblem::DegenerateTransform);
    }
    Ok(Some(transform))
}

/// The GeoKeys Wangge reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeoKeys {
    pub model_type: Option<u16>,
    pub raster_type: Option<u16>,
    pub geographic: Option<u16>,
    pub projected: Option<u16>,
    /// Citations kept in GeoAsciiParams: (offset, count).
    pub citations: Vec<(usize, usize)>,
}

impl GeoKeys {
    /// The CRS the keys name, looking into the citations (`ascii` is GeoAsciiParams) for a WKT when
    /// the system is user-defined.
    pub fn crs(&self, ascii: &str) -> GeoKeyCrs {
        let code = match (self.model_type, self.projected, self.geographic) {
            (Some(2), _, Some(g)) => Some(g),
            (_, Some(p), _) => Some(p),
            (_, None, Some(g)) => Some(g),
            _ => None,
        };
        match code {
            Some(USER_DEFINED) | None => {
                for &(offset, count) in &self.citations {
                    let text: String = ascii.chars().skip(offset).take(count).collect();
                    if let Some(start) = text.find("PROJCS[").or_else(|| text.find("GEOGCS[")) {
                        return GeoKeyCrs::Wkt(text[start..].trim_end_matches(['|', '\0']).to_string());
                    }
                }
                if code.is_some() { GeoKeyCrs::UserDefined } else { GeoKeyCrs::None }
            }
            Some(code) => GeoKeyCrs::Epsg(u32::from(code)),
        }
    }
}

/// Reads a GeoKeyDirectory (`[version, revision, minor, count, (key, location, count, value)…]`);
/// anything malformed is skipped, never trusted.
pub fn parse_geo_keys(directory: &[u16]) -> GeoKeys {
    let mut keys = GeoKeys::default();
    let Some(&[_, _, _, count]) = directory.get(..4) else { return keys };
    for entry in directory[4..].chunks_exact(4).take(usize::from(count)) {
        let (key, location, n, value) = (entry[0], entry[1], entry[2], entry[3]);
        let inline = (location == 0).then_some(value);
        match key {
            GT_MODEL_TYPE => keys.model_type = inline,
            GT_RASTER_TYPE => keys.raster_type = inline,
            GEOGRAPHIC_TYPE => keys.geographic = inline,
            PROJECTED_CS_TYPE => keys.projected = inline,
            GT_CITATION | GEOG_CITATION | PCS_CITATION if location == GEO_ASCII_PARAMS => {
                keys.citations.push((usize::from(value), usize::from(n)));
            }
            _ => {}
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiepoint_and_scale_or_matrix() {
        let t = transform_from(Some(&[0.5, 0.5, 0.0]), Some(&[0.0, 0.0, 0.0, 39_600_000.0, 3_400_000.0, 0.0]), None)
            .unwrap()
            .unwrap();
        assert_eq!(t.apply(10.0, 20.0), (39_600_005.0, 3_399_990.0));
        let inv = t.inverse().unwrap();
        let (col, row) = inv.apply(39_600_005.0, 3_399_990.0);
        assert!((col - 10.0).abs() < 1e-9 && (row - 20.0).abs() < 1e-9);
        assert_eq!(t.pixel_size(), 0.5);
        // A tiepoint at another pixel than (0, 0).
        let t2 = transform_from(Some(&[2.0, 2.0]), Some(&[5.0, 5.0, 0.0, 110.0, 90.0, 0.0]), None).unwrap().unwrap();
        assert_eq!(t2.apply(0.0, 0.0), (100.0, 100.0));
        let m = [1.0, 0.5, 0.0, 100.0, 0.25, -1.0, 0.0, 200.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        let t3 = transform_from(None, None, Some(&m)).unwrap().unwrap();
        assert_eq!(t3.apply(2.0, 2.0), (103.0, 198.5));
        let (col, row) = t3.inverse().unwrap().apply(103.0, 198.5);
        assert!((col - 2.0).abs() < 1e-9 && (row - 2.0).abs() < 1e-9);
        assert_eq!(transform_from(None, None, None), Ok(None));
        assert_eq!(
            transform_from(Some(&[0.0, 1.0, 0.0]), Some(&[0.0; 6]), None),
            Err(GeoTiffProblem::DegenerateTransform)
        );
        assert!(transform_from(None, None, Some(&[1.0, 2.0])).is_err());
        assert_eq!(
            transform_from(Some(&[f64::NAN, 1.0]), Some(&[0.0; 6]), None),
            Err(GeoTiffProblem::DegenerateTransform)
        );
    }

    #[test]
    fn pixel_is_point_moves_half_a_pixel() {
        let t = PixelToWorld { a: 2.0, b: 0.0, c: 100.0, d: 0.0, e: -2.0, f: 200.0 };
        assert_eq!(t.from_centre_to_corner().apply(0.0, 0.0), (99.0, 201.0));
    }

    #[test]
    fn geo_keys() {
        // GDAL's keys for EPSG:4527: model type 1, raster type 1 (area), projected CS 4527.
        let dir = [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 4527];
        let keys = parse_geo_keys(&dir);
        assert_eq!(keys.crs(""), GeoKeyCrs::Epsg(4527));
        assert_eq!(keys.raster_type, Some(1));
        let geo = [1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 2, 2048, 0, 1, 4490];
        let keys = parse_geo_keys(&geo);
        assert_eq!((keys.crs(""), keys.raster_type), (GeoKeyCrs::Epsg(4490), Some(2)));
        // User-defined, with ESRI's PE string in the citation.
        let user = [1, 1, 0, 2, 3072, 0, 1, 32767, 1026, 34737, 30, 0];
        let ascii = "ESRI PE String = PROJCS[\"x\"]|";
        assert_eq!(parse_geo_keys(&user).crs(ascii), GeoKeyCrs::Wkt("PROJCS[\"x\"]".into()));
        assert_eq!(parse_geo_keys(&user).crs("nothing"), GeoKeyCrs::UserDefined);
        // Malformed directories are skipped, not trusted.
        assert_eq!(parse_geo_keys(&[1, 1]).crs(""), GeoKeyCrs::None);
        assert_eq!(parse_geo_keys(&[1, 1, 0, 60000, 3072, 0, 1]).crs(""), GeoKeyCrs::None);
        assert_eq!(parse_geo_keys(&[1, 1, 0, 1, 3072, 34736, 1, 0]).crs(""), GeoKeyCrs::None);
    }
}
