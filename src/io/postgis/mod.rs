//! A project in a PostGIS database (issue 16): one schema per project, named by a URL
//! `postgres://USER@HOST:PORT/DB?schema=NAME` ([`DbUrl`]). The schema holds the same layers as the
//! GeoPackage project file — grids (each with a `version`), boundary, divisions, households, reference
//! layers, settings — with PostGIS geometry columns in the project's CRS, and an edit history (`changes`)
//! that triggers in the database write, so that no client, however it writes, can change a grid without
//! it being recorded and its version moving on.
//!
//! Saving is optimistic ([`Db::save`]): a grid is written only if its version is still the one that was
//! loaded; the others come back as conflicts, theirs beside mine, and nothing is overwritten.

mod checkin;
mod checkout;
mod history;
mod layers;
mod live;
mod read;
mod roles;
mod save;
mod schema;
pub mod url;

use std::path::PathBuf;
use std::time::Duration;

pub use checkin::{CheckinReport, MergeConflict, ProposedMove, Resolve, SeamRefusal};
pub use checkout::{BaseGrid, CheckoutInfo, CheckoutReport, read_checkout};
pub use history::{ChangeEntry, Restored};
pub use live::{Password, Remote, RemoteChanges};
pub use read::Loaded;
pub use roles::Access;
pub use save::{Conflict, Refusal, SaveMode, SaveOptions, SaveReport, new_save_tag};
pub use schema::SCHEMA_VERSION;
pub use url::{DbUrl, UrlProblem, is_db_path, is_db_url, redacted};

use crate::core::GridId;

/// What went wrong with a database project. The URL it concerns is named by the [`crate::io::IoError`]
/// that carries it; no message ever holds a password.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not a database project URL: {0}")]
    Url(#[from] UrlProblem),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("the server asks for a password: type it, or put it in PGPASSWORD or ~/.pgpass")]
    NeedPassword,
    #[error("the password was not accepted")]
    WrongPassword,
    #[error("the database said: {0}")]
    Server(String),
    #[error("schema {schema:?} exists already; add --replace to replace it (nothing was changed)")]
    SchemaExists { schema: String },
    #[error("schema {schema:?} holds no Wangge project; create it with `wangge db init URL --from PROJECT.gpkg`")]
    NoProject { schema: String },
    #[error(
        "this project was written by a newer Wangge (database schema {found}); this version reads schema {supported} and older — update Wangge"
    )]
    NewerSchema { found: i32, supported: i32 },
    #[error(
        "this project's database schema is version {found}; saving needs version {current}: the schema's owner runs `wangge db upgrade URL` first (nothing was saved)"
    )]
    OlderSchema { found: i32, current: i32 },
    #[error("the database has no PostGIS; an administrator must run CREATE EXTENSION postgis in it")]
    NoPostgis,
    #[error("{table} row {id}: {detail}")]
    BadRow { table: &'static str, id: i64, detail: String },
    #[error("there is no grid {0}")]
    NoSuchGrid(GridId),
    #[error("grid {grid} has no change {change}; `wangge db log URL --grid {grid}` lists its changes")]
    NoSuchChange { grid: GridId, change: i64 },
    #[error("{0:?} is not a plain role name: use lower-case letters, digits and _")]
    BadRole(String),
    #[error("township {0:?} is not a 9-digit township code")]
    BadTownship(String),
    #[error("this command cannot save to a database project yet; open the .gpkg, or use `wangge db`")]
    CannotSaveHere,
    #[error(
        "nothing was saved: {conflicts} grid(s) were saved by someone else since this command read them and {refused} may not be changed by this account (grids {grids}); run it again to work on what is there now"
    )]
    NotSaved { conflicts: usize, refused: usize, grids: String },
    #[error(
        "nothing was saved: someone else changed the project's other layers (its name, boundary, divisions, households, reference layers or settings) since they were read; open the project again to get theirs, then make the change again"
    )]
    LayersChanged,
    #[error(
        "nothing was saved: only the county account may change the project's name, boundary, divisions, settings or its list of reference layers"
    )]
    CountyOnly,
    #[error("nothing was saved: {count} of the {} changed lie outside this account's township (a township account changes only those inside its own township's divisions)", match layer { Some(l) => format!("features of reference layer {l:?}"), None => "household points".to_string() })]
    OutsideTownship { layer: Option<String>, count: usize },
    #[error(
        "nothing was checked in: the file's list of reference layers differs from the one it was checked out with (a layer added, removed or renamed); a check-in changes features, not the list — change it in the county's project"
    )]
    CheckinLayerList,
    #[error("no grid and no division of township {0} in this project")]
    NoSuchTownship(String),
    #[error("the file exists already; check it in, or check out to another file (nothing was written)")]
    CheckoutExists,
    #[error("not a township check-out (it has no wangge_checkout table); make one with `wangge db checkout`")]
    NotACheckout,
    #[error("its check-out record is damaged: {0}")]
    BadCheckout(String),
    #[error(
        "the check-in is in the database, but the file could not be updated ({0}); check it in again to bring the file up to date (nothing is written twice)"
    )]
    FileNotUpdated(String),
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> DbError {
        // The server's own message (and its detail) when it sent one; the client's words otherwise.
        match e.as_db_error() {
            Some(db) => {
                let detail = db.detail().map(|d| format!(" ({d})")).unwrap_or_default();
                DbError::Server(format!("{}{detail}", db.message()))
            }
            None if e.is_closed() => DbError::Connect(e.to_string()),
            None => DbError::Server(e.to_string()),
        }
    }
}

/// The path an [`crate::io::IoError`] names for a database project: its URL (which holds no password).
pub fn url_path(url: &DbUrl) -> PathBuf {
    PathBuf::from(url.to_string())
}

/// An open connection to one project's schema.
pub struct Db {
    client: postgres::Client,
    url: DbUrl,
}

impl Db {
    /// Connects as the URL's user, with the password from `PGPASSWORD` or the password file; the
    /// connection's search path is the project's schema, then `public` (where PostGIS lives).
    pub fn connect(url: &DbUrl) -> Result<Db, DbError> {
        Db::connect_with(url, None)
    }

    /// [`Db::connect`] with a password the user typed (the app's prompt), tried before `PGPASSWORD`
    /// and the password file. It is handed to the server only, never shown, logged or stored.
    pub fn connect_with(url: &DbUrl, typed: Option<&Password>) -> Result<Db, DbError> {
        let mut config = postgres::Config::new();
        config
            .host(&url.host)
            .port(url.port)
            .user(&url.user)
            .dbname(&url.database)
            .application_name("wangge")
            .connect_timeout(Duration::from_secs(15));
        if let Some(password) = typed {
            config.password(password.expose());
        } else if let Some(password) = url.password() {
            config.password(password);
        }
        let mut client = config.connect(postgres::NoTls).map_err(|e| match e.as_db_error() {
            Some(db) if *db.code() == postgres::error::SqlState::INVALID_PASSWORD => DbError::WrongPassword,
            Some(db) => DbError::Connect(db.message().to_string()),
            // The client's words when the server asked for a password and none was given.
            None if std::error::Error::source(&e).is_some_and(|s| s.to_string().contains("password missing")) => {
                DbError::NeedPassword
            }
            // The client's words with their cause ("error connecting to server: Connection refused").
            None => DbError::Connect(match std::error::Error::source(&e) {
                Some(cause) => format!("{e}: {cause}"),
                None => e.to_string(),
            }),
        })?;
        client.batch_execute(&format!("SET search_path TO {}, public", url.schema))?;
        Ok(Db { client, url: url.clone() })
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    fn schema_exists(&mut self) -> Result<bool, DbError> {
        let row = self.client.query_one("SELECT count(*) FROM pg_namespace WHERE nspname = $1", &[&self.url.schema])?;
        Ok(row.get::<_, i64>(0) > 0)
    }

    /// [`Db::check_project`] for a write: the schema must be at this Wangge's version (a write relies
    /// on its policies and tables), else the error says to upgrade it.
    fn check_writable(&mut self) -> Result<i32, DbError> {
        let srid = self.check_project()?;
        let found: i32 = self.client.query_one("SELECT max(version) FROM wangge_schema", &[])?.get(0);
        if found < SCHEMA_VERSION {
            return Err(DbError::OlderSchema { found, current: SCHEMA_VERSION });
        }
        Ok(srid)
    }

    /// The project's SRID and schema version; an error when the schema holds no project of ours, or
    /// one newer than this Wangge reads.
    fn check_project(&mut self) -> Result<i32, DbError> {
        let no_project = || DbError::NoProject { schema: self.url.schema.clone() };
        let has_table = self.client.query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'wangge_schema'",
            &[&self.url.schema],
        )?;
        if has_table.get::<_, i64>(0) == 0 {
            return Err(no_project());
        }
        let row = self.client.query_one("SELECT max(version) FROM wangge_schema", &[])?;
        let found: Option<i32> = row.get(0);
        let found = found.ok_or_else(no_project)?;
        if found > SCHEMA_VERSION {
            return Err(DbError::NewerSchema { found, supported: SCHEMA_VERSION });
        }
        let row = self.client.query_opt("SELECT value FROM project WHERE key = 'crs_epsg'", &[])?;
        let srid = row.and_then(|r| r.get::<_, String>(0).parse::<i32>().ok());
        srid.ok_or_else(no_project)
    }
}
