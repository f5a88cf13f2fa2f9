//! World-space drawing data kept between frames: fill triangles (polygons may be concave or have holes,
//! which egui's path fill cannot do), outline rings, label anchors, a fill colour per grid chosen so that
//! neighbours never share one, and an R-tree of grid envelopes for culling. Rebuilt only for the grids
//! an edit touched.

use std::collections::{BTreeMap, BTreeSet};

use eframe::egui::Color32;
use geo::{BoundingRect, Coord, InteriorPoint, MultiPolygon, Rect, TriangulateEarcut};
use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::core::rect::{RectEntry, rect_entry};
use crate::core::{Grid, GridId, Project, share_an_edge};

/// One polygonal feature ready to draw.
pub struct DrawnFeature {
    pub vertices: Vec<Coord<f64>>,
    pub indices: Vec<u32>,
    pub rings: Vec<Vec<Coord<f64>>>,
    pub label_at: Option<Coord<f64>>,
    pub label: String,
    pub extent: Option<Rect<f64>>,
}

impl DrawnFeature {
    pub fn new(mp: &MultiPolygon<f64>, label: String) -> DrawnFeature {
        let mut vertices = Vec::new();
        let mut indices = Vec::new();
        let mut rings = Vec::new();
        for polygon in &mp.0 {
            let raw = polygon.earcut_triangles_raw();
            let base = vertices.len() as u32;
            vertices.extend(raw.vertices.iter().map(|v| Coord { x: v[0], y: v[1] }));
            indices.extend(raw.triangle_indices.iter().map(|&i| base + i as u32));
            rings.push(polygon.exterior().0.clone());
            rings.extend(polygon.interiors().iter().map(|r| r.0.clone()));
        }
        // The largest part carries the label; an interior point is inside even for a crescent shape.
        let largest = mp.0.iter().max_by(|a, b| {
            let size = |p: &geo::Polygon<f64>| p.bounding_rect().map_or(0.0, |r| r.width() * r.height());
            size(a).total_cmp(&size(b))
        });
        let label_at = largest.and_then(|p| p.interior_point()).map(|p| p.0);
        DrawnFeature { vertices, indices, rings, label_at, label, extent: mp.bounding_rect() }
    }

    /// The outline and extent alone, without fill triangles or a label: what a large project's first
    /// frame draws while the full features are built on a worker thread ([`MapCache::coarse`]).
    pub fn coarse(mp: &MultiPolygon<f64>) -> DrawnFeature {
        let rings = mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).map(|r| r.0.clone());
        DrawnFeature {
            vertices: Vec::new(),
            indices: Vec::new(),
            rings: rings.collect(),
            label_at: None,
            label: String::new(),
            extent: mp.bounding_rect(),
        }
    }

    /// Whether the feature has no fill triangles (a coarse one, or an empty shape): drawn by its outline.
    pub fn is_coarse(&self) -> bool {
        self.indices.is_empty()
    }
}

/// An R-tree entry: a grid's envelope and its slot in [`MapCache::slots`].
pub type GridBox = RectEntry<usize>;

/// A grid as the canvas needs it each frame, kept in a dense vector so the frame loop stays tight.
pub struct Slot {
    pub id: GridId,
    pub feature: DrawnFeature,
    /// [min x, min y, max x, max y] in world units.
    pub extent: [f64; 4],
    pub colour: u8,
    /// The grid's fill in the thematic view ([`MapCache::themed`]), set once per project revision.
    pub theme_fill: Color32,
}

/// A grid's thematic fill before the theme was computed for it.
const NO_THEME_FILL: Color32 = Color32::from_rgb(170, 170, 170);

/// How many fill colours the map uses; greedy colouring of a planar map rarely needs more than six.
pub const FILL_COLOURS: usize = 10;

pub struct MapCache {
    pub boundary: Option<DrawnFeature>,
    pub divisions: Vec<DrawnFeature>,
    /// Grids in slots; a deleted grid leaves an empty slot (reused by the next new grid).
    pub slots: Vec<Option<Slot>>,
    pub slot_of: BTreeMap<GridId, usize>,
    pub tree: RTree<GridBox>,
    /// The envelope of all grids (for deciding whether culling through the R-tree pays).
    pub extent: Option<Rect<f64>>,
    /// True while a thematic view colours the grids (each slot's `theme_fill`), not the neighbour colours.
    pub themed: bool,
    /// The household points (their positions in `project.households`), for culling to the view.
    pub household_tree: RTree<HouseholdBox>,
    pub household_extent: Option<Rect<f64>>,
    /// Built by [`MapCache::coarse`]: the grids' outlines only, with the colours they had (or the first
    /// one), until the full cache built on a worker thread replaces it.
    pub coarse: bool,
    free: Vec<usize>,
}

/// A household point and its position in `project.households`.
pub type HouseholdBox = GeomWithData<[f64; 2], usize>;

fn grid_label(g: &Grid) -> String {
    if g.name.is_empty() { g.code.clone() } else { format!("{}\n{}", g.code, g.name) }
}

fn extent_of(f: &DrawnFeature) -> [f64; 4] {
    f.extent.map_or([f64::NAN; 4], |e| [e.min().x, e.min().y, e.max().x, e.max().y])
}

impl MapCache {
    pub fn build(project: &Project) -> MapCache {
        let mut cache = MapCache::with_features(project, |g| DrawnFeature::new(&g.geometry, grid_label(g)));
        let ids: Vec<GridId> = project.grids.keys().copied().collect();
        cache.recolour(project, &ids, &BTreeMap::new());
        cache
    }

    /// A cache that draws at once: every grid's outline and extent, with the colour it has in `colours`
    /// (else the first), no fill triangles, labels or neighbour colouring. At full extent of a large
    /// project grids are a few pixels wide and drawn as quads of their extent, so the map looks filled;
    /// zoomed in, the outlines show until [`MapCache::build_keeping`] (on a worker) replaces it.
    pub fn coarse(project: &Project, colours: &BTreeMap<GridId, u8>) -> MapCache {
        let mut cache = MapCache::with_features(project, |g| DrawnFeature::coarse(&g.geometry));
        for (id, colour) in colours {
            cache.set_colour(*id, *colour);
        }
        cache.coarse = true;
        cache
    }

    fn with_features(project: &Project, feature: impl Fn(&Grid) -> DrawnFeature) -> MapCache {
        let boundary =
            (!project.boundary.0.is_empty()).then(|| DrawnFeature::new(&project.boundary, project.name.clone()));
        let divisions = project
            .divisions
            .values()
            .filter_map(|d| Some(DrawnFeature::new(d.polygon.as_ref()?, d.name.clone())))
            .collect();
        let slots: Vec<Option<Slot>> = project
            .grids
            .values()
            .map(|g| {
                let feature = feature(g);
                Some(Slot { id: g.id, extent: extent_of(&feature), feature, colour: 0, theme_fill: NO_THEME_FILL })
            })
            .collect();
        let slot_of = slots.iter().enumerate().filter_map(|(i, s)| Some((s.as_ref()?.id, i))).collect();
        let tree = RTree::bulk_load(
            slots.iter().enumerate().filter_map(|(i, s)| Some(rect_entry(s.as_ref()?.feature.extent?, i))).collect(),
        );
        let household_tree = project.household_tree();
        let household_extent = household_tree.root().envelope().into_rect();
        let mut cache = MapCache {
            boundary,
            divisions,
            slots,
            slot_of,
            tree,
            extent: None,
            themed: false,
            household_tree,
            household_extent,
            coarse: false,
            free: Vec::new(),
        };
        cache.extent = cache.tree.root().envelope().into_rect();
        cache
    }

    /// Rebuilds everything for `project` (after an import, an undone import, a rename) while every grid
    /// that was on the map before keeps its fill colour wherever no neighbour now has the same one: a
    /// whole rebuild must not reshuffle the map either.
    pub fn rebuild(project: &Project, previous: &MapCache) -> MapCache {
        MapCache::build_keeping(project, &previous.colours())
    }

    /// The fill colour of every grid on the map.
    pub fn colours(&self) -> BTreeMap<GridId, u8> {
        self.slots.iter().flatten().map(|s| (s.id, s.colour)).collect()
    }

    /// [`MapCache::build`], where the grids in `colours` keep theirs wherever no neighbour now has the
    /// same one (see [`MapCache::rebuild`]).
    pub fn build_keeping(project: &Project, colours: &BTreeMap<GridId, u8>) -> MapCache {
        let old: BTreeMap<GridId, u8> =
            colours.iter().filter(|(id, _)| project.grids.contains_key(id)).map(|(id, c)| (*id, *c)).collect();
        if old.is_empty() {
            return MapCache::build(project);
        }
        let mut cache = MapCache::with_features(project, |g| DrawnFeature::new(&g.geometry, grid_label(g)));
        let ids: Vec<GridId> = project.grids.keys().copied().collect();
        // Grids that had a colour go first, so a new grid takes a colour around them, not the reverse.
        for (id, colour) in &old {
            cache.set_colour(*id, *colour);
        }
        cache.recolour(project, &ids, &old);
        cache
    }

    /// Colours the grids by a thematic view: `fills` per grid (a grid not in it is grey).
    pub fn set_theme_fills(&mut self, fills: &BTreeMap<GridId, Color32>) {
        for slot in self.slots.iter_mut().flatten() {
            slot.theme_fill = fills.get(&slot.id).copied().unwrap_or(NO_THEME_FILL);
        }
        self.themed = true;
    }

    fn set_colour(&mut self, id: GridId, colour: u8) {
        if let Some(&slot) = self.slot_of.get(&id)
            && let Some(s) = self.slots[slot].as_mut()
        {
            s.colour = colour;
        }
    }

    pub fn grid(&self, id: GridId) -> Option<&Slot> {
        self.slots.get(*self.slot_of.get(&id)?)?.as_ref()
    }

    /// Rebuilds what changed after an edit of `changed` grids (added, removed or reshaped).
    pub fn update(&mut self, project: &Project, changed: &BTreeSet<GridId>) {
        // The colours the changed grids had: they keep them unless the edit made them clash.
        let old: BTreeMap<GridId, u8> = changed.iter().filter_map(|id| Some((*id, self.grid(*id)?.colour))).collect();
        for id in changed {
            if let Some(slot) = self.slot_of.remove(id) {
                if let Some(old) = self.slots[slot].take()
                    && let Some(e) = old.feature.extent
                {
                    self.tree.remove(&rect_entry(e, slot));
                }
                self.free.push(slot);
            }
            if let Some(g) = project.grids.get(id) {
                let feature = DrawnFeature::new(&g.geometry, grid_label(g));
                let slot = self.free.pop().unwrap_or_else(|| {
                    self.slots.push(None);
                    self.slots.len() - 1
                });
                if let Some(e) = feature.extent {
                    self.tree.insert(rect_entry(e, slot));
                }
                let colour = old.get(id).copied().unwrap_or(0);
                self.slots[slot] =
                    Some(Slot { id: *id, extent: extent_of(&feature), feature, colour, theme_fill: NO_THEME_FILL });
                self.slot_of.insert(*id, slot);
            }
        }
        self.extent = self.tree.root().envelope().into_rect();
        let ids: Vec<GridId> = changed.iter().copied().filter(|id| project.grids.contains_key(id)).collect();
        self.recolour(project, &ids, &old);
    }

    /// Colours `ids` (in id order): a grid in `keep` keeps that colour while none of its edge neighbours
    /// has it; any other gets the first colour none of its neighbours has (greedy colouring, so that the
    /// map looks the same every time the project is opened). Grids not in `ids` are never touched.
    fn recolour(&mut self, project: &Project, ids: &[GridId], keep: &BTreeMap<GridId, u8>) {
        let mut done: BTreeSet<GridId> = BTreeSet::new();
        for &id in ids {
            let Some(g) = project.grids.get(&id) else { continue };
            let mut used = [0usize; FILL_COLOURS];
            for n in self.edge_neighbours(project, g) {
                // A neighbour still waiting in `ids` counts only if it keeps its colour.
                let counts = !ids_contains(ids, n) || done.contains(&n) || keep.contains_key(&n);
                if let Some(slot) = self.grid(n).filter(|_| counts) {
                    used[slot.colour as usize % FILL_COLOURS] += 1;
                }
            }
            done.insert(id);
            if let Some(&kept) = keep.get(&id)
                && used[kept as usize % FILL_COLOURS] == 0
            {
                self.set_colour(id, kept);
                continue;
            }
            // With every colour taken (very rare), the least used one keeps the clash small.
            let pick = used
                .iter()
                .position(|&u| u == 0)
                .unwrap_or_else(|| used.iter().enumerate().min_by_key(|(_, u)| **u).map_or(0, |(i, _)| i));
            self.set_colour(id, pick as u8);
        }
    }

    /// Grids that share an edge with `g`: a segment, or at least two vertices (real data whose shared
    /// edges are not split alike still counts); a single shared corner does not.
    pub fn edge_neighbours(&self, project: &Project, g: &Grid) -> Vec<GridId> {
        let Some(e) = g.geometry.bounding_rect() else { return Vec::new() };
        let envelope = rstar::AABB::from_corners(e.min().into(), e.max().into());
        let mut out: Vec<GridId> = self
            .tree
            .locate_in_envelope_intersecting(envelope)
            .filter_map(|b| Some(self.slots.get(b.data)?.as_ref()?.id))
            .filter(|&n| n != g.id)
            .filter(|n| project.grids.get(n).is_some_and(|other| share_an_edge(&g.geometry, &other.geometry)))
            .collect();
        out.sort_unstable();
        out
    }
}

fn ids_contains(ids: &[GridId], id: GridId) -> bool {
    // `ids` comes in id order (from a BTreeSet or the project's grids).
    ids.binary_search(&id).is_ok()
}

trait IntoRect {
    fn into_rect(self) -> Option<Rect<f64>>;
}

impl IntoRect for rstar::AABB<[f64; 2]> {
    fn into_rect(self) -> Option<Rect<f64>> {
        let (min, max) = (self.lower(), self.upper());
        (min[0] <= max[0] && min[1] <= max[1])
            .then(|| Rect::new(Coord { x: min[0], y: min[1] }, Coord { x: max[0], y: max[1] }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::coverage::synthetic::jittered_grid;
    use crate::core::{Crs, CrsUnits};

    fn assert_neighbours_differ(cache: &MapCache, project: &Project) {
        for g in project.grids.values() {
            let own = cache.grid(g.id).unwrap().colour;
            for n in cache.edge_neighbours(project, g) {
                assert_ne!(own, cache.grid(n).unwrap().colour, "grids {} and {n} share an edge and a colour", g.id);
            }
        }
    }

    #[test]
    fn neighbours_never_share_a_fill_colour_even_after_edits() {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for g in jittered_grid(20, 15, 100.0, Coord { x: 0.0, y: 0.0 }, 5) {
            p.add_grid(Grid::new(g));
        }
        let mut cache = MapCache::build(&p);
        assert_neighbours_differ(&cache, &p);
        let used: BTreeSet<u8> = cache.slots.iter().flatten().map(|s| s.colour).collect();
        assert!(used.len() <= 6, "greedy colouring used {used:?}");
        // Replace a grid by a copy of its neighbour's colour-mate, delete one, add one: still distinct.
        p.grids.remove(&40);
        let new_id = p.add_grid(Grid::new(p.grids[&41].geometry.clone()));
        p.grids.remove(&41);
        cache.update(&p, &BTreeSet::from([40, 41, new_id]));
        assert_neighbours_differ(&cache, &p);
        assert!(cache.grid(41).is_none() && cache.grid(new_id).is_some());
    }

    fn colours(cache: &MapCache) -> BTreeMap<GridId, u8> {
        cache.slots.iter().flatten().map(|s| (s.id, s.colour)).collect()
    }

    #[test]
    fn an_edit_recolours_only_the_grids_it_touched_and_only_on_a_clash() {
        use crate::core::edit::{SpatialIndex, move_vertex, node_with_neighbours, uncovered_at};
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for g in jittered_grid(12, 10, 100.0, Coord { x: 0.0, y: 0.0 }, 5) {
            p.add_grid(Grid::new(g));
        }
        let mut cache = MapCache::build(&p);
        let before = colours(&cache);
        // A shared vertex moved: four grids reshaped, every colour stays.
        let index = SpatialIndex::build(&p);
        let v = p.grids[&50].geometry.0[0].exterior().0[0];
        let command = move_vertex(&p, &index, v, Coord { x: v.x + 7.0, y: v.y + 3.0 }).unwrap();
        let touched: BTreeSet<GridId> = command.grids().into_iter().collect();
        assert!(touched.len() >= 3, "{touched:?}");
        command.apply(&mut p).unwrap();
        cache.update(&p, &touched);
        assert_eq!(colours(&cache), before, "moving a vertex reshuffled colours");
        // A grid deleted and the gap filled again: the new grid gets a colour, nobody else changes.
        let gone = p.grids.remove(&54).unwrap();
        cache.update(&p, &BTreeSet::from([54]));
        let index = SpatialIndex::build(&p);
        let inside = geo::InteriorPoint::interior_point(&gone.geometry).unwrap().0;
        let area = uncovered_at(&p, &index, inside).unwrap();
        let (noded, neighbours) = node_with_neighbours(&p, &index, &area, &[]);
        let new_id = p.add_grid(Grid::new(noded));
        let mut changed = BTreeSet::from([new_id]);
        for (id, g) in neighbours {
            p.grids.get_mut(&id).unwrap().geometry = g;
            changed.insert(id);
        }
        cache.update(&p, &changed);
        let after = colours(&cache);
        for (id, c) in &before {
            if *id != 54 {
                assert_eq!(after.get(id), Some(c), "grid {id} changed colour after a fill next to it");
            }
        }
        assert_neighbours_differ(&cache, &p);
        // A whole rebuild (after a rename or an import) keeps them too.
        let rebuilt = MapCache::rebuild(&p, &cache);
        assert_eq!(colours(&rebuilt), after);
    }

    #[test]
    fn a_clash_made_by_an_edit_recolours_the_edited_grid_not_its_neighbour() {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        for g in jittered_grid(4, 1, 100.0, Coord { x: 0.0, y: 0.0 }, 5) {
            p.add_grid(Grid::new(g));
        }
        let mut cache = MapCache::build(&p);
        let before = colours(&cache);
        // Grid 1 and grid 3 may share a colour (they do not touch); make 3 a copy of 2's place next to
        // grid 1 by giving grid 3 grid 2's shape and removing grid 2.
        let shape = p.grids[&2].geometry.clone();
        p.grids.remove(&2);
        p.grids.get_mut(&3).unwrap().geometry = shape;
        cache.set_colour(3, before[&1]);
        cache.update(&p, &BTreeSet::from([2, 3]));
        let after = colours(&cache);
        assert_eq!(after[&1], before[&1], "the untouched neighbour kept its colour");
        assert_eq!(after[&4], before[&4]);
        assert_ne!(after[&3], after[&1]);
    }
}
