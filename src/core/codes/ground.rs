//! "North" and "west" on the ground. A projected CRS's axes turn against true north (Gauss-Krüger and UTM
//! away from their central meridian: about 0.7° in 泾县 in EPSG:4548), and lon/lat degrees are shorter to
//! the east than to the north; reading order and 四至 therefore work in a ground frame whose y axis points
//! to true north and whose x axis points east at the same scale.
//!
//! The core does no CRS maths: the caller says where east and north point ([`GroundAxes`]);
//! `io::true_north::ground_axes_for` does it for a project's CRS, and [`GRID_AXES`] takes the CRS's own
//! axes everywhere (exact for lon/lat ordering and Web Mercator; planar test data).

use geo::Coord;

/// The CRS displacements of one step east and one step north on the ground at a place, in CRS units per
/// ground unit (the step north is one CRS unit long; the step east is as long on the ground).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axes {
    pub east: Coord<f64>,
    pub north: Coord<f64>,
}

/// The CRS's own axes: x east, y north.
pub const GRID_AXES: Axes = Axes { east: Coord { x: 1.0, y: 0.0 }, north: Coord { x: 0.0, y: 1.0 } };

impl Axes {
    /// A CRS displacement `d` in ground terms: x towards east, y towards true north.
    pub fn to_ground(&self, d: Coord<f64>) -> Coord<f64> {
        let (e, n) = (self.east, self.north);
        let det = e.x * n.y - n.x * e.y;
        if !det.is_finite() || det.abs() < f64::EPSILON * (e.x.hypot(e.y) * n.x.hypot(n.y)).max(f64::MIN_POSITIVE) {
            return d;
        }
        Coord { x: (d.x * n.y - d.y * n.x) / det, y: (e.x * d.y - e.y * d.x) / det }
    }
}

/// Where east and north point at a place in the project's CRS.
pub trait GroundAxes {
    fn axes_at(&self, at: Coord<f64>) -> Axes;
}

impl<F: Fn(Coord<f64>) -> Axes> GroundAxes for F {
    fn axes_at(&self, at: Coord<f64>) -> Axes {
        self(at)
    }
}

/// The same axes everywhere (`GRID_AXES`: the CRS's own).
impl GroundAxes for Axes {
    fn axes_at(&self, _: Coord<f64>) -> Axes {
        *self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turned_frame_is_undone() {
        let angle = 0.7_f64.to_radians();
        // Grid north turned clockwise from true north by `angle`: true north points a little to -x.
        let axes =
            Axes { east: Coord { x: angle.cos(), y: angle.sin() }, north: Coord { x: -angle.sin(), y: angle.cos() } };
        let g = axes.to_ground(Coord { x: -angle.sin() * 5.0, y: angle.cos() * 5.0 });
        assert!((g.x).abs() < 1e-12 && (g.y - 5.0).abs() < 1e-12, "{g:?}");
        // Lon/lat at 60°N: a degree east is half as long as a degree north.
        let lonlat = Axes { east: Coord { x: 2.0, y: 0.0 }, north: Coord { x: 0.0, y: 1.0 } };
        assert_eq!(lonlat.to_ground(Coord { x: 1.0, y: 1.0 }), Coord { x: 0.5, y: 1.0 });
        assert_eq!(GRID_AXES.to_ground(Coord { x: 3.0, y: -2.0 }), Coord { x: 3.0, y: -2.0 });
    }
}
