//! Which grids are printed in what order, and under which village: shared by the atlas and the grid
//! table, so both list the grids the same way.

use crate::core::{Grid, Project};

/// Grids in atlas order: by code, uncoded ones last by id.
pub fn atlas_order(project: &Project) -> Vec<&Grid> {
    let mut grids: Vec<&Grid> = project.grids.values().collect();
    grids.sort_by(|a, b| (a.code.is_empty(), &a.code, a.id).cmp(&(b.code.is_empty(), &b.code, b.id)));
    grids
}

/// The grid's village with its township before it ("泾川镇城南居委会"), else its village code.
pub fn village_name(project: &Project, g: &Grid) -> String {
    let code = g.village_code.trim();
    match project.divisions.get(code) {
        Some(v) => {
            let town = v.parent_code.as_deref().and_then(|t| project.divisions.get(t)).map_or("", |t| t.name.as_str());
            format!("{town}{}", v.name)
        }
        None => code.to_string(),
    }
}
