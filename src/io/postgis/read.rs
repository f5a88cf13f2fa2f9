//! Opening a database project: the same [`Project`] the GeoPackage reader returns, and each grid's
//! version as it was read (what an optimistic save compares against).

use std::collections::BTreeMap;

use geo::{Geometry, MultiPolygon, Point};
use postgres::Row;
use postgres::fallible_iterator::FallibleIterator;

use super::schema::GRID_ATTRS;
use super::{Db, DbError};
use crate::core::{
    AreaClass, Division, DivisionCode, Grid, GridAttrs, GridId, GridKind, HouseholdPoint, Project, ReferenceFeature,
    ReferenceLayer,
};
use crate::io::crs::crs_from_epsg;
use crate::io::wkb;

/// A project read from the database, with the version of each grid as it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub project: Project,
    pub versions: BTreeMap<GridId, i32>,
}

/// The columns a grid is read from, in the order [`grid_from_row`] takes them.
pub(super) fn grid_select() -> String {
    format!("SELECT id, version, ST_AsBinary(geom), {GRID_ATTRS} FROM grids")
}

impl Db {
    /// The whole project, and the versions of its grids.
    pub fn open(&mut self) -> Result<Loaded, DbError> {
        let mut project = self.open_without_grids()?;
        let mut versions = BTreeMap::new();
        self.each_grid(&mut |grid, version| {
            versions.insert(grid.id, version);
            project.grids.insert(grid.id, grid);
            Ok::<(), DbError>(())
        })?;
        let after_max = project.grids.keys().next_back().map_or(1, |id| id + 1);
        project.next_grid_id = project.next_grid_id.max(after_max);
        Ok(Loaded { project, versions })
    }

    /// The project without its grids (settings, boundary, divisions, households, reference layers).
    pub fn open_without_grids(&mut self) -> Result<Project, DbError> {
        let srid = self.check_project()?;
        let rows = self.client.query("SELECT key, value FROM project", &[])?;
        let rows: BTreeMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        let crs = crs_from_epsg(srid as u32).map_err(|e| DbError::BadRow {
            table: "project",
            id: 0,
            detail: e.to_string(),
        })?;
        let mut project = Project::new(rows.get("name").cloned().unwrap_or_default(), crs);
        if let Some(p) = rows.get("precision").and_then(|p| p.parse::<f64>().ok())
            && p.is_finite()
            && p > 0.0
        {
            project.precision = p;
        }
        project.settings =
            rows.iter().filter_map(|(k, v)| Some((k.strip_prefix("setting.")?.to_string(), v.clone()))).collect();
        for row in self.client.query("SELECT id, ST_AsBinary(geom) FROM boundary ORDER BY id", &[])? {
            project.boundary.0.extend(multipolygon(row.get(1), "boundary", row.get::<_, i32>(0).into())?.0);
        }
        let divisions = self
            .client
            .query("SELECT code, name, parent_code, class, ST_AsBinary(geom) FROM divisions ORDER BY code", &[])?;
        for (n, row) in divisions.iter().enumerate() {
            let bad = |detail: String| DbError::BadRow { table: "divisions", id: n as i64 + 1, detail };
            let code = DivisionCode::parse(row.get::<_, &str>(0)).map_err(|e| bad(e.to_string()))?;
            let polygon =
                row.get::<_, Option<&[u8]>>(4).map(|b| multipolygon(b, "divisions", n as i64 + 1)).transpose()?;
            let class = AreaClass::parse(row.get(3)).unwrap_or_else(|| code.default_class());
            let division = Division { name: row.get(1), parent_code: row.get(2), class, code, polygon };
            project.divisions.insert(division.code.to_string(), division);
        }
        let households = self
            .client
            .query("SELECT id, ST_AsBinary(geom), households, population FROM households ORDER BY id", &[])?;
        for row in households {
            let id: i64 = row.get(0);
            let position = match wkb::read(row.get(1)) {
                Ok(Geometry::Point(p)) => p,
                Ok(_) => return Err(DbError::BadRow { table: "households", id, detail: "not a point".into() }),
                Err(e) => return Err(DbError::BadRow { table: "households", id, detail: e.to_string() }),
            };
            project.households.push(HouseholdPoint {
                position: Point(position.0),
                households: count(row.get(2), "households", id)?.unwrap_or(0),
                population: count(row.get(3), "households", id)?,
            });
        }
        project.reference_layers = self.read_reference_layers()?;
        let next = self.client.query_one("SELECT last_value, is_called FROM grid_ids", &[])?;
        let (last, called): (i64, bool) = (next.get(0), next.get(1));
        project.next_grid_id = (if called { last + 1 } else { last }).max(1) as GridId;
        Ok(project)
    }

    fn read_reference_layers(&mut self) -> Result<Vec<ReferenceLayer>, DbError> {
        let mut layers: Vec<(i32, ReferenceLayer)> = self
            .client
            .query("SELECT position, name FROM reference_layers ORDER BY position", &[])?
            .iter()
            .map(|r| (r.get(0), ReferenceLayer::new(r.get::<_, String>(1))))
            .collect();
        let features = self
            .client
            .query("SELECT layer, seq, name, ST_AsBinary(geom) FROM reference_features ORDER BY layer, seq", &[])?;
        for row in features {
            let (layer, seq): (i32, i32) = (row.get(0), row.get(1));
            let bad = |detail: String| DbError::BadRow { table: "reference_features", id: seq.into(), detail };
            let geometry = wkb::read(row.get(3)).map_err(|e| bad(e.to_string()))?;
            let geometry = crate::io::gpkg::reference_geometry(geometry).map_err(|e| bad(e.to_string()))?;
            if let Some((_, l)) = layers.iter_mut().find(|(p, _)| *p == layer) {
                l.features.push(ReferenceFeature { geometry, name: row.get(2) });
            }
        }
        Ok(layers.into_iter().map(|(_, l)| l).collect())
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

fn multipolygon(bytes: &[u8], table: &'static str, id: i64) -> Result<MultiPolygon<f64>, DbError> {
    match wkb::read(bytes) {
        Ok(Geometry::MultiPolygon(mp)) => Ok(mp),
        Ok(Geometry::Polygon(p)) => Ok(MultiPolygon(vec![p])),
        Ok(_) => Err(DbError::BadRow { table, id, detail: "not a polygon".into() }),
        Err(e) => Err(DbError::BadRow { table, id, detail: e.to_string() }),
    }
}

fn count(value: Option<i64>, table: &'static str, id: i64) -> Result<Option<u32>, DbError> {
    value.map(u32::try_from).transpose().map_err(|_| DbError::BadRow {
        table,
        id,
        detail: "a count is negative or too large".into(),
    })
}
