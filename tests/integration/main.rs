//! Integration tests, one binary (build time matters on 2 cores): files, CRS, CLI and GUI.

// Tests and benchmarks stop at a broken assumption: unwrap, expect and panic are how they fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli;
mod codes;
mod common;
mod coverage;
mod crs_reference;
mod data_loss;
mod edit;
mod fuzz_replay;
mod gdal;
mod geotiff;
mod gpkg_project;
mod gui;
mod gui_basemap;
mod gui_basemap_edit;
mod gui_caches;
mod gui_database;
mod gui_edit;
mod gui_offline;
mod gui_partition;
mod gui_progress;
mod gui_reference_import;
mod gui_start;
mod gui_theme;
mod import_export;
mod io_errors;
mod kittest;
mod partition;
mod pg;
mod postgis;
mod postgis_checkout;
mod postgis_kill;
mod postgis_load;
mod print;
mod print_basemap;
mod print_reference;
mod reference;
mod rings;
mod robustness;
mod tile_files;
mod tile_server;
mod tiles;
mod tools;
mod xvfb;
