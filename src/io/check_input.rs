//! What the coverage check reads: the grids of a project (with its boundary, village polygons and CRS)
//! or the polygons of any file, plus an optional boundary file, in one CRS.

use std::path::Path;

use geo::{Geometry, MapCoords, MultiPolygon};

use super::crs::crs_from_epsg;
use super::crs::{SourceCrs, Transformer};
use super::error::{IoError, Problem};
use super::import::{check_coordinates, read_source, read_source_each};
use super::location::{each_grid, is_project_path, open_project_without_grids};
use super::source::{SourceFeature, SourceLayer};
use crate::core::coverage::{AreaChecked, Checker, CoverageOptions, Village, area_to_cover};
use crate::core::progress::NoProgress;
use crate::core::{Crs, GridId, Project};

/// What is checked: a project, as the app checks it, or the polygons of any other file.
pub enum Subject {
    /// A project read without its grids (settings, boundary, divisions) and, apart, one multipolygon per
    /// grid in id order: the grids' other fields are not held, nor their polygons twice.
    Project { project: Box<Project>, items: Vec<MultiPolygon<f64>> },
    /// One multipolygon per input feature, in input order (empty for features without a polygon);
    /// `crs` is `None` when the file declares no CRS we know (it can then only be checked as planar data).
    Layer { items: Vec<MultiPolygon<f64>>, crs: Option<Crs> },
}

pub struct CheckInput {
    pub subject: Subject,
    /// The grid id of each item, when the input is a project.
    pub grid_ids: Vec<Option<GridId>>,
    /// How to call each item in messages: its code, else its position.
    pub labels: Vec<String>,
    /// A boundary file to cover instead of the project's boundary, in the input's CRS.
    pub boundary_file: Option<MultiPolygon<f64>>,
}

impl CheckInput {
    pub fn crs(&self) -> Option<&Crs> {
        match &self.subject {
            Subject::Project { project, .. } => Some(&project.crs),
            Subject::Layer { crs, .. } => crs.as_ref(),
        }
    }

    /// How many features the input has and how many of them carry a polygon (a project's grids all do).
    pub fn polygon_counts(&self) -> (usize, usize) {
        match &self.subject {
            Subject::Project { items, .. } => (items.len(), items.len()),
            Subject::Layer { items, .. } => (items.len(), items.iter().filter(|m| !m.0.is_empty()).count()),
        }
    }

    /// How the input is checked unless told otherwise: a project with its own precision, a file with
    /// its CRS's default; `None` for a file with no CRS we know.
    pub fn default_options(&self) -> Option<CoverageOptions> {
        match &self.subject {
            Subject::Project { project, .. } => Some(CoverageOptions::for_project(project)),
            Subject::Layer { crs, .. } => crs.as_ref().map(CoverageOptions::for_crs),
        }
    }

    /// Checks the input: a project as [`Checker::for_project`] does (its area to cover, or the boundary
    /// file in its place, and its villages), a file's polygons against the boundary file or nothing. The
    /// items move into the checker: a second call checks nothing.
    pub fn check(&mut self, options: CoverageOptions) -> (Checker, AreaChecked) {
        let boundary_file = self.boundary_file.take();
        match &mut self.subject {
            Subject::Project { project, items } => {
                let (boundary, area) = match boundary_file {
                    Some(boundary) => (Some(boundary), AreaChecked::BoundaryFile),
                    None => area_to_cover(project),
                };
                (Checker::new(std::mem::take(items), boundary, Village::of(project), options), area)
            }
            Subject::Layer { items, .. } => {
                let area = if boundary_file.is_some() { AreaChecked::BoundaryFile } else { AreaChecked::GridsOnly };
                (Checker::new(std::mem::take(items), boundary_file, Vec::new(), options), area)
            }
        }
    }
}

/// Reads the grids to check from a project or a polygon file, and the boundary file if given.
pub fn read_check_input(path: &Path, boundary_file: Option<&Path>) -> Result<CheckInput, IoError> {
    let is_gpkg = is_project_path(path);
    // A GeoPackage that is a Wangge project (or a database project) is checked as one; any other file
    // as a layer of polygons.
    // A project that cannot be read (a damaged grid, say) is an error of its own, not a plain GeoPackage.
    let project = match is_gpkg.then(|| open_project_without_grids(path)) {
        Some(Ok(project)) => Some(project),
        Some(Err(e)) if !matches!(*e.problem, Problem::NotAProject(_)) => return Err(e),
        _ => None,
    };
    let mut input = if let Some(project) = project {
        // The grids row by row, in id order: each one's polygons, id and label are kept, nothing else.
        let (mut items, mut grid_ids, mut labels) = (Vec::new(), Vec::new(), Vec::new());
        each_grid(path, &mut |g| {
            check_coordinates(&g.geometry, Some(&project.crs))
                .map_err(|p| IoError::at_feature(path, g.id as usize, p))?;
            grid_ids.push(Some(g.id));
            labels.push(g.label());
            items.push(g.geometry);
            Ok(())
        })?;
        CheckInput {
            grid_ids,
            labels,
            subject: Subject::Project { project: Box::new(project), items },
            boundary_file: None,
        }
    } else {
        // Read feature by feature: only each feature's polygons and label are kept.
        let mut items: Vec<MultiPolygon<f64>> = Vec::new();
        let mut labels = Vec::new();
        let geographic = crs_from_epsg(4326).map_err(|e| IoError::new(path, e))?;
        // A GeoJSON file's CRS may come after its features: the lon/lat range is checked as if it were
        // geographic, and the first feature outside it refused once the CRS is known.
        let mut outside_lonlat: Option<IoError> = None;
        let source = read_source_each(path, None, &NoProgress, &mut |f| {
            if let Some(g) = &f.geometry {
                let at = |p: Problem| IoError::at_feature(path, f.number, p);
                check_coordinates(g, None).map_err(at)?;
                if outside_lonlat.is_none() {
                    outside_lonlat = check_coordinates(g, Some(&geographic)).err().map(at);
                }
            }
            labels.push(label_of(&f));
            items.push(polygons(f.geometry));
            Ok(())
        })?;
        let crs = match &source.crs {
            Some(SourceCrs::Epsg(c)) => Some(c.clone()),
            _ => None,
        };
        if let Some(e) = outside_lonlat
            && crs.as_ref().is_some_and(Crs::is_geographic)
        {
            return Err(e);
        }
        CheckInput {
            grid_ids: vec![None; items.len()],
            labels,
            subject: Subject::Layer { items, crs },
            boundary_file: None,
        }
    };
    if let Some(file) = boundary_file {
        let source = read_source(file, None)?;
        let crs = match &source.crs {
            Some(SourceCrs::Epsg(c)) => Some(c),
            _ => None,
        };
        check_numbers(&source, crs)?;
        let mut parts = Vec::new();
        for f in source.features {
            parts.extend(polygons(f.geometry).0);
        }
        if parts.is_empty() {
            return Err(IoError::new(file, Problem::NoBoundaryPolygon));
        }
        let mut boundary = MultiPolygon(parts);
        if let (Some(SourceCrs::Epsg(from)), Some(to)) = (&source.crs, input.crs())
            && from.epsg != to.epsg
        {
            let t = Transformer::new(&SourceCrs::Epsg(from.clone()), to).map_err(|e| IoError::new(file, e))?;
            let t = &t;
            boundary = boundary.try_map_coords(|c| t.apply(c)).map_err(|e| IoError::new(file, Problem::Crs(e)))?;
        }
        input.boundary_file = Some(boundary);
    }
    Ok(input)
}

/// The coordinate checks import makes (NaN, infinity, 1e300, lon/lat out of range), so that a file is
/// refused by `check` exactly as by `import`.
fn check_numbers(source: &SourceLayer, crs: Option<&Crs>) -> Result<(), IoError> {
    for f in &source.features {
        if let Some(g) = &f.geometry {
            check_coordinates(g, crs).map_err(|p| IoError::at_feature(&source.path, f.number, p))?;
        }
    }
    Ok(())
}

fn polygons(g: Option<Geometry<f64>>) -> MultiPolygon<f64> {
    match g {
        Some(Geometry::Polygon(p)) => MultiPolygon(vec![p]),
        Some(Geometry::MultiPolygon(mp)) => mp,
        _ => MultiPolygon(Vec::new()),
    }
}

/// How to call a feature in messages: its code or name, else its position.
fn label_of(f: &SourceFeature) -> String {
    ["code", "网格编码", "name", "NAME"]
        .iter()
        .find_map(|k| f.fields.get(*k).map(|v| v.as_text()).filter(|t| !t.is_empty()))
        .unwrap_or_else(|| format!("#{}", f.number - 1))
}
