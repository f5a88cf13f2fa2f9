//! Small windows: the import and export forms, project name, information, shortcuts, about, errors, and
//! the questions asked before work could be lost (replace a layer, save over a file changed on disk).

use eframe::egui::{self, Context};

use super::Action;
use super::file_dialog::Purpose;
use crate::core::Project;
use crate::io::export::Layer;
use crate::io::import::Target;
use crate::text::layers::{LAYERS, TARGETS, reference_choice, reference_hint, reference_name};
use crate::text::summary::project_summary;
use crate::text::{Lang, Text, pick, say};

pub struct ImportForm {
    pub src: String,
    pub target: Target,
    /// The name of the reference layer to import into, instead of `target`.
    pub reference: Option<String>,
    pub crs: String,
    pub map: String,
}

impl ImportForm {
    /// A new source file; a reference layer's name that was the old file's follows the new one
    /// (道路.shp, then 河流.shp: 河流), a name the user typed stays.
    pub fn set_source(&mut self, path: &std::path::Path) {
        let old = stem(&self.src);
        self.src = path.display().to_string();
        if let Some(name) = &mut self.reference
            && (name.trim().is_empty() || *name == old)
        {
            *name = stem(&self.src);
        }
    }
}

/// A file's name without its folder and extension: the reference layer's name to start with.
fn stem(path: &str) -> String {
    std::path::Path::new(path.trim()).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

pub struct ExportForm {
    pub to: String,
    pub layer: Layer,
    pub gbk: bool,
    /// The grid table (网格一览表) rather than a layer; written as .xlsx (or .csv).
    pub table: bool,
}

impl ExportForm {
    /// Whether the form writes the grid table: chosen so, or a `.xlsx` file named.
    pub fn writes_table(&self) -> bool {
        self.table || std::path::Path::new(self.to.trim()).extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    }
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
    /// File › New project.
    NewProject(super::new_project::NewProjectForm),
    /// Unsaved changes would be dropped by this action (open, new project): save first?
    ConfirmDiscard(Box<Action>),
    /// Tools › 自动划分网格.
    Partition(Box<super::partition_tool::PartitionForm>),
    /// File › Open database….
    OpenDatabase(super::database_windows::OpenDbForm),
    /// A save to the database met grids someone else saved first: mine and theirs, to settle.
    Conflicts(Box<super::database_windows::ConflictsForm>),
    /// Edit › 修改记录…: a grid's recorded changes, each one restorable.
    GridHistory(super::database_windows::GridHistory),
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
                        if ui.radio(form.reference.is_none() && form.target == target, pick(lang, zh, en)).clicked() {
                            (form.target, form.reference) = (target, None);
                        }
                    }
                    if ui.radio(form.reference.is_some(), reference_choice(lang)).clicked() && form.reference.is_none()
                    {
                        // The file's name is the layer's name to start with (道路.shp → 道路).
                        form.reference = Some(stem(&form.src));
                    }
                });
                if let Some(name) = &mut form.reference {
                    labelled_edit(ui, reference_name(lang), name, "道路", 200.0);
                    ui.small(reference_hint(lang));
                }
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
                        if ui.radio(!form.table && form.layer == layer, pick(lang, zh, en)).clicked() {
                            (form.layer, form.table) = (layer, false);
                            if form.to.trim().to_ascii_lowercase().ends_with(".xlsx") {
                                form.to = with_ext(&form.to, "geojson");
                            }
                        }
                    }
                    if ui.radio(form.table, pick(lang, "网格一览表 (.xlsx)", "Grid table (.xlsx)")).clicked() {
                        form.table = true;
                        form.to = with_ext(&form.to, "xlsx");
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
        Window::Info => keep = text_window(ctx, t(Text::ProjectInfo), &project_summary(project, lang), lang),
        Window::Shortcuts => keep = text_window(ctx, t(Text::Shortcuts), t(Text::ShortcutsText), lang),
        Window::About => {
            let text = format!("{}\n\nversion {}", t(Text::AboutText), env!("CARGO_PKG_VERSION"));
            keep = text_window(ctx, t(Text::About), &text, lang);
        }
        Window::Error(message) => keep = text_window(ctx, t(Text::Problem), message, lang),
        Window::CodeRule(form) => keep = super::code_rule_dialog::show(ctx, form, lang, project, revision, actions),
        Window::Print(form) => keep = super::print_dialog::show(ctx, form, lang, project, revision, actions),
        // Shown by the frame, which knows whether its preview is being computed.
        Window::Partition(_) => {}
        Window::ConfirmClose => {
            let body = pick(
                lang,
                "项目有未保存的修改。关闭前要保存吗？",
                "The project has unsaved changes. Save before closing?",
            );
            let answers = [
                (pick(lang, "保存", "Save"), Some(Action::SaveAndQuit)),
                (pick(lang, "不保存", "Don't save"), Some(Action::DiscardAndQuit)),
                (t(Text::Cancel), None),
            ];
            keep = question(ctx, pick(lang, "未保存的修改", "Unsaved changes"), body, answers, actions);
        }
        Window::ConfirmReplace(what) => {
            let answers = [
                (pick(lang, "替换", "Replace"), Some(Action::ConfirmImport)),
                (t(Text::Cancel), Some(Action::CancelImport)),
            ];
            keep = question(ctx, pick(lang, "替换现有数据？", "Replace what the project has?"), what, answers, actions);
        }
        Window::ChangedOnDisk { file, quit_after } => {
            let body = say!(
                lang,
                "{file} 在这里打开（或保存）之后已被其他程序修改（例如 wangge code 或 QGIS）。保存将覆盖那些修改。",
                "{file} was changed by another program (wangge code, QGIS …) since it was opened or saved here. Saving would overwrite those changes."
            );
            let answers = [
                (
                    pick(lang, "重新载入（放弃这里的修改）", "Reload (discard the changes made here)"),
                    Some(Action::ReloadFromDisk),
                ),
                (pick(lang, "覆盖", "Overwrite"), Some(Action::Overwrite { quit_after: *quit_after })),
                (t(Text::SaveAs), Some(Action::SaveAsDialog)),
                (t(Text::Cancel), None),
            ];
            keep =
                question(ctx, pick(lang, "文件已被其他程序修改", "The file changed on disk"), &body, answers, actions);
        }
        Window::NewProject(form) => keep = super::new_project::show(ctx, form, lang, actions),
        Window::OpenDatabase(form) => keep = super::database_windows::show_open(ctx, form, lang, actions),
        Window::Conflicts(form) => keep = super::database_windows::show_conflicts(ctx, form, lang, project, actions),
        Window::GridHistory(history) => keep = super::database_windows::show_history(ctx, history, lang, actions),
        Window::ConfirmDiscard(then) => {
            let answers = [
                (pick(lang, "保存", "Save"), Some(Action::SaveThen(then.clone()))),
                (pick(lang, "不保存", "Don't save"), Some(Action::Discarded(then.clone()))),
                (t(Text::Cancel), None),
            ];
            let body = crate::text::start::unsaved_question(lang);
            keep = question(ctx, pick(lang, "未保存的修改", "Unsaved changes"), body, answers, actions);
        }
        Window::Recover(what) => {
            let answers = [
                (pick(lang, "恢复", "Recover"), Some(Action::Recover)),
                (pick(lang, "丢弃", "Discard"), Some(Action::DiscardRecovery)),
            ];
            keep = question(ctx, pick(lang, "恢复未保存的工作", "Recover unsaved work"), what, answers, actions);
        }
    }
    keep
}

/// `path` with its extension replaced by `ext` (added when it has none); empty stays empty.
fn with_ext(path: &str, ext: &str) -> String {
    let path = path.trim();
    if path.is_empty() {
        return String::new();
    }
    std::path::Path::new(path).with_extension(ext).display().to_string()
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

/// A question before work could be lost: its words and one button per answer. An answer pushes its
/// action (if any) and closes the window; returns false once answered.
fn question<const N: usize>(
    ctx: &Context,
    title: &str,
    body: &str,
    answers: [(&str, Option<Action>); N],
    actions: &mut Vec<Action>,
) -> bool {
    let mut keep = true;
    egui::Window::new(title).collapsible(false).show(ctx, |ui| {
        ui.label(body);
        ui.horizontal(|ui| {
            for (label, action) in answers {
                if ui.button(label).clicked() {
                    actions.extend(action);
                    keep = false;
                }
            }
        });
    });
    keep
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_layer_name_follows_the_file_until_the_user_types_one() {
        let mut form = ImportForm {
            src: String::new(),
            target: Target::Grids,
            reference: Some(String::new()),
            crs: "".into(),
            map: "".into(),
        };
        form.set_source(std::path::Path::new("/data/道路.shp"));
        assert_eq!(form.reference.as_deref(), Some("道路"));
        form.set_source(std::path::Path::new("/data/河流.geojson"));
        assert_eq!(form.reference.as_deref(), Some("河流"), "the old file's name follows the new file");
        form.reference = Some("主要河流".into());
        form.set_source(std::path::Path::new("/data/rivers.shp"));
        assert_eq!(form.reference.as_deref(), Some("主要河流"), "a typed name stays");
        form.reference = None;
        form.set_source(std::path::Path::new("/data/grids.shp"));
        assert_eq!(form.reference, None, "a layer import stays one");
    }
}
