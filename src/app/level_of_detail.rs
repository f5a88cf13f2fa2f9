//! Frame preparation for the grid layer: culls grids to the view through the R-tree, then builds one
//! fill mesh and the outlines, with level of detail — grids under four pixels become a single quad,
//! outlines appear from six pixels, labels from 36 (where they fit). This is what keeps 100,000 grids smooth
//! (benches/frame.rs measures it at full extent).

use std::collections::BTreeSet;

use eframe::egui::epaint::{Mesh, Vertex, WHITE_UV};
use eframe::egui::{Color32, Pos2, Shape, Stroke};
use geo::Coord;

use super::map_cache::{DrawnFeature, FILL_COLOURS, MapCache};
use crate::core::{GridId, Viewport};

/// Light fills, told apart by colour-blind readers in pairs (from ColorBrewer Set3/Pastel1), with no pale
/// green, grey or cream among them: nothing filled with one of these can be mistaken for the uncovered
/// land ([`UNCOVERED_FILL`]) or the background around it (CIELAB ΔE ≥ 20 from both, tested).
pub const GRID_FILLS: [Color32; FILL_COLOURS] = [
    Color32::from_rgb(251, 180, 174),
    Color32::from_rgb(128, 177, 211),
    Color32::from_rgb(253, 180, 98),
    Color32::from_rgb(190, 186, 218),
    Color32::from_rgb(141, 211, 199),
    Color32::from_rgb(252, 205, 229),
    Color32::from_rgb(255, 237, 111),
    Color32::from_rgb(188, 128, 189),
    Color32::from_rgb(251, 128, 114),
    Color32::from_rgb(229, 196, 148),
];
/// The land inside the boundary that no grid covers yet.
pub const UNCOVERED_FILL: Color32 = Color32::from_rgb(226, 238, 218);
/// The canvas outside the boundary.
pub const MAP_BACKGROUND: Color32 = Color32::from_rgb(246, 246, 240);
pub const GRID_LINE: Color32 = Color32::from_rgb(60, 60, 60);
pub const SELECTED_FILL: Color32 = Color32::from_rgb(120, 170, 250);
pub const SELECTED_LINE: Color32 = Color32::from_rgb(20, 80, 220);

/// Below this size on screen (points) a grid is drawn as one quad.
const QUAD_BELOW_PX: f64 = 4.0;
/// From this size on screen a grid gets an outline.
const OUTLINE_FROM_PX: f64 = 6.0;
/// From this size on screen a grid gets its label.
const LABEL_FROM_PX: f64 = 36.0;

pub struct PreparedGrids {
    pub fills: Mesh,
    pub outlines: Vec<Shape>,
    /// Grids large enough for a label, in id order.
    pub labelled: Vec<GridId>,
    pub visible: usize,
}

/// World → screen for a canvas whose top-left corner is `origin`: the viewport's affine transform
/// folded into one scale and two offsets (this runs for every vertex of every frame).
#[derive(Clone, Copy)]
pub struct ToScreen {
    pub vp: Viewport,
    scale: f64,
    offset_x: f64,
    offset_y: f64,
}

impl ToScreen {
    pub fn new(vp: Viewport, origin: Pos2) -> ToScreen {
        let scale = 1.0 / vp.world_per_px;
        ToScreen {
            vp,
            scale,
            offset_x: origin.x as f64 + vp.size_on_screen.x / 2.0 - vp.centre_in_world.x * scale,
            offset_y: origin.y as f64 + vp.size_on_screen.y / 2.0 + vp.centre_in_world.y * scale,
        }
    }

    #[inline]
    pub fn pos(&self, c: Coord<f64>) -> Pos2 {
        Pos2::new((c.x * self.scale + self.offset_x) as f32, (self.offset_y - c.y * self.scale) as f32)
    }
}

pub fn prepare_grids(cache: &MapCache, to: ToScreen, selection: &BTreeSet<GridId>) -> PreparedGrids {
    let visible = to.vp.visible_world();
    // When most of the map is in view, a straight pass over the slots beats asking the R-tree.
    let mostly_visible = cache.extent.is_some_and(|e| {
        let inter_w = (visible.max().x.min(e.max().x) - visible.min().x.max(e.min().x)).max(0.0);
        let inter_h = (visible.max().y.min(e.max().y) - visible.min().y.max(e.min().y)).max(0.0);
        inter_w * inter_h > 0.25 * e.width() * e.height()
    });
    let slots: Vec<usize> = if mostly_visible {
        (0..cache.slots.len()).collect()
    } else {
        let envelope = rstar::AABB::from_corners(visible.min().into(), visible.max().into());
        let mut s: Vec<usize> = cache.tree.locate_in_envelope_intersecting(envelope).map(|b| b.data).collect();
        s.sort_unstable();
        s
    };
    let [vx0, vy0, vx1, vy1] = [visible.min().x, visible.min().y, visible.max().x, visible.max().y];
    let mut fills = Mesh::default();
    fills.vertices.reserve(slots.len() * 4);
    fills.indices.reserve(slots.len() * 6);
    let mut outlines = Vec::new();
    let mut labelled = Vec::new();
    let per_px = 1.0 / to.vp.world_per_px;
    let mut count = 0;
    for i in slots {
        let Some(Some(slot)) = cache.slots.get(i) else { continue };
        let [x0, y0, x1, y1] = slot.extent;
        if !(x1 >= vx0 && x0 <= vx1 && y1 >= vy0 && y0 <= vy1) {
            continue;
        }
        count += 1;
        let size_px = (x1 - x0).max(y1 - y0) * per_px;
        let selected = !selection.is_empty() && selection.contains(&slot.id);
        let colour = if selected {
            SELECTED_FILL
        } else if cache.themed {
            slot.theme_fill
        } else {
            GRID_FILLS[slot.colour as usize % FILL_COLOURS]
        };
        if size_px < QUAD_BELOW_PX {
            quad(&mut fills, to.pos(Coord { x: x0, y: y0 }), to.pos(Coord { x: x1, y: y1 }), colour);
            continue;
        }
        let f = &slot.feature;
        add_fill(&mut fills, f, colour, to);
        // A coarse feature (a large project's first seconds) has no fill yet: its outline shows it.
        if size_px >= OUTLINE_FROM_PX || selected || f.is_coarse() {
            let stroke = if selected { Stroke::new(2.5, SELECTED_LINE) } else { Stroke::new(1.0, GRID_LINE) };
            for ring in &f.rings {
                outlines.push(Shape::line(ring.iter().map(|&c| to.pos(c)).collect(), stroke));
            }
        }
        if size_px >= LABEL_FROM_PX {
            labelled.push(slot.id);
        }
    }
    labelled.sort_unstable();
    PreparedGrids { fills, outlines, labelled, visible: count }
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

/// Household points in view as one mesh of small squares: culled through the cache's R-tree of points
/// when the view shows a small part of them, and thinned to one dot per [`DOT_CELL_PX`] cell on screen,
/// so that 100,000 points at full extent cost a pass over the points and at most one quad per cell.
pub fn prepare_households(
    cache: &MapCache,
    households: &[crate::core::HouseholdPoint],
    to: ToScreen,
    color: Color32,
) -> Mesh {
    let visible = to.vp.visible_world();
    let [vx0, vy0, vx1, vy1] = [visible.min().x, visible.min().y, visible.max().x, visible.max().y];
    let (w, h) = (to.vp.size_on_screen.x.max(1.0), to.vp.size_on_screen.y.max(1.0));
    let cols = (w / DOT_CELL_PX).ceil() as usize + 1;
    let rows = (h / DOT_CELL_PX).ceil() as usize + 1;
    let mut taken = vec![false; cols * rows];
    let origin = to.pos(geo::Coord { x: vx0, y: vy1 });
    let mut mesh = Mesh::default();
    let mut dot = |c: Coord<f64>| {
        if !(c.x >= vx0 && c.x <= vx1 && c.y >= vy0 && c.y <= vy1) {
            return;
        }
        let p = to.pos(c);
        let col = (((p.x - origin.x) as f64 / DOT_CELL_PX).max(0.0) as usize).min(cols - 1);
        let row = (((p.y - origin.y) as f64 / DOT_CELL_PX).max(0.0) as usize).min(rows - 1);
        let cell = &mut taken[row * cols + col];
        if !*cell {
            *cell = true;
            let half = eframe::egui::Vec2::splat(DOT_SIZE_PX / 2.0);
            quad(&mut mesh, p - half, p + half, color);
        }
    };
    let in_view = cache.household_tree.size();
    let envelope = rstar::AABB::from_corners([vx0, vy0], [vx1, vy1]);
    // A straight pass when the view holds much of the county; the R-tree when zoomed in.
    let mostly_visible = cache.household_extent.is_some_and(|e| {
        let inter_w = (vx1.min(e.max().x) - vx0.max(e.min().x)).max(0.0);
        let inter_h = (vy1.min(e.max().y) - vy0.max(e.min().y)).max(0.0);
        inter_w * inter_h > 0.25 * e.width() * e.height()
    });
    if mostly_visible || in_view != households.len() {
        for hp in households {
            dot(hp.position.0);
        }
    } else {
        for i in cache.household_tree.locate_in_envelope(envelope) {
            dot(Coord { x: i.geom()[0], y: i.geom()[1] });
        }
    }
    mesh
}

/// Household dots: one per cell of this many points on screen, this big.
pub const DOT_CELL_PX: f64 = 3.0;
pub const DOT_SIZE_PX: f32 = 3.0;

pub fn add_fill(mesh: &mut Mesh, f: &DrawnFeature, color: Color32, to: ToScreen) {
    let base = mesh.vertices.len() as u32;
    mesh.vertices.extend(f.vertices.iter().map(|&c| Vertex { pos: to.pos(c), uv: WHITE_UV, color }));
    mesh.indices.extend(f.indices.iter().map(|i| base + i));
}

/// CIELAB ΔE*76 between two colours: about 2 is the smallest difference people see, above 20 two fills
/// read as different colours at a glance.
pub fn delta_e(a: Color32, b: Color32) -> f64 {
    fn lab(c: Color32) -> [f64; 3] {
        let lin = |u: u8| {
            let u = u as f64 / 255.0;
            if u <= 0.04045 { u / 12.92 } else { ((u + 0.055) / 1.055).powf(2.4) }
        };
        let (r, g, b) = (lin(c.r()), lin(c.g()), lin(c.b()));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
        [116.0 * f(y) - 16.0, 500.0 * (f(x) - f(y)), 200.0 * (f(y) - f(z))]
    }
    let (p, q) = (lab(a), lab(b));
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Intersects;

    #[test]
    fn no_grid_fill_looks_like_uncovered_land_or_the_background() {
        for (i, c) in GRID_FILLS.iter().enumerate() {
            for (what, other) in [("uncovered land", UNCOVERED_FILL), ("background", MAP_BACKGROUND)] {
                let d = delta_e(*c, other);
                assert!(d >= 20.0, "fill {i} {c:?} is only ΔE {d:.1} from the {what}");
            }
            assert!(delta_e(*c, SELECTED_FILL) >= 20.0, "fill {i} looks selected");
        }
        for (i, a) in GRID_FILLS.iter().enumerate() {
            for b in &GRID_FILLS[i + 1..] {
                assert!(delta_e(*a, *b) >= 15.0, "{a:?} and {b:?} are too alike for neighbours");
            }
        }
        // The old palette's pale green (the fill a filled gap came out in) fails the same test.
        assert!(delta_e(Color32::from_rgb(204, 235, 197), UNCOVERED_FILL) < 20.0);
    }

    /// The coarse cache a large project starts with draws the same quads as the full one at full
    /// extent, and each grid's outline (no fill yet) where the full one fills and outlines it.
    #[test]
    fn a_coarse_cache_draws_quads_at_full_extent_and_outlines_zoomed_in() {
        use crate::core::coverage::synthetic::jittered_grid;
        use crate::core::{Crs, CrsUnits, Grid, Project};
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for g in jittered_grid(30, 20, 100.0, Coord { x: 0.0, y: 0.0 }, 3) {
            p.add_grid(Grid::new(g));
        }
        let full = MapCache::build(&p);
        let coarse = MapCache::coarse(&p, &full.colours());
        assert!(coarse.coarse && !full.coarse);
        let none = BTreeSet::new();
        // Full extent in 90 × 60 points: every grid about 3 px, a quad of its extent in its colour.
        let mut vp = Viewport::new(Coord { x: 90.0, y: 60.0 });
        vp.fit(p.extent().unwrap());
        let (a, b) = (
            prepare_grids(&full, ToScreen::new(vp, Pos2::ZERO), &none),
            prepare_grids(&coarse, ToScreen::new(vp, Pos2::ZERO), &none),
        );
        assert_eq!(a.visible, 600);
        assert_eq!((a.fills.vertices, a.fills.indices), (b.fills.vertices, b.fills.indices));
        // Zoomed in to about 50 px a grid: the full cache fills and outlines, the coarse one outlines.
        vp.world_per_px = 2.0;
        let (a, b) = (
            prepare_grids(&full, ToScreen::new(vp, Pos2::ZERO), &none),
            prepare_grids(&coarse, ToScreen::new(vp, Pos2::ZERO), &none),
        );
        assert!(a.visible > 0 && a.visible == b.visible);
        assert!(!a.fills.indices.is_empty() && b.fills.indices.is_empty());
        assert_eq!(a.outlines.len(), b.outlines.len());
        assert!(b.labelled.is_empty() || b.labelled == a.labelled);
    }

    fn households(n: usize, span: f64) -> Vec<crate::core::HouseholdPoint> {
        let mut rng = crate::core::coverage::synthetic::Rng::new(7);
        (0..n)
            .map(|_| crate::core::HouseholdPoint {
                position: geo::Point::new(rng.unit() * span, rng.unit() * span),
                households: 1,
                population: None,
            })
            .collect()
    }

    #[test]
    fn household_dots_are_culled_to_the_view_and_thinned_to_one_per_cell() {
        use crate::core::{Crs, CrsUnits, Project};
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        p.households = households(100_000, 10_000.0);
        let cache = MapCache::build(&p);
        assert_eq!(cache.household_tree.size(), 100_000);
        let mut vp = Viewport::new(Coord { x: 600.0, y: 400.0 });
        vp.fit(geo::Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 10_000.0, y: 10_000.0 }));
        let to = ToScreen::new(vp, Pos2::ZERO);
        let mesh = prepare_households(&cache, &p.households, to, Color32::RED);
        let cells = (600.0 / DOT_CELL_PX + 1.0) * (400.0 / DOT_CELL_PX + 1.0);
        let quads = mesh.vertices.len() / 4;
        assert!(quads as f64 <= cells && quads > 1000, "{quads} dots for {cells} cells");
        // Zoomed in on a corner: only the points in view, found through the R-tree, one quad each
        // where they are sparse on screen.
        vp.world_per_px = 0.5;
        vp.centre_in_world = Coord { x: 150.0, y: 100.0 };
        let in_view = p.households.iter().filter(|h| vp.visible_world().intersects(&h.position)).count();
        let mesh = prepare_households(&cache, &p.households, ToScreen::new(vp, Pos2::ZERO), Color32::RED);
        assert!(
            in_view > 0 && mesh.vertices.len() / 4 == in_view,
            "{} quads, {in_view} in view",
            mesh.vertices.len() / 4
        );
    }
}
