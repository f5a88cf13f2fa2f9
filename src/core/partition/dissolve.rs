//! Dissolve: the units of a part become one polygon. Every unit edge that another unit of the same part
//! runs the other way cancels; what is left is chained into rings. No boolean operation is involved, so
//! every vertex survives and two grids share their common edge vertex for vertex.

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rustc_hash::FxHashMap;

use super::units::{Unit, signed_area};

type Key = (u64, u64);
/// A directed edge's ends and how many times it is left after cancelling.
type Counted = (Coord<f64>, Coord<f64>, i32);

fn key(c: Coord<f64>) -> Key {
    (c.x.to_bits(), c.y.to_bits())
}

/// The union of `members` (indices into `units`) as polygons: outer rings counter-clockwise, holes
/// clockwise, each hole in the shell that holds it. Units of a connected part give one polygon.
pub fn dissolve(units: &[Unit], members: &[usize]) -> MultiPolygon<f64> {
    // Directed edges, cancelled against their reverses.
    let mut count: FxHashMap<(Key, Key), Counted> = FxHashMap::default();
    let mut order: Vec<(Key, Key)> = Vec::new();
    for &m in members {
        for ring in &units[m].rings {
            for w in ring.windows(2) {
                let (a, b) = (key(w[0]), key(w[1]));
                if a == b {
                    continue;
                }
                if let Some(reverse) = count.get_mut(&(b, a))
                    && reverse.2 > 0
                {
                    reverse.2 -= 1;
                    continue;
                }
                let entry = count.entry((a, b)).or_insert((w[0], w[1], 0));
                if entry.2 == 0 {
                    order.push((a, b));
                }
                entry.2 += 1;
            }
        }
    }
    // Outgoing edges per vertex, in first-seen order (deterministic).
    let mut outgoing: FxHashMap<Key, Vec<usize>> = FxHashMap::default();
    let mut edges: Vec<(Coord<f64>, Coord<f64>)> = Vec::new();
    for k in &order {
        let Some(&(a, b, n)) = count.get(k) else { continue };
        for _ in 0..n.max(0) {
            outgoing.entry(key(a)).or_default().push(edges.len());
            edges.push((a, b));
        }
    }
    let mut used = vec![false; edges.len()];
    let mut rings: Vec<Vec<Coord<f64>>> = Vec::new();
    for start in 0..edges.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let mut ring = vec![edges[start].0, edges[start].1];
        let mut current = start;
        let origin = key(edges[start].0);
        loop {
            let (a, b) = edges[current];
            if key(b) == origin {
                break;
            }
            // Several ways on (two rings touching at a vertex): take the leftmost turn, which keeps the
            // interior (on the left) of this ring on this ring.
            let din = (b.x - a.x, b.y - a.y);
            let next = outgoing.get(&key(b)).and_then(|out| {
                out.iter().copied().filter(|&e| !used[e]).max_by(|&e, &f| {
                    let turn = |e: usize| {
                        let (p, q) = edges[e];
                        let d = (q.x - p.x, q.y - p.y);
                        (din.0 * d.1 - din.1 * d.0).atan2(din.0 * d.0 + din.1 * d.1)
                    };
                    turn(e).total_cmp(&turn(f)).then(f.cmp(&e))
                })
            });
            let Some(next) = next else { break };
            used[next] = true;
            ring.push(edges[next].1);
            current = next;
        }
        if ring.len() >= 4 && ring.first() == ring.last() {
            rings.push(ring);
        }
    }
    let mut shells: Vec<Polygon<f64>> = Vec::new();
    let mut holes: Vec<Vec<Coord<f64>>> = Vec::new();
    for ring in rings {
        if signed_area(&ring) > 0.0 {
            shells.push(Polygon::new(LineString(ring), vec![]));
        } else {
            holes.push(ring);
        }
    }
    let mut interiors: Vec<Vec<LineString<f64>>> = vec![Vec::new(); shells.len()];
    for hole in holes {
        let at = if shells.len() == 1 {
            0
        } else {
            // The shell that holds a point just inside the hole's first edge (on its left: holes run
            // clockwise, so their inside — the shell's outside — is on the right).
            let (a, b) = (hole[0], hole[1]);
            let mid = Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
            let len = (b.x - a.x).hypot(b.y - a.y).max(1e-12);
            let probe = Coord { x: mid.x - (b.y - a.y) / len * 1e-6, y: mid.y + (b.x - a.x) / len * 1e-6 };
            shells.iter().position(|s| s.coordinate_position(&probe) != CoordPos::Outside).unwrap_or(0)
        };
        if let Some(list) = interiors.get_mut(at) {
            list.push(LineString(hole));
        }
    }
    MultiPolygon(
        shells.into_iter().zip(interiors).map(|(shell, inner)| Polygon::new(shell.exterior().clone(), inner)).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64) -> Unit {
        let c = |dx: f64, dy: f64| Coord { x: x + dx, y: y + dy };
        Unit { rings: vec![vec![c(0., 0.), c(1., 0.), c(1., 1.), c(0., 1.), c(0., 0.)]], area_m2: 1.0 }
    }

    #[test]
    fn a_ring_of_units_dissolves_into_one_polygon_with_a_hole_and_all_its_vertices() {
        let mut units = Vec::new();
        for y in 0..3 {
            for x in 0..3 {
                units.push(square(x as f64, y as f64));
            }
        }
        let ring: Vec<usize> = (0..9).filter(|&i| i != 4).collect();
        let mp = dissolve(&units, &ring);
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].interiors().len(), 1);
        assert_eq!(mp.0[0].exterior().0.len(), 13, "every lattice vertex kept: 12 + closing");
        assert!((geo::Area::unsigned_area(&mp) - 8.0).abs() < 1e-12);
        // Two units touching at a corner only: two polygons.
        let mp = dissolve(&units, &[0, 4]);
        assert_eq!(mp.0.len(), 2);
    }
}
