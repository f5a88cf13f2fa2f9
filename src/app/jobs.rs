//! Long jobs of the app (opening a large project), run on a worker thread so that the window keeps
//! drawing: the status bar shows what the job is doing ("正在打开 — 41,000/100,172") with a Cancel
//! button. A cancelled job changes nothing: the open project stays as it was.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::state::Prepared;
use crate::core::Project;
use crate::core::progress::{Progress, ProgressState, Stage};
use crate::io::{FileStamp, IoError, open_project_stamped_with};

/// What a finished job hands back to the app.
pub enum Outcome {
    Opened { path: PathBuf, result: Result<(Project, Option<FileStamp>, Prepared), IoError> },
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

    /// Waits while held, until released or the job is cancelled.
    fn wait(&self, progress: &ProgressState) {
        while self.0.load(Ordering::SeqCst) && !progress.is_cancelled() {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Job {
    /// Reads the project at `path` on a worker thread.
    pub fn open(path: PathBuf, gate: &StartGate) -> std::io::Result<Job> {
        let progress = Arc::new(ProgressState::default());
        progress.begin(Stage::Opening, 0);
        let (reporter, gate) = (Arc::clone(&progress), gate.clone());
        let handle = std::thread::Builder::new().name("wangge-open".into()).spawn(move || {
            gate.wait(&reporter);
            let result = open_project_stamped_with(&path, reporter.as_ref()).and_then(|(project, stamp)| {
                // The map's shapes, the edit index and the coverage check are built here too.
                reporter.begin(Stage::Indexing, 0);
                let prepared = Prepared::build(&project);
                reporter.check().map_err(|c| IoError::new(&path, c))?;
                Ok((project, stamp, prepared))
            });
            Outcome::Opened { path, result }
        })?;
        Ok(Job { progress, handle: Some(handle) })
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
