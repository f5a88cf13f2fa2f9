//! The map canvas: zoom by wheel around the cursor, Home to fit, pan with a drag the tool does not use
//! (or any right/middle drag). Draws the basemaps, the reference layers, the boundary, village lines and
//! grids from the [`MapCache`]
//! culled to the view, the selection, the active tool's preview, a highlighted finding or fix preview,
//! and a scale bar. Pointer input comes back as an [`Interaction`] in world coordinates; the app turns
//! it into tool events.

use std::collections::{BTreeMap, BTreeSet};

use eframe::egui::{self, Align2, Color32, FontId, PointerButton, Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2};
use geo::{Coord, Geometry, Intersects, MultiPolygon};

use super::level_of_detail::{MAP_BACKGROUND, ToScreen, UNCOVERED_FILL, add_fill, prepare_grids, prepare_households};
use super::map_cache::{DrawnFeature, MapCache};
use crate::core::edit::SnapKind;
use crate::core::tools::{Measurement, Preview};
use crate::core::{GridId, Project, Viewport};
use crate::text::Lang;

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

/// The view and whether it still has to be fitted (done once the canvas has a size).
pub struct MapView {
    pub viewport: Viewport,
    pub fit_pending: bool,
    /// A world rectangle to zoom to once the canvas has a size (zoom to selection or to a finding).
    pub zoom_to: Option<geo::Rect<f64>>,
    /// True while a primary drag the tool did not take pans the map.
    pub panning: bool,
    /// Where the canvas was on screen last frame (world ↔ window positions, for tests and tooltips).
    pub screen_rect: Option<Rect>,
    /// How many grids were labelled last frame (households per grid are counted only when some are).
    pub labelled_grids: usize,
    /// The project's basemaps, drawn under everything else.
    pub basemaps: super::basemap::Basemaps,
    /// The project's reference layers (roads, rivers, buildings) as drawn, with their on/off switches.
    pub references: super::reference_layers::ReferenceDrawing,
}

impl Default for MapView {
    fn default() -> Self {
        MapView {
            viewport: Viewport::new(Coord { x: 800.0, y: 600.0 }),
            fit_pending: true,
            zoom_to: None,
            panning: false,
            screen_rect: None,
            labelled_grids: 0,
            basemaps: Default::default(),
            references: Default::default(),
        }
    }
}

/// What is drawn over the map besides the layers.
#[derive(Default)]
pub struct Overlay<'a> {
    pub preview_codes: Option<&'a BTreeMap<GridId, String>>,
    pub selection: Option<&'a BTreeSet<GridId>>,
    pub tool: Option<Preview>,
    /// Vertices to mark (the selected grids' while editing vertices).
    pub vertices: Vec<Coord<f64>>,
    /// A coverage finding to highlight.
    pub highlight: Option<&'a Geometry<f64>>,
    /// The geometries a fix would produce, drawn dashed.
    pub fix_preview: Vec<&'a MultiPolygon<f64>>,
    /// Households per grid, shown under the labels while the households layer is on.
    pub households: Option<&'a BTreeMap<GridId, Option<u64>>>,
    /// The measure tool's points, length and area.
    pub measurement: Option<&'a Measurement>,
    /// The grids auto-partition proposes, while its window shows them.
    pub partition: Option<&'a [super::partition_tool::ProposedGrid]>,
    /// Someone else's grids that a save met (a database project's conflicts), drawn dashed.
    pub theirs: Vec<&'a MultiPolygon<f64>>,
    pub lang: Lang,
}

/// The pointer on the canvas this frame, in world coordinates.
#[derive(Clone, Debug, Default)]
pub struct Interaction {
    pub hover: Option<Coord<f64>>,
    pub click: Option<(Coord<f64>, bool)>,
    pub double_click: Option<Coord<f64>>,
    pub drag_start: Option<Coord<f64>>,
    pub drag: Option<(Coord<f64>, Vec2)>,
    pub drag_end: Option<Coord<f64>>,
    /// Points to pan by (right or middle drag).
    pub pan: Vec2,
}

const BACKGROUND: Color32 = MAP_BACKGROUND;
const BOUNDARY_FILL: Color32 = UNCOVERED_FILL;
/// How much of a grid's fill colour covers a basemap under it: enough to tell grids apart, little enough
/// to see the houses and roads.
const GRID_FILL_OVER_BASEMAP: f32 = 0.4;
const BOUNDARY_LINE: Color32 = Color32::from_rgb(150, 40, 40);
const DIVISION_LINE: Color32 = Color32::from_rgb(120, 70, 160);
const HOUSEHOLD_DOT: Color32 = Color32::from_rgb(200, 90, 20);
/// Codes previewed from the code-rule window, not yet applied.
const PREVIEW_TEXT: Color32 = Color32::from_rgb(20, 70, 200);
const TOOL_LINE: Color32 = Color32::from_rgb(230, 80, 0);
const SNAP_MARK: Color32 = Color32::from_rgb(220, 0, 180);
const HIGHLIGHT: Color32 = Color32::from_rgb(230, 20, 20);
/// Their side of a save conflict: orange, apart from every fill and the fix preview's green.
const THEIRS_LINE: Color32 = Color32::from_rgb(230, 110, 0);
const FIX_LINE: Color32 = Color32::from_rgb(0, 150, 60);
/// Grids reshaped live while a shared vertex is dragged: the old shapes washed out, the new ones over them.
const RESHAPED_WASH: Color32 = Color32::from_rgba_premultiplied(220, 220, 215, 220);
const RESHAPED_FILL: Color32 = Color32::from_rgba_premultiplied(58, 20, 0, 64);
const RESHAPED_LINE: Stroke = Stroke { width: 2.0, color: TOOL_LINE };

/// Shows the canvas and returns what the pointer did.
pub fn show(
    ui: &mut Ui,
    view: &mut MapView,
    cache: &MapCache,
    project: &Project,
    layers: LayerVisibility,
    overlay: &Overlay<'_>,
) -> Interaction {
    let (response, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
    let rect = response.rect;
    view.screen_rect = Some(rect);
    view.viewport.size_on_screen = Coord { x: rect.width() as f64, y: rect.height() as f64 };
    if rect.width() > 10.0 {
        if view.fit_pending {
            if let Some(extent) = project.extent() {
                view.viewport.fit(extent);
            }
            view.fit_pending = false;
        }
        if let Some(area) = view.zoom_to.take() {
            view.viewport.fit(area);
        }
    }
    let to_local = |p: Pos2| Coord { x: (p.x - rect.min.x) as f64, y: (p.y - rect.min.y) as f64 };
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
    let vp = view.viewport;
    let world = |p: Pos2| vp.to_world(to_local(p));
    let mut interaction = Interaction { hover: hover.map(world), ..Default::default() };
    let shift = ui.input(|i| i.modifiers.shift);
    let pointer = ui.input(|i| i.pointer.interact_pos());
    if response.double_clicked() {
        interaction.double_click = pointer.map(world);
    } else if response.clicked() {
        interaction.click = pointer.map(|p| (world(p), shift));
    }
    if response.drag_started_by(PointerButton::Primary) {
        let origin = ui.input(|i| i.pointer.press_origin()).or(pointer);
        interaction.drag_start = origin.map(world);
    } else if response.drag_stopped_by(PointerButton::Primary) {
        interaction.drag_end = pointer.map(world);
    } else if response.dragged_by(PointerButton::Primary) {
        interaction.drag = pointer.map(|p| (world(p), response.drag_delta()));
    }
    if response.dragged_by(PointerButton::Secondary) || response.dragged_by(PointerButton::Middle) {
        interaction.pan = response.drag_delta();
    }

    let to = ToScreen::new(vp, rect.min);
    painter.rect_filled(rect, 0.0, BACKGROUND);
    view.basemaps.draw(&painter, to, rect);
    // Over a basemap the fills are washes, so that the imagery or road map shows through where grids are
    // drawn; the outlines stay as they are.
    let see_through = view.basemaps.any_visible();
    let visible = vp.visible_world();
    let on_screen = |f: &DrawnFeature| f.extent.is_some_and(|e| e.intersects(&visible));
    let screen_size = |f: &DrawnFeature| f.extent.map_or(0.0, |e| e.width().max(e.height()) / vp.world_per_px);
    if layers.boundary
        && let Some(b) = &cache.boundary
    {
        let mut mesh = egui::epaint::Mesh::default();
        add_fill(&mut mesh, b, if see_through { BOUNDARY_FILL.gamma_multiply(0.25) } else { BOUNDARY_FILL }, to);
        painter.add(Shape::mesh(mesh));
    }
    let empty = BTreeSet::new();
    let selection = overlay.selection.unwrap_or(&empty);
    let mut prepared = layers.grids.then(|| prepare_grids(cache, to, selection));
    if let Some(p) = &mut prepared {
        if see_through {
            for v in &mut p.fills.vertices {
                v.color = v.color.gamma_multiply(GRID_FILL_OVER_BASEMAP);
            }
        }
        // Moved, not copied: at full extent the fill mesh holds every grid's vertices.
        painter.add(Shape::mesh(std::mem::take(&mut p.fills)));
    }
    // Reference layers above the basemaps and the grids' fills and below the grids' outlines: grid lines
    // are drawn along roads and rivers, which must show through the grid colours, while the edges being
    // edited stay on top.
    let references = view.references.prepare(to);
    view.references.drawn = references.visible;
    painter.add(Shape::mesh(references.fills));
    painter.extend(references.strokes);
    if let Some(p) = &mut prepared {
        painter.extend(std::mem::take(&mut p.outlines));
    }
    if layers.divisions {
        for d in cache.divisions.iter().filter(|d| on_screen(d)) {
            outline(&painter, d, Stroke::new(1.5, DIVISION_LINE), to);
        }
    }
    if layers.boundary
        && let Some(b) = &cache.boundary
    {
        outline(&painter, b, Stroke::new(2.5, BOUNDARY_LINE), to);
    }
    if layers.households && !project.households.is_empty() {
        // Culled to the view and thinned to one dot per few pixels: cheap at 100,000 points.
        painter.add(Shape::mesh(prepare_households(cache, &project.households, to, HOUSEHOLD_DOT)));
    }
    view.labelled_grids = prepared.as_ref().filter(|_| layers.labels).map_or(0, |p| p.labelled.len());
    if layers.households && overlay.households.is_none() && view.labelled_grids > 0 {
        // Labels came into view: the next frame counts households per grid for them.
        ui.ctx().request_repaint();
    }
    if layers.labels {
        if let Some(p) = &prepared {
            for id in &p.labelled {
                let Some(g) = cache.grid(*id).map(|s| &s.feature) else { continue };
                // Only where the label fits across its grid; zooming in shows the rest.
                let room = g.extent.map_or(0.0, |e| e.width() / vp.world_per_px) as f32;
                let households = layers
                    .households
                    .then_some(overlay.households)
                    .flatten()
                    .and_then(|h| h.get(id).copied().flatten());
                match overlay.preview_codes.and_then(|codes| codes.get(id)) {
                    Some(code) => label_text(&painter, g, code, 11.0, PREVIEW_TEXT, to, room),
                    None => {
                        let text = grid_label_text(&g.label, households, overlay.lang);
                        label_text(&painter, g, &text, 11.0, Color32::BLACK, to, room)
                    }
                }
            }
        }
        if layers.divisions {
            for d in cache.divisions.iter().filter(|d| on_screen(d) && screen_size(d) > 40.0) {
                label_text(&painter, d, &d.label, 12.0, DIVISION_LINE, to, f32::INFINITY);
            }
        }
        if layers.boundary
            && let Some(b) = &cache.boundary
            && screen_size(b) < 1400.0
        {
            label_text(&painter, b, &b.label, 18.0, BOUNDARY_LINE, to, f32::INFINITY);
        }
    }
    draw_reshaped(&painter, overlay, project, to);
    draw_overlay(&painter, overlay, to);
    scale_bar(&painter, rect, &vp, project);
    view.basemaps.draw_attribution(&painter, rect);
    interaction
}

/// While a vertex is dragged: every grid that uses it, reshaped live. The grids as they are recede under
/// a wash, and their new shapes are drawn over them (nothing changes before the drag ends).
fn draw_reshaped(painter: &egui::Painter, overlay: &Overlay<'_>, project: &Project, to: ToScreen) {
    let Some(preview) = &overlay.tool else { return };
    if preview.reshaped.is_empty() {
        return;
    }
    let mut mesh = egui::epaint::Mesh::default();
    for (id, _) in &preview.reshaped {
        if let Some(g) = project.grids.get(id) {
            add_fill(&mut mesh, &DrawnFeature::new(&g.geometry, String::new()), RESHAPED_WASH, to);
        }
    }
    let mut lines = Vec::new();
    for (_, geometry) in &preview.reshaped {
        let f = DrawnFeature::new(geometry, String::new());
        add_fill(&mut mesh, &f, RESHAPED_FILL, to);
        lines.extend(f.rings.iter().map(|r| Shape::line(r.iter().map(|&c| to.pos(c)).collect(), RESHAPED_LINE)));
    }
    painter.add(Shape::mesh(mesh));
    painter.extend(lines);
}

fn draw_overlay(painter: &egui::Painter, overlay: &Overlay<'_>, to: ToScreen) {
    if let Some(grids) = overlay.partition {
        super::partition_tool::draw(painter, grids, to);
    }
    if let Some(g) = overlay.highlight {
        draw_geometry(
            painter,
            g,
            Stroke::new(3.0, HIGHLIGHT),
            Some(Color32::from_rgba_unmultiplied(230, 20, 20, 60)),
            to,
        );
    }
    for mp in &overlay.fix_preview {
        let f = DrawnFeature::new(mp, String::new());
        let mut mesh = egui::epaint::Mesh::default();
        add_fill(&mut mesh, &f, Color32::from_rgba_unmultiplied(0, 150, 60, 70), to);
        painter.add(Shape::mesh(mesh));
        for ring in mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())) {
            let points: Vec<Pos2> = ring.0.iter().map(|&c| to.pos(c)).collect();
            painter.extend(Shape::dashed_line(&points, Stroke::new(2.5, FIX_LINE), 8.0, 5.0));
        }
    }
    for mp in &overlay.theirs {
        for ring in mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())) {
            let points: Vec<Pos2> = ring.0.iter().map(|&c| to.pos(c)).collect();
            painter.extend(Shape::dashed_line(&points, Stroke::new(2.5, THEIRS_LINE), 10.0, 6.0));
        }
    }
    for &v in &overlay.vertices {
        painter.rect_stroke(
            Rect::from_center_size(to.pos(v), Vec2::splat(6.0)),
            0.0,
            Stroke::new(1.0, TOOL_LINE),
            egui::StrokeKind::Middle,
        );
    }
    if let Some(m) = overlay.measurement
        && m.points.len() >= 3
    {
        // The area being measured, closed back to the first point.
        let ring: Vec<Coord<f64>> = m.points.iter().copied().chain(m.points.first().copied()).collect();
        let polygon = geo::Polygon::new(geo::LineString(ring), vec![]);
        let f = DrawnFeature::new(&MultiPolygon(vec![polygon]), String::new());
        let mut mesh = egui::epaint::Mesh::default();
        add_fill(&mut mesh, &f, Color32::from_rgba_unmultiplied(230, 80, 0, 40), to);
        painter.add(Shape::mesh(mesh));
        if m.finished {
            let points: Vec<Pos2> = m.points.iter().map(|&c| to.pos(c)).collect();
            painter.add(Shape::closed_line(points, Stroke::new(2.0, TOOL_LINE)));
        }
    }
    let Some(preview) = &overlay.tool else { return };
    let mut path: Vec<Pos2> = preview.path.iter().map(|&c| to.pos(c)).collect();
    if let Some(c) = preview.cursor
        && !path.is_empty()
    {
        path.push(to.pos(c));
    }
    if preview.closed && path.len() >= 3 {
        let mut closed = path.clone();
        closed.push(path[0]);
        painter.add(Shape::line(closed, Stroke::new(2.0, TOOL_LINE)));
    } else if path.len() >= 2 {
        painter.add(Shape::line(path.clone(), Stroke::new(2.0, TOOL_LINE)));
    }
    for c in &preview.path {
        painter.circle_filled(to.pos(*c), 3.5, TOOL_LINE);
    }
    if let Some(v) = preview.vertex {
        painter.circle_stroke(to.pos(v), 6.0, Stroke::new(2.0, TOOL_LINE));
    }
    if let Some((from, dest)) = preview.moving {
        painter.line_segment([to.pos(from), to.pos(dest)], Stroke::new(1.0, TOOL_LINE));
        painter.circle_filled(to.pos(dest), 5.0, TOOL_LINE);
    }
    if let Some(s) = &preview.snap {
        let at = to.pos(s.pos_in_world);
        let stroke = Stroke::new(2.0, SNAP_MARK);
        match s.kind {
            SnapKind::Vertex => {
                painter.rect_stroke(
                    Rect::from_center_size(at, Vec2::splat(12.0)),
                    0.0,
                    stroke,
                    egui::StrokeKind::Middle,
                );
            }
            SnapKind::Edge => {
                painter.line_segment([at - Vec2::splat(6.0), at + Vec2::splat(6.0)], stroke);
                painter.line_segment([at + Vec2::new(-6.0, 6.0), at + Vec2::new(6.0, -6.0)], stroke);
            }
        }
    }
    if let Some(b) = preview.select_box {
        let r = Rect::from_two_pos(to.pos(b.min()), to.pos(b.max()));
        painter.rect(
            r,
            0.0,
            Color32::from_rgba_unmultiplied(20, 80, 220, 30),
            Stroke::new(1.0, Color32::from_rgb(20, 80, 220)),
            egui::StrokeKind::Middle,
        );
    }
}

fn draw_geometry(painter: &egui::Painter, g: &Geometry<f64>, stroke: Stroke, fill: Option<Color32>, to: ToScreen) {
    let line = |coords: &[Coord<f64>]| Shape::line(coords.iter().map(|&c| to.pos(c)).collect(), stroke);
    match g {
        Geometry::Polygon(p) => {
            draw_geometry(painter, &Geometry::MultiPolygon(MultiPolygon(vec![p.clone()])), stroke, fill, to)
        }
        Geometry::MultiPolygon(mp) => {
            if let Some(color) = fill {
                let f = DrawnFeature::new(mp, String::new());
                let mut mesh = egui::epaint::Mesh::default();
                add_fill(&mut mesh, &f, color, to);
                painter.add(Shape::mesh(mesh));
            }
            for p in &mp.0 {
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    painter.add(line(&ring.0));
                }
            }
        }
        Geometry::Line(l) => {
            painter.line_segment([to.pos(l.start), to.pos(l.end)], stroke);
        }
        Geometry::LineString(ls) => {
            painter.add(line(&ls.0));
        }
        Geometry::MultiLineString(mls) => {
            for ls in &mls.0 {
                painter.add(line(&ls.0));
            }
        }
        Geometry::Point(p) => {
            painter.circle_stroke(to.pos(p.0), 8.0, stroke);
        }
        Geometry::GeometryCollection(gc) => {
            for g in &gc.0 {
                draw_geometry(painter, g, stroke, fill, to);
            }
        }
        _ => {}
    }
}

fn outline(painter: &egui::Painter, f: &DrawnFeature, stroke: Stroke, to: ToScreen) {
    for ring in &f.rings {
        painter.add(Shape::line(ring.iter().map(|&c| to.pos(c)).collect(), stroke));
    }
}

/// A grid's label on the map: its code and name, then its households (while the households layer is on
/// and they are known).
pub fn grid_label_text(label: &str, households: Option<u64>, lang: Lang) -> std::borrow::Cow<'_, str> {
    match households {
        Some(n) => format!("{label}\n{}", crate::text::theme::households_in_label(n, lang)).into(),
        None => label.into(),
    }
}

fn label_text(
    painter: &egui::Painter,
    f: &DrawnFeature,
    text: &str,
    size: f32,
    color: Color32,
    to: ToScreen,
    max_width: f32,
) {
    let Some(at) = f.label_at else { return };
    let pos = to.pos(at);
    if !painter.clip_rect().contains(pos) || text.is_empty() {
        return;
    }
    // A halo keeps names readable over lines and fills.
    let galley = painter.layout(text.to_string(), FontId::proportional(size), color, f32::INFINITY);
    if galley.size().x > max_width * 0.9 {
        return;
    }
    let text_rect = Align2::CENTER_CENTER.anchor_size(pos, galley.size());
    painter.rect_filled(text_rect.expand(2.0), 3.0, Color32::from_rgba_unmultiplied(255, 255, 255, 170));
    painter.galley(text_rect.min, galley, color);
}

/// A scale bar in the bottom-left corner: a round ground length (1, 2 or 5 × 10ⁿ m) about 120 points long.
fn scale_bar(painter: &egui::Painter, rect: Rect, vp: &Viewport, project: &Project) {
    let metres_per_px = project.crs.ground_metres_per_unit(vp.centre_in_world) * vp.world_per_px;
    if !(metres_per_px.is_finite() && metres_per_px > 0.0) {
        return;
    }
    let metres = crate::print::round_length(metres_per_px * 120.0);
    let width = (metres / metres_per_px) as f32;
    let left = rect.left_bottom() + Vec2::new(16.0, -18.0);
    let stroke = Stroke::new(2.0, Color32::BLACK);
    painter.rect_filled(
        Rect::from_min_max(left + Vec2::new(-6.0, -22.0), left + Vec2::new(width + 6.0, 8.0)),
        3.0,
        Color32::from_white_alpha(200),
    );
    painter.line_segment([left, left + Vec2::new(width, 0.0)], stroke);
    for x in [0.0, width / 2.0, width] {
        painter.line_segment([left + Vec2::new(x, 0.0), left + Vec2::new(x, -6.0)], stroke);
    }
    let text = crate::print::length_text(metres);
    painter.text(
        left + Vec2::new(width / 2.0, -8.0),
        Align2::CENTER_BOTTOM,
        text,
        FontId::proportional(12.0),
        Color32::BLACK,
    );
}

/// The map scale denominator at the view centre for a 96-dpi screen (1 pt = 0.2646 mm).
pub fn scale_denominator(vp: &Viewport, metres_per_unit: f64) -> f64 {
    const METRES_PER_POINT: f64 = 0.0254 / 96.0;
    vp.world_per_px * metres_per_unit / METRES_PER_POINT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_carries_the_households_of_its_grid_when_known() {
        assert_eq!(
            grid_label_text("341823100001001\n城东一网格", Some(326), Lang::Zh),
            "341823100001001\n城东一网格\n326 户"
        );
        assert_eq!(grid_label_text("341823100001001", Some(0), Lang::En), "341823100001001\n0 hh");
        assert_eq!(grid_label_text("341823100001001", None, Lang::Zh), "341823100001001");
    }
}
