//! Bringing a layer from any supported file into a project: read, pick the CRS, transform into the
//! project CRS, check every coordinate, map attributes onto the model — and only then change the
//! project, so a failed import leaves it untouched. An import that would replace what the project
//! has (its boundary, divisions under the same codes) is refused unless asked for: [`ImportOptions::replace`]
//! on the command line, a confirmation in the app, where the import is one undoable [`Command`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use geo::{BoundingRect, Coord, CoordsIter, Geometry, MapCoords, MultiPolygon, Polygon};

use super::crs::{AreaOfUse, CrsError, SourceCrs, Transformer, area_of_use, crs_from_epsg, gauss_kruger_3deg_for};
use super::error::{GeometryKind, IoError, Problem};
use super::fields::{BOUNDARY_FIELDS, DIVISION_FIELDS, FieldMapping, GRID_FIELDS, HOUSEHOLD_FIELDS, ModelField};
use super::source::{SourceFeature, SourceLayer};
use super::{csv_io, geojson_io, gpkg, shapefile_io};
use crate::core::edit::Command;
use crate::core::progress::{NoProgress, Progress, Stage};
use crate::core::{
    AreaClass, Crs, CrsUnits, Division, DivisionCode, Grid, GridAttrs, GridKind, HouseholdPoint, Project, area_m2,
};

/// Which project layer an import fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Boundary,
    Divisions,
    Grids,
    Households,
}

impl Target {
    /// The layer's name as `--as` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Target::Boundary => "boundary",
            Target::Divisions => "divisions",
            Target::Grids => "grids",
            Target::Households => "households",
        }
    }

    pub fn parse(text: &str) -> Option<Target> {
        match text {
            "boundary" => Some(Target::Boundary),
            "divisions" => Some(Target::Divisions),
            "grids" => Some(Target::Grids),
            "households" => Some(Target::Households),
            _ => None,
        }
    }

    fn fields(self) -> &'static [ModelField] {
        match self {
            Target::Boundary => BOUNDARY_FIELDS,
            Target::Divisions => DIVISION_FIELDS,
            Target::Grids => GRID_FIELDS,
            Target::Households => HOUSEHOLD_FIELDS,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// `--crs`: overrides what the file says (or says nothing about).
    pub crs_override: Option<SourceCrs>,
    /// `--map model_field=source_field` pairs.
    pub field_map: BTreeMap<String, String>,
    /// The layer of a multi-layer GeoPackage.
    pub layer: Option<String>,
    /// `--replace`: the import may replace what the project has (its boundary, or divisions under the
    /// same codes); without it such an import is refused and the project is left as it was.
    pub replace: bool,
    /// `--force`: import coordinates that lie far outside where the project CRS can be used.
    pub force: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ImportSummary {
    pub features: usize,
    pub source_crs: String,
    pub project_crs: String,
    /// Model field → source field, as resolved.
    pub mapped: Vec<(String, String)>,
}

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

fn looks_like_lonlat(f: &SourceFeature) -> bool {
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

/// Imports `source` into `project` as `target`. All or nothing: on error the project is unchanged.
/// Refused, with the reason, when it would replace what the project has and `options.replace` is off.
pub fn import_layer(
    project: &mut Project,
    source: &SourceLayer,
    target: Target,
    options: &ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportSummary, IoError> {
    let prepared = prepare_import(project, source, target, options, progress)?;
    apply_import(project, prepared, &source.path, options)
}

/// Imports the file `path` into `project` as `target`, reading it a second time feature by feature
/// after [`scan_source`] read it once (`header`, `scan`): only the staged project data is held, never
/// the file's features. All or nothing, refused without `options.replace` as [`import_layer`].
#[allow(clippy::too_many_arguments)]
pub fn import_file_layer(
    project: &mut Project,
    path: &Path,
    header: &SourceLayer,
    scan: &SourceScan,
    target: Target,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportSummary, IoError> {
    let mut stager = Stager::new(project, header, &scan.names, scan.all_lonlat, target, options)?;
    progress.begin(Stage::Reading, scan.features as u64);
    read_source_each(path, options.layer.as_deref(), &NoProgress, &mut |f| {
        stager.feed(&f)?;
        progress.advance(1);
        if progress.is_cancelled() {
            return Err(IoError::new(path, Problem::Cancelled(crate::core::progress::Cancelled)));
        }
        Ok(())
    })?;
    let prepared = stager.finish()?;
    apply_import(project, prepared, path, options)
}

/// Applies a prepared import unless it would replace something without `options.replace`.
fn apply_import(
    project: &mut Project,
    prepared: PreparedImport,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportSummary, IoError> {
    if !options.replace
        && let Some(replaced) = prepared.replaces(project)
    {
        return Err(IoError::new(path, Problem::WouldReplace(replaced)));
    }
    let summary = prepared.summary.clone();
    prepared.into_command(project).apply(project).map_err(|e| IoError::new(path, e))?;
    Ok(summary)
}

/// What an import would replace in the project: what a planner loses unless they undo it.
#[derive(Clone, Debug, PartialEq)]
pub struct Replaced {
    pub target: Target,
    /// The features that would be replaced: the boundary's polygons, or the divisions the file has under
    /// the same codes with other content.
    pub features: usize,
    /// The features the layer holds now.
    pub held: usize,
    /// The area of the boundary now (boundary only).
    pub area_m2: f64,
    /// Up to three of the divisions, as `code name`.
    pub examples: Vec<String>,
}

impl Replaced {
    /// In English, for the command line: "the project's boundary (1 polygon, 2052.3 km²)".
    pub fn describe(&self) -> String {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        match self.target {
            Target::Boundary => format!(
                "the project's boundary ({} polygon{}, {:.1} km²)",
                self.features,
                s(self.features),
                self.area_m2 / 1e6
            ),
            _ => format!(
                "{} of the project's {} {} that the file has under the same code{} with other content ({}{})",
                self.features,
                self.held,
                self.target.name(),
                s(self.features),
                self.examples.join(", "),
                if self.features > self.examples.len() { ", …" } else { "" }
            ),
        }
    }
}

/// An import read and checked against the project, not applied yet: what it would replace can be
/// asked first, and it becomes one undoable command.
pub struct PreparedImport {
    target: Target,
    staged: Staged,
    pub summary: ImportSummary,
}

impl PreparedImport {
    pub fn target(&self) -> Target {
        self.target
    }

    /// What applying the import to `project` would replace, if anything. Adding grids or household
    /// points replaces nothing; a division that only gains a polygon loses nothing.
    pub fn replaces(&self, project: &Project) -> Option<Replaced> {
        let mut replaced = Replaced { target: self.target, features: 0, held: 0, area_m2: 0.0, examples: Vec::new() };
        match self.target {
            Target::Boundary => {
                if project.boundary.0.is_empty() || project.boundary == self.staged.boundary {
                    return None;
                }
                replaced.features = project.boundary.0.len();
                replaced.held = replaced.features;
                replaced.area_m2 = area_m2(&project.boundary, &project.crs);
            }
            Target::Divisions => {
                let lost = self
                    .staged
                    .divisions
                    .iter()
                    .filter_map(|(code, new)| project.divisions.get(code).filter(|old| loses_something(old, new)));
                for old in lost {
                    replaced.features += 1;
                    if replaced.examples.len() < 3 {
                        replaced.examples.push(format!("{} {}", old.code, old.name));
                    }
                }
                if replaced.features == 0 {
                    return None;
                }
                replaced.held = project.divisions.len();
            }
            Target::Grids | Target::Households => return None,
        }
        Some(replaced)
    }

    /// The import as one command on `project` as it is now (its inverse undoes the import).
    pub fn into_command(self, project: &Project) -> Command {
        match self.target {
            Target::Boundary => Command::SetBoundary(self.staged.boundary),
            Target::Divisions => {
                let mut divisions = project.divisions.clone();
                divisions.extend(self.staged.divisions);
                Command::SetDivisions(divisions)
            }
            Target::Grids => {
                Command::Batch(self.staged.grids.into_iter().map(|g| Command::AddGrid(Box::new(g))).collect())
            }
            Target::Households => {
                let mut households = project.households.clone();
                households.extend(self.staged.households);
                Command::SetHouseholds(households)
            }
        }
    }
}

/// Whether replacing division `old` by `new` loses anything: it does unless they are equal, or `new`
/// only adds a polygon that `old` did not have.
fn loses_something(old: &Division, new: &Division) -> bool {
    old != new && !(old.polygon.is_none() && *old == Division { polygon: None, ..new.clone() })
}

/// Reads and checks every feature of `source` for `project` as `target`, changing nothing yet.
pub fn prepare_import(
    project: &Project,
    source: &SourceLayer,
    target: Target,
    options: &ImportOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PreparedImport, IoError> {
    let scan_names: Vec<String> = {
        let mut all: Vec<String> = source.features.iter().flat_map(|f| f.fields.keys().cloned()).collect();
        all.sort();
        all.dedup();
        all
    };
    let all_lonlat = source.features.iter().all(|f| f.geometry.is_none() || looks_like_lonlat(f));
    let mut stager = Stager::new(project, source, &scan_names, all_lonlat, target, options)?;
    let total = source.features.len();
    for (i, feature) in source.features.iter().enumerate() {
        if i % 10_000 == 0 {
            progress(i, total);
        }
        stager.feed(feature)?;
    }
    progress(total, total);
    stager.finish()
}

/// Turns features into project data one at a time (transformed into the project CRS, every coordinate
/// checked, attributes mapped), staging them until [`Stager::finish`].
struct Stager<'p> {
    project: &'p Project,
    path: PathBuf,
    target: Target,
    crs: SourceCrs,
    transformer: Transformer,
    area: Option<AreaCheck>,
    mapping: FieldMapping,
    staged: Staged,
}

impl<'p> Stager<'p> {
    /// `names`: every field name of the source, sorted; `all_lonlat`: whether every point looks like lon/lat.
    fn new(
        project: &'p Project,
        header: &SourceLayer,
        names: &[String],
        all_lonlat: bool,
        target: Target,
        options: &ImportOptions,
    ) -> Result<Stager<'p>, IoError> {
        let path = header.path.as_path();
        let crs = source_crs_scanned(header, all_lonlat, options)?;
        let transformer = Transformer::new(&crs, &project.crs).map_err(|e| IoError::new(path, e))?;
        let area =
            if options.force { None } else { AreaCheck::new(&crs, &project.crs).map_err(|e| IoError::new(path, e))? };
        let mapping =
            FieldMapping::resolve(target.fields(), names, &options.field_map).map_err(|p| IoError::new(path, p))?;
        Ok(Stager {
            project,
            path: path.to_path_buf(),
            target,
            crs,
            transformer,
            area,
            mapping,
            staged: Staged::default(),
        })
    }

    fn feed(&mut self, feature: &SourceFeature) -> Result<(), IoError> {
        let at = |p: Problem| IoError::at_feature(&self.path, feature.number, p);
        let geometry = feature
            .geometry
            .as_ref()
            .map(|g| {
                let out = transform_checked(g, &self.transformer, &self.project.crs)?;
                self.area.as_ref().map_or(Ok(()), |a| a.check(g))?;
                Ok(out)
            })
            .transpose()
            .map_err(at)?;
        stage_feature(&mut self.staged, self.project, self.target, feature, geometry, &self.mapping).map_err(at)
    }

    fn finish(self) -> Result<PreparedImport, IoError> {
        let (path, target, mut staged) = (self.path.as_path(), self.target, self.staged);
        if target == Target::Boundary && staged.boundary.0.is_empty() {
            return Err(IoError::new(path, Problem::NoBoundaryPolygon));
        }
        let features = match target {
            Target::Boundary => staged.boundary.0.len(),
            Target::Divisions => staged.divisions.len(),
            Target::Grids => staged.grids.len(),
            Target::Households => staged.households.len(),
        };
        staged.boundary = dissolve(std::mem::replace(&mut staged.boundary, MultiPolygon(Vec::new())))
            .map_err(|p| IoError::new(path, p))?;
        let mapped = target
            .fields()
            .iter()
            .filter_map(|f| Some((f.name.to_string(), self.mapping.source_of(f.name)?.to_string())))
            .collect();
        let summary =
            ImportSummary { features, source_crs: self.crs.label(), project_crs: self.project.crs.auth_id(), mapped };
        Ok(PreparedImport { target, staged, summary })
    }
}

/// Refuses data far outside where the project CRS can be used (see [`area_of_use`]): a grid at
/// lon −170°, lat −80° would otherwise land, folded, in a 117°E Gauss-Krüger project.
struct AreaCheck {
    area: AreaOfUse,
    /// Source coordinates → lon/lat; `None` when the source is lon/lat already (WGS84, CGCS2000,
    /// GCJ-02, BD-09: their differences are metres, far below what this check is about).
    to_lonlat: Option<Transformer>,
    project: String,
}

impl AreaCheck {
    fn new(source: &SourceCrs, project: &Crs) -> Result<Option<AreaCheck>, CrsError> {
        let Some(area) = area_of_use(project) else { return Ok(None) };
        let to_lonlat = match source {
            SourceCrs::Epsg(c) if !c.is_geographic() => Some(Transformer::new(source, &crs_from_epsg(4326)?)?),
            _ => None,
        };
        Ok(Some(AreaCheck { area, to_lonlat, project: project.auth_id() }))
    }

    /// Checks the corners of the feature's extent (in the source CRS): a feature lies in one place.
    fn check(&self, source_geometry: &Geometry<f64>) -> Result<(), Problem> {
        let Some(r) = source_geometry.bounding_rect() else { return Ok(()) };
        let corners = [r.min(), Coord { x: r.min().x, y: r.max().y }, r.max(), Coord { x: r.max().x, y: r.min().y }];
        for c in corners {
            let lonlat = match &self.to_lonlat {
                Some(t) => t.apply(c)?,
                None => c,
            };
            if !self.area.contains(lonlat.x, lonlat.y) {
                let a = &self.area;
                return Err(Problem::FarOutsideCrs {
                    x: c.x,
                    y: c.y,
                    lon: lonlat.x,
                    lat: lonlat.y,
                    crs: self.project.clone(),
                    area: [a.lon_min, a.lon_max, a.lat_min, a.lat_max],
                });
            }
        }
        Ok(())
    }
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

/// What an import will add, held back until every feature has passed.
struct Staged {
    boundary: MultiPolygon<f64>,
    divisions: BTreeMap<String, Division>,
    grids: Vec<Grid>,
    households: Vec<HouseholdPoint>,
}

impl Default for Staged {
    fn default() -> Staged {
        Staged {
            boundary: MultiPolygon(Vec::new()),
            divisions: BTreeMap::new(),
            grids: Vec::new(),
            households: Vec::new(),
        }
    }
}

/// Several boundary features (townships of a county, say) become one area: their union. Parts that are
/// not valid polygons are refused with the reason: the overlay library panicked on such rings (found by
/// fuzzing, fuzz/artifacts/shapefile/crash-904b…), and a boundary must be valid anyway.
fn dissolve(parts: MultiPolygon<f64>) -> Result<MultiPolygon<f64>, Problem> {
    if parts.0.len() <= 1 {
        return Ok(parts);
    }
    // Polygons without area add nothing to a union, and degenerate ones with extreme coordinates
    // overflowed i_overlay's fixed-point conversion (found by fuzzing, fuzz/artifacts/gpkg_blob).
    let parts: Vec<Polygon<f64>> = parts.0.into_iter().filter(|p| geo::Area::unsigned_area(p) > 0.0).collect();
    if parts.len() <= 1 {
        return Ok(MultiPolygon(parts));
    }
    for (i, part) in parts.iter().enumerate() {
        if let Some(reason) = crate::core::coverage::validity_reason(&MultiPolygon(vec![part.clone()])) {
            return Err(Problem::InvalidBoundaryPart { part: i + 1, reason });
        }
    }
    // A panic inside the overlay library on some input not caught above is still an error about the
    // file, not the end of the program.
    std::panic::catch_unwind(|| geo::unary_union(&parts)).map_err(|_| Problem::BoundaryUnionFailed)
}

fn stage_feature(
    staged: &mut Staged,
    project: &Project,
    target: Target,
    feature: &SourceFeature,
    geometry: Option<Geometry<f64>>,
    mapping: &FieldMapping,
) -> Result<(), Problem> {
    match target {
        Target::Boundary => {
            let polygons = polygons_of(geometry)?.ok_or(Problem::ExpectedPolygon { found: GeometryKind::Nothing })?;
            staged.boundary.0.extend(polygons.0);
        }
        Target::Divisions => {
            let code_text = mapping.text(feature, "code");
            let code = DivisionCode::parse(&code_text)?;
            let name = mapping.text(feature, "name");
            if name.is_empty() {
                return Err(Problem::DivisionWithoutName { code: code.to_string() });
            }
            let parent = mapping.text(feature, "parent_code");
            let class_text = mapping.text(feature, "class");
            let class = if class_text.is_empty() {
                code.default_class()
            } else {
                AreaClass::parse(&class_text).ok_or_else(|| Problem::UnknownClass { text: class_text.clone() })?
            };
            if staged.divisions.contains_key(code.as_str()) {
                return Err(Problem::DuplicateDivision { code: code.to_string() });
            }
            let division = Division {
                parent_code: if parent.is_empty() { code.parent().map(str::to_string) } else { Some(parent) },
                polygon: polygons_of(geometry)?,
                name,
                class,
                code,
            };
            staged.divisions.insert(division.code.to_string(), division);
        }
        Target::Grids => {
            let polygons = polygons_of(geometry)?.ok_or(Problem::GridNeedsPolygon { found: GeometryKind::Nothing })?;
            let mut grid = Grid::new(polygons);
            grid.code = mapping.text(feature, "code");
            grid.name = mapping.text(feature, "name");
            grid.village_code = mapping.text(feature, "village_code");
            let kind = mapping.text(feature, "kind");
            grid.kind = if kind.is_empty() {
                GridKind::Basic
            } else {
                GridKind::parse(&kind).ok_or_else(|| Problem::UnknownKind { text: kind.clone() })?
            };
            let class = mapping.text(feature, "class");
            grid.class = if class.is_empty() {
                let village =
                    project.divisions.get(&grid.village_code).or_else(|| staged.divisions.get(&grid.village_code));
                village.map(|v| v.class).unwrap_or_default()
            } else {
                AreaClass::parse(&class).ok_or_else(|| Problem::UnknownClass { text: class.clone() })?
            };
            grid.attrs = GridAttrs {
                households: mapping.count(feature, "households")?,
                population: mapping.count(feature, "population")?,
                party_members: mapping.count(feature, "party_members")?,
                grid_head: mapping.text(feature, "grid_head"),
                grid_staff: mapping.text(feature, "grid_staff"),
                phone: mapping.text(feature, "phone"),
                notes: mapping.text(feature, "notes"),
                valid_from: mapping.text(feature, "valid_from"),
                valid_to: mapping.text(feature, "valid_to"),
            };
            staged.grids.push(grid);
        }
        Target::Households => {
            let Some(Geometry::Point(position)) = geometry else {
                return Err(Problem::HouseholdNeedsPoint { found: GeometryKind::of(geometry.as_ref()) });
            };
            staged.households.push(HouseholdPoint {
                position,
                households: mapping.count(feature, "households")?.unwrap_or(1),
                population: mapping.count(feature, "population")?,
            });
        }
    }
    Ok(())
}

fn polygons_of(geometry: Option<Geometry<f64>>) -> Result<Option<MultiPolygon<f64>>, Problem> {
    match geometry {
        None => Ok(None),
        Some(Geometry::Polygon(p)) => Ok(Some(MultiPolygon(vec![p]))),
        Some(Geometry::MultiPolygon(mp)) if !mp.0.is_empty() => Ok(Some(mp)),
        Some(Geometry::MultiPolygon(_)) => Err(Problem::EmptyPolygon),
        Some(other) => Err(Problem::ExpectedPolygon { found: GeometryKind::of(Some(&other)) }),
    }
}

/// Largest coordinate magnitude accepted in projected metres (GK zone-prefixed eastings are ~4.5e7).
const MAX_PROJECTED: f64 = 1e9;

/// Why a coordinate is not a number Wangge can work with: not finite, or beyond any CRS's range.
fn unusable(c: Coord<f64>) -> Option<Problem> {
    let bad = !c.x.is_finite() || !c.y.is_finite() || c.x.abs() > MAX_PROJECTED || c.y.abs() > MAX_PROJECTED;
    bad.then_some(Problem::UnusableCoordinate { x: c.x, y: c.y })
}

/// The checks import makes on every coordinate, for data used where it is (`wangge check` on a file):
/// finite, not absurdly large, and within longitude/latitude when the CRS is geographic.
pub fn check_coordinates<G: CoordsIter<Scalar = f64>>(geometry: &G, crs: Option<&Crs>) -> Result<(), Problem> {
    let geographic = crs.is_some_and(Crs::is_geographic);
    geometry.coords_iter().try_for_each(|c| {
        if let Some(problem) = unusable(c) {
            return Err(problem);
        }
        if geographic && (c.x.abs() > 180.0 || c.y.abs() > 90.0) {
            return Err(Problem::OutsideLonLat { x: c.x, y: c.y });
        }
        Ok(())
    })
}

/// Checks every coordinate before and after transforming it; rings must be closable polygons.
fn transform_checked(geometry: &Geometry<f64>, t: &Transformer, target: &Crs) -> Result<Geometry<f64>, Problem> {
    let geographic = target.is_geographic();
    let out = geometry.try_map_coords(|c: Coord<f64>| {
        if let Some(problem) = unusable(c) {
            return Err(problem);
        }
        match t.apply(c) {
            Ok(p) if geographic && (p.x.abs() > 180.0 || p.y.abs() > 90.0) => {
                Err(Problem::OutsideLonLat { x: c.x, y: c.y })
            }
            Ok(p) => Ok(p),
            Err(e) => Err(Problem::Crs(e)),
        }
    })?;
    let short_ring = |p: &Polygon<f64>| {
        std::iter::once(p.exterior()).chain(p.interiors()).map(|r| r.0.len()).find(|&points| points < 4)
    };
    let short = match &out {
        Geometry::Polygon(p) => short_ring(p),
        Geometry::MultiPolygon(mp) => mp.0.iter().find_map(short_ring),
        _ => None,
    };
    if let Some(points) = short {
        // geo closed the ring: its last point is its first.
        return Err(Problem::RingTooShort { points: points.saturating_sub(1) });
    }
    Ok(out)
}
