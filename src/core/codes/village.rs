//! Which village a grid belongs to: by containment in village polygons when the project has them
//! (the village with the largest overlap), else by the grid's own village_code.

use geo::{Area, BooleanOps, BoundingRect, Intersects};

use crate::core::{Grid, Project};

pub fn village_of(project: &Project, grid: &Grid) -> Option<String> {
    let with_polygons: Vec<_> = project.villages().filter(|v| v.polygon.is_some()).collect();
    if with_polygons.is_empty() {
        let code = grid.village_code.trim();
        return (!code.is_empty()).then(|| code.to_string());
    }
    let env = grid.geometry.bounding_rect()?;
    with_polygons
        .iter()
        .filter_map(|v| {
            let polygon = v.polygon.as_ref()?;
            if !polygon.bounding_rect().is_some_and(|r| r.intersects(&env)) {
                return None;
            }
            let overlap = polygon.intersection(&grid.geometry).unsigned_area();
            (overlap > 0.0).then(|| (v.code.to_string(), overlap))
        })
        // The largest overlap; on a tie the lower code, so the answer never depends on order.
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(code, _)| code)
}
