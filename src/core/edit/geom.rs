//! Small planar helpers shared by the edit operations.

use geo::{Coord, LineString, MultiPolygon, Polygon};

pub fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// The point of segment a–b closest to `p`, with its parameter t ∈ [0, 1] along the segment.
pub fn closest_on_segment(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> (Coord<f64>, f64) {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return (a, 0.0);
    }
    let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0);
    (Coord { x: a.x + t * dx, y: a.y + t * dy }, t)
}

/// Every ring of a multipolygon, shells and holes.
pub fn rings(mp: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

/// Rebuilds every ring of a multipolygon through `f` (which gets and returns closed rings).
pub fn map_rings(mp: &MultiPolygon<f64>, mut f: impl FnMut(&[Coord<f64>]) -> Vec<Coord<f64>>) -> MultiPolygon<f64> {
    MultiPolygon(
        mp.0.iter()
            .map(|p| {
                let exterior = LineString(f(&p.exterior().0));
                let interiors = p.interiors().iter().map(|r| LineString(f(&r.0))).collect();
                Polygon::new(exterior, interiors)
            })
            .collect(),
    )
}

/// Drops consecutive repeated points of a closed ring (keeping it closed).
pub fn dedup_ring(mut ring: Vec<Coord<f64>>) -> Vec<Coord<f64>> {
    ring.dedup();
    if ring.len() > 1 && ring.first() != ring.last() {
        let first = ring[0];
        ring.push(first);
    }
    ring
}

/// Distinct points of a closed ring (its length without the closing point).
pub fn distinct_points(ring: &[Coord<f64>]) -> usize {
    ring.len().saturating_sub(1)
}
