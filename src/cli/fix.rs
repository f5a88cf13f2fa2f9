//! `wangge fix`: lists the fixes each coverage finding offers, or applies the unambiguous ones
//! (`--all-safe`) and saves the project in one transaction.

use std::path::Path;

use anyhow::Context;

use crate::app::Settings;
use crate::app::finding_text::{area_checked_text, finding_message, fix_safety, fix_text, kind_name};
use crate::app::i18n::Lang;
use crate::core::coverage::fixes::{apply_safe_fixes, checked_fixes_for};
use crate::core::coverage::{Checker, CoverageOptions, Village, area_to_cover};
use crate::core::{Grid, GridId, area_m2};
use crate::io::{open_project_stamped, save_project_unchanged};

/// Returns the text to print and whether the project is clean afterwards. `lang` `None`: the UI language.
pub fn run_fix(path: &Path, all_safe: bool, lang: Option<Lang>) -> anyhow::Result<(String, bool)> {
    let (mut project, stamp) = open_project_stamped(path)?;
    let lang = lang.unwrap_or_else(|| Settings::load().lang);
    let zh = lang == Lang::Zh;
    let ids: Vec<GridId> = project.grids.keys().copied().collect();
    let labels: Vec<String> =
        project.grids.values().map(|g| if g.code.is_empty() { format!("#{}", g.id) } else { g.code.clone() }).collect();
    let label = |i: usize| {
        labels.get(i).cloned().unwrap_or_else(|| {
            let n = i + 1 - labels.len();
            if zh { format!("（新网格 {n}）") } else { format!("(new {n})") }
        })
    };
    let villages: Vec<Village> = project
        .villages()
        .filter_map(|v| Some(Village { code: v.code.to_string(), polygon: v.polygon.clone()? }))
        .collect();
    let (boundary, area) = area_to_cover(&project);
    let items = project.grids.values().map(|g| g.geometry.clone()).collect();
    let mut options = CoverageOptions::for_crs(&project.crs);
    options.precision = project.precision;
    let mut checker = Checker::new(items, boundary, villages, options);
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
    for (finding, fix) in &applied {
        let touched = fix.changes.iter().map(|(i, _)| *i).chain(fix.removed.iter().copied());
        let before: f64 =
            touched.filter_map(|i| project.grids.get(ids.get(i)?)).map(|g| area_m2(&g.geometry, &project.crs)).sum();
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
        for (i, geometry) in &fix.changes {
            let id = ids.get(*i).context("a fix refers to a grid that is not there")?;
            let grid = project.grids.get_mut(id).context("a fix refers to a grid that is not there")?;
            grid.geometry = geometry.clone();
        }
        for i in &fix.removed {
            let id = ids.get(*i).context("a fix refers to a grid that is not there")?;
            project.grids.remove(id);
        }
        for geometry in &fix.new_items {
            project.add_grid(Grid::new(geometry.clone()));
        }
    }
    if !applied.is_empty() {
        save_project_unchanged(&project, path, stamp.as_ref())?;
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
