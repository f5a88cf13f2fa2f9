//! Numbering grids by rule inside each village in reading order: rows from north to south, west to east
//! within a row, on the ground (true north, see [`super::ground`]); 专属网格 in their reserved range.
//! Stable by default: valid codes stay, only new or invalid ones are assigned, after the highest number in
//! use (retired numbers are not handed out again). `renumber` redoes all.
//!
//! A row is the grids that sit side by side: starting from the grid whose top is northmost, a grid joins
//! the row when its north–south extent overlaps the band all members share by at least half of the
//! smaller of the two heights. A strip lying across the top of two grids is therefore a row of its own,
//! and a lattice is numbered row by row whatever the CRS. `row_height` overrides this with fixed bands.

use std::collections::BTreeMap;

use geo::{Coord, InteriorPoint};

use super::ground::GroundAxes;
use super::rule::CodeRule;
use super::village::village_of;
use crate::core::{GridId, GridKind, Project};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CodingOptions {
    pub renumber: bool,
    /// Fixed rows of this height (CRS units, measured towards true north), the first centred on the
    /// northmost grid; `None`: rows by how the grids' north–south extents overlap.
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

/// A grid in the ground frame of its village.
struct Placed {
    id: GridId,
    /// The middle of its extent (east, north).
    at: Coord<f64>,
    top: f64,
    bottom: f64,
}

/// Grids of one village in reading order: rows north → south, west → east in a row, on the ground.
pub fn reading_order(
    project: &Project,
    grids: &[GridId],
    row_height: Option<f64>,
    axes: &dyn GroundAxes,
) -> Vec<GridId> {
    let found: Vec<(&crate::core::Grid, Coord<f64>)> = grids
        .iter()
        .filter_map(|id| {
            let g = project.grids.get(id)?;
            Some((g, g.geometry.interior_point()?.0))
        })
        .collect();
    if found.is_empty() {
        return Vec::new();
    }
    // One frame for the village (a few km: the convergence hardly changes across it), centred on it.
    let n = found.len() as f64;
    let origin = found.iter().fold(Coord { x: 0.0, y: 0.0 }, |s, (_, p)| Coord { x: s.x + p.x / n, y: s.y + p.y / n });
    let frame = axes.axes_at(origin);
    let ground = |c: Coord<f64>| frame.to_ground(c - origin);
    let mut placed: Vec<Placed> = found
        .iter()
        .map(|(g, _)| {
            let (mut min, mut max) =
                (Coord { x: f64::INFINITY, y: f64::INFINITY }, Coord { x: f64::NEG_INFINITY, y: f64::NEG_INFINITY });
            for c in g.geometry.0.iter().flat_map(|poly| &poly.exterior().0) {
                let c = ground(*c);
                min = Coord { x: min.x.min(c.x), y: min.y.min(c.y) };
                max = Coord { x: max.x.max(c.x), y: max.y.max(c.y) };
            }
            Placed { id: g.id, at: (min + max) / 2.0, top: max.y, bottom: min.y }
        })
        .collect();
    let rows = match row_height.filter(|h| *h > 0.0 && h.is_finite()) {
        Some(height) => fixed_rows(&placed, height),
        None => overlapping_rows(&mut placed),
    };
    rows.into_iter()
        .flat_map(|mut row| {
            row.sort_by(|a, b| placed[*a].at.x.total_cmp(&placed[*b].at.x).then(placed[*a].id.cmp(&placed[*b].id)));
            row.into_iter().map(|i| placed[i].id).collect::<Vec<_>>()
        })
        .collect()
}

/// Rows of `height` (the `--row-height` override), the first centred on the northmost grid's middle:
/// a grid is in the row whose centre line its middle is nearest to.
fn fixed_rows(placed: &[Placed], height: f64) -> Vec<Vec<usize>> {
    let north = placed.iter().map(|p| p.at.y).fold(f64::NEG_INFINITY, f64::max);
    let mut rows: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, p) in placed.iter().enumerate() {
        rows.entry(((north - p.at.y) / height).round() as i64).or_default().push(i);
    }
    rows.into_values().collect()
}

/// Rows of grids that sit side by side: each row starts with the remaining grid whose top is northmost
/// (westmost on a tie) and takes every grid overlapping the band its members share by at least half of
/// the smaller height (of that grid and of the band).
fn overlapping_rows(placed: &mut [Placed]) -> Vec<Vec<usize>> {
    placed.sort_by(|a, b| b.top.total_cmp(&a.top).then(a.at.x.total_cmp(&b.at.x)).then(a.id.cmp(&b.id)));
    let mut taken = vec![false; placed.len()];
    let mut rows = Vec::new();
    for seed in 0..placed.len() {
        if taken[seed] {
            continue;
        }
        taken[seed] = true;
        let mut row = vec![seed];
        let (mut band_top, mut band_bottom) = (placed[seed].top, placed[seed].bottom);
        for (j, p) in placed.iter().enumerate().skip(seed + 1) {
            if p.top <= band_bottom {
                break; // sorted by top: no later grid reaches the band
            }
            if taken[j] {
                continue;
            }
            let overlap = p.top.min(band_top) - p.bottom.max(band_bottom);
            let smaller = (p.top - p.bottom).min(band_top - band_bottom);
            if overlap > 0.0 && overlap >= 0.5 * smaller {
                taken[j] = true;
                row.push(j);
                (band_top, band_bottom) = (band_top.min(p.top), band_bottom.max(p.bottom));
            }
        }
        rows.push(row);
    }
    rows
}

/// The codes to change so that every grid with a village has a valid, unique code by `rule`.
/// `axes` says where north and east lie on the ground (see [`super::ground`]).
pub fn assign_codes(
    project: &Project,
    rule: &CodeRule,
    options: &CodingOptions,
    axes: &dyn GroundAxes,
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
        let ordered = reading_order(project, &ids, options.row_height, axes);
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
