//! Reference layers on the map (issue 14): roads and rivers as thin coloured strokes, buildings and
//! water as a light fill with an outline, each layer switched on or off in the layers panel.
//!
//! They are drawn above the basemaps and the grids' fills and below the grids' outlines (see
//! `canvas::show`): the planner draws grid lines along roads and rivers, so those must show through
//! the grid colours, while the grid edges being edited stay on top. They are never part of the
//! coverage check — nothing here reaches `core::coverage`.
//!
//! The drawing data (screen-independent: line vertices, fill triangles, outline rings) and an R-tree of
//! feature envelopes are built once per change of the layers (checked once per project revision), so a
//! frame only culls to the view and maps vertices to the screen; features under a pixel are skipped and
//! lines lose vertices closer than a pixel to the last one kept. 40,000 features stay fast
//! (benches/frame.rs).

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

use eframe::egui::epaint::Mesh;
use eframe::egui::{Color32, Pos2, Shape, Stroke};
use geo::{Coord, Rect};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

use super::level_of_detail::{ToScreen, add_fill};
use super::map_cache::DrawnFeature;
use crate::core::Project;
use crate::core::{ReferenceGeometry, ReferenceLayer};

/// Width of reference strokes in points: thinner than a grid's selected outline, as thin as its edge.
const LINE_WIDTH: f32 = 1.2;
/// Opacity of polygon fills (a light wash of the layer's colour).
const FILL_ALPHA: u8 = 60;
/// Features smaller than this on screen (points) are not drawn.
const SKIP_BELOW_PX: f64 = 1.0;

/// The colour of the layer at `position` (the printed sheets use the same: `core::reference_rgb`).
pub fn layer_colour(position: usize) -> Color32 {
    let [r, g, b] = crate::core::reference_rgb(position);
    Color32::from_rgb(r, g, b)
}

enum DrawnShape {
    Lines(Vec<Vec<Coord<f64>>>),
    Polygons(DrawnFeature),
}

struct DrawnReference {
    shape: DrawnShape,
    /// [min x, min y, max x, max y] in world units.
    extent: [f64; 4],
}

struct DrawnLayer {
    name: String,
    features: Vec<DrawnReference>,
}

/// An R-tree entry: a feature's envelope, its layer and its place in the layer.
type ReferenceBox = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;

/// The reference layers as drawn, with which ones are hidden.
#[derive(Default)]
pub struct ReferenceDrawing {
    /// Names of the layers switched off in the layers panel (all are on at first).
    pub hidden: BTreeSet<String>,
    /// The project revision the drawing data was last checked at, and a hash of the layers it was
    /// built from (a revision that did not change them costs one hash, not a rebuild).
    checked_at: Option<u64>,
    fingerprint: u64,
    layers: Vec<DrawnLayer>,
    tree: RTree<ReferenceBox>,
    extent: Option<Rect<f64>>,
    /// Features drawn in the last frame (for the status of tests and timing).
    pub drawn: usize,
}

/// What a frame draws of the reference layers: one mesh of fills, then strokes (lines and outlines).
#[derive(Default)]
pub struct PreparedReferences {
    pub fills: Mesh,
    pub strokes: Vec<Shape>,
    /// Features drawn.
    pub visible: usize,
}

/// A hash of every layer's name, feature names and coordinates.
fn fingerprint(layers: &[ReferenceLayer]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for layer in layers {
        layer.name.hash(&mut h);
        layer.features.len().hash(&mut h);
        for f in &layer.features {
            let coords: Box<dyn Iterator<Item = Coord<f64>>> = match &f.geometry {
                ReferenceGeometry::Lines(l) => Box::new(l.0.iter().flat_map(|l| l.0.iter().copied())),
                ReferenceGeometry::Polygons(p) => Box::new(
                    p.0.iter()
                        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                        .flat_map(|r| r.0.iter().copied()),
                ),
            };
            matches!(f.geometry, ReferenceGeometry::Lines(_)).hash(&mut h);
            for c in coords {
                c.x.to_bits().hash(&mut h);
                c.y.to_bits().hash(&mut h);
            }
        }
    }
    h.finish()
}

impl ReferenceDrawing {
    /// Builds the drawing data for these layers.
    pub fn build(layers: &[ReferenceLayer]) -> ReferenceDrawing {
        let mut drawing = ReferenceDrawing::default();
        drawing.rebuild(layers);
        drawing
    }

    fn rebuild(&mut self, layers: &[ReferenceLayer]) {
        self.fingerprint = fingerprint(layers);
        let mut boxes = Vec::new();
        let mut extents = Vec::new();
        self.layers = layers
            .iter()
            .map(|layer| DrawnLayer {
                name: layer.name.clone(),
                features: layer
                    .features
                    .iter()
                    .filter_map(|f| {
                        let r = f.geometry.bounding_rect()?;
                        let shape = match &f.geometry {
                            ReferenceGeometry::Lines(lines) => {
                                DrawnShape::Lines(lines.0.iter().map(|l| l.0.clone()).collect())
                            }
                            ReferenceGeometry::Polygons(p) => DrawnShape::Polygons(DrawnFeature::new(p, String::new())),
                        };
                        extents.push(r);
                        Some(DrawnReference { shape, extent: [r.min().x, r.min().y, r.max().x, r.max().y] })
                    })
                    .collect(),
            })
            .collect();
        for (l, layer) in self.layers.iter().enumerate() {
            for (i, f) in layer.features.iter().enumerate() {
                let [x0, y0, x1, y1] = f.extent;
                boxes.push(GeomWithData::new(Rectangle::from_corners([x0, y0], [x1, y1]), (l as u32, i as u32)));
            }
        }
        self.tree = RTree::bulk_load(boxes);
        self.extent = crate::core::rect::union_all(extents);
    }

    /// Brings the drawing data up to date with the project at `revision`: a no-op when the revision was
    /// checked already, a hash when it changed but the layers did not, a rebuild when they changed.
    pub fn refresh(&mut self, project: &Project, revision: u64) {
        if self.checked_at == Some(revision) {
            return;
        }
        self.checked_at = Some(revision);
        if fingerprint(&project.reference_layers) != self.fingerprint {
            self.rebuild(&project.reference_layers);
        }
    }

    /// Whether the layer called `name` is drawn.
    pub fn is_shown(&self, name: &str) -> bool {
        !self.hidden.contains(name)
    }

    /// Culls the visible layers' features to the view and maps them to the screen, bottom layer first
    /// and features in their order, with level of detail.
    pub fn prepare(&self, to: ToScreen) -> PreparedReferences {
        let mut out = PreparedReferences::default();
        let shown: Vec<bool> = self.layers.iter().map(|l| self.is_shown(&l.name)).collect();
        if !shown.contains(&true) {
            return out;
        }
        let visible = to.vp.visible_world();
        let mostly_visible = self.extent.is_some_and(|e| {
            let w = (visible.max().x.min(e.max().x) - visible.min().x.max(e.min().x)).max(0.0);
            let h = (visible.max().y.min(e.max().y) - visible.min().y.max(e.min().y)).max(0.0);
            w * h > 0.25 * e.width() * e.height()
        });
        let mut hits: Vec<(u32, u32)> = if mostly_visible {
            let all = self.layers.iter().enumerate();
            all.flat_map(|(l, layer)| (0..layer.features.len()).map(move |i| (l as u32, i as u32))).collect()
        } else {
            let envelope = rstar::AABB::from_corners(visible.min().into(), visible.max().into());
            self.tree.locate_in_envelope_intersecting(envelope).map(|b| b.data).collect()
        };
        hits.retain(|&(l, _)| shown[l as usize]);
        hits.sort_unstable();
        let [vx0, vy0, vx1, vy1] = [visible.min().x, visible.min().y, visible.max().x, visible.max().y];
        let per_px = 1.0 / to.vp.world_per_px;
        let min_step = (0.5 * to.vp.world_per_px).powi(2);
        for (l, i) in hits {
            let Some(f) = self.layers.get(l as usize).and_then(|layer| layer.features.get(i as usize)) else {
                continue;
            };
            let [x0, y0, x1, y1] = f.extent;
            if !(x1 >= vx0 && x0 <= vx1 && y1 >= vy0 && y0 <= vy1) {
                continue;
            }
            if (x1 - x0).max(y1 - y0) * per_px < SKIP_BELOW_PX {
                continue;
            }
            out.visible += 1;
            let colour = layer_colour(l as usize);
            let stroke = Stroke::new(LINE_WIDTH, colour);
            match &f.shape {
                DrawnShape::Lines(lines) => {
                    for line in lines {
                        let points = thinned(line, min_step, to);
                        if points.len() >= 2 {
                            out.strokes.push(Shape::line(points, stroke));
                        }
                    }
                }
                DrawnShape::Polygons(feature) => {
                    let [r, g, b, _] = colour.to_array();
                    add_fill(&mut out.fills, feature, Color32::from_rgba_unmultiplied(r, g, b, FILL_ALPHA), to);
                    for ring in &feature.rings {
                        let points = thinned(ring, min_step, to);
                        if points.len() >= 2 {
                            out.strokes.push(Shape::closed_line(points, stroke));
                        }
                    }
                }
            }
        }
        out
    }
}

/// The screen points of a line, leaving out vertices closer than half a pixel to the last one kept
/// (`min_step` is that distance squared, in world units); the last vertex is always kept.
fn thinned(line: &[Coord<f64>], min_step: f64, to: ToScreen) -> Vec<Pos2> {
    let mut points = Vec::with_capacity(line.len());
    let mut last: Option<Coord<f64>> = None;
    for (k, &c) in line.iter().enumerate() {
        let keep = match last {
            None => true,
            Some(p) => k + 1 == line.len() || (c.x - p.x).powi(2) + (c.y - p.y).powi(2) >= min_step,
        };
        if keep {
            points.push(to.pos(c));
            last = Some(c);
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ReferenceFeature;
    use crate::core::{Crs, CrsUnits, Viewport};
    use geo::{MultiLineString, MultiPolygon, line_string, polygon};

    fn project() -> Project {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        let mut roads = ReferenceLayer::new("道路");
        for k in 0..10 {
            let y = k as f64 * 100.0;
            roads.features.push(ReferenceFeature {
                geometry: ReferenceGeometry::Lines(MultiLineString(vec![
                    line_string![(x: 0.0, y: y), (x: 0.1, y: y), (x: 500.0, y: y + 10.0), (x: 1000.0, y: y)],
                ])),
                name: format!("路{k}"),
            });
        }
        let mut houses = ReferenceLayer::new("房屋");
        houses.features.push(ReferenceFeature {
            geometry: ReferenceGeometry::Polygons(MultiPolygon(vec![
                polygon![(x: 100.0, y: 100.0), (x: 200.0, y: 100.0), (x: 200.0, y: 200.0), (x: 100.0, y: 200.0)],
            ])),
            name: String::new(),
        });
        p.reference_layers = vec![roads, houses];
        p
    }

    fn view(world_per_px: f64, centre: Coord<f64>) -> ToScreen {
        let mut vp = Viewport::new(Coord { x: 1000.0, y: 1000.0 });
        vp.world_per_px = world_per_px;
        vp.centre_in_world = centre;
        ToScreen::new(vp, Pos2::ZERO)
    }

    #[test]
    fn features_in_view_are_drawn_hidden_layers_and_features_outside_are_not() {
        let p = project();
        let mut drawing = ReferenceDrawing::default();
        drawing.refresh(&p, 1);
        let all = drawing.prepare(view(1.0, Coord { x: 500.0, y: 500.0 }));
        assert_eq!(all.visible, 11);
        // Ten road strokes and the house's outline; its fill is two triangles.
        assert_eq!((all.strokes.len(), all.fills.indices.len()), (11, 6));
        // The middle road vertex 0.1 m from the first is dropped at 1 m a pixel.
        let Shape::Path(path) = &all.strokes[0] else { panic!("a path") };
        assert_eq!(path.points.len(), 3);
        // Zoomed in on the house: one road passes (y 100..110), the others are culled.
        let near = drawing.prepare(view(0.05, Coord { x: 150.0, y: 110.0 }));
        assert_eq!(near.visible, 2, "the house and the road at y = 100");
        drawing.hidden.insert("道路".into());
        let houses = drawing.prepare(view(1.0, Coord { x: 500.0, y: 500.0 }));
        assert_eq!((houses.visible, houses.strokes.len()), (1, 1));
        drawing.hidden.insert("房屋".into());
        assert_eq!(drawing.prepare(view(1.0, Coord { x: 500.0, y: 500.0 })).visible, 0);
        // Far out, every feature is under a pixel.
        drawing.hidden.clear();
        assert_eq!(drawing.prepare(view(5000.0, Coord { x: 500.0, y: 500.0 })).visible, 0);
    }

    #[test]
    fn a_revision_that_changes_the_layers_rebuilds_and_one_that_does_not_keeps_them() {
        let mut p = project();
        let mut drawing = ReferenceDrawing::default();
        drawing.refresh(&p, 1);
        let before = drawing.fingerprint;
        p.name = "renamed".into();
        drawing.refresh(&p, 2);
        assert_eq!(drawing.fingerprint, before);
        p.reference_layers[1].features.clear();
        // The same revision is not looked at again…
        drawing.refresh(&p, 2);
        assert_eq!(drawing.prepare(view(1.0, Coord { x: 500.0, y: 500.0 })).visible, 11);
        // …a new one is.
        drawing.refresh(&p, 3);
        assert_ne!(drawing.fingerprint, before);
        assert_eq!(drawing.prepare(view(1.0, Coord { x: 500.0, y: 500.0 })).visible, 10);
    }
}
