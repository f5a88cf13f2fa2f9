//! The checks panel: code checks and household counts per grid, recomputed whenever the project changes
//! (after an import, a code assignment, and — with the editor — every edit). A large project's are
//! computed on a worker thread, so that neither its first frame nor an edit waits for them.

use std::sync::Arc;
use std::thread::JoinHandle;

use eframe::egui::{self, Color32, Ui};

use crate::core::Project;
use crate::core::codes::{check_codes, count_households, household_band, project_rule};
use crate::text::codes::{code_issue_text, household_band_text, unassigned_households_text};
use crate::text::{Lang, Text, say};

/// What the panel shows, for one revision of the project in one language.
pub struct ChecksView {
    revision: u64,
    lang: Lang,
    code_issues: Vec<String>,
    household_warnings: Vec<String>,
    households_total: u64,
}

impl ChecksView {
    pub fn compute(project: &Project, revision: u64, lang: Lang) -> ChecksView {
        let code_issues = match project_rule(project) {
            Ok(rule) => check_codes(project, &rule).iter().map(|i| code_issue_text(project, i, lang)).collect(),
            Err(e) => vec![e.to_string()],
        };
        let mut household_warnings = Vec::new();
        let mut households_total = 0;
        if !project.households.is_empty() {
            let counts = count_households(project);
            for (id, c) in &counts.per_grid {
                households_total += c.households;
                let g = &project.grids[id];
                let (lo, hi) = household_band(project, g.class);
                if c.households < lo || c.households > hi {
                    household_warnings.push(household_band_text(g, c.households, (lo, hi), lang));
                }
            }
            if !counts.unassigned.is_empty() {
                household_warnings.push(unassigned_households_text(counts.unassigned.len(), lang));
            }
        }
        ChecksView { revision, lang, code_issues, household_warnings, households_total }
    }

    pub fn is_current(&self, revision: u64, lang: Lang) -> bool {
        self.revision == revision && self.lang == lang
    }
}

/// The checks view kept current with the project: computed here for a small project, on a worker
/// thread from [`super::background::BACKGROUND_FROM`] grids on (the last view shows meanwhile).
#[derive(Default)]
pub struct Checks {
    view: Option<ChecksView>,
    computing: Option<JoinHandle<ChecksView>>,
}

impl Checks {
    /// Takes a view computed since the last frame, and starts computing one for `revision` in `lang` if
    /// the view is not for them. True while a computation runs (the window should look again soon).
    pub fn refresh(&mut self, project: &Arc<Project>, revision: u64, lang: Lang, background_from: usize) -> bool {
        if let Some(handle) = self.computing.take_if(|h| h.is_finished()) {
            // A computation that panicked leaves the old view; the next frame starts another.
            if let Ok(view) = handle.join() {
                self.view = Some(view);
            }
        }
        let current = self.view.as_ref().is_some_and(|v| v.is_current(revision, lang));
        if current || self.computing.is_some() {
            return self.computing.is_some();
        }
        if project.grids.len() < background_from {
            self.view = Some(ChecksView::compute(project, revision, lang));
            return false;
        }
        let project = Arc::clone(project);
        let work = move || ChecksView::compute(&project, revision, lang);
        match std::thread::Builder::new().name("wangge-checks".into()).spawn(work) {
            Ok(handle) => self.computing = Some(handle),
            Err(_) => self.view = None,
        }
        self.computing.is_some()
    }

    /// The view to show: the current one, or the last one while the next is computed.
    pub fn view(&self) -> Option<&ChecksView> {
        self.view.as_ref()
    }

    /// Whether the view shown is not for the project as it is now (being computed).
    pub fn computing(&self) -> bool {
        self.computing.is_some()
    }
}

/// The panel before a large project's first checks are done.
pub fn show_computing(ui: &mut Ui, lang: Lang) {
    ui.heading(Text::Checks.get(lang));
    ui.weak(say!(lang, "正在检查编码和户数……", "checking codes and households…"));
}

pub fn show(ui: &mut Ui, view: &ChecksView, lang: Lang) {
    let t = |text: Text| text.get(lang);
    ui.heading(t(Text::Checks));
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.strong(format!("{} ({})", t(Text::CodeChecks), view.code_issues.len()));
        if view.code_issues.is_empty() {
            ui.label(t(Text::NothingFound));
        }
        list(ui, &view.code_issues, lang);
        ui.separator();
        ui.strong(format!("{} ({} {})", t(Text::Households), view.households_total, t(Text::HouseholdsUnit)));
        if view.household_warnings.is_empty() {
            ui.label(t(Text::NothingFound));
        }
        list(ui, &view.household_warnings, lang);
    });
}

/// At most this many lines per list: a panel of 100,000 labels would make every frame slow, and
/// `wangge stats` gives the full list.
const SHOWN: usize = 200;

fn list(ui: &mut Ui, lines: &[String], lang: Lang) {
    for line in lines.iter().take(SHOWN) {
        ui.colored_label(Color32::from_rgb(200, 120, 40), line);
    }
    if lines.len() > SHOWN {
        let more = lines.len() - SHOWN;
        ui.weak(say!(
            lang,
            "…… 另有 {more} 条（完整列表：wangge stats）",
            "… {more} more (the full list: wangge stats)"
        ));
    }
}
