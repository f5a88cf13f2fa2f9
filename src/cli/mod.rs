//! The command line: `wangge` opens the GUI; subcommands run the same core with no window.
//! Exit status: 0 on success, 2 on bad input or usage (the message goes to stderr), 70 on a bug.

mod basemap;
mod check;
mod codes;
mod db;
mod fix;
mod import;
mod partition;
mod progress;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::core::Project;
use crate::core::progress::{NoProgress, Progress, Stage};
use crate::guard;
use crate::io::crs::{SourceCrs, parse_crs_arg};
use crate::io::export::{Layer, export_file};
use crate::io::fields::parse_map_args;
use crate::io::import::{ImportOptions, Target, scan_source};
use crate::io::{gpkg, open_project_with};
use crate::text::summary::{rect_text, summary_with};
use crate::text::{Lang, Settings, pick, say};
pub use import::{import_file, import_reference};
pub use progress::Bar;

#[derive(Parser, Debug)]
#[command(
    name = "wangge",
    version,
    about = "网格 Wangge — divide a township into coded grids, check coverage, print grid maps.\n\nWith no command, opens the app on the bundled 泾县 sample map."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open a project in the app: a .gpkg file, or a database project's URL
    /// (postgres://USER@HOST:PORT/DB?schema=NAME; the password from PGPASSWORD, ~/.pgpass or the prompt)
    Open { path: PathBuf },
    /// Show the layers, CRS, feature counts and extent of a project or any supported file
    Info {
        path: PathBuf,
        /// Layer of a multi-layer GeoPackage
        #[arg(long)]
        layer: Option<String>,
        #[command(flatten)]
        lang: LangArg,
    },
    /// Import a GeoJSON, Shapefile, GeoPackage layer or CSV into a project (created if missing)
    Import {
        /// Source file: .geojson/.json, .shp, .gpkg, .csv
        src: PathBuf,
        /// Project file to import into (created if missing), or a database project URL
        #[arg(long, value_name = "PROJECT.gpkg")]
        into: PathBuf,
        /// Which project layer the features become; `reference`: a reference layer of roads, rivers or
        /// buildings (lines or polygons), drawn under the grids and snapped to
        #[arg(long = "as", value_name = "boundary|divisions|grids|households|reference")]
        target: String,
        /// The source's CRS when the file does not say or says wrong: EPSG:n, wgs84, cgcs2000, gcj02, bd09
        #[arg(long)]
        crs: Option<String>,
        /// Map a model field to a source field, e.g. --map households=HU_SHU (repeatable)
        #[arg(long = "map", value_name = "model_field=source_field")]
        map: Vec<String>,
        /// Layer of a multi-layer GeoPackage
        #[arg(long)]
        layer: Option<String>,
        /// CRS of a new project (default: the source's projected CRS, else the CGCS2000 3° Gauss-Krüger zone)
        #[arg(long, value_name = "EPSG:n")]
        project_crs: Option<String>,
        /// Name of a new project (default: the file name); with --as reference, the reference layer's
        /// name, e.g. 道路 (default: the source file's name)
        #[arg(long)]
        name: Option<String>,
        /// With --as reference: the field that names each feature (default: name, 名称, 道路名称 …)
        #[arg(long, value_name = "FIELD")]
        name_field: Option<String>,
        /// Replace what the project has: its boundary, or the divisions under the codes the file has too
        /// (without it, such an import is refused and the project is left as it was)
        #[arg(long)]
        replace: bool,
        /// Import coordinates that lie far outside where the project's CRS can be used
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        lang: LangArg,
    },
    /// Check that the grids partition the area: validity, overlaps, gaps, outside, edge matching
    ///
    /// Exit status: 0 when clean, 1 when anything was found, 2 when the input cannot be read.
    Check {
        /// A project (.gpkg) or any polygon file of grids (.geojson, .shp, .gpkg)
        path: PathBuf,
        /// Boundary to cover (default: the project's boundary layer)
        #[arg(long, value_name = "FILE")]
        boundary: Option<PathBuf>,
        /// Report nearly parallel edges closer than this (metres, or input units with --planar)
        #[arg(long = "gap-width", default_value_t = 0.0, value_name = "W")]
        gap_width_m: f64,
        /// Snap coordinates to this grid before comparing (default 1 mm, 1e-8°; 0 = exact)
        #[arg(long, value_name = "P")]
        precision: Option<f64>,
        /// Treat coordinates as plain planar numbers (data with no CRS); exact unless --precision
        #[arg(long)]
        planar: bool,
        /// Print one JSON object instead of the summary
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        lang: LangArg,
    },
    /// List the fixes for a project's coverage findings, or apply the unambiguous ones
    ///
    /// Safe fixes: clip grids to the boundary, insert missing shared vertices, join slivers under 1 m
    /// wide to the neighbour with the longest border, rebuild an invalid grid when one polygon results.
    /// Exit status: 0 when the project is clean afterwards, 1 when findings remain, 2 on errors.
    Fix {
        project: PathBuf,
        /// Apply every safe fix and save the project (one transaction)
        #[arg(long)]
        all_safe: bool,
        #[command(flatten)]
        lang: LangArg,
    },
    /// Give every grid a code by the project's rule (default {village12}{seq:3}); prints old → new
    ///
    /// Grids are numbered inside their village, rows north → south and west → east in a row, on the
    /// ground (true north, whatever the CRS); a row is the grids whose north–south extents overlap.
    /// 专属网格 take the reserved top range (801–999). Valid codes are kept unless --renumber.
    Code {
        project: PathBuf,
        /// Code template: {village12} {town9} {county6} {kind} {seq:N} and digits/letters; saved in the project
        #[arg(long, value_name = "TEMPLATE")]
        rule: Option<String>,
        /// Renumber every grid, not only new or invalid codes
        #[arg(long)]
        renumber: bool,
        /// Fixed rows of this height (CRS units, metres in projected CRSs) from the northmost grid instead
        /// of rows by overlap; saved
        #[arg(long, value_name = "M")]
        row_height: Option<f64>,
        /// Show the changes without saving
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        lang: LangArg,
    },
    /// Per grid: code, name, village, area, households, population, 四至; band and code warnings
    Stats {
        project: PathBuf,
        #[arg(long)]
        json: bool,
        /// Also write the grid table with Chinese headers: .xlsx, or .csv (UTF-8 with BOM)
        #[arg(long, value_name = "OUT.xlsx|OUT.csv")]
        table: Option<PathBuf>,
        #[command(flatten)]
        lang: LangArg,
    },
    /// Print grid maps: the overview (default), the atlas (one sheet per grid), the grid table
    Print {
        project: PathBuf,
        /// Output: .pdf (one document), .png or .svg (one file per page, numbered when several)
        #[arg(long, value_name = "FILE.pdf|.png|.svg")]
        out: PathBuf,
        /// The atlas: an index and one page per grid, ordered by code
        #[arg(long)]
        atlas: bool,
        /// The grid table
        #[arg(long)]
        table: bool,
        /// The overview map too, when --atlas or --table is given (it is the default otherwise)
        #[arg(long)]
        overview: bool,
        #[arg(long, default_value = "A4", value_name = "A4|A3|A2")]
        paper: String,
        #[arg(long)]
        landscape: bool,
        /// Resolution of PNG output
        #[arg(long, default_value_t = 150.0, value_name = "N")]
        dpi: f64,
        /// Title of the overview (default: by the printed range, 泾县网格划分图 or with --township 泾县泾川镇网格划分图)
        #[arg(long)]
        title: Option<String>,
        /// Who compiled the map (编制单位)
        #[arg(long, default_value = "", value_name = "NAME")]
        compiled_by: String,
        /// Date printed on the pages (default: today), YYYY-MM-DD
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// Only this township's grids (its 9-digit code or its name): the township's own maps
        #[arg(long, value_name = "CODE|NAME")]
        township: Option<String>,
        /// Print a basemap of the project under the grids: NAME, or without it the first (bottom) one
        #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "")]
        basemap: Option<String>,
        /// With --basemap: tiles from the cache and MBTiles files only, never the network
        #[arg(long, requires = "basemap")]
        offline: bool,
        /// With --basemap: wait at most this long for all the tiles (missing ones are left blank and named)
        #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
        basemap_timeout: f64,
        /// Leave this reference layer (roads, rivers …) off the maps; repeatable. The others are printed
        #[arg(long = "hide-reference", value_name = "NAME")]
        hide_reference: Vec<String>,
        #[command(flatten)]
        lang: LangArg,
    },
    /// Export a layer of a project to .gpkg (whole project), .geojson, .shp or .csv
    Export {
        project: PathBuf,
        #[arg(long, value_name = "OUT")]
        to: PathBuf,
        #[arg(long, default_value = "grids", value_name = "grids|boundary|divisions|households")]
        layer: String,
        /// Text encoding of Shapefile attributes
        #[arg(long, default_value = "utf-8", value_name = "utf-8|gbk")]
        encoding: String,
        #[command(flatten)]
        lang: LangArg,
    },
    /// The basemaps drawn under the grids: list, add (XYZ/TMS URL, 天地图, MBTiles), remove
    Basemap(basemap::BasemapArgs),
    /// Propose the grids of villages from their households, along reference lines, and apply them
    ///
    /// Every grid inside one village, households within the band (default by the village's class:
    /// settings households.urban / households.rural), boundaries along the --along layers, codes by the
    /// project's rule; one undoable step, saved. Exit status: 0 done, 2 on bad input.
    Partition(partition::PartitionArgs),
    /// A project in a PostGIS database: init (from a .gpkg), upgrade, log (the edit history), restore, grant
    ///
    /// A database project is named by postgres://USER@HOST:PORT/DB?schema=NAME wherever a .gpkg is
    /// taken (info, check, export, print, stats); the password comes from PGPASSWORD or ~/.pgpass.
    Db(db::DbArgs),
}

/// `--lang zh|en`, which every command but `open` takes: the language of its messages and errors.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct LangArg {
    /// Language of the messages: zh or en (default: the UI language)
    #[arg(long = "lang", value_parser = check::parse_lang)]
    lang: Option<Lang>,
}

impl LangArg {
    /// The `--lang` given, else the UI language.
    pub fn get(self) -> Lang {
        self.lang.unwrap_or_else(|| Settings::load().lang)
    }
}

impl Command {
    /// The language the command speaks, errors included: its `--lang`, else the UI language.
    fn lang(&self) -> Lang {
        match self {
            Command::Open { .. } => Settings::load().lang,
            Command::Info { lang, .. }
            | Command::Import { lang, .. }
            | Command::Check { lang, .. }
            | Command::Fix { lang, .. }
            | Command::Code { lang, .. }
            | Command::Stats { lang, .. }
            | Command::Print { lang, .. }
            | Command::Export { lang, .. }
            | Command::Partition(partition::PartitionArgs { lang, .. }) => lang.get(),
            Command::Basemap(args) => args.lang.unwrap_or_else(|| Settings::load().lang),
            Command::Db(args) => args.lang(),
        }
    }
}

/// Opens the window on a project file, or on the bundled sample: the app's entry point, handed in by
/// `main` so that the command line knows nothing of the GUI.
pub type OpenWindow = fn(Option<PathBuf>) -> anyhow::Result<()>;

/// Parses the command line and runs it; `wangge` alone and `wangge open` call `open_window`.
pub fn main(open_window: OpenWindow) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors.
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    guard::install_quiet_hook();
    // Errors speak the run's language too: the command's --lang, else the UI language.
    let lang = cli.command.as_ref().map_or_else(|| Settings::load().lang, Command::lang);
    guard::guarded(
        || match run(cli, open_window) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("wangge: {}", crate::text::io_errors::error_chain_text(&e, lang));
                ExitCode::from(2)
            }
        },
        &mut std::io::stderr(),
    )
}

fn run(cli: Cli, open_window: OpenWindow) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => open_window(None).map(|()| ExitCode::SUCCESS),
        Some(Command::Open { path }) => open_window(Some(path)).map(|()| ExitCode::SUCCESS),
        Some(Command::Info { path, layer, lang }) => {
            let lang = lang.get();
            print!("{}", info(&path, layer.as_deref(), lang)?);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import {
            src,
            into,
            target,
            crs,
            map,
            layer,
            project_crs,
            name,
            name_field,
            replace,
            force,
            lang,
        }) => {
            let lang = lang.get();
            if target == "reference" {
                let mut field_map = parse_map_args(&map)?;
                if let Some(field) = name_field {
                    field_map.insert("name".into(), field);
                }
                let options = ImportOptions {
                    crs_override: crs.as_deref().map(parse_crs_arg).transpose()?,
                    field_map,
                    layer,
                    replace,
                    force,
                };
                let summary = import_reference(&src, &into, name, &options, project_crs.as_deref(), lang)?;
                eprintln!("{summary}");
                return Ok(ExitCode::SUCCESS);
            }
            anyhow::ensure!(
                name_field.is_none(),
                "{}",
                say!(lang, "--name-field 只用于 --as reference", "--name-field is only for --as reference")
            );
            let target = Target::parse(&target).with_context(|| match lang {
                Lang::Zh => format!("--as {target}：请选择 boundary、divisions、grids、households 或 reference"),
                Lang::En => format!("--as {target}: choose boundary, divisions, grids, households or reference"),
            })?;
            let options = ImportOptions {
                crs_override: crs.as_deref().map(parse_crs_arg).transpose()?,
                field_map: parse_map_args(&map)?,
                layer,
                replace,
                force,
            };
            let summary = import_file(&src, &into, target, &options, project_crs.as_deref(), name, lang)?;
            eprintln!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export { project, to, layer, encoding, lang }) => {
            let lang = lang.get();
            let layer = Layer::parse(&layer).with_context(|| {
                say!(
                    lang,
                    "--layer {}：请选择 grids、boundary、divisions 或 households",
                    "--layer {}: choose grids, boundary, divisions or households",
                    layer
                )
            })?;
            let encoding = match encoding.to_ascii_lowercase().as_str() {
                "utf-8" | "utf8" => encoding_rs::UTF_8,
                "gbk" | "cp936" | "936" => encoding_rs::GBK,
                other => bail!(
                    "{}",
                    say!(lang, "--encoding {}：请选择 utf-8 或 gbk", "--encoding {}: choose utf-8 or gbk", other)
                ),
            };
            let bar = Bar::new(lang);
            let n = export_file(&project, layer, &to, encoding, &bar)?;
            drop(bar);
            eprintln!("{}", say!(lang, "已写出 {} 个要素：{}", "wrote {} features to {}", n, to.display()));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Basemap(args)) => {
            print!("{}", basemap::run(args)?);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Db(args)) => {
            let (out, code) = db::run(args)?;
            print!("{out}");
            Ok(ExitCode::from(code))
        }
        Some(Command::Partition(args)) => {
            print!("{}", partition::run_partition(args)?);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Code { project, rule, renumber, row_height, dry_run, lang }) => {
            print!("{}", codes::run_code(&project, rule.as_deref(), renumber, row_height, dry_run, lang.get())?);
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Print {
            project,
            out,
            atlas,
            table,
            overview,
            paper,
            landscape,
            dpi,
            title,
            compiled_by,
            date,
            township,
            basemap,
            offline,
            basemap_timeout,
            hide_reference,
            lang,
        }) => {
            let lang = lang.get();
            let basemap = match basemap {
                Some(name) => Some(basemap::print_source(&project, &name, offline, basemap_timeout, lang)?),
                None => None,
            };
            let paper = crate::print::Paper::parse(&paper)
                .with_context(|| say!(lang, "--paper {}：请用 A4、A3 或 A2", "--paper {}: use A4, A3 or A2", paper))?;
            let dpi_ok = dpi.is_finite() && (30.0..=1200.0).contains(&dpi);
            anyhow::ensure!(
                dpi_ok,
                "{}",
                say!(lang, "--dpi 必须在 30 到 1200 之间", "--dpi must be between 30 and 1200")
            );
            let bar = Bar::new(lang);
            let project = open_project_with(&project, &bar)?;
            let township = match township {
                Some(t) => Some(crate::print::find_township(&project, &t).with_context(|| {
                    say!(
                        lang,
                        "--township {}：项目的行政区划中没有这个乡镇",
                        "--township {}: no such township in the project's divisions",
                        t
                    )
                })?),
                None => None,
            };
            if let Some(unknown) = hide_reference.iter().find(|n| project.reference_layer(n).is_none()) {
                anyhow::bail!(
                    "{}",
                    say!(
                        lang,
                        "--hide-reference {}：项目中没有这个参考图层",
                        "--hide-reference {}: the project has no reference layer of that name",
                        unknown
                    )
                );
            }
            let options = crate::print::PrintOptions {
                hidden_references: hide_reference.into_iter().collect(),
                township,
                paper,
                landscape,
                title,
                compiled_by,
                date: date.unwrap_or_else(crate::print::today),
                dpi,
                products: crate::print::Products { overview: overview || !(atlas || table), atlas, table },
                basemap: basemap.as_ref().map(|b| b.source.name.clone()),
            };
            let started = std::time::Instant::now();
            bar.begin(Stage::Printing, 0);
            let (written, report) = crate::print::write_with_basemap(
                &project,
                &options,
                &out,
                &crate::core::progress::NoProgress,
                basemap.as_ref(),
            )
            .map_err(|e| match e {
                // In the run's language.
                crate::print::PrintError::Basemap(source) => anyhow::Error::from(source),
                other => anyhow::Error::from(other),
            })?;
            drop(bar);
            if let (Some(report), Some(b)) = (&report, &basemap)
                && let Some(warning) = basemap::print_warning(b, report, lang)
            {
                eprintln!("{warning}");
            }
            let first = written.first().map(|p| p.display().to_string()).unwrap_or_default();
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{}",
                match written.len() {
                    1 => say!(lang, "已打印 {}，用时 {:.1} 秒", "printed {} in {:.1} s", first, seconds),
                    n => say!(
                        lang,
                        "已打印 {} 个文件（第一个：{}），用时 {:.1} 秒",
                        "printed {} files, from {}, in {:.1} s",
                        n,
                        first,
                        seconds
                    ),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Stats { project, json, table, lang }) => {
            let lang = lang.get();
            let mut notes = Vec::new();
            println!("{}", codes::run_stats(&project, json, table.as_deref(), lang, &mut notes)?);
            for note in notes {
                eprintln!("{note}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Fix { project, all_safe, lang }) => {
            let (text, ok) = fix::run_fix(&project, all_safe, lang.get())?;
            print!("{text}");
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Some(Command::Check { path, boundary, gap_width_m, precision, planar, json, lang }) => {
            let boundary = boundary.as_deref();
            let args =
                check::CheckArgs { path: &path, boundary, gap_width_m, precision, planar, json, lang: lang.get() };
            let (text, ok) = check::run_check(&args)?;
            println!("{text}");
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

/// A human-readable description of a project or of any supported file.
pub fn info(path: &Path, layer: Option<&str>, lang: Lang) -> anyhow::Result<String> {
    let is_gpkg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gpkg"));
    if is_gpkg || crate::io::postgis::is_db_path(path) {
        // Counts, areas and extent from the file's stored columns: no grid shape is decoded.
        match crate::io::location::open_project_facts(path) {
            Ok((project, grids)) => return Ok(project_info(&project, &grids, path, lang)),
            // A project that cannot be read says why; any other GeoPackage is listed below.
            Err(e) if !matches!(*e.problem, crate::io::Problem::NotAProject(_)) => return Err(e.into()),
            Err(_) => {}
        }
    }
    let zh = lang == Lang::Zh;
    if is_gpkg && layer.is_none() {
        let mut out = format!("{}: GeoPackage\n", path.display());
        for l in gpkg::list_layers(path)? {
            out += &if zh {
                format!("  图层 {}：{} 个 {} 要素，srs_id {}\n", l.name, l.features, l.geometry_type, l.srs_id)
            } else {
                format!("  layer {}: {} {} features, srs_id {}\n", l.name, l.features, l.geometry_type, l.srs_id)
            };
        }
        return Ok(out);
    }
    let (source, scan) = scan_source(path, layer, &NoProgress)?;
    let crs = source.crs.as_ref().map_or_else(
        || pick(lang, "未知（导入时用 --crs 指定）", "unknown (give --crs when importing)").to_string(),
        SourceCrs::label,
    );
    let n = scan.features;
    let mut out = if zh {
        format!("{}：图层 {}\n  坐标系：{crs}\n  要素：{n}\n", path.display(), source.layer)
    } else {
        format!("{}: layer {}\n  CRS: {crs}\n  features: {n}\n", path.display(), source.layer)
    };
    if let Some(r) = scan.extent {
        out += &format!("  {}{}\n", pick(lang, "范围：", "extent: "), rect_text(r, 6));
    }
    let fields = scan.names.join(", ");
    out += &format!("  {}{fields}\n", pick(lang, "字段：", "fields: "));
    Ok(out)
}

fn project_info(project: &Project, grids: &crate::io::gpkg::GridFacts, path: &Path, lang: Lang) -> String {
    let header = say!(lang, "{}：Wangge 项目\n", "{}: Wangge project\n", path.display());
    let lines = summary_with(project, grids, lang);
    header + &lines.lines().map(|l| format!("  {l}\n")).collect::<String>()
}
