//! Where a project lives: a GeoPackage file, or a schema in a PostGIS database named by its URL
//! (`postgres://USER@HOST:PORT/DB?schema=NAME`, issue 16). The one place that tells them apart: the
//! commands hand their project argument to these functions, whichever it is.

use std::path::Path;

use super::error::{IoError, Problem};
use super::gpkg;
use super::postgis::{Db, DbError, DbUrl, is_db_path, redacted, url_path};
use crate::core::progress::{NoProgress, Progress, Stage};
use crate::core::{Grid, Project};

/// Whether `path` names a project to open as one: a `.gpkg` file or a database URL.
pub fn is_project_path(path: &Path) -> bool {
    is_db_path(path) || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
}

/// The database URL `path` names, connected; None for a file.
fn database(path: &Path) -> Option<Result<Db, IoError>> {
    if !is_db_path(path) {
        return None;
    }
    let text = path.to_str().unwrap_or_default();
    // A malformed URL is named with any password in it masked.
    let at = |e: DbError| IoError::new(Path::new(&redacted(text)), Problem::Database(e));
    Some(DbUrl::parse(text).map_err(|e| at(e.into())).and_then(|url| {
        // From here on the URL is named as parsed (never with anything secret in it).
        Db::connect(&url).map_err(|e| IoError::new(&url_path(&url), Problem::Database(e)))
    }))
}

fn at_db(db: &Db) -> impl Fn(DbError) -> IoError + '_ {
    move |e| IoError::new(&url_path(db.url()), Problem::Database(e))
}

/// Opens a project, from its file or its database.
pub fn open_project(path: &Path) -> Result<Project, IoError> {
    open_project_with(path, &NoProgress)
}

/// [`open_project`], reporting its progress.
pub fn open_project_with(path: &Path, progress: &dyn Progress) -> Result<Project, IoError> {
    match database(path) {
        None => gpkg::open_project_with(path, progress),
        Some(db) => {
            let mut db = db?;
            progress.begin(Stage::Opening, 0);
            db.open().map(|loaded| loaded.project).map_err(at_db(&db))
        }
    }
}

/// A project without its grids, for a job that then reads them one at a time with [`each_grid`].
pub fn open_project_without_grids(path: &Path) -> Result<Project, IoError> {
    match database(path) {
        None => gpkg::open_project_without_grids(path),
        Some(db) => {
            let mut db = db?;
            db.open_without_grids().map_err(at_db(&db))
        }
    }
}

/// Hands every grid to `each`, in id order, one at a time; returns how many.
pub fn each_grid(path: &Path, each: &mut dyn FnMut(Grid) -> Result<(), IoError>) -> Result<usize, IoError> {
    match database(path) {
        None => gpkg::each_grid(path, each),
        Some(db) => {
            let mut db = db?;
            let url = url_path(db.url());
            db.each_grid(&mut |grid, _| each(grid).map_err(Wrapped::Io)).map_err(|e: Wrapped| match e {
                Wrapped::Io(e) => e,
                Wrapped::Db(e) => IoError::new(&url, Problem::Database(e)),
            })
        }
    }
}

/// The number of grids, without reading them.
pub fn count_grids(path: &Path) -> Result<u64, IoError> {
    match database(path) {
        None => gpkg::count_grids(path),
        Some(db) => {
            let mut db = db?;
            db.count_grids().map_err(at_db(&db))
        }
    }
}

/// A project without its grids and the facts `wangge info` states of them.
pub fn open_project_facts(path: &Path) -> Result<(Project, gpkg::GridFacts), IoError> {
    match database(path) {
        None => gpkg::open_project_facts(path),
        Some(db) => {
            let mut db = db?;
            let project = db.open().map(|loaded| loaded.project).map_err(at_db(&db))?;
            let facts = gpkg::GridFacts::of(&project);
            Ok((project, facts))
        }
    }
}

/// Where a command that changes a project read it from, and what its save is checked against.
pub enum ReadFrom {
    /// A file, as stamped when read: a save over a file another program changed since is refused.
    File(Option<crate::io::FileStamp>),
    /// A database: the project as read and its grids' versions; the save writes what differs, all or
    /// nothing, each grid only if no one else saved it since.
    Database { base: Box<Project>, versions: std::collections::BTreeMap<crate::core::GridId, i32> },
}

/// Opens a project that a command will change and save back with [`save_back`]: a file or a database.
pub fn open_to_save(path: &Path, progress: &dyn Progress) -> Result<(Project, ReadFrom), IoError> {
    match database(path) {
        None => {
            let (project, stamp) = super::file_stamp::open_project_stamped_with(path, progress)?;
            Ok((project, ReadFrom::File(stamp)))
        }
        Some(db) => {
            let mut db = db?;
            progress.begin(Stage::Opening, 0);
            let loaded = db.open().map_err(at_db(&db))?;
            let base = Box::new(loaded.project.clone());
            Ok((loaded.project, ReadFrom::Database { base, versions: loaded.versions }))
        }
    }
}

/// Saves a project [`open_to_save`] read back where it came from. To a database: the grids that differ
/// from what was read (and the other layers, when they differ), in one transaction, all or nothing —
/// when someone else saved one of them since, or the account may not change it, nothing is written
/// and the error names them.
pub fn save_back(project: &Project, path: &Path, from: &ReadFrom, progress: &dyn Progress) -> Result<(), IoError> {
    match (from, database(path)) {
        (ReadFrom::File(stamp), None) => {
            super::file_stamp::save_project_unchanged_with(project, path, stamp.as_ref(), progress).map(|_| ())
        }
        (ReadFrom::Database { base, versions }, Some(db)) => {
            let mut db = db?;
            progress.begin(Stage::Saving, 0);
            let changes = changes_between(base, project);
            let mut versions = versions.clone();
            let options = super::postgis::SaveOptions::all_or_nothing(None);
            let report = db.save_grids(project, (&mut versions, base), &changes, &options).map_err(at_db(&db))?;
            if report.complete() {
                return Ok(());
            }
            let ids: Vec<String> = report
                .conflicts
                .iter()
                .map(|c| c.id)
                .chain(report.refused.iter().map(|r| r.id))
                .map(|id| id.to_string())
                .collect();
            let e = DbError::NotSaved {
                conflicts: report.conflicts.len(),
                refused: report.refused.len(),
                grids: ids.join(", "),
            };
            Err(at_db(&db)(e))
        }
        // Read from one kind of place, saved to another: not what these commands do.
        _ => Err(IoError::new(path, Problem::Database(DbError::CannotSaveHere))),
    }
}

/// What differs from `base` to `project`: the grids added, changed or removed, and whether any other
/// layer (name, boundary, divisions, households, reference layers, settings) changed.
pub fn changes_between(base: &Project, project: &Project) -> super::Changes {
    let ids: std::collections::BTreeSet<_> = base.grids.keys().chain(project.grids.keys()).copied().collect();
    let grids = ids.into_iter().filter(|id| base.grids.get(id) != project.grids.get(id)).collect();
    super::Changes { grids, other_layers: other_layers_differ(base, project) }
}

/// Whether any layer besides the grids (name, boundary, divisions, households, reference layers,
/// settings) differs between `a` and `b`.
pub fn other_layers_differ(a: &Project, b: &Project) -> bool {
    a.name != b.name
        || a.boundary != b.boundary
        || a.divisions != b.divisions
        || a.households != b.households
        || a.reference_layers != b.reference_layers
        || a.settings != b.settings
}

/// A save to where a project lives is only for files here: database projects are saved through
/// [`Db::save`], which knows the versions that were loaded.
pub fn refuse_database_save(path: &Path) -> Result<(), IoError> {
    if is_db_path(path) {
        return Err(IoError::new(path, Problem::Database(DbError::CannotSaveHere)));
    }
    Ok(())
}

/// An error from a grid callback (already an IoError) or from the database.
enum Wrapped {
    Io(IoError),
    Db(DbError),
}

impl From<DbError> for Wrapped {
    fn from(e: DbError) -> Wrapped {
        Wrapped::Db(e)
    }
}
