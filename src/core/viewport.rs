//! The map view: which world rectangle the canvas shows. World ↔ screen is an affine transform with the
//! y axis flipped (north up). Screen positions are relative to the canvas's top-left corner, in points.

use geo::{Coord, Rect};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub centre_in_world: Coord<f64>,
    /// World units (metres or degrees) per screen point.
    pub world_per_px: f64,
    /// Canvas size in points.
    pub size_on_screen: Coord<f64>,
}

/// The narrowest and widest zoom, so that no input (an empty or a degenerate extent) yields NaN.
const MIN_WORLD_PER_PX: f64 = 1e-9;
const MAX_WORLD_PER_PX: f64 = 1e9;

impl Viewport {
    pub fn new(size_on_screen: Coord<f64>) -> Viewport {
        Viewport { centre_in_world: Coord { x: 0.0, y: 0.0 }, world_per_px: 1.0, size_on_screen }
    }

    pub fn to_screen(&self, pos_in_world: Coord<f64>) -> Coord<f64> {
        Coord {
            x: (pos_in_world.x - self.centre_in_world.x) / self.world_per_px + self.size_on_screen.x / 2.0,
            y: (self.centre_in_world.y - pos_in_world.y) / self.world_per_px + self.size_on_screen.y / 2.0,
        }
    }

    pub fn to_world(&self, pos_on_screen: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.centre_in_world.x + (pos_on_screen.x - self.size_on_screen.x / 2.0) * self.world_per_px,
            y: self.centre_in_world.y - (pos_on_screen.y - self.size_on_screen.y / 2.0) * self.world_per_px,
        }
    }

    /// The world rectangle visible on the canvas.
    pub fn visible_world(&self) -> Rect<f64> {
        Rect::new(self.to_world(Coord { x: 0.0, y: 0.0 }), self.to_world(self.size_on_screen))
    }

    /// Shows all of `extent` with a 5 % margin, centred.
    pub fn fit(&mut self, extent: Rect<f64>) {
        self.centre_in_world = extent.center();
        let (w, h) = (self.size_on_screen.x.max(1.0), self.size_on_screen.y.max(1.0));
        let needed = (extent.width() / w).max(extent.height() / h) * 1.05;
        self.world_per_px = if needed > 0.0 { needed.clamp(MIN_WORLD_PER_PX, MAX_WORLD_PER_PX) } else { 1.0 };
    }

    /// Zooms by `factor` (> 1 zooms in) keeping the world point under `pos_on_screen` where it is.
    pub fn zoom_at(&mut self, pos_on_screen: Coord<f64>, factor: f64) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let anchor = self.to_world(pos_on_screen);
        self.world_per_px = (self.world_per_px / factor).clamp(MIN_WORLD_PER_PX, MAX_WORLD_PER_PX);
        let moved = self.to_world(pos_on_screen);
        self.centre_in_world.x += anchor.x - moved.x;
        self.centre_in_world.y += anchor.y - moved.y;
    }

    /// Moves the map with the pointer: a drag by `delta_on_screen` points.
    pub fn pan(&mut self, delta_on_screen: Coord<f64>) {
        self.centre_in_world.x -= delta_on_screen.x * self.world_per_px;
        self.centre_in_world.y += delta_on_screen.y * self.world_per_px;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let mut v = Viewport::new(Coord { x: 800.0, y: 600.0 });
        v.fit(Rect::new(Coord { x: 500_000.0, y: 3_390_000.0 }, Coord { x: 560_000.0, y: 3_420_000.0 }));
        let cursor = Coord { x: 123.0, y: 456.0 };
        let before = v.to_world(cursor);
        v.zoom_at(cursor, 1.7);
        let after = v.to_world(cursor);
        assert!((before.x - after.x).abs() < 1e-6 && (before.y - after.y).abs() < 1e-6);
        let round_trip = v.to_screen(v.to_world(cursor));
        assert!((round_trip.x - cursor.x).abs() < 1e-9 && (round_trip.y - cursor.y).abs() < 1e-9);
    }

    #[test]
    fn fit_shows_the_whole_extent_north_up() {
        let mut v = Viewport::new(Coord { x: 400.0, y: 400.0 });
        let extent = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 50.0 });
        v.fit(extent);
        let north_west = v.to_screen(Coord { x: 0.0, y: 50.0 });
        let south_east = v.to_screen(Coord { x: 100.0, y: 0.0 });
        assert!(north_west.x >= 0.0 && north_west.y >= 0.0 && north_west.y < south_east.y);
        assert!(south_east.x <= 400.0 && south_east.y <= 400.0);
        v.fit(Rect::new(Coord { x: 5.0, y: 5.0 }, Coord { x: 5.0, y: 5.0 }));
        assert!(v.world_per_px.is_finite() && v.world_per_px > 0.0);
    }
}
