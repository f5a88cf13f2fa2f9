//! Areas in square metres whatever the CRS: planar in projected metres, geodesic on the ellipsoid for
//! lon/lat, and geodesic after the exact spherical inverse for Web Mercator (whose planar areas are
//! inflated by 1/cos²φ — 1.5× already at 35°N).

use geo::{Area, Coord, GeodesicArea, MapCoords, MultiPolygon};

use super::crs::{Crs, CrsUnits};

/// Radius of the sphere Web Mercator projects from (EPSG:3857).
const WEB_MERCATOR_RADIUS_M: f64 = 6_378_137.0;

/// The ground area of a multipolygon in m².
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use wangge::core::{area_m2, Crs, CrsUnits};
/// let gk = Crs { epsg: 4548, name: "CGCS2000 / 3-degree Gauss-Kruger CM 117E".into(), units: CrsUnits::Metres };
/// let square = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 100., y: 0.), (x: 100., y: 100.), (x: 0., y: 100.)]]);
/// assert_eq!(area_m2(&square, &gk), 10_000.0);
/// ```
pub fn area_m2(geometry: &MultiPolygon<f64>, crs: &Crs) -> f64 {
    match crs.units {
        CrsUnits::Metres => geometry.unsigned_area(),
        CrsUnits::Degrees => geometry.geodesic_area_unsigned(),
        CrsUnits::WebMercator => geometry.map_coords(web_mercator_to_lonlat).geodesic_area_unsigned(),
    }
}

/// An area for people: m² below a square kilometre, km² (3 decimals) from there.
///
/// ```
/// assert_eq!(wangge::core::area_text(1_234.4), "1234 m²");
/// assert_eq!(wangge::core::area_text(1_455_000.0), "1.455 km²");
/// ```
pub fn area_text(m2: f64) -> String {
    if m2 >= 1e6 { format!("{:.3} km²", m2 / 1e6) } else { format!("{m2:.0} m²") }
}

/// Inverse of spherical Web Mercator, in degrees.
pub fn web_mercator_to_lonlat(c: Coord<f64>) -> Coord<f64> {
    let lon = (c.x / WEB_MERCATOR_RADIUS_M).to_degrees();
    let lat = (2.0 * (c.y / WEB_MERCATOR_RADIUS_M).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    Coord { x: lon, y: lat }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn crs(units: CrsUnits) -> Crs {
        Crs { epsg: 0, name: String::new(), units }
    }

    #[test]
    fn one_degree_cell_at_the_equator_is_about_12300_km2() {
        let cell = MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.)]]);
        let km2 = area_m2(&cell, &crs(CrsUnits::Degrees)) / 1e6;
        assert!((km2 - 12_308.0).abs() < 5.0, "{km2}");
    }

    #[test]
    fn web_mercator_area_is_not_inflated() {
        // A 1 km × 1 km square on the ground at 30.7°N (泾县) is ~1.35 km on a side in Web Mercator.
        let lat = 30.7_f64.to_radians();
        let y0 = WEB_MERCATOR_RADIUS_M * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln();
        let side = 1000.0 / lat.cos();
        let square = MultiPolygon(vec![polygon![
            (x: 0., y: y0), (x: side, y: y0), (x: side, y: y0 + side), (x: 0., y: y0 + side)
        ]]);
        let area = area_m2(&square, &crs(CrsUnits::WebMercator));
        // The sphere/ellipsoid difference is ~0.3 % at this latitude.
        assert!((area - 1e6).abs() / 1e6 < 0.01, "{area}");
    }
}
