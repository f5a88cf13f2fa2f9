//! Editing: commands with exact inverses and one undo/redo history. The editor's tools (issue #4) produce
//! these commands; nothing else changes a project.

mod command;
mod history;

pub use command::{Command, EditError, GridFields};
pub use history::History;
