//! `wangge fix`: lists the fixes each coverage finding offers, or applies the unambiguous ones
//! (`--all-safe`) and saves the project in one transaction.

use std::path::Path;

use anyhow::Context;

use crate::core::coverage::fixes::{apply_safe_fixes, checked_fixes_for};
use crate::core::coverage::{Checker, CoverageOptions};
use crate::core::edit::Command;
use crate::core::progress::NoProgress;
use crate::core::{Grid, GridId, area_m2};
use crate::io::{open_to_save, save_back};
use crate::text::findings::{area_checked_text, finding_message, fix_safety, fix_text, kind_name};
use crate::text::{Lang, say};

/// Returns the text to print, in `lang`, and whether the project is clean afterwards.
pub fn run_fix(path: &Path, all_safe: bool, lang: Lang) -> anyhow::Result<(String, bool)> {
    let (mut project, read_from) = open_to_save(path, &NoProgress)?;
    let zh = lang == Lang::Zh;
    let ids: Vec<GridId> = project.grids.keys().copied().collect();
    let labels: Vec<String> = project.grids.values().map(Grid::label).collect();
    let label = |i: usize| {
        labels.get(i).cloned().unwrap_or_else(|| {
            let n = i + 1 - labels.len();
            if zh { format!("（新网格 {n}）") } else { format!("(new {n})") }
        })
    };
    let (mut checker, area) = Checker::for_project(&project, CoverageOptions::for_project(&project));
    let area = area_checked_text(&area, lang);
    let mut out = if zh { format!("检查范围：{area}\n") } else { format!("area checked: {area}\n") };
    if !all_safe {
        let findings: Vec<_> = checker.report().findings.into_iter().filter(|f| f.kind.is_error()).collect();
        for finding in &findings {
            out += &format!("{}: {}\n", kind_name(finding.kind, lang), finding_message(finding, lang, &label));
            for fix in checked_fixes_for(&mut checker, finding) {
                let (what, mark) = (fix_text(&fix, lang, &label), fix_safety(&fix, lang));
                out += &if zh {
                    format!("    修复（{mark}）：{what}\n")
                } else {
                    format!("    fix ({mark}): {what}\n")
                };
            }
        }
        out += if zh {
            "加 --all-safe 运行即应用安全的修复\n"
        } else {
            "run with --all-safe to apply the safe fixes\n"
        };
        return Ok((out, checker.report().ok()));
    }
    let applied = apply_safe_fixes(&mut checker, 100_000);
    // Items the checker appended (grids a fix added) have no grid yet; a later fix that touches one is
    // applied to the grid the earlier fix's command created.
    let mut grid_of: Vec<Option<GridId>> = ids.iter().copied().map(Some).collect();
    for (finding, fix) in &applied {
        let touched = fix.changes.iter().map(|(i, _)| *i).chain(fix.removed.iter().copied());
        let before: f64 = touched
            .filter_map(|i| project.grids.get(&grid_of.get(i).copied().flatten()?))
            .map(|g| area_m2(&g.geometry, &project.crs))
            .sum();
        let after: f64 =
            fix.changes.iter().map(|(_, g)| g).chain(&fix.new_items).map(|g| area_m2(g, &project.crs)).sum();
        let what = fix_text(fix, lang, &label);
        let message = finding_message(finding, lang, &label);
        let kind = kind_name(finding.kind, lang);
        out += &if zh {
            format!("{what}（{kind}）：{message} — 面积变化 {:+.2} m²\n", after - before)
        } else {
            format!("{what} ({kind}): {message} — area {:+.2} m²\n", after - before)
        };
        // The same command the app's coverage panel applies.
        let first_new = project.next_grid_id;
        let command = Command::from_fix(&project, fix, |i| grid_of.get(i).copied().flatten())
            .with_context(|| say!(lang, "修复引用的网格不存在", "a fix refers to a grid that is not there"))?;
        command.apply(&mut project)?;
        grid_of.extend((first_new..project.next_grid_id).map(Some));
    }
    if !applied.is_empty() {
        save_back(&project, path, &read_from, &NoProgress)?;
    }
    let report = checker.report();
    let left = report.findings.iter().filter(|f| f.kind.is_error()).count();
    out += &if zh {
        format!("已应用 {} 项修复；剩余 {left} 个问题\n", applied.len())
    } else {
        format!("applied {} fixes; {left} findings remain\n", applied.len())
    };
    Ok((out, report.ok()))
}
