//! Grid codes in words: the code checks' findings and a grid's 四至 (its neighbours on each side), as the
//! checks panel, `wangge code`/`stats` and the printed sheets say them. 四至 are always in Chinese: they
//! are printed on the grid sheets and tables that staff post.

use super::{Lang, say};
use crate::core::codes::{CodeIssue, FourSides, Side};
use crate::core::{Grid, GridId, Project};

/// A code check result in words.
pub fn code_issue_text(project: &Project, issue: &CodeIssue, lang: Lang) -> String {
    let code = |id: &GridId| project.grids.get(id).map_or(format!("#{id}"), |g| format!("#{id} {}", g.code));
    match issue {
        CodeIssue::Duplicate { code: c, grids } => {
            say!(lang, "编码 {c} 被 {} 个网格重复使用", "code {c} is used by {} grids", grids.len())
        }
        CodeIssue::BadFormat { grid, code: c, .. } if c.is_empty() => {
            say!(lang, "网格 #{grid} 尚未编码", "grid #{grid} has no code yet")
        }
        CodeIssue::BadFormat { grid, code: c, expected_len } => say!(
            lang,
            "网格 #{grid} 的编码 {c:?} 不符合规则（应为 {expected_len} 位）",
            "grid #{grid}: code {c:?} is not {expected_len} digits/letters by the rule"
        ),
        CodeIssue::PrefixMismatch { grid, village, .. } => say!(
            lang,
            "网格 {} 的编码与所属村 {village} 不一致",
            "grid {}: code does not start with its village {village}",
            code(grid)
        ),
        CodeIssue::NoVillage { grid } => say!(lang, "网格 {} 不属于任何村", "grid {}: in no village", code(grid)),
        CodeIssue::SequenceHole { village, missing } => {
            say!(lang, "村 {village} 的编号 {missing:?} 空缺", "village {village}: numbers {missing:?} are not used")
        }
    }
}

/// A grid whose households lie outside its class's band `(lo, hi)`, in words: the same finding in the
/// checks panel and in `wangge stats`.
pub fn household_band_text(grid: &Grid, households: u64, (lo, hi): (u64, u64), lang: Lang) -> String {
    let (name, class) = (grid.label(), grid.class);
    match lang {
        Lang::Zh => format!("网格 {name}：{households} 户，不在{}网格 {lo}–{hi} 户的范围内", class.label_zh()),
        Lang::En => format!("grid {name}: {households} households, outside the {} band {lo}–{hi}", class.key()),
    }
}

/// Household points that lie in no grid, in words.
pub fn unassigned_households_text(points: usize, lang: Lang) -> String {
    say!(lang, "{} 个住户点不在任何网格内", "{} household points lie in no grid", points)
}

/// One neighbour on a side of a grid's 四至: its code and name, 区域边界 or 未划分.
pub fn side_text(project: &Project, side: Side) -> String {
    match side {
        Side::Grid(id) => project.grids.get(&id).map_or_else(|| format!("#{id}"), Grid::label_with_name),
        Side::Boundary => "区域边界".into(),
        Side::Uncovered => "未划分".into(),
    }
}

/// 四至 as printed in the grid table: "东至…、…，南至…，西至…，北至…", every neighbour of a side named.
pub fn four_sides_text(project: &Project, s: &FourSides) -> String {
    [("东", &s.east), ("南", &s.south), ("西", &s.west), ("北", &s.north)]
        .iter()
        .filter(|(_, side)| !side.is_empty())
        .map(|(name, side)| {
            format!("{name}至{}", side.iter().map(|x| side_text(project, *x)).collect::<Vec<_>>().join("、"))
        })
        .collect::<Vec<_>>()
        .join("，")
}
