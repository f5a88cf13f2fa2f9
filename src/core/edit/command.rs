//! Edit commands: every change to a project is a command whose `apply` returns its exact inverse, so
//! that one history can undo and redo anything (QGIS-style edit buffer, without the buffer).

use geo::MultiPolygon;

use crate::core::{AreaClass, Grid, GridAttrs, GridId, GridKind, Project};

/// The non-geometric fields of a grid, set together by the attribute form.
#[derive(Clone, Debug, PartialEq)]
pub struct GridFields {
    pub code: String,
    pub name: String,
    pub kind: GridKind,
    pub class: AreaClass,
    pub village_code: String,
    pub attrs: GridAttrs,
}

impl GridFields {
    pub fn of(grid: &Grid) -> GridFields {
        GridFields {
            code: grid.code.clone(),
            name: grid.name.clone(),
            kind: grid.kind,
            class: grid.class,
            village_code: grid.village_code.clone(),
            attrs: grid.attrs.clone(),
        }
    }

    fn set_on(self, grid: &mut Grid) {
        grid.code = self.code;
        grid.name = self.name;
        grid.kind = self.kind;
        grid.class = self.class;
        grid.village_code = self.village_code;
        grid.attrs = self.attrs;
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Adds a grid; an id of 0 takes the project's next id (ids are never handed out twice).
    AddGrid(Box<Grid>),
    RemoveGrid(GridId),
    SetGeometry {
        id: GridId,
        geometry: MultiPolygon<f64>,
    },
    SetFields {
        id: GridId,
        fields: Box<GridFields>,
    },
    /// Several commands as one step (a shared vertex moved in every grid that uses it, a split …).
    Batch(Vec<Command>),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("grid {0} does not exist")]
    NoSuchGrid(GridId),
    #[error("grid {0} exists already")]
    GridExists(GridId),
}

impl Command {
    /// Applies the command and returns the command that undoes it. On error the project is unchanged.
    pub fn apply(self, project: &mut Project) -> Result<Command, EditError> {
        match self {
            Command::AddGrid(grid) => {
                let mut grid = *grid;
                if grid.id == 0 {
                    grid.id = project.next_grid_id;
                }
                if project.grids.contains_key(&grid.id) {
                    return Err(EditError::GridExists(grid.id));
                }
                let id = grid.id;
                project.next_grid_id = project.next_grid_id.max(id + 1);
                project.grids.insert(id, grid);
                Ok(Command::RemoveGrid(id))
            }
            Command::RemoveGrid(id) => {
                let grid = project.grids.remove(&id).ok_or(EditError::NoSuchGrid(id))?;
                Ok(Command::AddGrid(Box::new(grid)))
            }
            Command::SetGeometry { id, geometry } => {
                let grid = project.grids.get_mut(&id).ok_or(EditError::NoSuchGrid(id))?;
                let old = std::mem::replace(&mut grid.geometry, geometry);
                Ok(Command::SetGeometry { id, geometry: old })
            }
            Command::SetFields { id, fields } => {
                let grid = project.grids.get_mut(&id).ok_or(EditError::NoSuchGrid(id))?;
                let old = GridFields::of(grid);
                fields.set_on(grid);
                Ok(Command::SetFields { id, fields: Box::new(old) })
            }
            Command::Batch(commands) => {
                let mut inverses = Vec::with_capacity(commands.len());
                for command in commands {
                    match command.apply(project) {
                        Ok(inverse) => inverses.push(inverse),
                        Err(e) => {
                            // Roll back what this batch did, so that a failed batch changes nothing.
                            for inverse in inverses.into_iter().rev() {
                                let _ = inverse.apply(project);
                            }
                            return Err(e);
                        }
                    }
                }
                inverses.reverse();
                Ok(Command::Batch(inverses))
            }
        }
    }

    /// The grids the command touches (for re-checking coverage after it).
    pub fn grids(&self) -> Vec<GridId> {
        match self {
            Command::AddGrid(g) => vec![g.id],
            Command::RemoveGrid(id) | Command::SetGeometry { id, .. } | Command::SetFields { id, .. } => vec![*id],
            Command::Batch(commands) => commands.iter().flat_map(Command::grids).collect(),
        }
    }
}
