//! Opening a Wangge project file (see [`super::project_file`] for its layout): the whole project, or
//! all but its grids with the grids read one row at a time, or only the counts and envelopes `info` needs.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{BoundingRect, Geometry, MultiPolygon, Point};
use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::project_file::*;
use super::{blob, is_geopackage, open_existing};
use crate::core::progress::{NoProgress, Progress, Stage};
use crate::core::{
    AreaClass, Division, DivisionCode, Grid, GridAttrs, GridId, GridKind, HouseholdPoint, Project, area_m2,
};
use crate::io::crs::crs_from_epsg;
use crate::io::error::{AtPath, GeometryKind, IoError, NotAProject, Problem, ProjectKey};

/// Opens a Wangge project. A file from a crashed save is rolled back to its last complete save by SQLite.
pub fn open_project(path: &Path) -> Result<Project, IoError> {
    open_project_with(path, &NoProgress)
}

/// [`open_project`], reporting its progress (one step per grid) and stopping when cancelled.
pub fn open_project_with(path: &Path, progress: &dyn Progress) -> Result<Project, IoError> {
    read_project(path, progress, true)
}

/// Opens a project without its grids (settings, boundary, divisions, households), for a job that then
/// reads the grids one at a time with [`each_grid`] (export): memory for one grid, not all of them.
pub fn open_project_without_grids(path: &Path) -> Result<Project, IoError> {
    read_project(path, &NoProgress, false)
}

/// Hands every grid of a project file to `each`, in fid order, one row at a time; returns how many.
pub fn each_grid(path: &Path, each: &mut dyn FnMut(Grid) -> Result<(), IoError>) -> Result<usize, IoError> {
    let conn = open_existing(path, false)?;
    each_grid_row(&conn, path, &NoProgress, each)
}

/// The number of grids in a project file, without reading them.
pub fn count_grids(path: &Path) -> Result<u64, IoError> {
    let conn = open_existing(path, false)?;
    conn.query_row("SELECT count(*) FROM grids", [], |r| r.get::<_, i64>(0)).at(path).map(|n| n.max(0) as u64)
}

/// The grids' count, total area (m²) and extent in the project's CRS: what `wangge info` states of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridFacts {
    pub count: usize,
    pub area_m2: f64,
    pub extent: Option<geo::Rect<f64>>,
}

impl GridFacts {
    /// Computed from the grids in memory.
    pub fn of(project: &Project) -> GridFacts {
        GridFacts {
            count: project.grids.len(),
            area_m2: project.grids.values().map(|g| area_m2(&g.geometry, &project.crs)).sum(),
            extent: crate::core::rect::union_all(project.grids.values().filter_map(|g| g.geometry.bounding_rect())),
        }
    }
}

/// A project without its grids, and the facts of its grids read from the file's stored areas and the
/// envelopes in the geometry blobs' headers (no shape is decoded): `wangge info` on 100,000 grids in a
/// fraction of an open's time. A file whose grids lack a stored area is read in full.
pub fn open_project_facts(path: &Path) -> Result<(Project, GridFacts), IoError> {
    let mut project = read_project(path, &NoProgress, false)?;
    let conn = open_existing(path, false)?;
    let stored = conn
        .query_row(
            "SELECT count(*), count(area_m2), total(area_m2), min(ST_MinX(geom)), min(ST_MinY(geom)),
                    max(ST_MaxX(geom)), max(ST_MaxY(geom)) FROM grids",
            [],
            |r| {
                let corners: [Option<f64>; 4] = [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?];
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, f64>(2)?, corners))
            },
        )
        .at(path)?;
    let (count, with_area, area, corners) = stored;
    if with_area < count {
        read_grids(&conn, &mut project, path, &NoProgress)?;
        let facts = GridFacts::of(&project);
        return Ok((project, facts));
    }
    let extent = match corners {
        [Some(x0), Some(y0), Some(x1), Some(y1)] => Some(geo::Rect::new((x0, y0), (x1, y1))),
        _ => None,
    };
    Ok((project, GridFacts { count: count.max(0) as usize, area_m2: area, extent }))
}

fn read_project(path: &Path, progress: &dyn Progress, with_grids: bool) -> Result<Project, IoError> {
    progress.begin(Stage::Opening, 0);
    // Writable where possible, so that SQLite can roll back the journal of an interrupted save.
    let conn = open_existing(path, true).or_else(|_| open_existing(path, false))?;
    if !is_geopackage(&conn).at(path)? {
        return Err(IoError::new(path, Problem::NotAProject(NotAProject::NotGeoPackage)));
    }
    if !has_project_table(&conn).at(path)? {
        return Err(IoError::new(path, Problem::NotAProject(NotAProject::PlainGeoPackage)));
    }
    let mut stmt = conn.prepare("SELECT key, value FROM wangge_project").at(path)?;
    let rows: BTreeMap<String, String> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).at(path)?.collect::<Result<_, _>>().at(path)?;
    let value = |key: &str| rows.get(key).map(String::as_str).unwrap_or("");
    let schema_version: u32 = value("schema_version")
        .parse()
        .map_err(|_| IoError::new(path, Problem::MissingProjectKey { key: ProjectKey::SchemaVersion }))?;
    if schema_version > SCHEMA_VERSION {
        return Err(IoError::new(path, Problem::NewerSchema { found: schema_version, supported: SCHEMA_VERSION }));
    }
    let epsg: u32 = value("crs_epsg")
        .parse()
        .map_err(|_| IoError::new(path, Problem::MissingProjectKey { key: ProjectKey::CrsEpsg }))?;
    let mut project = Project::new(value("name"), crs_from_epsg(epsg).at(path)?);
    if let Ok(p) = value("precision").parse::<f64>()
        && p.is_finite()
        && p > 0.0
    {
        project.precision = p;
    }
    project.settings =
        rows.iter().filter_map(|(k, v)| Some((k.strip_prefix("setting.")?.to_string(), v.clone()))).collect();
    // Ids that do not parse are left out (the grid is then editable, never a failure to open).
    project.read_only_grids = value("read_only_grids").split(',').filter_map(|id| id.trim().parse().ok()).collect();
    read_boundary(&conn, &mut project, path)?;
    read_divisions(&conn, &mut project, path)?;
    // The R-tree's id table counts the grids without reading them (0, unknown, without one).
    let total: i64 = conn.query_row("SELECT count(*) FROM rtree_grids_geom_rowid", [], |r| r.get(0)).unwrap_or(0);
    progress.begin(Stage::Opening, total.max(0) as u64);
    if with_grids {
        read_grids(&conn, &mut project, path, progress)?;
    }
    read_households(&conn, &mut project, path)?;
    project.reference_layers = super::reference::read_reference_layers(&conn, path)?;
    let stored_next: u64 = value("next_grid_id").parse().ok().filter(|&n| n <= MAX_FID as u64 + 1).unwrap_or(1);
    let after_max = project.grids.keys().next_back().map_or(1, |id| id + 1);
    project.next_grid_id = stored_next.max(after_max);
    Ok(project)
}

/// Grid ids are their fids: 1 ..= 2^53 (what every GIS, JavaScript included, holds exactly), so that the
/// ids given after them can never overflow.
const MAX_FID: i64 = 1 << 53;

fn grid_id(fid: i64, path: &Path) -> Result<GridId, IoError> {
    if (1..=MAX_FID).contains(&fid) {
        return Ok(fid as GridId);
    }
    // The fid is the problem: it names the row, there is no feature number to give.
    Err(IoError::new(path, Problem::FidOutOfRange { fid, max: MAX_FID }))
}

fn multipolygon(blob_bytes: &[u8], path: &Path, fid: i64) -> Result<MultiPolygon<f64>, IoError> {
    let at = |p: Problem| IoError::at_feature(path, fid.max(0) as usize, p);
    let (geometry, _) = blob::decode(blob_bytes).map_err(|e| at(Problem::Blob(e)))?;
    match geometry {
        Geometry::MultiPolygon(mp) => Ok(mp),
        Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        other => Err(at(Problem::ExpectedPolygon { found: GeometryKind::of(Some(&other)) })),
    }
}

fn read_boundary(conn: &Connection, project: &mut Project, path: &Path) -> Result<(), IoError> {
    let mut stmt = conn.prepare("SELECT fid, geom FROM boundary WHERE geom IS NOT NULL ORDER BY fid").at(path)?;
    let mut rows = stmt.query([]).at(path)?;
    while let Some(row) = rows.next().at(path)? {
        let (fid, bytes): (i64, Vec<u8>) = (row.get(0).at(path)?, row.get(1).at(path)?);
        project.boundary.0.extend(multipolygon(&bytes, path, fid)?.0);
    }
    Ok(())
}

fn read_divisions(conn: &Connection, project: &mut Project, path: &Path) -> Result<(), IoError> {
    let mut stmt =
        conn.prepare("SELECT fid, geom, code, name, parent_code, class FROM divisions ORDER BY code").at(path)?;
    let mut rows = stmt.query([]).at(path)?;
    while let Some(row) = rows.next().at(path)? {
        let fid: i64 = row.get(0).at(path)?;
        let geom: Option<Vec<u8>> = row.get(1).at(path)?;
        let code_text: String = row.get(2).at(path)?;
        let code = DivisionCode::parse(&code_text).map_err(|e| IoError::at_feature(path, fid.max(0) as usize, e))?;
        let polygon = geom.map(|b| multipolygon(&b, path, fid)).transpose()?;
        let class_text: String = row.get(5).at(path)?;
        let division = Division {
            name: row.get(3).at(path)?,
            parent_code: row.get(4).at(path)?,
            class: AreaClass::parse(&class_text).unwrap_or_else(|| code.default_class()),
            code,
            polygon,
        };
        project.divisions.insert(division.code.to_string(), division);
    }
    Ok(())
}

fn read_grids(conn: &Connection, project: &mut Project, path: &Path, progress: &dyn Progress) -> Result<(), IoError> {
    each_grid_row(conn, path, progress, &mut |grid| {
        project.grids.insert(grid.id, grid);
        Ok(())
    })
    .map(|_| ())
}

fn each_grid_row(
    conn: &Connection,
    path: &Path,
    progress: &dyn Progress,
    each: &mut dyn FnMut(Grid) -> Result<(), IoError>,
) -> Result<usize, IoError> {
    let mut rows_read: usize = 0;
    let mut stmt = conn
        .prepare(
            "SELECT fid, geom, code, name, kind, class, village_code, households, population, party_members,
                    grid_head, grid_staff, phone, notes, valid_from, valid_to FROM grids ORDER BY fid",
        )
        .at(path)?;
    let mut rows = stmt.query([]).at(path)?;
    while let Some(row) = rows.next().at(path)? {
        if rows_read.is_multiple_of(1024) {
            progress.check().map_err(|c| IoError::new(path, c))?;
        }
        progress.advance(1);
        let fid: i64 = row.get(0).at(path)?;
        let id = grid_id(fid, path)?;
        // The blob is decoded where SQLite holds it, not copied first.
        let geometry = match row.get_ref(1).at(path)? {
            ValueRef::Blob(b) => multipolygon(b, path, fid)?,
            ValueRef::Null => MultiPolygon(vec![]),
            _ => {
                return Err(IoError::at_feature(
                    path,
                    fid.max(0) as usize,
                    Problem::Blob(super::blob::BlobError::Magic),
                ));
            }
        };
        let grid = grid_from_columns(row, 2, (id, geometry), path, fid.max(0) as usize)?;
        each(grid)?;
        rows_read += 1;
    }
    Ok(rows_read)
}

/// A grid from a row whose columns from `first` on are those of the grids table after its geometry
/// (code, name, kind, class, village_code, the three counts, then the texts), with its id and shape; a
/// count that does not fit is named with the row (`feature`, 1-based) of `path`.
pub(crate) fn grid_from_columns(
    row: &rusqlite::Row,
    first: usize,
    (id, geometry): (GridId, MultiPolygon<f64>),
    path: &Path,
    feature: usize,
) -> Result<Grid, IoError> {
    let text = |i: usize| -> Result<String, IoError> {
        Ok(row.get::<_, Option<String>>(first + i).at(path)?.unwrap_or_default())
    };
    let count = |i: usize| -> Result<Option<u32>, IoError> {
        let v: Option<i64> = row.get(first + i).at(path)?;
        v.map(u32::try_from).transpose().map_err(|_| {
            let column = ["households", "population", "party_members"].get(i.wrapping_sub(5)).unwrap_or(&"");
            IoError::at_feature(path, feature, Problem::CountOutOfRange { column })
        })
    };
    Ok(Grid {
        id,
        code: text(0)?,
        name: text(1)?,
        kind: GridKind::parse(&text(2)?).unwrap_or_default(),
        class: AreaClass::parse(&text(3)?).unwrap_or_default(),
        village_code: text(4)?,
        geometry,
        attrs: GridAttrs {
            households: count(5)?,
            population: count(6)?,
            party_members: count(7)?,
            grid_head: text(8)?,
            grid_staff: text(9)?,
            phone: text(10)?,
            notes: text(11)?,
            valid_from: text(12)?,
            valid_to: text(13)?,
        },
    })
}

fn read_households(conn: &Connection, project: &mut Project, path: &Path) -> Result<(), IoError> {
    let mut stmt = conn.prepare("SELECT fid, geom, households, population FROM households ORDER BY fid").at(path)?;
    let mut rows = stmt.query([]).at(path)?;
    while let Some(row) = rows.next().at(path)? {
        let fid: i64 = row.get(0).at(path)?;
        let bytes: Vec<u8> = row.get(1).at(path)?;
        let (geometry, _) = blob::decode(&bytes).map_err(|e| IoError::at_feature(path, fid.max(0) as usize, e))?;
        let Geometry::Point(position) = geometry else {
            let found = GeometryKind::of(Some(&geometry));
            return Err(IoError::at_feature(path, fid.max(0) as usize, Problem::ExpectedPoint { found }));
        };
        project.households.push(HouseholdPoint {
            position: Point(position.0),
            households: row.get::<_, i64>(2).at(path)?.clamp(0, u32::MAX as i64) as u32,
            population: row.get::<_, Option<i64>>(3).at(path)?.map(|p| p.clamp(0, u32::MAX as i64) as u32),
        });
    }
    Ok(())
}
