//! The coverage panel: the live check's findings grouped by kind with counts. Clicking one zooms to it
//! and highlights it; its fixes can be previewed on the map (dashed) and applied as one undoable step.

use eframe::egui::{self, Color32, RichText, Ui};

use super::Action;
use super::state::AppState;
use crate::text::findings::{area_checked_text, finding_message, fix_text, kind_name};
use crate::text::pick;

/// A grid's name for messages: its code, else its id.
pub fn item_label(state: &AppState, item: usize) -> String {
    match state.editor.coverage.as_ref().and_then(|c| c.grid_of(item)).and_then(|id| state.doc.project.grids.get(&id)) {
        Some(g) => g.label(),
        None => format!("({})", item + 1),
    }
}

pub fn show(ui: &mut Ui, state: &AppState, actions: &mut Vec<Action>) {
    let lang = state.lang();
    let t = |zh: &'static str, en: &'static str| pick(lang, zh, en);
    ui.heading(t("覆盖检查", "Coverage check"));
    let Some(coverage) = &state.editor.coverage else {
        // A large project is checked on a worker thread; the findings show when it is done.
        ui.label(crate::text::progress::checking_coverage(lang));
        return;
    };
    let report = coverage.report();
    let errors = report.findings.iter().filter(|f| f.kind.is_error()).count();
    if errors == 0 {
        ui.colored_label(
            Color32::from_rgb(0, 130, 50),
            t("√ 无重叠、无缝隙、公共边一致", "√ no overlaps, no gaps, shared edges match"),
        );
    } else {
        ui.colored_label(Color32::from_rgb(200, 30, 30), format!("{} {errors}", t("问题数：", "Problems:")));
    }
    // Which area the grids must cover: the boundary, else the villages or townships (said, not assumed).
    ui.small(format!("{}{}", t("检查范围：", "Area checked: "), area_checked_text(coverage.area(), lang)));
    let label = |i: usize| item_label(state, i);
    let index_of = |f: &crate::core::coverage::Finding| report.findings.iter().position(|x| std::ptr::eq(x, f));
    egui::ScrollArea::vertical().id_salt("coverage").max_height(ui.available_height() * 0.6).show(ui, |ui| {
        for (kind, findings) in coverage.grouped() {
            let header = format!("{} ({})", kind_name(kind, lang), findings.len());
            egui::CollapsingHeader::new(header).id_salt(kind.key()).default_open(findings.len() <= 20).show(ui, |ui| {
                for f in findings.iter().take(200) {
                    let Some(i) = index_of(f) else { continue };
                    let text = finding_message(f, lang, &label);
                    let picked = state.editor.picked_finding == Some(i);
                    if ui.add(egui::Button::selectable(picked, text).wrap()).clicked() {
                        actions.push(Action::PickFinding(i));
                    }
                }
                if findings.len() > 200 {
                    ui.weak(format!("… +{}", findings.len() - 200));
                }
            });
        }
    });
    if state.editor.picked_finding.is_some() {
        ui.separator();
        ui.label(RichText::new(t("修复方案", "Fixes")).strong());
        let fixes = &state.editor.picked_fixes;
        if fixes.is_empty() {
            ui.label(t("此问题需要人工处理（用编辑工具）", "No automatic fix: edit by hand"));
        }
        for (j, fix) in fixes.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                let safe =
                    if fix.safe { t("（安全）", " (safe)") } else { t("（需判断）", " (needs a decision)") };
                ui.label(format!("{}{safe}", fix_text(fix, lang, &label)));
                let previewing = state.editor.previewed_fix == Some(j);
                if ui.add(egui::Button::selectable(previewing, t("预览", "Preview"))).clicked() {
                    actions.push(Action::PreviewFix(if previewing { None } else { Some(j) }));
                }
                if ui.button(t("应用", "Apply")).clicked() {
                    actions.push(Action::ApplyFix(j));
                }
            });
        }
    }
}
