//! Reading a source for import: its features one by one, a first pass for what the whole file must
//! tell (fields, extent, whether it is lon/lat), and the CRS of the source and of a new project.

use std::path::Path;

use geo::{BoundingRect, Geometry};

use super::*;
use crate::core::progress::{Progress, Stage};
use crate::core::{Crs, CrsUnits, Project};
use crate::io::crs::{SourceCrs, Transformer, crs_from_epsg, gauss_kruger_3deg_for};
use crate::io::error::{IoError, Problem};
use crate::io::source::{SourceFeature, SourceLayer};
use crate::io::{csv_io, geojson_io, gpkg, shapefile_io};

/// Reads a layer of any supported file, by its extension.
pub fn read_source(path: &Path, layer: Option<&str>) -> Result<SourceLayer, IoError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "geojson" | "json" => geojson_io::read_geojson(path),
        "shp" => shapefile_io::read_shapefile(path),
        "gpkg" => gpkg::read_layer(path, layer),
        "csv" | "txt" => csv_io::read_csv(path),
        _ => Err(IoError::new(path, Problem::UnknownInputType)),
    }
}

/// Reads a layer of any supported file feature by feature, handing each to `each` as it is read: GeoJSON
/// and GeoPackage layers are never held whole; a shapefile's bytes or a CSV table's text are held, their
/// features decoded one at a time.
/// Returns the layer with its CRS and no features.
/// Reads the source feature by feature into `feed` (the second of an import's two reads: `scan` was
/// the first), advancing `progress` by one each and stopping with `Cancelled` when it is cancelled.
pub(super) fn stage_each(
    path: &Path,
    options: &super::ImportOptions,
    scan: &super::SourceScan,
    progress: &dyn Progress,
    feed: &mut dyn FnMut(&SourceFeature) -> Result<(), IoError>,
) -> Result<(), IoError> {
    progress.begin(crate::core::progress::Stage::Reading, scan.features as u64);
    read_source_each(path, options.layer.as_deref(), &crate::core::progress::NoProgress, &mut |f| {
        feed(&f)?;
        progress.advance(1);
        if progress.is_cancelled() {
            return Err(IoError::new(path, super::Problem::Cancelled(crate::core::progress::Cancelled)));
        }
        Ok(())
    })?;
    Ok(())
}

pub fn read_source_each(
    path: &Path,
    layer: Option<&str>,
    progress: &dyn Progress,
    each: &mut dyn FnMut(SourceFeature) -> Result<(), IoError>,
) -> Result<SourceLayer, IoError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "geojson" | "json" => geojson_io::read_geojson_each(path, progress, each),
        "gpkg" => gpkg::read_layer_each(path, layer, progress, each),
        "shp" => {
            progress.begin(Stage::Reading, 0);
            shapefile_io::read_shapefile_each(path, &mut |f| {
                each(f)?;
                progress.advance(1);
                Ok(())
            })
        }
        "csv" | "txt" => {
            progress.begin(Stage::Reading, 0);
            csv_io::read_csv_each(path, &mut |f| {
                each(f)?;
                progress.advance(1);
                Ok(())
            })
        }
        _ => {
            let mut source = read_source(path, layer)?;
            progress.begin(Stage::Reading, source.features.len() as u64);
            for feature in std::mem::take(&mut source.features) {
                each(feature)?;
                progress.advance(1);
            }
            Ok(source)
        }
    }
}

/// What an import must know of the whole file before it can turn the first feature into project data:
/// the field names (to map them), the extent (for a new project's CRS) and whether every point looks like
/// lon/lat (CSV without a CRS). Gathered in a first pass, feature by feature, holding none of them.
#[derive(Clone, Debug, Default)]
pub struct SourceScan {
    pub names: Vec<String>,
    pub extent: Option<geo::Rect<f64>>,
    pub all_lonlat: bool,
    pub features: usize,
}

impl SourceScan {
    pub fn new() -> SourceScan {
        SourceScan { all_lonlat: true, ..SourceScan::default() }
    }

    pub fn add(&mut self, f: &SourceFeature) {
        for name in f.fields.keys() {
            if let Err(at) = self.names.binary_search(name) {
                self.names.insert(at, name.clone());
            }
        }
        if let Some(r) = f.geometry.as_ref().and_then(|g| g.bounding_rect()) {
            self.extent = Some(self.extent.map_or(r, |e| crate::core::rect::union(e, r)));
        }
        self.all_lonlat &= f.geometry.is_none() || looks_like_lonlat(f);
        self.features += 1;
    }

    pub fn of(source: &SourceLayer) -> SourceScan {
        let mut scan = SourceScan::new();
        source.features.iter().for_each(|f| scan.add(f));
        scan
    }
}

/// Reads a file once without keeping its features: its layer (CRS, no features) and its [`SourceScan`].
pub fn scan_source(
    path: &Path,
    layer: Option<&str>,
    progress: &dyn Progress,
) -> Result<(SourceLayer, SourceScan), IoError> {
    let mut scan = SourceScan::new();
    let header = read_source_each(path, layer, progress, &mut |f| {
        scan.add(&f);
        Ok(())
    })?;
    Ok((header, scan))
}

/// The CRS of the source after `--crs`; CSV with lon/lat columns defaults to WGS84.
pub fn source_crs(source: &SourceLayer, options: &ImportOptions) -> Result<SourceCrs, IoError> {
    let all_lonlat = source.features.iter().all(|f| f.geometry.is_none() || looks_like_lonlat(f));
    source_crs_scanned(source, all_lonlat, options)
}

/// [`source_crs`] for a layer read by [`scan_source`].
pub fn source_crs_scanned(
    source: &SourceLayer,
    all_lonlat: bool,
    options: &ImportOptions,
) -> Result<SourceCrs, IoError> {
    if let Some(crs) = &options.crs_override {
        return Ok(crs.clone());
    }
    if let Some(crs) = &source.crs {
        return Ok(crs.clone());
    }
    if let Some((file, reason)) = &source.unrecognised_crs {
        let problem = Problem::UnrecognisedCrs { file: file.clone(), reason: reason.clone() };
        return Err(IoError::new(&source.path, problem));
    }
    let is_csv = source.path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv && all_lonlat {
        return crs_from_epsg(4326).map(SourceCrs::Epsg).map_err(|e| IoError::new(&source.path, e));
    }
    Err(IoError::new(&source.path, Problem::NoCrs))
}

pub(super) fn looks_like_lonlat(f: &SourceFeature) -> bool {
    matches!(&f.geometry, Some(Geometry::Point(p)) if p.x().abs() <= 180.0 && p.y().abs() <= 90.0)
}

/// The CRS a new project gets for this source: a projected source keeps its CRS; lon/lat data gets the
/// CGCS2000 3° Gauss-Krüger zone of its centre, so that lengths and areas are metres.
pub fn default_project_crs(source: &SourceLayer, crs: &SourceCrs) -> Result<Crs, IoError> {
    let extent =
        crate::core::rect::union_all(source.features.iter().filter_map(|f| f.geometry.as_ref()?.bounding_rect()));
    project_crs_for(&source.path, extent, crs)
}

/// [`default_project_crs`] for a source of this extent (in its CRS).
pub fn project_crs_for(path: &Path, extent: Option<geo::Rect<f64>>, crs: &SourceCrs) -> Result<Crs, IoError> {
    if let SourceCrs::Epsg(c) = crs
        && c.units == CrsUnits::Metres
    {
        return Ok(c.clone());
    }
    let wgs84 = crs_from_epsg(4326).map_err(|e| IoError::new(path, e))?;
    let to_lonlat = Transformer::new(crs, &wgs84).map_err(|e| IoError::new(path, e))?;
    let Some(extent) = extent else {
        return Ok(gauss_kruger_3deg_for(117.0, 31.0));
    };
    let centre = to_lonlat.apply(extent.center()).map_err(|e| IoError::new(path, e))?;
    Ok(gauss_kruger_3deg_for(centre.x, centre.y))
}

/// Tries the header and the first row of a CSV against the target before the whole file is read, so
/// that a table that cannot be imported (no coordinates for households, a damaged header…) is refused
/// at once rather than after reading millions of rows. `project_crs` is the CRS of the project imported
/// into, `None` for a new project.
pub fn probe_csv(
    path: &Path,
    target: Target,
    options: &ImportOptions,
    project_crs: Option<&Crs>,
) -> Result<(), IoError> {
    let head = csv_io::read_csv_head(path, 1)?;
    let crs = match project_crs {
        Some(c) => c.clone(),
        None => default_project_crs(&head, &source_crs(&head, options)?)?,
    };
    let mut scratch = Project::new(String::new(), crs);
    import_layer(&mut scratch, &head, target, options, &mut |_, _| {}).map(|_| ())
}
