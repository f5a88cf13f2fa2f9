//! The map canvas: pan by drag, zoom by wheel around the cursor, Home to fit; draws the boundary,
//! divisions and grids from the [`MapCache`] with their names, culled to the visible rectangle.

use eframe::egui::{self, Align2, Color32, FontId, Pos2, Sense, Shape, Stroke, Ui, epaint::Mesh};
use geo::{Coord, Intersects};

use super::map_cache::{DrawnFeature, MapCache};
use std::collections::BTreeMap;

use crate::core::{GridId, Project, Viewport};

/// Which layers are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerVisibility {
    pub boundary: bool,
    pub divisions: bool,
    pub grids: bool,
    pub households: bool,
    pub labels: bool,
}

impl Default for LayerVisibility {
    fn default() -> Self {
        LayerVisibility { boundary: true, divisions: true, grids: true, households: true, labels: true }
    }
}

/// The view and whether it still has to be fitted to the project (done once the canvas has a size).
pub struct MapView {
    pub viewport: Viewport,
    pub fit_pending: bool,
}

impl Default for MapView {
    fn default() -> Self {
        MapView { viewport: Viewport::new(Coord { x: 800.0, y: 600.0 }), fit_pending: true }
    }
}

const BACKGROUND: Color32 = Color32::from_rgb(246, 246, 240);
const BOUNDARY_FILL: Color32 = Color32::from_rgb(226, 238, 218);
const BOUNDARY_LINE: Color32 = Color32::from_rgb(150, 40, 40);
const DIVISION_LINE: Color32 = Color32::from_rgb(120, 70, 160);
const GRID_LINE: Color32 = Color32::from_rgb(60, 60, 60);
const HOUSEHOLD_DOT: Color32 = Color32::from_rgb(200, 90, 20);
/// Codes previewed from the code-rule window, not yet applied.
const PREVIEW_TEXT: Color32 = Color32::from_rgb(20, 70, 200);
/// Pastel fills; neighbour-aware colouring comes with the editor.
const GRID_FILLS: [Color32; 8] = [
    Color32::from_rgb(251, 180, 174),
    Color32::from_rgb(179, 205, 227),
    Color32::from_rgb(204, 235, 197),
    Color32::from_rgb(222, 203, 228),
    Color32::from_rgb(254, 217, 166),
    Color32::from_rgb(255, 255, 204),
    Color32::from_rgb(229, 216, 189),
    Color32::from_rgb(253, 218, 236),
];

/// Shows the canvas; returns the cursor position in world coordinates while the pointer is over it.
pub fn show(
    ui: &mut Ui,
    view: &mut MapView,
    cache: &MapCache,
    project: &Project,
    layers: LayerVisibility,
    preview_codes: Option<&BTreeMap<GridId, String>>,
) -> Option<Coord<f64>> {
    let (response, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
    let rect = response.rect;
    view.viewport.size_on_screen = Coord { x: rect.width() as f64, y: rect.height() as f64 };
    if view.fit_pending && rect.width() > 10.0 {
        if let Some(extent) = project.extent() {
            view.viewport.fit(extent);
        }
        view.fit_pending = false;
    }
    let to_local = |p: Pos2| Coord { x: (p.x - rect.min.x) as f64, y: (p.y - rect.min.y) as f64 };
    if response.dragged() {
        let d = response.drag_delta();
        view.viewport.pan(Coord { x: d.x as f64, y: d.y as f64 });
    }
    let hover = response.hover_pos();
    if let Some(pos) = hover {
        let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta().y, i.zoom_delta()));
        let factor = if zoom != 1.0 { zoom as f64 } else { (scroll as f64 / 200.0).exp() };
        if factor != 1.0 {
            view.viewport.zoom_at(to_local(pos), factor);
        }
    }
    if (response.has_focus() || response.hovered()) && ui.input(|i| i.key_pressed(egui::Key::Home)) {
        view.fit_pending = true;
        ui.ctx().request_repaint();
    }
    painter.rect_filled(rect, 0.0, BACKGROUND);
    let vp = view.viewport;
    let to_screen = |c: Coord<f64>| {
        let s = vp.to_screen(c);
        Pos2::new(rect.min.x + s.x as f32, rect.min.y + s.y as f32)
    };
    let visible = vp.visible_world();
    let on_screen = |f: &DrawnFeature| f.extent.is_some_and(|e| e.intersects(&visible));
    let screen_size = |f: &DrawnFeature| f.extent.map_or(0.0, |e| (e.width().max(e.height()) / vp.world_per_px) as f32);

    if layers.boundary
        && let Some(b) = &cache.boundary
    {
        fill(&painter, b, BOUNDARY_FILL, &to_screen);
    }
    if layers.grids {
        for (id, g) in cache.grids.iter().filter(|(_, g)| on_screen(g)) {
            fill(&painter, g, GRID_FILLS[(*id as usize) % GRID_FILLS.len()], &to_screen);
            outline(&painter, g, Stroke::new(1.0, GRID_LINE), &to_screen);
        }
    }
    if layers.divisions {
        for d in cache.divisions.iter().filter(|d| on_screen(d)) {
            outline(&painter, d, Stroke::new(1.5, DIVISION_LINE), &to_screen);
        }
    }
    if layers.boundary
        && let Some(b) = &cache.boundary
    {
        outline(&painter, b, Stroke::new(2.5, BOUNDARY_LINE), &to_screen);
    }
    if layers.households {
        for h in project.households.iter().filter(|h| visible.intersects(&h.position)) {
            painter.circle_filled(to_screen(h.position.0), 2.0, HOUSEHOLD_DOT);
        }
    }
    if layers.labels {
        if layers.grids {
            for (id, g) in cache.grids.iter().filter(|(_, g)| on_screen(g) && screen_size(g) > 70.0) {
                match preview_codes.and_then(|codes| codes.get(id)) {
                    Some(code) => label_text(&painter, g, code, 11.0, PREVIEW_TEXT, &to_screen),
                    None => label(&painter, g, 11.0, Color32::BLACK, &to_screen),
                }
            }
        }
        if layers.divisions {
            for d in cache.divisions.iter().filter(|d| on_screen(d) && screen_size(d) > 40.0) {
                label(&painter, d, 12.0, DIVISION_LINE, &to_screen);
            }
        }
        if layers.boundary
            && let Some(b) = &cache.boundary
        {
            label(&painter, b, 18.0, BOUNDARY_LINE, &to_screen);
        }
    }
    hover.map(|p| vp.to_world(to_local(p)))
}

fn fill(painter: &egui::Painter, f: &DrawnFeature, color: Color32, to_screen: &impl Fn(Coord<f64>) -> Pos2) {
    let mut mesh = Mesh::default();
    for t in &f.triangles {
        let base = mesh.vertices.len() as u32;
        for &c in t {
            mesh.colored_vertex(to_screen(c), color);
        }
        mesh.add_triangle(base, base + 1, base + 2);
    }
    painter.add(Shape::mesh(mesh));
}

fn outline(painter: &egui::Painter, f: &DrawnFeature, stroke: Stroke, to_screen: &impl Fn(Coord<f64>) -> Pos2) {
    for ring in &f.rings {
        let points: Vec<Pos2> = ring.iter().map(|&c| to_screen(c)).collect();
        painter.add(Shape::line(points, stroke));
    }
}

fn label(
    painter: &egui::Painter,
    f: &DrawnFeature,
    size: f32,
    color: Color32,
    to_screen: &impl Fn(Coord<f64>) -> Pos2,
) {
    label_text(painter, f, &f.label, size, color, to_screen);
}

fn label_text(
    painter: &egui::Painter,
    f: &DrawnFeature,
    text: &str,
    size: f32,
    color: Color32,
    to_screen: &impl Fn(Coord<f64>) -> Pos2,
) {
    let Some(at) = f.label_at else { return };
    let pos = to_screen(at);
    if !painter.clip_rect().contains(pos) || text.is_empty() {
        return;
    }
    // A halo keeps names readable over lines and fills.
    let font = FontId::proportional(size);
    let galley = painter.layout(text.to_string(), font, color, f32::INFINITY);
    let text_rect = Align2::CENTER_CENTER.anchor_size(pos, galley.size());
    painter.rect_filled(text_rect.expand(2.0), 3.0, Color32::from_rgba_unmultiplied(255, 255, 255, 170));
    painter.galley(text_rect.min, galley, color);
}

/// The map scale denominator at the view centre for a 96-dpi screen (1 pt = 0.2646 mm).
pub fn scale_denominator(vp: &Viewport, metres_per_unit: f64) -> f64 {
    const METRES_PER_POINT: f64 = 0.0254 / 96.0;
    vp.world_per_px * metres_per_unit / METRES_PER_POINT
}
