//! Everything the window shows, with the operations the menus trigger. No egui here beyond the view.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use geo::Coord;

use super::canvas::{LayerVisibility, MapView};
use super::i18n::{Lang, Text};
use super::map_cache::MapCache;
use super::settings::Settings;
use crate::core::Project;
use crate::io::crs::{SourceCrs, Transformer, crs_from_epsg, parse_crs_arg};
use crate::io::export::{Layer, export};
use crate::io::fields::parse_map_args;
use crate::io::import::{ImportOptions, Target, import_layer, read_source};
use crate::io::{open_project, save_project};

/// The bundled 泾县 sample, compiled in so that `wangge` opens it from anywhere.
const SAMPLE_GPKG: &[u8] = include_bytes!("../../sample-maps/jingxian.gpkg");

pub struct AppState {
    pub project: Project,
    /// Where the project is saved; `None` for the bundled sample and new projects (Save asks where).
    pub path: Option<PathBuf>,
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
}

impl AppState {
    pub fn new(project: Project, path: Option<PathBuf>, settings: Settings) -> AppState {
        let to_lonlat = lonlat_transformer(&project);
        AppState {
            cache: MapCache::build(&project, 0),
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

    /// Replaces the project (after open) and resets the view.
    pub fn replace_project(&mut self, project: Project, path: Option<PathBuf>) {
        self.to_lonlat = lonlat_transformer(&project);
        self.project = project;
        self.path = path;
        self.dirty = false;
        self.changed();
        self.view.fit_pending = true;
    }

    /// Call after every change of the project.
    pub fn changed(&mut self) {
        self.revision += 1;
        self.cache = MapCache::build(&self.project, self.revision);
    }

    pub fn window_title(&self) -> String {
        let marker = if self.dirty { " *" } else { "" };
        format!("网格 Wangge — {}{marker}", self.project.name)
    }

    pub fn cursor_lonlat(&self) -> Option<Coord<f64>> {
        self.to_lonlat.as_ref()?.apply(self.cursor_in_world?).ok()
    }

    pub fn open(&mut self, path: &Path) -> anyhow::Result<()> {
        let project = open_project(path)?;
        self.replace_project(project, Some(path.to_path_buf()));
        self.status = format!("{}: {}", self.t(Text::Opened), path.display());
        Ok(())
    }

    pub fn save_to(&mut self, path: &Path) -> anyhow::Result<()> {
        save_project(&self.project, path)?;
        self.path = Some(path.to_path_buf());
        self.dirty = false;
        self.status = format!("{}: {}", self.t(Text::Saved), path.display());
        Ok(())
    }

    /// Imports a file into the open project; the project is unchanged if anything fails.
    pub fn import(&mut self, src: &Path, target: Target, crs: &str, map: &str) -> anyhow::Result<()> {
        let pairs: Vec<String> = map.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
        let options = ImportOptions {
            crs_override: if crs.trim().is_empty() { None } else { Some(parse_crs_arg(crs)?) },
            field_map: parse_map_args(&pairs).map_err(anyhow::Error::msg)?,
            layer: None,
        };
        let source = read_source(src, None)?;
        let summary = import_layer(&mut self.project, &source, target, &options, &mut |_, _| {})?;
        self.dirty = true;
        self.changed();
        self.view.fit_pending = true;
        self.status = format!("{}: {} × {target:?} ({})", self.t(Text::Imported), summary.features, summary.source_crs);
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
