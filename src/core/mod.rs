//! The core: the project model and the rules it obeys. Knows nothing of files or of the GUI.

mod area;
pub mod basemap;
pub mod china_offsets;
mod colouring;
mod crs;
mod division_code;
mod model;

pub use area::{area_m2, area_text, web_mercator_to_lonlat};
pub use colouring::{colour_grids, share_an_edge};
pub use crs::{Crs, CrsUnits};
pub use division_code::{DivisionCode, DivisionCodeError};
pub use model::{AreaClass, Division, Grid, GridAttrs, GridId, GridKind, HouseholdPoint, Project};
pub mod codes;
pub mod coverage;
pub mod edit;
pub mod merge;
pub mod packed_rtree;
pub mod partition;
pub mod progress;
pub mod rect;
mod reference;
pub use reference::{
    REFERENCE_RGB, ReferenceFeature, ReferenceGeometry, ReferenceLayer, put_layer as put_reference_layer_into,
    reference_rgb,
};
pub mod thematic;
pub mod tools;
mod viewport;
pub use viewport::Viewport;
