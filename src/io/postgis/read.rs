//! Opening a database project: the same [`Project`] the GeoPackage reader returns, and each grid's
//! version as it was read (what an optimistic save compares against).

use std::collections::BTreeMap;
use std::sync::Arc;

use geo::{Geometry, MultiPolygon};
use postgres::Row;
use postgres::fallible_iterator::FallibleIterator;

use super::schema::GRID_ATTRS;
use super::{Db, DbError};
use crate::core::{AreaClass, Grid, GridAttrs, GridId, GridKind, Project};
use crate::io::wkb;

/// A project read from the database, with the version of each grid as it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub project: Project,
    pub versions: BTreeMap<GridId, i32>,
    /// The layers besides the grids as they were read (or last saved): what a save of them is merged
    /// against.
    pub layers_read: Arc<Project>,
}

/// The columns a grid is read from, in the order [`grid_from_row`] takes them.
pub(super) fn grid_select() -> String {
    format!("SELECT id, version, ST_AsBinary(geom), {GRID_ATTRS} FROM grids")
}

impl Db {
    /// The whole project, and the versions of its grids.
    pub fn open(&mut self) -> Result<Loaded, DbError> {
        let mut project = self.open_without_grids()?;
        let layers_read = Arc::new(project.clone());
        let mut versions = BTreeMap::new();
        self.each_grid(&mut |grid, version| {
            versions.insert(grid.id, version);
            project.grids.insert(grid.id, grid);
            Ok::<(), DbError>(())
        })?;
        let after_max = project.grids.keys().next_back().map_or(1, |id| id + 1);
        project.next_grid_id = project.next_grid_id.max(after_max);
        Ok(Loaded { project, versions, layers_read })
    }

    /// The project without its grids (settings, boundary, divisions, households, reference layers).
    pub fn open_without_grids(&mut self) -> Result<Project, DbError> {
        let srid = self.check_project()?;
        Ok(super::layers::read(&mut self.client, srid)?.project)
    }

    /// Hands every grid and its version to `each`, in id order, as the rows arrive (memory for one).
    pub fn each_grid<E: From<DbError>>(
        &mut self,
        each: &mut dyn FnMut(Grid, i32) -> Result<(), E>,
    ) -> Result<usize, E> {
        let sql = format!("{} ORDER BY id", grid_select());
        let mut rows = self.client.query_raw(&sql, std::iter::empty::<i32>()).map_err(DbError::from)?;
        let mut n = 0;
        while let Some(row) = rows.next().map_err(DbError::from)? {
            let (grid, version) = grid_from_row(&row)?;
            each(grid, version)?;
            n += 1;
        }
        Ok(n)
    }

    /// The number of grids.
    pub fn count_grids(&mut self) -> Result<u64, DbError> {
        self.check_project()?;
        let row = self.client.query_one("SELECT count(*) FROM grids", &[])?;
        Ok(row.get::<_, i64>(0).max(0) as u64)
    }
}

/// A grid and its version from a row of [`grid_select`].
pub(super) fn grid_from_row(row: &Row) -> Result<(Grid, i32), DbError> {
    let id: i64 = row.get(0);
    let version: i32 = row.get(1);
    let geometry = multipolygon(row.get(2), "grids", id)?;
    let text = |i: usize| -> String { row.get(i) };
    let grid = Grid {
        id: id as GridId,
        code: text(3),
        name: text(4),
        kind: GridKind::parse(row.get(5)).unwrap_or_default(),
        class: AreaClass::parse(row.get(6)).unwrap_or_default(),
        village_code: text(7),
        geometry,
        attrs: GridAttrs {
            households: count(row.get(8), "grids", id)?,
            population: count(row.get(9), "grids", id)?,
            party_members: count(row.get(10), "grids", id)?,
            grid_head: text(11),
            grid_staff: text(12),
            phone: text(13),
            notes: text(14),
            valid_from: text(15),
            valid_to: text(16),
        },
    };
    Ok((grid, version))
}

pub(super) fn multipolygon(bytes: &[u8], table: &'static str, id: i64) -> Result<MultiPolygon<f64>, DbError> {
    match wkb::read(bytes) {
        Ok(Geometry::MultiPolygon(mp)) => Ok(mp),
        Ok(Geometry::Polygon(p)) => Ok(MultiPolygon(vec![p])),
        Ok(_) => Err(DbError::BadRow { table, id, detail: "not a polygon".into() }),
        Err(e) => Err(DbError::BadRow { table, id, detail: e.to_string() }),
    }
}

pub(super) fn count(value: Option<i64>, table: &'static str, id: i64) -> Result<Option<u32>, DbError> {
    value.map(u32::try_from).transpose().map_err(|_| DbError::BadRow {
        table,
        id,
        detail: "a count is negative or too large".into(),
    })
}
