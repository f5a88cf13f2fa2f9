//! `wangge basemap P.gpkg list | add NAME --xyz URL | add NAME --tianditu img|vec|ter | add NAME --mbtiles F
//! | add NAME --geotiff F | remove NAME`: the basemaps a project draws under its grids (issue 14). The 天地图 key is the user's and
//! never goes into the project: a `tk=` in a pasted URL is taken out (and the user told so).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::core::basemap::{BasemapSource, SourceKind, TiandituLayer, strip_key};
use crate::io::gpkg::{add_basemap, list_basemaps, remove_basemap};
use crate::io::tiles::{TileCache, geotiff_source, mbtiles_source};
use crate::print::{BasemapPrint, BasemapReport};
use crate::text::{Lang, Settings, say};

#[derive(Args, Debug)]
pub struct BasemapArgs {
    /// The project (.gpkg)
    pub project: PathBuf,
    #[command(subcommand)]
    pub action: BasemapAction,
    /// Language of the messages: zh or en (default: the UI language)
    #[arg(long, global = true, value_parser = super::check::parse_lang)]
    pub lang: Option<Lang>,
}

#[derive(Subcommand, Debug)]
// Parsed once per run: the size of `Add` costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub enum BasemapAction {
    /// The project's basemaps, bottom first
    List,
    /// Add a basemap on top of the others (exactly one of --xyz, --wmts, --tianditu, --osm, --mbtiles, --geotiff)
    Add {
        name: String,
        /// An XYZ/TMS URL template: {z} {x} {y} (or {-y} for TMS rows), {s} for a, b, c
        #[arg(long, value_name = "URL", group = "kind")]
        xyz: Option<String>,
        /// A WMTS server's KVP GetTile endpoint, with --layer and --matrix-set (a Web-Mercator matrix set
        /// whose matrices are named by zoom, after --matrix-prefix)
        #[arg(long, value_name = "URL", group = "kind", requires_all = ["layer", "matrix_set"])]
        wmts: Option<String>,
        /// With --wmts: the layer
        #[arg(long, value_name = "L", requires = "wmts")]
        layer: Option<String>,
        /// With --wmts: the tile matrix set (e.g. GoogleMapsCompatible, w)
        #[arg(long, value_name = "S", requires = "wmts")]
        matrix_set: Option<String>,
        /// With --wmts: the image format asked for
        #[arg(long, value_name = "MIME", default_value = "image/png")]
        format: String,
        /// With --wmts: the style
        #[arg(long, value_name = "STYLE", default_value = "default")]
        style: String,
        /// With --wmts: what comes before the zoom in a tile matrix's name (e.g. "EPSG:3857:")
        #[arg(long, value_name = "P", default_value = "")]
        matrix_prefix: String,
        /// A 天地图 layer (the key comes from the settings, never from the project)
        #[arg(long, value_name = "img|vec|ter|cia|cva|cta", group = "kind")]
        tianditu: Option<String>,
        /// OpenStreetMap's standard tiles (attribution shown; no bulk or offline prefetch, by its policy)
        #[arg(long, group = "kind")]
        osm: bool,
        /// An MBTiles file (stored relative to the project where it can be)
        #[arg(long, value_name = "FILE", group = "kind")]
        mbtiles: Option<PathBuf>,
        /// A GeoTIFF orthophoto in any CRS Wangge knows (georeferenced by its tags, or a .tfw and .prj
        /// beside it); checked now, stored relative to the project where it can be
        #[arg(long, value_name = "FILE", group = "kind")]
        geotiff: Option<PathBuf>,
        /// With --xyz: what {s} stands for, one character each ("1234") or comma-separated (default a,b,c)
        #[arg(long, value_name = "LIST")]
        subdomains: Option<String>,
        /// With --tianditu: add its labels layer (注记) on top too, named NAME注记
        #[arg(long)]
        labels: bool,
        /// The tiles are in GCJ-02 (Amap, Tencent): shift them onto WGS84
        #[arg(long)]
        gcj02: bool,
        /// Attribution shown on the map and printed (default: the source's own)
        #[arg(long)]
        attribution: Option<String>,
        /// Replace a basemap of the same name
        #[arg(long)]
        replace: bool,
    },
    /// Remove a basemap
    Remove { name: String },
}

/// Runs `wangge basemap`; returns what to print on stdout.
pub fn run(args: BasemapArgs) -> anyhow::Result<String> {
    let lang = args.lang.unwrap_or_else(|| Settings::load().lang);
    let project = args.project.as_path();
    match args.action {
        BasemapAction::List => {
            let sources = list_basemaps(project)?;
            if sources.is_empty() {
                return Ok(say!(lang, "{}：没有底图\n", "{}: no basemaps\n", project.display()));
            }
            Ok(sources.iter().map(|s| format!("{}\n", describe(s))).collect())
        }
        BasemapAction::Add {
            name,
            xyz,
            wmts,
            layer,
            matrix_set,
            format,
            style,
            matrix_prefix,
            tianditu,
            osm,
            mbtiles,
            geotiff,
            subdomains,
            labels,
            gcj02,
            attribution,
            replace,
        } => {
            let mut notes = String::new();
            if let Some(file) =
                geotiff.filter(|_| xyz.is_none() && wmts.is_none() && tianditu.is_none() && mbtiles.is_none() && !osm)
            {
                let (source, info) = geotiff_source(&name, &file, project)?;
                let mut source = source;
                if let Some(a) = &attribution {
                    source.attribution = a.clone();
                }
                add_basemap(project, &source, replace)?;
                notes += &crate::text::basemap::geotiff_added(&info, lang);
                notes += &say!(lang, "已添加底图 {}\n", "added basemap {}\n", describe(&source));
                return Ok(notes);
            }
            let key_note = || {
                say!(
                    lang,
                    "URL 中的天地图密钥 (tk) 不存入项目：请在设置中填写\n",
                    "the 天地图 key (tk) in the URL is not stored in the project: set it in the settings\n"
                )
            };
            let mut sources = match (xyz, tianditu, mbtiles) {
                (None, None, None) if wmts.is_some() => {
                    let url = wmts.unwrap_or_default();
                    if strip_key(&url).1.is_some() {
                        notes += &key_note();
                    }
                    let http = url.trim().starts_with("http://") || url.trim().starts_with("https://");
                    if !http {
                        return Err(crate::core::basemap::SourceError::BadTemplate(url).into());
                    }
                    let mut source = BasemapSource::wmts(
                        &name,
                        &url,
                        layer.as_deref().unwrap_or_default(),
                        matrix_set.as_deref().unwrap_or_default(),
                        &format,
                    );
                    if let SourceKind::Wmts { style: s, matrix_prefix: p, .. } = &mut source.kind {
                        (*s, *p) = (style, matrix_prefix);
                    }
                    vec![source]
                }
                (None, None, None) if osm => {
                    vec![BasemapSource { name: name.clone(), ..BasemapSource::openstreetmap() }]
                }
                (Some(url), None, None) => {
                    if strip_key(&url).1.is_some() {
                        notes += &key_note();
                    }
                    let mut source = BasemapSource::xyz(&name, &url)?;
                    if let (Some(list), SourceKind::Xyz { subdomains: s, .. }) = (&subdomains, &mut source.kind) {
                        *s = if list.contains(',') {
                            list.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
                        } else {
                            list.chars().map(String::from).collect()
                        };
                    }
                    vec![source]
                }
                (None, Some(layer), None) => {
                    BasemapSource::tianditu_named(TiandituLayer::parse(&layer)?, &name, labels)
                }
                (None, None, Some(file)) => vec![mbtiles_source(&name, &file, project)?],
                _ => bail!(say!(
                    lang,
                    "请给出 --xyz、--wmts、--tianditu、--osm、--mbtiles 或 --geotiff 之一",
                    "give one of --xyz, --wmts, --tianditu, --osm, --mbtiles or --geotiff"
                )),
            };
            for s in &mut sources {
                s.gcj02 = gcj02;
                if let Some(a) = &attribution {
                    s.attribution = a.clone();
                }
            }
            for s in &sources {
                add_basemap(project, s, replace)?;
                notes += &say!(lang, "已添加底图 {}\n", "added basemap {}\n", describe(s));
            }
            Ok(notes)
        }
        BasemapAction::Remove { name } => {
            if !remove_basemap(project, &name)? {
                bail!(say!(lang, "{}：没有名为 {} 的底图", "{}: no basemap named {}", project.display(), name));
            }
            Ok(say!(lang, "已删除底图 {}\n", "removed basemap {}\n", name))
        }
    }
}

/// One line per source: name, kind and where, zooms, GCJ-02, attribution.
fn describe(s: &BasemapSource) -> String {
    let what = match &s.kind {
        SourceKind::Xyz { template, .. } => format!("xyz {template}"),
        SourceKind::Wmts { url, layer, matrix_set, .. } => format!("wmts {url} layer={layer} set={matrix_set}"),
        SourceKind::Tianditu(layer) => format!("tianditu {}", layer.code()),
        SourceKind::Mbtiles { path } => format!("mbtiles {path}"),
        SourceKind::GeoTiff { path } => format!("geotiff {path}"),
    };
    let mut line = format!("{}\t{what}\tz{}-{}", s.name, s.min_zoom, s.max_zoom);
    if s.gcj02 {
        line += "\tGCJ-02";
    }
    if !s.attribution.is_empty() {
        line += &format!("\t{}", s.attribution);
    }
    line
}

/// The basemap `wangge print --basemap NAME` prints (`name` empty: the project's first), with the user's
/// 天地图 key and tile cache, relative MBTiles paths taken from the project's folder.
pub fn print_source(
    project: &Path,
    name: &str,
    offline: bool,
    timeout_s: f64,
    lang: Lang,
) -> anyhow::Result<BasemapPrint> {
    anyhow::ensure!(
        timeout_s.is_finite() && timeout_s > 0.0 && timeout_s <= 3600.0,
        "{}",
        say!(lang, "--basemap-timeout 必须在 0 到 3600 秒之间", "--basemap-timeout must be between 0 and 3600 seconds")
    );
    let sources = list_basemaps(project)?;
    let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    let wanted = name.trim();
    let chosen =
        if wanted.is_empty() { sources.into_iter().next() } else { sources.into_iter().find(|s| s.name == wanted) };
    let source = chosen
        .with_context(|| crate::text::basemap::no_such_basemap((!wanted.is_empty()).then_some(wanted), &names, lang))?;
    let settings = Settings::load();
    let mut print = BasemapPrint::new(source);
    print.offline = offline;
    print.tianditu_key = settings.tianditu_key.clone();
    print.cache = TileCache::default_dir()
        .map(|dir| std::sync::Arc::new(TileCache::new(dir, 512 << 20, std::time::Duration::from_secs(30 * 86_400))));
    print.base_dir = project.parent().map(Path::to_path_buf);
    print.deadline = std::time::Duration::from_secs_f64(timeout_s);
    print.request_timeout = print.request_timeout.min(print.deadline);
    Ok(print)
}

/// The warning a print with a basemap leaves on stderr: the tiles it lacked, and why.
pub fn print_warning(basemap: &BasemapPrint, report: &BasemapReport, lang: Lang) -> Option<String> {
    if report.missing.is_empty() {
        return None;
    }
    Some(crate::text::basemap::print_missing_tiles(
        &basemap.source.name,
        report.missing.len(),
        &report.missing_list(12),
        report.first_error.as_ref(),
        report.deadline_passed.then_some(basemap.deadline.as_secs_f64()),
        lang,
    ))
}
