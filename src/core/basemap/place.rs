//! Where a tile lands on the map: its corners in WGS84 (shifted back by the published offsets for GCJ-02
//! tiles, whose lon/lat grid is not WGS84's), and a small mesh of texture coordinates → project
//! coordinates to draw it with, since a Web-Mercator tile is not a rectangle in a Gauss-Krüger project.

use geo::Coord;

use super::tile::TileId;
use crate::core::china_offsets::gcj02_to_wgs84;

/// The WGS84 lon/lat of a point of a tile given as a texture coordinate `uv` (0..1 across from the west,
/// 0..1 down from the north). For a GCJ-02 tile the tile's own lon/lat are GCJ-02 and are converted.
pub fn tile_point_wgs84(tile: TileId, uv: Coord<f64>, gcj02: bool) -> Coord<f64> {
    let own = tile.lonlat_at(uv);
    if gcj02 { gcj02_to_wgs84(own) } else { own }
}

/// The tile's corners in WGS84 lon/lat: north-west, north-east, south-east, south-west.
///
/// ```
/// use geo::Coord;
/// use wangge::core::basemap::{tile_at, tile_corners_wgs84};
/// use wangge::core::china_offsets::wgs84_to_gcj02;
/// let tile = tile_at(Coord { x: 118.4, y: 30.7 }, 16).unwrap();
/// let [nw, ..] = tile_corners_wgs84(tile, true);
/// // Shifted back by the GCJ-02 offset (a few hundred metres in 泾县)…
/// let b = tile.bounds_lonlat();
/// assert!((nw.x - b.min().x).abs() > 0.003);
/// // …to where the GCJ-02 formula takes it onto the tile's corner.
/// let there = wgs84_to_gcj02(nw);
/// assert!((there.x - b.min().x).abs() < 1e-8 && (there.y - b.max().y).abs() < 1e-8);
/// ```
pub fn tile_corners_wgs84(tile: TileId, gcj02: bool) -> [Coord<f64>; 4] {
    [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)].map(|(x, y)| tile_point_wgs84(tile, Coord { x, y }, gcj02))
}

/// A vertex of a tile's mesh: where in the tile image (`uv`, 0..1 from the north-west) and where on the
/// map (`world`, in the project's CRS).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeshVertex {
    pub uv: Coord<f64>,
    pub world: Coord<f64>,
}

/// A tile as a grid of `(cells + 1)²` vertices, row by row from the north-west; each cell is two
/// triangles `(i, i+1, i+n)` and `(i+1, i+n+1, i+n)` with `n = cells + 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct TileMesh {
    pub cells: usize,
    pub vertices: Vec<MeshVertex>,
}

impl TileMesh {
    /// The vertex indices of the triangles, ready for a GPU mesh.
    pub fn triangles(&self) -> Vec<[u32; 3]> {
        let n = self.cells as u32 + 1;
        let mut out = Vec::with_capacity(self.cells * self.cells * 2);
        for row in 0..self.cells as u32 {
            for col in 0..self.cells as u32 {
                let i = row * n + col;
                out.push([i, i + 1, i + n]);
                out.push([i + 1, i + n + 1, i + n]);
            }
        }
        out
    }
}

/// The mesh that places `tile` on the map: `wgs84_to_world` takes WGS84 lon/lat to the project's CRS
/// (`None` where it cannot, which gives `None` for the tile). `cells` per side (1–64; 4 is plenty at the
/// zooms a county is viewed at, where a tile spans a few kilometres).
///
/// ```
/// use geo::Coord;
/// use wangge::core::basemap::{tile_mesh, TileId};
/// let mesh = tile_mesh(TileId { z: 10, x: 848, y: 420 }, false, 2, |c| Some(c)).unwrap();
/// assert_eq!(mesh.vertices.len(), 9);
/// assert_eq!(mesh.triangles().len(), 8);
/// assert_eq!(mesh.vertices[8].uv, Coord { x: 1.0, y: 1.0 });
/// ```
pub fn tile_mesh(
    tile: TileId,
    gcj02: bool,
    cells: usize,
    wgs84_to_world: impl Fn(Coord<f64>) -> Option<Coord<f64>>,
) -> Option<TileMesh> {
    let cells = cells.clamp(1, 64);
    let mut vertices = Vec::with_capacity((cells + 1) * (cells + 1));
    for row in 0..=cells {
        for col in 0..=cells {
            let uv = Coord { x: col as f64 / cells as f64, y: row as f64 / cells as f64 };
            let world = wgs84_to_world(tile_point_wgs84(tile, uv, gcj02))?;
            if !(world.x.is_finite() && world.y.is_finite()) {
                return None;
            }
            vertices.push(MeshVertex { uv, world });
        }
    }
    Some(TileMesh { cells, vertices })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::basemap::tile_at;
    use crate::core::china_offsets::wgs84_to_gcj02;

    #[test]
    fn wgs84_tiles_are_not_shifted() {
        let t = tile_at(Coord { x: 118.4, y: 30.7 }, 12).unwrap();
        let b = t.bounds_lonlat();
        let [nw, ne, se, sw] = tile_corners_wgs84(t, false);
        assert_eq!((nw.x, nw.y, se.x, se.y), (b.min().x, b.max().y, b.max().x, b.min().y));
        assert_eq!((ne.x, sw.y), (b.max().x, b.min().y));
    }

    #[test]
    fn gcj02_corners_go_back_onto_the_tile_grid() {
        for z in [8, 12, 16, 19] {
            let t = tile_at(Coord { x: 118.4195, y: 30.6885 }, z).unwrap();
            let b = t.bounds_lonlat();
            let own = [(b.min().x, b.max().y), (b.max().x, b.max().y), (b.max().x, b.min().y), (b.min().x, b.min().y)];
            for (corner, (x, y)) in tile_corners_wgs84(t, true).into_iter().zip(own) {
                let g = wgs84_to_gcj02(corner);
                // 1e-8° is about a millimetre.
                assert!((g.x - x).abs() < 1e-8 && (g.y - y).abs() < 1e-8, "z {z}: {g:?} vs {x}, {y}");
            }
        }
    }

    #[test]
    fn a_mesh_fails_where_the_transform_does() {
        let t = TileId { z: 3, x: 6, y: 3 };
        assert!(tile_mesh(t, false, 4, |_| None).is_none());
        assert!(tile_mesh(t, false, 4, |_| Some(Coord { x: f64::NAN, y: 0.0 })).is_none());
        let m = tile_mesh(t, true, 0, Some).unwrap();
        assert_eq!((m.cells, m.vertices.len(), m.triangles().len()), (1, 4, 2));
    }
}
