//! Where true north and east point in a project's CRS, for reading order and 四至 (see
//! `core::codes::ground`): measured by projecting a small step north and east of the place's lon/lat.
//! Exact for any CRS proj4rs handles; the meridian convergence of Gauss-Krüger and UTM comes out of it.

use geo::Coord;

use super::crs::{SourceCrs, Transformer, crs_from_epsg};
use crate::core::codes::{Axes, GRID_AXES, GroundAxes};
use crate::core::{Crs, CrsUnits};

/// The ground axes of a CRS. Where a transform fails (a place outside the projection's domain), the
/// CRS's own axes are used.
pub struct CrsGroundAxes {
    geographic: bool,
    /// Project CRS → lon/lat and back; `None` when the CRS's own axes are north and east (Web Mercator)
    /// or the transforms cannot be set up.
    transforms: Option<(Transformer, Transformer)>,
}

pub fn ground_axes_for(crs: &Crs) -> CrsGroundAxes {
    let geographic = crs.is_geographic();
    let transforms = if geographic || crs.units == CrsUnits::WebMercator {
        None
    } else {
        crs_from_epsg(4326).ok().and_then(|lonlat| {
            let to = Transformer::new(&SourceCrs::Epsg(crs.clone()), &lonlat).ok()?;
            let back = Transformer::new(&SourceCrs::Epsg(lonlat), crs).ok()?;
            Some((to, back))
        })
    };
    CrsGroundAxes { geographic, transforms }
}

/// One step on the ground, in degrees of latitude (about 11 m).
const STEP_DEG: f64 = 1e-4;

impl GroundAxes for CrsGroundAxes {
    fn axes_at(&self, at: Coord<f64>) -> Axes {
        if self.geographic {
            let cos = at.y.to_radians().cos();
            if !cos.is_finite() || cos < 1e-6 {
                return GRID_AXES;
            }
            return Axes { east: Coord { x: 1.0 / cos, y: 0.0 }, north: Coord { x: 0.0, y: 1.0 } };
        }
        let Some((to, back)) = &self.transforms else { return GRID_AXES };
        let measured = || -> Option<Axes> {
            let lonlat = to.apply(at).ok()?;
            let cos = lonlat.y.to_radians().cos();
            if cos < 1e-6 {
                return None;
            }
            let here = back.apply(lonlat).ok()?;
            let north = back.apply(Coord { x: lonlat.x, y: lonlat.y + STEP_DEG }).ok()? - here;
            let east = back.apply(Coord { x: lonlat.x + STEP_DEG / cos, y: lonlat.y }).ok()? - here;
            // A degree of longitude and one of latitude differ on the ellipsoid (not only by cos φ), and the
            // projections we meet are conformal (same scale every way): both steps are made one CRS unit long.
            let (north_len, east_len) = (north.x.hypot(north.y), east.x.hypot(east.y));
            let usable = |l: f64| l > 0.0 && l.is_finite();
            (usable(north_len) && usable(east_len)).then(|| Axes { east: east / east_len, north: north / north_len })
        };
        measured().unwrap_or(GRID_AXES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convergence_deg(epsg: u32, lon: f64, lat: f64) -> (f64, Axes) {
        let crs = crs_from_epsg(epsg).unwrap();
        let lonlat = crs_from_epsg(4326).unwrap();
        let p = Transformer::new(&SourceCrs::Epsg(lonlat), &crs).unwrap().apply(Coord { x: lon, y: lat }).unwrap();
        let axes = ground_axes_for(&crs).axes_at(p);
        // Positive: true north lies to the west of grid north (east of the central meridian).
        ((-axes.north.x).atan2(axes.north.y).to_degrees(), axes)
    }

    #[test]
    fn gauss_kruger_convergence_matches_the_formula() {
        // γ ≈ Δλ · sin φ: at 118.4°E, 30.7°N in the 117°E zone about 0.716°.
        let (gamma, axes) = convergence_deg(4548, 118.4, 30.7);
        let expected = 1.4 * 30.7_f64.to_radians().sin();
        assert!((gamma - expected).abs() < 0.01, "{gamma} vs {expected}");
        // Conformal: east is north turned clockwise, as long.
        assert!((axes.east.x - axes.north.y).abs() < 1e-6 && (axes.east.y + axes.north.x).abs() < 1e-6, "{axes:?}");
        // West of the central meridian it turns the other way; on it, not at all.
        assert!(convergence_deg(4548, 115.6, 30.7).0 < -0.7);
        assert!(convergence_deg(4548, 117.0, 30.7).0.abs() < 1e-6);
        // UTM zone 50 (CM 117°E) and the 6° zone 20 (CM 117°E, 20 500 000 false easting) agree with it.
        assert!((convergence_deg(32650, 118.4, 30.7).0 - gamma).abs() < 0.01);
        assert!((convergence_deg(4498, 119.9, 30.7).0 - 2.9 * 30.7_f64.to_radians().sin()).abs() < 0.02);
    }

    #[test]
    fn lon_lat_and_web_mercator_point_north_along_y() {
        let (gamma, axes) = convergence_deg(4490, 118.4, 60.0);
        assert_eq!(gamma, 0.0);
        assert!((axes.east.x - 2.0).abs() < 1e-9, "{axes:?}");
        assert_eq!(convergence_deg(3857, 118.4, 30.7).1, GRID_AXES);
    }
}
