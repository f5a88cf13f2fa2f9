//! Saving to a database project, optimistically: a changed grid is written only where its version is
//! still the one that was loaded (`UPDATE … WHERE id = $1 AND version = $2`); a grid someone else saved
//! in between is left as they saved it and comes back as a [`Conflict`] — theirs beside mine — while
//! everything else is written, in one transaction. The database's triggers move each version on and
//! record each write in `changes`.

use super::read::{Loaded, grid_from_row, grid_select};
use super::schema::{GRID_ATTRS, GridValues, insert_grid_sql, write_small_layers};
use super::{Db, DbError};
use crate::core::{Grid, GridId};
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
}

impl Db {
    /// Writes the grids named in `changes` (and, with `changes.other_layers`, the small layers afresh)
    /// from `loaded.project`, in one transaction. Conflicting grids are not written and are reported;
    /// the versions in `loaded` move on for the grids written.
    pub fn save(&mut self, loaded: &mut Loaded, changes: &Changes) -> Result<SaveReport, DbError> {
        let srid = self.check_project()?;
        let mut report = SaveReport::default();
        let mut tx = self.client.transaction()?;
        if changes.other_layers {
            write_small_layers(&mut tx, &loaded.project)?;
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
        let mut new_ids = Vec::new();
        for &id in &changes.grids {
            let db_id = id as i64;
            let base = loaded.versions.get(&id).copied();
            let mine = loaded.project.grids.get(&id);
            let written = match (mine, base) {
                (Some(grid), Some(version)) => {
                    let values = GridValues::of(grid);
                    let mut params = values.params();
                    params.insert(0, &version);
                    params.insert(0, &db_id);
                    match tx.query_opt(&update, &params)? {
                        Some(row) => {
                            loaded.versions.insert(id, row.get(0));
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
                        loaded.versions.remove(&id);
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
        tx.commit()?;
        // New grids take the id the database gave them; the project in memory follows (all moved grids
        // are taken out first, so that one's new id cannot land on another's old one).
        let mut moved = Vec::new();
        for &(mine, stored, version) in &new_ids {
            if mine != stored
                && let Some(grid) = loaded.project.grids.remove(&mine)
            {
                moved.push((stored, grid));
                report.renumbered.push((mine, stored));
            }
            loaded.versions.insert(stored, version);
            loaded.project.next_grid_id = loaded.project.next_grid_id.max(stored + 1);
        }
        for (stored, mut grid) in moved {
            grid.id = stored;
            loaded.project.grids.insert(stored, grid);
        }
        report.written.sort_unstable();
        Ok(report)
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
