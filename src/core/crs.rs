//! What the core needs to know about a coordinate reference system: its EPSG code, its name and how its
//! units relate to metres. Building one from a definition and transforming coordinates is `io::crs`'s job.

/// How a CRS's coordinates relate to ground metres; decides how areas and precision are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrsUnits {
    /// Longitude/latitude in degrees (EPSG:4490, EPSG:4326): areas are geodesic.
    Degrees,
    /// A conformal projection in metres with scale close to 1 (Gauss-Krüger, UTM): areas are planar.
    Metres,
    /// Web Mercator (EPSG:3857): metres on the projection, but scale grows with latitude, so areas are
    /// computed after the exact inverse to lon/lat.
    WebMercator,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Crs {
    pub epsg: u32,
    pub name: String,
    pub units: CrsUnits,
}

impl Crs {
    pub fn is_geographic(&self) -> bool {
        self.units == CrsUnits::Degrees
    }

    /// The fixed precision vertices are compared at: 1 mm on the ground.
    pub fn default_precision(&self) -> f64 {
        match self.units {
            CrsUnits::Degrees => 1e-8,
            CrsUnits::Metres | CrsUnits::WebMercator => 1e-3,
        }
    }

    /// Ground metres per CRS unit along the parallel through `pos_in_world` (for scale bars and the
    /// displayed map scale): 1 in Gauss-Krüger/UTM, 111 320·cos φ for degrees, cos φ for Web Mercator.
    pub fn ground_metres_per_unit(&self, pos_in_world: geo::Coord<f64>) -> f64 {
        match self.units {
            CrsUnits::Metres => 1.0,
            CrsUnits::Degrees => 111_320.0 * pos_in_world.y.clamp(-89.9, 89.9).to_radians().cos(),
            CrsUnits::WebMercator => super::web_mercator_to_lonlat(pos_in_world).y.to_radians().cos(),
        }
    }

    /// "EPSG:4548"
    pub fn auth_id(&self) -> String {
        format!("EPSG:{}", self.epsg)
    }
}
