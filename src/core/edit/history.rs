//! One undo/redo history for every edit: each step is one [`Command`] (a drag of a vertex commits once,
//! when the drag ends, so it is one step), labelled with what kind of edit it was.

use super::command::{Command, EditError};
use crate::core::Project;

/// What kind of edit a step is, for the Edit menu and the status bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Draw,
    Fill,
    Split,
    Merge,
    MoveVertex,
    InsertVertex,
    DeleteVertex,
    DeleteGrids,
    Attributes,
    Fix,
    Codes,
    Import,
    /// Grids proposed by auto-partition, applied (old grids removed, neighbours noded, codes given).
    Partition,
    /// A save conflict settled: my grid made theirs, or merged with theirs part by part.
    Resolve,
}

#[derive(Clone, Debug, PartialEq)]
struct Step {
    kind: StepKind,
    /// Applying this undoes the step.
    inverse: Command,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    undo: Vec<Step>,
    /// Commands to re-apply, with their kinds.
    redo: Vec<(StepKind, Command)>,
}

impl History {
    /// Applies `command` and records it as one step; on error nothing changed and nothing is recorded.
    pub fn apply(&mut self, project: &mut Project, kind: StepKind, command: Command) -> Result<(), EditError> {
        let inverse = command.apply(project)?;
        self.redo.clear();
        self.undo.push(Step { kind, inverse });
        Ok(())
    }

    /// Undoes the last step; returns its kind, or `None` when there is nothing to undo.
    pub fn undo(&mut self, project: &mut Project) -> Result<Option<StepKind>, EditError> {
        let Some(step) = self.undo.pop() else { return Ok(None) };
        let redo = step.inverse.clone().apply(project);
        match redo {
            Ok(redo) => {
                self.redo.push((step.kind, redo));
                Ok(Some(step.kind))
            }
            Err(e) => {
                self.undo.push(step);
                Err(e)
            }
        }
    }

    /// Redoes the last undone step; returns its kind, or `None` when there is nothing to redo.
    pub fn redo(&mut self, project: &mut Project) -> Result<Option<StepKind>, EditError> {
        let Some((kind, command)) = self.redo.pop() else { return Ok(None) };
        match command.clone().apply(project) {
            Ok(inverse) => {
                self.undo.push(Step { kind, inverse });
                Ok(Some(kind))
            }
            Err(e) => {
                self.redo.push((kind, command));
                Err(e)
            }
        }
    }

    /// The grids the next undo touches (so that caches update only those).
    pub fn next_undo_grids(&self) -> Vec<crate::core::GridId> {
        self.undo.last().map(|s| s.inverse.grids()).unwrap_or_default()
    }

    /// The grids the next redo touches.
    pub fn next_redo_grids(&self) -> Vec<crate::core::GridId> {
        self.redo.last().map(|(_, c)| c.grids()).unwrap_or_default()
    }

    /// Whether the next undo (`back`) or redo changes a layer besides the grids (an import).
    pub fn next_changes_other_layers(&self, back: bool) -> bool {
        if back {
            self.undo.last().is_some_and(|s| s.inverse.changes_other_layers())
        } else {
            self.redo.last().is_some_and(|(_, c)| c.changes_other_layers())
        }
    }

    /// Whether undoing or redoing any step would touch one of `grids` (a grid someone else changed
    /// meanwhile, in a shared project: such steps would bring back a state they replaced).
    pub fn touches(&self, grids: &std::collections::BTreeSet<crate::core::GridId>) -> bool {
        let touched = |c: &Command| c.grids().iter().any(|g| grids.contains(g));
        self.undo.iter().any(|s| touched(&s.inverse)) || self.redo.iter().any(|(_, c)| touched(c))
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// The kind of step Ctrl+Y would redo (for the Edit menu).
    pub fn redo_kind(&self) -> Option<StepKind> {
        self.redo.last().map(|(k, _)| *k)
    }

    /// The kind of step Ctrl+Z would undo (for the Edit menu).
    pub fn undo_kind(&self) -> Option<StepKind> {
        self.undo.last().map(|s| s.kind)
    }
}
