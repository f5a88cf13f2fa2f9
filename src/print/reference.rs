//! Reference layers on the printed maps (issue 14): roads, rivers and railways as thin lines, buildings
//! and water as a light fill with an outline, each in its layer's colour (the one the app's map uses),
//! clipped to the map frame. Drawn over the grid fills and under the village, township and boundary
//! lines, as on screen; the legend names each layer drawn.

use std::collections::BTreeSet;

use geo::{Intersects, MapCoords, MultiLineString};

use super::draw::{clip_to_frame, lines_in_frame, outline_in_frame, parts, to_page};
use super::map_frame::MapFrame;
use super::page::{Page, Rgba, Stroke};
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
