//! The edit history of a database project (`changes`, written by the database's triggers): listed by
//! `wangge db log`, and a grid brought back to an earlier state — as a new change — by `wangge db restore`.

use super::{Db, DbError};
use crate::core::GridId;

/// One recorded write of a grid.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeEntry {
    pub id: i64,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: String,
    pub who: String,
    pub grid: GridId,
    /// load, insert, update, delete or restore.
    pub action: String,
    pub note: String,
    pub old_version: Option<i32>,
    pub new_version: Option<i32>,
    /// Whether the geometry changed (an insert or delete changes it).
    pub geometry_changed: bool,
    /// The attributes that changed, by column: (old, new), as text ("" for none).
    pub attributes_changed: Vec<(String, String, String)>,
}

/// What a restore did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restored {
    /// The grid has the state again, at this version.
    Updated { version: i32 },
    /// The grid had been deleted and is back, at this version.
    Recreated { version: i32 },
    /// The state was the grid's deletion: it is deleted again.
    Deleted,
}

impl Db {
    /// The history, oldest first (by change id), of one grid or of all.
    pub fn log(&mut self, grid: Option<GridId>) -> Result<Vec<ChangeEntry>, DbError> {
        self.check_project()?;
        let grid = grid.map(|g| g as i64);
        let rows = self.client.query(
            "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), who, grid_id, action, note,
                    old_version, new_version,
                    NOT (old_geom IS NOT DISTINCT FROM new_geom),
                    coalesce((SELECT jsonb_agg(jsonb_build_array(k, coalesce(old_attrs ->> k, ''), coalesce(new_attrs ->> k, '')) ORDER BY k)
                              FROM (SELECT jsonb_object_keys(coalesce(old_attrs, '{}') || coalesce(new_attrs, '{}')) AS k) keys
                              WHERE old_attrs -> k IS DISTINCT FROM new_attrs -> k), '[]')::text
             FROM changes WHERE $1::bigint IS NULL OR grid_id = $1 ORDER BY id",
            &[&grid],
        )?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let changed: String = r.get(9);
                let attributes_changed: Vec<(String, String, String)> = serde_json::from_str(&changed)
                    .map_err(|e| DbError::BadRow { table: "changes", id, detail: e.to_string() })?;
                Ok(ChangeEntry {
                    id,
                    at: r.get(1),
                    who: r.get(2),
                    grid: r.get::<_, i64>(3) as GridId,
                    action: r.get(4),
                    note: r.get(5),
                    old_version: r.get(6),
                    new_version: r.get(7),
                    geometry_changed: r.get(8),
                    attributes_changed,
                })
            })
            .collect()
    }

    /// Brings grid `grid` back to the state change `change` left it in, as a new change (action
    /// `restore`, noted with the change restored): the history keeps everything in between.
    pub fn restore(&mut self, grid: GridId, change: i64) -> Result<Restored, DbError> {
        self.check_project()?;
        let id = grid as i64;
        let mut tx = self.client.transaction()?;
        let state =
            tx.query_opt("SELECT new_geom IS NULL FROM changes WHERE id = $1 AND grid_id = $2", &[&change, &id])?;
        let deleted_state = state.ok_or(DbError::NoSuchChange { grid, change })?.get::<_, bool>(0);
        let exists = tx.query_opt("SELECT 1 FROM grids WHERE id = $1 FOR UPDATE", &[&id])?.is_some();
        tx.execute(
            "SELECT set_config('wangge.action', 'restore', true), set_config('wangge.note', $1, true)",
            &[&format!("change {change}")],
        )?;
        let attrs = super::schema::GRID_ATTRS;
        let restored = match (deleted_state, exists) {
            (true, true) => {
                tx.execute("DELETE FROM grids WHERE id = $1", &[&id])?;
                Restored::Deleted
            }
            (true, false) => Restored::Deleted,
            (false, true) => {
                let row = tx.query_one(
                    &format!(
                        "UPDATE grids g SET (geom, {attrs}) = (SELECT c.new_geom, r.* FROM
                            (SELECT {attrs} FROM jsonb_populate_record(NULL::grids, c.new_attrs)) r)
                         FROM changes c WHERE c.id = $1 AND g.id = $2 RETURNING g.version"
                    ),
                    &[&change, &id],
                )?;
                Restored::Updated { version: row.get(0) }
            }
            (false, false) => {
                let row = tx.query_one(
                    &format!(
                        "INSERT INTO grids (id, geom, {attrs})
                         SELECT $2, c.new_geom, r.* FROM changes c,
                             LATERAL (SELECT {attrs} FROM jsonb_populate_record(NULL::grids, c.new_attrs)) r
                         WHERE c.id = $1 RETURNING version"
                    ),
                    &[&change, &id],
                )?;
                Restored::Recreated { version: row.get(0) }
            }
        };
        tx.commit()?;
        Ok(restored)
    }
}
