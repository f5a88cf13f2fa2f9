//! Small windows: the import and export forms, project name, information, shortcuts, about, errors, and
//! the questions asked before work could be lost (replace a layer, save over a file changed on disk).

use eframe::egui::{self, Context};

use super::Action;
use super::file_dialog::Purpose;
use super::i18n::{Lang, Text};
use crate::core::{Project, area_m2};
use crate::io::export::Layer;
use crate::io::import::{Replaced, Target};

pub struct ImportForm {
    pub src: String,
    pub target: Target,
    pub crs: String,
    pub map: String,
}

pub struct ExportForm {
    pub to: String,
    pub layer: Layer,
    pub gbk: bool,
}

/// Which window is open; at most one form at a time keeps the flow simple to follow.
pub enum Window {
    Import(ImportForm),
    Export(ExportForm),
    Rename(String),
    Info,
    Shortcuts,
    About,
    Error(String),
    CodeRule(super::code_rule_dialog::CodeRuleForm),
    /// Closing with unsaved changes.
    ConfirmClose,
    Print(Box<super::print_dialog::PrintForm>),
    /// A recovery file from a run that did not end cleanly: what it is.
    Recover(String),
    /// An import would replace what the project has: what would be lost.
    ConfirmReplace(String),
    /// The project's file changed on disk since it was opened or saved here (another program saved it).
    ChangedOnDisk {
        file: String,
        quit_after: bool,
    },
}

const TARGETS: [(Target, &str, &str); 4] = [
    (Target::Boundary, "区域边界", "boundary"),
    (Target::Divisions, "行政区划", "divisions"),
    (Target::Grids, "网格", "grids"),
    (Target::Households, "住户点", "households"),
];
const LAYERS: [(Layer, &str, &str); 4] = [
    (Layer::Grids, "网格", "grids"),
    (Layer::Boundary, "区域边界", "boundary"),
    (Layer::Divisions, "行政区划", "divisions"),
    (Layer::Households, "住户点", "households"),
];

pub fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::Zh { zh } else { en }
}

/// The name of a project layer in the UI language.
pub fn target_label(target: Target, lang: Lang) -> &'static str {
    TARGETS.iter().find(|(t, _, _)| *t == target).map_or("", |(_, zh, en)| pick(lang, zh, en))
}

/// What an import would replace, said before it does (the confirmation's text).
pub fn replace_text(r: &Replaced, lang: Lang) -> String {
    let km2 = r.area_m2 / 1e6;
    let more = if r.features > r.examples.len() { "…" } else { "" };
    let examples = r.examples.join(pick(lang, "、", ", "));
    match (r.target, lang) {
        (Target::Boundary, Lang::Zh) => format!(
            "项目已有区域边界（{} 个多边形，{km2:.1} km²）。导入此文件将替换它，现有边界将被丢弃（可以撤销）。",
            r.features
        ),
        (Target::Boundary, Lang::En) => format!(
            "The project has a boundary already ({} polygon{}, {km2:.1} km²). Importing this file replaces it and the current boundary is discarded (this can be undone).",
            r.features,
            if r.features == 1 { "" } else { "s" }
        ),
        (_, Lang::Zh) => format!(
            "导入此文件将替换项目 {} 个{}中的 {} 个：文件中有相同编码而名称、类别或多边形不同的记录（{examples}{more}）。原有记录将被丢弃（可以撤销）。",
            r.held,
            target_label(r.target, lang),
            r.features
        ),
        (_, Lang::En) => format!(
            "Importing this file replaces {} of the project's {} {}: the file has the same codes with other names, classes or polygons ({examples}{more}). The current records are discarded (this can be undone).",
            r.features,
            r.held,
            target_label(r.target, lang)
        ),
    }
}

/// Shows the open window; returns false when it should close, and pushes what the user chose.
pub fn show(
    ctx: &Context,
    window: &mut Window,
    lang: Lang,
    project: &Project,
    revision: u64,
    actions: &mut Vec<Action>,
) -> bool {
    let t = |text: Text| text.get(lang);
    let mut keep = true;
    match window {
        Window::Import(form) => {
            egui::Window::new(t(Text::Import)).collapsible(false).show(ctx, |ui| {
                ui.horizontal(|ui| {
                    labelled_edit(ui, t(Text::SourceFile), &mut form.src, "", 320.0);
                    if ui.button(t(Text::Browse)).clicked() {
                        actions.push(Action::Browse(Purpose::ImportSource));
                    }
                });
                ui.horizontal(|ui| {
                    ui.label(t(Text::ImportInto));
                    for (target, zh, en) in TARGETS {
                        ui.radio_value(&mut form.target, target, pick(lang, zh, en));
                    }
                });
                ui.horizontal(|ui| labelled_edit(ui, t(Text::ImportCrs), &mut form.crs, t(Text::ImportCrsHint), 260.0));
                ui.vertical(|ui| labelled_edit(ui, t(Text::FieldMap), &mut form.map, "households=HU_SHU", 400.0));
                keep &= ok_cancel(ui, lang, || actions.push(Action::RunImport));
            });
        }
        Window::Export(form) => {
            egui::Window::new(t(Text::Export)).collapsible(false).show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.label(t(Text::LayerToWrite));
                    for (layer, zh, en) in LAYERS {
                        ui.radio_value(&mut form.layer, layer, pick(lang, zh, en));
                    }
                });
                ui.horizontal(|ui| {
                    labelled_edit(ui, t(Text::OutputFile), &mut form.to, "", 320.0);
                    if ui.button(t(Text::Browse)).clicked() {
                        actions.push(Action::Browse(Purpose::ExportTo));
                    }
                });
                ui.horizontal(|ui| {
                    ui.label(t(Text::Encoding));
                    ui.radio_value(&mut form.gbk, false, "UTF-8");
                    ui.radio_value(&mut form.gbk, true, "GBK");
                });
                keep &= ok_cancel(ui, lang, || actions.push(Action::RunExport));
            });
        }
        Window::Rename(name) => {
            egui::Window::new(t(Text::ProjectName)).collapsible(false).show(ctx, |ui| {
                labelled_edit(ui, t(Text::ProjectName), name, "", 240.0);
                ui.horizontal(|ui| {
                    if ui.button(t(Text::Ok)).clicked() {
                        actions.push(Action::Rename(name.trim().to_string()));
                        keep = false;
                    }
                    if ui.button(t(Text::Cancel)).clicked() {
                        keep = false;
                    }
                });
            });
        }
        Window::Info => keep = text_window(ctx, t(Text::ProjectInfo), &project_info(project, lang), lang),
        Window::Shortcuts => keep = text_window(ctx, t(Text::Shortcuts), t(Text::ShortcutsText), lang),
        Window::About => {
            let text = format!("{}\n\nversion {}", t(Text::AboutText), env!("CARGO_PKG_VERSION"));
            keep = text_window(ctx, t(Text::About), &text, lang);
        }
        Window::Error(message) => keep = text_window(ctx, t(Text::Problem), message, lang),
        Window::CodeRule(form) => keep = super::code_rule_dialog::show(ctx, form, lang, project, revision, actions),
        Window::Print(form) => keep = super::print_dialog::show(ctx, form, lang, project, revision, actions),
        Window::ConfirmClose => {
            egui::Window::new(pick(lang, "未保存的修改", "Unsaved changes")).collapsible(false).show(ctx, |ui| {
                ui.label(pick(
                    lang,
                    "项目有未保存的修改。关闭前要保存吗？",
                    "The project has unsaved changes. Save before closing?",
                ));
                ui.horizontal(|ui| {
                    if ui.button(pick(lang, "保存", "Save")).clicked() {
                        actions.push(Action::SaveAndQuit);
                        keep = false;
                    }
                    if ui.button(pick(lang, "不保存", "Don't save")).clicked() {
                        actions.push(Action::DiscardAndQuit);
                        keep = false;
                    }
                    if ui.button(t(Text::Cancel)).clicked() {
                        keep = false;
                    }
                });
            });
        }
        Window::ConfirmReplace(what) => {
            egui::Window::new(pick(lang, "替换现有数据？", "Replace what the project has?")).collapsible(false).show(
                ctx,
                |ui| {
                    ui.label(what.as_str());
                    ui.horizontal(|ui| {
                        if ui.button(pick(lang, "替换", "Replace")).clicked() {
                            actions.push(Action::ConfirmImport);
                            keep = false;
                        }
                        if ui.button(t(Text::Cancel)).clicked() {
                            actions.push(Action::CancelImport);
                            keep = false;
                        }
                    });
                },
            );
        }
        Window::ChangedOnDisk { file, quit_after } => {
            let quit_after = *quit_after;
            egui::Window::new(pick(lang, "文件已被其他程序修改", "The file changed on disk")).collapsible(false).show(
                ctx,
                |ui| {
                    ui.label(match lang {
                        Lang::Zh => format!(
                            "{file} 在这里打开（或保存）之后已被其他程序修改（例如 wangge code 或 QGIS）。保存将覆盖那些修改。"
                        ),
                        Lang::En => format!(
                            "{file} was changed by another program (wangge code, QGIS …) since it was opened or saved here. Saving would overwrite those changes."
                        ),
                    });
                    ui.horizontal(|ui| {
                        if ui.button(pick(lang, "重新载入（放弃这里的修改）", "Reload (discard the changes made here)")).clicked()
                        {
                            actions.push(Action::ReloadFromDisk);
                            keep = false;
                        }
                        if ui.button(pick(lang, "覆盖", "Overwrite")).clicked() {
                            actions.push(Action::Overwrite { quit_after });
                            keep = false;
                        }
                        if ui.button(t(Text::SaveAs)).clicked() {
                            actions.push(Action::SaveAsDialog);
                            keep = false;
                        }
                        if ui.button(t(Text::Cancel)).clicked() {
                            keep = false;
                        }
                    });
                },
            );
        }
        Window::Recover(what) => {
            egui::Window::new(pick(lang, "恢复未保存的工作", "Recover unsaved work")).collapsible(false).show(
                ctx,
                |ui| {
                    ui.label(what.as_str());
                    ui.horizontal(|ui| {
                        if ui.button(pick(lang, "恢复", "Recover")).clicked() {
                            actions.push(Action::Recover);
                            keep = false;
                        }
                        if ui.button(pick(lang, "丢弃", "Discard")).clicked() {
                            actions.push(Action::DiscardRecovery);
                            keep = false;
                        }
                    });
                },
            );
        }
    }
    keep
}

/// The OK and Cancel buttons of a form: OK runs `on_ok` (the form stays until the action succeeds);
/// returns false when Cancel was pressed.
fn ok_cancel(ui: &mut egui::Ui, lang: Lang, on_ok: impl FnOnce()) -> bool {
    let mut keep = true;
    ui.horizontal(|ui| {
        if ui.button(Text::Ok.get(lang)).clicked() {
            on_ok();
        }
        if ui.button(Text::Cancel.get(lang)).clicked() {
            keep = false;
        }
    });
    keep
}

/// A text field with a visible label that screen readers (and egui_kittest) associate with it.
fn labelled_edit(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str, width: f32) -> egui::Response {
    let label = ui.label(label);
    ui.add(egui::TextEdit::singleline(text).hint_text(hint).desired_width(width)).labelled_by(label.id)
}

fn text_window(ctx: &Context, title: &str, text: &str, lang: Lang) -> bool {
    let mut keep = true;
    egui::Window::new(title).collapsible(false).show(ctx, |ui| {
        ui.label(text);
        if ui.button(Text::Close.get(lang)).clicked() {
            keep = false;
        }
    });
    keep
}

fn project_info(p: &Project, lang: Lang) -> String {
    let area_km2 = area_m2(&p.boundary, &p.crs) / 1e6;
    let grid_area_km2: f64 = p.grids.values().map(|g| area_m2(&g.geometry, &p.crs)).sum::<f64>() / 1e6;
    if lang == Lang::Zh {
        format!(
            "名称：{}\n坐标系：{} {}\n边界面积：{area_km2:.3} km²\n乡镇 {} 个，村（社区）{} 个\n网格 {} 个，合计 {grid_area_km2:.3} km²\n住户点 {} 个",
            p.name,
            p.crs.auth_id(),
            p.crs.name,
            p.townships().count(),
            p.villages().count(),
            p.grids.len(),
            p.households.len()
        )
    } else {
        format!(
            "Name: {}\nCRS: {} {}\nBoundary area: {area_km2:.3} km²\n{} townships, {} villages\n{} grids, {grid_area_km2:.3} km² in all\n{} household points",
            p.name,
            p.crs.auth_id(),
            p.crs.name,
            p.townships().count(),
            p.villages().count(),
            p.grids.len(),
            p.households.len()
        )
    }
}
