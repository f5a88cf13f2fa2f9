//! The checks panel: code checks and household counts per grid, recomputed whenever the project changes
//! (after an import, a code assignment, and — with the editor — every edit).

use eframe::egui::{self, Color32, Ui};

use crate::core::Project;
use crate::core::codes::{check_codes, count_households, household_band, project_rule};
use crate::text::codes::code_issue_text;
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
                    let name = g.label();
                    household_warnings.push(match lang {
                        Lang::Zh => format!(
                            "网格 {name}：{} 户，不在{}网格 {lo}–{hi} 户范围内",
                            c.households,
                            g.class.label_zh()
                        ),
                        Lang::En => format!("grid {name}: {} households, outside {lo}–{hi}", c.households),
                    });
                }
            }
            if !counts.unassigned.is_empty() {
                household_warnings.push(say!(
                    lang,
                    "{} 个住户点不在任何网格内",
                    "{} household points lie in no grid",
                    counts.unassigned.len()
                ));
            }
        }
        ChecksView { revision, lang, code_issues, household_warnings, households_total }
    }

    pub fn is_current(&self, revision: u64, lang: Lang) -> bool {
        self.revision == revision && self.lang == lang
    }
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
