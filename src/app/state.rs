//! Everything the window shows, with the operations the menus trigger. No egui here beyond the view.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use geo::Coord;

use std::collections::BTreeSet;

use super::canvas::{LayerVisibility, MapView};
use super::live_coverage::LiveCoverage;
use super::map_cache::MapCache;
use crate::core::edit::{Command, History, SpatialIndex};
use crate::core::tools::{Edit, Tool, ToolKind};
use crate::core::{GridId, Project};
use crate::io::crs::{SourceCrs, Transformer, crs_from_epsg, parse_crs_arg};
use crate::io::export::{Layer, export};
use crate::io::fields::parse_map_args;
use crate::io::import::{ImportOptions, PreparedImport, Target, prepare_import, read_source};
use crate::io::{FileStamp, open_project, open_project_stamped, save_project};
use crate::text::Settings;
use crate::text::edits::{done_text, failure_text};
use crate::text::{Lang, Text};

/// The bundled 泾县 sample, compiled in so that `wangge` opens it from anywhere.
const SAMPLE_GPKG: &[u8] = include_bytes!("../../sample-maps/jingxian.gpkg");

pub struct AppState {
    pub project: Project,
    /// Where the project is saved; `None` for the bundled sample and new projects (Save asks where).
    pub path: Option<PathBuf>,
    /// The file at `path` as we last read or wrote it: a save over a file that differs (another program
    /// saved it since) asks first. `None`: not known, or there was no file.
    pub disk_stamp: Option<FileStamp>,
    pub dirty: bool,
    /// Bumped on every change of the project, so caches know when to rebuild.
    pub revision: u64,
    pub view: MapView,
    pub cache: MapCache,
    pub layers: LayerVisibility,
    pub show_layers_panel: bool,
    pub show_checks_panel: bool,
    pub settings: Settings,
    pub status: String,
    pub cursor_in_world: Option<Coord<f64>>,
    to_lonlat: Option<Transformer>,
    /// The editor: one undo/redo history, the selection, the active tool and what it snaps to.
    pub history: History,
    pub selection: BTreeSet<GridId>,
    pub tool: Tool,
    pub snapping: bool,
    /// Snapping and picking reach on screen, in points.
    pub snap_px: f32,
    pub index: SpatialIndex,
    pub coverage: LiveCoverage,
    /// The coverage finding picked in the panel, its fixes (computed once, when picked) and the fix
    /// being previewed.
    pub picked_finding: Option<usize>,
    pub picked_fixes: Vec<crate::core::coverage::fixes::Fix>,
    pub previewed_fix: Option<usize>,
    /// Grids per village code for the layers tree, with the revision they were counted at.
    pub village_counts: (u64, std::collections::BTreeMap<String, usize>),
    pub show_attributes: bool,
    pub show_coverage_panel: bool,
    pub last_recovery_save: std::time::Instant,
}

impl AppState {
    /// The state for `project`, read from `path` (the file as it is now is taken as what was read).
    pub fn new(project: Project, path: Option<PathBuf>, settings: Settings) -> AppState {
        let to_lonlat = lonlat_transformer(&project);
        AppState {
            disk_stamp: path.as_deref().and_then(|p| FileStamp::read(p).ok().flatten()),
            cache: MapCache::build(&project),
            index: SpatialIndex::build(&project),
            coverage: LiveCoverage::build(&project),
            history: History::default(),
            selection: BTreeSet::new(),
            tool: Tool::new(ToolKind::Select),
            snapping: true,
            snap_px: 10.0,
            picked_finding: None,
            picked_fixes: Vec::new(),
            previewed_fix: None,
            village_counts: (u64::MAX, Default::default()),
            show_attributes: true,
            show_coverage_panel: true,
            last_recovery_save: std::time::Instant::now(),
            project,
            path,
            dirty: false,
            revision: 0,
            view: MapView::default(),
            layers: LayerVisibility::default(),
            show_layers_panel: true,
            show_checks_panel: true,
            settings,
            status: String::new(),
            cursor_in_world: None,
            to_lonlat,
        }
    }

    /// Opens the bundled sample (from a temporary copy, as SQLite needs a file).
    pub fn sample(settings: Settings) -> anyhow::Result<AppState> {
        let project = load_sample()?;
        let mut state = AppState::new(project, None, settings);
        state.status = Text::SampleReadOnly.get(state.lang()).to_string();
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
        if let Err(e) = self.settings.save() {
            self.status = format!("cannot remember the language: {e}");
        }
    }

    /// Replaces the project (after open) and resets the view. The caller sets `disk_stamp`.
    pub fn replace_project(&mut self, project: Project, path: Option<PathBuf>) {
        self.to_lonlat = lonlat_transformer(&project);
        self.project = project;
        self.path = path;
        self.disk_stamp = None;
        self.dirty = false;
        self.history = History::default();
        self.selection.clear();
        self.tool = Tool::new(self.tool.kind());
        self.changed();
        self.view.fit_pending = true;
    }

    /// Call after a change of the whole project (open, import): rebuilds every cache.
    pub fn changed(&mut self) {
        self.revision += 1;
        self.cache = MapCache::build(&self.project);
        self.index = SpatialIndex::build(&self.project);
        self.coverage = LiveCoverage::build(&self.project);
        self.selection.retain(|id| self.project.grids.contains_key(id));
        self.unpick();
    }

    /// Call after an edit of some grids: updates the caches and re-checks coverage around them only.
    pub fn grids_changed(&mut self, grids: BTreeSet<GridId>) {
        self.revision += 1;
        self.dirty = true;
        self.cache.update(&self.project, &grids);
        self.index.update(&self.project, &grids);
        self.coverage.update(&self.project, &grids);
        self.selection.retain(|id| self.project.grids.contains_key(id));
        self.unpick();
    }

    /// Picks a coverage finding: its fixes are computed now, not every frame.
    pub fn pick(&mut self, finding: usize) {
        self.picked_finding = Some(finding);
        self.picked_fixes = self.coverage.fixes_for(finding);
        self.previewed_fix = None;
    }

    /// Forgets the picked finding (the coverage changed under it).
    pub fn unpick(&mut self) {
        self.picked_finding = None;
        self.picked_fixes.clear();
        self.previewed_fix = None;
    }

    /// Grids per village code, counted once per revision.
    pub fn village_counts(&mut self) -> &std::collections::BTreeMap<String, usize> {
        if self.village_counts.0 != self.revision {
            let mut counts = std::collections::BTreeMap::new();
            for g in self.project.grids.values() {
                *counts.entry(g.village_code.clone()).or_default() += 1;
            }
            self.village_counts = (self.revision, counts);
        }
        &self.village_counts.1
    }

    /// Applies an edit through the history, updates everything and says what happened.
    pub fn commit(&mut self, edit: Edit) {
        let label = format!("{:?}", edit.kind);
        let status = done_text(&edit, self.lang());
        self.apply_command(label, edit.command, status);
    }

    /// Applies a command as one undoable step.
    pub fn apply_command(&mut self, label: String, command: Command, status: String) {
        let first_new = self.project.next_grid_id;
        let mut grids: BTreeSet<GridId> = command.grids().into_iter().filter(|id| *id != 0).collect();
        match self.history.apply(&mut self.project, label, command, None) {
            Ok(()) => {
                grids.extend(first_new..self.project.next_grid_id);
                self.status = status;
                self.grids_changed(grids);
            }
            Err(e) => self.status = format!("{e}"),
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
        let whole = self.history.next_changes_other_layers(back);
        let (grids, result, done) = if back {
            (self.history.next_undo_grids(), self.history.undo(&mut self.project), ("已撤销", "Undone"))
        } else {
            (self.history.next_redo_grids(), self.history.redo(&mut self.project), ("已重做", "Redone"))
        };
        match result {
            Ok(Some(label)) => {
                let lang = self.lang();
                self.status = format!("{}: {}", crate::text::pick(lang, done.0, done.1), edit_label(&label, lang));
                if whole {
                    self.dirty = true;
                    self.changed();
                } else {
                    self.grids_changed(grids.into_iter().collect());
                }
            }
            Ok(None) => {}
            Err(e) => self.status = e.to_string(),
        }
    }

    /// Says why a tool could not do what was asked (in the status bar; nothing fails silently).
    pub fn refused(&mut self, failure: &crate::core::edit::EditFailure) {
        self.status = failure_text(failure, &self.project, self.lang());
    }

    pub fn set_tool(&mut self, kind: ToolKind) {
        if self.tool.kind() != kind {
            self.tool = Tool::new(kind);
        }
    }

    pub fn window_title(&self) -> String {
        let marker = if self.dirty { " *" } else { "" };
        format!("网格 Wangge — {}{marker}", self.project.name)
    }

    pub fn cursor_lonlat(&self) -> Option<Coord<f64>> {
        self.to_lonlat.as_ref()?.apply(self.cursor_in_world?).ok()
    }

    pub fn open(&mut self, path: &Path) -> anyhow::Result<()> {
        let (project, stamp) = open_project_stamped(path)?;
        self.replace_project(project, Some(path.to_path_buf()));
        self.disk_stamp = stamp;
        self.status = format!("{}: {}", self.t(Text::Opened), path.display());
        Ok(())
    }

    pub fn save_to(&mut self, path: &Path) -> anyhow::Result<()> {
        save_project(&self.project, path)?;
        super::recovery::discard();
        // Our own save is the file now (a save may write a new file and rename it over the old one).
        self.disk_stamp = FileStamp::read(path).ok().flatten();
        self.path = Some(path.to_path_buf());
        self.dirty = false;
        self.status = format!("{}: {}", self.t(Text::Saved), path.display());
        Ok(())
    }

    /// Whether the project's file changed on disk since we read or wrote it (another program saved it):
    /// saving now would overwrite their work.
    pub fn changed_on_disk(&self) -> bool {
        self.path.as_deref().is_some_and(|p| FileStamp::changed_since(p, self.disk_stamp.as_ref()).unwrap_or(false))
    }

    /// Reads and checks a file for import into the open project, changing nothing yet: see
    /// [`PreparedImport::replaces`] for what it would replace, then [`AppState::apply_import`].
    pub fn prepare_import(&self, src: &Path, target: Target, crs: &str, map: &str) -> anyhow::Result<PreparedImport> {
        let pairs: Vec<String> = map.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
        let options = ImportOptions {
            crs_override: if crs.trim().is_empty() { None } else { Some(parse_crs_arg(crs)?) },
            field_map: parse_map_args(&pairs).map_err(anyhow::Error::msg)?,
            layer: None,
            replace: false,
            force: false,
        };
        let source = read_source(src, None)?;
        Ok(prepare_import(&self.project, &source, target, &options, &mut |_, _| {})?)
    }

    /// Applies a prepared import as one undoable step.
    pub fn apply_import(&mut self, prepared: PreparedImport) -> anyhow::Result<()> {
        let (target, summary) = (prepared.target(), prepared.summary.clone());
        let command = prepared.into_command(&self.project);
        self.history.apply(&mut self.project, "Import", command, None)?;
        self.dirty = true;
        self.changed();
        self.view.fit_pending = true;
        let layer = crate::text::layers::target_label(target, self.lang());
        self.status = format!("{}: {} × {layer} ({})", self.t(Text::Imported), summary.features, summary.source_crs);
        Ok(())
    }

    pub fn export(&mut self, layer: Layer, to: &Path, gbk: bool) -> anyhow::Result<()> {
        let encoding = if gbk { encoding_rs::GBK } else { encoding_rs::UTF_8 };
        let n = export(&self.project, layer, to, encoding).with_context(|| format!("export to {}", to.display()))?;
        self.status = format!("{}: {n} → {}", self.t(Text::Exported), to.display());
        Ok(())
    }

    /// Where file dialogs start: the project's folder, else the working directory.
    pub fn start_dir(&self) -> PathBuf {
        self.path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .filter(|p| p.is_dir())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// The label of a history step in the UI language (steps are labelled with their [`EditKind`] name).
pub fn edit_label(label: &str, lang: crate::text::Lang) -> String {
    crate::text::edits::kind_label(label, lang).to_string()
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
