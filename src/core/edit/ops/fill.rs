//! Fill: a click inside an uncovered area makes that area a new grid, bounded by the boundary and the
//! grids around it. Searches a growing window around the click, so filling a small hole among 100,000
//! grids only looks at the grids nearby.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{BooleanOps, BoundingRect, Coord, MultiPolygon, Polygon, Rect};

use super::clip::clean;
use crate::core::coverage::prepare_geometry;
use crate::core::edit::failure::EditFailure;
use crate::core::edit::index::SpatialIndex;
use crate::core::{GridId, Project};

/// The uncovered area around `pos_in_world`, as a polygon ready to become a grid (not yet noded).
///
/// ```
/// use geo::{polygon, Coord, MultiPolygon, Area};
/// use wangge::core::{Crs, CrsUnits, Grid, Project};
/// use wangge::core::edit::{SpatialIndex, uncovered_at};
/// let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
/// p.boundary = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 20., y: 0.), (x: 20., y: 10.), (x: 0., y: 10.)]]);
/// p.add_grid(Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)]])));
/// let index = SpatialIndex::build(&p);
/// let gap = uncovered_at(&p, &index, Coord { x: 15., y: 5. }).unwrap();
/// assert!((gap.unsigned_area() - 100.0).abs() < 1e-6);
/// ```
pub fn uncovered_at(
    project: &Project,
    index: &SpatialIndex,
    pos_in_world: Coord<f64>,
) -> Result<MultiPolygon<f64>, EditFailure> {
    let near = Rect::new(pos_in_world, pos_in_world);
    for id in index.grids_near(near, 0.0) {
        if let Some(g) = project.grids.get(&id)
            && g.geometry.coordinate_position(&pos_in_world) != CoordPos::Outside
        {
            return Err(EditFailure::FillCovered(id));
        }
    }
    let boundary = (!project.boundary.0.is_empty()).then(|| prepare_geometry(project.boundary.clone(), 0.0));
    if let Some(b) = &boundary
        && b.coordinate_position(&pos_in_world) != CoordPos::Inside
    {
        return Err(EditFailure::FillOutside);
    }
    let extent = project.extent().ok_or(EditFailure::FillNotEnclosed)?;
    let span = extent.width().max(extent.height()).max(1e-9);
    let mut half = span / 32.0;
    loop {
        let window = Rect::new(
            Coord { x: pos_in_world.x - half, y: pos_in_world.y - half },
            Coord { x: pos_in_world.x + half, y: pos_in_world.y + half },
        );
        let covers_all = window.min().x < extent.min().x
            && window.min().y < extent.min().y
            && window.max().x > extent.max().x
            && window.max().y > extent.max().y;
        let mut region = MultiPolygon(vec![window.to_polygon()]);
        if let Some(b) = &boundary {
            region = region.intersection(b);
        }
        let others: Vec<Polygon<f64>> = index
            .grids_near(window, 0.0)
            .into_iter()
            .filter_map(|id: GridId| project.grids.get(&id))
            .flat_map(|g| prepare_geometry(g.geometry.clone(), 0.0).0)
            .collect();
        if !others.is_empty() {
            region = region.difference(&MultiPolygon(others));
        }
        let Some(piece) = region.0.into_iter().find(|p| p.coordinate_position(&pos_in_world) == CoordPos::Inside)
        else {
            return Err(EditFailure::FillNotEnclosed);
        };
        // Overlay output may sit a hair inside the window's edge: compare with a tolerance.
        let eps = (half * 1e-6).max(project.precision);
        let touches_window = piece.bounding_rect().is_some_and(|r| {
            r.min().x <= window.min().x + eps
                || r.min().y <= window.min().y + eps
                || r.max().x >= window.max().x - eps
                || r.max().y >= window.max().y - eps
        });
        if !touches_window {
            let p = project.precision;
            let extent = piece.bounding_rect().unwrap_or(window);
            let reference = super::node::reference_vertices(project, index, extent, &[]);
            let rounded = clean(MultiPolygon(vec![piece]), p);
            let filled = clean(super::node::snap_to_vertices(&rounded, &reference, 3.0 * p.max(1e-12)), p);
            return if filled.0.is_empty() { Err(EditFailure::NothingLeft) } else { Ok(filled) };
        }
        if covers_all {
            return Err(EditFailure::FillNotEnclosed);
        }
        half *= 2.0;
    }
}
