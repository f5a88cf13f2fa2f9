//! Web-Mercator tile math (the "XYZ" or "Google" scheme every online basemap uses): lon/lat ⇄ tile z/x/y,
//! tile bounds, the TMS row flip, and which tiles cover a view given in the project's CRS.
//!
//! Tiles are 256 × 256 pixels; at zoom z the world (±180°, ±85.0511°) is 2^z × 2^z tiles, x growing east
//! and y growing south from the north-west corner.

use geo::{Coord, Rect};

/// Half the side of the Web-Mercator square (EPSG:3857), in metres: π × 6 378 137.
pub const HALF_WORLD_M: f64 = std::f64::consts::PI * 6_378_137.0;
/// The latitude where the Web-Mercator square ends, in degrees.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;
/// Pixels along a tile side.
pub const TILE_SIZE_PX: f64 = 256.0;
/// The deepest zoom any source serves (beyond it tiles are a few centimetres).
pub const MAX_ZOOM: u8 = 24;
/// Never more tiles than this for one view: a degenerate view (a huge screen, a wrong transform) takes a
/// coarser zoom instead of asking a server for thousands of tiles.
pub const MAX_TILES_PER_VIEW: usize = 512;

const WEB_MERCATOR_RADIUS_M: f64 = 6_378_137.0;

/// One tile in the XYZ scheme (row 0 at the north).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileId {
    /// The tile, or `None` when z, x or y is out of range.
    pub fn new(z: u8, x: u32, y: u32) -> Option<TileId> {
        let tile = TileId { z, x, y };
        tile.is_valid().then_some(tile)
    }

    /// True when z ≤ [`MAX_ZOOM`] and x, y < 2^z.
    pub fn is_valid(&self) -> bool {
        self.z <= MAX_ZOOM && u64::from(self.x) < tiles_across(self.z) && u64::from(self.y) < tiles_across(self.z)
    }

    /// The row in the TMS scheme (row 0 at the south), as MBTiles files and `{-y}` templates count.
    ///
    /// ```
    /// use wangge::core::basemap::TileId;
    /// assert_eq!(TileId { z: 3, x: 1, y: 0 }.tms_y(), 7);
    /// assert_eq!(TileId { z: 0, x: 0, y: 0 }.tms_y(), 0);
    /// ```
    pub fn tms_y(&self) -> u32 {
        let across = tiles_across(self.z);
        (across.saturating_sub(1).saturating_sub(u64::from(self.y))) as u32
    }

    /// The tile of a TMS row (the flip is its own inverse).
    pub fn from_tms(z: u8, x: u32, tms_y: u32) -> Option<TileId> {
        let flipped = tiles_across(z).checked_sub(1)?.checked_sub(u64::from(tms_y))?;
        TileId::new(z, x, u32::try_from(flipped).ok()?)
    }

    /// The tile one zoom out that contains this one (the app can draw it, scaled, while this one loads).
    pub fn parent(&self) -> Option<TileId> {
        (self.z > 0).then(|| TileId { z: self.z - 1, x: self.x / 2, y: self.y / 2 })
    }

    /// Bounds in Web-Mercator metres (EPSG:3857).
    pub fn bounds_mercator(&self) -> Rect<f64> {
        let side = 2.0 * HALF_WORLD_M / tiles_across(self.z) as f64;
        let west = -HALF_WORLD_M + f64::from(self.x) * side;
        let north = HALF_WORLD_M - f64::from(self.y) * side;
        Rect::new(Coord { x: west, y: north - side }, Coord { x: west + side, y: north })
    }

    /// Bounds in lon/lat degrees (of the tile's own datum: WGS84, or GCJ-02 for a GCJ-02 source).
    ///
    /// ```
    /// use wangge::core::basemap::TileId;
    /// let b = TileId { z: 1, x: 1, y: 0 }.bounds_lonlat();
    /// assert_eq!((b.min().x, b.max().x), (0.0, 180.0));
    /// assert!((b.max().y - 85.0511).abs() < 1e-4 && b.min().y.abs() < 1e-9);
    /// ```
    pub fn bounds_lonlat(&self) -> Rect<f64> {
        Rect::new(self.lonlat_at(Coord { x: 0.0, y: 1.0 }), self.lonlat_at(Coord { x: 1.0, y: 0.0 }))
    }

    /// The lon/lat of a point of the tile given by its fraction `uv` across (0 west → 1 east) and down
    /// (0 north → 1 south), as a texture coordinate is given.
    pub fn lonlat_at(&self, uv: Coord<f64>) -> Coord<f64> {
        // From tile units straight to degrees (not through metres), so that tile edges are round numbers
        // of degrees where they should be: 180° is 180°, not 180.00000000000003°.
        let across = tiles_across(self.z) as f64;
        let (fx, fy) = ((f64::from(self.x) + uv.x) / across, (f64::from(self.y) + uv.y) / across);
        Coord { x: fx * 360.0 - 180.0, y: (std::f64::consts::PI * (1.0 - 2.0 * fy)).sinh().atan().to_degrees() }
    }
}

/// 2^z, the tiles along one side of the world at zoom z.
fn tiles_across(z: u8) -> u64 {
    1u64 << z.min(MAX_ZOOM)
}

/// Spherical Web Mercator, lon/lat degrees → metres; latitudes beyond ±[`MAX_LATITUDE`] are clamped.
pub fn lonlat_to_mercator(c: Coord<f64>) -> Coord<f64> {
    let lat = c.y.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    Coord {
        x: c.x.to_radians() * WEB_MERCATOR_RADIUS_M,
        y: (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln() * WEB_MERCATOR_RADIUS_M,
    }
}

/// Spherical Web Mercator, metres → lon/lat degrees.
pub fn mercator_to_lonlat(c: Coord<f64>) -> Coord<f64> {
    crate::core::web_mercator_to_lonlat(c)
}

/// The tile at zoom `z` holding a lon/lat point (clamped into the world at its edges), or `None` for a
/// zoom beyond [`MAX_ZOOM`] or a non-finite point.
///
/// ```
/// use wangge::core::basemap::{tile_at, TileId};
/// // 泾县, 118.4°E 30.7°N, at zoom 10.
/// assert_eq!(tile_at(geo::Coord { x: 118.4, y: 30.7 }, 10), Some(TileId { z: 10, x: 848, y: 420 }));
/// ```
pub fn tile_at(lonlat: Coord<f64>, z: u8) -> Option<TileId> {
    if z > MAX_ZOOM || !lonlat.x.is_finite() || !lonlat.y.is_finite() {
        return None;
    }
    let f = tile_fraction(lonlat_to_mercator(lonlat), z);
    let last = (tiles_across(z) - 1) as f64;
    TileId::new(z, f.x.floor().clamp(0.0, last) as u32, f.y.floor().clamp(0.0, last) as u32)
}

/// A Web-Mercator point in tile units at zoom z (tile (x, y) spans [x, x+1) × [y, y+1), y down).
fn tile_fraction(mercator: Coord<f64>, z: u8) -> Coord<f64> {
    let across = tiles_across(z) as f64;
    Coord {
        x: (mercator.x + HALF_WORLD_M) / (2.0 * HALF_WORLD_M) * across,
        y: (HALF_WORLD_M - mercator.y) / (2.0 * HALF_WORLD_M) * across,
    }
}

/// Ground metres per tile pixel at zoom `z` and latitude `lat` (degrees): 156 543 m at z 0 on the equator,
/// halving with every zoom, shrinking with cos φ.
pub fn ground_resolution_m(z: u8, lat: f64) -> f64 {
    2.0 * HALF_WORLD_M / TILE_SIZE_PX / tiles_across(z) as f64
        * lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians().cos()
}

/// The zoom whose tiles show `ground_m_per_px` ground metres per screen pixel at latitude `lat` best,
/// clamped to `zooms`: a zoom's tiles serve until they would be drawn at under about 64 % of their size
/// (2^-0.65), so tiles look sharp rather than blurred.
///
/// ```
/// use wangge::core::basemap::{ground_resolution_m, zoom_for_resolution};
/// let at_z15 = ground_resolution_m(15, 30.7);
/// assert_eq!(zoom_for_resolution(at_z15, 30.7, 0..=18), 15);
/// assert_eq!(zoom_for_resolution(at_z15 / 1000.0, 30.7, 0..=18), 18);
/// ```
pub fn zoom_for_resolution(ground_m_per_px: f64, lat: f64, zooms: std::ops::RangeInclusive<u8>) -> u8 {
    let (lo, hi) = (*zooms.start(), (*zooms.end()).min(MAX_ZOOM));
    if !(ground_m_per_px.is_finite() && ground_m_per_px > 0.0) {
        return lo.min(hi);
    }
    let z = (ground_resolution_m(0, lat) / ground_m_per_px).log2();
    let z = if z.is_finite() { (z - 0.35).ceil() } else { 0.0 };
    (z.clamp(0.0, f64::from(MAX_ZOOM)) as u8).clamp(lo.min(hi), hi)
}

/// The tiles to draw for a view: one zoom, the tiles in row-major order from the north-west.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TileCover {
    pub zoom: u8,
    pub tiles: Vec<TileId>,
}

/// Which tiles cover `view` (a rectangle in the project's CRS) drawn `size_px` pixels large, at the zoom
/// whose pixels match the screen's: `to_lonlat` takes a project point to lon/lat of the tiles' datum
/// (WGS84, or GCJ-02 for a GCJ-02 source; `None` where it cannot), `zooms` the zooms the source serves.
/// The view's outline is sampled, so a view in a rotated CRS (Gauss-Krüger far from its central meridian)
/// gets every tile it touches. Empty when nothing of the view can be placed on the earth.
///
/// ```
/// use geo::{Coord, Rect};
/// use wangge::core::basemap::{tiles_for_view, TileId};
/// // A lon/lat project: the view is already lon/lat.
/// let view = Rect::new(Coord { x: 118.39, y: 30.69 }, Coord { x: 118.41, y: 30.71 });
/// let cover = tiles_for_view(view, Coord { x: 800.0, y: 800.0 }, |c| Some(c), 0..=18);
/// assert_eq!(cover.zoom, 16);
/// assert!(cover.tiles.contains(&wangge::core::basemap::tile_at(view.center(), 16).unwrap()));
/// ```
pub fn tiles_for_view(
    view: Rect<f64>,
    size_px: Coord<f64>,
    to_lonlat: impl Fn(Coord<f64>) -> Option<Coord<f64>>,
    zooms: std::ops::RangeInclusive<u8>,
) -> TileCover {
    let finite = |c: Coord<f64>| c.x.is_finite() && c.y.is_finite();
    if !(finite(view.min()) && finite(view.max()) && size_px.x >= 1.0 && size_px.y >= 1.0) {
        return TileCover::default();
    }
    // The view's outline, 16 points a side, in Web-Mercator metres.
    const STEPS: usize = 16;
    let (min, max) = (view.min(), view.max());
    let mut outline = Vec::with_capacity(4 * STEPS + 1);
    for i in 0..=STEPS {
        let t = i as f64 / STEPS as f64;
        let x = min.x + t * (max.x - min.x);
        let y = min.y + t * (max.y - min.y);
        outline.extend([Coord { x, y: min.y }, Coord { x, y: max.y }, Coord { x: min.x, y }, Coord { x: max.x, y }]);
    }
    outline.push(view.center());
    let mercator: Vec<Coord<f64>> =
        outline.into_iter().filter_map(&to_lonlat).filter(|c| finite(*c)).map(lonlat_to_mercator).collect();
    let Some(first) = mercator.first() else {
        return TileCover::default();
    };
    let (mut lo, mut hi) = (*first, *first);
    for c in &mercator {
        lo = Coord { x: lo.x.min(c.x), y: lo.y.min(c.y) };
        hi = Coord { x: hi.x.max(c.x), y: hi.y.max(c.y) };
    }
    // Mercator metres per screen pixel, measured across the middle of the view (the CRS's own scale there).
    let c = view.center();
    let quarter = view.width() / 4.0;
    let across = match (to_lonlat(Coord { x: c.x - quarter, y: c.y }), to_lonlat(Coord { x: c.x + quarter, y: c.y })) {
        (Some(a), Some(b)) if finite(a) && finite(b) => {
            let (a, b) = (lonlat_to_mercator(a), lonlat_to_mercator(b));
            ((b.x - a.x).hypot(b.y - a.y)) / (size_px.x / 2.0)
        }
        _ => (hi.x - lo.x) / size_px.x,
    };
    // In Mercator metres the equator's resolution applies at every latitude.
    let mut zoom = zoom_for_resolution(across, 0.0, zooms.clone());
    loop {
        let a = tile_fraction(Coord { x: lo.x, y: hi.y }, zoom);
        let b = tile_fraction(Coord { x: hi.x, y: lo.y }, zoom);
        let last = (tiles_across(zoom) - 1) as f64;
        let (x0, x1) = (a.x.floor().clamp(0.0, last) as u32, b.x.floor().clamp(0.0, last) as u32);
        let (y0, y1) = (a.y.floor().clamp(0.0, last) as u32, b.y.floor().clamp(0.0, last) as u32);
        let count = (u64::from(x1 - x0) + 1) * (u64::from(y1 - y0) + 1);
        if count as usize <= MAX_TILES_PER_VIEW || zoom == 0 || zoom <= *zooms.start() {
            if count as usize > MAX_TILES_PER_VIEW {
                return TileCover { zoom, tiles: Vec::new() };
            }
            let tiles = (y0..=y1).flat_map(|y| (x0..=x1).map(move |x| TileId { z: zoom, x, y })).collect();
            return TileCover { zoom, tiles };
        }
        zoom -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_tiles() {
        // 泾县 118.4°E 30.7°N: x = 848.78, y = 420.17 at z 10 (by the slippy-map formulas).
        assert_eq!(tile_at(Coord { x: 118.4, y: 30.7 }, 10), Some(TileId { z: 10, x: 848, y: 420 }));
        assert_eq!(tile_at(Coord { x: 0.0, y: 0.0 }, 0), Some(TileId { z: 0, x: 0, y: 0 }));
        assert_eq!(tile_at(Coord { x: -180.0, y: 85.0 }, 2), Some(TileId { z: 2, x: 0, y: 0 }));
        assert_eq!(tile_at(Coord { x: 180.0, y: -90.0 }, 2), Some(TileId { z: 2, x: 3, y: 3 }));
        // Tiananmen at z 18: the OSM wiki's formulas give x 215 830.07, y 99 328.98 for 116.3975°E 39.9087°N.
        let t = tile_at(Coord { x: 116.3975, y: 39.9087 }, 18).unwrap();
        assert_eq!((t.x, t.y), (215_830, 99_328));
        assert_eq!(tile_at(Coord { x: f64::NAN, y: 0.0 }, 3), None);
        assert_eq!(tile_at(Coord { x: 0.0, y: 0.0 }, MAX_ZOOM + 1), None);
    }

    #[test]
    fn bounds_contain_the_point_and_round_trip() {
        let p = Coord { x: 118.4195, y: 30.6885 };
        for z in [0, 5, 10, 15, 18, 22] {
            let t = tile_at(p, z).unwrap();
            let b = t.bounds_lonlat();
            assert!(b.min().x <= p.x && p.x < b.max().x && b.min().y <= p.y && p.y < b.max().y, "z {z}: {b:?}");
            let m = t.bounds_mercator();
            assert!((m.width() - 2.0 * HALF_WORLD_M / f64::from(1u32 << z)).abs() < 1e-6);
            let nw = t.lonlat_at(Coord { x: 0.0, y: 0.0 });
            assert!((nw.x - b.min().x).abs() < 1e-12 && (nw.y - b.max().y).abs() < 1e-9);
        }
        let back = mercator_to_lonlat(lonlat_to_mercator(p));
        assert!((back.x - p.x).abs() < 1e-12 && (back.y - p.y).abs() < 1e-12);
    }

    #[test]
    fn tms_flip() {
        let t = TileId { z: 10, x: 848, y: 420 };
        assert_eq!(t.tms_y(), 1023 - 420);
        assert_eq!(TileId::from_tms(10, 848, t.tms_y()), Some(t));
        assert_eq!(TileId::from_tms(10, 848, 1024), None);
        assert_eq!(TileId::new(3, 8, 0), None);
        assert_eq!(t.parent(), Some(TileId { z: 9, x: 424, y: 210 }));
    }

    #[test]
    fn resolution_and_zoom() {
        assert!((ground_resolution_m(0, 0.0) - 156_543.033_928).abs() < 1e-3);
        assert!((ground_resolution_m(10, 60.0) - 156_543.033_928 / 1024.0 / 2.0).abs() < 1e-6);
        for z in 0..=18 {
            assert_eq!(zoom_for_resolution(ground_resolution_m(z, 30.7), 30.7, 0..=18), z);
            // A bit coarser than zoom z's pixels still takes z; much coarser takes the zoom out.
            assert_eq!(zoom_for_resolution(ground_resolution_m(z, 30.7) * 1.2, 30.7, 0..=18), z);
        }
        assert_eq!(zoom_for_resolution(f64::NAN, 30.0, 3..=18), 3);
        assert_eq!(zoom_for_resolution(1e-9, 30.0, 3..=18), 18);
    }

    #[test]
    fn degenerate_views_give_no_tiles_or_few() {
        let id = |c: Coord<f64>| Some(c);
        let nan = Rect::new(Coord { x: f64::NAN, y: 0.0 }, Coord { x: 1.0, y: 1.0 });
        assert!(tiles_for_view(nan, Coord { x: 100.0, y: 100.0 }, id, 0..=18).tiles.is_empty());
        let world = Rect::new(Coord { x: -180.0, y: -85.0 }, Coord { x: 180.0, y: 85.0 });
        let huge = tiles_for_view(world, Coord { x: 1e7, y: 1e7 }, id, 0..=18);
        assert!(!huge.tiles.is_empty() && huge.tiles.len() <= MAX_TILES_PER_VIEW, "{}", huge.tiles.len());
        let nowhere = tiles_for_view(world, Coord { x: 100.0, y: 100.0 }, |_| None, 0..=18);
        assert!(nowhere.tiles.is_empty());
        let whole = tiles_for_view(world, Coord { x: 256.0, y: 256.0 }, id, 0..=18);
        assert_eq!(whole.zoom, 0);
        assert_eq!(whole.tiles, vec![TileId { z: 0, x: 0, y: 0 }]);
    }
}
