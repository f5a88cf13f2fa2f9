//! `wangge check`: the coverage checker from the command line, as a readable summary or as JSON.

use std::path::Path;
use std::time::Instant;

use serde_json::{Value, json};

use crate::core::coverage::{AreaChecked, CoverageOptions, Detail, Finding, FindingKind, Report};
use crate::core::progress::{Progress, Stage};
use crate::core::{Crs, GridId};
use crate::io::check_input::read_check_input;
use crate::text::Lang;
use crate::text::findings::{area_checked_text, finding_message, kind_name};
use crate::text::say;

pub struct CheckArgs<'a> {
    pub path: &'a Path,
    pub boundary: Option<&'a Path>,
    /// Metres on the ground (input units with `planar`); converted through the CRS by the checker.
    pub gap_width_m: f64,
    pub precision: Option<f64>,
    pub planar: bool,
    pub json: bool,
    /// The language of messages.
    pub lang: Lang,
}

/// Runs the check; returns the text to print and whether the coverage is clean.
pub fn run_check(args: &CheckArgs<'_>) -> anyhow::Result<(String, bool)> {
    let started = Instant::now();
    let lang = args.lang;
    // On stderr, and only on a terminal: `--json` output on stdout is untouched.
    let bar = super::Bar::new(lang);
    bar.begin(Stage::Reading, 0);
    let mut input = read_check_input(args.path, args.boundary)?;
    let loaded = Instant::now();
    // A file with nothing to check says so, before anything is said about its coordinate system.
    if matches!(input.subject, crate::io::check_input::Subject::Layer { .. }) {
        let (features, polygons) = input.polygon_counts();
        anyhow::ensure!(polygons > 0, "{}", no_polygons_text(args.path, features, lang));
    }
    let mut options = match (input.default_options(), args.planar) {
        (_, true) => CoverageOptions::planar(),
        (Some(options), false) => options,
        (None, false) => anyhow::bail!(
            "{}",
            match lang {
                Lang::Zh =>
                    format!("{}：文件没有 Wangge 认识的坐标系；用 --planar 按平面坐标检查", args.path.display()),
                Lang::En => format!(
                    "{}: the file has no coordinate system Wangge knows; use --planar to check it as plain numbers",
                    args.path.display()
                ),
            }
        ),
    };
    if let Some(p) = args.precision {
        anyhow::ensure!(p >= 0.0 && p.is_finite(), "{}", say!(lang, "--precision 必须 ≥ 0", "--precision must be ≥ 0"));
        options.precision = p;
    }
    let width_ok = args.gap_width_m >= 0.0 && args.gap_width_m.is_finite();
    anyhow::ensure!(width_ok, "{}", say!(lang, "--gap-width 必须 ≥ 0", "--gap-width must be ≥ 0"));
    options.gap_width_m = args.gap_width_m;
    if input.labels.len() >= 20_000 && !bar.is_shown() {
        eprintln!("{}", say!(lang, "正在检查 {} 个网格……", "checking {} grids…", input.labels.len()));
    }
    bar.begin(Stage::Checking, 0);
    let (checker, area) = input.check(options);
    drop(bar);
    let report = checker.report();
    let checked = Instant::now();
    let timings = [
        (loaded - started).as_secs_f64() * 1e3,
        (checked - loaded).as_secs_f64() * 1e3,
        (checked - started).as_secs_f64() * 1e3,
    ];
    let crs = input.crs().cloned();
    let checked = Checked { labels: input.labels, grid_ids: input.grid_ids, crs, area };
    let text = if args.json {
        to_json(&report, &checked, lang, timings, checker.phase_timings()).to_string()
    } else {
        summary(&report, &checked, lang)
    };
    Ok((text, report.ok()))
}

/// "x.geojson: no polygons to check (3 features, none with a polygon)".
fn no_polygons_text(path: &Path, features: usize, lang: Lang) -> String {
    let path = path.display();
    match (lang, features) {
        (Lang::Zh, 0) => format!("{path}：文件中没有要素，没有可检查的网格多边形"),
        (Lang::Zh, n) => format!("{path}：文件有 {n} 个要素，但都没有面状几何，没有可检查的网格多边形"),
        (Lang::En, 0) => format!("{path}: the file has no features, so no grid polygons to check"),
        (Lang::En, n) => format!("{path}: none of the file's {n} features has a polygon geometry; nothing to check"),
    }
}

/// What the report is about: the names of its items and the area that was checked.
struct Checked {
    labels: Vec<String>,
    grid_ids: Vec<Option<GridId>>,
    crs: Option<Crs>,
    area: AreaChecked,
}

fn to_json(report: &Report, input: &Checked, lang: Lang, timings: [f64; 3], phases: &[(&str, f64)]) -> Value {
    let issues: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let geometry = serde_json::to_value(geojson::Geometry::from(&f.geometry)).unwrap_or(Value::Null);
            let mut v = json!({
                "kind": f.kind.key(),
                "features": f.items,
                "grid_ids": f.items.iter().filter_map(|&i| input.grid_ids.get(i).copied().flatten()).collect::<Vec<_>>(),
                "area": f.area,
                "width": f.width,
                "geometry": geometry,
            });
            add_reason(&mut v, f);
            v["message"] = json!(finding_message(f, lang, &|i| input.labels[i].clone()));
            v
        })
        .collect();
    json!({
        "ok": report.ok(),
        "grids": report.items,
        "vertices": report.vertices,
        "crs": input.crs.as_ref().map(|c| c.auth_id()),
        "area_checked": input.area.key(),
        "lang": lang.key(),
        "issues": issues,
        "timings_ms": {
            "load": timings[0],
            "check": timings[1],
            "total": timings[2],
            "phases": phases.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        },
    })
}

/// The machine-readable reason beside the message: why a polygon is invalid (with the part of a
/// multipolygon), why edges do not match, whether a gap is enclosed by grids or inside the area to cover.
fn add_reason(v: &mut Value, f: &Finding) {
    match &f.detail {
        Detail::Invalid(r) => {
            v["reason"] = json!(r.key());
            if let Some(part) = r.part {
                v["part"] = json!(part);
            }
        }
        Detail::EdgeMismatch { causes, .. } => {
            v["reason"] = json!(causes.first().map(|c| c.key()));
            v["causes"] = json!(causes.iter().map(|c| c.key()).collect::<Vec<_>>());
        }
        Detail::Gap { enclosed } => v["reason"] = json!(if *enclosed { "enclosed" } else { "uncovered" }),
        _ => v["reason"] = Value::Null,
    }
}

fn summary(report: &Report, input: &Checked, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = if zh {
        format!("{} 个网格，{} 个顶点\n", report.items, report.vertices)
    } else {
        format!("{} grids, {} vertices\n", report.items, report.vertices)
    };
    let area = area_checked_text(&input.area, lang);
    out += &if zh { format!("检查范围：{area}\n") } else { format!("area checked: {area}\n") };
    if report.findings.iter().all(|f| f.kind == FindingKind::Note) {
        out += if zh {
            "覆盖检查通过：无重叠、无缝隙、公共边一致。\n"
        } else {
            "coverage is clean: no overlaps, no gaps, edges match.\n"
        };
    }
    for kind in FindingKind::ALL {
        let of_kind: Vec<_> = report.findings.iter().filter(|f| f.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        out += &format!("{}: {}\n", kind_name(kind, lang), of_kind.len());
        let mut worst = of_kind.clone();
        worst.sort_by(|a, b| b.area.unwrap_or(0.0).total_cmp(&a.area.unwrap_or(0.0)));
        for f in worst.iter().take(10) {
            out += &format!("  - {}\n", finding_message(f, lang, &|i| input.labels[i].clone()));
        }
        if of_kind.len() > 10 {
            out += &if zh {
                format!("  …另有 {} 项\n", of_kind.len() - 10)
            } else {
                format!("  … and {} more\n", of_kind.len() - 10)
            };
        }
    }
    out
}

/// `--lang zh|en`.
pub fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| format!("{text:?} is not a language Wangge speaks: use zh or en"))
}
