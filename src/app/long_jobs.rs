//! Starting the app's long jobs (open, import, export, print, Save As) on a worker thread, and taking
//! their outcomes when they end: the project read, the import to apply (or to ask about), the file
//! written — or a "cancelled" line, or the error, shown once.

use std::path::{Path, PathBuf};

use super::database_windows::ConflictsForm;
use super::dialogs::{ImportForm, Window};
use super::files::with_extension;
use super::jobs::{self, Job, Outcome, is_cancelled};
use super::{Action, WanggeApp};
use crate::io::export::Layer;
use crate::print::PrintOptions;
use crate::text::Text;
use crate::text::status::StatusLine;

impl WanggeApp {
    /// Whether a long job (open, import, export, print, Save As) is running.
    pub fn job_running(&self) -> bool {
        self.job.is_some()
    }

    /// One job at a time: a second is not started while one runs (the UI hears only Cancel then).
    fn start(&mut self, job: impl FnOnce(&jobs::StartGate) -> std::io::Result<Job>) -> anyhow::Result<()> {
        if self.job.is_none() {
            self.job = Some(job(&self.job_gate)?);
        }
        Ok(())
    }

    /// Reads the project at `path`; it becomes the open project when read (unless cancelled).
    pub(super) fn start_open(&mut self, path: PathBuf) -> anyhow::Result<()> {
        let caches = self.state.caches.clone();
        self.start(|gate| Job::open(path, gate, &caches))
    }

    /// Reads and checks the import the form names; applied (or asked about) when it is done.
    pub(super) fn start_import(&mut self, form: ImportForm) -> anyhow::Result<()> {
        let project = self.state.doc.project.clone();
        self.start(|gate| Job::import(project, form, gate))
    }

    pub(super) fn start_export(&mut self, layer: Layer, to: PathBuf, gbk: bool, table: bool) -> anyhow::Result<()> {
        let project = self.state.doc.project.clone();
        self.start(|gate| Job::export(project, (layer, to, gbk, table), gate))
    }

    pub(super) fn start_print(&mut self, options: PrintOptions, out: PathBuf) -> anyhow::Result<()> {
        let project = self.state.doc.project.clone();
        let basemap = options.basemap.as_deref().and_then(|name| self.state.ui.view.basemaps.print_source(name));
        self.start(|gate| Job::print(project, options, out, basemap, gate))
    }

    /// Computes auto-partition's proposal; the partition window shows it when it is done.
    pub(super) fn start_partition(&mut self, request: crate::core::partition::PartitionRequest) -> anyhow::Result<()> {
        let (project, revision) = (self.state.doc.project.clone(), self.state.doc.revision);
        self.start(|gate| Job::partition(project, request, revision, gate))
    }

    /// Saves the project at `path` (Save As); `after_save` runs once it is saved.
    pub(super) fn start_save_as(&mut self, path: &Path) -> anyhow::Result<()> {
        let path = with_extension(path, "gpkg");
        let (project, changes) = (self.state.doc.project.clone(), self.state.changes_to_save(&path));
        let from = self.state.doc.path.clone();
        self.start(|gate| Job::save(project, path, changes, from, gate))
    }

    /// Connects to a database project and reads it; it becomes the open project when read.
    pub(super) fn start_open_db(
        &mut self,
        url: crate::io::postgis::DbUrl,
        password: Option<crate::io::postgis::Password>,
    ) -> anyhow::Result<()> {
        let caches = self.state.caches.clone();
        self.start(|gate| Job::open_db(url, password, gate, &caches))
    }

    /// Saves what changed here to the open project's database; `after_save` runs once all of it is
    /// written (not when some grids met someone else's save).
    pub(super) fn start_save_db(&mut self) -> anyhow::Result<()> {
        let s = &mut self.state;
        let changes = s.doc.since_save.clone().unwrap_or_default();
        let project = s.doc.project.clone();
        let Some(link) = &mut s.doc.database else { return Ok(()) };
        let versions = link.versions.as_ref().clone();
        let at = (link.url.clone(), link.password.clone());
        let base_layers = link.base_layers.clone();
        // Until its outcome is known, the save's tag (and what it sent) is kept for the next one (see
        // DbLink::unconfirmed).
        let sent = project.clone();
        let tag = link.unconfirmed.get_or_insert_with(|| (crate::io::postgis::new_save_tag(), sent)).0.clone();
        self.start(|gate| Job::save_db(project, at, (versions, base_layers), (changes, tag), gate))
    }

    /// Reads a grid's recorded changes (or, with `restore`, first brings it back to one of them).
    pub(super) fn start_db_history(&mut self, grid: crate::core::GridId, restore: Option<i64>) -> anyhow::Result<()> {
        let Some(link) = &self.state.doc.database else { return Ok(()) };
        let at = (link.url.clone(), link.password.clone());
        self.start(|gate| Job::db_history(at, grid, restore, gate))
    }

    /// Takes the outcome of a finished job.
    pub(super) fn poll_job(&mut self) {
        let Some(outcome) = self.job.as_mut().and_then(Job::finished) else { return };
        self.job = None;
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(panic) => {
                self.after_save = None;
                let text = |l| format!("{}: {panic}", crate::text::pick(l, "内部错误", "internal error"));
                self.error = Some(crate::text::status::StatusLine::new(self.state.lang(), text));
                return;
            }
        };
        let export = matches!(outcome, Outcome::Exported { .. });
        let s = &mut self.state;
        let result = match outcome {
            Outcome::Opened { path, result } => result
                .map(|opened| {
                    let (project, stamp, prepared) = *opened;
                    s.opened_with(project, &path, stamp, Some(prepared));
                })
                .map_err(anyhow::Error::from),
            Outcome::Imported { form, result } => match result {
                // Nothing lost: done (and undoable).
                Ok(read) => match read.replaces(&s.doc.project, s.lang()) {
                    None => s.apply_import(read),
                    // Ask first, saying what would be lost; the form comes back on Cancel.
                    Some(text) => {
                        self.pending_import = Some((Box::new(read), form));
                        self.window = Some(Window::ConfirmReplace(text));
                        Ok(())
                    }
                },
                // The form comes back with what the user typed (the error, if any, on top of it).
                Err(e) => {
                    self.window = Some(Window::Import(form));
                    Err(e)
                }
            },
            Outcome::Exported { to, table, result } => result.map(|n| {
                if matches!(self.window, Some(Window::Export(_))) {
                    self.window = None;
                }
                let shown = to.display().to_string();
                if table {
                    s.say(|l| crate::text::start::table_written(n, &shown, l));
                } else {
                    s.say(|l| format!("{}: {n} → {shown}", Text::Exported.get(l)));
                }
            }),
            Outcome::Printed { result } => result.map(|(written, warning)| {
                let first = written.first().map(|p| p.display().to_string()).unwrap_or_default();
                let n = written.len();
                s.say(move |l| {
                    let done = format!("{}: {first} ({n})", crate::text::pick(l, "已打印", "Printed"));
                    // The basemap's missing tiles, said with the result.
                    match &warning {
                        Some(w) => format!("{done}{}{}", crate::text::pick(l, "；", "; "), w(l)),
                        None => done,
                    }
                });
            }),
            Outcome::Partitioned { result: Err(crate::core::partition::PartitionError::Cancelled), .. } => {
                Err(anyhow::Error::from(crate::core::progress::Cancelled))
            }
            // Shown in its window (gone if the user closed it meanwhile), errors too: beside the choices.
            Outcome::Partitioned { request, revision, result } => {
                if let Some(Window::Partition(form)) = &mut self.window {
                    form.computed(request, revision, result, s.lang());
                }
                Ok(())
            }
            Outcome::OpenedDb { url, password, result } => match result {
                Ok(opened) => {
                    if matches!(self.window, Some(Window::OpenDatabase(_))) {
                        self.window = None;
                    }
                    s.opened_db(*opened, url, password);
                    Ok(())
                }
                // The form again, with the address typed and why it failed (a password asked for).
                Err(e) if !matches!(*e.problem, crate::io::Problem::Cancelled(_)) => {
                    let mut form = super::database_windows::OpenDbForm::new(url.to_string());
                    let error = anyhow::Error::from(e);
                    form.error =
                        Some(StatusLine::new(s.lang(), |l| crate::text::io_errors::error_chain_text(&error, l)));
                    self.window = Some(Window::OpenDatabase(form));
                    Ok(())
                }
                Err(e) => Err(e.into()),
            },
            Outcome::SavedDb { result } => result.map_err(anyhow::Error::from).map(|saved| {
                let conflicts = saved.report.conflicts.clone();
                // Grids this account may not change: said in a window (they stay changed here, unsaved).
                let refused = saved.report.refused.clone();
                if !refused.is_empty() {
                    let lines = move |l| {
                        refused.iter().map(|r| crate::text::database::refusal_line(r, l)).collect::<Vec<_>>().join("\n")
                    };
                    self.error = Some(StatusLine::new(s.lang(), lines));
                }
                let replayed = saved.report.replayed;
                s.db_saved(*saved);
                if conflicts.is_empty() && self.error.is_none() {
                    if replayed && s.doc.dirty {
                        // The earlier save had landed; what changed here after it is saved now, and what was
                        // to follow waits for that save.
                        self.queued.push(Action::Save);
                    } else if let Some(then) = self.after_save.take() {
                        self.queued.push(Action::Discarded(Box::new(then)));
                    }
                } else {
                    // Nothing of mine is lost, but it is not all saved: what was to follow waits.
                    self.after_save = None;
                    match &mut self.window {
                        _ if conflicts.is_empty() => {}
                        Some(Window::Conflicts(form)) => form.extend(conflicts),
                        _ => self.window = Some(Window::Conflicts(Box::new(ConflictsForm::new(conflicts)))),
                    }
                }
            }),
            Outcome::DbLog { grid, result } => result.map_err(anyhow::Error::from).map(|changes| {
                self.window = Some(Window::GridHistory(super::database_windows::GridHistory { grid, changes }));
            }),
            Outcome::DbRestored { grid, change, result } => result.map_err(anyhow::Error::from).map(|restored| {
                s.say(|l| crate::text::database::restored(grid, change, restored, l));
                // The restored state arrives as others' changes do, at once.
                if let Some(link) = s.doc.database.as_mut() {
                    link.look_now();
                }
                // The history again, with the restore in it.
                self.queued.push(Action::GridHistory(grid));
            }),
            Outcome::Saved { path, result } => result.map(|stamp| {
                s.saved(&path, stamp);
                if let Some(then) = self.after_save.take() {
                    self.queued.push(Action::Discarded(Box::new(then)));
                }
            }),
        };
        match result {
            Ok(()) => {}
            // An export stopped half way removes what it wrote; anything else changed nothing.
            Err(e) if is_cancelled(&e) && export => {
                self.state.say(|l| crate::text::progress::export_cancelled(l).to_string());
            }
            Err(e) if is_cancelled(&e) => {
                self.after_save = None;
                self.state.say(|l| crate::text::progress::cancelled(l).to_string());
            }
            Err(e) => {
                self.after_save = None;
                self.show_error(&e);
            }
        }
    }
}
