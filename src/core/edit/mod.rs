//! Editing: commands with exact inverses and one undo/redo history; the geometry operations and the
//! snapping the editor's tools use. Nothing else changes a project.

mod command;
mod failure;
mod field_rules;
mod geom;
mod history;
mod index;
mod ops;
mod shared;
mod snapping;
mod villages;

pub use command::{Command, EditError, GridFields};
pub use failure::EditFailure;
pub use field_rules::{FieldError, check_code, check_phones, parse_count};
pub use history::{History, StepKind};
pub use index::{Source, SpatialIndex};
pub use ops::*;
pub use shared::{Shared, SharedChanges, SharedFields};
pub use snapping::{Snap, SnapKind, snap};
pub use villages::{VillageGroup, village_choices};
