//! Where the map goes on the page: world → page transform at a round scale (1 : 5 000, 1 : 25 000 …)
//! that fits the area into the frame, with ground distances right for the CRS (Gauss-Krüger metres,
//! Web Mercator's latitude stretch, or degrees drawn with longitude shortened by cos φ). Also the map
//! furniture that depends on it: the scale bar and the north arrow.

use geo::{Coord, Rect};

use super::page::{Align, PT_PER_MM, Page, PageRect, Rgba, Stroke};
use crate::core::{Crs, CrsUnits};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapFrame {
    /// The frame on the page.
    pub frame: PageRect,
    centre_in_world: Coord<f64>,
    /// Page points per plotted unit; x is first multiplied by `x_stretch`.
    pt_per_unit: f64,
    x_stretch: f64,
    /// Ground metres per page point (for the scale bar).
    pub metres_per_pt: f64,
    /// The map scale 1 : n.
    pub scale_denominator: f64,
}

/// Metres on the ground per degree of latitude near `lat`.
fn metres_per_degree_latitude(lat: f64) -> f64 {
    let phi = lat.to_radians();
    111_132.92 - 559.82 * (2.0 * phi).cos() + 1.175 * (4.0 * phi).cos()
}

/// The smallest round scale not below `x` (1, 1.2, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8 × 10ⁿ) — the
/// scales printed maps use, close enough together that the map still fills its frame.
pub fn round_scale(x: f64) -> f64 {
    let power = 10f64.powf(x.log10().floor());
    [1.0, 1.2, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5, 8.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= x * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

impl MapFrame {
    /// Fits `extent` into `frame` at the next round scale (or exactly, when `round` is false).
    pub fn fit(frame: PageRect, extent: Rect<f64>, crs: &Crs, round: bool) -> MapFrame {
        let centre = extent.center();
        let (x_stretch, metres_per_unit) = match crs.units {
            CrsUnits::Degrees => (centre.y.to_radians().cos().max(1e-6), metres_per_degree_latitude(centre.y)),
            CrsUnits::Metres | CrsUnits::WebMercator => (1.0, crs.ground_metres_per_unit(centre)),
        };
        let w = (extent.width() * x_stretch).max(1e-12);
        let h = extent.height().max(1e-12);
        let fit_pt_per_unit = (frame.width / w).min(frame.height / h);
        let metres_per_pt_fit = metres_per_unit / fit_pt_per_unit;
        let denominator_fit = metres_per_pt_fit / (0.001 / PT_PER_MM);
        let scale_denominator = if round { round_scale(denominator_fit) } else { denominator_fit };
        let metres_per_pt = scale_denominator * 0.001 / PT_PER_MM;
        MapFrame {
            frame,
            centre_in_world: centre,
            pt_per_unit: metres_per_unit / metres_per_pt,
            x_stretch,
            metres_per_pt,
            scale_denominator,
        }
    }

    /// The same map drawn into a larger frame with the same centre (the map's margin inside its border).
    pub fn with_frame(self, frame: PageRect) -> MapFrame {
        MapFrame { frame, ..self }
    }

    pub fn to_page(&self, c: Coord<f64>) -> (f64, f64) {
        let (x, y) = self.frame.centre();
        (
            x + (c.x - self.centre_in_world.x) * self.x_stretch * self.pt_per_unit,
            y - (c.y - self.centre_in_world.y) * self.pt_per_unit,
        )
    }

    /// The world point at a page point: the inverse of [`MapFrame::to_page`].
    pub fn to_world(&self, (x, y): (f64, f64)) -> Coord<f64> {
        let (cx, cy) = self.frame.centre();
        Coord {
            x: self.centre_in_world.x + (x - cx) / (self.x_stretch * self.pt_per_unit),
            y: self.centre_in_world.y - (y - cy) / self.pt_per_unit,
        }
    }

    /// The world rectangle the frame shows.
    pub fn visible_world(&self) -> Rect<f64> {
        let half_w = self.frame.width / 2.0 / (self.x_stretch * self.pt_per_unit);
        let half_h = self.frame.height / 2.0 / self.pt_per_unit;
        let c = self.centre_in_world;
        Rect::new(Coord { x: c.x - half_w, y: c.y - half_h }, Coord { x: c.x + half_w, y: c.y + half_h })
    }
}

/// The largest 1, 2 or 5 × 10ⁿ metres not above `metres`.
pub fn round_length(metres: f64) -> f64 {
    let power = 10f64.powf(metres.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * power).find(|&l| l <= metres * (1.0 + 1e-9)).unwrap_or(power)
}

pub fn length_text(metres: f64) -> String {
    if metres >= 1000.0 { format!("{} km", metres / 1000.0) } else { format!("{metres} m") }
}

/// A scale bar at (`x`, `y`) (its left end, on the bar's baseline) at most `max_width` points long, in
/// two alternating halves; returns its printed length in points and the ground length it stands for.
pub fn scale_bar(page: &mut Page, map: &MapFrame, x: f64, y: f64, max_width: f64) -> (f64, f64) {
    let metres = round_length(max_width * map.metres_per_pt);
    let width = metres / map.metres_per_pt;
    let h = 4.0;
    let half = width / 2.0;
    page.rect(PageRect::new(x, y - h, half, h), Some(Rgba::BLACK), Some(Stroke::solid(Rgba::BLACK, 0.5)));
    page.rect(PageRect::new(x + half, y - h, half, h), Some(Rgba::WHITE), Some(Stroke::solid(Rgba::BLACK, 0.5)));
    page.text((x, y - h - 2.5), 7.0, "0", Rgba::BLACK, Align::Middle);
    page.text(
        (x + half, y - h - 2.5),
        7.0,
        length_text(metres / 2.0).replace(" km", "").replace(" m", ""),
        Rgba::BLACK,
        Align::Middle,
    );
    page.text((x + width, y - h - 2.5), 7.0, length_text(metres), Rgba::BLACK, Align::Middle);
    (width, metres)
}

/// A north arrow with its top at (`x`, `y`).
pub fn north_arrow(page: &mut Page, x: f64, y: f64, size: f64) {
    let (w, h) = (size * 0.45, size);
    page.text((x, y + 9.0), 10.0, "北", Rgba::BLACK, Align::Middle);
    let top = y + 12.0;
    page.polygon(vec![vec![(x, top), (x - w / 2.0, top + h), (x, top + h * 0.72)]], Some(Rgba::BLACK), None);
    page.polygon(
        vec![vec![(x, top), (x + w / 2.0, top + h), (x, top + h * 0.72)]],
        Some(Rgba::WHITE),
        Some(Stroke::solid(Rgba::BLACK, 0.8)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round_and_fit() {
        assert_eq!(round_scale(38_123.0), 40_000.0);
        assert_eq!(round_scale(11_000.0), 12_000.0);
        assert_eq!(round_scale(5_000.0), 5_000.0);
        assert_eq!(round_scale(351_000.0), 400_000.0);
        let crs = Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres };
        let extent = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 10_000.0, y: 5_000.0 });
        let map = MapFrame::fit(PageRect::new(0.0, 0.0, 500.0, 500.0), extent, &crs, true);
        // 10 km across 500 pt (176.4 mm) is 1 : 56 692; the next round scale that still fits is 1 : 60 000.
        assert_eq!(map.scale_denominator, 60_000.0);
        let (x0, _) = map.to_page(Coord { x: 0.0, y: 2_500.0 });
        let (x1, _) = map.to_page(Coord { x: 10_000.0, y: 2_500.0 });
        let printed_mm = (x1 - x0) / PT_PER_MM;
        assert!((printed_mm - 10_000_000.0 / 60_000.0).abs() < 1e-9, "10 km at 1:60 000, got {printed_mm} mm");
        let back = map.to_world(map.to_page(Coord { x: 1_234.5, y: 4_321.0 }));
        assert!((back.x - 1_234.5).abs() < 1e-6 && (back.y - 4_321.0).abs() < 1e-6, "{back:?}");
    }
}
