//! Everything the window shows, with the operations the menus trigger. No egui here beyond the view.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use geo::Coord;

use std::collections::{BTreeMap, BTreeSet};

use super::background::{Background, CacheOptions, Prepared};
use super::canvas::{LayerVisibility, MapView};
use super::jobs::ReadImport;
use super::live_coverage::LiveCoverage;
use super::map_cache::MapCache;
use super::recovery::Autosave;
use crate::core::coverage::fixes::Fix;
use crate::core::edit::{Command, History, SpatialIndex, StepKind};
use crate::core::progress::NoProgress;
use crate::core::tools::{Edit, Tool, ToolKind};
use crate::core::{GridId, Project};
use crate::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use crate::io::{Changes, FileStamp, open_project, open_project_stamped, save_project_with};
use crate::text::Settings;
use crate::text::edits::{done_text, failure_text, kind_label};
use crate::text::status::StatusLine;
use crate::text::{Lang, Text};

/// The bundled 泾县 sample, compiled in so that `wangge` opens it from anywhere.
const SAMPLE_GPKG: &[u8] = include_bytes!("../../sample-maps/jingxian.gpkg");

/// The project and what belongs to it: where it is saved, whether it changed, its undo history.
pub struct Document {
    /// Shared with the worker threads and jobs that read it (no copy of a large project for them); an
    /// edit while one still holds it copies it first ([`Arc::make_mut`]).
    pub project: Arc<Project>,
    /// Where the project is saved; `None` for the bundled sample and new projects (Save asks where).
    pub path: Option<PathBuf>,
    /// The file at `path` as we last read or wrote it: a save over a file that differs (another program
    /// saved it since) asks first. `None`: not known, or there was no file.
    pub disk_stamp: Option<FileStamp>,
    pub dirty: bool,
    /// What changed since the project was read from `path` or last saved there, so that a save writes only
    /// those grids; `None` when not known (a new, recovered or imported project: a save compares all).
    pub since_save: Option<Changes>,
    /// Bumped on every change of the project, so caches know when to rebuild.
    pub revision: u64,
    pub history: History,
    /// The bundled sample is open (the window says so).
    pub sample: bool,
    /// The project lives in a shared database, not in a file (`path` is then `None`).
    pub database: Option<super::database::DbLink>,
}

/// The editor: the selection, the active tool and what it snaps to, and the coverage check kept live
/// with the finding picked in the panel.
pub struct EditSession {
    pub selection: BTreeSet<GridId>,
    pub tool: Tool,
    pub snapping: bool,
    /// Snapping and picking reach on screen, in points.
    pub snap_px: f32,
    /// What edits snap to and pick from; `None` for a large project until a worker thread built it or
    /// the first edit needed it ([`EditSession::ensure_index`]).
    pub index: Option<SpatialIndex>,
    /// The live coverage check; `None` while a worker thread checks a large project (the status bar
    /// says "checking…").
    pub coverage: Option<LiveCoverage>,
    /// The coverage finding picked in the panel, its fixes (computed once, when picked) and the fix
    /// being previewed.
    pub picked_finding: Option<usize>,
    pub picked_fixes: Vec<Fix>,
    pub previewed_fix: Option<usize>,
}

/// What the window shows and how: the map view and its cache, which layers and panels are shown, the
/// status line, the cursor.
pub struct ViewState {
    pub view: MapView,
    pub cache: MapCache,
    pub layers: LayerVisibility,
    pub show_layers_panel: bool,
    pub show_checks_panel: bool,
    pub show_attributes: bool,
    /// The status bar's message, in both languages (it follows a change of the UI language).
    pub status: StatusLine,
    pub cursor_in_world: Option<Coord<f64>>,
    /// The thematic view (households against the band, village, code status) and its legend.
    pub thematic: super::legend::Thematic,
    /// Grids per village code for the layers tree, with the revision they were counted at.
    village_counts: (u64, BTreeMap<String, usize>),
}

pub struct AppState {
    pub doc: Document,
    pub editor: EditSession,
    pub ui: ViewState,
    pub settings: Settings,
    /// The recovery file written every minute while there are unsaved changes.
    pub autosave: Autosave,
    to_lonlat: Option<Transformer>,
    /// The caches of a large project still being built on worker threads.
    pub(super) background: Option<Background>,
    /// When caches are built on worker threads (tests change it).
    #[doc(hidden)]
    pub caches: CacheOptions,
}

impl EditSession {
    /// Builds the edit index now if no worker has yet (the first edit of a large project waits for it).
    pub fn ensure_index(&mut self, project: &Project) {
        if self.index.is_none() {
            self.index = Some(SpatialIndex::build(project));
        }
    }
}

impl AppState {
    /// The state for `project`, read from `path` (the file as it is now is taken as what was read).
    pub fn new(project: Project, path: Option<PathBuf>, settings: Settings) -> AppState {
        AppState::new_with(project, path, settings, CacheOptions::default())
    }

    /// [`AppState::new`], with the caches of a large project built as `caches` says.
    pub fn new_with(project: Project, path: Option<PathBuf>, settings: Settings, caches: CacheOptions) -> AppState {
        let project = Arc::new(project);
        let to_lonlat = lonlat_transformer(&project);
        let prepared = Prepared::start(&project, &BTreeMap::new(), &caches);
        let editor = EditSession {
            selection: BTreeSet::new(),
            tool: Tool::new(ToolKind::Select),
            snapping: true,
            snap_px: 10.0,
            index: prepared.index,
            coverage: prepared.coverage,
            picked_finding: None,
            picked_fixes: Vec::new(),
            previewed_fix: None,
        };
        let mut view = MapView::default();
        view.basemaps.open(path.as_deref(), &project, &settings);
        let ui = ViewState {
            view,
            cache: prepared.cache,
            layers: LayerVisibility::default(),
            show_layers_panel: true,
            show_checks_panel: true,
            show_attributes: true,
            status: StatusLine::default(),
            cursor_in_world: None,
            thematic: Default::default(),
            village_counts: (u64::MAX, BTreeMap::new()),
        };
        let doc = Document {
            since_save: path.as_ref().map(|_| Changes::default()),
            disk_stamp: path.as_deref().and_then(|p| FileStamp::read(p).ok().flatten()),
            project,
            path,
            dirty: false,
            revision: 0,
            history: History::default(),
            sample: false,
            database: None,
        };
        let background = prepared.background;
        AppState { doc, editor, ui, settings, autosave: Autosave::default(), to_lonlat, background, caches }
    }

    /// Opens the bundled sample (from a temporary copy, as SQLite needs a file).
    pub fn sample(settings: Settings) -> anyhow::Result<AppState> {
        let project = load_sample()?;
        let mut state = AppState::new(project, None, settings);
        state.doc.sample = true;
        state.say(|l| Text::SampleReadOnly.get(l).to_string());
        Ok(state)
    }

    pub fn lang(&self) -> Lang {
        self.settings.lang
    }

    pub fn t(&self, text: Text) -> &'static str {
        text.get(self.lang())
    }

    pub fn set_lang(&mut self, lang: Lang) {
        self.settings.lang = lang;
        self.ui.status.set_lang(lang);
        if let Err(e) = self.settings.save() {
            self.say(|l| format!("{}: {e}", crate::text::pick(l, "无法记住所选语言", "cannot remember the language")));
        }
    }

    /// The project's file, for writing basemaps into (they live in the file, not the model): refused
    /// while the project has no file of its own yet, or its file was changed by another program.
    fn basemap_file(&self) -> anyhow::Result<PathBuf> {
        match &self.doc.path {
            Some(path) if !self.doc.sample => {
                if self.changed_on_disk() {
                    anyhow::bail!(crate::text::basemap::file_changed(self.lang()));
                }
                Ok(path.clone())
            }
            _ => anyhow::bail!(crate::text::basemap::save_first(self.lang())),
        }
    }

    /// Adds the basemaps of the layers panel's form to the project's file (at once: like the layers of
    /// a QGIS project, they are not part of the grids' undo history) and draws them.
    pub fn add_basemaps(&mut self, form: &super::basemap::NewBasemap) -> anyhow::Result<()> {
        let path = self.basemap_file()?;
        let sources = form.sources(&path, self.lang())?;
        for source in &sources {
            crate::io::gpkg::add_basemap(&path, source, false)?;
        }
        self.basemaps_written(&path);
        self.ui.view.basemaps.new = super::basemap::NewBasemap::default();
        let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
        self.say(|l| crate::text::basemap::added(&names, l));
        Ok(())
    }

    /// Removes the basemap `name` from the project's file.
    pub fn remove_basemap(&mut self, name: &str) -> anyhow::Result<()> {
        let path = self.basemap_file()?;
        crate::io::gpkg::remove_basemap(&path, name)?;
        self.basemaps_written(&path);
        let name = name.to_string();
        self.say(|l| crate::text::basemap::removed(&name, l));
        Ok(())
    }

    /// The file was rewritten with other basemaps: it is still ours (no "changed on disk"), and the map
    /// draws them.
    fn basemaps_written(&mut self, path: &Path) {
        self.doc.disk_stamp = FileStamp::read(path).ok().flatten();
        self.ui.view.basemaps.reopen(path, &self.doc.project, &self.settings);
    }

    /// Works offline (basemap tiles from the cache and local files only) or online, remembered.
    pub fn set_offline(&mut self, offline: bool) {
        self.settings.offline = offline;
        self.ui.view.basemaps.set_offline(offline);
        if let Err(e) = self.settings.save() {
            self.say(|l| format!("{}: {e}", crate::text::pick(l, "无法保存设置", "cannot save the settings")));
        } else {
            self.say(|l| crate::text::basemap::offline_said(offline, l));
        }
    }

    /// Puts a message in the status bar, written by `render` in each language so that it follows a
    /// later change of language.
    pub fn say(&mut self, render: impl Fn(Lang) -> String) {
        self.ui.status = StatusLine::new(self.lang(), render);
    }

    /// Replaces the project (after open) and resets the view. The caller sets `disk_stamp`.
    pub fn replace_project(&mut self, project: Project, path: Option<PathBuf>) {
        self.replace_project_with(project, path, None);
    }

    /// [`Self::replace_project`] with the caches already built or started for `project` (by the worker
    /// thread that read it).
    pub fn replace_project_with(
        &mut self,
        project: impl Into<Arc<Project>>,
        path: Option<PathBuf>,
        prepared: Option<Prepared>,
    ) {
        let project = project.into();
        self.to_lonlat = lonlat_transformer(&project);
        self.ui.view.basemaps.open(path.as_deref(), &project, &self.settings);
        self.doc.project = project;
        self.doc.path = path;
        self.doc.disk_stamp = None;
        self.doc.dirty = false;
        self.doc.since_save = None;
        self.doc.history = History::default();
        self.doc.sample = false;
        self.doc.database = None;
        self.editor.selection.clear();
        self.editor.tool = Tool::new(self.editor.tool.kind());
        match prepared {
            Some(p) => {
                self.doc.revision += 1;
                self.install(p);
                self.unpick();
            }
            None => self.changed(),
        }
        self.ui.view.fit_pending = true;
    }

    /// Call after a change of the whole project (open, import): rebuilds every cache.
    pub fn changed(&mut self) {
        self.doc.revision += 1;
        self.doc.since_save = None;
        // Grids keep their fill colours through a rebuild (a rename, an import, an undone import).
        let colours = self.ui.cache.colours();
        self.install(Prepared::start(&self.doc.project, &colours, &self.caches));
        self.editor.selection.retain(|id| self.doc.project.grids.contains_key(id));
        self.unpick();
    }

    /// [`Self::changed`] after a step that may change layers besides the grids (an import, a rename, its
    /// undo), touching `grids`. A file project's next save then compares every row; a database project
    /// must know exactly what changed (a save writes only that, checked against the versions read), so
    /// it keeps the list, with the other layers to be written afresh.
    pub fn changed_with(&mut self, grids: impl IntoIterator<Item = GridId>) {
        let kept = self.doc.database.is_some().then(|| {
            let mut changes = self.doc.since_save.take().unwrap_or_default();
            changes.grids.extend(grids);
            changes.other_layers = true;
            changes
        });
        self.changed();
        if kept.is_some() {
            self.doc.since_save = kept;
        }
    }

    /// Call after an edit of some grids: updates the caches and re-checks coverage around them only.
    pub fn grids_changed(&mut self, grids: BTreeSet<GridId>) {
        self.doc.revision += 1;
        self.doc.dirty = true;
        if let Some(changes) = &mut self.doc.since_save {
            changes.grids.extend(grids.iter().copied());
        }
        self.ui.cache.update(&self.doc.project, &grids);
        if let Some(index) = &mut self.editor.index {
            index.update(&self.doc.project, &grids);
        }
        if let Some(coverage) = &mut self.editor.coverage {
            coverage.update(&self.doc.project, &grids);
        }
        if let Some(background) = &mut self.background {
            background.note_changed(&grids);
        }
        self.editor.selection.retain(|id| self.doc.project.grids.contains_key(id));
        self.unpick();
    }

    /// Picks a coverage finding: its fixes are computed now, not every frame.
    pub fn pick(&mut self, finding: usize) {
        let Some(coverage) = &mut self.editor.coverage else { return };
        self.editor.picked_fixes = coverage.fixes_for(finding);
        self.editor.picked_finding = Some(finding);
        self.editor.previewed_fix = None;
    }

    /// Puts caches built or started for the project in place (those being built replace the old ones).
    fn install(&mut self, prepared: Prepared) {
        self.ui.cache = prepared.cache;
        self.editor.index = prepared.index;
        self.editor.coverage = prepared.coverage;
        self.background = prepared.background;
    }

    /// Grids per village code, counted once per revision.
    pub fn village_counts(&mut self) -> &BTreeMap<String, usize> {
        if self.ui.village_counts.0 != self.doc.revision {
            let mut counts = BTreeMap::new();
            for g in self.doc.project.grids.values() {
                *counts.entry(g.village_code.clone()).or_default() += 1;
            }
            self.ui.village_counts = (self.doc.revision, counts);
        }
        &self.ui.village_counts.1
    }

    /// Applies an edit through the history, updates everything and says what happened.
    ///
    /// A grid the edit makes (drawn, filled, or the new piece of a split) is selected, so that its
    /// attributes can be typed at once. Of a split, the piece that keeps the grid's id keeps its record
    /// (code, name, counts); the new piece has no code and no counts yet, so it is the one selected.
    pub fn commit(&mut self, edit: Edit) {
        let status = StatusLine::new(self.lang(), |l| done_text(&edit, l));
        let (first_new, revision) = (self.doc.project.next_grid_id, self.doc.revision);
        let selects_new = matches!(edit.kind, StepKind::Draw | StepKind::Fill | StepKind::Split);
        self.apply_command(edit.kind, edit.command, status);
        if selects_new && self.doc.revision != revision {
            let project = &self.doc.project;
            let made: BTreeSet<GridId> =
                (first_new..project.next_grid_id).filter(|id| project.grids.contains_key(id)).collect();
            if !made.is_empty() {
                self.editor.selection = made;
            }
        }
    }

    /// Applies a command as one undoable step.
    pub fn apply_command(&mut self, kind: StepKind, command: Command, status: impl Into<StatusLine>) {
        let first_new = self.doc.project.next_grid_id;
        let mut grids: BTreeSet<GridId> = command.grids().into_iter().filter(|id| *id != 0).collect();
        match self.doc.history.apply(Arc::make_mut(&mut self.doc.project), kind, command) {
            Ok(()) => {
                grids.extend(first_new..self.doc.project.next_grid_id);
                let mut status = status.into();
                status.set_lang(self.lang());
                self.ui.status = status;
                self.grids_changed(grids);
            }
            Err(e) => self.ui.status = StatusLine::plain(e.to_string()),
        }
    }

    pub fn undo(&mut self) {
        self.step_history(true);
    }

    pub fn redo(&mut self) {
        self.step_history(false);
    }

    /// Undoes (or redoes) one step, updating only the grids it touches (everything after an import).
    fn step_history(&mut self, back: bool) {
        let whole = self.doc.history.next_changes_other_layers(back);
        let (grids, result, done) = if back {
            (
                self.doc.history.next_undo_grids(),
                self.doc.history.undo(Arc::make_mut(&mut self.doc.project)),
                ("已撤销", "Undone"),
            )
        } else {
            (
                self.doc.history.next_redo_grids(),
                self.doc.history.redo(Arc::make_mut(&mut self.doc.project)),
                ("已重做", "Redone"),
            )
        };
        match result {
            Ok(Some(kind)) => {
                self.say(|l| format!("{}: {}", crate::text::pick(l, done.0, done.1), kind_label(kind, l)));
                if whole {
                    self.doc.dirty = true;
                    self.changed_with(grids);
                } else {
                    self.grids_changed(grids.into_iter().collect());
                }
            }
            Ok(None) => {}
            Err(e) => self.ui.status = StatusLine::plain(e.to_string()),
        }
    }

    /// Says why a tool could not do what was asked (in the status bar; nothing fails silently).
    pub fn refused(&mut self, failure: &crate::core::edit::EditFailure) {
        self.ui.status = StatusLine::new(self.lang(), |l| failure_text(failure, &self.doc.project, l));
    }

    pub fn set_tool(&mut self, kind: ToolKind) {
        if self.editor.tool.kind() != kind {
            self.editor.tool = Tool::new(kind);
        }
    }

    pub fn window_title(&self) -> String {
        let marker = if self.doc.dirty { " *" } else { "" };
        format!("网格 Wangge — {}{marker}", self.doc.project.name)
    }

    pub fn cursor_lonlat(&self) -> Option<Coord<f64>> {
        self.to_lonlat.as_ref()?.apply(self.ui.cursor_in_world?).ok()
    }

    pub fn open(&mut self, path: &Path) -> anyhow::Result<()> {
        let (project, stamp) = open_project_stamped(path)?;
        self.opened(project, path, stamp);
        Ok(())
    }

    /// Makes a project just read from `path` (stamped `stamp`) the open one.
    pub fn opened(&mut self, project: Project, path: &Path, stamp: Option<FileStamp>) {
        self.opened_with(project, path, stamp, None);
    }

    /// [`Self::opened`] with the caches already built (by the worker thread that read it).
    pub fn opened_with(
        &mut self,
        project: impl Into<Arc<Project>>,
        path: &Path,
        stamp: Option<FileStamp>,
        prepared: Option<Prepared>,
    ) {
        self.replace_project_with(project, Some(path.to_path_buf()), prepared);
        self.doc.disk_stamp = stamp;
        self.doc.since_save = Some(Changes::default());
        self.say(|l| format!("{}: {}", Text::Opened.get(l), path.display()));
        self.remember_recent(path);
    }

    pub fn save_to(&mut self, path: &Path) -> anyhow::Result<()> {
        save_project_with(&self.doc.project, path, self.changes_to_save(path).as_ref(), &NoProgress)?;
        // Saved as another file: its basemaps come along (they live in the file, not in the model).
        if let Some(from) = self.doc.path.clone().filter(|from| from != path && from.exists()) {
            crate::io::gpkg::copy_basemaps(&from, path)?;
        }
        self.saved(path, FileStamp::read(path).ok().flatten());
        Ok(())
    }

    /// What a save at `path` needs to write: only what changed, when the file is ours as we last read or
    /// wrote it; else (Save As, a file another program changed, changes not known) `None`, every row
    /// compared.
    pub fn changes_to_save(&self, path: &Path) -> Option<Changes> {
        let same_file = self.doc.path.as_deref() == Some(path) && !self.doc.sample && !self.changed_on_disk();
        self.doc.since_save.clone().filter(|_| same_file)
    }

    /// The project was saved at `path` (whose file is now `stamp`): it is the project's file, unchanged.
    pub fn saved(&mut self, path: &Path, stamp: Option<FileStamp>) {
        self.doc.since_save = Some(Changes::default());
        self.autosave.discard();
        // Our own save is the file now (a save may write a new file and rename it over the old one).
        self.doc.disk_stamp = stamp;
        if self.doc.path.as_deref() != Some(path) {
            // Another file (Save As): its basemaps, whose relative paths are now relative to it.
            self.ui.view.basemaps.reopen(path, &self.doc.project, &self.settings);
        }
        self.doc.path = Some(path.to_path_buf());
        self.doc.dirty = false;
        self.doc.sample = false;
        // Saved as a file, the project is that file now: Save writes there, not to the database.
        self.doc.database = None;
        self.say(|l| format!("{}: {}", Text::Saved.get(l), path.display()));
        self.remember_recent(path);
    }

    /// Whether the project's file changed on disk since we read or wrote it (another program saved it):
    /// saving now would overwrite their work.
    pub fn changed_on_disk(&self) -> bool {
        self.doc
            .path
            .as_deref()
            .is_some_and(|p| FileStamp::changed_since(p, self.doc.disk_stamp.as_ref()).unwrap_or(false))
    }

    /// Applies a prepared import as one undoable step.
    pub(super) fn apply_import(&mut self, read: ReadImport) -> anyhow::Result<()> {
        let (layer, summary): (Box<dyn Fn(Lang) -> String>, _) = match &read {
            ReadImport::Layer(p) => {
                let target = p.target();
                (Box::new(move |l| crate::text::layers::target_label(target, l).to_string()), p.summary.clone())
            }
            ReadImport::Reference(p) => {
                let name = p.layer.name.clone();
                (Box::new(move |l| format!("{} {name}", crate::text::layers::reference_choice(l))), p.summary.clone())
            }
        };
        let command = match read {
            ReadImport::Layer(p) => p.into_command(&self.doc.project),
            ReadImport::Reference(p) => p.into_command(&self.doc.project),
        };
        let grids = command.grids();
        self.doc.history.apply(Arc::make_mut(&mut self.doc.project), StepKind::Import, command)?;
        self.doc.dirty = true;
        self.changed_with(grids);
        self.ui.view.fit_pending = true;
        self.say(move |l| {
            format!("{}: {} × {} ({})", Text::Imported.get(l), summary.features, layer(l), summary.source_crs)
        });
        Ok(())
    }

    /// Where file dialogs start: the project's folder, else the working directory.
    pub fn start_dir(&self) -> PathBuf {
        self.doc
            .path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .filter(|p| p.is_dir())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

fn lonlat_transformer(project: &Project) -> Option<Transformer> {
    let wgs84 = crs_from_epsg(4326).ok()?;
    Transformer::new(&SourceCrs::Epsg(project.crs.clone()), &wgs84).ok()
}

pub fn load_sample() -> anyhow::Result<Project> {
    // Unique per call: tests open the sample from several threads of one process.
    static OPENED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("wangge-sample-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("jingxian.gpkg");
    std::fs::write(&path, SAMPLE_GPKG)?;
    let project = open_project(&path);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(project?)
}

impl From<&StatusLine> for eframe::egui::WidgetText {
    fn from(status: &StatusLine) -> Self {
        status.text().into()
    }
}
