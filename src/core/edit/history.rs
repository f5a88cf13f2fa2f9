//! One undo/redo history for every edit. Consecutive steps with the same merge key (the drags of one
//! vertex) become one step, so Ctrl+Z undoes the whole drag.

use super::command::{Command, EditError};
use crate::core::Project;

#[derive(Clone, Debug, PartialEq)]
struct Step {
    label: String,
    /// Applying this undoes the step.
    inverse: Command,
    merge_key: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    undo: Vec<Step>,
    /// Commands to re-apply, with their labels.
    redo: Vec<(String, Command)>,
}

impl History {
    /// Applies `command` and records it. With a `merge_key` equal to the previous step's, the two steps
    /// become one (the first step's inverse undoes both).
    pub fn apply(
        &mut self,
        project: &mut Project,
        label: impl Into<String>,
        command: Command,
        merge_key: Option<String>,
    ) -> Result<(), EditError> {
        let inverse = command.apply(project)?;
        self.redo.clear();
        let label = label.into();
        if let (Some(key), Some(last)) = (&merge_key, self.undo.last_mut())
            && last.merge_key.as_ref() == Some(key)
        {
            // Undo the newer change first, then the older one.
            let older = std::mem::replace(&mut last.inverse, Command::Batch(Vec::new()));
            last.inverse = Command::Batch(vec![inverse, older]);
            return Ok(());
        }
        self.undo.push(Step { label, inverse, merge_key });
        Ok(())
    }

    /// Undoes the last step; returns its label, or `None` when there is nothing to undo.
    pub fn undo(&mut self, project: &mut Project) -> Result<Option<String>, EditError> {
        let Some(step) = self.undo.pop() else { return Ok(None) };
        let redo = step.inverse.clone().apply(project);
        match redo {
            Ok(redo) => {
                self.redo.push((step.label.clone(), redo));
                Ok(Some(step.label))
            }
            Err(e) => {
                self.undo.push(step);
                Err(e)
            }
        }
    }

    /// Redoes the last undone step; returns its label, or `None` when there is nothing to redo.
    pub fn redo(&mut self, project: &mut Project) -> Result<Option<String>, EditError> {
        let Some((label, command)) = self.redo.pop() else { return Ok(None) };
        match command.clone().apply(project) {
            Ok(inverse) => {
                self.undo.push(Step { label: label.clone(), inverse, merge_key: None });
                Ok(Some(label))
            }
            Err(e) => {
                self.redo.push((label, command));
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

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// The label of the step Ctrl+Y would redo (for the Edit menu).
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|(l, _)| l.as_str())
    }

    /// The label of the step Ctrl+Z would undo (for the Edit menu).
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }
}
