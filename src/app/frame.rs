//! Frame preparation for the grid layer: culls grids to the view through the R-tree, then builds one
//! fill mesh and the outlines, with level of detail — grids under two pixels become a single quad,
//! outlines appear from six pixels, labels from seventy. This is what keeps 100,000 grids smooth
//! (benches/frame.rs measures it at full extent).

use std::collections::BTreeSet;

use eframe::egui::epaint::{Mesh, Vertex, WHITE_UV};
use eframe::egui::{Color32, Pos2, Shape, Stroke};
use geo::Coord;

use super::map_cache::{DrawnFeature, FILL_COLOURS, MapCache};
use crate::core::{GridId, Viewport};

/// Pastel fills, told apart by colour-blind readers in pairs (ColorBrewer Pastel1/Set3).
pub const GRID_FILLS: [Color32; FILL_COLOURS] = [
    Color32::from_rgb(251, 180, 174),
    Color32::from_rgb(179, 205, 227),
    Color32::from_rgb(204, 235, 197),
    Color32::from_rgb(222, 203, 228),
    Color32::from_rgb(254, 217, 166),
    Color32::from_rgb(255, 255, 204),
    Color32::from_rgb(229, 216, 189),
    Color32::from_rgb(253, 218, 236),
    Color32::from_rgb(141, 211, 199),
    Color32::from_rgb(190, 186, 218),
];
pub const GRID_LINE: Color32 = Color32::from_rgb(60, 60, 60);
pub const SELECTED_FILL: Color32 = Color32::from_rgb(120, 170, 250);
pub const SELECTED_LINE: Color32 = Color32::from_rgb(20, 80, 220);

/// Below this size on screen (points) a grid is drawn as one quad.
const QUAD_BELOW_PX: f64 = 2.0;
/// From this size on screen a grid gets an outline.
const OUTLINE_FROM_PX: f64 = 6.0;
/// From this size on screen a grid gets its label.
pub const LABEL_FROM_PX: f64 = 70.0;

pub struct PreparedGrids {
    pub fills: Mesh,
    pub outlines: Vec<Shape>,
    /// Grids large enough for a label, in id order.
    pub labelled: Vec<GridId>,
    pub visible: usize,
}

/// World → screen for a canvas whose top-left corner is `origin`.
#[derive(Clone, Copy)]
pub struct ToScreen {
    pub vp: Viewport,
    pub origin: Pos2,
}

impl ToScreen {
    pub fn pos(&self, c: Coord<f64>) -> Pos2 {
        let s = self.vp.to_screen(c);
        Pos2::new(self.origin.x + s.x as f32, self.origin.y + s.y as f32)
    }
}

pub fn prepare_grids(cache: &MapCache, to: ToScreen, selection: &BTreeSet<GridId>) -> PreparedGrids {
    let visible = to.vp.visible_world();
    let envelope = rstar::AABB::from_corners(visible.min().into(), visible.max().into());
    let mut ids: Vec<GridId> = cache.tree.locate_in_envelope_intersecting(envelope).map(|b| b.data).collect();
    ids.sort_unstable();
    let mut fills = Mesh::default();
    let mut outlines = Vec::new();
    let mut labelled = Vec::new();
    let px = to.vp.world_per_px;
    for &id in &ids {
        let Some(f) = cache.grids.get(&id) else { continue };
        let Some(e) = f.extent else { continue };
        let size_px = e.width().max(e.height()) / px;
        let selected = selection.contains(&id);
        let colour = if selected {
            SELECTED_FILL
        } else {
            GRID_FILLS[cache.colour.get(&id).copied().unwrap_or(0) as usize % FILL_COLOURS]
        };
        if size_px < QUAD_BELOW_PX {
            quad(&mut fills, to.pos(e.min()), to.pos(e.max()), colour);
            continue;
        }
        add_fill(&mut fills, f, colour, to);
        if size_px >= OUTLINE_FROM_PX || selected {
            let stroke = if selected { Stroke::new(2.5, SELECTED_LINE) } else { Stroke::new(1.0, GRID_LINE) };
            for ring in &f.rings {
                outlines.push(Shape::line(ring.iter().map(|&c| to.pos(c)).collect(), stroke));
            }
        }
        if size_px >= LABEL_FROM_PX {
            labelled.push(id);
        }
    }
    PreparedGrids { fills, outlines, labelled, visible: ids.len() }
}

fn quad(mesh: &mut Mesh, a: Pos2, b: Pos2, color: Color32) {
    // At least one pixel, so that a tiny grid never vanishes from the map.
    let (min, max) = (a.min(b), a.max(b));
    let max = Pos2::new(max.x.max(min.x + 1.0), max.y.max(min.y + 1.0));
    let base = mesh.vertices.len() as u32;
    for pos in [min, Pos2::new(max.x, min.y), max, Pos2::new(min.x, max.y)] {
        mesh.vertices.push(Vertex { pos, uv: WHITE_UV, color });
    }
    mesh.indices.extend([base, base + 1, base + 2, base, base + 2, base + 3]);
}

pub fn add_fill(mesh: &mut Mesh, f: &DrawnFeature, color: Color32, to: ToScreen) {
    let base = mesh.vertices.len() as u32;
    mesh.vertices.extend(f.vertices.iter().map(|&c| Vertex { pos: to.pos(c), uv: WHITE_UV, color }));
    mesh.indices.extend(f.indices.iter().map(|i| base + i));
}
