//! Reference layers on the printed maps (issue 14): roads, rivers and railways as thin lines, buildings
//! and water as a light fill with an outline, each in its layer's colour (the one the app's map uses),
//! clipped to the map frame. Drawn over the grid fills and under the village, township and boundary
//! lines, as on screen; the legend names each layer drawn.

use std::collections::BTreeSet;

use geo::{Intersects, MapCoords, MultiLineString};

use super::draw::{clip_to_frame, lines_in_frame, outline_in_frame, parts, to_page};
use super::map_frame::MapFrame;
use super::page::{Align, Page, PageRect, Rgba, Stroke};
use crate::core::{Project, ReferenceGeometry, reference_rgb};

/// Width of a reference line on paper, in points (a grid edge is 0.5, a village line 0.9).
pub const LINE_PT: f64 = 0.8;
/// Opacity of a reference polygon's fill.
const FILL_ALPHA: u8 = 60;

/// A layer drawn on a sheet, for its legend: the name and the colour.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnReference {
    pub name: String,
    pub colour: Rgba,
    pub lines: bool,
}

/// Draws the reference layers of `project` not in `hidden` into `map`; returns those that showed.
pub fn draw_reference_layers(
    page: &mut Page,
    project: &Project,
    map: &MapFrame,
    hidden: &BTreeSet<String>,
) -> Vec<DrawnReference> {
    let visible = map.visible_world();
    let mut drawn = Vec::new();
    for (position, layer) in project.reference_layers.iter().enumerate() {
        if hidden.contains(&layer.name) {
            continue;
        }
        let [r, g, b] = reference_rgb(position);
        let colour = Rgba::rgb(r, g, b);
        let (mut any, mut lines) = (false, false);
        for feature in &layer.features {
            if !feature.geometry.bounding_rect().is_some_and(|e| e.intersects(&visible)) {
                continue;
            }
            match &feature.geometry {
                ReferenceGeometry::Lines(world) => {
                    let on_page: MultiLineString<f64> = world.map_coords(|c| {
                        let (x, y) = map.to_page(c);
                        geo::Coord { x, y }
                    });
                    for line in lines_in_frame(on_page, map) {
                        page.line(line, Stroke::solid(colour, LINE_PT));
                        (any, lines) = (true, true);
                    }
                }
                ReferenceGeometry::Polygons(world) => {
                    let on_page = to_page(world, map);
                    let inside = clip_to_frame(&on_page, map);
                    if inside.0.is_empty() {
                        continue;
                    }
                    page.polygon(parts(&inside), Some(Rgba(r, g, b, FILL_ALPHA)), None);
                    for line in outline_in_frame(&on_page, map) {
                        page.line(line, Stroke::solid(colour, LINE_PT * 0.6));
                    }
                    any = true;
                }
            }
        }
        if any {
            drawn.push(DrawnReference { name: layer.name.clone(), colour, lines });
        }
    }
    drawn
}

const KEY_SIZE: f64 = 7.5;
const KEY_ROW: f64 = 11.0;
const KEY_SWATCH: f64 = 16.0;
const KEY_PAD: f64 = 5.0;

/// Where the key of [`draw_key`] goes in `frame`: None when no layer was drawn.
pub fn key_box(drawn: &[DrawnReference], frame: PageRect) -> Option<PageRect> {
    if drawn.is_empty() {
        return None;
    }
    let max_name = frame.width / 3.0;
    let widest =
        drawn.iter().map(|r| super::text_width(&shorten(&r.name, KEY_SIZE, max_name), KEY_SIZE)).fold(0.0, f64::max);
    let (w, h) = (KEY_PAD * 3.0 + KEY_SWATCH + widest, KEY_PAD * 2.0 + KEY_ROW * drawn.len() as f64);
    Some(PageRect::new(frame.right() - w - 4.0, frame.bottom() - h - 4.0, w, h))
}

/// A key to the reference layers drawn on a grid sheet, in the map frame's lower right corner on a white
/// box (the sheet has no legend of its own: its record takes the space): each layer's swatch and name,
/// shortened with "…" when longer than a third of the frame.
pub fn draw_key(page: &mut Page, drawn: &[DrawnReference], frame: PageRect) {
    let Some(key) = key_box(drawn, frame) else { return };
    page.rect(key, Some(Rgba(255, 255, 255, 225)), Some(Stroke::solid(Rgba::rgb(120, 120, 120), 0.4)));
    for (i, r) in drawn.iter().enumerate() {
        let base = key.top + KEY_PAD + KEY_ROW * (i as f64 + 1.0) - 2.5;
        let mid = base - KEY_SIZE * 0.35;
        let (sx, ex) = (key.left + KEY_PAD, key.left + KEY_PAD + KEY_SWATCH);
        match r.lines {
            true => page.line(vec![(sx, mid), (ex, mid)], Stroke::solid(r.colour, LINE_PT * 1.5)),
            false => page.rect(
                PageRect::new(sx, mid - 3.5, KEY_SWATCH, 7.0),
                Some(Rgba(r.colour.0, r.colour.1, r.colour.2, FILL_ALPHA)),
                Some(Stroke::solid(r.colour, 0.5)),
            ),
        }
        let name = shorten(&r.name, KEY_SIZE, frame.width / 3.0);
        page.text((ex + KEY_PAD, base), KEY_SIZE, name, Rgba::BLACK, Align::Start);
    }
}

/// `name` cut with "…" to at most `max_pt` wide at `size`.
pub(super) fn shorten(name: &str, size: f64, max_pt: f64) -> String {
    if super::text_width(name, size) <= max_pt {
        return name.to_string();
    }
    let mut out: String = name.chars().collect();
    while !out.is_empty() && super::text_width(&format!("{out}…"), size) > max_pt {
        out.pop();
    }
    format!("{out}…")
}
