//! Files the user picks: the desktop's file chooser or the in-app one, and what is done with the answer.

use std::path::{Path, PathBuf};

use super::dialogs::Window;
use super::file_dialog::{self, InAppDialog, Purpose};
use super::{WanggeApp, new_project};

impl WanggeApp {
    /// Asks what to do about a save over a file another program changed: reload, overwrite, save as.
    pub(super) fn ask_changed_on_disk(&mut self, path: &Path, quit_after: bool) {
        self.window = Some(Window::ChangedOnDisk { file: path.display().to_string(), quit_after });
    }

    /// Asks for a file: the desktop's dialog where a portal answers, else the in-app one.
    pub(super) fn browse(&mut self, purpose: Purpose) {
        let start = self.state.start_dir();
        let name_of = |path: &str| Path::new(path.trim()).file_name().map(|n| n.to_string_lossy().into_owned());
        // What a dialog that saves offers as the file name.
        let file_name = match (purpose, &self.window) {
            (Purpose::SaveProjectAs, _) => {
                let name = self.state.doc.project.name.trim();
                Some(format!("{}.gpkg", if name.is_empty() { "project" } else { name }))
            }
            (Purpose::ExportTo, Some(Window::Export(form))) => name_of(&form.to),
            (Purpose::PrintTo, Some(Window::Print(form))) => name_of(&form.out),
            _ => None,
        }
        .unwrap_or_default();
        match file_dialog::pick_native(purpose, &start, &file_name, self.state.lang()) {
            Ok(Some(path)) => self.chosen(purpose, path),
            Ok(None) => self.after_save = None,
            Err(()) => self.file_dialog = Some(InAppDialog::new(purpose, &start, &file_name)),
        }
    }

    pub(super) fn chosen(&mut self, purpose: Purpose, path: PathBuf) {
        let result = match purpose {
            Purpose::OpenProject => self.start_open(path),
            // Saved on a worker thread; what was to follow the save runs when it is done.
            Purpose::SaveProjectAs => self.start_save_as(&path),
            Purpose::NewProjectSource => {
                if let Some(Window::NewProject(form)) = &mut self.window {
                    let text = path.display().to_string();
                    match form.from {
                        new_project::NewFrom::Divisions => form.divisions = text,
                        _ => form.boundary = text,
                    }
                }
                Ok(())
            }
            Purpose::ImportSource => {
                if let Some(Window::Import(form)) = &mut self.window {
                    form.set_source(&path);
                }
                Ok(())
            }
            Purpose::ExportTo => {
                if let Some(Window::Export(form)) = &mut self.window {
                    form.to = path.display().to_string();
                }
                Ok(())
            }
            Purpose::PrintTo => {
                if let Some(Window::Print(form)) = &mut self.window {
                    form.out = with_extension(&path, "pdf").display().to_string();
                }
                Ok(())
            }
        };
        if let Err(e) = result {
            self.show_error(&e);
        }
    }
}

pub(super) fn with_extension(path: &Path, ext: &str) -> PathBuf {
    if path.extension().is_some() { path.to_path_buf() } else { path.with_extension(ext) }
}
