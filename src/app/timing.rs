//! `WANGGE_TIMING=1`: the app says on stderr when it reached each step of opening a project (read, first
//! frame, caches landed), in milliseconds since it started — how issue 13's "first frame < 1 s" is
//! measured (see BENCHMARKS.md). Silent otherwise. These lines are for whoever measures, not for users,
//! so they are not translated.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

static START: OnceLock<Instant> = OnceLock::new();
static ENABLED: OnceLock<bool> = OnceLock::new();
/// 0: no frame yet; 1: the first frame was laid out; 2: it was painted.
static FIRST_FRAME: AtomicU8 = AtomicU8::new(0);

/// Starts the clock (the first call does; later ones change nothing).
pub fn start() {
    START.get_or_init(Instant::now);
}

pub fn enabled() -> bool {
    *ENABLED.get_or_init(|| std::env::var_os("WANGGE_TIMING").is_some_and(|v| !v.is_empty() && v != "0"))
}

/// Says that `what` happened now, with the time since [`start`] and the wall clock (Unix seconds, to
/// compare with the time the process was launched).
pub fn mark(what: &str) {
    if !enabled() {
        return;
    }
    let since = START.get_or_init(Instant::now).elapsed();
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let cpu = cpu_ms().map_or_else(String::new, |ms| format!(", cpu {ms} ms"));
    eprintln!("wangge timing: {what} at {:.0} ms (unix {wall:.3}{cpu})", since.as_secs_f64() * 1000.0);
}

/// The CPU time of the whole process so far (all threads, user + system), from /proc on Linux: on a
/// machine shared with other work it says what the wall time cannot.
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 2..)?.split(' ').collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(ticks * 10)
}

/// Marks a step of laying out the first frame (where its time goes); silent after it.
pub fn first_frame_step(what: &str) {
    if enabled() && FIRST_FRAME.load(Ordering::Relaxed) == 0 {
        mark(what);
    }
}

/// Called after a frame was laid out: the first one is marked, and a second pass asked for at once, whose
/// start ([`before_frame`]) is when the first frame has been painted.
pub fn after_frame(ctx: &eframe::egui::Context, what: impl FnOnce() -> String) {
    if enabled() && FIRST_FRAME.compare_exchange(0, 1, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
        mark(&format!("first frame laid out ({})", what()));
        ctx.request_repaint();
    }
}

/// Called before a frame is laid out: marks when the first one was painted.
pub fn before_frame() {
    if enabled() && FIRST_FRAME.compare_exchange(1, 2, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
        mark("first frame painted");
    }
}
