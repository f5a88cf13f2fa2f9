//! `wangge partition`: propose the grids of villages from their households, along reference lines
//! (issue 15), apply them as one edit and save — or only show them (`--dry-run`).

use std::path::PathBuf;

use anyhow::bail;
use serde_json::{Value, json};

use crate::core::partition::{Band, PartitionRequest, Plan, Selection, VillageReport, plan};
use crate::io::true_north::ground_axes_for;
use crate::text::Lang;
use crate::text::partition::{bad_band_text, error_text, no_selection_text, overall_text, report_text, totals_text};

/// The command line's choices, as parsed.
#[derive(clap::Args, Debug)]
pub struct PartitionArgs {
    /// The project (.gpkg)
    pub project: PathBuf,
    /// Villages to partition (12-digit codes; repeatable)
    #[arg(long = "village", value_name = "CODE", num_args = 1..)]
    pub villages: Vec<String>,
    /// Every village of this township (9-digit code or name)
    #[arg(long, value_name = "CODE")]
    pub township: Option<String>,
    /// Every village of the project
    #[arg(long)]
    pub all: bool,
    /// Households per grid, e.g. 300..500 (default: the project's band for the village's class)
    #[arg(long, value_name = "MIN..MAX")]
    pub households: Option<String>,
    /// Grids per village (default: from the band)
    #[arg(long, value_name = "N")]
    pub grids: Option<usize>,
    /// Reference layers to cut along (roads, rivers), by name; repeatable
    #[arg(long, value_name = "LAYER", num_args = 1..)]
    pub along: Vec<String>,
    /// Keep the village's existing grids; partition only the land they leave uncovered
    #[arg(long)]
    pub keep_existing: bool,
    /// Seed of the random trees: the same seed gives the same grids
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Household points closer than this (metres) stay in one grid unless the band forces a split
    #[arg(long = "cluster-m", default_value_t = 30.0, value_name = "M")]
    pub cluster_m: f64,
    /// Show the proposal without saving
    #[arg(long)]
    pub dry_run: bool,
    /// Print one JSON object instead of the summary
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub lang: super::LangArg,
}

/// "300..500" (or "300-500") as a band.
pub fn parse_band(text: &str) -> Option<Band> {
    let (a, b) = text.split_once("..").or_else(|| text.split_once('-'))?;
    let (min, max) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    Some(Band { min, max })
}

pub fn run_partition(args: PartitionArgs) -> anyhow::Result<String> {
    let lang = args.lang.get();
    let selection = match (args.villages.is_empty(), &args.township, args.all) {
        (false, None, false) => Selection::Villages(args.villages.clone()),
        (true, Some(t), false) => Selection::Township(t.clone()),
        (true, None, true) => Selection::All,
        _ => bail!("{}", no_selection_text(lang)),
    };
    let band = match &args.households {
        Some(text) => match parse_band(text) {
            Some(b) => Some(b),
            None => bail!("{}", bad_band_text(text, lang)),
        },
        None => None,
    };
    let cluster_ok = args.cluster_m.is_finite() && args.cluster_m >= 0.0;
    anyhow::ensure!(
        cluster_ok,
        "{}",
        crate::text::pick(lang, "--cluster-m 必须是非负的米数", "--cluster-m must be a non-negative number of metres")
    );
    let bar = super::Bar::new(lang);
    let (mut project, read_from) = crate::io::open_to_save(&args.project, &bar)?;
    let request = PartitionRequest {
        selection,
        band,
        grids: args.grids,
        along: args.along.clone(),
        keep_existing: args.keep_existing,
        seed: args.seed,
        cluster_m: args.cluster_m,
    };
    let started = std::time::Instant::now();
    let proposal = match plan(&project, &request, &ground_axes_for(&project.crs)) {
        Ok(p) => p,
        Err(e) => bail!("{}", error_text(&e, lang)),
    };
    let seconds = started.elapsed().as_secs_f64();
    if !args.dry_run {
        proposal.command.clone().apply(&mut project)?;
        crate::io::save_back(&project, &args.project, &read_from, &bar)?;
    }
    drop(bar);
    if args.json {
        return Ok(json_report(&proposal, args.dry_run, seconds).to_string() + "\n");
    }
    let mut out = String::new();
    for r in &proposal.reports {
        out += &report_text(r, lang);
    }
    if proposal.reports.len() > 1 {
        out += &overall_text(&proposal.reports, lang);
    }
    out += &totals_text(proposal.added.len(), proposal.removed.len(), proposal.noded.len(), args.dry_run, lang);
    out.push('\n');
    Ok(out)
}

fn report_json(r: &VillageReport) -> Value {
    let (lo, med, hi) = r.spread().unwrap_or((0, 0, 0));
    let (pp_mean, pp_worst) = r.compactness();
    json!({
        "villages": r.villages,
        "area": r.area_used.key(),
        "band": [r.band.min, r.band.max],
        "grids": r.grids(),
        "households": {"total": r.households, "min": lo, "median": med, "max": hi, "per_grid": r.per_grid},
        "within_band": r.within_band(),
        "within_band_share": r.within_band_share(),
        "max_deviation": r.max_deviation(),
        "polsby_popper": {"mean": pp_mean, "worst": pp_worst},
        "along_share": r.along_share(),
        "kept": r.kept,
        "units": r.units,
        "reasons": r.reasons.iter().map(|x| crate::text::partition::reason_text(x, Lang::En)).collect::<Vec<_>>(),
    })
}

fn json_report(p: &Plan, dry_run: bool, seconds: f64) -> Value {
    json!({
        "villages": p.reports.iter().map(report_json).collect::<Vec<_>>(),
        "added": p.added.iter().map(|g| json!({"id": g.id, "code": g.code, "village_code": g.village_code})).collect::<Vec<_>>(),
        "removed": p.removed,
        "noded": p.noded,
        "saved": !dry_run,
        "seconds": seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_band_is_min_dot_dot_max() {
        assert_eq!(parse_band("300..500"), Some(Band { min: 300, max: 500 }));
        assert_eq!(parse_band(" 100-800 "), Some(Band { min: 100, max: 800 }));
        assert_eq!(parse_band("300"), None);
        assert_eq!(parse_band("a..b"), None);
    }
}
