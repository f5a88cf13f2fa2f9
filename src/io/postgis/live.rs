//! Keeping an open database project live: the grids other people saved since it was read, found in
//! the edit history (`changes`) and read as they are now, so that the app shows them without
//! reopening. And the password a user typed, held for the session's connections only.

use std::collections::{BTreeMap, BTreeSet};

use super::read::{grid_from_row, grid_select};
use super::{Db, DbError};
use crate::core::{Grid, GridId};

/// How many change ids before the last one seen are looked at again on each poll: a transaction that
/// took its ids before another but committed after it is still found (its grids are compared by
/// version, so nothing is applied twice).
const LOOK_BACK: i64 = 10_000;

/// A password typed into the app: handed to the server, never shown (its `Debug` hides it), never
/// written anywhere, and overwritten in memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// None for an empty field (then `PGPASSWORD` or the password file is used).
    pub fn typed(text: &str) -> Option<Password> {
        (!text.is_empty()).then(|| Password(text.to_string()))
    }

    pub(super) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        // Not a guarantee against copies the allocator made, but the text does not linger here.
        let bytes = std::mem::take(&mut self.0).into_bytes();
        let mut bytes = std::hint::black_box(bytes);
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
    }
}

/// A grid as someone else left it.
#[derive(Clone, Debug, PartialEq)]
pub enum Remote {
    /// Written (changed or added): the grid and its version now.
    Written(Box<Grid>, i32),
    /// Deleted.
    Deleted(GridId),
}

impl Remote {
    pub fn id(&self) -> GridId {
        match self {
            Remote::Written(grid, _) => grid.id,
            Remote::Deleted(id) => *id,
        }
    }
}

/// What changed in the database since a client last looked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RemoteChanges {
    /// The grids whose state differs from the versions the client holds, in id order.
    pub grids: Vec<Remote>,
    /// Who wrote them (accounts), sorted.
    pub who: Vec<String>,
    /// The last change id seen: where the next look starts.
    pub seen: i64,
}

impl Db {
    /// The id of the last recorded change (0 for none): where a client that has just read the project
    /// starts looking for others' changes.
    pub fn last_change(&mut self) -> Result<i64, DbError> {
        self.check_project()?;
        let row = self.client.query_one("SELECT coalesce(max(id), 0) FROM changes", &[])?;
        Ok(row.get(0))
    }

    /// The grids `ids` as they are in the database now, with their versions, in id order (a grid that is
    /// not there is left out).
    pub fn grids_now(&mut self, ids: &[GridId]) -> Result<Vec<(Grid, i32)>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = ids.iter().map(|&id| id as i64).collect();
        let sql = format!("{} WHERE id = ANY($1) ORDER BY id", grid_select());
        self.client.query(&sql, &[&ids])?.iter().map(grid_from_row).collect()
    }

    /// The grids written since change `after` whose version differs from the one in `versions` (the
    /// versions this client holds): added, changed or deleted by someone else. A grid this client
    /// wrote itself has the version it holds, and is not listed.
    pub fn remote_changes(&mut self, after: i64, versions: &BTreeMap<GridId, i32>) -> Result<RemoteChanges, DbError> {
        let since = after.saturating_sub(LOOK_BACK);
        let rows = self.client.query(
            "SELECT c.grid_id, max(c.id), g.version, array_agg(DISTINCT c.who ORDER BY c.who)
             FROM changes c LEFT JOIN grids g ON g.id = c.grid_id
             WHERE c.id > $1 GROUP BY c.grid_id, g.version ORDER BY c.grid_id",
            &[&since],
        )?;
        let mut seen = after;
        let (mut written, mut deleted, mut who) = (Vec::new(), Vec::new(), BTreeSet::new());
        for row in &rows {
            let (id, last, now): (i64, i64, Option<i32>) = (row.get(0), row.get(1), row.get(2));
            seen = seen.max(last);
            let grid = id as GridId;
            let differs = match (now, versions.get(&grid)) {
                (Some(now), Some(mine)) => now != *mine,
                (Some(_), None) => true,
                (None, Some(_)) => true,
                (None, None) => false,
            };
            if !differs {
                continue;
            }
            who.extend(row.get::<_, Vec<String>>(3));
            match now {
                Some(_) => written.push(id),
                None => deleted.push(grid),
            }
        }
        let mut grids: Vec<Remote> = deleted.into_iter().map(Remote::Deleted).collect();
        let written: Vec<GridId> = written.into_iter().map(|id| id as GridId).collect();
        for (grid, version) in self.grids_now(&written)? {
            grids.push(Remote::Written(Box::new(grid), version));
        }
        grids.sort_by_key(Remote::id);
        Ok(RemoteChanges { grids, who: who.into_iter().collect(), seen })
    }
}

#[cfg(test)]
mod tests {
    use super::Password;

    #[test]
    fn a_typed_password_is_never_shown() {
        let p = Password::typed("s3cret").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert_eq!(p.expose(), "s3cret");
        assert_eq!(Password::typed(""), None);
    }
}
