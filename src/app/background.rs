//! The caches of a large project built on worker threads, so that its first frame does not wait for
//! them (issue 13, item 3): the map's full features and colours, the edit index, the live coverage
//! check. Until each one lands the app uses what it has: a coarse map of outlines and extents
//! ([`MapCache::coarse`]), an edit index built on the first edit that needs it, and "checking…" in the
//! status bar. Edits made meanwhile are remembered and applied to each piece when it lands.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

use super::jobs::StartGate;
use super::live_coverage::LiveCoverage;
use super::map_cache::MapCache;
use super::state::AppState;
use crate::core::edit::SpatialIndex;
use crate::core::{GridId, Project};

/// From this many grids on, the caches are built on worker threads; below, at once (a county's few
/// hundred grids take milliseconds, and the check shows with the first frame).
pub const BACKGROUND_FROM: usize = 2_000;

/// When a project's caches are built on worker threads.
#[derive(Clone, Debug)]
pub struct CacheOptions {
    /// From this many grids on ([`BACKGROUND_FROM`]; tests lower it).
    pub background_from: usize,
    /// Holds the workers back before they start while set (for tests that look at the app before the
    /// pieces land, whatever the machine's speed). Never set by the app itself.
    pub gate: StartGate,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions { background_from: BACKGROUND_FROM, gate: StartGate::default() }
    }
}

/// A piece built by a worker thread.
enum Piece {
    Map(Box<MapCache>),
    Index(Box<SpatialIndex>),
    Coverage(Box<LiveCoverage>),
}

/// What a worker thread does with the project, sending each piece as it is built (the send says
/// whether anyone still wants it).
type Work = Box<dyn FnOnce(&Project, &dyn Fn(Piece) -> bool) + Send>;

/// The caches of a project just read or changed as a whole: all built, or some still being built.
pub struct Prepared {
    pub cache: MapCache,
    pub index: Option<SpatialIndex>,
    pub coverage: Option<LiveCoverage>,
    pub background: Option<Background>,
}

impl Prepared {
    /// Builds the caches of `project` at once when it has fewer than `background_from` grids; else
    /// builds the coarse map and starts worker threads on the project (shared, not copied) for the rest. Grids in
    /// `colours` keep their fill colour (a rebuild must not reshuffle the map).
    pub fn start(project: &Arc<Project>, colours: &BTreeMap<GridId, u8>, options: &CacheOptions) -> Prepared {
        // Without a thread to be had, built here as a small project's are (slower, not wrong).
        if project.grids.len() >= options.background_from
            && let Ok(background) = Background::start(Arc::clone(project), colours.clone(), &options.gate)
        {
            let cache = MapCache::coarse(project, colours);
            return Prepared { cache, index: None, coverage: None, background: Some(background) };
        }
        Prepared::build(project, colours)
    }

    /// Builds every cache now, on this thread.
    pub fn build(project: &Project, colours: &BTreeMap<GridId, u8>) -> Prepared {
        Prepared {
            cache: MapCache::build_keeping(project, colours),
            index: Some(SpatialIndex::build(project)),
            coverage: Some(LiveCoverage::build(project)),
            background: None,
        }
    }
}

/// Worker threads building the caches of the project as it was when they started (they share it with the
/// app; the app's first edit meanwhile copies it), and what changed since.
pub struct Background {
    pieces: Receiver<Piece>,
    /// Set when the app no longer wants the pieces (the project was replaced): the workers stop at
    /// their next piece.
    stop: Arc<AtomicBool>,
    /// Grids edited since the workers started: each piece is updated for them when it lands.
    changed: BTreeSet<GridId>,
    waiting: Waiting,
}

#[derive(Clone, Copy)]
struct Waiting {
    map: bool,
    index: bool,
    coverage: bool,
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Background {
    /// The map, then the edit index, on one thread; the coverage check on another (two cores build
    /// both at once).
    fn start(project: Arc<Project>, colours: BTreeMap<GridId, u8>, gate: &StartGate) -> std::io::Result<Background> {
        let stop = Arc::new(AtomicBool::new(false));
        let (sender, pieces) = mpsc::channel();
        let background = Background {
            pieces,
            stop: Arc::clone(&stop),
            changed: BTreeSet::new(),
            waiting: Waiting { map: true, index: true, coverage: true },
        };
        let worker = |name: &str, work: Work| {
            let (project, stop, sender): (_, _, Sender<Piece>) =
                (Arc::clone(&project), Arc::clone(&stop), sender.clone());
            let gate = gate.clone();
            std::thread::Builder::new().name(name.into()).spawn(move || {
                gate.wait_unless(&|| stop.load(Ordering::Relaxed));
                // A piece nobody waits for any more is not sent, and the work after it not done.
                let send = |piece: Piece| !stop.load(Ordering::Relaxed) && sender.send(piece).is_ok();
                work(&project, &send);
            })
        };
        worker(
            "wangge-map",
            Box::new(move |project, send| {
                if send(Piece::Map(Box::new(MapCache::build_keeping(project, &colours)))) {
                    send(Piece::Index(Box::new(SpatialIndex::build(project))));
                }
            }),
        )?;
        worker(
            "wangge-check",
            Box::new(|project, send| {
                send(Piece::Coverage(Box::new(LiveCoverage::build(project))));
            }),
        )?;
        Ok(background)
    }

    /// Remembers grids edited before the pieces landed.
    pub fn note_changed(&mut self, grids: &BTreeSet<GridId>) {
        self.changed.extend(grids.iter().copied());
    }
}

/// Where the landed pieces go.
pub struct Targets<'a> {
    pub project: &'a Project,
    pub cache: &'a mut MapCache,
    pub index: &'a mut Option<SpatialIndex>,
    pub coverage: &'a mut Option<LiveCoverage>,
}

/// What [`poll`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Landed {
    pub map: bool,
    pub index: bool,
    pub coverage: bool,
    /// Nothing is left to wait for.
    pub done: bool,
}

/// Takes the pieces that have landed, each updated for the grids edited since the workers started. A worker that
/// ended without its piece (a bug: it panicked) has the piece built here instead, so nothing waits
/// for ever.
pub fn poll(background: &mut Background, to: Targets<'_>) -> Landed {
    let mut landed = Landed::default();
    let changed = &background.changed;
    loop {
        match background.pieces.try_recv() {
            Ok(Piece::Map(mut cache)) => {
                if !changed.is_empty() {
                    cache.update(to.project, changed);
                }
                // The thematic fills are set again on the next frame (the new cache is not themed).
                *to.cache = *cache;
                background.waiting.map = false;
                landed.map = true;
            }
            Ok(Piece::Index(mut index)) => {
                // Unless the first edit built one meanwhile (kept up to date since).
                if to.index.is_none() {
                    index.update(to.project, changed);
                    *to.index = Some(*index);
                }
                background.waiting.index = false;
                landed.index = true;
            }
            Ok(Piece::Coverage(mut coverage)) => {
                if !changed.is_empty() {
                    coverage.update(to.project, changed);
                }
                *to.coverage = Some(*coverage);
                background.waiting.coverage = false;
                landed.coverage = true;
            }
            Err(TryRecvError::Empty) => break,
            Err(TryRecvError::Disconnected) => {
                let w = background.waiting;
                if w.map {
                    *to.cache = MapCache::build_keeping(to.project, &to.cache.colours());
                }
                if w.index && to.index.is_none() {
                    *to.index = Some(SpatialIndex::build(to.project));
                }
                if w.coverage {
                    *to.coverage = Some(LiveCoverage::build(to.project));
                }
                background.waiting = Waiting { map: false, index: false, coverage: false };
                (landed.map, landed.index, landed.coverage) = (w.map, w.index, w.coverage);
                break;
            }
        }
    }
    let w = background.waiting;
    landed.done = !(w.map || w.index || w.coverage);
    landed
}

impl AppState {
    /// Takes the caches that worker threads finished since the last frame; true while some are still
    /// being built (the window then looks again soon).
    pub fn poll_background(&mut self) -> bool {
        let Some(background) = &mut self.background else { return false };
        let targets = Targets {
            project: &self.doc.project,
            cache: &mut self.ui.cache,
            index: &mut self.editor.index,
            coverage: &mut self.editor.coverage,
        };
        let landed = poll(background, targets);
        for (done, what) in [(landed.map, "map cache"), (landed.index, "edit index"), (landed.coverage, "coverage")] {
            if done {
                super::timing::mark(&format!("{what} landed"));
            }
        }
        if landed.done {
            self.background = None;
        }
        !landed.done
    }

    /// Whether caches are still being built on worker threads.
    pub fn caches_pending(&self) -> bool {
        self.background.is_some()
    }

    /// Whether the coverage check of a large project is still running (the status bar says so).
    pub fn checking_coverage(&self) -> bool {
        self.editor.coverage.is_none()
    }

    /// Forgets the picked finding (the coverage changed under it).
    pub fn unpick(&mut self) {
        self.editor.picked_finding = None;
        self.editor.picked_fixes.clear();
        self.editor.previewed_fix = None;
    }
}
