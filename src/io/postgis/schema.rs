//! The tables of a database project and `wangge db init`: the schema created and the project loaded
//! in one transaction, so that a failed init leaves nothing behind.

use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::private::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::{Db, DbError};
use crate::core::{Grid, Project};
use crate::io::wkb;

/// Version of the database tables; `wangge_schema` records each version a schema was brought to, so
/// that `wangge db upgrade` can migrate an older one.
pub const SCHEMA_VERSION: i32 = 2;

/// The grid columns after `id`, `version` and `geom`, in the order the statements bind them ($3 …).
pub(super) const GRID_ATTRS: &str = "code, name, kind, class, village_code, households, population, party_members, \
    grid_head, grid_staff, phone, notes, valid_from, valid_to";

/// The tables, indexes and triggers of a project whose CRS is EPSG:`srid`, in schema `s`.
fn ddl(s: &str, srid: u32) -> String {
    format!(
        r#"
CREATE SCHEMA {s};
CREATE TABLE {s}.wangge_schema (
    version integer NOT NULL,
    written_by text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {s}.project (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE {s}.boundary (
    id serial PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    geom geometry(MultiPolygon, {srid}) NOT NULL
);
CREATE TABLE {s}.divisions (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]+$'),
    name text NOT NULL,
    parent_code text,
    level text NOT NULL,
    class text NOT NULL CHECK (class IN ('urban', 'rural')),
    geom geometry(MultiPolygon, {srid})
);
CREATE SEQUENCE {s}.grid_ids AS bigint MINVALUE 1 MAXVALUE 9007199254740992;
CREATE TABLE {s}.grids (
    id bigint PRIMARY KEY CHECK (id BETWEEN 1 AND 9007199254740992),
    version integer NOT NULL DEFAULT 1,
    code text NOT NULL DEFAULT '',
    name text NOT NULL DEFAULT '',
    kind text NOT NULL CHECK (kind IN ('basic', 'dedicated')),
    class text NOT NULL CHECK (class IN ('urban', 'rural')),
    village_code text NOT NULL DEFAULT '',
    households bigint CHECK (households BETWEEN 0 AND 4294967295),
    population bigint CHECK (population BETWEEN 0 AND 4294967295),
    party_members bigint CHECK (party_members BETWEEN 0 AND 4294967295),
    grid_head text NOT NULL DEFAULT '',
    grid_staff text NOT NULL DEFAULT '',
    phone text NOT NULL DEFAULT '',
    notes text NOT NULL DEFAULT '',
    valid_from text NOT NULL DEFAULT '',
    valid_to text NOT NULL DEFAULT '',
    geom geometry(MultiPolygon, {srid}) NOT NULL
);
ALTER SEQUENCE {s}.grid_ids OWNED BY {s}.grids.id;
CREATE INDEX grids_code ON {s}.grids (code);
CREATE INDEX grids_village ON {s}.grids (village_code);
CREATE TABLE {s}.households (
    id bigserial PRIMARY KEY,
    households bigint NOT NULL CHECK (households BETWEEN 0 AND 4294967295),
    population bigint CHECK (population BETWEEN 0 AND 4294967295),
    geom geometry(Point, {srid}) NOT NULL
);
CREATE TABLE {s}.reference_layers (position integer PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE {s}.reference_features (
    layer integer NOT NULL REFERENCES {s}.reference_layers (position) ON DELETE CASCADE,
    seq integer NOT NULL,
    name text NOT NULL DEFAULT '',
    -- Lines or polygons (what the reader takes); no CHECK on the type, which PostGIS would report in
    -- geometry_columns as the layer's only type.
    geom geometry(Geometry, {srid}) NOT NULL,
    PRIMARY KEY (layer, seq)
);
CREATE TABLE {s}.changes (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    who text NOT NULL DEFAULT current_user,
    grid_id bigint NOT NULL,
    action text NOT NULL,
    note text NOT NULL DEFAULT '',
    old_version integer,
    new_version integer,
    old_geom geometry(MultiPolygon, {srid}),
    new_geom geometry(MultiPolygon, {srid}),
    old_attrs jsonb,
    new_attrs jsonb
);
CREATE INDEX changes_grid ON {s}.changes (grid_id, id);
CREATE INDEX boundary_geom ON {s}.boundary USING gist (geom);
CREATE INDEX divisions_geom ON {s}.divisions USING gist (geom);
CREATE INDEX grids_geom ON {s}.grids USING gist (geom);
CREATE INDEX households_geom ON {s}.households USING gist (geom);
CREATE INDEX reference_features_geom ON {s}.reference_features USING gist (geom);

-- Every write of a grid moves its version on, whoever writes it and however: a new grid starts above
-- any version its id had before (a grid deleted and restored), an update adds one.
CREATE FUNCTION {s}.grid_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.version := coalesce((SELECT max(new_version) FROM {s}.changes WHERE grid_id = NEW.id), 0) + 1;
    ELSE
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER grid_version BEFORE INSERT OR UPDATE ON {s}.grids
    FOR EACH ROW EXECUTE FUNCTION {s}.grid_version();

-- Every write of a grid is recorded: who, when, old and new geometry and attributes. The action is
-- the statement's (insert, update, delete) unless the writer named it (wangge.action: load, restore),
-- with an optional note (wangge.note). It runs with its owner's rights (accounts may read the history,
-- not write it) and names the account that logged in.
CREATE FUNCTION {s}.grid_history() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    what text := coalesce(nullif(current_setting('wangge.action', true), ''), lower(TG_OP));
    note text := coalesce(current_setting('wangge.note', true), '');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {s}.changes (who, grid_id, action, note, new_version, new_geom, new_attrs)
        VALUES (session_user, NEW.id, what, note, NEW.version, NEW.geom, to_jsonb(NEW) - 'id' - 'version' - 'geom');
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO {s}.changes (who, grid_id, action, note, old_version, new_version, old_geom, new_geom, old_attrs, new_attrs)
        VALUES (session_user, NEW.id, what, note, OLD.version, NEW.version, OLD.geom, NEW.geom,
                to_jsonb(OLD) - 'id' - 'version' - 'geom', to_jsonb(NEW) - 'id' - 'version' - 'geom');
    ELSE
        INSERT INTO {s}.changes (who, grid_id, action, note, old_version, old_geom, old_attrs)
        VALUES (session_user, OLD.id, what, note, OLD.version, OLD.geom, to_jsonb(OLD) - 'id' - 'version' - 'geom');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER grid_history AFTER INSERT OR UPDATE OR DELETE ON {s}.grids
    FOR EACH ROW EXECUTE FUNCTION {s}.grid_history();

-- Who may write which grids, enforced by PostgreSQL (row-level security), not by the client: the
-- schema's owner writes everything; an account listed here writes the grids of its township (by the
-- first 9 digits of their village code), or all of them when it is the county's; every account with
-- access reads all grids. `wangge db grant` fills it.
CREATE TABLE {s}.accounts (
    role name PRIMARY KEY,
    township text CHECK (township ~ '^[0-9]{{9}}$'),
    county boolean NOT NULL DEFAULT false,
    CHECK (county OR township IS NOT NULL)
);
CREATE FUNCTION {s}.may_write(who name, village text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT EXISTS (SELECT 1 FROM {s}.accounts a WHERE a.role = who AND (a.county OR a.township = left(village, 9)))
$$;
ALTER TABLE {s}.grids ENABLE ROW LEVEL SECURITY;
CREATE POLICY grids_read ON {s}.grids FOR SELECT USING (true);
CREATE POLICY grids_write ON {s}.grids FOR ALL
    USING ({s}.may_write(current_user, village_code)) WITH CHECK ({s}.may_write(current_user, village_code));
"#
    )
}

/// The SQL that brings a schema from version `n + 1` to `n + 2` is `MIGRATIONS[n]`, with `{s}` for the
/// schema. `db init` creates version 1 ([`ddl`]) and runs them all, so that a new schema and an upgraded
/// one are the same.
const MIGRATIONS: &[&str] = &[V2];

/// Version 2: township accounts write the households and reference features inside their township
/// (row-level security by place, as the grids are by village code), and each save may leave a tag with
/// what it did (`saves`), so that a client that lost the reply to its commit can learn whether it landed.
const V2: &str = r#"
-- Whether account `who` may write a row at `g`: the county's may anywhere; a township's where `g` lies
-- inside its township: inside one of its divisions (the township's own polygon or one of its villages'),
-- or else inside their union (a road across two of its villages).
CREATE FUNCTION {s}.may_write_at(who name, g geometry) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, {s}, public AS $$
    SELECT EXISTS (
        SELECT 1 FROM {s}.accounts a
        WHERE a.role = who AND (a.county OR (a.township IS NOT NULL AND g IS NOT NULL AND (
            EXISTS (SELECT 1 FROM {s}.divisions d
                    WHERE (d.code = a.township OR (length(d.code) = 12 AND left(d.code, 9) = a.township))
                      AND d.geom && g AND ST_CoveredBy(g, d.geom))
            OR ST_CoveredBy(g, (SELECT ST_Union(d.geom) FROM {s}.divisions d
                                WHERE d.code = a.township OR (length(d.code) = 12 AND left(d.code, 9) = a.township)))
        )))
    )
$$;
ALTER TABLE {s}.households ENABLE ROW LEVEL SECURITY;
CREATE POLICY households_read ON {s}.households FOR SELECT USING (true);
CREATE POLICY households_write ON {s}.households FOR ALL
    USING ({s}.may_write_at(current_user, geom)) WITH CHECK ({s}.may_write_at(current_user, geom));
ALTER TABLE {s}.reference_features ENABLE ROW LEVEL SECURITY;
CREATE POLICY reference_features_read ON {s}.reference_features FOR SELECT USING (true);
CREATE POLICY reference_features_write ON {s}.reference_features FOR ALL
    USING ({s}.may_write_at(current_user, geom)) WITH CHECK ({s}.may_write_at(current_user, geom));
-- A save's tag and what it did (the ids its new grids were stored under, the versions it wrote), written
-- in the save's own transaction: there if and only if the save was committed.
CREATE TABLE {s}.saves (
    tag text PRIMARY KEY,
    who text NOT NULL DEFAULT session_user,
    at timestamptz NOT NULL DEFAULT now(),
    result jsonb NOT NULL
);
-- The functions that run with the owner's rights find nothing an account could have put in its way
-- (an account that may create objects in a schema on their path could otherwise shadow one they call).
ALTER FUNCTION {s}.grid_history() SET search_path = pg_catalog, {s}, public;
ALTER FUNCTION {s}.may_write(name, text) SET search_path = pg_catalog, {s}, public;
-- The accounts granted before version 2 get the rights that these policies now bound (roles dropped
-- since are passed over).
DO $do$
DECLARE r record;
BEGIN
    FOR r IN SELECT a.role FROM {s}.accounts a JOIN pg_roles p ON p.rolname = a.role LOOP
        IF NOT (SELECT county FROM {s}.accounts WHERE role = r.role) THEN
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON {s}.households, {s}.reference_features TO %I', r.role);
            EXECUTE format('GRANT USAGE ON SEQUENCE {s}.households_id_seq TO %I', r.role);
        END IF;
        EXECUTE format('GRANT SELECT, INSERT ON {s}.saves TO %I', r.role);
    END LOOP;
END $do$;
"#;

impl Db {
    /// `wangge db upgrade`: brings the schema to [`SCHEMA_VERSION`], one migration after the other in
    /// one transaction, each recorded in `wangge_schema`; returns the version it had and the one it has.
    pub fn upgrade(&mut self) -> Result<(i32, i32), DbError> {
        self.check_project()?;
        let from: i32 = self.client.query_one("SELECT max(version) FROM wangge_schema", &[])?.get(0);
        let schema = self.url.schema.clone();
        let mut tx = self.client.transaction()?;
        for version in from + 1..=SCHEMA_VERSION {
            let Some(sql) = usize::try_from(version - 2).ok().and_then(|i| MIGRATIONS.get(i)) else { continue };
            tx.batch_execute(&sql.replace("{s}", &schema))?;
            tx.execute(
                "INSERT INTO wangge_schema (version, written_by) VALUES ($1, $2)",
                &[&version, &concat!("wangge ", env!("CARGO_PKG_VERSION"))],
            )?;
        }
        tx.commit()?;
        Ok((from, from.max(SCHEMA_VERSION)))
    }

    /// `wangge db init`: creates the project's schema and loads `project` into it, in one transaction.
    /// An existing schema is refused unless `replace`, which drops it first (in the same transaction).
    pub fn init(&mut self, project: &Project, replace: bool) -> Result<(), DbError> {
        let has_postgis = self.client.query_one("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'", &[])?;
        if has_postgis.get::<_, i64>(0) == 0 {
            return Err(DbError::NoPostgis);
        }
        let exists = self.schema_exists()?;
        if exists && !replace {
            return Err(DbError::SchemaExists { schema: self.url.schema.clone() });
        }
        let schema = self.url.schema.clone();
        let mut tx = self.client.transaction()?;
        if exists {
            tx.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))?;
        }
        tx.batch_execute(&ddl(&schema, project.crs.epsg))?;
        tx.execute(
            "INSERT INTO wangge_schema (version, written_by) VALUES ($1, $2)",
            &[&SCHEMA_VERSION, &concat!("wangge ", env!("CARGO_PKG_VERSION"))],
        )?;
        for sql in MIGRATIONS {
            tx.batch_execute(&sql.replace("{s}", &schema))?;
        }
        super::layers::write_all(&mut tx, project)?;
        copy_grids(&mut tx, project)?;
        let next = project.next_grid_id.max(project.grids.keys().next_back().map_or(1, |id| id + 1)) as i64;
        tx.execute("SELECT setval('grid_ids', $1, false)", &[&next])?;
        tx.commit()?;
        Ok(())
    }
}

/// Loads the grids of a new schema with one binary `COPY` (row-by-row INSERTs took 74 s at 100,000
/// grids), recorded in the history as today: one `load` change per grid at version 1, which `wangge db
/// restore --to` goes back to and which a grid deleted and added again counts its version from. The
/// grid triggers (version, history) are off during the copy — the table is this transaction's own,
/// unseen by anyone else — and the history is written afterwards in one statement.
fn copy_grids(tx: &mut Transaction<'_>, project: &Project) -> Result<(), DbError> {
    let srid = project.crs.epsg;
    let statement = tx.prepare("SELECT geom FROM grids LIMIT 0")?;
    let geometry = statement.columns().first().map(|c| c.type_().clone());
    let geometry = geometry.ok_or_else(|| DbError::Server("the grids table has no geometry column".into()))?;
    let mut types = vec![Type::INT8, geometry];
    types.extend([Type::TEXT; 5]);
    types.extend([Type::INT8; 3]);
    types.extend([Type::TEXT; 6]);
    tx.batch_execute("ALTER TABLE grids DISABLE TRIGGER USER")?;
    let sink = tx.copy_in(&format!("COPY grids (id, geom, {GRID_ATTRS}) FROM STDIN (FORMAT binary)"))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    for grid in project.grids.values() {
        let id = grid.id as i64;
        let values = GridValues::of(grid);
        let geom = Ewkb::of(&values.geom, srid);
        let mut params = values.params();
        params[0] = &geom;
        params.insert(0, &id);
        writer.write(&params)?;
    }
    writer.finish()?;
    tx.batch_execute(
        "ALTER TABLE grids ENABLE TRIGGER USER;
         INSERT INTO changes (who, grid_id, action, new_version, new_geom, new_attrs)
         SELECT session_user, g.id, 'load', g.version, g.geom, to_jsonb(g) - 'id' - 'version' - 'geom'
         FROM grids g ORDER BY g.id;",
    )?;
    Ok(())
}

/// A geometry as PostGIS's binary input takes it: EWKB, the ISO WKB with the SRID in it (without it
/// the typed column refuses SRID 0).
#[derive(Debug)]
struct Ewkb(Vec<u8>);

impl Ewkb {
    /// From little-endian WKB as [`wkb`] writes it.
    fn of(wkb: &[u8], srid: u32) -> Ewkb {
        let mut out = Vec::with_capacity(wkb.len() + 4);
        match (wkb.first(), wkb.get(1..5), wkb.get(5..)) {
            (Some(1), Some(kind), Some(rest)) => {
                let kind = u32::from_le_bytes([kind[0], kind[1], kind[2], kind[3]]) | 0x2000_0000;
                out.push(1);
                out.extend_from_slice(&kind.to_le_bytes());
                out.extend_from_slice(&srid.to_le_bytes());
                out.extend_from_slice(rest);
            }
            // Not ours to write (wkb writes little-endian only): passed on for the server to judge.
            _ => out.extend_from_slice(wkb),
        }
        Ewkb(out)
    }
}

impl ToSql for Ewkb {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.extend_from_slice(&self.0);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        ty.name() == "geometry"
    }

    to_sql_checked!();
}

/// `INSERT` of one grid: with its id as $1, or (`new_id`) with the next id from the schema's sequence;
/// returns the id and the version the row got.
pub(super) fn insert_grid_sql(srid: u32, new_id: bool) -> String {
    let id = if new_id { "nextval('grid_ids')".to_string() } else { "$1".to_string() };
    let offset = usize::from(!new_id);
    let values: Vec<String> = (1..=14).map(|i| format!("${}", i + offset + 1)).collect();
    format!(
        "INSERT INTO grids (id, geom, {GRID_ATTRS}) VALUES ({id}, ST_Multi(ST_GeomFromWKB(${}, {srid})), {}) RETURNING id, version",
        offset + 1,
        values.join(", ")
    )
}

/// A grid's column values, owned, in the order of `geom` then [`GRID_ATTRS`].
pub(super) struct GridValues {
    pub(super) geom: Vec<u8>,
    texts: [String; 5],
    counts: [Option<i64>; 3],
    more: [String; 6],
}

impl GridValues {
    pub(super) fn of(g: &Grid) -> GridValues {
        let mut geom = Vec::new();
        wkb::write_multipolygon(&mut geom, &g.geometry);
        let a = &g.attrs;
        GridValues {
            geom,
            texts: [
                g.code.clone(),
                g.name.clone(),
                g.kind.key().to_string(),
                g.class.key().to_string(),
                g.village_code.clone(),
            ],
            counts: [a.households, a.population, a.party_members].map(|n| n.map(i64::from)),
            more: [
                a.grid_head.clone(),
                a.grid_staff.clone(),
                a.phone.clone(),
                a.notes.clone(),
                a.valid_from.clone(),
                a.valid_to.clone(),
            ],
        }
    }

    /// geom, then the 14 attributes.
    pub(super) fn params(&self) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
        let mut p: Vec<&(dyn postgres::types::ToSql + Sync)> = Vec::with_capacity(16);
        p.push(&self.geom);
        p.extend(self.texts.iter().map(|t| t as &(dyn postgres::types::ToSql + Sync)));
        p.extend(self.counts.iter().map(|c| c as &(dyn postgres::types::ToSql + Sync)));
        p.extend(self.more.iter().map(|t| t as &(dyn postgres::types::ToSql + Sync)));
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_after_the_first_has_its_migration() {
        assert_eq!(MIGRATIONS.len() as i32, SCHEMA_VERSION - 1);
    }

    #[test]
    fn a_new_grid_takes_the_next_id_of_the_sequence_and_an_old_one_keeps_its_own() {
        assert!(
            insert_grid_sql(4548, true)
                .contains("VALUES (nextval('grid_ids'), ST_Multi(ST_GeomFromWKB($1, 4548)), $2,")
        );
        assert!(insert_grid_sql(4548, false).contains("VALUES ($1, ST_Multi(ST_GeomFromWKB($2, 4548)), $3,"));
        assert!(insert_grid_sql(4548, false).ends_with("$16) RETURNING id, version"));
    }
}
