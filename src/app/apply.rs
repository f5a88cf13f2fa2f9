//! Applying an [`Action`]: the one place where what the UI asked for changes the app, and where every
//! error is handled once (shown in a window).

use std::collections::BTreeSet;
use std::path::PathBuf;

use eframe::egui::{Context, ViewportCommand};
use geo::BoundingRect;

use super::dialogs::{ExportForm, ImportForm, Window};
use super::file_dialog::Purpose;
use super::files::with_extension;
use super::{
    Action, WanggeApp, code_rule_dialog, database_windows, load_sample, new_project, partition_tool, print_dialog,
    recovery,
};
use crate::core::edit::{Command, StepKind};
use crate::core::tools::{ToolEvent, ToolKey};
use crate::core::{GridId, rect};
use crate::io::export::Layer;
use crate::io::import::Target;
use crate::text::edits::kind_label;
use crate::text::status::StatusLine;
use crate::text::{Lang, Text};

impl WanggeApp {
    pub(super) fn apply(&mut self, ctx: &Context, action: Action) {
        let result = self.try_apply(ctx, action);
        if let Err(e) = result {
            self.show_error(&e);
        }
    }

    /// Says what went wrong in a dialog, in the UI language (and in the other one if the language is
    /// changed while it is open).
    pub(super) fn show_error(&mut self, e: &anyhow::Error) {
        self.error = Some(StatusLine::new(self.state.lang(), |l| crate::text::io_errors::error_chain_text(e, l)));
    }

    pub(super) fn try_apply(&mut self, ctx: &Context, action: Action) -> anyhow::Result<()> {
        let drops_project = matches!(
            action,
            Action::OpenDialog
                | Action::OpenSample
                | Action::NewProjectDialog
                | Action::OpenRecent(_)
                | Action::OpenDatabaseDialog
                | Action::OpenDatabase(_)
        );
        if drops_project && self.state.doc.dirty && !self.unsaved_ok {
            // Unsaved changes are asked about first: save, don't save, or cancel.
            self.window = Some(Window::ConfirmDiscard(Box::new(action)));
            return Ok(());
        }
        let s = &mut self.state;
        match action {
            Action::OpenDialog => self.browse(Purpose::OpenProject),
            Action::OpenSample => {
                let project = load_sample()?;
                s.replace_project(project, None);
                s.doc.sample = true;
            }
            Action::ImportDialog => {
                self.window = Some(Window::Import(ImportForm {
                    src: String::new(),
                    target: Target::Grids,
                    reference: None,
                    crs: String::new(),
                    map: String::new(),
                }));
            }
            Action::ExportDialog => {
                let to = s.start_dir().join("grids.geojson").display().to_string();
                self.window = Some(Window::Export(ExportForm { to, layer: Layer::Grids, gbk: false, table: false }));
            }
            // A database project is saved to its database (whatever else is asked, on a worker thread).
            Action::Save | Action::Overwrite { quit_after: false } if s.doc.database.is_some() => {
                self.start_save_db()?
            }
            Action::SaveAndQuit | Action::Overwrite { quit_after: true } if s.doc.database.is_some() => {
                self.after_save = Some(Action::DiscardAndQuit);
                self.start_save_db()?;
            }
            Action::SaveThen(then) if s.doc.database.is_some() => {
                self.after_save = Some(*then);
                self.start_save_db()?;
            }
            Action::OpenDatabaseDialog => {
                let last = s.settings.recent.iter().find(|p| crate::io::postgis::is_db_path(p));
                let url = last.map(|p| p.display().to_string()).unwrap_or_default();
                self.window = Some(Window::OpenDatabase(database_windows::OpenDbForm::new(url)));
            }
            Action::OpenDatabase(at) => {
                let (text, password) = *at;
                match crate::io::postgis::DbUrl::parse(&text) {
                    Ok(url) => {
                        if let Some(Window::OpenDatabase(form)) = &mut self.window {
                            form.error = None;
                        }
                        self.start_open_db(url, password)?;
                    }
                    // The form again (it may have given way to the unsaved-changes question), saying why.
                    Err(e) => {
                        let e = crate::io::postgis::DbError::from(e);
                        let mut form = database_windows::OpenDbForm::new(text);
                        form.error = Some(StatusLine::new(s.lang(), |l| crate::text::database::db_error_text(&e, l)));
                        self.window = Some(Window::OpenDatabase(form));
                    }
                }
            }
            Action::ResolveConflict(id, resolution) => {
                if let Some(Window::Conflicts(form)) = &mut self.window
                    && let Some(at) = form.items.iter().position(|i| i.conflict.id == id)
                {
                    let item = form.items.remove(at);
                    let left = form.items.len();
                    if left == 0 {
                        self.window = None;
                    }
                    s.resolve_conflict(&item.conflict, &resolution, left);
                }
            }
            Action::GridHistory(grid) => self.start_db_history(grid, None)?,
            Action::RestoreChange(grid, change) => self.start_db_history(grid, Some(change))?,
            Action::Save => match s.doc.path.clone() {
                Some(path) if s.changed_on_disk() => self.ask_changed_on_disk(&path, false),
                Some(path) => s.save_to(&path)?,
                None => self.browse(Purpose::SaveProjectAs),
            },
            Action::SaveAsDialog => self.browse(Purpose::SaveProjectAs),
            Action::Quit => ctx.send_viewport_cmd(ViewportCommand::Close),
            Action::RenameDialog => self.window = Some(Window::Rename(s.doc.project.name.clone())),
            Action::Rename(name) if !name.is_empty() && name != s.doc.project.name => {
                std::sync::Arc::make_mut(&mut s.doc.project).name = name;
                s.doc.dirty = true;
                s.changed_with([]);
            }
            Action::Rename(_) => {}
            Action::ZoomToExtent => s.ui.view.fit_pending = true,
            Action::ToggleLayersPanel => s.ui.show_layers_panel = !s.ui.show_layers_panel,
            Action::ToggleChecksPanel => s.ui.show_checks_panel = !s.ui.show_checks_panel,
            Action::SetLang(lang) => s.set_lang(lang),
            Action::SetOffline(offline) => s.set_offline(offline),
            Action::AddBasemap(form) => s.add_basemaps(&form)?,
            Action::RemoveBasemap(name) => s.remove_basemap(&name)?,
            Action::ShowInfo => self.window = Some(Window::Info),
            Action::CodeRuleDialog => {
                let template = crate::core::codes::rule_template(&s.doc.project).to_string();
                self.window = Some(Window::CodeRule(code_rule_dialog::CodeRuleForm::new(template)));
            }
            Action::ApplyCodes => {
                if let Some(Window::CodeRule(form)) = &self.window
                    && let Some(changes) = form.changes()
                {
                    // One undoable step: the new codes and the rule they were given by.
                    let command = Command::from_codes(&s.doc.project, changes, form.template.trim());
                    let n = changes.len();
                    let status = StatusLine::new(s.lang(), |l| format!("{}: {n}", Text::CodesApplied.get(l)));
                    s.apply_command(StepKind::Codes, command, status);
                }
            }
            Action::PartitionDialog => {
                let form = partition_tool::PartitionForm::new(&s.doc.project, &s.editor.selection);
                self.window = Some(Window::Partition(Box::new(form)));
            }
            Action::PreviewPartition => {
                if let Some(Window::Partition(form)) = &mut self.window {
                    let request = form.request(s.lang()).map_err(|why| anyhow::anyhow!(why))?;
                    form.computing = true;
                    self.start_partition(request)?;
                }
            }
            Action::ApplyPartition => {
                let lang = s.lang();
                if let Some(Window::Partition(form)) = &self.window
                    && let Some(plan) = form.applicable(s.doc.revision, lang)
                {
                    let (added, removed) = (plan.added.len(), plan.removed.len());
                    let status = StatusLine::new(lang, |l| crate::text::partition_tool::applied(added, removed, l));
                    s.apply_command(StepKind::Partition, plan.command.clone(), status);
                    self.window = None;
                }
            }
            Action::ShowShortcuts => self.window = Some(Window::Shortcuts),
            Action::ShowAbout => self.window = Some(Window::About),
            Action::CopyCursor => {
                if let Some(c) = s.cursor_lonlat() {
                    ctx.copy_text(format!("{:.7},{:.7}", c.x, c.y));
                }
            }
            Action::Browse(purpose) => self.browse(purpose),
            Action::RunImport => {
                if let Some(Window::Import(form)) = &self.window {
                    anyhow::ensure!(!form.src.trim().is_empty(), "{}", s.t(Text::ChooseSourceFirst));
                    let unnamed = form.reference.as_deref().is_some_and(|n| n.trim().is_empty());
                    anyhow::ensure!(!unnamed, "{}", crate::text::layers::reference_needs_name(s.lang()));
                }
                // Read and checked on a worker thread; the form comes back if that fails or is cancelled.
                if let Some(Window::Import(form)) = self.window.take() {
                    self.start_import(form)?;
                }
            }
            Action::ConfirmImport => {
                if let Some((prepared, _)) = self.pending_import.take() {
                    s.apply_import(*prepared)?;
                }
            }
            Action::CancelImport => {
                if let Some((_, form)) = self.pending_import.take() {
                    self.window = Some(Window::Import(form));
                }
            }
            Action::ReloadFromDisk => {
                if let Some(path) = s.doc.path.clone() {
                    s.open(&path)?;
                    s.autosave.discard();
                }
            }
            Action::Overwrite { quit_after } => {
                if let Some(path) = s.doc.path.clone() {
                    s.save_to(&path)?;
                    if quit_after {
                        self.allow_close = true;
                        ctx.send_viewport_cmd(ViewportCommand::Close);
                    }
                }
            }
            Action::PrintDialog => {
                let out = s.start_dir().join(format!("{}.pdf", s.doc.project.name)).display().to_string();
                let basemaps = s.ui.view.basemaps.layers.iter().map(|l| l.source.name.clone()).collect();
                let mut form = print_dialog::PrintForm::new(&s.doc.project, out, basemaps);
                // What is switched off on the map is left off the paper too (the form can change it).
                form.options.hidden_references = s.ui.view.references.hidden.clone();
                self.window = Some(Window::Print(Box::new(form)));
            }
            Action::RunPrint => {
                if let Some(Window::Print(form)) = &self.window {
                    let out = PathBuf::from(form.out.trim());
                    anyhow::ensure!(
                        !form.out.trim().is_empty(),
                        "{}",
                        crate::text::pick(s.lang(), "请先选择输出文件", "choose an output file first")
                    );
                    let options = form.effective_options();
                    self.start_print(options, out)?;
                }
            }
            Action::SetTool(kind) => s.set_tool(kind),
            Action::ToggleSnapping => s.editor.snapping = !s.editor.snapping,
            Action::SetSnapTolerance(px) => s.editor.snap_px = px,
            Action::Undo => s.undo(),
            Action::Redo => s.redo(),
            Action::DeleteSelection => {
                self.tool_event(ToolEvent::Key(ToolKey::Delete));
            }
            Action::MergeSelected => {
                let ids: Vec<GridId> = s.editor.selection.iter().copied().collect();
                s.editor.ensure_index(&s.doc.project);
                let Some(index) = &s.editor.index else { return Ok(()) };
                match crate::core::edit::merge_grids(&s.doc.project, index, &ids) {
                    Ok((command, keeper)) => {
                        let n = ids.len();
                        let text = StatusLine::new(s.lang(), |l| format!("{}: {n}", kind_label(StepKind::Merge, l)));
                        s.apply_command(StepKind::Merge, command, text);
                        s.editor.selection = BTreeSet::from([keeper]);
                    }
                    Err(e) => s.refused(&e),
                }
            }
            Action::ZoomToSelection => {
                let rects =
                    s.editor.selection.iter().filter_map(|id| s.doc.project.grids.get(id)?.geometry.bounding_rect());
                if let Some(r) = rect::union_all(rects) {
                    s.ui.view.zoom_to = Some(r);
                }
            }
            Action::SetFields(id, fields) => {
                let text = StatusLine::new(s.lang(), |l| kind_label(StepKind::Attributes, l).to_string());
                s.apply_command(StepKind::Attributes, Command::SetFields { id, fields }, text);
            }
            Action::PickFinding(i) => {
                s.pick(i);
                let finding = s.editor.coverage.as_ref().and_then(|c| c.report().findings.get(i));
                if let Some(r) = finding.and_then(|f| f.geometry.bounding_rect()) {
                    // A little room around the finding, so its neighbours show too.
                    let grow = (r.width().max(r.height()) * 0.6).max(s.doc.project.precision * 1000.0);
                    s.ui.view.zoom_to = Some(rect::grow(r, grow));
                }
            }
            Action::PreviewFix(j) => s.editor.previewed_fix = j,
            Action::ApplyFix(j) => {
                let command = s
                    .editor
                    .picked_fixes
                    .get(j)
                    .zip(s.editor.coverage.as_ref())
                    .and_then(|(f, coverage)| Command::from_fix(&s.doc.project, f, |i| coverage.grid_of(i)));
                if let Some(command) = command {
                    let text = StatusLine::new(s.lang(), |l| kind_label(StepKind::Fix, l).to_string());
                    s.apply_command(StepKind::Fix, command, text);
                }
            }
            Action::ToggleAttributes => s.ui.show_attributes = !s.ui.show_attributes,
            Action::SaveAndQuit => match s.doc.path.clone() {
                Some(path) if s.changed_on_disk() => self.ask_changed_on_disk(&path, true),
                Some(path) => {
                    s.save_to(&path)?;
                    self.allow_close = true;
                    ctx.send_viewport_cmd(ViewportCommand::Close);
                }
                None => self.browse(Purpose::SaveProjectAs),
            },
            Action::DiscardAndQuit => {
                self.allow_close = true;
                s.autosave.discard();
                ctx.send_viewport_cmd(ViewportCommand::Close);
            }
            Action::Recover => {
                if let Some(p) = recovery::pending() {
                    let project = crate::io::open_project(&p.file)?;
                    s.replace_project(project, p.origin);
                    // The origin as it was when the work began: a save over it asks if it changed since.
                    s.doc.disk_stamp = p.origin_stamp;
                    s.doc.dirty = true;
                }
            }
            Action::DiscardRecovery => s.autosave.discard(),
            Action::RunExport => {
                // Written on a worker thread; the form closes when the file is written.
                if let Some(Window::Export(form)) = &self.window {
                    let (to, layer, gbk, table) =
                        (PathBuf::from(form.to.trim()), form.layer, form.gbk, form.writes_table());
                    let to = if table { with_extension(&to, "xlsx") } else { to };
                    self.start_export(layer, to, gbk, table)?;
                }
            }
            Action::SetSharedFields(ids, changes) => {
                if let Some(command) = changes.command(&s.doc.project, &ids) {
                    let n = ids.len();
                    let text = StatusLine::new(s.lang(), |l| match l {
                        Lang::Zh => format!("{}：{n} 个网格", kind_label(StepKind::Attributes, l)),
                        Lang::En => format!("{}: {n} grids", kind_label(StepKind::Attributes, l)),
                    });
                    s.apply_command(StepKind::Attributes, command, text);
                }
            }
            Action::NewProjectDialog => {
                self.window = Some(Window::NewProject(new_project::NewProjectForm::default()));
            }
            Action::CreateProject => {
                if let Some(Window::NewProject(form)) = &self.window {
                    let project = new_project::build(form, s.lang())?;
                    s.start_new_project(project);
                    self.window = None;
                }
            }
            // A recent file that is gone is forgotten (and said); one that is there is read in the background.
            Action::OpenRecent(path) if crate::io::postgis::is_db_path(&path) => {
                let text = path.display().to_string();
                match crate::io::postgis::DbUrl::parse(&text) {
                    // The password from PGPASSWORD or ~/.pgpass; the form comes up if the server wants one.
                    Ok(url) => self.start_open_db(url, None)?,
                    Err(_) => self.window = Some(Window::OpenDatabase(database_windows::OpenDbForm::new(text))),
                }
            }
            Action::OpenRecent(path) if !path.is_file() => s.open_recent(&path)?,
            Action::OpenRecent(path) => self.start_open(path)?,
            Action::CancelJob => {
                if let Some(job) = &self.job {
                    job.cancel();
                }
            }
            Action::Discarded(then) => {
                self.unsaved_ok = true;
                let result = self.try_apply(ctx, *then);
                self.unsaved_ok = false;
                result?;
            }
            Action::SaveThen(then) => match s.doc.path.clone() {
                Some(path) if s.changed_on_disk() => self.ask_changed_on_disk(&path, false),
                Some(path) => {
                    s.save_to(&path)?;
                    self.queued.push(Action::Discarded(then));
                }
                None => {
                    self.after_save = Some(*then);
                    self.browse(Purpose::SaveProjectAs);
                }
            },
            Action::PickGrid(id) => {
                if let Some(r) = s.doc.project.grids.get(&id).and_then(|g| g.geometry.bounding_rect()) {
                    s.editor.selection = BTreeSet::from([id]);
                    // Room around the grid, so its neighbours show too.
                    s.ui.view.zoom_to = Some(rect::grow(r, r.width().max(r.height()) * 0.5));
                    s.ui.status = s.doc.project.grid_label(id).into();
                }
            }
            Action::PickDivision(code) => {
                let p = &s.doc.project;
                let ids: BTreeSet<GridId> =
                    p.grids.values().filter(|g| g.village_code.starts_with(code.as_str())).map(|g| g.id).collect();
                let grid_rects = ids.iter().filter_map(|id| p.grids.get(id)?.geometry.bounding_rect());
                let own = p.divisions.get(code.as_str()).and_then(|d| d.polygon.as_ref()?.bounding_rect());
                let name = p.divisions.get(code.as_str()).map_or_else(|| code.clone(), |d| d.name.clone());
                if let Some(r) = rect::union_all(grid_rects.chain(own)) {
                    s.ui.view.zoom_to = Some(rect::grow(r, r.width().max(r.height()) * 0.05));
                }
                let n = ids.len();
                s.say(|l| crate::text::start::division_picked(&name, n, l));
                s.editor.selection = ids;
            }
            Action::SetTheme(theme) => s.ui.thematic.theme = theme,
        }
        Ok(())
    }
}
