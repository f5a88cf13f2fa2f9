//! `wangge db`: a project in a PostGIS database (issue 16) — create it from a project file, list its
//! history, restore a grid to an earlier state, say what an account may change.

use std::path::PathBuf;

use crate::core::GridId;
use crate::io::postgis::{Access, Db, DbError, DbUrl, url_path};
use crate::io::{IoError, Problem, open_project};
use crate::text::database::{change_line, granted, initialised, no_changes, restored, upgraded};

#[derive(clap::Args, Debug)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum DbCommand {
    /// Create a database project from a project file: its schema (tables, PostGIS geometry in the
    /// project's CRS, indexes, history) and its data, in one transaction
    ///
    /// URL: postgres://USER@HOST:PORT/DB?schema=NAME; the password from PGPASSWORD or ~/.pgpass.
    Init {
        url: String,
        /// The project file to load
        #[arg(long, value_name = "PROJECT.gpkg")]
        from: PathBuf,
        /// Replace the schema if it exists (without it, an existing schema is refused)
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        lang: super::LangArg,
    },
    /// Bring the project's tables to this Wangge's schema version (one transaction)
    Upgrade {
        url: String,
        #[command(flatten)]
        lang: super::LangArg,
    },
    /// The edit history: who changed which grid when, and what changed, oldest first
    Log {
        url: String,
        /// Only this grid's changes
        #[arg(long, value_name = "ID")]
        grid: Option<GridId>,
        #[command(flatten)]
        lang: super::LangArg,
    },
    /// Bring a grid back to the state a change left it in, as a new change
    Restore {
        url: String,
        #[arg(long, value_name = "ID")]
        grid: GridId,
        /// The change (its number in `wangge db log`) whose result is restored
        #[arg(long = "to", value_name = "CHANGE_ID")]
        change: i64,
        #[command(flatten)]
        lang: super::LangArg,
    },
    /// What a database account may change, enforced by PostgreSQL (row-level security): its own
    /// township's grids, every grid (--county), or nothing (--read-only); every account reads all grids
    ///
    /// The account (role) must exist; its login and password are the database administrator's to make.
    Grant {
        url: String,
        /// The database role
        #[arg(long, value_name = "NAME")]
        role: String,
        /// The township (9-digit code) whose grids it writes
        #[arg(long, value_name = "CODE", conflicts_with_all = ["county", "read_only"])]
        township: Option<String>,
        /// It writes every grid
        #[arg(long, conflicts_with = "read_only")]
        county: bool,
        /// It writes nothing
        #[arg(long)]
        read_only: bool,
        #[command(flatten)]
        lang: super::LangArg,
    },
}

impl DbArgs {
    pub fn lang(&self) -> crate::text::Lang {
        match &self.command {
            DbCommand::Init { lang, .. }
            | DbCommand::Log { lang, .. }
            | DbCommand::Restore { lang, .. }
            | DbCommand::Grant { lang, .. }
            | DbCommand::Upgrade { lang, .. } => lang.get(),
        }
    }
}

/// Connects to the project the URL names; its errors name the URL (never a password).
fn connect(text: &str) -> Result<Db, IoError> {
    let url = DbUrl::parse(text)
        .map_err(|e| IoError::new(&PathBuf::from(crate::io::postgis::redacted(text)), Problem::Database(e.into())))?;
    Db::connect(&url).map_err(|e| at(&url, e))
}

fn at(url: &DbUrl, e: DbError) -> IoError {
    IoError::new(&url_path(url), Problem::Database(e))
}

/// Runs a `wangge db` command; returns what to print.
pub fn run(args: DbArgs) -> anyhow::Result<String> {
    let lang = args.lang();
    match args.command {
        DbCommand::Init { url, from, replace, .. } => {
            let project = open_project(&from)?;
            let mut db = connect(&url)?;
            db.init(&project, replace).map_err(|e| at(db.url(), e))?;
            Ok(initialised(lang, &db.url().to_string(), project.grids.len()) + "\n")
        }
        DbCommand::Upgrade { url, .. } => {
            let mut db = connect(&url)?;
            let (from, to) = db.upgrade().map_err(|e| at(db.url(), e))?;
            Ok(upgraded(&db.url().schema, from, to, lang) + "\n")
        }
        DbCommand::Log { url, grid, .. } => {
            let mut db = connect(&url)?;
            let changes = db.log(grid).map_err(|e| at(db.url(), e))?;
            if changes.is_empty() {
                return Ok(format!("{}\n", no_changes(lang)));
            }
            Ok(changes.iter().map(|c| change_line(c, lang) + "\n").collect())
        }
        DbCommand::Restore { url, grid, change, .. } => {
            let mut db = connect(&url)?;
            let r = db.restore(grid, change).map_err(|e| at(db.url(), e))?;
            Ok(restored(grid, change, r, lang) + "\n")
        }
        DbCommand::Grant { url, role, township, county, read_only, .. } => {
            let access = match (township, county, read_only) {
                (Some(code), _, _) => Access::Township(code),
                (None, true, _) => Access::County,
                (None, false, true) => Access::ReadOnly,
                (None, false, false) => anyhow::bail!(
                    "{}",
                    crate::text::say!(
                        lang,
                        "请用 --township 代码、--county 或 --read-only 指定权限",
                        "give the access: --township CODE, --county or --read-only"
                    )
                ),
            };
            let mut db = connect(&url)?;
            db.grant(&role, &access).map_err(|e| at(db.url(), e))?;
            Ok(granted(&role, &access, lang) + "\n")
        }
    }
}
