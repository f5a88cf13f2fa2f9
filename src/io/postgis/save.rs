//! Saving to a database project, optimistically: a changed grid is written only where its version is
//! still the one that was loaded (`UPDATE … WHERE id = $1 AND version = $2`); a grid someone else saved
//! in between is left as they saved it and comes back as a [`Conflict`] — theirs beside mine — and a
//! grid the account may not change (another township's, by row-level security) comes back as a
//! [`Refusal`], never as a silent no-op. In one transaction; the database's triggers move each version on
//! and record each write in `changes`.
//!
//! A save either writes everything it can ([`SaveMode::EachGrid`]) or, for an edit that must land whole —
//! a shared border moved in both grids, a split and the neighbours it noded — nothing at all when any of
//! its grids conflicts or is refused ([`SaveMode::AllOrNothing`]): writing one side of a moved border
//! and not the other would break the coverage.

use super::read::{Loaded, grid_from_row, grid_select};
use super::schema::{GRID_ATTRS, GridValues, insert_grid_sql};
use super::{Db, DbError};
use std::collections::BTreeMap;

use crate::core::{Grid, GridId, Project};
use crate::io::Changes;

/// A grid both I and someone else changed since I loaded it: nothing of either was lost — theirs is in
/// the database, mine still in my project.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub id: GridId,
    /// My grid (None: I deleted it).
    pub mine: Option<Grid>,
    /// Theirs as it is now in the database, with its version (None: they deleted it).
    pub theirs: Option<(Grid, i32)>,
}

/// A grid this account may not change (PostgreSQL's row-level security: a township account writes only
/// its own township's grids): not written, and said so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub id: GridId,
    /// The township (the first 9 digits of the village code) the grid belongs to — in the database, or,
    /// for a grid I would move into another township or add there, in my project. Empty when the grid
    /// has no village code.
    pub township: String,
}

/// How a save treats the grids of one save that cannot all be written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SaveMode {
    /// Write every grid that can be written; report the others (conflicts, refusals).
    #[default]
    EachGrid,
    /// All or nothing: when any grid conflicts or is refused, the transaction is rolled back and
    /// nothing is written ([`SaveReport::rolled_back`]); every conflict and refusal is still reported.
    AllOrNothing,
}

/// What a save did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SaveReport {
    /// Grids written (updated, inserted or deleted), by their id in the database.
    pub written: Vec<GridId>,
    /// New grids whose id was taken by a grid someone else added: (my id, the id it was stored under);
    /// the project in memory is renumbered the same way.
    pub renumbered: Vec<(GridId, GridId)>,
    /// Grids not written because someone else saved them first.
    pub conflicts: Vec<Conflict>,
    /// Grids not written because this account may not change them.
    pub refused: Vec<Refusal>,
    /// [`SaveMode::AllOrNothing`] found a conflict or a refusal: nothing at all was written.
    pub rolled_back: bool,
    /// The save's tag was found: an earlier save with it was committed (its reply was lost), and this
    /// is what it did; nothing was written now.
    pub replayed: bool,
    /// The layers besides the grids were written (merged).
    pub layers_written: bool,
}

/// How a save goes: all or nothing or grid by grid, and its tag — a name the client makes for one save
/// and uses again when it retries it after losing the reply: a tag already in the database means that
/// save was committed, and it is not written a second time (new grids would be added twice).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SaveOptions {
    pub mode: SaveMode,
    pub tag: Option<String>,
}

impl SaveOptions {
    pub fn all_or_nothing(tag: Option<String>) -> SaveOptions {
        SaveOptions { mode: SaveMode::AllOrNothing, tag }
    }
}

/// A new save tag: unique with overwhelming likelihood (the time, the process, and the random keys
/// of the standard library's hasher).
pub fn new_save_tag() -> String {
    use std::hash::{BuildHasher, Hasher};
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(nanos);
    h.write_u32(std::process::id());
    let mut h2 = std::collections::hash_map::RandomState::new().build_hasher();
    h2.write_u64(h.finish());
    format!("{:016x}{:016x}{:08x}", h.finish(), h2.finish(), std::process::id())
}

impl SaveReport {
    /// Whether everything asked for was written.
    pub fn complete(&self) -> bool {
        self.conflicts.is_empty() && self.refused.is_empty() && !self.rolled_back
    }
}

/// The township of a village code: its first 9 digits ("" when it has none).
fn township_of(village: &str) -> String {
    village.get(..9).filter(|t| t.bytes().all(|b| b.is_ascii_digit())).unwrap_or_default().to_string()
}

impl Db {
    /// Writes the grids named in `changes` (and, with `changes.other_layers`, the small layers afresh)
    /// from `loaded.project`, in one transaction, grid by grid ([`SaveMode::EachGrid`]).
    pub fn save(&mut self, loaded: &mut Loaded, changes: &Changes) -> Result<SaveReport, DbError> {
        self.save_with(loaded, changes, SaveMode::EachGrid)
    }

    /// Writes the grids named in `changes` (and, with `changes.other_layers`, the small layers afresh)
    /// from `loaded.project`, in one transaction. Conflicting and refused grids are not written and are
    /// reported; with [`SaveMode::AllOrNothing`] nothing is written then. The versions in `loaded` move
    /// on for the grids written, once the transaction is committed (an error or a roll-back leaves them
    /// as they were, so a retry compares against what is really in the database).
    pub fn save_with(&mut self, loaded: &mut Loaded, changes: &Changes, mode: SaveMode) -> Result<SaveReport, DbError> {
        let options = SaveOptions { mode, tag: None };
        let layers_read = std::sync::Arc::clone(&loaded.layers_read);
        let report = self.save_grids(&loaded.project, (&mut loaded.versions, &layers_read), changes, &options)?;
        if changes.other_layers && !report.rolled_back {
            loaded.layers_read = std::sync::Arc::new(loaded.project.without_grids());
        }
        // New grids take the id the database gave them; the project in memory follows (all moved grids
        // are taken out first, so that one's new id cannot land on another's old one).
        let project = &mut loaded.project;
        let moved: Vec<_> = report
            .renumbered
            .iter()
            .filter_map(|&(mine, stored)| Some((stored, project.grids.remove(&mine)?)))
            .collect();
        for (stored, mut grid) in moved {
            grid.id = stored;
            project.next_grid_id = project.next_grid_id.max(stored + 1);
            project.grids.insert(stored, grid);
        }
        Ok(report)
    }

    /// [`Db::save_with`] of `project`, whose grids were read at `versions_read` and other layers as
    /// `layers_read`, without changing the project: new grids whose id someone else took are stored
    /// under another ([`SaveReport::renumbered`]), for the caller to renumber (the app, whose project is
    /// shared with its caches, does it in place). The versions move on for the grids written, and are
    /// set for the renumbered ones under their new ids. The other layers, when `changes` names them,
    /// are merged row by row with what is in the database now (`layers::save`): a change someone else
    /// made meanwhile to the same rows, or to the county's part, is [`DbError::LayersChanged`], and
    /// nothing is written.
    pub fn save_grids(
        &mut self,
        project: &Project,
        (versions_read, layers_read): (&mut BTreeMap<GridId, i32>, &Project),
        changes: &Changes,
        options: &SaveOptions,
    ) -> Result<SaveReport, DbError> {
        let srid = self.check_writable()?;
        let mode = options.mode;
        let mut report = SaveReport::default();
        let mut tx = self.client.transaction()?;
        // Each statement sees what was committed before it (the advisory locks below rely on it), whatever
        // the server's default.
        tx.batch_execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")?;
        if let Some(tag) = &options.tag {
            // A retry while the first try is still in flight waits for it to end, then sees its tag.
            tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[tag])?;
            let done = tx.query_opt("SELECT result::text FROM saves WHERE tag = $1", &[tag])?;
            if let Some(row) = done {
                let replayed = Replay::parse(row.get(0))?;
                tx.commit()?;
                return Ok(replayed.apply(versions_read));
            }
        }
        // Row-level security applies to this account (not the schema's owner): ask the policy's own
        // function before each write, so that a grid it may not change is reported as such instead of
        // an UPDATE that silently matches nothing (or an INSERT the policy rejects with an error).
        let rls: bool = tx.query_one("SELECT row_security_active('grids')", &[])?.get(0);
        if changes.other_layers {
            super::layers::save(&mut tx, srid, layers_read, project)?;
        }
        let assignments: Vec<String> =
            GRID_ATTRS.split(", ").enumerate().map(|(i, c)| format!("{c} = ${}", i + 4)).collect();
        let update = tx.prepare(&format!(
            "UPDATE grids SET geom = ST_Multi(ST_GeomFromWKB($3, {srid})), {} WHERE id = $1 AND version = $2 RETURNING version",
            assignments.join(", ")
        ))?;
        let insert = tx.prepare(&insert_grid_sql(srid as u32, true))?;
        let delete = tx.prepare("DELETE FROM grids WHERE id = $1 AND version = $2")?;
        let theirs = tx.prepare(&format!("{} WHERE id = $1", grid_select()))?;
        let may_write = tx.prepare("SELECT may_write(current_user, $1)")?;
        let stored_village = tx.prepare("SELECT village_code FROM grids WHERE id = $1")?;
        let mut new_ids = Vec::new();
        // Versions to set (Some) or forget (None) once committed.
        let mut versions = Vec::new();
        for &id in &changes.grids {
            let db_id = id as i64;
            let base = versions_read.get(&id).copied();
            let mine = project.grids.get(&id);
            if rls {
                // The grid as stored (updates and deletes) and as I would store it (updates, inserts).
                let stored: Option<String> = match base {
                    Some(_) => tx.query_opt(&stored_village, &[&db_id])?.map(|r| r.get(0)),
                    None => None,
                };
                let mut refused = None;
                for village in stored.iter().chain(mine.map(|g| &g.village_code)) {
                    if !tx.query_one(&may_write, &[village])?.get::<_, bool>(0) {
                        refused = Some(township_of(village));
                        break;
                    }
                }
                if let Some(township) = refused {
                    report.refused.push(Refusal { id, township });
                    continue;
                }
            }
            let written = match (mine, base) {
                (Some(grid), Some(version)) => {
                    let values = GridValues::of(grid);
                    let mut params = values.params();
                    params.insert(0, &version);
                    params.insert(0, &db_id);
                    match tx.query_opt(&update, &params)? {
                        Some(row) => {
                            versions.push((id, Some(row.get::<_, i32>(0))));
                            true
                        }
                        None => false,
                    }
                }
                (Some(grid), None) => {
                    let values = GridValues::of(grid);
                    let row = tx.query_one(&insert, &values.params())?;
                    let (stored, version): (i64, i32) = (row.get(0), row.get(1));
                    new_ids.push((id, stored as GridId, version));
                    report.written.push(stored as GridId);
                    continue;
                }
                (None, Some(version)) => {
                    let deleted = tx.execute(&delete, &[&db_id, &version])? == 1;
                    // Deleted by them too: nothing to do, nothing lost.
                    let gone = !deleted && tx.query_opt(&theirs, &[&db_id])?.is_none();
                    if deleted || gone {
                        versions.push((id, None));
                    }
                    deleted || gone
                }
                (None, None) => continue,
            };
            if written {
                report.written.push(id);
            } else {
                let theirs = tx.query_opt(&theirs, &[&db_id])?.map(|row| grid_from_row(&row)).transpose()?;
                report.conflicts.push(Conflict { id, mine: mine.cloned(), theirs });
            }
        }
        if mode == SaveMode::AllOrNothing && !(report.conflicts.is_empty() && report.refused.is_empty()) {
            tx.rollback()?;
            report.written.clear();
            report.rolled_back = true;
            return Ok(report);
        }
        let layers = changes.other_layers;
        let done = Replay { written: std::mem::take(&mut report.written), new_ids, versions, layers };
        if let Some(tag) = &options.tag {
            tx.execute("INSERT INTO saves (tag, result) VALUES ($1, $2::text::jsonb)", &[tag, &done.to_json()])?;
        }
        tx.commit()?;
        let settled = done.apply(versions_read);
        (report.written, report.renumbered, report.layers_written) = (settled.written, settled.renumbered, layers);
        Ok(report)
    }
}

/// What a committed save did, kept with its tag: enough to bring a client that lost the reply to where
/// it would have been.
struct Replay {
    written: Vec<GridId>,
    /// (my id, the id it was stored under, its version) of each new grid.
    new_ids: Vec<(GridId, GridId, i32)>,
    /// The versions written (None: deleted).
    versions: Vec<(GridId, Option<i32>)>,
    /// Whether the layers besides the grids were written.
    layers: bool,
}

impl Replay {
    fn to_json(&self) -> String {
        serde_json::json!({
            "written": self.written,
            "new_ids": self.new_ids,
            "versions": self.versions,
            "layers": self.layers,
        })
        .to_string()
    }

    fn parse(text: &str) -> Result<Replay, DbError> {
        let bad = |detail: &str| DbError::BadRow { table: "saves", id: 0, detail: detail.into() };
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
        let field = |name: &str| value.get(name).cloned().ok_or_else(|| bad(&format!("no {name}")));
        let written = serde_json::from_value(field("written")?).map_err(|e| bad(&e.to_string()))?;
        let new_ids = serde_json::from_value(field("new_ids")?).map_err(|e| bad(&e.to_string()))?;
        let versions = serde_json::from_value(field("versions")?).map_err(|e| bad(&e.to_string()))?;
        let layers = value.get("layers").and_then(serde_json::Value::as_bool).unwrap_or(false);
        Ok(Replay { written, new_ids, versions, layers })
    }

    /// Moves the versions on as the save did; the report of what it wrote (marked replayed, which a
    /// save just made unmarks).
    fn apply(self, versions_read: &mut BTreeMap<GridId, i32>) -> SaveReport {
        let mut report =
            SaveReport { written: self.written, replayed: true, layers_written: self.layers, ..SaveReport::default() };
        for (id, version) in self.versions {
            match version {
                Some(v) => versions_read.insert(id, v),
                None => versions_read.remove(&id),
            };
        }
        for (mine, stored, version) in self.new_ids {
            if mine != stored {
                report.renumbered.push((mine, stored));
            }
            versions_read.insert(stored, version);
        }
        report.written.sort_unstable();
        report
    }
}

impl Loaded {
    /// Resolves a conflict by taking theirs: my grid becomes theirs (or goes, if they deleted it), at
    /// their version.
    pub fn take_theirs(&mut self, conflict: &Conflict) {
        match &conflict.theirs {
            Some((grid, version)) => {
                self.project.grids.insert(conflict.id, grid.clone());
                self.versions.insert(conflict.id, *version);
            }
            None => {
                self.project.grids.remove(&conflict.id);
                self.versions.remove(&conflict.id);
            }
        }
    }

    /// Resolves a conflict by keeping mine: the next save writes my grid over theirs (theirs stays in
    /// the history). A grid they deleted is added back as a new grid.
    pub fn keep_mine(&mut self, conflict: &Conflict) {
        match &conflict.theirs {
            Some((_, version)) => self.versions.insert(conflict.id, *version),
            None => self.versions.remove(&conflict.id),
        };
    }
}
