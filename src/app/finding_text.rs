//! Coverage findings in words, in the UI language.

use super::i18n::Lang;
use crate::core::codes::CodeIssue;
use crate::core::coverage::{Cause, Detail, Finding, FindingKind};
use crate::core::{GridId, Project};

pub fn kind_name(kind: FindingKind, lang: Lang) -> &'static str {
    let (zh, en) = match kind {
        FindingKind::Invalid => ("无效多边形", "invalid polygon"),
        FindingKind::Duplicate => ("重复网格", "duplicate grids"),
        FindingKind::Overlap => ("重叠", "overlap"),
        FindingKind::Gap => ("缝隙/未覆盖", "gap"),
        FindingKind::Outside => ("超出边界", "outside the boundary"),
        FindingKind::EdgeMismatch => ("公共边不一致", "edge mismatch"),
        FindingKind::VillageCrossing => ("跨村网格", "grid across a village line"),
        FindingKind::NoVillage => ("不属于任何村", "grid in no village"),
        FindingKind::Note => ("提示（多部分/含洞）", "note (several parts or holes)"),
    };
    if lang == Lang::Zh { zh } else { en }
}

fn cause_name(cause: Cause, lang: Lang) -> &'static str {
    let (zh, en) = match cause {
        Cause::SameSide => ("同向重合边", "equal edges on the same side"),
        Cause::Crossing => ("边相交", "crossing edges"),
        Cause::TJunction => ("顶点落在邻边上", "a vertex on the neighbour's edge"),
        Cause::Collinear => ("共线但顶点不对应", "collinear edges with unmatched vertices"),
        Cause::Inside => ("边伸入邻网格内部", "an edge inside the neighbour"),
        Cause::NearlyParallel => ("近乎平行的窄缝", "nearly parallel edges closer than the gap width"),
    };
    if lang == Lang::Zh { zh } else { en }
}

fn size(area: Option<f64>, width: Option<f64>, lang: Lang) -> String {
    let mut out = String::new();
    if let Some(a) = area {
        out += &if a >= 1e5 { format!("{:.3} km²", a / 1e6) } else { format!("{a:.2} m²") };
    }
    if let Some(w) = width {
        let w = if w >= 1.0 { format!("{w:.2} m") } else { format!("{:.1} mm", w * 1000.0) };
        out += &if lang == Lang::Zh { format!("，宽 {w}") } else { format!(", {w} wide") };
    }
    out
}

/// One sentence about a finding; `name` gives how to call item i (its code or its position).
pub fn finding_message(f: &Finding, lang: Lang, name: &dyn Fn(usize) -> String) -> String {
    let names: Vec<String> = f.items.iter().map(|&i| name(i)).collect();
    let list = names.join(if lang == Lang::Zh { "、" } else { ", " });
    let zh = lang == Lang::Zh;
    let sz = size(f.area, f.width, lang);
    match &f.detail {
        Detail::Invalid(why) => {
            if zh {
                format!("网格 {list} 不是有效多边形：{why}")
            } else {
                format!("grid {list} is not a valid polygon: {why}")
            }
        }
        Detail::Duplicate => {
            if zh {
                format!("网格 {list} 完全重复（{sz}）")
            } else {
                format!("grids {list} are duplicates ({sz})")
            }
        }
        Detail::Overlap => {
            if zh {
                format!("网格 {list} 重叠 {sz}")
            } else {
                format!("grids {list} overlap by {sz}")
            }
        }
        Detail::Gap { enclosed: false } if f.items.is_empty() => {
            if zh {
                format!("边界内有未覆盖区域 {sz}")
            } else {
                format!("area inside the boundary covered by no grid: {sz}")
            }
        }
        Detail::Gap { enclosed } => match (zh, enclosed) {
            (true, true) => format!("网格之间有缝隙 {sz}（周边：{list}）"),
            (true, false) => format!("边界内有未覆盖区域 {sz}（附近：{list}）"),
            (false, true) => format!("gap between grids of {sz} (around: {list})"),
            (false, false) => format!("area inside the boundary covered by no grid: {sz} (near: {list})"),
        },
        Detail::Outside if f.items.is_empty() => {
            if zh {
                format!("网格超出边界 {sz}")
            } else {
                format!("grids extend outside the boundary by {sz}")
            }
        }
        Detail::Outside => {
            if zh {
                format!("网格 {list} 超出边界 {sz}")
            } else {
                format!("grid {list} extends outside the boundary by {sz}")
            }
        }
        Detail::EdgeMismatch { segments, causes } => {
            let why: Vec<&str> = causes.iter().map(|c| cause_name(*c, lang)).collect();
            if zh {
                format!("网格 {list} 的公共边不一致：{segments} 段（{}）", why.join("、"))
            } else {
                format!("grids {list} do not share their edges exactly: {segments} segments ({})", why.join(", "))
            }
        }
        Detail::VillageCrossing { villages } => {
            let v: Vec<String> = villages.iter().map(|(c, a)| format!("{c} {}", size(Some(*a), None, lang))).collect();
            if zh {
                format!("网格 {list} 跨越多个村：{}", v.join("；"))
            } else {
                format!("grid {list} crosses village lines: {}", v.join("; "))
            }
        }
        Detail::NoVillage => {
            if zh {
                format!("网格 {list} 不在任何村范围内")
            } else {
                format!("grid {list} lies in no village")
            }
        }
        Detail::Note { parts, holes } => {
            if zh {
                format!("网格 {list} 有 {parts} 个部分、{holes} 个洞（请核对）")
            } else {
                format!("grid {list} has {parts} parts and {holes} holes (review)")
            }
        }
    }
}

/// A code check result in words.
pub fn code_issue_text(project: &Project, issue: &CodeIssue, lang: Lang) -> String {
    let code = |id: &GridId| project.grids.get(id).map_or(format!("#{id}"), |g| format!("#{id} {}", g.code));
    let zh = lang == Lang::Zh;
    match issue {
        CodeIssue::Duplicate { code: c, grids } => {
            if zh {
                format!("编码 {c} 被 {} 个网格重复使用", grids.len())
            } else {
                format!("code {c} is used by {} grids", grids.len())
            }
        }
        CodeIssue::BadFormat { grid, code: c, .. } if c.is_empty() => {
            if zh {
                format!("网格 #{grid} 尚未编码")
            } else {
                format!("grid #{grid} has no code yet")
            }
        }
        CodeIssue::BadFormat { grid, code: c, expected_len } => {
            if zh {
                format!("网格 #{grid} 的编码 {c:?} 不符合规则（应为 {expected_len} 位）")
            } else {
                format!("grid #{grid}: code {c:?} is not {expected_len} digits/letters by the rule")
            }
        }
        CodeIssue::PrefixMismatch { grid, village, .. } => {
            if zh {
                format!("网格 {} 的编码与所属村 {village} 不一致", code(grid))
            } else {
                format!("grid {}: code does not start with its village {village}", code(grid))
            }
        }
        CodeIssue::NoVillage { grid } => {
            if zh {
                format!("网格 {} 不属于任何村", code(grid))
            } else {
                format!("grid {}: in no village", code(grid))
            }
        }
        CodeIssue::SequenceHole { village, missing } => {
            if zh {
                format!("村 {village} 的编号 {missing:?} 空缺")
            } else {
                format!("village {village}: numbers {missing:?} are not used")
            }
        }
    }
}
