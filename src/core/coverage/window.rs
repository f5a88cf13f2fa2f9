//! A polygon cut to an axis-aligned window (Sutherland–Hodgman, ring by ring): what lies inside the
//! window is kept exactly, with the window's edges closing each ring where it was cut. A ring that
//! leaves and re-enters the window comes back as one ring with edges running along the window's border
//! and back, which encloses nothing: for boolean operations, which add up the rings' windings, the cut
//! polygon is the polygon's part inside the window.
//!
//! ```
//! use geo::{Area, Coord, MultiPolygon, Rect, polygon};
//! use wangge::core::coverage::clip_to_window;
//!
//! let square = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)]]);
//! let window = Rect::new(Coord { x: 2., y: -1. }, Coord { x: 9., y: 1. });
//! assert_eq!(clip_to_window(&square, window).unsigned_area(), 2.0);
//! ```

use geo::{Coord, Intersects, LineString, MultiPolygon, Polygon, Rect};

/// The part of `mp` inside `window`, as rings cut at the window's edges (see the module
/// documentation). Rings wholly inside are kept as they are; rings left with no area are dropped.
pub fn clip_to_window(mp: &MultiPolygon<f64>, window: Rect<f64>) -> MultiPolygon<f64> {
    let mut polygons = Vec::new();
    for polygon in &mp.0 {
        let Some(exterior) = clip_ring(polygon.exterior(), window) else { continue };
        let interiors = polygon.interiors().iter().filter_map(|r| clip_ring(r, window)).collect();
        polygons.push(Polygon::new(exterior, interiors));
    }
    MultiPolygon(polygons)
}

fn clip_ring(ring: &LineString<f64>, window: Rect<f64>) -> Option<LineString<f64>> {
    // A ring wholly in the window (its border included) is kept as it is.
    if ring.0.iter().all(|c| window.intersects(c)) {
        return Some(ring.clone());
    }
    // The ring as an open list of points (the closing point left out), cut by each edge in turn.
    let mut points: Vec<Coord<f64>> = ring.0[..ring.0.len().saturating_sub(1)].to_vec();
    let (lo, hi) = (window.min(), window.max());
    // Each edge: which side is kept, as (axis is x, bound, keep points above the bound).
    for (along_x, bound, keep_above) in
        [(true, lo.x, true), (true, hi.x, false), (false, lo.y, true), (false, hi.y, false)]
    {
        if points.is_empty() {
            return None;
        }
        let value = |c: Coord<f64>| if along_x { c.x } else { c.y };
        let kept = |c: Coord<f64>| if keep_above { value(c) >= bound } else { value(c) <= bound };
        let mut out = Vec::with_capacity(points.len() + 4);
        let mut previous = points[points.len() - 1];
        for &current in &points {
            match (kept(previous), kept(current)) {
                (true, true) => out.push(current),
                (true, false) => out.push(crossing(previous, current, along_x, bound)),
                (false, true) => {
                    out.push(crossing(previous, current, along_x, bound));
                    out.push(current);
                }
                (false, false) => {}
            }
            previous = current;
        }
        points = out;
    }
    if points.len() < 3 {
        return None;
    }
    points.push(points[0]);
    Some(LineString(points))
}

/// Where the segment from `a` to `b` (one end on each side) meets the line `x = bound` (or `y =`),
/// exactly on it.
fn crossing(a: Coord<f64>, b: Coord<f64>, along_x: bool, bound: f64) -> Coord<f64> {
    if along_x {
        let t = (bound - a.x) / (b.x - a.x);
        Coord { x: bound, y: a.y + t * (b.y - a.y) }
    } else {
        let t = (bound - a.y) / (b.y - a.y);
        Coord { x: a.x + t * (b.x - a.x), y: bound }
    }
}

#[cfg(test)]
mod tests {
    use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon, Rect};

    use super::clip_to_window;
    use crate::core::coverage::synthetic::Rng;

    /// A random star-shaped (so simple, mostly concave) ring around `centre`, counter-clockwise,
    /// with radii in `r0..r1`; clockwise when `hole`.
    fn star(rng: &mut Rng, centre: Coord<f64>, r0: f64, r1: f64, hole: bool) -> LineString<f64> {
        let n = 5 + (rng.next_u64() % 30) as usize;
        let mut ring: Vec<Coord<f64>> = (0..n)
            .map(|k| {
                let angle = k as f64 * std::f64::consts::TAU / n as f64;
                let r = r0 + rng.unit() * (r1 - r0);
                Coord { x: centre.x + r * angle.cos(), y: centre.y + r * angle.sin() }
            })
            .collect();
        if hole {
            ring.reverse();
        }
        ring.push(ring[0]);
        LineString(ring)
    }

    fn shape(rng: &mut Rng) -> MultiPolygon<f64> {
        let centre = Coord { x: rng.unit() * 100.0, y: rng.unit() * 100.0 };
        let holes = if rng.next_u64().is_multiple_of(2) { vec![star(rng, centre, 5.0, 15.0, true)] } else { vec![] };
        MultiPolygon(vec![Polygon::new(star(rng, centre, 20.0, 60.0, false), holes)])
    }

    /// The cut polygon is the polygon's part in the window, and two polygons cut to the window where
    /// their envelopes overlap share exactly the area the whole polygons share (to i_overlay's rounding,
    /// about 1e-9 of these areas).
    #[test]
    fn the_cut_keeps_exactly_the_part_in_the_window() {
        let mut rng = Rng::new(11);
        for case in 0..400 {
            let (a, b) = (shape(&mut rng), shape(&mut rng));
            let (x0, y0) = (rng.unit() * 120.0 - 10.0, rng.unit() * 120.0 - 10.0);
            let window =
                Rect::new(Coord { x: x0, y: y0 }, Coord { x: x0 + rng.unit() * 80.0, y: y0 + rng.unit() * 80.0 });
            let expected = a.intersection(&MultiPolygon(vec![window.to_polygon()])).unsigned_area();
            let cut = clip_to_window(&a, window).unsigned_area();
            assert!((cut - expected).abs() < 1e-3, "case {case}: cut {cut}, part in the window {expected}");
            let (ea, eb) =
                (geo::BoundingRect::bounding_rect(&a).unwrap(), geo::BoundingRect::bounding_rect(&b).unwrap());
            let Some(overlap) = crate::core::rect::overlap(ea, eb) else { continue };
            let whole = a.intersection(&b).unsigned_area();
            let cut = clip_to_window(&a, overlap).intersection(&clip_to_window(&b, overlap)).unsigned_area();
            assert!((cut - whole).abs() < 1e-3, "case {case}: shared {whole}, shared after the cut {cut}");
        }
    }
}
