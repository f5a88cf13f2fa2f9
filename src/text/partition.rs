//! Auto-partition in words: the reasons a village's band could not be met, the per-village summary,
//! and the errors of `wangge partition` (and, later, the app's tool).

use super::{Lang, say};
use crate::core::partition::{AreaUsed, PartitionError, Reason, VillageReport};

/// Why the band could not be met, in words.
pub fn reason_text(reason: &Reason, lang: Lang) -> String {
    match reason {
        Reason::NoHouseholds => say!(lang, "区域内没有住户点", "no household points in the area"),
        Reason::TooFewHouseholds { households, min } => say!(
            lang,
            "只有 {} 户，不够一个网格（至少 {} 户）",
            "only {} households, too few for one grid (at least {})",
            households,
            min
        ),
        Reason::Island { households } => say!(
            lang,
            "有一块与其余部分不相连的区域（岛、飞地）只有 {} 户",
            "a piece cut off from the rest (an island, a detached part) has only {} households",
            households
        ),
        Reason::ClusterTooBig { households } => say!(
            lang,
            "一片密集住户（相距小于聚集距离）共 {} 户，超过一个网格的上限，只能拆开",
            "a cluster of households (closer than the cluster distance) holds {} households, more than one grid may: it had to be split",
            households
        ),
        Reason::NoCountFits { households } => say!(
            lang,
            "{} 户无法分成整数个都在范围内的网格",
            "{} households cannot be shared among any number of grids all within the band",
            households
        ),
        Reason::CountAskedMisses { grids, households } => say!(
            lang,
            "{} 户分成指定的 {} 个网格，无法都在范围内",
            "{} households in the {} grids asked for cannot all be within the band",
            households,
            grids
        ),
        Reason::ShapesMiss { grids_outside } => say!(
            lang,
            "{} 个网格超出范围：住户分布和道路河流的位置不允许更好的划分",
            "{} grids outside the band: where the households and lines lie allowed no better cut",
            grids_outside
        ),
    }
}

/// The area that was partitioned, when it is not the village's own polygon.
pub fn area_used_text(used: AreaUsed, lang: Lang) -> Option<String> {
    match used {
        AreaUsed::Village => None,
        AreaUsed::Township => Some(say!(
            lang,
            "村没有边界，改为划分所属乡镇的范围",
            "the village has no polygon: its township's area was partitioned instead"
        )),
        AreaUsed::Boundary => Some(say!(
            lang,
            "村没有边界，改为划分项目的区域边界",
            "the village has no polygon: the project boundary was partitioned instead"
        )),
    }
}

/// The summary of one partitioned area: one line of numbers, then notes and reasons indented.
pub fn report_text(report: &VillageReport, lang: Lang) -> String {
    let who = if report.villages.len() <= 3 {
        report.villages.join(", ")
    } else {
        say!(lang, "{} 等 {} 个村", "{} and {} more villages", report.villages[0], report.villages.len() - 1)
    };
    let (lo, med, hi) = report.spread().unwrap_or((0, 0, 0));
    let (pp_mean, pp_worst) = report.compactness();
    let mut out = say!(
        lang,
        "{}：{} 个网格，{} 户，每格 {}/{}/{} 户（最少/中位/最多），{}/{} 在 {}–{} 户范围内（{:.0}%），紧凑度 平均 {:.2} 最差 {:.2}，新边界沿参考线 {:.0}%\n",
        "{}: {} grids, {} households, {}/{}/{} per grid (min/median/max), {}/{} within {}–{} ({:.0}%), Polsby–Popper mean {:.2} worst {:.2}, {:.0}% of new boundary along reference lines\n",
        who,
        report.grids(),
        report.households,
        lo,
        med,
        hi,
        report.within_band(),
        report.grids(),
        report.band.min,
        report.band.max,
        report.within_band_share() * 100.0,
        pp_mean,
        pp_worst,
        report.along_share() * 100.0
    );
    if let Some(note) = area_used_text(report.area_used, lang) {
        out += &format!("  {note}\n");
    }
    if report.kept > 0 {
        out += &say!(lang, "  保留了 {} 个已有网格\n", "  kept {} existing grids\n", report.kept);
    }
    for r in &report.reasons {
        out += &format!("  {}{}\n", super::pick(lang, "原因：", "why: "), reason_text(r, lang));
    }
    out
}

/// One line over all areas: grids, how many within their band, mean compactness.
pub fn overall_text(reports: &[VillageReport], lang: Lang) -> String {
    let grids: usize = reports.iter().map(VillageReport::grids).sum();
    let within: usize = reports.iter().map(VillageReport::within_band).sum();
    let share = if grids > 0 { within as f64 * 100.0 / grids as f64 } else { 100.0 };
    let pp: f64 = reports.iter().flat_map(|r| r.polsby_popper.iter()).sum::<f64>() / grids.max(1) as f64;
    say!(
        lang,
        "合计：{} 个区域，{} 个网格，{} 个在户数范围内（{:.0}%），平均紧凑度 {:.2}\n",
        "In all: {} areas, {} grids, {} within their band ({:.0}%), mean Polsby–Popper {:.2}\n",
        reports.len(),
        grids,
        within,
        share,
        pp
    )
}

/// The last line: what was (or would be) changed.
pub fn totals_text(added: usize, removed: usize, noded: usize, dry_run: bool, lang: Lang) -> String {
    match dry_run {
        true => say!(
            lang,
            "试运行：将新增 {} 个网格，删除 {} 个，{} 个相邻网格补点；未保存",
            "dry run: would add {} grids, remove {}, node {} neighbours; nothing saved",
            added,
            removed,
            noded
        ),
        false => say!(
            lang,
            "已新增 {} 个网格，删除 {} 个，{} 个相邻网格补点，已保存",
            "added {} grids, removed {}, noded {} neighbours; saved",
            added,
            removed,
            noded
        ),
    }
}

/// A partition request that cannot be run, in words.
pub fn error_text(error: &PartitionError, lang: Lang) -> String {
    match error {
        PartitionError::UnknownVillage(c) => say!(lang, "项目中没有村/社区 {}", "no village {} in the project", c),
        PartitionError::UnknownTownship(c) => {
            say!(lang, "项目中没有乡镇 {} 或它下面没有村", "no township {} in the project, or it has no villages", c)
        }
        PartitionError::UnknownLayer(n) => say!(
            lang,
            "--along {}：项目中没有这个参考图层",
            "--along {}: the project has no reference layer of that name",
            n
        ),
        PartitionError::NoVillages => say!(lang, "没有要划分的村", "no villages to partition"),
        PartitionError::NoArea(c) => say!(
            lang,
            "村 {} 没有边界，项目也没有区域边界可以代替",
            "village {} has no polygon and the project has no boundary to partition instead",
            c
        ),
        PartitionError::BadBand(a, b) => {
            say!(lang, "--households {}..{}：范围为空", "--households {}..{}: the band is empty", a, b)
        }
        PartitionError::BadCount => say!(lang, "--grids 至少为 1", "--grids must be at least 1"),
        PartitionError::Rule(e) => say!(lang, "项目的编码规则有误：{}", "the project's code rule is wrong: {}", e),
        PartitionError::Coding(e) => say!(lang, "无法编码：{}", "cannot code the grids: {}", e),
        PartitionError::Cancelled => say!(lang, "已取消自动划分", "auto-partition cancelled"),
    }
}

/// `--households` that is not MIN..MAX.
pub fn bad_band_text(text: &str, lang: Lang) -> String {
    say!(
        lang,
        "--households {}：请写成 最少..最多，例如 300..500",
        "--households {}: write MIN..MAX, e.g. 300..500",
        text
    )
}

/// Neither --village, --township nor --all.
pub fn no_selection_text(lang: Lang) -> String {
    say!(
        lang,
        "请用 --village 编码、--township 编码 或 --all 选择要划分的村",
        "choose the villages with --village CODE, --township CODE or --all"
    )
}
