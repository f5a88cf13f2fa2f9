//! How a coverage is checked (precision, gap width, CRS) and the villages it is checked against.

use geo::{MultiPolygon, Rect};

use crate::core::{Crs, Project};

/// How to check.
#[derive(Clone, Debug, PartialEq)]
pub struct CoverageOptions {
    /// Grid the coordinates are snapped to before comparison; 0 compares exactly (as GEOS does).
    pub precision: f64,
    /// Edges closer than this many metres on the ground and nearly parallel are mismatches (narrow gaps
    /// and gores); 0 turns it off. Converted to CRS units where the coverage lies (see
    /// [`CoverageOptions::gap_width_in_world`]); with no CRS, in the data's own units.
    pub gap_width_m: f64,
    /// The CRS, for areas in m² and widths in m; `None` treats coordinates as plain planar numbers.
    pub crs: Option<Crs>,
}

impl CoverageOptions {
    /// The defaults for a CRS: its fixed precision (1 mm or 1e-8°), no gap-width test.
    pub fn for_crs(crs: &Crs) -> CoverageOptions {
        CoverageOptions { precision: crs.default_precision(), gap_width_m: 0.0, crs: Some(crs.clone()) }
    }

    /// What a project is checked with: its CRS and its own fixed precision, no gap-width test.
    pub fn for_project(project: &Project) -> CoverageOptions {
        CoverageOptions { precision: project.precision, ..CoverageOptions::for_crs(&project.crs) }
    }

    /// Plain planar numbers compared exactly.
    pub fn planar() -> CoverageOptions {
        CoverageOptions { precision: 0.0, gap_width_m: 0.0, crs: None }
    }

    /// The gap width in CRS units, converted where the coverage lies (the middle of its extent): metres
    /// as they are in Gauss-Krüger or UTM; for lon/lat, by the length of a degree along the parallel
    /// (111 320·cos φ m), so that a gap this narrow east–west is found, and one up to 1/cos φ wider
    /// north–south too; for Web Mercator, by its scale cos φ.
    pub fn gap_width_in_world(&self, extent: Option<Rect<f64>>) -> f64 {
        match (&self.crs, extent) {
            (Some(crs), Some(e)) => self.gap_width_m / crs.ground_metres_per_unit(e.center()),
            _ => self.gap_width_m,
        }
    }
}

/// A village polygon for the one-village-per-grid rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Village {
    pub code: String,
    pub polygon: MultiPolygon<f64>,
}

impl Village {
    /// The villages of a project that have a polygon.
    pub fn of(project: &Project) -> Vec<Village> {
        project
            .villages()
            .filter_map(|v| Some(Village { code: v.code.to_string(), polygon: v.polygon.clone()? }))
            .collect()
    }
}
