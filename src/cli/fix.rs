//! `wangge fix`: lists the fixes each coverage finding offers, or applies the unambiguous ones
//! (`--all-safe`) and saves the project in one transaction.

use std::path::Path;

use anyhow::Context;

use crate::app::Settings;
use crate::app::finding_text::{finding_message, kind_name};
use crate::core::coverage::fixes::{Fix, FixKind, apply_safe_fixes, fixes_for};
use crate::core::coverage::{Checker, CoverageOptions, Village};
use crate::core::{Grid, GridId, area_m2};
use crate::io::{open_project_stamped, save_project_unchanged};

fn fix_text(fix: &Fix, label: &dyn Fn(usize) -> String) -> String {
    match &fix.kind {
        FixKind::JoinGap { into } => format!("join the gap to grid {}", label(*into)),
        FixKind::NewGrid => "make the gap a new grid".into(),
        FixKind::SubtractOverlap { from } => format!("subtract the overlap from grid {}", label(*from)),
        FixKind::InsertVertices => {
            let grids: Vec<String> = fix.changes.iter().map(|(i, _)| label(*i)).collect();
            format!("insert the missing vertices into grid {}", grids.join(", "))
        }
        FixKind::ClipToBoundary { item } => format!("clip grid {} to the boundary", label(*item)),
        FixKind::Repair { item } => format!("rebuild grid {} as a valid polygon", label(*item)),
    }
}

/// Returns the text to print and whether the project is clean afterwards.
pub fn run_fix(path: &Path, all_safe: bool) -> anyhow::Result<(String, bool)> {
    let (mut project, stamp) = open_project_stamped(path)?;
    let ids: Vec<GridId> = project.grids.keys().copied().collect();
    let labels: Vec<String> =
        project.grids.values().map(|g| if g.code.is_empty() { format!("#{}", g.id) } else { g.code.clone() }).collect();
    let label = |i: usize| labels.get(i).cloned().unwrap_or_else(|| format!("(new {})", i + 1 - labels.len()));
    let villages: Vec<Village> = project
        .villages()
        .filter_map(|v| Some(Village { code: v.code.to_string(), polygon: v.polygon.clone()? }))
        .collect();
    let boundary = (!project.boundary.0.is_empty()).then(|| project.boundary.clone());
    let items = project.grids.values().map(|g| g.geometry.clone()).collect();
    let mut checker = Checker::new(items, boundary, villages, CoverageOptions::for_crs(&project.crs));
    let lang = Settings::load().lang;
    let mut out = String::new();
    if !all_safe {
        for finding in checker.report().findings.iter().filter(|f| f.kind.is_error()) {
            out += &format!("{}: {}\n", kind_name(finding.kind, lang), finding_message(finding, lang, &label));
            for fix in fixes_for(&checker, finding) {
                let mark = if fix.safe { "safe" } else { "needs a decision" };
                out += &format!("    fix ({mark}): {}\n", fix_text(&fix, &label));
            }
        }
        out += "run with --all-safe to apply the safe fixes\n";
        return Ok((out, checker.report().ok()));
    }
    let applied = apply_safe_fixes(&mut checker, 100_000);
    for (finding, fix) in &applied {
        let before: f64 = fix
            .changes
            .iter()
            .filter_map(|(i, _)| project.grids.get(&ids[*i]))
            .map(|g| area_m2(&g.geometry, &project.crs))
            .sum();
        let after: f64 = fix.changes.iter().map(|(_, g)| area_m2(g, &project.crs)).sum();
        out += &format!(
            "{} ({}): {} — area {:+.2} m²\n",
            fix_text(fix, &label),
            kind_name(finding.kind, lang),
            finding_message(finding, lang, &label),
            after - before
        );
        for (i, geometry) in &fix.changes {
            let grid = project.grids.get_mut(&ids[*i]).context("a fix refers to a grid that is not there")?;
            grid.geometry = geometry.clone();
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
    out += &format!("applied {} fixes; {left} findings remain\n", applied.len());
    Ok((out, report.ok()))
}
