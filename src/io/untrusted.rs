//! Every reader fed bytes, followed by what import does with what it read: the entry points of the
//! fuzz targets (`fuzz/`) and of the test that replays their corpus and every crash they found
//! (`tests/integration/fuzz_replay.rs`), so both run exactly the same code. Each returns whether the
//! input was accepted; any input may be refused, none may panic.

use std::path::Path;

use geo::Geometry;

use super::crs::{SourceCrs, crs_from_epsg, crs_from_prj_bytes};
use super::error::IoError;
use super::gpkg::blob;
use super::import::{ImportOptions, Target, import_layer};
use super::shapefile_io::{ShapefileBytes, parse_shapefile};
use super::source::{SourceFeature, SourceLayer};
use super::{csv_io, geojson_io, wkb};
use crate::core::coverage::validity_problem;
use crate::core::{Crs, Project};

/// The project CRS fuzzed imports go into: CGCS2000 3° Gauss-Krüger CM 117°E, as most real projects.
fn project_crs() -> Option<Crs> {
    crs_from_epsg(4548).ok()
}

/// Imports a layer into an empty project as each target that can take it, then asks the coverage
/// rules about every grid that came in: what the app and `wangge import` do next with a file.
fn import_everywhere(source: &SourceLayer) -> bool {
    let Some(crs) = project_crs() else { return false };
    let mut accepted = false;
    for target in [Target::Grids, Target::Boundary, Target::Households, Target::Divisions] {
        let mut project = Project::new(String::new(), crs.clone());
        // Data with no CRS (CSV x/y, a shapefile without .prj) goes deeper when given one, as with --crs.
        let crs_override = source.crs.is_none().then(|| SourceCrs::Epsg(crs.clone()));
        let options = ImportOptions { crs_override, ..ImportOptions::default() };
        if import_layer(&mut project, source, target, &options, &mut |_, _| {}).is_ok() {
            accepted = true;
            for grid in project.grids.values() {
                let _ = validity_problem(&grid.geometry);
            }
        }
    }
    accepted
}

/// A GeoJSON file.
pub fn geojson(bytes: &[u8]) -> bool {
    geojson_io::parse_geojson(Path::new("fuzz.geojson"), bytes).is_ok_and(|layer| import_everywhere(&layer))
}

/// A CSV table (households or divisions, by its columns), read whole and by its first row.
pub fn csv(bytes: &[u8]) -> bool {
    let path = Path::new("fuzz.csv");
    let _ = csv_io::parse_csv(path, bytes, Some(1));
    csv_io::parse_csv(path, bytes, None).is_ok_and(|layer| import_everywhere(&layer))
}

/// The CRS of a .prj file or a GeoPackage `definition`.
pub fn wkt(bytes: &[u8]) -> bool {
    crs_from_prj_bytes(bytes).is_ok()
}

/// A GeoPackage geometry blob (GP header + WKB), imported as one feature in EPSG:4548; bytes without
/// the GP magic are read as bare WKB.
pub fn gpkg_blob(bytes: &[u8]) -> bool {
    let geometry = if bytes.starts_with(b"GP") {
        let _ = blob::envelope(bytes);
        blob::decode(bytes).map(|(g, _)| g).ok()
    } else {
        wkb::read(bytes).ok()
    };
    let Some(geometry) = geometry else { return false };
    let Some(crs) = project_crs() else { return false };
    let mut round_trip = Vec::new();
    if let Geometry::MultiPolygon(mp) = &geometry {
        wkb::write_multipolygon(&mut round_trip, mp);
        let _ = wkb::read(&round_trip);
    }
    let feature = SourceFeature { number: 1, geometry: Some(geometry), fields: Default::default() };
    let layer = SourceLayer {
        path: "fuzz.gpkg".into(),
        layer: "fuzz".into(),
        crs: Some(SourceCrs::Epsg(crs)),
        unrecognised_crs: None,
        features: vec![feature],
    };
    import_everywhere(&layer)
}

/// Splits one fuzz input into the .shp, .dbf and .prj of a shapefile: two little-endian u32 lengths
/// (of the .shp and the .dbf, cut to what is there), then the three parts one after another.
pub fn split_shapefile_input(bytes: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let len = |at: usize| -> usize {
        bytes.get(at..at + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let (shp_len, dbf_len) = (len(0), len(4));
    let rest = bytes.get(8..).unwrap_or(&[]);
    let (shp, rest) = rest.split_at(shp_len.min(rest.len()));
    let (dbf, prj) = rest.split_at(dbf_len.min(rest.len()));
    (shp, dbf, prj)
}

/// The inverse of [`split_shapefile_input`]: how seeds are made from real shapefiles.
pub fn join_shapefile_input(shp: &[u8], dbf: &[u8], prj: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + shp.len() + dbf.len() + prj.len());
    out.extend_from_slice(&(shp.len() as u32).to_le_bytes());
    out.extend_from_slice(&(dbf.len() as u32).to_le_bytes());
    out.extend_from_slice(shp);
    out.extend_from_slice(dbf);
    out.extend_from_slice(prj);
    out
}

/// A shapefile: .shp, .dbf and .prj together (see [`split_shapefile_input`]); an empty .prj part
/// stands for no .prj.
pub fn shapefile(bytes: &[u8]) -> bool {
    let (shp, dbf, prj) = split_shapefile_input(bytes);
    let files = ShapefileBytes {
        shp,
        shx: None,
        dbf: (Path::new("fuzz.dbf"), dbf),
        prj: (!prj.is_empty()).then_some((Path::new("fuzz.prj"), prj)),
        cpg: None,
    };
    let read: Result<SourceLayer, IoError> = parse_shapefile(Path::new("fuzz.shp"), &files);
    read.is_ok_and(|layer| import_everywhere(&layer))
}

/// A GeoTIFF basemap: opened (georeferencing, levels), then the tiles of its centre at its deepest and
/// shallowest zooms made, as the tile fetcher does.
pub fn geotiff(bytes: &[u8]) -> bool {
    let Ok(mut image) = super::tiles::GeoTiff::from_bytes("fuzz.tif", bytes) else { return false };
    let centre = image.info.bounds_lonlat.center();
    let mut made = false;
    for z in [image.info.max_zoom, image.info.min_zoom] {
        if let Some(tile) = crate::core::basemap::tile_at(centre, z) {
            made |= image.render(tile).is_ok();
        }
    }
    made
}
