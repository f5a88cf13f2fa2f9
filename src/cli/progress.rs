//! The command line's progress bar: on stderr, and only when stderr is a terminal (never in a pipe, a
//! log file or a test, and never mixed into `--json` output, which goes to stdout). Long jobs report
//! through [`crate::core::progress::Progress`]; this shows it.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::core::progress::{Progress, Stage};
use crate::text::Lang;
use crate::text::progress::stage_text;

/// A bar on stderr, hidden when stderr is not a terminal; cleared when dropped.
pub struct Bar {
    bar: Option<ProgressBar>,
    lang: Lang,
}

impl Bar {
    pub fn new(lang: Lang) -> Bar {
        Bar::to_terminal(lang, std::io::stderr().is_terminal())
    }

    fn to_terminal(lang: Lang, terminal: bool) -> Bar {
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Bar { bar, lang }
    }

    /// Whether anything is drawn.
    pub fn is_shown(&self) -> bool {
        self.bar.is_some()
    }
}

impl Progress for Bar {
    fn begin(&self, stage: Stage, total: u64) {
        let Some(bar) = &self.bar else { return };
        let style = if total > 0 {
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
        } else {
            ProgressStyle::with_template("{spinner} {msg} {pos} {elapsed}")
        };
        if let Ok(style) = style {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_length(total);
        bar.set_position(0);
        bar.set_message(stage_text(stage, self.lang));
    }

    fn advance(&self, steps: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(steps);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_bar_unless_stderr_is_a_terminal() {
        let bar = Bar::to_terminal(Lang::En, false);
        assert!(!bar.is_shown());
        bar.begin(Stage::Reading, 10);
        bar.advance(5);
        let shown = Bar::to_terminal(Lang::En, true);
        assert!(shown.is_shown());
    }
}
