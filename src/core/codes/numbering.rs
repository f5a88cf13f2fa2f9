//! Numbering grids by rule inside each village: rows from north to south, west to east within a row
//! (row height: the median grid height unless set), 专属网格 in their reserved range. Stable by default:
//! valid codes stay, only new or invalid ones are assigned, after the highest number in use (retired
//! numbers are not handed out again). `renumber` redoes all.

use std::collections::BTreeMap;

use geo::{BoundingRect, InteriorPoint};

use super::rule::CodeRule;
use super::village::village_of;
use crate::core::{GridId, GridKind, Project};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CodingOptions {
    pub renumber: bool,
    /// Height of a row in CRS units; `None`: the median height of the village's grids.
    pub row_height: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeChange {
    pub grid: GridId,
    pub village: String,
    pub old: String,
    pub new: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodingError {
    #[error("village {village}: more grids than the rule's {max} numbers allow for {kind}")]
    Full { village: String, kind: &'static str, max: u32 },
}

/// Grids of one village in reading order: rows north → south, west → east in a row.
pub fn reading_order(project: &Project, grids: &[GridId], row_height: Option<f64>) -> Vec<GridId> {
    let mut placed: Vec<(GridId, f64, f64, f64)> = grids
        .iter()
        .filter_map(|id| {
            let g = project.grids.get(id)?;
            let p = g.geometry.interior_point()?;
            let h = g.geometry.bounding_rect().map_or(0.0, |r| r.height());
            Some((*id, p.x(), p.y(), h))
        })
        .collect();
    if placed.is_empty() {
        return Vec::new();
    }
    let height = row_height.filter(|h| *h > 0.0).unwrap_or_else(|| {
        let mut hs: Vec<f64> = placed.iter().map(|p| p.3).collect();
        hs.sort_by(f64::total_cmp);
        hs[hs.len() / 2].max(f64::MIN_POSITIVE)
    });
    let top = placed.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
    placed.sort_by(|a, b| {
        let row = |p: &(GridId, f64, f64, f64)| ((top - p.2) / height).floor() as i64;
        row(a).cmp(&row(b)).then(a.1.total_cmp(&b.1)).then(a.0.cmp(&b.0))
    });
    placed.into_iter().map(|p| p.0).collect()
}

/// The codes to change so that every grid with a village has a valid, unique code by `rule`.
pub fn assign_codes(
    project: &Project,
    rule: &CodeRule,
    options: &CodingOptions,
) -> Result<Vec<CodeChange>, CodingError> {
    let mut by_village: BTreeMap<String, Vec<GridId>> = BTreeMap::new();
    for g in project.grids.values() {
        if let Some(v) = village_of(project, g) {
            by_village.entry(v).or_default().push(g.id);
        }
    }
    // The grid that keeps a code several grids carry: the one with the lowest id.
    let mut first_holder: BTreeMap<&str, GridId> = BTreeMap::new();
    for g in project.grids.values().filter(|g| !g.code.is_empty()) {
        first_holder.entry(g.code.as_str()).or_insert(g.id);
    }
    let mut changes = Vec::new();
    for (village, ids) in by_village {
        let ordered = reading_order(project, &ids, options.row_height);
        for dedicated in [false, true] {
            let of_kind: Vec<GridId> = ordered
                .iter()
                .copied()
                .filter(|id| (project.grids[id].kind == GridKind::Dedicated) == dedicated)
                .collect();
            let (first, last) = match (dedicated, rule.dedicated_from) {
                (false, Some(d)) => (1, d - 1),
                (true, Some(d)) => (d, rule.max_seq()),
                (_, None) => (1, rule.max_seq()),
            };
            let mut kept: BTreeMap<u32, GridId> = BTreeMap::new();
            if !options.renumber {
                for id in &of_kind {
                    let code = &project.grids[id].code;
                    if let Some(seq) = rule.sequence_of(code, &village, dedicated)
                        && (first..=last).contains(&seq)
                        && !kept.contains_key(&seq)
                        && first_holder.get(code.as_str()) == Some(id)
                    {
                        kept.insert(seq, *id);
                    }
                }
            }
            let start = kept.keys().next_back().map_or(first, |max| max + 1);
            let to_number = of_kind.iter().filter(|id| !kept.values().any(|k| k == *id));
            for (next, id) in (start..).zip(to_number) {
                if next > last {
                    let kind = if dedicated { "专属网格" } else { "基础网格" };
                    return Err(CodingError::Full { village, kind, max: last - first + 1 });
                }
                let new = rule.render(&village, dedicated, next);
                let old = project.grids[id].code.clone();
                if old != new {
                    changes.push(CodeChange { grid: *id, village: village.clone(), old, new });
                }
            }
        }
    }
    Ok(changes)
}
