//! `wangge code` (assign grid codes by rule) and `wangge stats` (the numbers behind each grid).

use std::path::Path;

use serde_json::{Value, json};

use crate::core::codes::{
    CodeRule, CodingOptions, ROW_HEIGHT_SETTING, Side, assign_codes, check_codes, count_households, four_sides,
    household_band, project_rule, village_of,
};
use crate::core::edit::Command;
use crate::core::{Project, area_m2};
use crate::io::open_project;
use crate::io::true_north::ground_axes_for;
use crate::text::codes::{code_issue_text, household_band_text, unassigned_households_text};
use crate::text::grid_table::{table_row, write_table};
use crate::text::{Lang, say};

/// The project's rule, or `--rule` (which then becomes the project's).
fn rule_of(project: &Project, rule: Option<&str>) -> anyhow::Result<CodeRule> {
    Ok(rule.map_or_else(|| project_rule(project), CodeRule::parse)?)
}

pub fn run_code(
    path: &Path,
    rule: Option<&str>,
    renumber: bool,
    row_height: Option<f64>,
    dry_run: bool,
    lang: Lang,
) -> anyhow::Result<String> {
    let bar = super::Bar::new(lang);
    let (mut project, read_from) = crate::io::open_to_save(path, &bar)?;
    let rule = rule_of(&project, rule)?;
    if let Some(h) = row_height {
        let ok = h.is_finite() && h > 0.0;
        anyhow::ensure!(
            ok,
            "{}",
            say!(lang, "--row-height 必须是正的米数", "--row-height must be a positive number of metres")
        );
    }
    let row_height = row_height.or_else(|| project.settings.get(ROW_HEIGHT_SETTING)?.parse().ok());
    let axes = ground_axes_for(&project.crs);
    crate::core::progress::Progress::begin(&bar, crate::core::progress::Stage::Coding, 0);
    let changes = assign_codes(&project, &rule, &CodingOptions { renumber, row_height }, &axes)?;
    let mut out = String::new();
    for c in &changes {
        let old = if c.old.is_empty() { say!(lang, "（无）", "(none)") } else { c.old.clone() };
        out += &say!(lang, "网格 {}：{} → {}\n", "grid {}: {} → {}\n", c.grid, old, c.new);
    }
    let without_village = project.grids.values().filter(|g| village_of(&project, g).is_none()).count();
    out += &match dry_run {
        true => say!(lang, "按规则 {} 将改动 {} 个编码", "{1} codes would change by rule {0}", rule, changes.len()),
        false => say!(lang, "按规则 {} 改动了 {} 个编码", "{1} codes changed by rule {0}", rule, changes.len()),
    };
    if without_village > 0 {
        out += &say!(
            lang,
            "；{} 个网格不在任何村/社区内，没有编码",
            "; {} grids lie in no village and have no code",
            without_village
        );
    }
    out.push('\n');
    if !dry_run {
        // The same step the app's code rule window applies, and the row height it then numbers by.
        let mut commands = vec![Command::from_codes(&project, &changes, &rule.to_string())];
        if let Some(h) = row_height {
            commands.push(Command::SetSetting { key: ROW_HEIGHT_SETTING.into(), value: Some(h.to_string()) });
        }
        Command::Batch(commands).apply(&mut project)?;
        crate::io::save_back(&project, path, &read_from, &bar)?;
    }
    Ok(out)
}

/// A count with its unit, or "—" alone when there is no count (no "  户" with nothing before it).
fn count_text(n: Option<u64>, zh_unit: &str, en_unit: &str, lang: Lang) -> String {
    match (n, lang) {
        (Some(n), Lang::Zh) => format!("{n} {zh_unit}"),
        (Some(n), Lang::En) => format!("{n} {en_unit}"),
        (None, Lang::Zh) => format!("{}—", zh_unit_name(zh_unit)),
        (None, Lang::En) => format!("{en_unit} —"),
    }
}

fn zh_unit_name(unit: &str) -> &str {
    match unit {
        "户" => "户数",
        "人" => "人口",
        other => other,
    }
}

/// The numbers behind each grid; `notes` receives what was written where (for stderr, so that
/// `--json` output stays one JSON object).
pub fn run_stats(
    path: &Path,
    json_out: bool,
    table: Option<&Path>,
    lang: Lang,
    notes: &mut Vec<String>,
) -> anyhow::Result<String> {
    let project = open_project(path)?;
    let rule = rule_of(&project, None)?;
    let counts = count_households(&project);
    let sides = four_sides(&project, &ground_axes_for(&project.crs));
    let mut grids = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    let mut counts_shown = Vec::new();
    for g in project.grids.values() {
        let village = village_of(&project, g).unwrap_or_default();
        let c = counts.per_grid.get(&g.id).copied().unwrap_or_default();
        // Counted from household points when the project has them, else the grid's own attribute.
        let (households, population) = if project.households.is_empty() {
            (g.attrs.households.map(u64::from), g.attrs.population.map(u64::from))
        } else {
            (Some(c.households), Some(c.population))
        };
        let (lo, hi) = household_band(&project, g.class);
        if let Some(h) = households
            && (h < lo || h > hi)
        {
            warnings.push(household_band_text(g, h, (lo, hi), lang));
        }
        counts_shown.push((households, population));
        let s = sides.get(&g.id).cloned().unwrap_or_default();
        let area = area_m2(&g.geometry, &project.crs);
        // Per side every neighbour's code ("#id" when it has none), "boundary" or "uncovered".
        let side = |xs: &[Side]| -> Value {
            xs.iter()
                .map(|x| match x {
                    Side::Grid(id) => json!(project.grid_label(*id)),
                    Side::Boundary => json!("boundary"),
                    Side::Uncovered => json!("uncovered"),
                })
                .collect()
        };
        grids.push(json!({
            "id": g.id, "code": g.code, "name": g.name, "village_code": village, "area_m2": area,
            "households": households, "population": population,
            "neighbours": {"n": side(&s.north), "e": side(&s.east), "s": side(&s.south), "w": side(&s.west)},
        }));
        rows.push(table_row(&project, g, &village, area, households, population, &s));
    }
    if !counts.unassigned.is_empty() {
        warnings.push(unassigned_households_text(counts.unassigned.len(), lang));
    }
    warnings.extend(check_codes(&project, &rule).iter().map(|i| code_issue_text(&project, i, lang)));
    if let Some(out) = table {
        write_table(out, &rows)?;
        notes.push(say!(
            lang,
            "已写出网格一览表（{} 个网格）：{}",
            "wrote the grid table ({} grids) to {}",
            rows.len(),
            out.display()
        ));
    }
    if json_out {
        return Ok(json!({"grids": grids, "warnings": warnings}).to_string());
    }
    let mut out = String::new();
    for (r, (households, population)) in rows.iter().zip(&counts_shown) {
        out += &format!(
            "{}  {}  {}  {} m²  {}  {}  {}\n",
            r[0],
            r[1],
            r[3],
            r[4],
            count_text(*households, "户", "households", lang),
            count_text(*population, "人", "people", lang),
            r[10]
        );
    }
    for w in &warnings {
        out += &format!("{}{w}\n", crate::text::pick(lang, "提示：", "warning: "));
    }
    Ok(out)
}
