//! `wangge db`: a project in a PostGIS database (issue 16) — create it from a project file, list its
//! history, restore a grid to an earlier state, say what an account may change.

use std::path::PathBuf;

use crate::core::GridId;
use crate::io::postgis::{Access, Db, DbError, DbUrl, Resolve, read_checkout, url_path};
use crate::io::{IoError, Problem, open_project};
use crate::text::database::{
    change_line, checked_out, checkin_text, granted, initialised, no_changes, restored, upgraded,
};

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
    /// Check out one township to edit offline: a normal project file of its grids, divisions,
    /// households and nearby reference features, with the neighbouring townships' border grids
    /// read-only, and the state of every grid recorded (the base of `db checkin`)
    ///
    /// The file opens in the app and in every command like any project; edits of the neighbours'
    /// grids are refused. Check it in with `wangge db checkin FILE`.
    Checkout {
        url: String,
        /// The township (9-digit code): grids whose village code starts with it
        #[arg(long, value_name = "CODE")]
        township: String,
        /// The project file to write (it must not exist)
        #[arg(long = "to", value_name = "FILE.gpkg")]
        to: PathBuf,
        #[command(flatten)]
        lang: super::LangArg,
    },
    /// Check in a township's check-out: three-way merge against the state at check-out, in one
    /// database transaction (all or nothing)
    ///
    /// Grids changed only in the file are written to the database, grids changed only in the database
    /// come into the file; then the file continues from the database's state (edit on, check in again).
    /// Nothing is written — neither to the database nor to the file — while something is left for you,
    /// and the command exits 1 listing it: a grid changed on both sides differently (a conflict), a
    /// change of a neighbour's read-only grid, a grid the account may not change, or a border vertex
    /// moved on one side of the township seam only (with the neighbour's vertex move that would fix it).
    /// Settle conflicts by checking in again with --take-theirs ID… (the database's grid replaces my
    /// edit) or --take-mine ID… (my grid is written over theirs; theirs stays in `db log`). Exit 0: all
    /// merged; 1: left for you; 2: bad input (not a check-out, unreachable database …).
    Checkin {
        /// The check-out file
        file: PathBuf,
        /// Take the database's version of these grids (comma-separated ids, or repeat the option)
        #[arg(long = "take-theirs", value_name = "ID", value_delimiter = ',', num_args = 1..)]
        take_theirs: Vec<GridId>,
        /// Write my version of these grids over the database's
        #[arg(long = "take-mine", value_name = "ID", value_delimiter = ',', num_args = 1..)]
        take_mine: Vec<GridId>,
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
            | DbCommand::Upgrade { lang, .. }
            | DbCommand::Checkout { lang, .. }
            | DbCommand::Checkin { lang, .. } => lang.get(),
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

/// Runs a `wangge db` command; returns what to print and the exit code (0, or 1 when a check-in left
/// something for the person to settle).
pub fn run(args: DbArgs) -> anyhow::Result<(String, u8)> {
    let lang = args.lang();
    if let DbCommand::Checkin { file, take_theirs, take_mine, .. } = &args.command {
        let (info, base) = read_checkout(file)?;
        let mut db = connect(&info.url)?;
        let resolve =
            Resolve { theirs: take_theirs.iter().copied().collect(), mine: take_mine.iter().copied().collect() };
        let report = db.checkin(file, &info, &base, &resolve)?;
        return Ok((checkin_text(&report, lang), if report.left_for_user() { 1 } else { 0 }));
    }
    run_other(args.command, lang).map(|out| (out, 0))
}

fn run_other(command: DbCommand, lang: crate::text::Lang) -> anyhow::Result<String> {
    match command {
        DbCommand::Checkin { .. } => Ok(String::new()),
        DbCommand::Checkout { url, township, to, .. } => {
            let mut db = connect(&url)?;
            let report = db.checkout(&township, &to)?;
            Ok(checked_out(&to.display().to_string(), &township, &report, lang) + "\n")
        }
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
