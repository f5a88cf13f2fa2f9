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
