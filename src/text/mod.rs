//! The words: everything Wangge says to people, in 简体中文 and English, for the window and the
//! terminal alike. Neither egui nor the command line owns them, so `wangge check` and the coverage
//! panel say the same thing about the same finding.
//!
//! Fixed words (menus, buttons, panel titles) are [`Text`] values, read with [`Text::get`]; sentences
//! with numbers, names or codes in them are built by the functions of this module ([`findings`],
//! [`edits`], [`summary`], [`layers`]), each with both languages side by side; a short pair used in
//! one place only goes through [`pick`].

pub mod basemap;
pub mod codes;
pub mod database;
pub mod edits;
pub mod findings;
pub mod grid_table;
mod i18n;
pub mod io_errors;
pub mod layers;
pub mod partition;
pub mod partition_tool;
pub mod print;
pub mod progress;
pub mod settings;
pub mod shared_project;
pub mod start;
pub mod status;
pub mod summary;
pub mod theme;

pub(crate) use i18n::say;
pub use i18n::{Lang, Text, pick};
pub use settings::Settings;
