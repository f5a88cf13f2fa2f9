//! World-space drawing data kept between frames: fill triangles (polygons may be concave or have holes,
//! which egui's path fill cannot do), outline rings, label anchors, a fill colour per grid chosen so that
//! neighbours never share one, and an R-tree of grid envelopes for culling. Rebuilt only for the grids
//! an edit touched.

use std::collections::{BTreeMap, BTreeSet};

use geo::{BoundingRect, Coord, InteriorPoint, MultiPolygon, Rect, TriangulateEarcut};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};
use rustc_hash::FxHashSet;

use crate::core::{Grid, GridId, Project};

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
}

pub type GridBox = GeomWithData<Rectangle<[f64; 2]>, GridId>;

/// How many fill colours the map uses; greedy colouring of a planar map rarely needs more than six.
pub const FILL_COLOURS: usize = 10;

pub struct MapCache {
    pub boundary: Option<DrawnFeature>,
    pub divisions: Vec<DrawnFeature>,
    pub grids: BTreeMap<GridId, DrawnFeature>,
    /// Index into the fill palette, different for any two grids that share an edge.
    pub colour: BTreeMap<GridId, u8>,
    pub tree: RTree<GridBox>,
}

fn grid_label(g: &Grid) -> String {
    if g.name.is_empty() { g.code.clone() } else { format!("{}\n{}", g.code, g.name) }
}

fn grid_box(id: GridId, e: Rect<f64>) -> GridBox {
    GeomWithData::new(Rectangle::from_corners(e.min().into(), e.max().into()), id)
}

impl MapCache {
    pub fn build(project: &Project) -> MapCache {
        let boundary =
            (!project.boundary.0.is_empty()).then(|| DrawnFeature::new(&project.boundary, project.name.clone()));
        let divisions = project
            .divisions
            .values()
            .filter_map(|d| Some(DrawnFeature::new(d.polygon.as_ref()?, d.name.clone())))
            .collect();
        let grids: BTreeMap<GridId, DrawnFeature> =
            project.grids.values().map(|g| (g.id, DrawnFeature::new(&g.geometry, grid_label(g)))).collect();
        let tree = RTree::bulk_load(grids.iter().filter_map(|(id, f)| Some(grid_box(*id, f.extent?))).collect());
        let mut cache = MapCache { boundary, divisions, grids, colour: BTreeMap::new(), tree };
        let ids: Vec<GridId> = project.grids.keys().copied().collect();
        cache.recolour(project, &ids);
        cache
    }

    /// Rebuilds what changed after an edit of `changed` grids (added, removed or reshaped).
    pub fn update(&mut self, project: &Project, changed: &BTreeSet<GridId>) {
        for id in changed {
            if let Some(old) = self.grids.remove(id)
                && let Some(e) = old.extent
            {
                self.tree.remove(&grid_box(*id, e));
            }
            self.colour.remove(id);
            if let Some(g) = project.grids.get(id) {
                let f = DrawnFeature::new(&g.geometry, grid_label(g));
                if let Some(e) = f.extent {
                    self.tree.insert(grid_box(*id, e));
                }
                self.grids.insert(*id, f);
            }
        }
        let ids: Vec<GridId> = changed.iter().copied().filter(|id| project.grids.contains_key(id)).collect();
        self.recolour(project, &ids);
    }

    /// Gives each of `ids` the first colour none of its edge neighbours has (greedy colouring, in id
    /// order so that the map looks the same every time the project is opened).
    fn recolour(&mut self, project: &Project, ids: &[GridId]) {
        for &id in ids {
            let Some(g) = project.grids.get(&id) else { continue };
            let mut used = [0usize; FILL_COLOURS];
            for n in self.edge_neighbours(project, g) {
                if let Some(&c) = self.colour.get(&n) {
                    used[c as usize] += 1;
                }
            }
            // With every colour taken (very rare), the least used one keeps the clash small.
            let pick = used
                .iter()
                .position(|&u| u == 0)
                .unwrap_or_else(|| used.iter().enumerate().min_by_key(|(_, u)| **u).map_or(0, |(i, _)| i));
            self.colour.insert(id, pick as u8);
        }
    }

    /// Grids that share at least one segment with `g` (corner contact does not count).
    pub fn edge_neighbours(&self, project: &Project, g: &Grid) -> Vec<GridId> {
        let Some(e) = g.geometry.bounding_rect() else { return Vec::new() };
        let segments = segment_keys(&g.geometry);
        let envelope = rstar::AABB::from_corners(e.min().into(), e.max().into());
        let mut out: Vec<GridId> = self
            .tree
            .locate_in_envelope_intersecting(envelope)
            .map(|b| b.data)
            .filter(|&n| n != g.id)
            .filter(|n| project.grids.get(n).is_some_and(|other| shares_segment(&other.geometry, &segments)))
            .collect();
        out.sort_unstable();
        out
    }

    /// Rebuilds the labels (after codes or names change without geometry changes).
    pub fn relabel(&mut self, project: &Project) {
        for (id, f) in &mut self.grids {
            if let Some(g) = project.grids.get(id) {
                f.label = grid_label(g);
            }
        }
        if let Some(b) = &mut self.boundary {
            b.label = project.name.clone();
        }
    }
}

type SegmentKey = [u64; 4];

fn key(a: Coord<f64>, b: Coord<f64>) -> SegmentKey {
    let (p, q) = if (a.x, a.y) <= (b.x, b.y) { (a, b) } else { (b, a) };
    [p.x.to_bits(), p.y.to_bits(), q.x.to_bits(), q.y.to_bits()]
}

fn segment_keys(mp: &MultiPolygon<f64>) -> FxHashSet<SegmentKey> {
    let mut out = FxHashSet::default();
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            out.extend(ring.0.windows(2).map(|w| key(w[0], w[1])));
        }
    }
    out
}

fn shares_segment(mp: &MultiPolygon<f64>, keys: &FxHashSet<SegmentKey>) -> bool {
    mp.0.iter().any(|p| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .any(|r| r.0.windows(2).any(|w| keys.contains(&key(w[0], w[1]))))
    })
}
