//! Fixed precision: coordinates are rounded to a grid of `precision` (1 mm, 1e-8°) before comparison,
//! and results of boolean operations are rounded again, so that "the same point" means the same numbers.

use geo::{Coord, MapCoords, MultiPolygon};

/// Rounds a coordinate to the precision grid; precision 0 keeps it exactly as it is.
pub fn round_coord(c: Coord<f64>, precision: f64) -> Coord<f64> {
    if precision <= 0.0 {
        return c;
    }
    Coord { x: (c.x / precision).round() * precision, y: (c.y / precision).round() * precision }
}

/// ```
/// use geo::{polygon, MultiPolygon};
/// use wangge::core::coverage::round_multipolygon;
/// let p = MultiPolygon(vec![polygon![(x: 0.0004, y: 0.), (x: 1.0006, y: 0.), (x: 1., y: 1.)]]);
/// assert!((round_multipolygon(&p, 0.001).0[0].exterior().0[1].x - 1.001).abs() < 1e-12);
/// ```
pub fn round_multipolygon(mp: &MultiPolygon<f64>, precision: f64) -> MultiPolygon<f64> {
    if precision <= 0.0 {
        return mp.clone();
    }
    mp.map_coords(|c| round_coord(c, precision))
}

/// Gives every polygon the standard orientation (counter-clockwise shells, clockwise holes) in place.
/// Boolean operations add up ring windings, so a clockwise shell (as d3/TopoJSON and shapefiles store
/// them) would cancel a counter-clockwise one where they overlap.
pub fn orient_in_place(mp: &mut MultiPolygon<f64>) {
    use super::rings::signed_area;
    for polygon in &mut mp.0 {
        polygon.exterior_mut(|ring| {
            if signed_area(&ring.0) < 0.0 {
                ring.0.reverse();
            }
        });
        polygon.interiors_mut(|rings| {
            for ring in rings {
                if signed_area(&ring.0) > 0.0 {
                    ring.0.reverse();
                }
            }
        });
    }
}

/// Snapped to the precision grid and in standard orientation: how the checker keeps every geometry.
/// Empty parts (`MULTIPOLYGON (…, EMPTY)`) carry no area and are dropped.
pub fn prepare(mut mp: MultiPolygon<f64>, precision: f64) -> MultiPolygon<f64> {
    mp.0.retain(|p| !super::validity::is_empty_part(p));
    if precision > 0.0 {
        use geo::MapCoordsInPlace;
        mp.map_coords_in_place(|c| round_coord(c, precision));
    }
    orient_in_place(&mut mp);
    mp
}
