//! Writing a project's layers out: GeoPackage (a complete copy of the project), GeoJSON (RFC 7946),
//! Shapefile (.prj, .cpg, UTF-8 or GBK) and CSV (UTF-8 with BOM).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use encoding_rs::Encoding;
use geo::{Geometry, MapCoords};

use serde_json::Value;

use super::crs::{SourceCrs, Transformer, crs_from_epsg};
use super::dbf::{self, Column};
use super::error::{IoError, Problem};
use super::source::FieldValue;
use super::{csv_io, geojson_io, gpkg, location, shapefile_io};
use crate::core::progress::{NoProgress, Progress, Stage};
use crate::core::{Grid, Project, area_m2};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Boundary,
    Divisions,
    Grids,
    Households,
}

impl Layer {
    pub fn parse(text: &str) -> Option<Layer> {
        match text {
            "boundary" => Some(Layer::Boundary),
            "divisions" => Some(Layer::Divisions),
            "grids" => Some(Layer::Grids),
            "households" => Some(Layer::Households),
            _ => None,
        }
    }
}

/// One row of a layer: a geometry (None for divisions without polygons) and one value per column.
type Row = (Option<Geometry<f64>>, Vec<FieldValue>);
/// Where a writer sends each row, one at a time.
type Sink<'s> = &'s mut dyn FnMut(Option<Geometry<f64>>, Vec<FieldValue>) -> Result<(), IoError>;

fn text(s: &str) -> FieldValue {
    if s.is_empty() { FieldValue::Null } else { FieldValue::Text(s.to_string()) }
}

fn count(n: Option<u32>) -> FieldValue {
    n.map_or(FieldValue::Null, |n| FieldValue::Int(n as i64))
}

const fn c(name: &'static str) -> Column {
    Column { name, numeric_decimals: None }
}

const fn n(name: &'static str, decimals: u8) -> Column {
    Column { name, numeric_decimals: Some(decimals) }
}

fn columns(layer: Layer) -> Vec<Column> {
    match layer {
        Layer::Grids => vec![
            n("id", 0),
            c("code"),
            c("name"),
            c("kind"),
            c("class"),
            c("village_cd"),
            c("village"),
            n("households", 0),
            n("population", 0),
            n("party_mem", 0),
            c("grid_head"),
            c("grid_staff"),
            c("phone"),
            c("notes"),
            c("valid_from"),
            c("valid_to"),
            n("area_m2", 1),
        ],
        Layer::Divisions => vec![c("code"), c("name"), c("parent_cd"), c("level"), c("class")],
        Layer::Boundary => vec![c("name"), n("area_m2", 1)],
        Layer::Households => vec![n("households", 0), n("population", 0)],
    }
}

fn grid_row(project: &Project, g: &Grid) -> Row {
    let village = project.divisions.get(&g.village_code).map_or("", |d| d.name.as_str());
    let a = &g.attrs;
    let values = vec![
        FieldValue::Int(g.id as i64),
        text(&g.code),
        text(&g.name),
        text(g.kind.label_zh()),
        text(g.class.label_zh()),
        text(&g.village_code),
        text(village),
        count(a.households),
        count(a.population),
        count(a.party_members),
        text(&a.grid_head),
        text(&a.grid_staff),
        text(&a.phone),
        text(&a.notes),
        text(&a.valid_from),
        text(&a.valid_to),
        FieldValue::Real((area_m2(&g.geometry, &project.crs) * 10.0).round() / 10.0),
    ];
    (Some(Geometry::MultiPolygon(g.geometry.clone())), values)
}

/// What a layer is written from: a project in memory, or a project file whose grids are read one row at
/// a time (the rest of the project — boundary, divisions, households — is small and read first).
#[derive(Clone, Copy)]
enum Rows<'a> {
    Memory(&'a Project),
    File { project: &'a Project, path: &'a Path },
}

impl Rows<'_> {
    fn project(&self) -> &Project {
        match self {
            Rows::Memory(p) | Rows::File { project: p, .. } => p,
        }
    }

    fn rows(&self, layer: Layer) -> Result<u64, IoError> {
        let project = self.project();
        Ok(match layer {
            Layer::Grids => match self {
                Rows::Memory(p) => p.grids.len() as u64,
                Rows::File { path, .. } => location::count_grids(path)?,
            },
            Layer::Divisions => project.divisions.len() as u64,
            Layer::Boundary => u64::from(!project.boundary.0.is_empty()),
            Layer::Households => project.households.len() as u64,
        })
    }

    /// Hands every row of `layer` to `sink`, in the layer's order (grids by id, divisions by code).
    fn each_row(&self, layer: Layer, out: &Path, progress: &dyn Progress, sink: Sink<'_>) -> Result<(), IoError> {
        let project = self.project();
        let mut step = |row: Row| -> Result<(), IoError> {
            progress.check().map_err(|c| IoError::new(out, c))?;
            sink(row.0, row.1)?;
            progress.advance(1);
            Ok(())
        };
        match layer {
            Layer::Grids => match self {
                Rows::Memory(p) => p.grids.values().try_for_each(|g| step(grid_row(p, g))),
                Rows::File { path, .. } => location::each_grid(path, &mut |g| step(grid_row(project, &g))).map(|_| ()),
            },
            Layer::Divisions => project.divisions.values().try_for_each(|d| {
                let values = vec![
                    text(d.code.as_str()),
                    text(&d.name),
                    text(d.parent_code.as_deref().unwrap_or("")),
                    text(d.code.level()),
                    text(d.class.label_zh()),
                ];
                step((d.polygon.clone().map(Geometry::MultiPolygon), values))
            }),
            Layer::Boundary => {
                if project.boundary.0.is_empty() {
                    return Ok(());
                }
                let area = (area_m2(&project.boundary, &project.crs) * 10.0).round() / 10.0;
                step((
                    Some(Geometry::MultiPolygon(project.boundary.clone())),
                    vec![text(&project.name), FieldValue::Real(area)],
                ))
            }
            Layer::Households => project.households.iter().try_for_each(|h| {
                step((
                    Some(Geometry::Point(h.position)),
                    vec![FieldValue::Int(h.households as i64), count(h.population)],
                ))
            }),
        }
    }
}

/// Exports one layer (or, for .gpkg, the whole project) by the file's extension. Returns the number of
/// features written. Features are written as they are made, through a buffer: memory for one at a time.
pub fn export(project: &Project, layer: Layer, path: &Path, encoding: &'static Encoding) -> Result<usize, IoError> {
    export_with(project, layer, path, encoding, &NoProgress)
}

/// [`export`], counting the features written on `progress` and stopping with `Cancelled` when it is
/// cancelled; a cancelled or failed export leaves the file that was there before (it is written beside
/// and renamed into place).
pub fn export_with(
    project: &Project,
    layer: Layer,
    path: &Path,
    encoding: &'static Encoding,
    progress: &dyn Progress,
) -> Result<usize, IoError> {
    if is_gpkg(path) {
        gpkg::save_project_with(project, path, None, progress)?;
        return Ok(project.grids.len());
    }
    export_from(Rows::Memory(project), layer, path, encoding, progress)
}

/// Exports one layer of the project `project_path` (a file or a database URL) (or, for .gpkg, the whole project): as
/// [`export`], but the grids are read from the file one row at a time as they are written, so that memory
/// does not grow with the number of grids. `progress` counts the features written.
pub fn export_file(
    project_path: &Path,
    layer: Layer,
    path: &Path,
    encoding: &'static Encoding,
    progress: &dyn Progress,
) -> Result<usize, IoError> {
    if is_gpkg(path) {
        let project = location::open_project_with(project_path, progress)?;
        return export_with(&project, layer, path, encoding, progress);
    }
    let project = location::open_project_without_grids(project_path)?;
    export_from(Rows::File { project: &project, path: project_path }, layer, path, encoding, progress)
}

/// A .gpkg target is the whole project, saved as a project file.
fn is_gpkg(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
}

fn export_from(
    from: Rows<'_>,
    layer: Layer,
    path: &Path,
    encoding: &'static Encoding,
    progress: &dyn Progress,
) -> Result<usize, IoError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if !matches!(ext.as_str(), "geojson" | "json" | "shp" | "csv") {
        return Err(IoError::new(path, Problem::UnknownOutputType));
    }
    // Written beside under a temporary name and moved into place only when whole: a failed or cancelled
    // export leaves the file that was there before, and no half-written one.
    let partial = partial_path(path);
    let written = match ext.as_str() {
        "shp" => export_shapefile(from, layer, &partial, encoding, progress),
        "csv" => export_csv(from, layer, &partial, progress),
        _ => export_geojson(from, layer, &partial, progress),
    };
    let parts: &[&str] = if ext == "shp" { &SHAPEFILE_PARTS } else { &[] };
    let moved = written.and_then(|n| move_into_place(&partial, path, parts).map(|()| n));
    moved.map_err(|mut e| {
        for file in std::iter::once(partial.clone()).chain(parts.iter().map(|p| partial.with_extension(p))) {
            let _ = std::fs::remove_file(file);
        }
        if e.path.starts_with(&partial) || e.path.with_extension("") == partial.with_extension("") {
            e.path = path.to_path_buf();
        }
        e
    })
}

/// The files of a shapefile besides the .shp.
const SHAPEFILE_PARTS: [&str; 4] = ["shx", "dbf", "cpg", "prj"];

/// `dir/.name.partial.ext` for `dir/name.ext`: hidden, beside the target (so a rename moves it).
fn partial_path(path: &Path) -> PathBuf {
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.partial.{ext}"))
}

/// Renames the written file (and a shapefile's other parts) over the target; a part the new shapefile
/// does not have (an old .prj) is removed, so that the files on disk belong together.
fn move_into_place(partial: &Path, path: &Path, parts: &[&str]) -> Result<(), IoError> {
    for ext in parts {
        let (from, to) = (partial.with_extension(ext), path.with_extension(ext));
        if from.exists() {
            std::fs::rename(&from, &to).map_err(|e| IoError::new(&to, e))?;
        } else if to.exists() {
            std::fs::remove_file(&to).map_err(|e| IoError::new(&to, e))?;
        }
    }
    std::fs::rename(partial, path).map_err(|e| IoError::new(path, e))
}

fn to_wgs84(project: &Project, path: &Path) -> Result<Transformer, IoError> {
    let wgs84 = crs_from_epsg(4326).map_err(|e| IoError::new(path, e))?;
    Transformer::new(&SourceCrs::Epsg(project.crs.clone()), &wgs84).map_err(|e| IoError::new(path, e))
}

fn create(path: &Path) -> Result<BufWriter<File>, IoError> {
    File::create(path).map(|f| BufWriter::with_capacity(1 << 16, f)).map_err(|e| IoError::new(path, e))
}

fn export_geojson(from: Rows<'_>, layer: Layer, path: &Path, progress: &dyn Progress) -> Result<usize, IoError> {
    let t = to_wgs84(from.project(), path)?;
    progress.begin(Stage::Writing, from.rows(layer)?);
    let names: Vec<&'static str> = columns(layer).iter().map(|c| c.name).collect();
    let mut writer = geojson_io::GeoJsonWriter::new(create(path)?, &names).map_err(|e| IoError::new(path, e))?;
    let mut number = 0;
    from.each_row(layer, path, progress, &mut |geometry, values| {
        number += 1;
        let Some(geometry) = geometry else { return Ok(()) };
        let t = &t;
        let lonlat = geometry.try_map_coords(|c| t.apply(c)).map_err(|e| IoError::at_feature(path, number, e))?;
        writer.feature(&lonlat, values.into_iter().map(field_json).collect()).map_err(|e| IoError::new(path, e))
    })?;
    writer.finish().map_err(|e| IoError::new(path, e))
}

fn field_json(v: FieldValue) -> Value {
    match v {
        FieldValue::Null => Value::Null,
        FieldValue::Int(i) => Value::from(i),
        FieldValue::Real(r) => Value::from(r),
        FieldValue::Text(t) => Value::from(t),
    }
}

/// Shapefiles in two passes over the rows: the first measures the .dbf columns (their widths fit the
/// longest value), the second writes shapes and records side by side.
fn export_shapefile(
    from: Rows<'_>,
    layer: Layer,
    path: &Path,
    encoding: &'static Encoding,
    progress: &dyn Progress,
) -> Result<usize, IoError> {
    let columns = columns(layer);
    let mut widths = dbf::Widths::new(&columns);
    let mut with_geometry = 0usize;
    from.each_row(layer, path, &NoProgress, &mut |geometry, values| {
        if geometry.is_some() {
            widths.add(&values, encoding);
            with_geometry += 1;
        }
        Ok(())
    })?;
    if with_geometry == 0 {
        return Err(IoError::new(path, Problem::NothingToWrite));
    }
    progress.begin(Stage::Writing, from.rows(layer)?);
    let mut writer = shapefile_io::ShapefileWriter::create(path, &columns, widths, with_geometry, encoding)?;
    from.each_row(layer, path, progress, &mut |geometry, values| match geometry {
        Some(g) => writer.feature(&g, &values),
        None => Ok(()),
    })?;
    writer.finish(from.project().crs.epsg)
}

fn export_csv(from: Rows<'_>, layer: Layer, path: &Path, progress: &dyn Progress) -> Result<usize, IoError> {
    let mut header: Vec<&str> = columns(layer).iter().map(|c| c.name).collect();
    let points = layer == Layer::Households;
    let t = if points { Some(to_wgs84(from.project(), path)?) } else { None };
    if points {
        header.splice(0..0, ["lon", "lat"]);
    }
    progress.begin(Stage::Writing, from.rows(layer)?);
    let mut writer = csv_io::CsvWriter::create(path, &header)?;
    let mut number = 0;
    from.each_row(layer, path, progress, &mut |geometry, values| {
        number += 1;
        let mut row: Vec<String> = values.iter().map(FieldValue::as_text).collect();
        if let (Some(t), Some(Geometry::Point(p))) = (&t, geometry) {
            let lonlat = t.apply(p.0).map_err(|e| IoError::at_feature(path, number, e))?;
            row.splice(0..0, [format!("{:.7}", lonlat.x), format!("{:.7}", lonlat.y)]);
        }
        writer.row(&row)
    })?;
    writer.finish()
}
