//! Files and databases: the GeoPackage project file, the PostGIS database project, import from GeoJSON/Shapefile/GeoPackage/CSV, export, and CRS.

pub mod check_input;
mod config_dir;
pub mod crs;
pub mod csv_io;
pub mod dbf;
mod error;
pub mod export;
pub mod fields;
pub mod file_stamp;
pub mod geojson_io;
pub mod gpkg;
pub mod import;
pub mod location;
pub mod postgis;
pub mod shapefile_io;
pub mod source;
pub mod tiles;
pub mod true_north;
pub mod untrusted;
pub mod wkb;
pub mod xlsx;

// The offsets are pure maths (the basemap tile math in core needs them): they live in core, named here too.
pub use crate::core::china_offsets::{bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02};
pub use config_dir::config_dir;
pub use error::{AtPath, GeometryKind, IoError, NotAProject, Problem, ProjectKey, ShpDamage, Written, short_number};
pub use file_stamp::{
    FileStamp, open_project_stamped, open_project_stamped_with, save_project_unchanged, save_project_unchanged_with,
};
pub use gpkg::{Changes, save_project, save_project_with};
pub use location::{ReadFrom, is_project_path, open_project, open_project_with, open_to_save, save_back};
