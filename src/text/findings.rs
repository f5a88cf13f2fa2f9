//! Coverage findings in words, in the UI language.

use crate::core::coverage::fixes::{Fix, FixKind};
use crate::core::coverage::{AreaChecked, Cause, Detail, Finding, FindingKind, InvalidProblem, InvalidReason};
use crate::text::{Lang, pick, say};

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
    pick(lang, zh, en)
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
    pick(lang, zh, en)
}

fn ring_name(ring: usize, lang: Lang) -> String {
    match (ring, lang) {
        (0, Lang::Zh) => "外环".into(),
        (r, Lang::Zh) => format!("第 {r} 个内环（洞）"),
        (0, Lang::En) => "the exterior ring".into(),
        (r, Lang::En) => format!("interior ring {r}"),
    }
}

/// Why a grid is not a valid polygon, in words.
pub fn invalid_reason_text(reason: &InvalidReason, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let what = match reason.problem {
        InvalidProblem::NoPolygon => pick(lang, "没有任何多边形", "has no polygon").to_string(),
        InvalidProblem::NotFinite { ring } => say!(
            lang,
            "{}含有非有限数值的坐标",
            "{} has a coordinate that is not a finite number",
            ring_name(ring, lang)
        ),
        InvalidProblem::TooFewPoints { ring } => say!(
            lang,
            "{}不足 3 个不同的点或未闭合",
            "{} has fewer than 3 distinct points or is not closed",
            ring_name(ring, lang)
        ),
        InvalidProblem::SelfIntersection { ring } => {
            say!(lang, "{}自相交或自接触", "{} crosses or touches itself", ring_name(ring, lang))
        }
        InvalidProblem::RingsCross { first, second } => {
            say!(lang, "{}与{}相交", "{} and {} cross", ring_name(first, lang), ring_name(second, lang))
        }
        InvalidProblem::ZeroArea { ring } => say!(lang, "{}面积为零", "{} has zero area", ring_name(ring, lang)),
        InvalidProblem::HoleOutside { hole } => {
            say!(lang, "第 {hole} 个内环（洞）不在外环之内", "interior ring {hole} is not inside the exterior ring")
        }
        InvalidProblem::PartsOverlap { first, second } => {
            say!(lang, "第 {first} 部分与第 {second} 部分重叠", "parts {first} and {second} overlap")
        }
    };
    match (reason.part, zh) {
        (Some(part), true) => format!("第 {part} 部分：{what}"),
        (Some(part), false) => format!("part {part}: {what}"),
        (None, _) => what,
    }
}

/// Which area a check required to be covered, in words.
pub fn area_checked_text(area: &AreaChecked, lang: Lang) -> String {
    match area {
        AreaChecked::Boundary => pick(lang, "项目边界", "the project boundary").into(),
        AreaChecked::BoundaryFile => pick(lang, "给定的边界文件", "the boundary file given").into(),
        AreaChecked::Villages(n) => say!(
            lang,
            "{n} 个村（社区）的范围之和（项目没有边界）",
            "the union of {n} villages (the project has no boundary)"
        ),
        AreaChecked::Townships(n) => say!(
            lang,
            "{n} 个乡镇（街道）的范围之和（项目没有边界和村界）",
            "the union of {n} townships (the project has no boundary or village polygons)"
        ),
        AreaChecked::GridsOnly => pick(
            lang,
            "无（没有边界、村界或乡镇界：只查网格围住的缝隙）",
            "none (no boundary, village or township polygons: only gaps enclosed by grids)",
        )
        .into(),
    }
}

/// A fix in words; `label` gives how to call item i.
pub fn fix_text(fix: &Fix, lang: Lang, label: &dyn Fn(usize) -> String) -> String {
    let list =
        |items: &mut dyn Iterator<Item = usize>| items.map(label).collect::<Vec<_>>().join(pick(lang, "、", ", "));
    match &fix.kind {
        FixKind::JoinGap { into } => say!(lang, "并入网格 {}", "join the gap to grid {}", label(*into)),
        FixKind::NewGrid => pick(lang, "作为新网格", "make the gap a new grid").into(),
        FixKind::GiveOverlapTo { item } => {
            let others = list(&mut fix.changes.iter().map(|(i, _)| *i));
            say!(
                lang,
                "重叠部分归网格 {}（从网格 {others} 中扣除）",
                "give the overlap to grid {} (subtract it from grid {others})",
                label(*item)
            )
        }
        FixKind::InsertVertices => {
            let grids = list(&mut fix.changes.iter().map(|(i, _)| *i));
            say!(lang, "在网格 {grids} 的公共边上补齐顶点", "insert the missing vertices into grid {grids}")
        }
        FixKind::ClipToBoundary { items } => {
            let grids = list(&mut items.iter().copied());
            say!(lang, "将网格 {grids} 裁剪到边界", "clip grid {grids} to the boundary")
        }
        FixKind::Repair { item } => say!(lang, "按轮廓重建网格 {}", "rebuild grid {} as a valid polygon", label(*item)),
        FixKind::DeleteGrid { item } => say!(lang, "删除网格 {}", "delete grid {}", label(*item)),
    }
}

/// "(safe)" or "(needs a decision)".
pub fn fix_safety(fix: &Fix, lang: Lang) -> &'static str {
    match (fix.safe, lang) {
        (true, Lang::Zh) => "安全",
        (false, Lang::Zh) => "需判断",
        (true, Lang::En) => "safe",
        (false, Lang::En) => "needs a decision",
    }
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
        Detail::Invalid(reason) => {
            let why = invalid_reason_text(reason, lang);
            say!(lang, "网格 {list} 不是有效多边形：{why}", "grid {list} is not a valid polygon: {why}")
        }
        Detail::Duplicate => say!(lang, "网格 {list} 完全重复（{sz}）", "grids {list} are duplicates ({sz})"),
        Detail::Overlap => match (zh, names.len()) {
            (true, 2) => format!("网格 {list} 重叠 {sz}"),
            (true, _) => format!("网格 {list} 相互重叠 {sz}"),
            (false, 2) => format!("grids {list} overlap by {sz}"),
            (false, _) => format!("grids {list} overlap one another by {sz}"),
        },
        Detail::Gap { enclosed: false } if f.items.is_empty() => {
            say!(lang, "边界内有未覆盖区域 {sz}", "area inside the boundary covered by no grid: {sz}")
        }
        Detail::Gap { enclosed } => match (zh, enclosed) {
            (true, true) => format!("网格之间有缝隙 {sz}（周边：{list}）"),
            (true, false) => format!("边界内有未覆盖区域 {sz}（附近：{list}）"),
            (false, true) => format!("gap between grids of {sz} (around: {list})"),
            (false, false) => format!("area inside the boundary covered by no grid: {sz} (near: {list})"),
        },
        Detail::Outside if f.items.is_empty() => {
            say!(lang, "网格超出边界 {sz}", "grids extend outside the boundary by {sz}")
        }
        Detail::Outside => say!(lang, "网格 {list} 超出边界 {sz}", "grid {list} extends outside the boundary by {sz}"),
        Detail::EdgeMismatch { segments, causes } => {
            let why = causes.iter().map(|c| cause_name(*c, lang)).collect::<Vec<_>>().join(pick(lang, "、", ", "));
            say!(
                lang,
                "网格 {list} 的公共边不一致：{segments} 段（{why}）",
                "grids {list} do not share their edges exactly: {segments} segments ({why})"
            )
        }
        Detail::VillageCrossing { villages } => {
            let v: Vec<String> = villages.iter().map(|(c, a)| format!("{c} {}", size(Some(*a), None, lang))).collect();
            let v = v.join(pick(lang, "；", "; "));
            say!(lang, "网格 {list} 跨越多个村：{v}", "grid {list} crosses village lines: {v}")
        }
        Detail::NoVillage => say!(lang, "网格 {list} 不在任何村范围内", "grid {list} lies in no village"),
        Detail::Note { parts, holes } => say!(
            lang,
            "网格 {list} 有 {parts} 个部分、{holes} 个洞（请核对）",
            "grid {list} has {parts} parts and {holes} holes (review)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use geo::{Geometry, MultiPolygon};

    use super::*;

    fn details() -> Vec<Detail> {
        let reasons = [
            InvalidProblem::NoPolygon,
            InvalidProblem::NotFinite { ring: 0 },
            InvalidProblem::TooFewPoints { ring: 1 },
            InvalidProblem::SelfIntersection { ring: 0 },
            InvalidProblem::RingsCross { first: 0, second: 2 },
            InvalidProblem::ZeroArea { ring: 1 },
            InvalidProblem::HoleOutside { hole: 1 },
            InvalidProblem::PartsOverlap { first: 1, second: 2 },
        ];
        let mut out: Vec<Detail> = reasons
            .iter()
            .flat_map(|&problem| [None, Some(2)].map(|part| Detail::Invalid(InvalidReason { problem, part })))
            .collect();
        out.extend([
            Detail::Duplicate,
            Detail::Overlap,
            Detail::Gap { enclosed: true },
            Detail::Gap { enclosed: false },
            Detail::Outside,
            Detail::EdgeMismatch {
                segments: 3,
                causes: vec![
                    Cause::SameSide,
                    Cause::Crossing,
                    Cause::TJunction,
                    Cause::Collinear,
                    Cause::Inside,
                    Cause::NearlyParallel,
                ],
            },
            Detail::VillageCrossing { villages: vec![("341823100001".into(), 12.0), ("341823100002".into(), 3.0)] },
            Detail::NoVillage,
            Detail::Note { parts: 2, holes: 1 },
        ]);
        out
    }

    /// Every message is whole in its language: Chinese ones have no Latin words (units and grid codes
    /// aside), English ones no Chinese.
    #[test]
    fn every_message_is_in_one_language() {
        let label = |i: usize| format!("34182310000100{i}");
        for detail in details() {
            for items in [vec![0, 1], vec![0, 1, 2]] {
                let f = Finding {
                    kind: FindingKind::Overlap,
                    items,
                    geometry: Geometry::MultiPolygon(MultiPolygon(vec![])),
                    area: Some(1234.5),
                    width: Some(0.0012),
                    detail: detail.clone(),
                };
                let zh = finding_message(&f, Lang::Zh, &label);
                let latin: String = zh.replace("km²", "").replace("m²", "").replace("mm", "").replace(" m", "");
                assert!(!latin.chars().any(|c| c.is_ascii_alphabetic()), "{zh}");
                let en = finding_message(&f, Lang::En, &label);
                assert!(!en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '，' || c == '（'), "{en}");
            }
        }
        for area in [
            AreaChecked::Boundary,
            AreaChecked::BoundaryFile,
            AreaChecked::Villages(3),
            AreaChecked::Townships(2),
            AreaChecked::GridsOnly,
        ] {
            assert!(!area_checked_text(&area, Lang::Zh).chars().any(|c| c.is_ascii_alphabetic()));
            assert!(area_checked_text(&area, Lang::En).is_ascii());
        }
    }
}
