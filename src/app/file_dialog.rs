//! File choosers: the desktop's own dialog through the XDG portal (rfd), and an in-app chooser where no
//! portal answers (a bare X server, Xvfb, a minimal desktop).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::{self, Context};

use crate::text::{Lang, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    OpenProject,
    ImportSource,
    SaveProjectAs,
    ExportTo,
    PrintTo,
}

impl Purpose {
    fn saves(self) -> bool {
        matches!(self, Purpose::SaveProjectAs | Purpose::ExportTo | Purpose::PrintTo)
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Purpose::OpenProject | Purpose::SaveProjectAs => &["gpkg"],
            Purpose::ImportSource => &["geojson", "json", "shp", "gpkg", "csv"],
            Purpose::ExportTo => &["gpkg", "geojson", "shp", "csv"],
            Purpose::PrintTo => &["pdf", "png", "svg"],
        }
    }
}

/// A portal that is not running makes rfd return at once; a person takes longer than this to cancel.
const NO_PORTAL_ANSWER: Duration = Duration::from_millis(250);

/// Shows the native dialog. `Err(())` means no native dialog could be shown (use the in-app one).
pub fn pick_native(purpose: Purpose, start_dir: &Path) -> Result<Option<PathBuf>, ()> {
    if std::env::var_os("WANGGE_NO_PORTAL").is_some() || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Err(());
    }
    let dialog = rfd::FileDialog::new().add_filter("GIS", purpose.extensions()).set_directory(start_dir);
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

/// The in-app chooser: a directory listing filtered by extension and an editable path.
pub struct InAppDialog {
    pub purpose: Purpose,
    dir: PathBuf,
    path_text: String,
}

impl InAppDialog {
    pub fn new(purpose: Purpose, start_dir: &Path) -> InAppDialog {
        InAppDialog { purpose, dir: start_dir.to_path_buf(), path_text: start_dir.display().to_string() }
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
        egui::Window::new(Text::ChooseFile.get(lang)).collapsible(false).open(&mut open).default_width(520.0).show(
            ctx,
            |ui| {
                ui.horizontal(|ui| {
                    let label = ui.label(Text::Path.get(lang));
                    let edit = ui
                        .add(egui::TextEdit::singleline(&mut self.path_text).desired_width(380.0))
                        .labelled_by(label.id);
                    if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        let typed = PathBuf::from(self.path_text.trim());
                        if typed.is_dir() {
                            self.dir = typed;
                        } else {
                            outcome = Outcome::Chosen(typed);
                        }
                    }
                });
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
                            }
                            self.path_text = path.display().to_string();
                        }
                        if r.double_clicked() && !is_dir {
                            outcome = Outcome::Chosen(path.clone());
                        }
                    }
                });
                ui.separator();
                ui.horizontal(|ui| {
                    if ui.button(Text::Ok.get(lang)).clicked() {
                        let chosen = PathBuf::from(self.path_text.trim());
                        if chosen.is_dir() {
                            self.dir = chosen;
                        } else {
                            outcome = Outcome::Chosen(chosen);
                        }
                    }
                    if ui.button(Text::Cancel.get(lang)).clicked() {
                        outcome = Outcome::Cancelled;
                    }
                });
            },
        );
        if !open {
            outcome = Outcome::Cancelled;
        }
        outcome
    }
}
