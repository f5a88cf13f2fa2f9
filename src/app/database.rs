//! A project in a shared PostGIS database, in the app (issue 16): the link to it (its URL, the password
//! typed for this session, the version of every grid as read), others' saved changes arriving while it
//! is open, and a save that writes only what changed here — never over what someone else saved first.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::time::{Duration, Instant};

use super::AppState;
use super::background::Prepared;
use crate::core::edit::StepKind;
use crate::core::merge::{Resolution, resolution_command};
use crate::core::{GridId, Project};
use crate::io::postgis::{Conflict, Db, DbError, DbUrl, Password, Remote, RemoteChanges, SaveReport, url_path};
use crate::text::shared_project as words;
use crate::text::status::StatusLine;

/// How often others' changes are looked for.
pub const LIVE_EVERY: Duration = Duration::from_secs(3);

/// The open project's database.
pub struct DbLink {
    pub url: DbUrl,
    /// What the user typed, for this session's connections; None: `PGPASSWORD` or the password file.
    pub password: Option<Password>,
    /// The version of every grid as this project last read or wrote it: what a save is checked against.
    pub versions: Arc<BTreeMap<GridId, i32>>,
    /// The last change in the database's history that this project has looked at.
    pub seen: i64,
    /// The layers besides the grids as last read or written: a save that writes them afresh first checks
    /// that no one else changed them since.
    pub base_layers: Arc<Project>,
    /// Grids someone else saved that are changed here too: the next save shows both.
    pub contested: BTreeSet<GridId>,
    /// The tag of a save whose outcome is not known (it ended in an error, perhaps after its commit),
    /// and the project it sent: the next save carries the tag again, so that the database can tell it
    /// was committed already (and then the layers it wrote are those it sent).
    pub unconfirmed: Option<(String, Arc<Project>)>,
    live: Option<Live>,
}

/// The thread that looks for others' changes, with its own connection.
struct Live {
    asks: Sender<(i64, Arc<BTreeMap<GridId, i32>>)>,
    answers: Receiver<Result<RemoteChanges, DbError>>,
    waiting: bool,
    last_asked: Instant,
}

impl DbLink {
    pub fn new(
        url: DbUrl,
        password: Option<Password>,
        (versions, base_layers): (BTreeMap<GridId, i32>, Project),
        seen: i64,
    ) -> DbLink {
        let versions = Arc::new(versions);
        let base_layers = Arc::new(base_layers);
        DbLink { url, password, versions, seen, base_layers, contested: BTreeSet::new(), unconfirmed: None, live: None }
    }

    /// Asks for others' changes every [`LIVE_EVERY`] and hands over an answer when one has come.
    pub fn poll(&mut self) -> Option<Result<RemoteChanges, DbError>> {
        if self.live.is_none() {
            self.live = start_live(self.url.clone(), self.password.clone());
        }
        let live = self.live.as_mut()?;
        if live.waiting {
            match live.answers.try_recv() {
                Ok(answer) => {
                    live.waiting = false;
                    return Some(answer);
                }
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => {
                    self.live = None;
                    return None;
                }
            }
        }
        if live.last_asked.elapsed() >= LIVE_EVERY {
            live.last_asked = Instant::now();
            live.waiting = live.asks.send((self.seen, Arc::clone(&self.versions))).is_ok();
            if !live.waiting {
                // The thread is gone: a new one at the next poll.
                self.live = None;
            }
        }
        None
    }

    /// Looks for others' changes at the next [`DbLink::poll`] rather than after the usual wait.
    pub fn look_now(&mut self) {
        if let Some(live) = &mut self.live {
            live.last_asked = Instant::now() - LIVE_EVERY;
        }
    }
}

fn start_live(url: DbUrl, password: Option<Password>) -> Option<Live> {
    let (asks, asked) = std::sync::mpsc::channel::<(i64, Arc<BTreeMap<GridId, i32>>)>();
    let (answer, answers) = std::sync::mpsc::channel();
    let started = std::thread::Builder::new().name("wangge-live".into()).spawn(move || {
        let mut db: Option<Db> = None;
        // Ends when the link is dropped (the project closed).
        while let Ok((after, versions)) = asked.recv() {
            let result = match db.as_mut() {
                Some(db) => db.remote_changes(after, &versions),
                None => Db::connect_with(&url, password.as_ref()).and_then(|mut fresh| {
                    let result = fresh.remote_changes(after, &versions);
                    db = Some(fresh);
                    result
                }),
            };
            if result.is_err() {
                // Connect again at the next ask (the server may have restarted).
                db = None;
            }
            if answer.send(result).is_err() {
                break;
            }
        }
    });
    // Without a thread the project still works; it only does not see others' changes until reopened.
    started.ok().map(|_| Live { asks, answers, waiting: false, last_asked: Instant::now() })
}

/// A database project read by a job: the project, its versions, the change it was read at, its caches.
pub struct OpenedDb {
    pub project: Arc<Project>,
    pub versions: BTreeMap<GridId, i32>,
    pub seen: i64,
    pub prepared: Prepared,
}

/// What a save to the database did, with the versions after it.
pub struct SavedDb {
    pub report: SaveReport,
    pub versions: BTreeMap<GridId, i32>,
    /// Whether the layers besides the grids were written.
    pub other_layers: bool,
    /// The save was an earlier one's, committed with its reply lost ([`SaveReport::replayed`]).
    pub replayed: Option<Replayed>,
}

/// What is in the database of a save committed earlier whose reply was lost.
pub struct Replayed {
    /// The grids it wrote (by their stored ids) that are there as they are here: saved.
    pub same: BTreeSet<GridId>,
}

impl AppState {
    /// Makes a project just read from the database the open one.
    pub fn opened_db(&mut self, opened: OpenedDb, url: DbUrl, password: Option<Password>) {
        let layers = opened.project.without_grids();
        self.replace_project_with(opened.project, None, Some(opened.prepared));
        self.link_database(DbLink::new(url, password, (opened.versions, layers), opened.seen));
    }

    /// Makes the open project (just read from it) the database's: nothing changed since, saved there.
    fn link_database(&mut self, link: DbLink) {
        self.doc.since_save = Some(Default::default());
        let (grids, shown, path) = (self.doc.project.grids.len(), link.url.to_string(), url_path(&link.url));
        self.doc.database = Some(link);
        self.say(|l| words::opened(&shown, grids, l));
        self.remember_recent(&path);
    }

    /// Takes others' saved changes into the open project: grids not changed here are replaced (without
    /// an undo step: they are the database's state, not an edit); grids changed here too are left as
    /// they are and marked, so that the next save puts both side by side.
    pub fn apply_remote(&mut self, remote: RemoteChanges) {
        let Some(link) = self.doc.database.as_mut() else { return };
        link.seen = link.seen.max(remote.seen);
        let mine: BTreeSet<GridId> = self.doc.since_save.as_ref().map(|c| c.grids.clone()).unwrap_or_default();
        let mut applied = BTreeSet::new();
        let mut contested = 0;
        for change in remote.grids {
            let id = change.id();
            // A save of ours that finished meanwhile may have moved the version on already.
            // Versions only go up: an answer older than what is held (a late one) is not news.
            let still_newer = match &change {
                Remote::Written(_, v) => link.versions.get(&id).is_none_or(|held| v > held),
                Remote::Deleted(_) => link.versions.contains_key(&id),
            };
            if !still_newer {
                continue;
            }
            if mine.contains(&id) {
                contested += usize::from(link.contested.insert(id));
                continue;
            }
            let project = Arc::make_mut(&mut self.doc.project);
            let versions = Arc::make_mut(&mut link.versions);
            match change {
                Remote::Written(grid, version) => {
                    project.next_grid_id = project.next_grid_id.max(id + 1);
                    project.grids.insert(id, *grid);
                    versions.insert(id, version);
                }
                Remote::Deleted(_) => {
                    project.grids.remove(&id);
                    versions.remove(&id);
                }
            }
            applied.insert(id);
        }
        if applied.is_empty() && contested == 0 {
            return;
        }
        // Undoing a step of mine on one of these grids would bring back what they replaced.
        let history_cleared = self.doc.history.touches(&applied);
        if history_cleared {
            self.doc.history = Default::default();
        }
        let (dirty, since_save) = (self.doc.dirty, self.doc.since_save.clone());
        self.grids_changed(applied.clone());
        // Not an edit of mine: nothing new to save.
        self.doc.dirty = dirty;
        self.doc.since_save = since_save;
        let (n, who) = (applied.len(), remote.who);
        self.say(|l| words::arrived(n, &who, contested, history_cleared, l));
    }

    /// Takes what a save to the database did: the versions move on, grids renumbered by the database
    /// follow, and the conflicting grids stay changed here (to be settled, then saved again).
    pub fn db_saved(&mut self, saved: SavedDb) {
        let Some(link) = self.doc.database.as_mut() else { return };
        link.versions = Arc::new(saved.versions);
        // Its outcome is known now.
        let sent = link.unconfirmed.take().map(|(_, sent)| sent);
        let shown = link.url.to_string();
        let report = saved.report;
        let renumbered = !report.renumbered.is_empty();
        if renumbered {
            Arc::make_mut(&mut self.doc.project).renumber_grids(&report.renumbered);
            // Its steps name the old ids.
            self.doc.history = Default::default();
        }
        let conflicts: BTreeSet<GridId> = report.conflicts.iter().map(|c| c.id).collect();
        // Those grids are contested now (others' changes to them must not be taken as they arrive).
        link.contested = conflicts.clone();
        if let Some(replayed) = saved.replayed {
            // What that save wrote is saved where it is still as it was; what was changed here since
            // (and all the rest) is still to save.
            let stored: BTreeMap<GridId, GridId> = report.renumbered.iter().copied().collect();
            let mut left = self.doc.since_save.take().unwrap_or_default();
            left.grids = left.grids.iter().map(|id| *stored.get(id).unwrap_or(id)).collect();
            left.grids.retain(|id| !replayed.same.contains(id));
            // The layers it wrote are those it sent, merged into what was there: its base from now on.
            if let Some(sent) = sent.filter(|_| report.layers_written) {
                left.other_layers = crate::io::location::other_layers_differ(&sent, &self.doc.project);
                link.base_layers = Arc::new(sent.without_grids());
            }
            self.doc.dirty = !left.grids.is_empty() || left.other_layers;
            self.doc.since_save = Some(left);
        } else if !report.rolled_back {
            // (Rolled back, nothing was written: everything is still to save.)
            if saved.other_layers {
                link.base_layers = Arc::new(self.doc.project.without_grids());
            }
            let mut left = self.doc.since_save.take().unwrap_or_default();
            left.grids.retain(|id| conflicts.contains(id));
            left.other_layers &= !saved.other_layers;
            self.doc.dirty = !left.grids.is_empty() || left.other_layers;
            self.doc.since_save = Some(left);
        }
        if renumbered {
            let ids: BTreeSet<GridId> = report.renumbered.iter().flat_map(|&(a, b)| [a, b]).collect();
            let (dirty, since) = (self.doc.dirty, self.doc.since_save.clone());
            self.grids_changed(ids);
            (self.doc.dirty, self.doc.since_save) = (dirty, since);
        }
        let (written, n_conflicts, n_renumbered) = (report.written.len(), conflicts.len(), report.renumbered.len());
        let (rolled_back, not_written) = (report.rolled_back, n_conflicts + report.refused.len());
        let replayed = report.replayed.then(|| self.doc.since_save.as_ref().map_or(0, |c| c.grids.len()));
        self.say(move |l| {
            let mut text = match (rolled_back, n_conflicts, replayed) {
                (_, _, Some(left)) => words::replayed(written, left, l),
                (true, 0, None) => crate::text::database::rolled_back_line(not_written, l),
                (true, n, None) => {
                    crate::text::database::rolled_back_line(not_written, l) + &words::conflicts_to_settle(n, l)
                }
                (false, 0, None) => words::saved(&shown, written, l),
                (false, n, None) => words::saved_with_conflicts(written, n, l),
            };
            if n_renumbered > 0 {
                text += &words::renumbered(n_renumbered, l);
            }
            text
        });
    }

    /// Settles the conflict over one grid: my grid changes as `resolution` says (one undoable step), and
    /// the version the next save checks against becomes theirs, so that it writes the result over theirs
    /// — or, when the result is theirs, nothing.
    pub fn resolve_conflict(&mut self, conflict: &Conflict, resolution: &Resolution, left: usize) {
        let id = conflict.id;
        let theirs = conflict.theirs.as_ref();
        let mine = self.doc.project.grids.get(&id);
        let command = resolution_command(id, mine, theirs.map(|(g, _)| g), resolution);
        let status = StatusLine::new(self.lang(), |l| words::resolved(left, l));
        match command {
            Some(command) => self.apply_command(StepKind::Resolve, command, status),
            None => self.ui.status = status,
        }
        let Some(link) = self.doc.database.as_mut() else { return };
        let versions = Arc::make_mut(&mut link.versions);
        match theirs {
            Some((_, version)) => versions.insert(id, *version),
            None => versions.remove(&id),
        };
        link.contested.remove(&id);
        // Taken whole, the grid is what the database has: nothing of it to save.
        if *resolution == Resolution::TakeTheirs
            && let Some(changes) = self.doc.since_save.as_mut()
        {
            changes.grids.remove(&id);
        }
    }

    /// Looks for others' changes when it is time; applies what arrived.
    pub fn poll_database(&mut self) {
        let Some(answer) = self.doc.database.as_mut().and_then(DbLink::poll) else { return };
        match answer {
            Ok(remote) if remote.grids.is_empty() => {
                if let Some(link) = self.doc.database.as_mut() {
                    link.seen = link.seen.max(remote.seen);
                }
            }
            Ok(remote) => self.apply_remote(remote),
            Err(e) => {
                let detail = |l| crate::text::database::db_error_text(&e, l);
                self.say(|l| words::live_failed(&detail(l), l));
            }
        }
    }
}

/// Opens the database project named on the command line, before the window shows: with the password
/// from `PGPASSWORD` or the password file. When the server wants another, the window opens on the
/// sample with the open-database form asking for it; any other failure ends the start as a file's does.
pub fn open_at_start(
    path: &std::path::Path,
    settings: crate::text::Settings,
) -> anyhow::Result<(AppState, Option<super::database_windows::OpenDbForm>)> {
    let text = path.display().to_string();
    let url = DbUrl::parse(&text)
        .map_err(|e| crate::io::IoError::new(path, crate::io::Problem::Database(DbError::from(e))))?;
    let at = |e: DbError| crate::io::IoError::new(&url_path(&url), crate::io::Problem::Database(e));
    let opened = Db::connect(&url).and_then(|mut db| Ok((db.last_change()?, db.open()?)));
    match opened {
        Ok((seen, loaded)) => {
            super::timing::mark("project read");
            let caches = super::background::CacheOptions::default();
            caches.gate.hold();
            let layers = loaded.project.without_grids();
            let mut state = AppState::new_with(loaded.project, None, settings, caches);
            state.link_database(DbLink::new(url, None, (loaded.versions, layers), seen));
            Ok((state, None))
        }
        Err(e @ (DbError::NeedPassword | DbError::WrongPassword)) => {
            let state = AppState::sample(settings)?;
            let mut form = super::database_windows::OpenDbForm::new(url.to_string());
            let error = anyhow::Error::from(at(e));
            form.error = Some(StatusLine::new(state.lang(), |l| crate::text::io_errors::error_chain_text(&error, l)));
            Ok((state, Some(form)))
        }
        Err(e) => Err(at(e).into()),
    }
}
