//! Bringing a layer from any supported file into a project: read, pick the CRS, transform into the
//! project CRS, check every coordinate, map attributes onto the model — and only then change the
//! project, so a failed import leaves it untouched. An import that would replace what the project
//! has (its boundary, divisions under the same codes) is refused unless asked for: [`ImportOptions::replace`]
//! on the command line, a confirmation in the app, where the import is one undoable [`Command`].

use std::collections::BTreeMap;
use std::path::Path;

use super::crs::SourceCrs;
use super::error::{IoError, Problem};
use super::fields::{BOUNDARY_FIELDS, DIVISION_FIELDS, GRID_FIELDS, HOUSEHOLD_FIELDS, ModelField};
use super::source::SourceLayer;
use crate::core::edit::Command;
use crate::core::progress::Progress;
use crate::core::{Division, Project, area_m2};

mod read;
mod reference;
mod stage;

pub use read::*;
pub use reference::{PreparedReference, import_reference_file, import_reference_layer, prepare_reference};
pub use stage::check_coordinates;
use stage::*;

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
    stage_each(path, options, scan, progress, &mut |f| stager.feed(f))?;
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
