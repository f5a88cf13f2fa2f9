//! File › New project: from a boundary file, empty with a chosen CRS, or from a county's division list
//! (one we ship, or any `code,name,parent_code` CSV). The new project has no file until it is saved.
//! Also the recent projects (File › Recent), remembered in the settings.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use eframe::egui::{self, Context};

use super::Action;
use super::file_dialog::Purpose;
use super::state::AppState;
use crate::core::Project;
use crate::io::crs::{SourceCrs, parse_crs_arg};
use crate::io::import::{ImportOptions, Target, default_project_crs, import_layer, read_source, source_crs};
use crate::text::start::{new_project_made, unknown_county};
use crate::text::{Lang, Text, pick};

/// The division lists shipped with Wangge: county code, county name, the CRS its projects get, the list.
pub const SHIPPED_COUNTIES: &[(&str, &str, u32, &str)] =
    &[("341823", "泾县", 4548, include_str!("../../sample-maps/jingxian-divisions.csv"))];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewFrom {
    Boundary,
    Empty,
    Divisions,
}

pub struct NewProjectForm {
    pub from: NewFrom,
    pub name: String,
    /// The boundary file (any format import reads).
    pub boundary: String,
    /// A county code we ship, or the path of a `code,name,parent_code` CSV.
    pub divisions: String,
    /// The project CRS: empty means chosen from the data (a boundary) or from the county.
    pub crs: String,
}

impl Default for NewProjectForm {
    fn default() -> NewProjectForm {
        NewProjectForm {
            from: NewFrom::Boundary,
            name: String::new(),
            boundary: String::new(),
            divisions: SHIPPED_COUNTIES[0].0.to_string(),
            crs: String::new(),
        }
    }
}

/// Shows the form; false when it should close.
pub fn show(ctx: &Context, form: &mut NewProjectForm, lang: Lang, actions: &mut Vec<Action>) -> bool {
    let mut keep = true;
    egui::Window::new(pick(lang, "新建项目", "New project")).collapsible(false).show(ctx, |ui| {
        ui.horizontal(|ui| {
            ui.label(pick(lang, "从", "From"));
            ui.radio_value(&mut form.from, NewFrom::Boundary, pick(lang, "边界文件", "a boundary file"));
            ui.radio_value(&mut form.from, NewFrom::Divisions, pick(lang, "区划代码表", "a division list"));
            ui.radio_value(&mut form.from, NewFrom::Empty, pick(lang, "空项目", "nothing (empty)"));
        });
        match form.from {
            NewFrom::Boundary => {
                ui.horizontal(|ui| {
                    labelled(ui, pick(lang, "边界文件路径", "Boundary file path"), &mut form.boundary, "", 320.0);
                    if ui.button(Text::Browse.get(lang)).clicked() {
                        actions.push(Action::Browse(Purpose::NewProjectSource));
                    }
                });
                let hint =
                    pick(lang, "留空：按数据位置选高斯-克吕格 3 度带", "empty: the Gauss-Krüger 3° zone of the data");
                ui.horizontal(|ui| labelled(ui, pick(lang, "项目坐标系", "Project CRS"), &mut form.crs, hint, 240.0));
            }
            NewFrom::Divisions => {
                let shipped: Vec<String> = SHIPPED_COUNTIES.iter().map(|(c, n, _, _)| format!("{c} {n}")).collect();
                ui.horizontal(|ui| {
                    let label = pick(lang, "县级代码或 CSV 文件", "County code or CSV file");
                    labelled(ui, label, &mut form.divisions, "341823", 260.0);
                    if ui.button(Text::Browse.get(lang)).clicked() {
                        actions.push(Action::Browse(Purpose::NewProjectSource));
                    }
                });
                ui.label(format!("{}: {}", pick(lang, "随程序提供", "Shipped"), shipped.join(", ")));
                let hint = pick(lang, "留空：该县的坐标系", "empty: the county's CRS");
                ui.horizontal(|ui| labelled(ui, pick(lang, "项目坐标系", "Project CRS"), &mut form.crs, hint, 240.0));
            }
            NewFrom::Empty => {
                ui.horizontal(|ui| {
                    labelled(ui, pick(lang, "项目坐标系", "Project CRS"), &mut form.crs, "EPSG:4548", 240.0)
                });
                ui.label(pick(
                    lang,
                    "例如 EPSG:4548（CGCS2000 3 度带 117°E）、EPSG:4490（CGCS2000 经纬度）",
                    "e.g. EPSG:4548 (CGCS2000 3° zone 117°E), EPSG:4490 (CGCS2000 lon/lat)",
                ));
            }
        }
        ui.horizontal(|ui| labelled(ui, Text::ProjectName.get(lang), &mut form.name, "", 240.0));
        ui.horizontal(|ui| {
            if ui.button(pick(lang, "创建", "Create")).clicked() {
                actions.push(Action::CreateProject);
            }
            if ui.button(Text::Cancel.get(lang)).clicked() {
                keep = false;
            }
        });
    });
    keep
}

fn labelled(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str, width: f32) -> egui::Response {
    let label = ui.label(label);
    ui.add(egui::TextEdit::singleline(text).hint_text(hint).desired_width(width)).labelled_by(label.id)
}

fn project_crs_from(text: &str) -> anyhow::Result<Option<crate::core::Crs>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match parse_crs_arg(text)? {
        SourceCrs::Epsg(crs) => Ok(Some(crs)),
        _ => anyhow::bail!("GCJ-02 / BD-09 are only for input; a project needs an EPSG CRS"),
    }
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Builds the project the form asks for, changing nothing yet.
pub fn build(form: &NewProjectForm, lang: Lang) -> anyhow::Result<Project> {
    let name = form.name.trim();
    let options = ImportOptions::default();
    match form.from {
        NewFrom::Empty => {
            let text = if form.crs.trim().is_empty() { "EPSG:4548" } else { form.crs.as_str() };
            let crs = project_crs_from(text)?.context("no CRS")?;
            let name = if name.is_empty() { pick(lang, "新项目", "New project") } else { name };
            Ok(Project::new(name, crs))
        }
        NewFrom::Boundary => {
            let src = PathBuf::from(form.boundary.trim());
            anyhow::ensure!(!form.boundary.trim().is_empty(), "{}", Text::ChooseSourceFirst.get(lang));
            let source = read_source(&src, None)?;
            let crs = match project_crs_from(&form.crs)? {
                Some(crs) => crs,
                None => default_project_crs(&source, &source_crs(&source, &options)?)?,
            };
            let mut project = Project::new(if name.is_empty() { stem(&src) } else { name.to_string() }, crs);
            import_layer(&mut project, &source, Target::Boundary, &options, &mut |_, _| {})?;
            Ok(project)
        }
        NewFrom::Divisions => {
            let text = form.divisions.trim();
            let shipped = SHIPPED_COUNTIES.iter().find(|(code, county, _, _)| text == *code || text == *county);
            let (file, county_name, default_epsg, scratch) = match shipped {
                Some((code, county, epsg, csv)) => {
                    // The list is compiled in; import reads files, so it goes through a scratch copy.
                    static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
                    let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let dir = std::env::temp_dir().join(format!("wangge-divisions-{}-{n}", std::process::id()));
                    std::fs::create_dir_all(&dir)?;
                    let file = dir.join(format!("{code}.csv"));
                    std::fs::write(&file, csv)?;
                    (file, county.to_string(), Some(*epsg), Some(dir))
                }
                None => {
                    let path = PathBuf::from(text);
                    if !path.is_file() {
                        let codes: Vec<&str> = SHIPPED_COUNTIES.iter().map(|c| c.0).collect();
                        anyhow::bail!("{}", unknown_county(text, &codes.join(", "), lang));
                    }
                    let county = stem(&path);
                    (path, county, None, None)
                }
            };
            let crs = match (project_crs_from(&form.crs)?, default_epsg) {
                (Some(crs), _) => crs,
                (None, Some(epsg)) => crate::io::crs::crs_from_epsg(epsg)?,
                (None, None) => anyhow::bail!(
                    "{}",
                    pick(lang, "请给出项目坐标系（例如 EPSG:4548）", "give the project CRS (e.g. EPSG:4548)")
                ),
            };
            let source = read_source(&file, None);
            if let Some(dir) = scratch {
                let _ = std::fs::remove_dir_all(dir);
            }
            let source = source?;
            let mut project = Project::new(if name.is_empty() { county_name } else { name.to_string() }, crs);
            import_layer(&mut project, &source, Target::Divisions, &options, &mut |_, _| {})?;
            Ok(project)
        }
    }
}

impl AppState {
    /// Makes the new project the open one: no file yet (Save asks where), marked unsaved.
    pub fn start_new_project(&mut self, project: Project) {
        let (name, crs) = (project.name.clone(), project.crs.auth_id());
        self.replace_project(project, None);
        self.doc.dirty = true;
        self.say(|l| new_project_made(&name, &crs, l));
    }

    /// Puts `path` first in File › Recent and remembers it.
    pub fn remember_recent(&mut self, path: &Path) {
        self.settings.remember(path);
        if let Err(e) = self.settings.save() {
            self.say(|l| {
                crate::text::pick(l, "无法记住最近的项目", "cannot remember the recent projects").to_string()
                    + ": "
                    + &crate::text::io_errors::os_error_text(&e, l)
            });
        }
    }

    /// Opens a recent project; one that is gone is said and dropped from the list.
    pub fn open_recent(&mut self, path: &Path) -> anyhow::Result<()> {
        if !path.is_file() {
            self.settings.forget(path);
            let _ = self.settings.save();
            anyhow::bail!("{}", crate::text::start::recent_missing(&path.display().to_string(), self.lang()));
        }
        self.open(path)
    }
}
