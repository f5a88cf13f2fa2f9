//! The project's layers besides the grids — name, settings, boundary, divisions, households and
//! reference layers — in the database: read (with the key of each household and reference feature row),
//! written afresh (`db init`), and saved as a three-way merge by row.
//!
//! A save of these layers runs inside the save's transaction under one lock per project
//! (`pg_advisory_xact_lock`), so that two saves cannot both compare against the same state and both
//! write:
//! * the project-wide part (name, settings, boundary, divisions, the list of reference layers) is the
//!   county's: a township account's change of it is refused, and it is written only when it is in the
//!   database still as it was read — else someone else changed it meanwhile and nothing is written;
//! * households and reference features are merged row by row: the rows I removed or changed must still
//!   be there as I read them (else nothing is written), my new rows are added, and rows someone else
//!   added meanwhile stay. A township account changes only rows inside its own township
//!   (`may_write_at`, the row-level security policy of `households` and `reference_features`);
//!   the save asks the policy's function before it writes, so that a refusal is said, not a silent no-op.

use std::collections::HashMap;
use std::hash::Hash;

use geo::{Geometry, Point};
use postgres::{GenericClient, Transaction};

use super::DbError;
use super::read::{count, multipolygon};
use crate::core::{
    AreaClass, Division, DivisionCode, GridId, HouseholdPoint, Project, ReferenceFeature, ReferenceGeometry,
    ReferenceLayer,
};
use crate::io::crs::crs_from_epsg;
use crate::io::wkb;

/// The layers as read, with the database's key of each household row (`households.id`, in the order of
/// `project.households`) and of each reference layer and feature (`position`, and `seq` in the order of
/// the layer's features).
pub(super) struct LayerRows {
    pub project: Project,
    pub households: Vec<i64>,
    pub features: Vec<(i32, Vec<i32>)>,
}

/// Which household and reference feature rows to read: a save reads only those it may remove (a
/// county's households run to hundreds of thousands).
#[derive(Clone, Copy, Default)]
pub(super) struct Only<'a> {
    /// The households at these positions (None: all).
    pub households_at: Option<&'a [Point<f64>]>,
    /// The features of the layers named (None: all).
    pub feature_layers: Option<&'a [&'a str]>,
}

/// Reads the layers besides the grids (the grids are left empty) through `c`, a connection or the
/// save's own transaction.
pub(super) fn read(c: &mut impl GenericClient, srid: i32) -> Result<LayerRows, DbError> {
    read_some(c, srid, Only::default())
}

/// [`read`] of the households and reference features `only` names (the rest of the layers whole).
fn read_some(c: &mut impl GenericClient, srid: i32, only: Only<'_>) -> Result<LayerRows, DbError> {
    let rows = c.query("SELECT key, value FROM project", &[])?;
    let rows: std::collections::BTreeMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let crs =
        crs_from_epsg(srid as u32).map_err(|e| DbError::BadRow { table: "project", id: 0, detail: e.to_string() })?;
    let mut project = Project::new(rows.get("name").cloned().unwrap_or_default(), crs);
    if let Some(p) = rows.get("precision").and_then(|p| p.parse::<f64>().ok())
        && p.is_finite()
        && p > 0.0
    {
        project.precision = p;
    }
    project.settings =
        rows.iter().filter_map(|(k, v)| Some((k.strip_prefix("setting.")?.to_string(), v.clone()))).collect();
    for row in c.query("SELECT id, ST_AsBinary(geom) FROM boundary ORDER BY id", &[])? {
        project.boundary.0.extend(multipolygon(row.get(1), "boundary", row.get::<_, i32>(0).into())?.0);
    }
    let divisions =
        c.query("SELECT code, name, parent_code, class, ST_AsBinary(geom) FROM divisions ORDER BY code", &[])?;
    for (n, row) in divisions.iter().enumerate() {
        let bad = |detail: String| DbError::BadRow { table: "divisions", id: n as i64 + 1, detail };
        let code = DivisionCode::parse(row.get::<_, &str>(0)).map_err(|e| bad(e.to_string()))?;
        let polygon = row.get::<_, Option<&[u8]>>(4).map(|b| multipolygon(b, "divisions", n as i64 + 1)).transpose()?;
        let class = AreaClass::parse(row.get(3)).unwrap_or_else(|| code.default_class());
        let division = Division { name: row.get(1), parent_code: row.get(2), class, code, polygon };
        project.divisions.insert(division.code.to_string(), division);
    }
    let mut household_ids = Vec::new();
    let select = "SELECT id, ST_AsBinary(geom), households, population FROM households";
    let households = match only.households_at {
        None => c.query(&format!("{select} ORDER BY id"), &[])?,
        Some([]) => Vec::new(),
        // By the index: the same bounding box (a point's own), checked exactly by the caller.
        Some(at) => {
            let (xs, ys): (Vec<f64>, Vec<f64>) = at.iter().map(|p| (p.x(), p.y())).unzip();
            let sql = format!(
                "{select} WHERE id IN (SELECT h.id FROM households h, unnest($1::float8[], $2::float8[]) AS p(x, y)
                     WHERE h.geom ~= ST_SetSRID(ST_MakePoint(p.x, p.y), {srid})) ORDER BY id"
            );
            c.query(&sql, &[&xs, &ys])?
        }
    };
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
        household_ids.push(id);
    }
    let mut layers: Vec<(i32, ReferenceLayer, Vec<i32>)> = c
        .query("SELECT position, name FROM reference_layers ORDER BY position", &[])?
        .iter()
        .map(|r| (r.get(0), ReferenceLayer::new(r.get::<_, String>(1)), Vec::new()))
        .collect();
    let select = "SELECT f.layer, f.seq, f.name, ST_AsBinary(f.geom) FROM reference_features f";
    let features = match only.feature_layers {
        None => c.query(&format!("{select} ORDER BY f.layer, f.seq"), &[])?,
        Some([]) => Vec::new(),
        Some(names) => {
            let names: Vec<&str> = names.to_vec();
            let sql = format!(
                "{select} JOIN reference_layers l ON l.position = f.layer WHERE l.name = ANY($1) ORDER BY f.layer, f.seq"
            );
            c.query(&sql, &[&names])?
        }
    };
    for row in features {
        let (layer, seq): (i32, i32) = (row.get(0), row.get(1));
        let bad = |detail: String| DbError::BadRow { table: "reference_features", id: seq.into(), detail };
        let geometry = wkb::read(row.get(3)).map_err(|e| bad(e.to_string()))?;
        let geometry = crate::io::gpkg::reference_geometry(geometry).map_err(|e| bad(e.to_string()))?;
        if let Some((_, l, seqs)) = layers.iter_mut().find(|(p, _, _)| *p == layer) {
            l.features.push(ReferenceFeature { geometry, name: row.get(2) });
            seqs.push(seq);
        }
    }
    let mut features = Vec::with_capacity(layers.len());
    for (position, layer, seqs) in layers {
        project.reference_layers.push(layer);
        features.push((position, seqs));
    }
    let next = c.query_one("SELECT last_value, is_called FROM grid_ids", &[])?;
    let (last, called): (i64, bool) = (next.get(0), next.get(1));
    project.next_grid_id = (if called { last + 1 } else { last }).max(1) as GridId;
    Ok(LayerRows { project, households: household_ids, features })
}

/// Saves the layers of `mine` that differ from `read` (what they were when read), inside the save's
/// transaction: see the module's doc. Nothing is written unless all of it can be.
pub(super) fn save(tx: &mut Transaction<'_>, srid: i32, read: &Project, mine: &Project) -> Result<(), DbError> {
    let layers_renamed = names(&read.reference_layers) != names(&mine.reference_layers);
    let households = diff(&read.households, &mine.households, household_key);
    let (county, now) = if layers_renamed {
        // Written afresh below: all of them are compared.
        lock_and_read(tx, srid, Only { households_at: None, feature_layers: None })?
    } else {
        let (at, changed) = rows_to_read(&households.0, Rows::of(read), Rows::of(mine));
        lock_and_read(tx, srid, Only { households_at: Some(&at), feature_layers: Some(&changed) })?
    };
    let wide_changed = !same_wide(read, mine);
    if wide_changed {
        if !county {
            return Err(DbError::CountyOnly);
        }
        if !same_wide(read, &now.project) {
            return Err(DbError::LayersChanged);
        }
    }
    if layers_renamed && read.reference_layers != now.project.reference_layers {
        // The list of layers changes (the county's): written afresh, so all of it must be as read.
        return Err(DbError::LayersChanged);
    }
    let rows = merge_rows(tx, srid, (county, &now), households, (Rows::of(read), Rows::of(mine)), !layers_renamed)?;
    if wide_changed {
        write_wide(tx, srid, mine, layers_renamed)?;
    }
    rows.write(tx, srid)
}

/// The households and reference layers of a project, or of a township's check-out.
#[derive(Clone, Copy)]
pub(super) struct Rows<'a> {
    pub households: &'a [HouseholdPoint],
    pub reference_layers: &'a [ReferenceLayer],
}

impl<'a> Rows<'a> {
    pub fn of(project: &'a Project) -> Rows<'a> {
        Rows { households: &project.households, reference_layers: &project.reference_layers }
    }
}

/// Saves the households and reference features of `mine` that differ from `read` (a check-in's: the
/// township's rows as checked out), merged row by row with the database's, inside the transaction; the
/// list of reference layers must be the same (a check-in does not change it).
pub(super) fn save_rows(tx: &mut Transaction<'_>, srid: i32, read: Rows<'_>, mine: Rows<'_>) -> Result<(), DbError> {
    if names(read.reference_layers) != names(mine.reference_layers) {
        return Err(DbError::CheckinLayerList);
    }
    let households = diff(read.households, mine.households, household_key);
    let (at, changed) = rows_to_read(&households.0, read, mine);
    let (county, now) = lock_and_read(tx, srid, Only { households_at: Some(&at), feature_layers: Some(&changed) })?;
    merge_rows(tx, srid, (county, &now), households, (read, mine), true)?.write(tx, srid)
}

/// What a save of `mine` over `read` must find in the database: the positions of the households it
/// removes (or changes), `removed`, and the names of the reference layers whose features it changes.
fn rows_to_read<'a>(removed: &[&HouseholdPoint], read: Rows<'a>, mine: Rows<'a>) -> (Vec<Point<f64>>, Vec<&'a str>) {
    let layers = read
        .reference_layers
        .iter()
        .zip(mine.reference_layers)
        .filter(|(r, m)| r.features != m.features)
        .map(|(r, _)| r.name.as_str())
        .collect();
    (removed.iter().map(|h| h.position).collect(), layers)
}

fn names(layers: &[ReferenceLayer]) -> Vec<&str> {
    layers.iter().map(|l| l.name.as_str()).collect()
}

/// Takes the project's lock for these layers (one save of them at a time; taken by every writer, so no
/// one waits on a table lock it has no right to take) and reads them as they are now; whether this
/// account is the county's (or the schema's owner). Of the households and reference features, only the
/// rows `only` names are read.
fn lock_and_read(tx: &mut Transaction<'_>, srid: i32, only: Only<'_>) -> Result<(bool, LayerRows), DbError> {
    tx.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()), 16)", &[])?;
    let county: bool =
        tx.query_one("SELECT NOT row_security_active('households') OR may_write(current_user, '')", &[])?.get(0);
    Ok((county, read_some(tx, srid, only)?))
}

/// The row writes a save makes, checked: the rows removed are there, and (for a township) all inside it.
struct RowWrites<'a> {
    households_gone: Vec<i64>,
    households_added: Vec<&'a HouseholdPoint>,
    /// (layer position, seqs removed, features added, the first free seq).
    features: Vec<(i32, Vec<i32>, Vec<&'a ReferenceFeature>, i32)>,
}

/// The rows I removed (or changed) must still be there as I read them; mine are added (`households`: the
/// households removed and added from read to mine); with `features` the reference features too, layer
/// by layer (read and mine have the same list of layers).
fn merge_rows<'a>(
    tx: &mut Transaction<'_>,
    srid: i32,
    (county, now): (bool, &LayerRows),
    (removed, added): (Vec<&'a HouseholdPoint>, Vec<&'a HouseholdPoint>),
    (read, mine): (Rows<'a>, Rows<'a>),
    features: bool,
) -> Result<RowWrites<'a>, DbError> {
    let households_gone = match_rows(&removed, &now.project.households, &now.households, household_key)?;
    if !county {
        let outside = outside(tx, srid, removed.iter().chain(&added).map(|h| point_wkb(h)))?;
        if outside > 0 {
            return Err(DbError::OutsideTownship { layer: None, count: outside });
        }
    }
    let mut writes = RowWrites { households_gone, households_added: added, features: Vec::new() };
    if !features {
        return Ok(writes);
    }
    for (layer_read, layer_mine) in read.reference_layers.iter().zip(mine.reference_layers) {
        let (removed, added) = diff(&layer_read.features, &layer_mine.features, feature_key);
        if removed.is_empty() && added.is_empty() {
            continue;
        }
        // The layer as it is now (the county may have removed it meanwhile).
        let now_layer = now.project.reference_layers.iter().position(|l| l.name == layer_read.name);
        let Some(((position, seqs), now_layer)) =
            now_layer.and_then(|i| Some((now.features.get(i)?, now.project.reference_layers.get(i)?)))
        else {
            return Err(DbError::LayersChanged);
        };
        let gone = match_rows(&removed, &now_layer.features, seqs, feature_key)?;
        if !county {
            let outside = outside(tx, srid, removed.iter().chain(&added).map(|f| feature_wkb(f)))?;
            if outside > 0 {
                return Err(DbError::OutsideTownship { layer: Some(layer_read.name.clone()), count: outside });
            }
        }
        writes.features.push((*position, gone, added, seqs.iter().max().map_or(0, |s| s + 1)));
    }
    Ok(writes)
}

impl RowWrites<'_> {
    fn write(self, tx: &mut Transaction<'_>, srid: i32) -> Result<(), DbError> {
        let delete = tx.prepare("DELETE FROM households WHERE id = $1")?;
        for id in self.households_gone {
            // Read under the lock, so there still; a row gone all the same is said, not passed over.
            if tx.execute(&delete, &[&id])? != 1 {
                return Err(DbError::LayersChanged);
            }
        }
        let insert = tx.prepare(&format!(
            "INSERT INTO households (households, population, geom) VALUES ($1, $2, ST_GeomFromWKB($3, {srid}))"
        ))?;
        for h in self.households_added {
            tx.execute(&insert, &[&i64::from(h.households), &h.population.map(i64::from), &point_wkb(h)])?;
        }
        let delete = tx.prepare("DELETE FROM reference_features WHERE layer = $1 AND seq = $2")?;
        let insert = tx.prepare(&format!(
            "INSERT INTO reference_features (layer, seq, name, geom) VALUES ($1, $2, $3, ST_GeomFromWKB($4, {srid}))"
        ))?;
        for (position, gone, added, next_seq) in self.features {
            for seq in gone {
                if tx.execute(&delete, &[&position, &seq])? != 1 {
                    return Err(DbError::LayersChanged);
                }
            }
            for (seq, f) in (next_seq..).zip(added) {
                tx.execute(&insert, &[&position, &seq, &f.name, &feature_wkb(f)])?;
            }
        }
        Ok(())
    }
}

fn point_wkb(h: &HouseholdPoint) -> Vec<u8> {
    let mut g = Vec::new();
    wkb::write_point(&mut g, h.position);
    g
}

/// Whether two projects agree on the county's part of the layers: name, settings, boundary, divisions
/// and the names of the reference layers in their order.
fn same_wide(a: &Project, b: &Project) -> bool {
    a.name == b.name
        && a.settings == b.settings
        && a.boundary == b.boundary
        && a.divisions == b.divisions
        && a.reference_layers.len() == b.reference_layers.len()
        && a.reference_layers.iter().zip(&b.reference_layers).all(|(x, y)| x.name == y.name)
}

/// How many of `geometries` (WKB) this account may not write (outside its township).
fn outside(tx: &mut Transaction<'_>, srid: i32, geometries: impl Iterator<Item = Vec<u8>>) -> Result<usize, DbError> {
    let may = tx.prepare(&format!("SELECT may_write_at(current_user, ST_GeomFromWKB($1, {srid}))"))?;
    let mut n = 0;
    for g in geometries {
        if !tx.query_one(&may, &[&g])?.get::<_, bool>(0) {
            n += 1;
        }
    }
    Ok(n)
}

/// What makes two households the same row: position (to the bit), households and population.
fn household_key(h: &HouseholdPoint) -> (u64, u64, u32, Option<u32>) {
    (h.position.x().to_bits(), h.position.y().to_bits(), h.households, h.population)
}

/// What makes two reference features the same row: name and geometry (its WKB).
fn feature_key(f: &ReferenceFeature) -> (String, Vec<u8>) {
    (f.name.clone(), feature_wkb(f))
}

fn feature_wkb(f: &ReferenceFeature) -> Vec<u8> {
    let mut g = Vec::new();
    match &f.geometry {
        ReferenceGeometry::Lines(lines) => wkb::write_multilinestring(&mut g, lines),
        ReferenceGeometry::Polygons(polygons) => wkb::write_multipolygon(&mut g, polygons),
    }
    g
}

/// The rows of `before` not in `after` and those of `after` not in `before`, counted as multisets (two
/// equal rows are two rows), each in its list's order.
fn diff<'a, T: PartialEq, K: Hash + Eq>(
    before: &'a [T],
    after: &'a [T],
    key: impl Fn(&T) -> K,
) -> (Vec<&'a T>, Vec<&'a T>) {
    // The usual case (the layer not changed) without hashing every row.
    if before == after {
        return (Vec::new(), Vec::new());
    }
    (minus(before, after, &key), minus(after, before, &key))
}

/// The rows of `a` left when each row of `b` takes away one equal row, in `a`'s order.
fn minus<'a, T, K: Hash + Eq>(a: &'a [T], b: &[T], key: &impl Fn(&T) -> K) -> Vec<&'a T> {
    let mut counts: HashMap<K, usize> = HashMap::new();
    for t in b {
        *counts.entry(key(t)).or_default() += 1;
    }
    a.iter()
        .filter(|t| match counts.get_mut(&key(t)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

/// The keys of rows in `now` (keyed by `keys`, in its order) equal to each of `wanted`, each row
/// taken once; [`DbError::LayersChanged`] when one of them is no longer there (someone else removed or
/// changed it since it was read).
fn match_rows<T, K: Hash + Eq, R: Copy>(
    wanted: &[&T],
    now: &[T],
    keys: &[R],
    key: impl Fn(&T) -> K,
) -> Result<Vec<R>, DbError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: HashMap<K, Vec<R>> = HashMap::new();
    for (t, &k) in now.iter().zip(keys).rev() {
        rows.entry(key(t)).or_default().push(k);
    }
    wanted.iter().map(|t| rows.get_mut(&key(t)).and_then(Vec::pop).ok_or(DbError::LayersChanged)).collect()
}

/// Writes the county's part afresh: the project table, boundary and divisions, and with `layers` the
/// reference layers with their features.
fn write_wide(tx: &mut Transaction<'_>, srid: i32, project: &Project, layers: bool) -> Result<(), DbError> {
    tx.batch_execute("DELETE FROM project; DELETE FROM boundary; DELETE FROM divisions;")?;
    let mut rows: Vec<(String, String)> =
        project.settings.iter().map(|(k, v)| (format!("setting.{k}"), v.clone())).collect();
    rows.push(("name".into(), project.name.clone()));
    rows.push(("crs_epsg".into(), srid.to_string()));
    rows.push(("precision".into(), project.precision.to_string()));
    let insert = tx.prepare("INSERT INTO project (key, value) VALUES ($1, $2)")?;
    for (k, v) in &rows {
        tx.execute(&insert, &[k, v])?;
    }
    if !project.boundary.0.is_empty() {
        let mut geom = Vec::new();
        wkb::write_multipolygon(&mut geom, &project.boundary);
        tx.execute(
            &format!("INSERT INTO boundary (name, geom) VALUES ($1, ST_Multi(ST_GeomFromWKB($2, {srid})))"),
            &[&project.name, &geom],
        )?;
    }
    let insert = tx.prepare(&format!(
        "INSERT INTO divisions (code, name, parent_code, level, class, geom)
         VALUES ($1, $2, $3, $4, $5, ST_Multi(ST_GeomFromWKB($6, {srid})))"
    ))?;
    for d in project.divisions.values() {
        let geom = d.polygon.as_ref().map(|p| {
            let mut out = Vec::new();
            wkb::write_multipolygon(&mut out, p);
            out
        });
        tx.execute(&insert, &[&d.code.as_str(), &d.name, &d.parent_code, &d.code.level(), &d.class.key(), &geom])?;
    }
    if layers {
        tx.batch_execute("DELETE FROM reference_features; DELETE FROM reference_layers;")?;
        write_reference_layers(tx, srid, project)?;
    }
    Ok(())
}

fn write_reference_layers(tx: &mut Transaction<'_>, srid: i32, project: &Project) -> Result<(), DbError> {
    let insert_layer = tx.prepare("INSERT INTO reference_layers (position, name) VALUES ($1, $2)")?;
    let insert_feature = tx.prepare(&format!(
        "INSERT INTO reference_features (layer, seq, name, geom) VALUES ($1, $2, $3, ST_GeomFromWKB($4, {srid}))"
    ))?;
    for (position, layer) in project.reference_layers.iter().enumerate() {
        let position = position as i32;
        tx.execute(&insert_layer, &[&position, &layer.name])?;
        for (seq, feature) in layer.features.iter().enumerate() {
            tx.execute(&insert_feature, &[&position, &(seq as i32), &feature.name, &feature_wkb(feature)])?;
        }
    }
    Ok(())
}

/// Everything but the grids written afresh into a new schema (`db init`).
pub(super) fn write_all(tx: &mut Transaction<'_>, project: &Project) -> Result<(), DbError> {
    let srid = project.crs.epsg as i32;
    write_wide(tx, srid, project, true)?;
    let households = RowWrites {
        households_gone: Vec::new(),
        households_added: project.households.iter().collect(),
        features: Vec::new(),
    };
    households.write(tx, srid)
}

/// A check-out's households and reference layers as text (JSON; geometries as hex WKB), kept in the file
/// as the base its check-in merges against.
pub(super) fn rows_to_text(rows: Rows<'_>) -> String {
    let hex = |bytes: Vec<u8>| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let households: Vec<serde_json::Value> = rows
        .households
        .iter()
        .map(|h| serde_json::json!([h.position.x(), h.position.y(), h.households, h.population]))
        .collect();
    let layers: Vec<serde_json::Value> = rows
        .reference_layers
        .iter()
        .map(|l| {
            let features: Vec<serde_json::Value> =
                l.features.iter().map(|f| serde_json::json!([f.name, hex(feature_wkb(f))])).collect();
            serde_json::json!([l.name, features])
        })
        .collect();
    serde_json::json!({ "households": households, "reference_layers": layers }).to_string()
}

/// [`rows_to_text`] read back; a description of what is wrong otherwise.
pub(super) fn rows_from_text(text: &str) -> Result<(Vec<HouseholdPoint>, Vec<ReferenceLayer>), String> {
    type Text = (Vec<(f64, f64, u32, Option<u32>)>, Vec<(String, Vec<(String, String)>)>);
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let field = |name: &str| value.get(name).cloned().ok_or(format!("no {name}"));
    let text: Text = (
        serde_json::from_value(field("households")?).map_err(|e| e.to_string())?,
        serde_json::from_value(field("reference_layers")?).map_err(|e| e.to_string())?,
    );
    let households = text
        .0
        .into_iter()
        .map(|(x, y, households, population)| HouseholdPoint { position: Point::new(x, y), households, population })
        .collect();
    let mut layers = Vec::new();
    for (name, features) in text.1 {
        let mut layer = ReferenceLayer::new(name);
        for (name, hex) in features {
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or("a geometry is not hex")?;
            let geometry = wkb::read(&bytes).map_err(|e| e.to_string())?;
            let geometry = crate::io::gpkg::reference_geometry(geometry).map_err(|e| e.to_string())?;
            layer.features.push(ReferenceFeature { geometry, name });
        }
        layers.push(layer);
    }
    Ok((households, layers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::line_string;

    #[test]
    fn a_checkouts_rows_survive_their_text() {
        let households = vec![
            HouseholdPoint { position: Point::new(620_000.125, 3_385_000.1), households: 3, population: None },
            HouseholdPoint { position: Point::new(-0.0, 1e-9), households: 0, population: Some(7) },
        ];
        let mut road = ReferenceLayer::new("道路");
        road.features.push(ReferenceFeature {
            geometry: ReferenceGeometry::Lines(geo::MultiLineString(vec![
                line_string![(x: 1.5, y: 2.), (x: 3., y: 4.25)],
            ])),
            name: "G205".into(),
        });
        let layers = vec![road, ReferenceLayer::new("水系")];
        let text = rows_to_text(Rows { households: &households, reference_layers: &layers });
        assert_eq!(rows_from_text(&text).unwrap(), (households, layers));
        assert!(rows_from_text("{\"households\": 3}").is_err());
        assert!(rows_from_text(&text.replace("010", "0x0")).is_err());
    }

    #[test]
    fn a_diff_counts_equal_rows_as_rows_and_keeps_each_lists_order() {
        let (removed, added) = diff(&[1, 2, 2, 3], &[2, 4, 3, 5], |x| *x);
        assert_eq!(removed, vec![&1, &2]);
        assert_eq!(added, vec![&4, &5]);
        let (removed, added) = diff(&[7, 7], &[7, 7], |x| *x);
        assert!(removed.is_empty() && added.is_empty());
    }

    #[test]
    fn a_row_removed_meanwhile_is_a_change_of_someone_elses_not_a_silent_no_op() {
        // Rows 10, 11, 12 hold a, b, a: taking a twice finds both, in order; a third a is gone.
        let now = ['a', 'b', 'a'];
        assert_eq!(match_rows(&[&'a', &'a'], &now, &[10, 11, 12], |c| *c).unwrap(), vec![10, 12]);
        assert!(matches!(match_rows(&[&'a', &'a', &'a'], &now, &[10, 11, 12], |c| *c), Err(DbError::LayersChanged)));
        assert!(matches!(match_rows(&[&'c'], &now, &[10, 11, 12], |c| *c), Err(DbError::LayersChanged)));
    }
}
