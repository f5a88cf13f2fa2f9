//! 网格 Wangge: partition a township into coded grids, check that they cover it exactly, print grid maps.
//!
//! Rings, inner ones knowing nothing of outer ones: [`core`] (model and rules, no I/O, no GUI) ←
//! [`io`] (files and CRS) ← [`app`] (the egui application) and [`cli`] (the same core, headless).

#[cfg(feature = "gui")]
pub mod app;
#[cfg(feature = "gui")]
pub mod cli;
pub mod core;
#[cfg(feature = "gui")]
pub mod guard;
pub mod io;
#[cfg(feature = "gui")]
pub mod print;
pub mod text;
