//! Edit commands: every change to a project is a command whose `apply` returns its exact inverse, so
//! that one history can undo and redo anything (QGIS-style edit buffer, without the buffer).

use std::collections::BTreeMap;

use geo::MultiPolygon;

use crate::core::codes::{CodeChange, RULE_SETTING};
use crate::core::coverage::fixes::Fix;
use crate::core::tools::new_grid;
use crate::core::{AreaClass, Division, Grid, GridAttrs, GridId, GridKind, HouseholdPoint, Project, ReferenceLayer};

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
    /// Sets the whole boundary layer (an import that replaces it); the inverse sets the old one back.
    SetBoundary(MultiPolygon<f64>),
    /// Sets the whole divisions layer (an import adding or replacing divisions).
    SetDivisions(BTreeMap<String, Division>),
    /// Sets the whole households layer (an import adding household points).
    SetHouseholds(Vec<HouseholdPoint>),
    /// Sets the whole list of reference layers (an import adding or replacing roads or rivers).
    SetReferenceLayers(Vec<ReferenceLayer>),
    /// Sets (or, with `None`, removes) a project setting such as the code rule.
    SetSetting {
        key: String,
        value: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("grid {0} does not exist")]
    NoSuchGrid(GridId),
    #[error("grid {0} exists already")]
    GridExists(GridId),
    #[error("grid {0} is read-only here: it belongs to a neighbouring township (check-out)")]
    ReadOnly(GridId),
}

impl Command {
    /// Applies the command and returns the command that undoes it. On error the project is unchanged.
    pub fn apply(self, project: &mut Project) -> Result<Command, EditError> {
        if let Command::RemoveGrid(id) | Command::SetGeometry { id, .. } | Command::SetFields { id, .. } = &self
            && project.read_only_grids.contains(id)
        {
            return Err(EditError::ReadOnly(*id));
        }
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
            Command::SetBoundary(boundary) => {
                Ok(Command::SetBoundary(std::mem::replace(&mut project.boundary, boundary)))
            }
            Command::SetDivisions(divisions) => {
                Ok(Command::SetDivisions(std::mem::replace(&mut project.divisions, divisions)))
            }
            Command::SetHouseholds(households) => {
                Ok(Command::SetHouseholds(std::mem::replace(&mut project.households, households)))
            }
            Command::SetReferenceLayers(layers) => {
                Ok(Command::SetReferenceLayers(std::mem::replace(&mut project.reference_layers, layers)))
            }
            Command::SetSetting { key, value } => {
                let old = match value {
                    Some(v) => project.settings.insert(key.clone(), v),
                    None => project.settings.remove(&key),
                };
                Ok(Command::SetSetting { key, value: old })
            }
        }
    }

    /// Whether the command changes a layer other than the grids (the boundary, divisions, households or
    /// reference layers), after which everything derived from the project is rebuilt, not only some
    /// grids, and the whole project is saved.
    pub fn changes_other_layers(&self) -> bool {
        match self {
            Command::SetBoundary(_)
            | Command::SetDivisions(_)
            | Command::SetHouseholds(_)
            | Command::SetReferenceLayers(_) => true,
            Command::Batch(commands) => commands.iter().any(Command::changes_other_layers),
            _ => false,
        }
    }

    /// The command that applies a coverage fix: the grids it reshapes, deletes and adds (a new grid
    /// takes the village it lies in). `grid_of` names the grid behind a checker item; `None` when an
    /// item the fix touches has no grid.
    pub fn from_fix(project: &Project, fix: &Fix, grid_of: impl Fn(usize) -> Option<GridId>) -> Option<Command> {
        let mut commands = Vec::new();
        for (item, geometry) in &fix.changes {
            commands.push(Command::SetGeometry { id: grid_of(*item)?, geometry: geometry.clone() });
        }
        for item in &fix.removed {
            commands.push(Command::RemoveGrid(grid_of(*item)?));
        }
        for geometry in &fix.new_items {
            commands.push(Command::AddGrid(Box::new(new_grid(project, geometry.clone()))));
        }
        Some(Command::Batch(commands))
    }

    /// The command that gives grids their new codes and makes `rule` the project's code rule, as one
    /// step (the app's code rule window and `wangge code` alike).
    pub fn from_codes(project: &Project, changes: &[CodeChange], rule: &str) -> Command {
        let mut commands: Vec<Command> = changes
            .iter()
            .filter_map(|c| {
                let mut fields = GridFields::of(project.grids.get(&c.grid)?);
                fields.code = c.new.clone();
                Some(Command::SetFields { id: c.grid, fields: Box::new(fields) })
            })
            .collect();
        commands.push(Command::SetSetting { key: RULE_SETTING.into(), value: Some(rule.to_string()) });
        Command::Batch(commands)
    }

    /// The grids the command touches (for re-checking coverage after it).
    pub fn grids(&self) -> Vec<GridId> {
        match self {
            Command::AddGrid(g) => vec![g.id],
            Command::RemoveGrid(id) | Command::SetGeometry { id, .. } | Command::SetFields { id, .. } => vec![*id],
            Command::Batch(commands) => commands.iter().flat_map(Command::grids).collect(),
            Command::SetBoundary(_)
            | Command::SetDivisions(_)
            | Command::SetHouseholds(_)
            | Command::SetReferenceLayers(_)
            | Command::SetSetting { .. } => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{AreaClass, Crs, CrsUnits, DivisionCode, HouseholdPoint};
    use geo::{Point, polygon};

    fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size)]])
    }

    fn division(code: &str, name: &str, polygon: Option<MultiPolygon<f64>>) -> Division {
        let code = DivisionCode::parse(code).unwrap();
        Division {
            parent_code: code.parent().map(str::to_string),
            class: AreaClass::Rural,
            name: name.into(),
            polygon,
            code,
        }
    }

    fn project() -> Project {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        p.boundary = square(0.0, 0.0, 100.0);
        p.divisions.insert("341823100".into(), division("341823100", "泾川镇", None));
        p.divisions.insert("341823100001".into(), division("341823100001", "城南居委会", Some(square(0., 0., 50.))));
        p.add_grid(Grid::new(square(0.0, 0.0, 50.0)));
        p.households.push(HouseholdPoint { position: Point::new(10.0, 10.0), households: 3, population: None });
        p
    }

    /// Applies `command`, checks `changed`, then its inverse, which must give back the project exactly
    /// (but for the next grid id: ids are never handed out twice); the inverse of the inverse redoes it.
    fn round_trip(command: Command, changed: impl Fn(&Project) -> bool) {
        let before = project();
        let mut p = before.clone();
        let inverse = command.apply(&mut p).unwrap();
        assert!(changed(&p), "the command changed nothing");
        let after = p.clone();
        let redo = inverse.apply(&mut p).unwrap();
        assert_eq!(p.next_grid_id, after.next_grid_id, "ids are not handed out again");
        let mut restored = p.clone();
        restored.next_grid_id = before.next_grid_id;
        assert_eq!(restored, before, "the inverse restores the project exactly");
        redo.apply(&mut p).unwrap();
        assert_eq!(p, after, "redo gives the same result again");
    }

    #[test]
    fn replacing_a_layer_has_an_exact_inverse() {
        round_trip(Command::SetBoundary(square(5.0, 5.0, 10.0)), |p| p.boundary == square(5.0, 5.0, 10.0));
        round_trip(Command::SetBoundary(MultiPolygon(Vec::new())), |p| p.boundary.0.is_empty());
        let mut divisions = project().divisions;
        divisions.insert("341823100001".into(), division("341823100001", "城南社区", None));
        divisions.insert("341823100201".into(), division("341823100201", "双坑村委会", None));
        let wanted = divisions.clone();
        round_trip(Command::SetDivisions(divisions), move |p| p.divisions == wanted);
        let mut households = project().households;
        households.push(HouseholdPoint { position: Point::new(20.0, 20.0), households: 1, population: Some(4) });
        round_trip(Command::SetHouseholds(households), |p| p.households.len() == 2);
        let roads = vec![ReferenceLayer::new("道路")];
        round_trip(Command::SetReferenceLayers(roads), |p| p.reference_layer("道路").is_some());
        assert!(Command::SetReferenceLayers(Vec::new()).changes_other_layers());
        // An import of grids: new grids under fresh ids, removed again by the inverse.
        let grids = Command::Batch(vec![
            Command::AddGrid(Box::new(Grid::new(square(50.0, 0.0, 50.0)))),
            Command::AddGrid(Box::new(Grid::new(square(0.0, 50.0, 50.0)))),
        ]);
        round_trip(grids, |p| p.grids.len() == 3);
        // Several layers in one step.
        let both = Command::Batch(vec![
            Command::SetBoundary(square(0.0, 0.0, 200.0)),
            Command::AddGrid(Box::new(Grid::new(square(100.0, 0.0, 100.0)))),
        ]);
        assert!(both.changes_other_layers());
        round_trip(both, |p| p.grids.len() == 2 && p.boundary == square(0.0, 0.0, 200.0));
    }

    #[test]
    fn only_layer_commands_change_other_layers() {
        assert!(Command::SetDivisions(BTreeMap::new()).changes_other_layers());
        assert!(!Command::RemoveGrid(1).changes_other_layers());
        assert!(!Command::Batch(vec![Command::RemoveGrid(1)]).changes_other_layers());
        assert!(Command::SetBoundary(MultiPolygon(Vec::new())).grids().is_empty());
    }

    #[test]
    fn an_import_is_one_undoable_step_in_the_history() {
        let before = project();
        let mut p = before.clone();
        let mut history = super::super::History::default();
        history.apply(&mut p, super::super::StepKind::Import, Command::SetBoundary(square(1.0, 1.0, 1.0))).unwrap();
        assert!(history.next_changes_other_layers(true));
        assert_eq!(history.undo(&mut p).unwrap(), Some(super::super::StepKind::Import));
        assert_eq!(p, before);
        assert!(history.next_changes_other_layers(false));
        history.redo(&mut p).unwrap();
        assert_eq!(p.boundary, square(1.0, 1.0, 1.0));
    }
}
