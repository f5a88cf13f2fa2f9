//! World-space drawing data built once per project revision, not per frame: fill triangles (polygons may
//! be concave or have holes, which egui's path fill cannot do), outline rings and label anchors.

use geo::{BoundingRect, Coord, InteriorPoint, MultiPolygon, Rect, TriangulateEarcut};

use crate::core::{GridId, Project};

/// One polygonal feature ready to draw.
pub struct DrawnFeature {
    pub triangles: Vec<[Coord<f64>; 3]>,
    pub rings: Vec<Vec<Coord<f64>>>,
    pub label_at: Option<Coord<f64>>,
    pub label: String,
    pub extent: Option<Rect<f64>>,
}

impl DrawnFeature {
    fn new(mp: &MultiPolygon<f64>, label: String) -> DrawnFeature {
        let mut triangles = Vec::new();
        let mut rings = Vec::new();
        for polygon in &mp.0 {
            let raw = polygon.earcut_triangles_raw();
            let v = |i: usize| Coord { x: raw.vertices[i][0], y: raw.vertices[i][1] };
            triangles.extend(raw.triangle_indices.chunks_exact(3).map(|t| [v(t[0]), v(t[1]), v(t[2])]));
            rings.push(polygon.exterior().0.clone());
            rings.extend(polygon.interiors().iter().map(|r| r.0.clone()));
        }
        // The largest part carries the label; an interior point is inside even for a crescent shape.
        let largest = mp.0.iter().max_by(|a, b| {
            let size = |p: &geo::Polygon<f64>| p.bounding_rect().map_or(0.0, |r| r.width() * r.height());
            size(a).total_cmp(&size(b))
        });
        let label_at = largest.and_then(|p| p.interior_point()).map(|p| p.0);
        DrawnFeature { triangles, rings, label_at, label, extent: mp.bounding_rect() }
    }
}

pub struct MapCache {
    pub revision: u64,
    pub boundary: Option<DrawnFeature>,
    pub divisions: Vec<DrawnFeature>,
    pub grids: Vec<(GridId, DrawnFeature)>,
}

impl MapCache {
    pub fn build(project: &Project, revision: u64) -> MapCache {
        let boundary =
            (!project.boundary.0.is_empty()).then(|| DrawnFeature::new(&project.boundary, project.name.clone()));
        let divisions = project
            .divisions
            .values()
            .filter_map(|d| Some(DrawnFeature::new(d.polygon.as_ref()?, d.name.clone())))
            .collect();
        let grids = project
            .grids
            .values()
            .map(|g| {
                let label = if g.name.is_empty() { g.code.clone() } else { format!("{}\n{}", g.code, g.name) };
                (g.id, DrawnFeature::new(&g.geometry, label))
            })
            .collect();
        MapCache { revision, boundary, divisions, grids }
    }
}
