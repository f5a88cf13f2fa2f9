//! The files beside an image that georeference it when its tags do not: a world file (`.tfw`, also
//! `.tifw`, `.tiffw`, `.wld`) with the six numbers of the affine transform, and a `.prj` with the CRS.

use std::path::{Path, PathBuf};

use super::error::GeoTiffProblem;
use super::header::PixelToWorld;
use crate::core::Crs;
use crate::io::crs::crs_from_prj_bytes;

/// The world file beside `image`, if any: `name.tfw`, `name.tifw`, `name.tiffw`, `name.wld`, any case.
pub fn world_file_of(image: &Path) -> Option<PathBuf> {
    ["tfw", "tifw", "tiffw", "wld", "TFW", "TIFW", "TIFFW", "WLD"]
        .iter()
        .map(|ext| image.with_extension(ext))
        .find(|p| p.is_file())
}

/// The `.prj` beside `image`, if any.
pub fn prj_of(image: &Path) -> Option<PathBuf> {
    ["prj", "PRJ"].iter().map(|ext| image.with_extension(ext)).find(|p| p.is_file())
}

/// Reads a world file: six numbers, one a line — x size, y rotation, x rotation, y size (negative),
/// then x and y of the centre of the north-west pixel — as a corner-based transform.
///
/// ```
/// use wangge::io::tiles::geotiff::parse_world_file;
/// let t = parse_world_file("0.5\n0\n0\n-0.5\n39600000.25\n3400000.75\n").unwrap();
/// assert_eq!(t.apply(0.0, 0.0), (39_600_000.0, 3_400_001.0));
/// ```
pub fn parse_world_file(text: &str) -> Result<PixelToWorld, String> {
    let numbers: Vec<&str> = text.split_whitespace().collect();
    if numbers.len() != 6 {
        return Err(format!("expected 6 numbers, found {}", numbers.len()));
    }
    let mut v = [0.0; 6];
    for (slot, n) in v.iter_mut().zip(&numbers) {
        *slot = n.parse::<f64>().map_err(|_| format!("{n:?} is not a number"))?;
    }
    let [a, d, b, e, c, f] = v;
    let centre = PixelToWorld { a, b, c, d, e, f };
    if centre.inverse().is_none() {
        return Err("the pixel size is zero or not a number".into());
    }
    Ok(centre.from_centre_to_corner())
}

/// The world file beside `image` read, if there is one.
pub fn read_world_file(image: &Path) -> Result<Option<PixelToWorld>, GeoTiffProblem> {
    let Some(file) = world_file_of(image) else { return Ok(None) };
    let bad = |reason: String| GeoTiffProblem::BadWorldFile { file: file.display().to_string(), reason };
    let bytes = std::fs::read(&file).map_err(|e| bad(e.to_string()))?;
    if bytes.len() > 4096 {
        return Err(bad("too long for a world file".into()));
    }
    parse_world_file(&String::from_utf8_lossy(&bytes)).map(Some).map_err(bad)
}

/// The CRS of the `.prj` beside `image`, if there is one.
pub fn read_prj(image: &Path) -> Result<Option<Crs>, GeoTiffProblem> {
    let Some(file) = prj_of(image) else { return Ok(None) };
    let bad = |reason: String| GeoTiffProblem::BadPrj { file: file.display().to_string(), reason };
    let bytes = std::fs::read(&file).map_err(|e| bad(e.to_string()))?;
    crs_from_prj_bytes(&bytes).map(Some).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_files() {
        assert!(parse_world_file("1\n0\n0\n-1\n5").unwrap_err().contains("6 numbers"));
        assert!(parse_world_file("1 0 0 -1 5 x").unwrap_err().contains("\"x\""));
        assert!(parse_world_file("0 0 0 0 5 5").is_err());
        // Rotated (a rotation term): kept.
        let t = parse_world_file("1 0.5 0.5 -1 100.5 200.5").unwrap();
        assert_eq!(t.apply(0.5, 0.5), (100.5, 200.5));
    }

    #[test]
    fn found_beside_the_image() {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("dom.tif");
        assert_eq!(read_world_file(&image), Ok(None));
        std::fs::write(dir.path().join("dom.tfw"), "2\n0\n0\n-2\n101\n199\n").unwrap();
        assert_eq!(read_world_file(&image).unwrap().unwrap().apply(0.0, 0.0), (100.0, 200.0));
        std::fs::write(dir.path().join("dom.prj"), crate::io::crs::wkt_of(4527).unwrap()).unwrap();
        assert_eq!(read_prj(&image).unwrap().unwrap().epsg, 4527);
        std::fs::write(dir.path().join("dom.prj"), "LOCAL_CS[\"site\"]").unwrap();
        assert!(matches!(read_prj(&image), Err(GeoTiffProblem::BadPrj { .. })));
    }
}
