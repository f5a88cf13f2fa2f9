//! What the coverage check reads: the grids of a project (with its boundary, village polygons and CRS)
//! or the polygons of any file, plus an optional boundary file, in one CRS.

use std::path::Path;

use geo::{Geometry, MapCoords, MultiPolygon};

use super::crs::{SourceCrs, Transformer};
use super::error::{IoError, Problem};
use super::import::{check_coordinates, read_source};
use super::open_project;
use super::source::SourceLayer;
use crate::core::coverage::{AreaChecked, Checker, CoverageOptions};
use crate::core::{Crs, Grid, GridId, Project};

/// What is checked: a project, as the app checks it, or the polygons of any other file.
pub enum Subject {
    Project(Box<Project>),
    /// One multipolygon per input feature, in input order (empty for features without a polygon);
    /// `crs` is `None` when the file declares no CRS we know (it can then only be checked as planar data).
    Layer {
        items: Vec<MultiPolygon<f64>>,
        crs: Option<Crs>,
    },
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
            Subject::Project(p) => Some(&p.crs),
            Subject::Layer { crs, .. } => crs.as_ref(),
        }
    }

    /// How many features the input has and how many of them carry a polygon (a project's grids all do).
    pub fn polygon_counts(&self) -> (usize, usize) {
        match &self.subject {
            Subject::Project(p) => (p.grids.len(), p.grids.len()),
            Subject::Layer { items, .. } => (items.len(), items.iter().filter(|m| !m.0.is_empty()).count()),
        }
    }

    /// How the input is checked unless told otherwise: a project with its own precision, a file with
    /// its CRS's default; `None` for a file with no CRS we know.
    pub fn default_options(&self) -> Option<CoverageOptions> {
        match &self.subject {
            Subject::Project(p) => Some(CoverageOptions::for_project(p)),
            Subject::Layer { crs, .. } => crs.as_ref().map(CoverageOptions::for_crs),
        }
    }

    /// Checks the input: a project with [`Checker::for_project`] (the boundary file, if any, in place of
    /// its boundary), a file's polygons against the boundary file or nothing. The items move into the
    /// checker: a second call checks nothing.
    pub fn check(&mut self, options: CoverageOptions) -> (Checker, AreaChecked) {
        let boundary_file = self.boundary_file.take();
        match &mut self.subject {
            Subject::Project(project) => match boundary_file {
                Some(boundary) => {
                    project.boundary = boundary;
                    (Checker::for_project(project, options).0, AreaChecked::BoundaryFile)
                }
                None => Checker::for_project(project, options),
            },
            Subject::Layer { items, .. } => {
                let area = if boundary_file.is_some() { AreaChecked::BoundaryFile } else { AreaChecked::GridsOnly };
                (Checker::new(std::mem::take(items), boundary_file, Vec::new(), options), area)
            }
        }
    }
}

/// Reads the grids to check from a project or a polygon file, and the boundary file if given.
pub fn read_check_input(path: &Path, boundary_file: Option<&Path>) -> Result<CheckInput, IoError> {
    let is_gpkg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gpkg"));
    // A GeoPackage that is a Wangge project is checked as one; any other file as a layer of polygons.
    // A project that cannot be read (a damaged grid, say) is an error of its own, not a plain GeoPackage.
    let project = match is_gpkg.then(|| open_project(path)) {
        Some(Ok(project)) => Some(project),
        Some(Err(e)) if !matches!(*e.problem, Problem::NotAProject(_)) => return Err(e),
        _ => None,
    };
    let mut input = if let Some(project) = project {
        for g in project.grids.values() {
            check_coordinates(&g.geometry, Some(&project.crs))
                .map_err(|p| IoError::at_feature(path, g.id as usize, p))?;
        }
        CheckInput {
            grid_ids: project.grids.keys().map(|id| Some(*id)).collect(),
            labels: project.grids.values().map(Grid::label).collect(),
            subject: Subject::Project(Box::new(project)),
            boundary_file: None,
        }
    } else {
        let source = read_source(path, None)?;
        let crs = match &source.crs {
            Some(SourceCrs::Epsg(c)) => Some(c.clone()),
            _ => None,
        };
        check_numbers(&source, crs.as_ref())?;
        let items: Vec<MultiPolygon<f64>> = source.features.iter().map(|f| polygons(f.geometry.as_ref())).collect();
        let labels = source
            .features
            .iter()
            .map(|f| {
                ["code", "网格编码", "name", "NAME"]
                    .iter()
                    .find_map(|k| f.fields.get(*k).map(|v| v.as_text()).filter(|t| !t.is_empty()))
                    .unwrap_or_else(|| format!("#{}", f.number - 1))
            })
            .collect();
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
        for f in &source.features {
            parts.extend(polygons(f.geometry.as_ref()).0);
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

fn polygons(g: Option<&Geometry<f64>>) -> MultiPolygon<f64> {
    match g {
        Some(Geometry::Polygon(p)) => MultiPolygon(vec![p.clone()]),
        Some(Geometry::MultiPolygon(mp)) => mp.clone(),
        _ => MultiPolygon(Vec::new()),
    }
}
