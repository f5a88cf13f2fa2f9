//! Progress of a long job (import, check, code, export, print, open, save), reported by the ring that
//! does the work and shown by the one that owns the screen: a bar on stderr for the command line, a line
//! with Cancel in the app's status bar. The core knows no words: a stage is a [`Stage`], worded in
//! `src/text`.
//!
//! ```
//! use wangge::core::progress::{Progress, ProgressState, Stage};
//! let state = ProgressState::default();
//! state.begin(Stage::Reading, 200);
//! state.advance(50);
//! assert_eq!(state.snapshot(), (Some(Stage::Reading), 50, 200));
//! state.cancel();
//! assert!(state.check().is_err());
//! ```

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

/// What a long job is doing now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    Reading,
    Indexing,
    Checking,
    Coding,
    Writing,
    Printing,
    Opening,
    Saving,
    /// Proposing grids from households (auto-partition), one step per area.
    Partitioning,
}

impl Stage {
    /// Every stage, in the order a job meets them.
    pub const ALL: [Stage; 9] = [
        Stage::Reading,
        Stage::Indexing,
        Stage::Checking,
        Stage::Coding,
        Stage::Writing,
        Stage::Printing,
        Stage::Opening,
        Stage::Saving,
        Stage::Partitioning,
    ];
}

/// The job was cancelled by the user; whatever it was writing is left as it was before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// Where a job reports how far it is. Implementations are cheap to call once per feature.
pub trait Progress: Sync {
    /// A new stage begins, of `total` steps (0 when the total is not known in advance).
    fn begin(&self, stage: Stage, total: u64);
    /// `steps` more steps of the current stage are done.
    fn advance(&self, steps: u64);
    /// Whether the user asked to stop.
    fn is_cancelled(&self) -> bool {
        false
    }
    /// `Err(Cancelled)` once the user asked to stop: call between features and return early.
    fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() { Err(Cancelled) } else { Ok(()) }
    }
}

/// For callers that show nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&self, _stage: Stage, _total: u64) {}
    fn advance(&self, _steps: u64) {}
}

/// Progress shared between a worker thread (which reports) and a screen (which reads a snapshot each
/// frame and may cancel). Lock-free: reporting costs two atomic stores.
#[derive(Debug, Default)]
pub struct ProgressState {
    /// 0 = no stage yet, else 1 + index in [`Stage::ALL`].
    stage: AtomicU8,
    done: AtomicU64,
    total: AtomicU64,
    cancelled: AtomicBool,
}

impl ProgressState {
    /// The current stage, steps done and total (0 = unknown).
    pub fn snapshot(&self) -> (Option<Stage>, u64, u64) {
        let stage = match self.stage.load(Ordering::Relaxed) {
            0 => None,
            n => Stage::ALL.get(usize::from(n) - 1).copied(),
        };
        (stage, self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }

    /// Ask the job to stop at its next check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

impl Progress for ProgressState {
    fn begin(&self, stage: Stage, total: u64) {
        let index = Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0);
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.stage.store(u8::try_from(index + 1).unwrap_or(0), Ordering::Relaxed);
    }

    fn advance(&self, steps: u64) {
        self.done.fetch_add(steps, Ordering::Relaxed);
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_stage_restarts_the_count() {
        let state = ProgressState::default();
        assert_eq!(state.snapshot(), (None, 0, 0));
        state.begin(Stage::Reading, 10);
        state.advance(10);
        state.begin(Stage::Writing, 0);
        state.advance(3);
        assert_eq!(state.snapshot(), (Some(Stage::Writing), 3, 0));
        assert!(state.check().is_ok());
    }

    #[test]
    fn every_stage_round_trips() {
        let state = ProgressState::default();
        for stage in Stage::ALL {
            state.begin(stage, 1);
            assert_eq!(state.snapshot().0, Some(stage));
        }
    }
}
