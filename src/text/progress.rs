//! The words of progress: what a long job is doing ([`Stage`]), for the command line's bar and the
//! app's status line alike.

use super::Lang;
use crate::core::progress::Stage;

/// What the job is doing, as a few words ("正在读取", "reading").
pub fn stage_text(stage: Stage, lang: Lang) -> &'static str {
    let (zh, en) = match stage {
        Stage::Reading => ("正在读取", "reading"),
        Stage::Indexing => ("正在建立索引", "indexing"),
        Stage::Checking => ("正在检查", "checking"),
        Stage::Coding => ("正在编码", "coding"),
        Stage::Writing => ("正在写出", "writing"),
        Stage::Printing => ("正在打印", "printing"),
        Stage::Opening => ("正在打开", "opening"),
        Stage::Saving => ("正在保存", "saving"),
        Stage::Partitioning => ("正在划分网格", "partitioning"),
    };
    super::pick(lang, zh, en)
}

/// The status bar's line for a job: "正在打开 — 41,000/100,172" (the count alone while the total is
/// not known yet; the stage alone before anything is counted).
pub fn progress_line(stage: Option<Stage>, done: u64, total: u64, lang: Lang) -> String {
    let what = stage.map_or_else(|| super::pick(lang, "正在准备", "starting"), |s| stage_text(s, lang));
    match (done, total) {
        (0, 0) => format!("{what} …"),
        (done, 0) => format!("{what} — {done}"),
        (done, total) => format!("{what} — {}/{total} ({}%)", done.min(total), done.min(total) * 100 / total),
    }
}

/// Said while a large project's coverage is checked on a worker thread.
pub fn checking_coverage(lang: Lang) -> &'static str {
    super::pick(lang, "正在检查覆盖…", "checking coverage…")
}

/// Said when an export was cancelled: the file it was writing is removed.
pub fn export_cancelled(lang: Lang) -> &'static str {
    super::pick(lang, "已取消导出，未写完的文件已删除", "Export cancelled; the unfinished file was removed")
}

/// The button that stops a job.
pub fn cancel(lang: Lang) -> &'static str {
    super::pick(lang, "取消", "Cancel")
}

/// Said when a job was cancelled: nothing changed.
pub fn cancelled(lang: Lang) -> &'static str {
    super::pick(lang, "已取消，未做任何更改", "Cancelled; nothing was changed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_has_words_in_both_languages() {
        for stage in Stage::ALL {
            assert!(stage_text(stage, Lang::Zh).starts_with("正在"));
            assert!(!stage_text(stage, Lang::En).is_empty());
        }
        assert_eq!(progress_line(Some(Stage::Opening), 50, 200, Lang::En), "opening — 50/200 (25%)");
        assert_eq!(progress_line(Some(Stage::Saving), 7, 0, Lang::Zh), "正在保存 — 7");
        assert_eq!(progress_line(None, 0, 0, Lang::En), "starting …");
    }
}
