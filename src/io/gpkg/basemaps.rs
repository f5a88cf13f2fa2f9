//! The project's basemaps (issue 14): a `wangge_basemaps` attributes table, one row per source in
//! drawing order (bottom first), each the source's JSON ([`BasemapSource::to_json`], never a key). A
//! change is written like a save: into a copy beside the file, renamed over it — the file is the old
//! project or the new one at every instant. A project saved by the app keeps the table (a save copies the
//! old file and changes only its own tables).

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use super::beside::Beside;
use super::{is_geopackage, open_existing};
use crate::core::basemap::BasemapSource;
use crate::io::error::{AtPath, IoError, NotAProject, Problem};

const TABLE: &str = "wangge_basemaps";

/// The basemaps of a project, bottom first; none when it has no table yet. A row that cannot be read
/// (written by a newer Wangge) is an error naming it.
pub fn list_basemaps(path: &Path) -> Result<Vec<BasemapSource>, IoError> {
    let conn = open_existing(path, false)?;
    check_project(&conn, path)?;
    read(&conn, path)
}

/// Adds a basemap on top of the others, or replaces the one of the same name when `replace`; refused
/// (nothing written) when the name is taken and `replace` is false.
pub fn add_basemap(path: &Path, source: &BasemapSource, replace: bool) -> Result<(), IoError> {
    change(path, |conn| {
        let taken: Option<i64> = conn
            .query_row(&format!("SELECT position FROM {TABLE} WHERE name = ?1"), [&source.name], |r| r.get(0))
            .optional()
            .at(path)?;
        match taken {
            Some(_) if !replace => Err(IoError::new(
                path,
                Problem::BasemapExists { name: source.name.clone() },
            )),
            Some(position) => conn
                .execute(&format!("UPDATE {TABLE} SET source = ?1 WHERE position = ?2"), params![source.to_json(), position])
                .map(|_| ())
                .at(path),
            None => conn
                .execute(
                    &format!("INSERT INTO {TABLE} (name, position, source) VALUES (?1, (SELECT coalesce(max(position), 0) + 1 FROM {TABLE}), ?2)"),
                    params![source.name, source.to_json()],
                )
                .map(|_| ())
                .at(path),
        }
    })
}

/// Removes a basemap by name; false (and nothing written) when there is none of that name.
pub fn remove_basemap(path: &Path, name: &str) -> Result<bool, IoError> {
    let exists = list_basemaps(path)?.iter().any(|s| s.name == name);
    if exists {
        change(path, |conn| {
            conn.execute(&format!("DELETE FROM {TABLE} WHERE name = ?1"), [name]).map(|_| ()).at(path)
        })?;
    }
    Ok(exists)
}

/// Gives the project at `to` the basemaps of the project at `from` (Save As: they live in the file, not in
/// the model), replacing any it had. Relative file paths (MBTiles) are made to point at the same files
/// from `to`'s folder: relative again where the file lies inside it, absolute otherwise. Returns how
/// many were copied; nothing is written when `from` has none and `to` has none.
pub fn copy_basemaps(from: &Path, to: &Path) -> Result<usize, IoError> {
    let mut sources = list_basemaps(from)?;
    if sources.is_empty() && list_basemaps(to)?.is_empty() {
        return Ok(0);
    }
    let folder = |p: &Path| std::fs::canonicalize(p).ok().and_then(|p| p.parent().map(Path::to_path_buf));
    let (old_folder, new_folder) = (folder(from), folder(to));
    for source in &mut sources {
        if let (Some(file), Some(old)) = (source.local_file_mut(), &old_folder) {
            let absolute = old.join(&*file);
            let stored = new_folder.as_deref().and_then(|new| absolute.strip_prefix(new).ok()).unwrap_or(&absolute);
            *file = stored.to_string_lossy().into_owned();
        }
    }
    change(to, |conn| {
        conn.execute(&format!("DELETE FROM {TABLE}"), []).at(to)?;
        for (position, source) in sources.iter().enumerate() {
            conn.execute(
                &format!("INSERT INTO {TABLE} (name, position, source) VALUES (?1, ?2, ?3)"),
                params![source.name, position as i64 + 1, source.to_json()],
            )
            .at(to)?;
        }
        Ok(())
    })?;
    Ok(sources.len())
}

fn check_project(conn: &Connection, path: &Path) -> Result<(), IoError> {
    let project: Option<i64> = conn
        .query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'wangge_project'", [], |r| r.get(0))
        .optional()
        .at(path)?;
    if !is_geopackage(conn).at(path)? {
        return Err(IoError::new(path, Problem::NotAProject(NotAProject::NotGeoPackage)));
    }
    if project.is_none() {
        return Err(IoError::new(path, Problem::NotAProject(NotAProject::PlainGeoPackage)));
    }
    Ok(())
}

fn has_table(conn: &Connection, path: &Path) -> Result<bool, IoError> {
    conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [TABLE], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
        .at(path)
}

fn read(conn: &Connection, path: &Path) -> Result<Vec<BasemapSource>, IoError> {
    if !has_table(conn, path)? {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare(&format!("SELECT name, source FROM {TABLE} ORDER BY position, id")).at(path)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).at(path)?;
    let mut out = Vec::new();
    for row in rows {
        let (name, json) = row.at(path)?;
        let source = BasemapSource::from_json(&json)
            .map_err(|e| IoError::new(path, Problem::BadBasemap { name, detail: e.to_string() }))?;
        out.push(source);
    }
    Ok(out)
}

/// Copies the project beside itself, creates the table if needed, runs `edit` in one transaction and
/// renames the copy over the project.
fn change(path: &Path, edit: impl FnOnce(&Connection) -> Result<(), IoError>) -> Result<(), IoError> {
    check_project(&open_existing(path, false)?, path)?;
    let target = std::fs::canonicalize(path).at(path)?;
    let temp = Beside::create(&target).at(path)?;
    std::fs::copy(&target, temp.path()).at(path)?;
    let mut conn =
        Connection::open_with_flags(temp.path(), OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .at(path)?;
    conn.pragma_update_and_check(None, "journal_mode", "MEMORY", |r| r.get::<_, String>(0)).at(path)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).at(path)?;
    if !has_table(&tx, path)? {
        // An attributes table, registered in gpkg_contents as the GeoPackage spec asks of every user table,
        // with the INTEGER primary key it requires.
        tx.execute_batch(&format!(
            "CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, name TEXT NOT NULL UNIQUE,
                 position INTEGER NOT NULL, source TEXT NOT NULL);
             DELETE FROM gpkg_contents WHERE table_name = '{TABLE}';
             INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
               VALUES ('{TABLE}', 'attributes', '{TABLE}', 'Wangge basemaps (tile sources, bottom first)');"
        ))
        .at(path)?;
    }
    edit(&tx)?;
    tx.commit().at(path)?;
    conn.close().map_err(|(_, e)| e).at(path)?;
    temp.replace_target().at(path)
}
