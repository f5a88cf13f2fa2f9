//! `wangge db checkin`: a township's offline edits merged back into the database, three ways against
//! the state at check-out (`checkout.rs`), in one transaction: all or nothing.
//!
//! Each grid is sorted by [`crate::core::merge`]: mine only → written (with the optimistic version
//! check); theirs only → comes into the file; both the same → nothing to do; both differently → a
//! conflict. Nothing is written — in the database or the file — while a conflict, an edit of a
//! neighbour's read-only grid, a write the account may not make (row-level security) or a seam break
//! remains; the report lists each. `--take-theirs` / `--take-mine` settle conflicts in the next
//! check-in. After a check-in that went through, the file holds the database's state of the township
//! and its neighbours, and its base moves on, so the township continues editing and checks in again.
//!
//! A check-in the database committed whose file was never updated (the client killed, or the file
//! could not be written) is finished by running it again: the history since the file's base records
//! what this account's check-ins wrote, and a grid of mine written exactly so is mine already — its
//! base from then on, not an edit to write twice nor a conflict with itself; a new grid of mine stored
//! under another id is that grid.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use postgres::Transaction;

use super::checkout::{
    BaseGrid, CheckedOutRows, CheckoutInfo, base_of, in_township, read_only_ids, scope_grids, write_checkout_tables,
};
use super::read::grid_from_row;
use super::schema::{GRID_ATTRS, GridValues, insert_grid_sql};
use super::{Db, DbError};
use crate::core::merge::{Field, Outcome, SeamBreak, merge_grids, seam_breaks};
use crate::core::{Grid, GridId, Project};
use crate::io::error::{IoError, Problem};
use crate::io::save_project;

/// How conflicts left by an earlier check-in are settled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolve {
    /// Take theirs (the database's) for these grids: my edit of them is dropped.
    pub theirs: BTreeSet<GridId>,
    /// Take mine for these grids: written over theirs (theirs stays in the history).
    pub mine: BTreeSet<GridId>,
}

/// A grid both sides changed differently.
#[derive(Clone, Debug, PartialEq)]
pub struct MergeConflict {
    pub id: GridId,
    /// The grid's code (mine, else theirs, else the base's).
    pub code: String,
    pub mine: Vec<Field>,
    pub theirs: Vec<Field>,
}

/// A move of a neighbour's vertex that would mend a seam break, and whether this account may make it.
#[derive(Clone, Debug, PartialEq)]
pub struct ProposedMove {
    pub neighbour: GridId,
    pub code: String,
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub allowed: bool,
}

/// A seam break, with the codes of the grids and the proposed fix.
#[derive(Clone, Debug, PartialEq)]
pub struct SeamRefusal {
    pub seam: SeamBreak,
    /// Codes of the grids involved, by id.
    pub codes: BTreeMap<GridId, String>,
    pub fix: Vec<ProposedMove>,
}

/// What a check-in did, or why it wrote nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckinReport {
    /// Everything merged and committed (the file updated).
    pub committed: bool,
    /// My grids written to the database (by their id there).
    pub written: Vec<GridId>,
    /// My new grids stored under another id: (id in my file, id in the database).
    pub renumbered: Vec<(GridId, GridId)>,
    /// Grids others changed whose change came into my file.
    pub taken: Vec<GridId>,
    /// My grids an earlier check-in of this file wrote already (by their id in the database): it
    /// committed, but the file was not updated then.
    pub already: Vec<GridId>,
    pub conflicts: Vec<MergeConflict>,
    /// Neighbours' grids changed in my file (they are read-only in a check-out).
    pub read_only: Vec<GridId>,
    /// Grids this account may not write (another township's), refused by the database.
    pub forbidden: Vec<GridId>,
    pub seam: Vec<SeamRefusal>,
    /// The database's last change id recorded in the file now.
    pub last_change: i64,
}

impl CheckinReport {
    /// Whether something was left for the person to settle.
    pub fn left_for_user(&self) -> bool {
        !(self.conflicts.is_empty() && self.read_only.is_empty() && self.forbidden.is_empty() && self.seam.is_empty())
    }
}

/// The grid ids in `theirs` (with versions) as a plain map.
fn grids_of(with_versions: &BTreeMap<GridId, (Grid, i32)>) -> BTreeMap<GridId, Grid> {
    with_versions.iter().map(|(id, (g, _))| (*id, g.clone())).collect()
}

impl Db {
    /// Checks in the check-out at `path` (described by `info` and `base`, see
    /// [`super::checkout::read_checkout`]). Errors (exit 2) name the URL or the file; what is left for
    /// the person is in the report, with nothing written anywhere.
    pub fn checkin(
        &mut self,
        path: &Path,
        info: &CheckoutInfo,
        base: &BTreeMap<GridId, BaseGrid>,
        resolve: &Resolve,
    ) -> Result<CheckinReport, IoError> {
        let url = self.url.clone();
        let at_url = |e: DbError| IoError::new(&super::url_path(&url), Problem::Database(e));
        let at_file = |e: DbError| IoError::new(path, Problem::Database(e));
        if url.schema != info.schema {
            return Err(at_file(DbError::BadCheckout(format!("it was checked out of schema {}", info.schema))));
        }
        // Everything the file holds is read before the database's transaction begins.
        let mine_project = crate::io::open_project(path)?;
        let checked_out_rows = super::checkout::read_checkout_rows(path)?;
        for id in resolve.theirs.iter().chain(&resolve.mine) {
            if !base.contains_key(id) && !mine_project.grids.contains_key(id) {
                return Err(at_file(DbError::NoSuchGrid(*id)));
            }
        }
        let srid = self.check_writable().map_err(at_url)?;
        let township = info.township.clone();
        let mut tx = self.client.transaction().map_err(|e| at_url(e.into()))?;
        // A check-in that merges rows takes the rows' lock before any grid's (an app's save takes them in
        // that order too): two writers never wait on each other.
        if checked_out_rows.as_ref().is_some_and(|rows| rows.changed_in(&mine_project)) {
            tx.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()), 16)", &[])
                .map_err(|e| at_url(e.into()))?;
        }
        let mut report =
            merge_in(&mut tx, srid, &township, &mine_project, base, info.last_change, resolve).map_err(at_url)?;
        if report.left_for_user() {
            // Dropping the transaction rolls back whatever was written.
            drop(tx);
            report.last_change = info.last_change;
            return Ok(report);
        }
        // The households and reference features changed in the file, merged row by row with the
        // database's (a check-out made before they were kept carries grids only).
        if let Some(rows) = &checked_out_rows {
            checkin_rows(&mut tx, srid, rows, &mine_project).map_err(at_url)?;
        }
        // The state the file takes: the township and its neighbours as the database has them now.
        let ids: Vec<i64> = report.written.iter().map(|id| *id as i64).collect();
        let now = scope_grids(&mut tx, &township, &ids).map_err(at_url)?;
        let last_change: i64 =
            tx.query_one("SELECT coalesce(max(id), 0) FROM changes", &[]).map_err(|e| at_url(e.into()))?.get(0);
        let next = tx.query_one("SELECT last_value, is_called FROM grid_ids", &[]).map_err(|e| at_url(e.into()))?;
        let (last, called): (i64, bool) = (next.get(0), next.get(1));
        tx.commit().map_err(|e| at_url(e.into()))?;
        // The database holds everything now; a failure below leaves the file behind it, and the next
        // check-in finds its edits in the database (see `earlier_checkins`) and brings the file up to date.
        let not_updated =
            |e: IoError| IoError::new(path, Problem::Database(DbError::FileNotUpdated(e.problem.to_string())));
        let mut project: Project = mine_project;
        project.read_only_grids = now.values().filter(|(g, _)| !in_township(g, &township)).map(|(g, _)| g.id).collect();
        project.grids = grids_of(&now);
        let after_max = project.grids.keys().next_back().map_or(1, |id| id + 1);
        project.next_grid_id = ((if called { last + 1 } else { last }).max(1) as GridId).max(after_max);
        save_project(&project, path).map_err(not_updated)?;
        let written = crate::io::open_project(path).map_err(not_updated)?;
        let versions: BTreeMap<GridId, i32> = now.iter().map(|(id, (_, v))| (*id, *v)).collect();
        let new_info = CheckoutInfo { last_change, ..info.clone() };
        let rows = super::layers::Rows::of(&written);
        write_checkout_tables(path, &new_info, (&base_of(&written, &versions), rows)).map_err(not_updated)?;
        report.last_change = last_change;
        report.committed = true;
        Ok(report)
    }
}

/// The file's households and reference features merged into the database (`layers::save_rows`), once.
/// Each merge is recorded in `saves` under the file's check-out tag (a new one each time the file is
/// written) with the rows it merged: a check-in whose commit landed but whose file was not updated
/// comes again with the same tag, and merges only what changed in the file since those rows.
fn checkin_rows(tx: &mut Transaction<'_>, srid: i32, base: &CheckedOutRows, mine: &Project) -> Result<(), DbError> {
    let mine_text = super::layers::rows_to_text(super::layers::Rows::of(mine));
    let prefix = format!("checkin-rows:{}:", base.tag);
    // (Suffixes are 1, 2, …: the longest, then the greatest, is the last.)
    let last = tx.query_opt(
        "SELECT tag, result->>'rows' FROM saves WHERE starts_with(tag, $1) ORDER BY length(tag) DESC, tag DESC LIMIT 1",
        &[&prefix],
    )?;
    let (n, merged): (u64, Option<String>) = match &last {
        Some(row) => {
            let tag: &str = row.get(0);
            (tag.rsplit(':').next().and_then(|n| n.parse().ok()).unwrap_or(0), row.get(1))
        }
        None => (0, None),
    };
    let from_text = merged.as_deref().unwrap_or(&base.text);
    if mine_text == from_text {
        return Ok(());
    }
    let (households, reference_layers) = match &merged {
        None => (base.households.clone(), base.reference_layers.clone()),
        Some(text) => {
            super::layers::rows_from_text(text).map_err(|e| DbError::BadRow { table: "saves", id: 0, detail: e })?
        }
    };
    let read = super::layers::Rows { households: &households, reference_layers: &reference_layers };
    super::layers::save_rows(tx, srid, read, super::layers::Rows::of(mine))?;
    let result = serde_json::json!({ "rows": mine_text }).to_string();
    tx.execute(
        "INSERT INTO saves (tag, result) VALUES ($1, $2::text::jsonb)",
        &[&format!("{prefix}{}", n + 1), &result],
    )?;
    Ok(())
}

/// The merge inside the transaction: classification against the database now, the refusals, and (when
/// there are none) the writes.
fn merge_in(
    tx: &mut Transaction<'_>,
    srid: i32,
    township: &str,
    mine_project: &Project,
    base: &BTreeMap<GridId, BaseGrid>,
    since: i64,
    resolve: &Resolve,
) -> Result<CheckinReport, DbError> {
    let mut base_grids: BTreeMap<GridId, Grid> = base.iter().map(|(id, b)| (*id, b.grid.clone())).collect();
    let mut mine = mine_project.grids.clone();
    let already = mine_already_in(&earlier_checkins(tx, since)?, &mut base_grids, &mut mine);
    let mine = &mine;
    let base_ids: Vec<i64> = base.keys().chain(mine.keys()).map(|id| *id as i64).collect();
    let theirs_v = scope_grids(tx, township, &base_ids)?;
    let theirs = grids_of(&theirs_v);
    let read_only = read_only_ids(base);
    // Only grids the file held or holds are merged; others' grids that came into the scope since the
    // check-out are not changes of mine and come into the file after the check-in.
    let in_file = |id: &GridId| base.contains_key(id) || mine.contains_key(id);
    let theirs_in_file: BTreeMap<GridId, Grid> =
        theirs.iter().filter(|(id, _)| in_file(id)).map(|(id, g)| (*id, g.clone())).collect();
    let mut report = CheckinReport { already, ..CheckinReport::default() };
    let mut writes: Vec<GridId> = Vec::new();
    let mut both_added: Vec<GridId> = Vec::new();
    for m in merge_grids(&base_grids, mine, &theirs_in_file) {
        let mut outcome = m.outcome;
        if resolve.theirs.contains(&m.id) && matches!(outcome, Outcome::Conflict | Outcome::MineOnly) {
            outcome = Outcome::TheirsOnly;
        } else if resolve.mine.contains(&m.id) && outcome == Outcome::Conflict {
            outcome = Outcome::MineOnly;
        }
        let mine_changed = matches!(outcome, Outcome::MineOnly | Outcome::Conflict | Outcome::BothAdded);
        if mine_changed && read_only.contains(&m.id) {
            report.read_only.push(m.id);
            continue;
        }
        match outcome {
            Outcome::MineOnly => writes.push(m.id),
            Outcome::BothAdded => both_added.push(m.id),
            Outcome::TheirsOnly => report.taken.push(m.id),
            Outcome::Conflict => {
                let code = [mine.get(&m.id), theirs.get(&m.id), base_grids.get(&m.id)]
                    .into_iter()
                    .flatten()
                    .map(|g| g.code.clone())
                    .next()
                    .unwrap_or_default();
                report.conflicts.push(MergeConflict { id: m.id, code, mine: m.mine, theirs: m.theirs });
            }
            Outcome::Unchanged | Outcome::BothSame => {}
        }
    }
    // The seam: my township's grids as they would be, against the neighbours' as they are now.
    let own = |g: &&Grid| !read_only.contains(&g.id) && (base.contains_key(&g.id) || in_township(g, township));
    let mine_before: BTreeMap<GridId, Grid> =
        base_grids.values().filter(|g| !read_only.contains(&g.id)).map(|g| (g.id, g.clone())).collect();
    let mut mine_after: BTreeMap<GridId, Grid> = theirs.values().filter(own).map(|g| (g.id, g.clone())).collect();
    let mut changed = BTreeSet::new();
    for id in &writes {
        match mine.get(id) {
            Some(g) => {
                mine_after.insert(*id, g.clone());
            }
            None => {
                mine_after.remove(id);
            }
        }
        if base_grids.get(id).map(|g| &g.geometry) != mine.get(id).map(|g| &g.geometry) {
            changed.insert(*id);
        }
    }
    // Both added under one id: mine stands in under an id no real grid has.
    for (n, id) in both_added.iter().enumerate() {
        if let Some(g) = mine.get(id) {
            let stand_in = GridId::MAX - n as GridId;
            mine_after.insert(stand_in, Grid { id: stand_in, ..g.clone() });
            changed.insert(stand_in);
        }
    }
    let neighbours_before: BTreeMap<GridId, Grid> =
        base_grids.values().filter(|g| read_only.contains(&g.id)).map(|g| (g.id, g.clone())).collect();
    let neighbours_after: BTreeMap<GridId, Grid> =
        theirs.values().filter(|g| !mine_after.contains_key(&g.id) && !own(g)).map(|g| (g.id, g.clone())).collect();
    let neighbours_after: BTreeMap<GridId, Grid> =
        neighbours_after.into_iter().filter(|(_, g)| !in_township(g, township) || read_only.contains(&g.id)).collect();
    for seam in seam_breaks(mine_project, &mine_before, &mine_after, &neighbours_before, &neighbours_after, &changed) {
        let code_of = |id: &GridId| {
            mine_after.get(id).or_else(|| neighbours_after.get(id)).map(|g| g.code.clone()).unwrap_or_default()
        };
        let codes = seam.mine.iter().chain(&seam.neighbours).map(|id| (*id, code_of(id))).collect();
        let mut fix = Vec::new();
        for m in &seam.moves {
            let village = neighbours_after.get(&m.neighbour).map(|g| g.village_code.clone()).unwrap_or_default();
            fix.push(ProposedMove {
                neighbour: m.neighbour,
                code: code_of(&m.neighbour),
                from: (m.from.x, m.from.y),
                to: (m.to.x, m.to.y),
                allowed: may_write(tx, &village)?,
            });
        }
        report.seam.push(SeamRefusal { seam, codes, fix });
    }
    if report.left_for_user() {
        return Ok(report);
    }
    // The writes, each under a savepoint so that one the account may not make is reported, not fatal.
    let update = tx.prepare(&format!(
        "UPDATE grids SET geom = ST_Multi(ST_GeomFromWKB($3, {srid})), {} WHERE id = $1 AND version = $2 RETURNING version",
        GRID_ATTRS.split(", ").enumerate().map(|(i, c)| format!("{c} = ${}", i + 4)).collect::<Vec<_>>().join(", ")
    ))?;
    let insert = tx.prepare(&insert_grid_sql(srid as u32, true))?;
    let delete = tx.prepare("DELETE FROM grids WHERE id = $1 AND version = $2")?;
    tx.batch_execute("SELECT set_config('wangge.action', '', true), set_config('wangge.note', 'check-in', true)")?;
    for id in writes.iter().chain(&both_added) {
        let db_id = *id as i64;
        let version = if both_added.contains(id) { None } else { theirs_v.get(id).map(|(_, v)| *v) };
        let mut sp = tx.transaction()?;
        let result = match (mine.get(id), version) {
            (Some(grid), Some(version)) => {
                let values = GridValues::of(grid);
                let mut params = values.params();
                params.insert(0, &version);
                params.insert(0, &db_id);
                sp.query_opt(&update, &params).map(|row| row.map(|_| *id))
            }
            (Some(grid), None) => {
                let values = GridValues::of(grid);
                sp.query_one(&insert, &values.params()).map(|row| Some(row.get::<_, i64>(0) as GridId))
            }
            (None, Some(version)) => sp.execute(&delete, &[&db_id, &version]).map(|n| (n == 1).then_some(*id)),
            (None, None) => Ok(Some(*id)),
        };
        let stored = match result {
            Ok(stored) => {
                if stored.is_some() {
                    sp.commit()?;
                } else {
                    sp.rollback()?;
                }
                stored
            }
            Err(e) if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) => {
                sp.rollback()?;
                report.forbidden.push(*id);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        match stored {
            Some(stored) => {
                if stored != *id {
                    report.renumbered.push((*id, stored));
                }
                report.written.push(stored);
            }
            // Not written and no error: someone saved it since it was read in this transaction (a
            // conflict), or the row is hidden from this account's writes (row-level security).
            None => {
                let now: Option<i32> =
                    tx.query_opt("SELECT version FROM grids WHERE id = $1", &[&db_id])?.map(|r| r.get(0));
                if now == version {
                    report.forbidden.push(*id);
                } else {
                    let code = mine.get(id).map(|g| g.code.clone()).unwrap_or_default();
                    report.conflicts.push(MergeConflict { id: *id, code, mine: Vec::new(), theirs: Vec::new() });
                }
            }
        }
    }
    report.written.sort_unstable();
    Ok(report)
}

/// The last state this account's check-ins gave each grid after change `since` (None: deleted), from
/// the history.
fn earlier_checkins(tx: &mut Transaction<'_>, since: i64) -> Result<BTreeMap<GridId, Option<Grid>>, DbError> {
    let rows = tx.query(
        &format!(
            "SELECT c.grid_id, c.new_version, ST_AsBinary(c.new_geom), r.* FROM changes c
             LEFT JOIN LATERAL (SELECT {GRID_ATTRS} FROM jsonb_populate_record(NULL::grids, c.new_attrs)) r ON true
             WHERE c.id > $1 AND c.who = session_user AND c.note = 'check-in' ORDER BY c.id"
        ),
        &[&since],
    )?;
    let mut states = BTreeMap::new();
    for row in rows {
        let id: i64 = row.get(0);
        let state = match row.get::<_, Option<&[u8]>>(2) {
            Some(_) => Some(grid_from_row(&row)?.0),
            None => None,
        };
        states.insert(id as GridId, state);
    }
    Ok(states)
}

/// Takes in the grids of mine that `earlier` (see [`earlier_checkins`]) shows in the database already:
/// a grid of the base written exactly as mine is has that as its base (mine deleted: no base); a new
/// grid of mine equal (but for its id) to one inserted gets that grid's id, with it as its base. The ids
/// of those grids in the database, in order.
fn mine_already_in(
    earlier: &BTreeMap<GridId, Option<Grid>>,
    base: &mut BTreeMap<GridId, Grid>,
    mine: &mut BTreeMap<GridId, Grid>,
) -> Vec<GridId> {
    let mut already = Vec::new();
    let mut new_of_mine: BTreeSet<GridId> = mine.keys().filter(|id| !base.contains_key(id)).copied().collect();
    let mut moves: Vec<(GridId, Grid)> = Vec::new();
    for (id, state) in earlier {
        if mine.get(id) == state.as_ref() {
            if base.get(id) != state.as_ref() {
                match state {
                    Some(g) => base.insert(*id, g.clone()),
                    None => base.remove(id),
                };
                already.push(*id);
            }
            new_of_mine.remove(id);
            continue;
        }
        let Some(stored) = state else { continue };
        if base.contains_key(id) || mine.contains_key(id) {
            continue;
        }
        let same =
            new_of_mine.iter().copied().find(|m| mine.get(m).is_some_and(|g| Grid { id: *id, ..g.clone() } == *stored));
        if let Some(m) = same {
            new_of_mine.remove(&m);
            moves.push((m, stored.clone()));
        }
    }
    for (from, _) in &moves {
        mine.remove(from);
    }
    for (_, stored) in moves {
        base.insert(stored.id, stored.clone());
        already.push(stored.id);
        mine.insert(stored.id, stored);
    }
    already.sort_unstable();
    already
}

/// Whether the connected account may write a grid of village `village`: the schema's owner or a
/// superuser always; an account by its row in `accounts`.
fn may_write(tx: &mut Transaction<'_>, village: &str) -> Result<bool, DbError> {
    let row = tx.query_one(
        "SELECT coalesce((SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user), false)
             OR pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'grids'::regclass), 'MEMBER')
             OR may_write(current_user, $1)",
        &[&village],
    )?;
    Ok(row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{MultiPolygon, polygon};

    fn grid(id: GridId, name: &str, x: f64) -> Grid {
        let mut g = Grid::new(MultiPolygon(vec![
            polygon![(x: x, y: 0.), (x: x + 1., y: 0.), (x: x + 1., y: 1.), (x: x, y: 1.)],
        ]));
        g.id = id;
        g.name = name.into();
        g
    }

    #[test]
    fn what_an_earlier_checkin_wrote_exactly_as_mine_becomes_the_base_and_nothing_else_does() {
        // Base: grids 1, 2, 3, 4. Mine: 1 renamed, 2 deleted, 3 renamed again after the earlier check-in,
        // 4 untouched; new grids 5 (stored as 7: 5 was taken) and 6 (stored as 6), and 8 never checked in.
        let mut base: BTreeMap<GridId, Grid> = (1..=4).map(|id| (id, grid(id, "旧", id as f64))).collect();
        let mut mine = base.clone();
        mine.insert(1, grid(1, "新", 1.));
        mine.remove(&2);
        mine.insert(3, grid(3, "再改", 3.));
        for (id, x) in [(5, 5.), (6, 6.), (8, 8.)] {
            mine.insert(id, grid(id, "新网格", x));
        }
        let earlier: BTreeMap<GridId, Option<Grid>> = BTreeMap::from([
            (1, Some(grid(1, "新", 1.))),
            (2, None),
            (3, Some(grid(3, "一改", 3.))),
            (6, Some(grid(6, "新网格", 6.))),
            (7, Some(grid(7, "新网格", 5.))),
        ]);
        let already = mine_already_in(&earlier, &mut base, &mut mine);
        assert_eq!(already, [1, 2, 6, 7]);
        assert_eq!(base.keys().copied().collect::<Vec<_>>(), [1, 3, 4, 6, 7], "2 is deleted in the base now");
        assert_eq!(base[&1], mine[&1]);
        assert_eq!(base[&3].name, "旧", "edited after the earlier check-in: still merged against the old base");
        assert_eq!(mine.keys().copied().collect::<Vec<_>>(), [1, 3, 4, 6, 7, 8], "5 is 7 in the database");
        assert_eq!((base[&7].clone(), mine[&7].clone()), (grid(7, "新网格", 5.), grid(7, "新网格", 5.)));
        assert_eq!(mine[&8], grid(8, "新网格", 8.), "never checked in: still new");
        // Nothing recorded: nothing changes.
        let (before_base, before_mine) = (base.clone(), mine.clone());
        assert!(mine_already_in(&BTreeMap::new(), &mut base, &mut mine).is_empty());
        assert_eq!((base, mine), (before_base, before_mine));
    }
}
