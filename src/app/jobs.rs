//! Long jobs of the app (open, import, export, print, Save As), run on a worker thread so that the window
//! keeps drawing: the status bar shows what the job is doing ("正在打开 — 41,000/100,172") with a Cancel
//! button. A cancelled job changes nothing in the project; one that writes files leaves none half
//! written (export and print remove theirs; Save As leaves the file as it was).
//!
//! A job works on its own copy of what it needs: the project cannot change meanwhile anyway, since the
//! app hears only Cancel while a job runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::background::{CacheOptions, Prepared};
use super::database::{OpenedDb, SavedDb};
use super::dialogs::ImportForm;
use crate::core::partition::{PartitionError, PartitionRequest, Plan, plan_with};
use crate::core::progress::{Cancelled, Progress, ProgressState, Stage};
use crate::core::{GridId, Project};
use crate::io::crs::parse_crs_arg;
use crate::io::export::{Layer, export_with};
use crate::io::fields::parse_map_args;
use crate::io::gpkg::copy_basemaps;
use crate::io::import::{
    ImportOptions, PreparedImport, PreparedReference, prepare_import, prepare_reference, read_source_each,
};
use crate::io::postgis::{ChangeEntry, Db, DbError, DbUrl, Password, Restored, SaveOptions, SaveReport, url_path};
use crate::io::{Changes, FileStamp, IoError, Problem, open_project_stamped_with, save_project_with};
use crate::print::{BasemapPrint, PrintError, PrintOptions};

/// What to say after a print, in the app's language (the basemap's missing tiles).
pub type PrintWarning = Box<dyn Fn(crate::text::Lang) -> String + Send>;

/// A project read by an open job: the project, its file's stamp, its caches built or started.
pub type Opened = (Arc<Project>, Option<FileStamp>, Prepared);

/// An import read and checked, not applied yet: into one of the project's layers, or as a reference layer.
pub enum ReadImport {
    Layer(PreparedImport),
    Reference(PreparedReference),
}

impl ReadImport {
    /// What applying it to `project` would replace, said before it does; `None` when nothing is lost.
    pub fn replaces(&self, project: &Project, lang: crate::text::Lang) -> Option<String> {
        match self {
            ReadImport::Layer(p) => p.replaces(project).map(|r| crate::text::layers::replace_text(&r, lang)),
            ReadImport::Reference(p) => {
                p.replaces(project).map(|n| crate::text::layers::replace_reference_text(&p.layer.name, n, lang))
            }
        }
    }
}

/// What a finished job hands back to the app.
pub enum Outcome {
    Opened {
        path: PathBuf,
        result: Result<Box<Opened>, IoError>,
    },
    /// The import read and checked against the project, not applied yet; the form, to show again if
    /// it failed or was cancelled.
    Imported {
        form: ImportForm,
        result: anyhow::Result<ReadImport>,
    },
    /// The features (or table rows) written.
    Exported {
        to: PathBuf,
        table: bool,
        result: anyhow::Result<usize>,
    },
    /// The files written, and what to say of the basemap's missing tiles.
    Printed {
        result: anyhow::Result<(Vec<PathBuf>, Option<PrintWarning>)>,
    },
    /// Auto-partition's proposal for `request`, computed on the project at `revision`.
    Partitioned {
        request: PartitionRequest,
        revision: u64,
        result: Result<Plan, PartitionError>,
    },
    /// The project saved at `path`, with the file's stamp after the save.
    Saved {
        path: PathBuf,
        result: anyhow::Result<Option<FileStamp>>,
    },
    /// A database project read, or why not (then its form shows again, with the address typed).
    OpenedDb {
        url: DbUrl,
        password: Option<Password>,
        result: Result<Box<OpenedDb>, IoError>,
    },
    /// What a save to the database wrote, and what someone else had saved first.
    SavedDb {
        result: Result<Box<SavedDb>, IoError>,
    },
    /// A grid's recorded changes.
    DbLog {
        grid: GridId,
        result: Result<Vec<ChangeEntry>, IoError>,
    },
    /// A grid brought back to an earlier state in the database.
    DbRestored {
        grid: GridId,
        change: i64,
        result: Result<Restored, IoError>,
    },
}

/// A job running on its worker thread.
pub struct Job {
    pub progress: Arc<ProgressState>,
    handle: Option<JoinHandle<Outcome>>,
}

/// Holds jobs back before they start while set: lets a test see a job's progress line and cancel it
/// at a known moment, whatever the machine's speed. Never set by the app itself.
#[derive(Clone, Debug, Default)]
pub struct StartGate(Arc<AtomicBool>);

impl StartGate {
    pub fn hold(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn release(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    /// Waits while held, until released or `stop` says so.
    pub fn wait_unless(&self, stop: &dyn Fn() -> bool) {
        while self.0.load(Ordering::SeqCst) && !stop() {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Whether an error is the user's Cancel (of whatever layer it came through).
pub fn is_cancelled(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<Cancelled>()
            || c.downcast_ref::<IoError>().is_some_and(|io| matches!(*io.problem, Problem::Cancelled(_)))
            || c.downcast_ref::<PrintError>().is_some_and(|p| matches!(p, PrintError::Cancelled(_)))
    })
}

impl Job {
    /// Runs `work` on a worker thread named `name`, once `gate` lets it; the status bar shows `stage`
    /// until the work reports one of its own.
    fn spawn(
        name: &str,
        stage: Stage,
        gate: &StartGate,
        work: impl FnOnce(&ProgressState) -> Outcome + Send + 'static,
    ) -> std::io::Result<Job> {
        let progress = Arc::new(ProgressState::default());
        progress.begin(stage, 0);
        let (reporter, gate) = (Arc::clone(&progress), gate.clone());
        let handle = std::thread::Builder::new().name(name.into()).spawn(move || {
            gate.wait_unless(&|| reporter.is_cancelled());
            work(&reporter)
        })?;
        Ok(Job { progress, handle: Some(handle) })
    }

    /// Reads the project at `path`.
    pub fn open(path: PathBuf, gate: &StartGate, caches: &CacheOptions) -> std::io::Result<Job> {
        let caches = caches.clone();
        Job::spawn("wangge-open", Stage::Opening, gate, move |reporter| {
            let result = open_project_stamped_with(&path, reporter).and_then(|(project, stamp)| {
                // The map's shapes, the edit index and the coverage check: built here for a small
                // project, started on more worker threads for a large one (its first frame waits for none).
                reporter.begin(Stage::Indexing, 0);
                let project = Arc::new(project);
                let prepared = Prepared::start(&project, &Default::default(), &caches);
                reporter.check().map_err(|c| IoError::new(&path, c))?;
                Ok(Box::new((project, stamp, prepared)))
            });
            Outcome::Opened { path, result }
        })
    }

    /// Reads the file the import form names and checks it against `project` (the open one, shared: the app hears only Cancel while a job runs).
    pub fn import(project: Arc<Project>, form: ImportForm, gate: &StartGate) -> std::io::Result<Job> {
        Job::spawn("wangge-import", Stage::Reading, gate, move |reporter| {
            let result = read_and_prepare(&project, &form, reporter);
            Outcome::Imported { form, result }
        })
    }

    /// Writes a layer of `project` (or, `table`, the grid table) to `to`.
    pub fn export(
        project: Arc<Project>,
        (layer, to, gbk, table): (Layer, PathBuf, bool, bool),
        gate: &StartGate,
    ) -> std::io::Result<Job> {
        Job::spawn("wangge-export", Stage::Writing, gate, move |reporter| {
            let result = if table {
                let rows = crate::text::grid_table::table_rows(&project);
                reporter.check().map_err(anyhow::Error::from).and_then(|()| {
                    crate::text::grid_table::write_table(&to, &rows)?;
                    Ok(rows.len())
                })
            } else {
                let encoding = if gbk { encoding_rs::GBK } else { encoding_rs::UTF_8 };
                // A cancelled or failed export leaves what was there before (io::export writes beside).
                export_with(&project, layer, &to, encoding, reporter).map_err(anyhow::Error::from)
            };
            Outcome::Exported { to, table, result }
        })
    }

    /// Prints `project` with `options` to `out`, with `basemap` under the grids when given.
    pub fn print(
        project: Arc<Project>,
        options: PrintOptions,
        out: PathBuf,
        basemap: Option<BasemapPrint>,
        gate: &StartGate,
    ) -> std::io::Result<Job> {
        Job::spawn("wangge-print", Stage::Printing, gate, move |reporter| {
            let result = crate::print::write_with_basemap(&project, &options, &out, reporter, basemap.as_ref())
                .map_err(|e| match e {
                    // Said in the app's language.
                    PrintError::Basemap(source) => anyhow::Error::from(source),
                    other => anyhow::Error::from(other),
                })
                .map(|(files, report)| {
                    let warning = match (basemap, report) {
                        (Some(b), Some(r)) if !r.missing.is_empty() => {
                            let w: PrintWarning = Box::new(move |l| {
                                crate::text::basemap::print_missing_tiles(
                                    &b.source.name,
                                    r.missing.len(),
                                    &r.missing_list(6),
                                    r.first_error.as_ref(),
                                    r.deadline_passed.then_some(b.deadline.as_secs_f64()),
                                    l,
                                )
                            });
                            Some(w)
                        }
                        _ => None,
                    };
                    (files, warning)
                });
            Outcome::Printed { result }
        })
    }

    /// Saves `project` at `path`, writing only `changes` when given (see [`save_project_with`]); `from`,
    /// the file it was read from when that is another (Save As), gives the new file its basemaps, which
    /// live in the file rather than in the model.
    pub fn save(
        project: Arc<Project>,
        path: PathBuf,
        changes: Option<Changes>,
        from: Option<PathBuf>,
        gate: &StartGate,
    ) -> std::io::Result<Job> {
        Job::spawn("wangge-save", Stage::Saving, gate, move |reporter| {
            let result = save_project_with(&project, &path, changes.as_ref(), reporter)
                .and_then(|()| {
                    from.filter(|from| *from != path && from.exists()).map_or(Ok(0), |from| copy_basemaps(&from, &path))
                })
                .map_err(anyhow::Error::from)
                .and_then(|_| Ok(FileStamp::read(&path)?));
            Outcome::Saved { path, result }
        })
    }

    /// Connects to the database project at `url` and reads it.
    pub fn open_db(
        url: DbUrl,
        password: Option<Password>,
        gate: &StartGate,
        caches: &CacheOptions,
    ) -> std::io::Result<Job> {
        let caches = caches.clone();
        Job::spawn("wangge-open-db", Stage::Opening, gate, move |reporter| {
            let at = |e: DbError| IoError::new(&url_path(&url), Problem::Database(e));
            let result = Db::connect_with(&url, password.as_ref()).map_err(at).and_then(|mut db| {
                // Where others' changes are looked for from: taken before the grids are read, so that
                // a change saved while they are read is looked at again (and applied if newer).
                let seen = db.last_change().map_err(at)?;
                let loaded = db.open().map_err(at)?;
                reporter.check().map_err(|c| IoError::new(&url_path(&url), c))?;
                reporter.begin(Stage::Indexing, 0);
                let project = Arc::new(loaded.project);
                let prepared = Prepared::start(&project, &Default::default(), &caches);
                Ok(Box::new(OpenedDb { project, versions: loaded.versions, seen, prepared }))
            });
            Outcome::OpenedDb { url, password, result }
        })
    }

    /// Writes `changes` of `project` to its database, each grid only if its version is still the one in
    /// `versions` (see [`Db::save`]).
    pub fn save_db(
        project: Arc<Project>,
        (url, password): (DbUrl, Option<Password>),
        (versions, base_layers): (BTreeMap<GridId, i32>, Arc<Project>),
        (changes, tag): (Changes, String),
        gate: &StartGate,
    ) -> std::io::Result<Job> {
        Job::spawn("wangge-save-db", Stage::Saving, gate, move |_| {
            let at = |e: DbError| IoError::new(&url_path(&url), Problem::Database(e));
            let result = Db::connect_with(&url, password.as_ref()).map_err(at).and_then(|mut db| {
                // All or nothing: an edit that moved a shared border lands in both grids or in neither. New
                // grids whose id someone else took are renumbered by the app when this is taken. The other
                // layers are merged with what is there now, row by row, in the same transaction.
                let mut versions = versions;
                let options = SaveOptions::all_or_nothing(Some(tag));
                let mut report =
                    db.save_grids(&project, (&mut versions, &base_layers), &changes, &options).map_err(at)?;
                // A grid this account may not change is shown like a conflict, theirs beside mine, so that
                // taking theirs settles it (else every later save would be refused again).
                let refused: Vec<GridId> = report.refused.iter().map(|r| r.id).collect();
                let mut theirs: BTreeMap<GridId, (crate::core::Grid, i32)> =
                    db.grids_now(&refused).map_err(at)?.into_iter().map(|(g, v)| (g.id, (g, v))).collect();
                for id in refused {
                    let mine = project.grids.get(&id).cloned();
                    report.conflicts.push(crate::io::postgis::Conflict { id, mine, theirs: theirs.remove(&id) });
                }
                // An earlier save with this tag was committed and its reply lost: the grids it wrote that
                // are here as they are there are saved; the others were changed here since.
                let replayed = match report.replayed {
                    false => None,
                    true => Some(replayed_now(&mut db, &project, &report).map_err(at)?),
                };
                Ok(Box::new(SavedDb { report, versions, other_layers: changes.other_layers, replayed }))
            });
            Outcome::SavedDb { result }
        })
    }

    /// Reads the recorded changes of `grid` (with `Some(change)`: first restores it to that change).
    pub fn db_history(
        (url, password): (DbUrl, Option<Password>),
        grid: GridId,
        restore: Option<i64>,
        gate: &StartGate,
    ) -> std::io::Result<Job> {
        Job::spawn("wangge-db-history", Stage::Reading, gate, move |_| {
            let at = |e: DbError| IoError::new(&url_path(&url), Problem::Database(e));
            let db = Db::connect_with(&url, password.as_ref()).map_err(at);
            match restore {
                None => Outcome::DbLog { grid, result: db.and_then(|mut db| db.log(Some(grid)).map_err(at)) },
                Some(change) => Outcome::DbRestored {
                    grid,
                    change,
                    result: db.and_then(|mut db| db.restore(grid, change).map_err(at)),
                },
            }
        })
    }

    /// Proposes grids for `request` (auto-partition), changing nothing yet.
    pub fn partition(
        project: Arc<Project>,
        request: PartitionRequest,
        revision: u64,
        gate: &StartGate,
    ) -> std::io::Result<Job> {
        Job::spawn("wangge-partition", Stage::Partitioning, gate, move |reporter| {
            let axes = crate::io::true_north::ground_axes_for(&project.crs);
            let result = plan_with(&project, &request, &axes, reporter);
            Outcome::Partitioned { request, revision, result }
        })
    }

    /// Asks the job to stop at its next check; it then ends with a `Cancelled` error.
    pub fn cancel(&self) {
        self.progress.cancel();
    }

    /// The outcome once the worker has finished; `None` while it runs. A worker that panicked (a bug)
    /// yields `Err`.
    pub fn finished(&mut self) -> Option<Result<Outcome, String>> {
        if !self.handle.as_ref().is_some_and(JoinHandle::is_finished) {
            return None;
        }
        let handle = self.handle.take()?;
        Some(handle.join().map_err(|e| {
            e.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| e.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "worker thread failed".into())
        }))
    }
}

/// Reads the import's source feature by feature (counted, and stopped at a Cancel) and checks it for
/// `project`, changing nothing yet: see [`PreparedImport::replaces`] for what it would replace.
pub fn read_and_prepare(project: &Project, form: &ImportForm, progress: &dyn Progress) -> anyhow::Result<ReadImport> {
    let src = Path::new(form.src.trim());
    let pairs: Vec<String> = form.map.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    let options = ImportOptions {
        crs_override: if form.crs.trim().is_empty() { None } else { Some(parse_crs_arg(&form.crs)?) },
        field_map: parse_map_args(&pairs)?,
        layer: None,
        // A reference layer of the same name: the app asks before applying (see `PreparedReference::replaces`).
        replace: form.reference.is_some(),
        force: false,
    };
    let reference = form.reference.as_deref().map(str::trim);
    let mut features = Vec::new();
    let mut source = read_source_each(src, None, progress, &mut |feature| {
        progress.check().map_err(|c| IoError::new(src, c))?;
        features.push(feature);
        Ok(())
    })?;
    source.features = features;
    progress.begin(Stage::Checking, source.features.len() as u64);
    if let Some(name) = reference {
        let prepared = prepare_reference(project, &source, name, &options)?;
        progress.check()?;
        return Ok(ReadImport::Reference(prepared));
    }
    let mut counted = 0;
    let prepared = prepare_import(project, &source, form.target, &options, &mut |done, _| {
        progress.advance(done.saturating_sub(counted) as u64);
        counted = counted.max(done);
    })?;
    progress.check()?;
    Ok(ReadImport::Layer(prepared))
}

/// What is in the database now of what a replayed save wrote: the grids (by their stored id) that are
/// there as they are in `project`.
fn replayed_now(db: &mut Db, project: &Project, report: &SaveReport) -> Result<super::database::Replayed, DbError> {
    let mine_of: BTreeMap<GridId, GridId> = report.renumbered.iter().map(|&(mine, stored)| (stored, mine)).collect();
    let mut same = std::collections::BTreeSet::new();
    let now = db.grids_now(&report.written)?;
    // Deleted by that save and still gone here: saved too.
    for &id in &report.written {
        let there = now.iter().any(|(g, _)| g.id == id);
        if !there && !project.grids.contains_key(&id) && !mine_of.contains_key(&id) {
            same.insert(id);
        }
    }
    for (theirs, _) in now {
        let mine = project.grids.get(mine_of.get(&theirs.id).unwrap_or(&theirs.id));
        if mine.is_some_and(|g| crate::core::Grid { id: theirs.id, ..g.clone() } == theirs) {
            same.insert(theirs.id);
        }
    }
    Ok(super::database::Replayed { same })
}
