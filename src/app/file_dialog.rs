//! File choosers: the desktop's own dialog through the XDG portal (rfd), and an in-app chooser where no
//! portal answers (a bare X server, Xvfb, a minimal desktop).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::{self, Context};

use crate::text::{Lang, Text, pick};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    OpenProject,
    ImportSource,
    SaveProjectAs,
    ExportTo,
    PrintTo,
    /// The boundary file or division list a new project is made from.
    NewProjectSource,
}

impl Purpose {
    fn saves(self) -> bool {
        matches!(self, Purpose::SaveProjectAs | Purpose::ExportTo | Purpose::PrintTo)
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Purpose::OpenProject | Purpose::SaveProjectAs => &["gpkg"],
            Purpose::ImportSource | Purpose::NewProjectSource => &["geojson", "json", "shp", "gpkg", "csv"],
            Purpose::ExportTo => &["gpkg", "geojson", "shp", "csv", "xlsx"],
            Purpose::PrintTo => &["pdf", "png", "svg"],
        }
    }

    /// What the chooser is for, as its title says.
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Purpose::OpenProject => pick(lang, "打开项目", "Open project"),
            Purpose::ImportSource => pick(lang, "导入图层", "Import a layer"),
            Purpose::SaveProjectAs => pick(lang, "另存为", "Save project as"),
            Purpose::ExportTo => pick(lang, "导出到", "Export to"),
            Purpose::PrintTo => pick(lang, "打印到文件", "Print to file"),
            Purpose::NewProjectSource => {
                pick(lang, "新建项目：选择边界或区划文件", "New project: choose a boundary or division list")
            }
        }
    }

    /// The extension a typed file name gets when it has none.
    pub fn default_extension(self) -> Option<&'static str> {
        match self {
            Purpose::SaveProjectAs => Some("gpkg"),
            Purpose::PrintTo => Some("pdf"),
            _ => None,
        }
    }
}

/// A portal that is not running makes rfd return at once; a person takes longer than this to cancel.
const NO_PORTAL_ANSWER: Duration = Duration::from_millis(250);

/// Shows the native dialog. `Err(())` means no native dialog could be shown (use the in-app one).
/// `file_name` is what a save dialog offers (e.g. the project's name with `.gpkg`).
pub fn pick_native(purpose: Purpose, start_dir: &Path, file_name: &str, lang: Lang) -> Result<Option<PathBuf>, ()> {
    if std::env::var_os("WANGGE_NO_PORTAL").is_some() || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Err(());
    }
    let mut dialog = rfd::FileDialog::new()
        .set_title(purpose.title(lang))
        .add_filter("GIS", purpose.extensions())
        .set_directory(start_dir);
    if purpose.saves() && !file_name.is_empty() {
        dialog = dialog.set_file_name(file_name);
    }
    let started = Instant::now();
    let picked = if purpose.saves() { dialog.save_file() } else { dialog.pick_file() };
    match picked {
        None if started.elapsed() < NO_PORTAL_ANSWER => Err(()),
        other => Ok(other),
    }
}

pub enum Outcome {
    Pending,
    Cancelled,
    Chosen(PathBuf),
}

/// The in-app chooser: a directory listing filtered by extension and an editable path; a dialog that
/// saves has a file-name box of its own, filled with a name that has the right extension.
pub struct InAppDialog {
    pub purpose: Purpose,
    dir: PathBuf,
    path_text: String,
    file_name: String,
}

impl InAppDialog {
    pub fn new(purpose: Purpose, start_dir: &Path, file_name: &str) -> InAppDialog {
        InAppDialog {
            purpose,
            dir: start_dir.to_path_buf(),
            path_text: start_dir.display().to_string(),
            file_name: file_name.to_string(),
        }
    }

    /// What OK chooses in a dialog that saves: the file name in the folder shown (or the typed path), with
    /// the purpose's extension when the name has none.
    fn save_target(&self) -> Option<PathBuf> {
        let name = self.file_name.trim();
        if name.is_empty() {
            return None;
        }
        let typed = PathBuf::from(self.path_text.trim());
        let dir = if typed.is_dir() { typed } else { self.dir.clone() };
        let path = dir.join(name);
        Some(match self.purpose.default_extension() {
            Some(ext) if path.extension().is_none() => path.with_extension(ext),
            _ => path,
        })
    }

    fn entries(&self) -> Vec<(PathBuf, bool)> {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<(PathBuf, bool)> = read
            .filter_map(|e| e.ok())
            .map(|e| (e.path(), e.path().is_dir()))
            .filter(|(p, is_dir)| {
                let hidden = p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
                let wanted =
                    p.extension().is_some_and(|e| self.purpose.extensions().iter().any(|x| e.eq_ignore_ascii_case(x)));
                !hidden && (*is_dir || wanted)
            })
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    pub fn show(&mut self, ctx: &Context, lang: Lang) -> Outcome {
        let mut outcome = Outcome::Pending;
        let mut open = true;
        let saves = self.purpose.saves();
        let title = self.purpose.title(lang);
        let window = egui::Window::new(title).id(egui::Id::unique("file_chooser")).collapsible(false);
        window.open(&mut open).default_width(520.0).show(ctx, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label(Text::Path.get(lang));
                let edit =
                    ui.add(egui::TextEdit::singleline(&mut self.path_text).desired_width(380.0)).labelled_by(label.id);
                if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    let typed = PathBuf::from(self.path_text.trim());
                    if typed.is_dir() {
                        self.dir = typed;
                    } else {
                        outcome = Outcome::Chosen(typed);
                    }
                }
            });
            if saves {
                ui.horizontal(|ui| {
                    let label = ui.label(pick(lang, "文件名", "File name"));
                    let edit = ui
                        .add(egui::TextEdit::singleline(&mut self.file_name).desired_width(380.0))
                        .labelled_by(label.id);
                    if edit.lost_focus()
                        && ui.input(|i| i.key_pressed(egui::Key::Enter))
                        && let Some(path) = self.save_target()
                    {
                        outcome = Outcome::Chosen(path);
                    }
                });
            }
            ui.horizontal(|ui| {
                if ui.button(format!("↑ {}", Text::Up.get(lang))).clicked()
                    && let Some(parent) = self.dir.parent()
                {
                    self.dir = parent.to_path_buf();
                    self.path_text = self.dir.display().to_string();
                }
                ui.monospace(self.dir.display().to_string());
            });
            ui.separator();
            egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                for (path, is_dir) in self.entries() {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    let shown = if is_dir { format!("{name}/") } else { name };
                    let r = ui.selectable_label(self.path_text == path.display().to_string(), shown);
                    if r.clicked() {
                        if is_dir {
                            self.dir = path.clone();
                            self.path_text = path.display().to_string();
                        } else if saves {
                            // Saving over a listed file: its name goes into the name box.
                            self.file_name =
                                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                        } else {
                            self.path_text = path.display().to_string();
                        }
                    }
                    if r.double_clicked() && !is_dir {
                        outcome = Outcome::Chosen(path.clone());
                    }
                }
            });
            ui.separator();
            ui.horizontal(|ui| {
                // Named for what it does, as desktop choosers do: 保存 where it saves, else 打开.
                let ok = if saves { pick(lang, "保存", "Save") } else { pick(lang, "打开", "Open") };
                if ui.button(ok).clicked() {
                    let chosen = PathBuf::from(self.path_text.trim());
                    if saves && let Some(path) = self.save_target() {
                        outcome = Outcome::Chosen(path);
                    } else if chosen.is_dir() {
                        self.dir = chosen;
                    } else {
                        outcome = Outcome::Chosen(chosen);
                    }
                }
                if ui.button(Text::Cancel.get(lang)).clicked() {
                    outcome = Outcome::Cancelled;
                }
            });
        });
        if !open {
            outcome = Outcome::Cancelled;
        }
        outcome
    }
}
