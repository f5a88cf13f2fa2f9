//! The project's basemaps on the map (issue 14), under the grids: each source's switch and opacity, its
//! tiles as egui textures (each uploaded once, kept with its mesh, the least recently drawn dropped past
//! [`MAX_TILES`]), and a [`TileFetcher`] that loads them on worker threads. A frame asks for the tiles
//! of the view and draws what has arrived; a missing tile is drawn from its nearest loaded ancestor
//! meanwhile. Nothing here waits: a tile that arrives asks for a repaint (the fetcher's `on_result`).
//! The recipe is `core::basemap`'s module doc.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eframe::egui::{self, Align2, Color32, FontId, Painter, Rect, Shape, Ui, Vec2, epaint};
use geo::Coord;

use super::level_of_detail::ToScreen;
use crate::core::Project;
use crate::core::basemap::{BasemapSource, NewKind, TileId, TileMesh, tile_mesh, tiles_for_view};
use crate::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use crate::io::gpkg::list_basemaps;
use crate::io::tiles::{FetcherConfig, TileCache, TileError, TileFetcher};
use crate::text::{Lang, Settings};

/// Tiles (with or without a texture yet) kept per source; those drawn longest ago go first.
pub const MAX_TILES: usize = 400;
/// A tile the network failed to bring is asked for again after this.
const RETRY_AFTER: Duration = Duration::from_secs(10);
/// Mesh cells per tile side: a Web-Mercator tile is not a rectangle in a Gauss-Krüger project.
const MESH_CELLS: usize = 4;
/// How many zooms up a missing tile looks for a loaded ancestor to draw meanwhile.
const ANCESTOR_LEVELS: u8 = 8;
const CACHE_BYTES: u64 = 512 << 20;
const CACHE_AGE: Duration = Duration::from_secs(30 * 86_400);

/// A tile that could not be had.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Failure {
    /// Not worth asking again (a bad key, no such tile, a broken image).
    ForGood,
    /// The network: asked again after this instant.
    RetryAt(Instant),
}

#[derive(Default)]
struct Slot {
    texture: Option<egui::TextureHandle>,
    failed: Option<Failure>,
    /// The tile's mesh in the project's CRS, made once (`Some(None)`: the tile cannot be placed).
    mesh: Option<Option<TileMesh>>,
    /// The frame it was last drawn in (or drawn from).
    used: u64,
}

/// One basemap of the project: its source, whether and how strongly it is drawn, and its tiles.
pub struct BasemapLayer {
    pub source: Arc<BasemapSource>,
    pub on: bool,
    /// 0 (not drawn) to 1 (opaque).
    pub opacity: f32,
    source_id: String,
    slots: HashMap<TileId, Slot>,
    /// The zoom of the tiles the last frame wanted (0 before any).
    pub zoom: u8,
    /// An error of this source was said in the status bar already (once is enough).
    said: bool,
}

impl BasemapLayer {
    fn new(source: BasemapSource) -> BasemapLayer {
        BasemapLayer {
            source_id: source.cache_id(),
            source: Arc::new(source),
            on: true,
            opacity: 1.0,
            slots: HashMap::new(),
            zoom: 0,
            said: false,
        }
    }

    /// Tiles with a texture, ready to draw.
    pub fn textures(&self) -> usize {
        self.slots.values().filter(|s| s.texture.is_some()).count()
    }

    fn visible(&self) -> bool {
        self.on && self.opacity > 0.0
    }
}

/// What the fetcher is made with, known when the project opens; the fetcher itself is made by the first
/// frame that draws (it needs the egui context to ask for repaints).
#[derive(Default)]
struct Setup {
    cache_dir: Option<PathBuf>,
    base_dir: Option<PathBuf>,
    key: Option<String>,
    offline: bool,
}

type Message = Box<dyn Fn(Lang) -> String + Send>;

/// The basemaps of the open project, bottom first.
#[derive(Default)]
pub struct Basemaps {
    pub layers: Vec<BasemapLayer>,
    fetcher: Option<TileFetcher>,
    setup: Setup,
    to_wgs84: Option<Transformer>,
    from_wgs84: Option<Transformer>,
    frame: u64,
    /// The tiles the last frame wanted, hashed: when it changes, the queued requests of the old view go.
    cover_key: u64,
    /// Tile meshes drawn in the last frame (own textures or an ancestor's part).
    drawn: usize,
    /// For the status bar, once.
    message: Option<Message>,
    /// The 天地图 key as typed in the layers panel.
    key_text: String,
    /// The layers panel's form for adding one.
    pub new: NewBasemap,
}

/// The layers panel's form: a name (the kind's own when left empty), a kind, and a URL template or a
/// file path where the kind needs one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewBasemap {
    pub name: String,
    pub kind: NewKind,
    pub text: String,
}

impl NewBasemap {
    /// The sources to add for the project at `project` (a 天地图 base comes with its 注记 layer on top),
    /// checked: a bad template, a file that is not MBTiles or not a georeferenced GeoTIFF is an error.
    pub fn sources(&self, project: &Path, lang: Lang) -> anyhow::Result<Vec<BasemapSource>> {
        use crate::core::basemap::TiandituLayer;
        let name = match self.name.trim() {
            "" => crate::text::basemap::kind_name(self.kind, lang),
            n => n.to_string(),
        };
        let text = self.text.trim();
        let file = || crate::io::tiles::resolve_stored_path(project.parent(), text);
        let tianditu = |layer: TiandituLayer| BasemapSource::tianditu_named(layer, &name, true);
        Ok(match self.kind {
            NewKind::TiandituImg => tianditu(TiandituLayer::Img),
            NewKind::TiandituVec => tianditu(TiandituLayer::Vec),
            NewKind::TiandituTer => tianditu(TiandituLayer::Ter),
            NewKind::Osm => vec![BasemapSource { name, ..BasemapSource::openstreetmap() }],
            NewKind::Xyz => vec![BasemapSource::xyz(&name, text)?],
            NewKind::Mbtiles => vec![crate::io::tiles::mbtiles_source(&name, &file(), project)?],
            NewKind::GeoTiff => vec![crate::io::tiles::geotiff_source(&name, &file(), project)?.0],
        })
    }
}

impl Basemaps {
    /// Reads the basemaps of the project at `path` (none for a project not saved yet), dropping those of
    /// the project open before. The tile cache is kept beside the settings file, in `tiles/`.
    pub fn open(&mut self, path: Option<&Path>, project: &Project, settings: &Settings) {
        *self = Basemaps::default();
        self.key_text = settings.tianditu_key.clone().unwrap_or_default();
        let Some(path) = path else { return };
        match list_basemaps(path) {
            Ok(sources) => self.layers = sources.into_iter().map(BasemapLayer::new).collect(),
            Err(e) => {
                let e = anyhow::Error::from(e);
                self.message = Some(Box::new(move |l| {
                    crate::text::basemap::unreadable(&crate::text::io_errors::error_chain_text(&e, l), l)
                }));
            }
        }
        if self.layers.is_empty() {
            return;
        }
        if let Ok(wgs84) = crs_from_epsg(4326) {
            self.to_wgs84 = Transformer::new(&SourceCrs::Epsg(project.crs.clone()), &wgs84).ok();
            self.from_wgs84 = Transformer::new(&SourceCrs::Epsg(wgs84), &project.crs).ok();
        }
        self.setup = Setup {
            cache_dir: settings.file.as_deref().and_then(Path::parent).map(|d| d.join("tiles")),
            base_dir: path.parent().map(Path::to_path_buf),
            key: settings.tianditu_key.clone(),
            offline: settings.offline,
        };
    }

    /// Reads the basemaps again from the project's new file (after Save As), keeping each one's switch
    /// and opacity by name.
    pub fn reopen(&mut self, path: &Path, project: &Project, settings: &Settings) {
        let kept: HashMap<String, (bool, f32)> =
            self.layers.iter().map(|l| (l.source.name.clone(), (l.on, l.opacity))).collect();
        let form = std::mem::take(&mut self.new);
        self.open(Some(path), project, settings);
        self.new = form;
        for layer in &mut self.layers {
            if let Some(&(on, opacity)) = kept.get(&layer.source.name) {
                (layer.on, layer.opacity) = (on, opacity);
            }
        }
    }

    /// Whether any basemap is drawn: the map's fills then let it show through.
    pub fn any_visible(&self) -> bool {
        self.layers.iter().any(BasemapLayer::visible)
    }

    /// The basemap `name` as printing needs it: its tiles from the app's cache (the tiles viewed are
    /// there), the network, or its MBTiles file beside the project; the 天地图 key from the settings.
    pub fn print_source(&self, name: &str) -> Option<crate::print::BasemapPrint> {
        let layer = self.layers.iter().find(|l| l.source.name == name)?;
        let mut print = crate::print::BasemapPrint::new((*layer.source).clone());
        print.cache = self.setup.cache_dir.clone().map(|dir| Arc::new(TileCache::new(dir, CACHE_BYTES, CACHE_AGE)));
        print.tianditu_key = self.setup.key.clone();
        print.base_dir = self.setup.base_dir.clone();
        // View › 离线工作 holds for printing too.
        print.offline = self.setup.offline;
        Some(print)
    }

    /// Tiles with a texture, over all sources.
    pub fn textures(&self) -> usize {
        self.layers.iter().map(BasemapLayer::textures).sum()
    }

    /// Tile meshes drawn in the last frame.
    pub fn drawn(&self) -> usize {
        self.drawn
    }

    /// Requests not answered yet.
    pub fn pending(&self) -> usize {
        self.fetcher.as_ref().map_or(0, TileFetcher::pending)
    }

    /// What to say in the status bar (once): why a source's tiles cannot be had.
    pub fn take_message(&mut self) -> Option<Message> {
        self.message.take()
    }

    /// Sets the 天地图 key for the requests that follow; tiles refused for want of one are asked again.
    pub fn set_key(&mut self, key: Option<String>) {
        if let Some(f) = &self.fetcher {
            f.set_tianditu_key(key.clone());
        }
        self.setup.key = key;
        for layer in self.layers.iter_mut().filter(|l| l.source.needs_key()) {
            layer.said = false;
            layer.slots.retain(|_, s| s.texture.is_some());
        }
    }

    /// Works offline (cache and local files only) or online again; tiles that could not be had are asked
    /// for again the new way.
    pub fn set_offline(&mut self, offline: bool) {
        if self.setup.offline == offline {
            return;
        }
        self.setup.offline = offline;
        // The workers keep their configuration: new ones, and the old ones' queue dropped with them.
        self.fetcher = None;
        self.cover_key = 0;
        for layer in &mut self.layers {
            layer.said = false;
            layer.slots.retain(|_, s| s.texture.is_some());
        }
    }

    fn fetcher(&mut self, ctx: &egui::Context) -> &mut TileFetcher {
        let setup = &self.setup;
        self.fetcher.get_or_insert_with(|| {
            let ctx = ctx.clone();
            TileFetcher::new(FetcherConfig {
                cache: setup.cache_dir.clone().map(|dir| Arc::new(TileCache::new(dir, CACHE_BYTES, CACHE_AGE))),
                tianditu_key: setup.key.clone(),
                base_dir: setup.base_dir.clone(),
                offline: setup.offline,
                on_result: Some(Arc::new(move || ctx.request_repaint())),
                ..FetcherConfig::default()
            })
        })
    }

    /// Takes the tiles that arrived: each becomes a texture, once.
    fn receive(&mut self, ctx: &egui::Context) {
        let results = self.fetcher(ctx).poll();
        let now = Instant::now();
        for result in results {
            let outcome = result.outcome.and_then(|(image, _)| {
                let size = [image.width as usize, image.height as usize];
                if image.rgba.len() != size[0] * size[1] * 4 {
                    return Err(TileError::BadImage(format!(
                        "{}×{} with {} bytes",
                        size[0],
                        size[1],
                        image.rgba.len()
                    )));
                }
                Ok(egui::ColorImage::from_rgba_unmultiplied(size, &image.rgba))
            });
            let t = result.tile;
            let mut texture: Option<egui::TextureHandle> = None;
            for layer in self.layers.iter_mut().filter(|l| l.source_id == result.source_id) {
                let slot = layer.slots.entry(t).or_default();
                match &outcome {
                    Ok(image) => {
                        let handle = texture.get_or_insert_with(|| {
                            let name = format!("basemap {} {}/{}/{}", result.source_id, t.z, t.x, t.y);
                            ctx.load_texture(name, image.clone(), egui::TextureOptions::LINEAR)
                        });
                        slot.texture = Some(handle.clone());
                        slot.failed = None;
                    }
                    Err(e) => {
                        slot.failed =
                            Some(if e.is_transient() { Failure::RetryAt(now + RETRY_AFTER) } else { Failure::ForGood });
                        // A tile missing at the edge of a source's coverage is no news.
                        if !layer.said && !matches!(e, TileError::NotFound(_)) {
                            layer.said = true;
                            let (name, e) = (layer.source.name.clone(), e.clone());
                            self.message = Some(Box::new(move |l| crate::text::basemap::tile_error(&name, &e, l)));
                        }
                    }
                }
            }
        }
    }

    /// Draws the visible basemaps into the canvas (call before the grids), asking for the tiles of the
    /// view that are missing.
    pub fn draw(&mut self, painter: &Painter, to: ToScreen, rect: Rect) {
        if self.layers.is_empty() {
            return;
        }
        let ctx = painter.ctx().clone();
        self.frame += 1;
        self.drawn = 0;
        self.receive(&ctx);
        let (Some(to_wgs84), Some(from_wgs84)) = (&self.to_wgs84, &self.from_wgs84) else { return };
        let ppp = f64::from(ctx.pixels_per_point());
        let size = Coord { x: f64::from(rect.width()) * ppp, y: f64::from(rect.height()) * ppp };
        let visible = to.vp.visible_world();
        let covers: Vec<_> = self
            .layers
            .iter()
            .map(|layer| {
                if !layer.visible() {
                    return Default::default();
                }
                let src = &layer.source;
                tiles_for_view(
                    visible,
                    size,
                    |p| Some(src.tile_lonlat(to_wgs84.apply(p).ok()?)),
                    src.min_zoom..=src.max_zoom,
                )
            })
            .collect();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for cover in &covers {
            (cover.zoom, cover.tiles.first(), cover.tiles.last(), cover.tiles.len()).hash(&mut hasher);
        }
        let key = hasher.finish();
        let Some(fetcher) = self.fetcher.as_mut() else { return };
        if key != self.cover_key {
            fetcher.cancel_pending();
            self.cover_key = key;
        }
        let (frame, now) = (self.frame, Instant::now());
        let mut retry_soon = false;
        for (layer, cover) in self.layers.iter_mut().zip(&covers) {
            layer.zoom = cover.zoom;
            let tint = Color32::WHITE.gamma_multiply(layer.opacity.clamp(0.0, 1.0));
            let (source, gcj02) = (Arc::clone(&layer.source), layer.source.gcj02);
            let place = |t: TileId| tile_mesh(t, gcj02, MESH_CELLS, |c| from_wgs84.apply(c).ok());
            for &tile in &cover.tiles {
                let slot = layer.slots.entry(tile).or_default();
                slot.used = frame;
                if let Some(texture) = slot.texture.as_ref().map(egui::TextureHandle::id) {
                    let mesh = slot.mesh.get_or_insert_with(|| place(tile));
                    self.drawn += usize::from(add_tile(painter, to, mesh.as_ref(), texture, |uv| uv, tint));
                    continue;
                }
                match slot.failed {
                    Some(Failure::ForGood) => {}
                    Some(Failure::RetryAt(at)) if at > now => retry_soon = true,
                    _ => {
                        if fetcher.request(&source, tile) {
                            slot.failed = None;
                        }
                    }
                }
                // Meanwhile, the part of the nearest loaded ancestor this tile covers.
                let mut ancestor = tile.parent();
                let mut found = None;
                while let Some(a) = ancestor.filter(|a| tile.z - a.z <= ANCESTOR_LEVELS && a.z >= source.min_zoom) {
                    if let Some(s) = layer.slots.get_mut(&a)
                        && let Some(texture) = &s.texture
                    {
                        s.used = frame;
                        found = Some((a, texture.id()));
                        break;
                    }
                    ancestor = a.parent();
                }
                if let Some((a, texture)) = found
                    && let Some(slot) = layer.slots.get_mut(&tile)
                {
                    let levels = u32::from(tile.z - a.z);
                    let n = f64::from(1u32 << levels);
                    let (dx, dy) = (f64::from(tile.x - (a.x << levels)), f64::from(tile.y - (a.y << levels)));
                    let mesh = slot.mesh.get_or_insert_with(|| place(tile));
                    let uv = |c: Coord<f64>| Coord { x: (dx + c.x) / n, y: (dy + c.y) / n };
                    self.drawn += usize::from(add_tile(painter, to, mesh.as_ref(), texture, uv, tint));
                }
            }
            evict(&mut layer.slots, frame);
        }
        if retry_soon {
            ctx.request_repaint_after(RETRY_AFTER);
        }
    }

    /// The attributions of the basemaps drawn, at the map's bottom-right (the sources' terms ask for it).
    pub fn draw_attribution(&self, painter: &Painter, rect: Rect) {
        // Each attribution once: a 天地图 base with its labels, or two OSM layers, credit one source.
        let mut credits: Vec<&str> = Vec::new();
        for layer in self.layers.iter().filter(|l| l.visible() && !l.source.attribution.is_empty()) {
            if !credits.contains(&layer.source.attribution.as_str()) {
                credits.push(&layer.source.attribution);
            }
        }
        if credits.is_empty() {
            return;
        }
        let text = credits.join(" | ");
        let galley = painter.layout_no_wrap(text, FontId::proportional(11.0), Color32::from_gray(40));
        let at = rect.right_bottom() - Vec2::new(4.0, 4.0);
        let area = Align2::RIGHT_BOTTOM.anchor_size(at, galley.size()).expand(2.0);
        painter.rect_filled(area, 2.0, Color32::from_white_alpha(200));
        painter.galley(area.min + Vec2::splat(2.0), galley, Color32::from_gray(40));
    }
}

/// Drops the tiles drawn longest ago while a source holds more than [`MAX_TILES`] (never those of this
/// frame).
fn evict(slots: &mut HashMap<TileId, Slot>, frame: u64) {
    if slots.len() <= MAX_TILES {
        return;
    }
    let mut old: Vec<(u64, TileId)> =
        slots.iter().filter(|(_, s)| s.used != frame).map(|(t, s)| (s.used, *t)).collect();
    old.sort_unstable_by_key(|(used, _)| *used);
    let excess = slots.len() - MAX_TILES;
    for (_, t) in old.into_iter().take(excess) {
        slots.remove(&t);
    }
}

/// One tile's mesh as a textured egui mesh: `uv` maps the mesh's texture coordinates into the texture
/// (the identity for the tile's own, a part of an ancestor's). False when the tile cannot be placed.
fn add_tile(
    painter: &Painter,
    to: ToScreen,
    mesh: Option<&TileMesh>,
    texture: egui::TextureId,
    uv: impl Fn(Coord<f64>) -> Coord<f64>,
    tint: Color32,
) -> bool {
    let Some(mesh) = mesh else { return false };
    let mut out = epaint::Mesh::with_texture(texture);
    out.reserve_vertices(mesh.vertices.len());
    for v in &mesh.vertices {
        let c = uv(v.uv);
        out.vertices.push(epaint::Vertex { pos: to.pos(v.world), uv: egui::pos2(c.x as f32, c.y as f32), color: tint });
    }
    let n = mesh.cells as u32 + 1;
    out.reserve_triangles(mesh.cells * mesh.cells * 2);
    for row in 0..mesh.cells as u32 {
        for col in 0..mesh.cells as u32 {
            let i = row * n + col;
            out.add_triangle(i, i + 1, i + n);
            out.add_triangle(i + 1, i + n + 1, i + n);
        }
    }
    painter.add(Shape::mesh(out));
    true
}

/// The basemap section of the layers panel (under the grid layers): each source's switch and opacity,
/// and the 天地图 key when a source needs one (saved in the user's settings, never in the project).
pub fn layers_section(
    ui: &mut Ui,
    basemaps: &mut Basemaps,
    settings: &mut Settings,
    lang: Lang,
    actions: &mut Vec<super::action::Action>,
) {
    use crate::text::basemap as words;
    ui.separator();
    ui.label(egui::RichText::new(words::section_title(lang)).strong());
    // Top of the drawing order first, as layer lists go.
    for (i, layer) in basemaps.layers.iter_mut().enumerate().rev() {
        ui.push_id(("basemap", i), |ui| {
            ui.horizontal(|ui| {
                ui.checkbox(&mut layer.on, layer.source.name.as_str());
                let remove = ui.small_button("×").on_hover_text(words::remove(&layer.source.name, lang));
                if remove.clicked() {
                    actions.push(super::action::Action::RemoveBasemap(layer.source.name.clone()));
                }
            });
            ui.add_enabled(
                layer.on,
                egui::Slider::new(&mut layer.opacity, 0.0..=1.0).text(words::opacity(lang)).fixed_decimals(2),
            );
        });
    }
    if basemaps.layers.iter().any(|l| l.source.needs_key()) {
        let label = ui.label(words::tianditu_key(lang)).on_hover_text(words::tianditu_key_hint(lang));
        let field = egui::TextEdit::singleline(&mut basemaps.key_text).password(true).desired_width(180.0);
        let r = ui.add(field).labelled_by(label.id);
        let typed = Some(basemaps.key_text.trim().to_string()).filter(|k| !k.is_empty());
        if r.lost_focus() && typed != settings.tianditu_key {
            settings.tianditu_key = typed.clone();
            basemaps.set_key(typed);
            if let Err(e) = settings.save() {
                let e = e.to_string();
                basemaps.message = Some(Box::new(move |l| crate::text::basemap::key_not_saved(&e, l)));
            }
        }
    }
    egui::CollapsingHeader::new(words::add_title(lang)).id_salt("add basemap").show(ui, |ui| {
        let form = &mut basemaps.new;
        let label = ui.label(words::name_label(lang));
        ui.add(
            egui::TextEdit::singleline(&mut form.name)
                .desired_width(180.0)
                .hint_text(words::kind_name(form.kind, lang)),
        )
        .labelled_by(label.id);
        egui::ComboBox::new("basemap kind", words::kind_label(lang))
            .selected_text(words::kind_name(form.kind, lang))
            .show_ui(ui, |ui| {
                for kind in NewKind::ALL {
                    ui.selectable_value(&mut form.kind, kind, words::kind_name(kind, lang));
                }
            });
        if form.kind.needs_text() {
            let label = ui.label(words::text_label(form.kind, lang));
            ui.add(egui::TextEdit::singleline(&mut form.text).desired_width(220.0)).labelled_by(label.id);
        }
        let ready = !form.kind.needs_text() || !form.text.trim().is_empty();
        if ui.add_enabled(ready, egui::Button::new(words::add_button(lang))).clicked() {
            actions.push(super::action::Action::AddBasemap(Box::new(form.clone())));
        }
    });
}
