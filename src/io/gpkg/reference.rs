//! The project's reference layers (roads, rivers, buildings; issue 14) in its GeoPackage: each layer a
//! feature table of its own, `reference_1`, `reference_2` … (MULTILINESTRING, MULTIPOLYGON, or GEOMETRY
//! when a layer holds both, in the project's CRS, with a `name` column and an R-tree index), so that GDAL
//! and QGIS show them as layers too; and the attributes table `wangge_reference_layers` (table name,
//! layer name, position), which keeps the layers' own names — Chinese ones included, which make poor
//! table names — and their order. Written afresh with the project's small layers, inside the save's
//! transaction (so through its crash-safe copy-and-rename); read on open.

use std::path::Path;

use geo::{Geometry, MultiLineString, MultiPolygon};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{blob, schema};
use crate::core::Project;
use crate::core::{ReferenceFeature, ReferenceGeometry, ReferenceLayer};
use crate::io::error::{AtPath, GeometryKind, IoError, Problem};

/// The table listing the reference layers.
pub const LAYERS_TABLE: &str = "wangge_reference_layers";

/// The feature table of the layer at `position` (0-based).
pub fn table_name(position: usize) -> String {
    format!("reference_{}", position + 1)
}

fn has_layers_table(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [LAYERS_TABLE], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

/// The geometry type of a layer's table: the one type its features share, GEOMETRY when they mix lines
/// and polygons (GeoPackage allows any subtype there).
fn geometry_type(layer: &ReferenceLayer) -> &'static str {
    let lines = layer.features.iter().filter(|f| matches!(f.geometry, ReferenceGeometry::Lines(_))).count();
    match (lines, layer.features.len() - lines) {
        (_, 0) => "MULTILINESTRING",
        (0, _) => "MULTIPOLYGON",
        _ => "GEOMETRY",
    }
}

/// Replaces the reference layers stored in the file by the project's: the tables listed before are
/// dropped (tables other programs added stay), then every layer is written in order.
pub(super) fn write_reference_layers(tx: &Transaction<'_>, project: &Project, path: &Path) -> Result<(), IoError> {
    if has_layers_table(tx).at(path)? {
        let stored: Vec<String> = {
            let mut stmt = tx.prepare(&format!("SELECT table_name FROM {LAYERS_TABLE}")).at(path)?;
            stmt.query_map([], |r| r.get(0)).at(path)?.collect::<Result<_, _>>().at(path)?
        };
        for table in stored {
            // Only our own tables: a name that was tampered with must not drop a project layer.
            if table.starts_with("reference_") && !table.contains('"') && !table.contains('\'') {
                schema::drop_feature_table(tx, &table).at(path)?;
            }
        }
    }
    tx.execute_batch(&format!(
        // An attributes table with the INTEGER primary key GeoPackage asks of every user table.
        "DROP TABLE IF EXISTS {LAYERS_TABLE};
         CREATE TABLE {LAYERS_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, table_name TEXT NOT NULL UNIQUE,
             name TEXT NOT NULL UNIQUE, position INTEGER NOT NULL);
         DELETE FROM gpkg_contents WHERE table_name = '{LAYERS_TABLE}';
         INSERT INTO gpkg_contents (table_name, data_type, identifier, description)
           VALUES ('{LAYERS_TABLE}', 'attributes', '{LAYERS_TABLE}', 'Wangge reference layers (table, name, order)');"
    ))
    .at(path)?;
    let srs = project.crs.epsg;
    for (position, layer) in project.reference_layers.iter().enumerate() {
        let table = table_name(position);
        // A table of that name not listed (left by a damaged file, or by another program) makes way.
        schema::drop_feature_table(tx, &table).at(path)?;
        let description = format!("参考图层 reference layer {}", layer.name);
        schema::create_feature_table(tx, &table, geometry_type(layer), ", name TEXT", srs, &description).at(path)?;
        let mut insert = tx.prepare(&format!("INSERT INTO \"{table}\" (geom, name) VALUES (?1, ?2)")).at(path)?;
        for feature in &layer.features {
            let geom = match &feature.geometry {
                ReferenceGeometry::Lines(lines) => blob::encode_multilinestring(lines, srs as i32),
                ReferenceGeometry::Polygons(polygons) => blob::encode_multipolygon(polygons, srs as i32),
            };
            insert.execute(params![geom, feature.name]).at(path)?;
        }
        schema::update_extent(tx, &table).at(path)?;
        tx.execute(
            &format!("INSERT INTO {LAYERS_TABLE} (table_name, name, position) VALUES (?1, ?2, ?3)"),
            params![table, layer.name, position as i64 + 1],
        )
        .at(path)?;
    }
    Ok(())
}

/// Reads the reference layers of a project file, in their order; none when it has no such table (a
/// project from before them).
pub(super) fn read_reference_layers(conn: &Connection, path: &Path) -> Result<Vec<ReferenceLayer>, IoError> {
    if !has_layers_table(conn).at(path)? {
        return Ok(Vec::new());
    }
    let listed: Vec<(String, String)> = {
        let mut stmt =
            conn.prepare(&format!("SELECT table_name, name FROM {LAYERS_TABLE} ORDER BY position, id")).at(path)?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).at(path)?.collect::<Result<_, _>>().at(path)?
    };
    let mut layers = Vec::with_capacity(listed.len());
    for (table, name) in listed {
        let mut layer = ReferenceLayer::new(name);
        let quoted = table.replace('"', "\"\"");
        let mut stmt = conn.prepare(&format!("SELECT fid, geom, name FROM \"{quoted}\" ORDER BY fid")).at(path)?;
        let mut rows = stmt.query([]).at(path)?;
        while let Some(row) = rows.next().at(path)? {
            let fid: i64 = row.get(0).at(path)?;
            let at = |p: Problem| IoError::at_feature(path, fid.max(0) as usize, p);
            let geometry = match row.get_ref(1).at(path)? {
                ValueRef::Blob(bytes) => blob::decode(bytes).map_err(|e| at(Problem::Blob(e)))?.0,
                // A row without a shape has nothing to draw or snap to.
                ValueRef::Null => continue,
                _ => return Err(at(Problem::Blob(blob::BlobError::Magic))),
            };
            let geometry = reference_geometry(geometry).map_err(at)?;
            let name = match row.get_ref(2).at(path)? {
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                _ => String::new(),
            };
            layer.features.push(ReferenceFeature { geometry, name });
        }
        layers.push(layer);
    }
    Ok(layers)
}

/// A geometry as a reference feature: lines or polygons; points and anything else are refused.
pub fn reference_geometry(geometry: Geometry<f64>) -> Result<ReferenceGeometry, Problem> {
    match geometry {
        Geometry::Line(l) => Ok(ReferenceGeometry::Lines(MultiLineString(vec![l.into()]))),
        Geometry::LineString(l) => Ok(ReferenceGeometry::Lines(MultiLineString(vec![l]))),
        Geometry::MultiLineString(l) => Ok(ReferenceGeometry::Lines(l)),
        Geometry::Polygon(p) => Ok(ReferenceGeometry::Polygons(MultiPolygon(vec![p]))),
        Geometry::MultiPolygon(p) => Ok(ReferenceGeometry::Polygons(p)),
        Geometry::Rect(r) => Ok(ReferenceGeometry::Polygons(MultiPolygon(vec![r.to_polygon()]))),
        Geometry::Triangle(t) => Ok(ReferenceGeometry::Polygons(MultiPolygon(vec![t.to_polygon()]))),
        other => Err(Problem::ReferenceNeedsLineOrPolygon { found: GeometryKind::of(Some(&other)) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Crs, CrsUnits};
    use crate::io::gpkg::{open_project, save_project};
    use geo::{line_string, polygon};

    fn project() -> Project {
        let mut p = Project::new("参考", Crs { epsg: 4548, name: "CGCS2000 GK 117E".into(), units: CrsUnits::Metres });
        let road = |name: &str, y: f64| ReferenceFeature {
            geometry: ReferenceGeometry::Lines(MultiLineString(vec![
                line_string![(x: 500_000.0, y: y), (x: 500_100.0, y: y + 5.0), (x: 500_300.0, y: y)],
                line_string![(x: 500_400.0, y: y), (x: 500_500.0, y: y)],
            ])),
            name: name.into(),
        };
        let mut roads = ReferenceLayer::new("道路");
        roads.features = vec![road("G205 国道", 3_400_000.0), road("", 3_400_050.0)];
        let mut houses = ReferenceLayer::new("房屋 buildings");
        houses.features = vec![ReferenceFeature {
            geometry: ReferenceGeometry::Polygons(MultiPolygon(vec![polygon![
                exterior: [(x: 500_000.0, y: 3_400_100.0), (x: 500_020.0, y: 3_400_100.0), (x: 500_020.0, y: 3_400_120.0), (x: 500_000.0, y: 3_400_100.0)],
                interiors: [[(x: 500_005.0, y: 3_400_103.0), (x: 500_012.0, y: 3_400_103.0), (x: 500_012.0, y: 3_400_110.0), (x: 500_005.0, y: 3_400_103.0)]],
            ]])),
            name: "村委会".into(),
        }];
        let mut mixed = ReferenceLayer::new("水系");
        mixed.features = vec![road("青弋江", 3_400_200.0), houses.features[0].clone()];
        p.reference_layers = vec![houses, ReferenceLayer::new("空图层"), roads, mixed];
        p
    }

    #[test]
    fn reference_layers_survive_a_save_with_their_names_order_and_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.gpkg");
        let mut p = project();
        save_project(&p, &path).unwrap();
        assert_eq!(open_project(&path).unwrap().reference_layers, p.reference_layers);
        // Saved again with one layer fewer and another order: no table of the old layout is left.
        p.reference_layers.remove(0);
        p.reference_layers.swap(0, 1);
        save_project(&p, &path).unwrap();
        assert_eq!(open_project(&path).unwrap().reference_layers, p.reference_layers);
        let conn = Connection::open(&path).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'reference%' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(tables, ["reference_1", "reference_2", "reference_3"]);
        let types: Vec<String> = conn
            .prepare("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name LIKE 'reference%' ORDER BY table_name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(types, ["MULTILINESTRING", "MULTILINESTRING", "GEOMETRY"]);
        // Without reference layers, the tables go.
        p.reference_layers.clear();
        save_project(&p, &path).unwrap();
        assert!(open_project(&path).unwrap().reference_layers.is_empty());
        let left: i64 = Connection::open(&path)
            .unwrap()
            .query_row("SELECT count(*) FROM gpkg_contents WHERE table_name LIKE 'reference%'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn a_point_in_a_reference_table_is_an_error_naming_the_feature() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.gpkg");
        save_project(&project(), &path).unwrap();
        let point = blob::encode_point(geo::Point::new(1.0, 2.0), 4548);
        let conn = Connection::open(&path).unwrap();
        crate::io::gpkg::sql_functions::register(&conn).unwrap();
        conn.execute("UPDATE reference_3 SET geom = ?1 WHERE fid = 2", [point]).unwrap();
        drop(conn);
        let e = open_project(&path).unwrap_err();
        assert_eq!(e.feature, Some(2));
        assert!(matches!(*e.problem, Problem::ReferenceNeedsLineOrPolygon { found: GeometryKind::Point }), "{e}");
    }
}
