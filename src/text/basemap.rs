//! The words of the basemaps (issue 14): the layers panel's basemap section, and why tiles could not be
//! had, said once in the status bar. Nothing here ever includes the 天地图 key.

use crate::io::tiles::geotiff::{GeoTiffError, GeoTiffProblem, Unsupported};
use crate::io::tiles::{MbtilesProblem, TileError};
use crate::text::{Lang, say};

pub fn section_title(lang: Lang) -> String {
    say!(lang, "底图", "Basemaps")
}

pub fn opacity(lang: Lang) -> String {
    say!(lang, "不透明度", "Opacity")
}

pub fn tianditu_key(lang: Lang) -> String {
    say!(lang, "天地图密钥 (tk)", "天地图 key (tk)")
}

pub fn tianditu_key_hint(lang: Lang) -> String {
    say!(
        lang,
        "保存在本机的设置文件中，不写入项目文件。在 https://console.tianditu.gov.cn 申请。",
        "Kept in this computer's settings file, never in the project. Get one at https://console.tianditu.gov.cn."
    )
}

/// The settings file could not be written: the key holds for this run only.
pub fn key_not_saved(reason: &str, lang: Lang) -> String {
    say!(
        lang,
        "无法保存天地图密钥（本次运行仍有效）：{}",
        "cannot save the 天地图 key (it holds for this run): {}",
        reason
    )
}

/// The layers panel's form for adding a basemap.
pub fn add_title(lang: Lang) -> String {
    say!(lang, "添加底图", "Add basemap")
}

pub fn kind_label(lang: Lang) -> String {
    say!(lang, "类型", "Kind")
}

pub fn add_button(lang: Lang) -> String {
    say!(lang, "添加", "Add")
}

pub fn name_label(lang: Lang) -> String {
    say!(lang, "名称", "Name")
}

/// The name a kind of basemap gets when the form's name is left empty.
pub fn kind_name(kind: crate::core::basemap::NewKind, lang: Lang) -> String {
    use crate::core::basemap::NewKind;
    match kind {
        NewKind::TiandituImg => say!(lang, "天地图影像", "天地图 imagery"),
        NewKind::TiandituVec => say!(lang, "天地图矢量", "天地图 vector"),
        NewKind::TiandituTer => say!(lang, "天地图地形", "天地图 terrain"),
        NewKind::Osm => "OpenStreetMap".to_string(),
        NewKind::Xyz => say!(lang, "XYZ 瓦片地址", "XYZ tile URL"),
        NewKind::Mbtiles => say!(lang, "MBTiles 文件", "MBTiles file"),
        NewKind::GeoTiff => say!(lang, "GeoTIFF 影像", "GeoTIFF image"),
    }
}

/// The label of the form's second field.
pub fn text_label(kind: crate::core::basemap::NewKind, lang: Lang) -> String {
    if kind == crate::core::basemap::NewKind::Xyz {
        crate::text::pick(lang, "地址模板（{z} {x} {y}，可含 {s}）", "URL template ({z} {x} {y}, may have {s})")
            .to_string()
    } else {
        say!(lang, "文件（相对项目文件夹或绝对路径）", "File (relative to the project's folder, or absolute)")
    }
}

pub fn remove(name: &str, lang: Lang) -> String {
    say!(lang, "删除底图 {}", "Remove basemap {}", name)
}

pub fn added(names: &[String], lang: Lang) -> String {
    say!(lang, "已添加底图 {}", "Added basemap {}", names.join("、"))
}

pub fn removed(name: &str, lang: Lang) -> String {
    say!(lang, "已删除底图 {}", "Removed basemap {}", name)
}

/// Basemaps are kept in the project's file, which an unsaved project does not have yet.
pub fn save_first(lang: Lang) -> String {
    say!(lang, "底图保存在项目文件中：请先保存项目", "basemaps are kept in the project's file: save the project first")
}

pub fn file_changed(lang: Lang) -> String {
    say!(
        lang,
        "项目文件已被其他程序修改：请先重新打开或另存，再添加或删除底图",
        "the project's file was changed by another program: reopen it or save it as another file first"
    )
}

/// View menu: the switch to work without the network.
pub fn offline_menu(lang: Lang) -> String {
    say!(lang, "离线工作（底图只用缓存和本地文件）", "Work offline (basemaps from the cache and local files only)")
}

/// Said in the status bar when the switch is turned.
pub fn offline_said(offline: bool, lang: Lang) -> String {
    if offline {
        say!(
            lang,
            "离线工作：底图只用缓存和本地文件，不再连网",
            "Working offline: basemaps from the cache and local files, no network"
        )
    } else {
        say!(
            lang,
            "在线工作：缺少的底图瓦片将从网络获取",
            "Working online: missing basemap tiles come from the network"
        )
    }
}

/// The project's basemaps could not be read (the map is drawn without them).
pub fn unreadable(reason: &str, lang: Lang) -> String {
    say!(lang, "无法读取项目的底图：{}", "cannot read the project's basemaps: {}", reason)
}

/// Why the tiles of basemap `name` could not be had.
pub fn tile_error(name: &str, e: &TileError, lang: Lang) -> String {
    if lang == Lang::En {
        return format!("Basemap {name}: {e}");
    }
    format!("底图 {name}：{}", tile_error_reason(e, lang))
}

/// Why a tile could not be had, without the basemap's name.
pub fn tile_error_reason(e: &TileError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        TileError::MissingKey => {
            "天地图需要密钥 (tk)：请在 https://console.tianditu.gov.cn 申请，并填入图层面板“底图”一节".to_string()
        }
        TileError::KeyRefused(code) => format!(
            "天地图拒绝了密钥（{code}）：请检查密钥，以及它是否为允许此用途的浏览器端/服务端密钥（https://console.tianditu.gov.cn）"
        ),
        TileError::NotFound(what) => format!("服务器上没有这个瓦片 (HTTP 404)：{what}"),
        TileError::Timeout(after, url) => format!("瓦片服务器在 {after:.0?} 内没有应答：{url}"),
        TileError::Unreachable { url, reason } => format!("无法连接瓦片服务器（{reason}）：{url}"),
        TileError::Http { status, url } => format!("瓦片服务器返回 HTTP {status}：{url}"),
        TileError::BadImage(why) => format!("不是瓦片图像：{why}"),
        TileError::UnsupportedFormat(f) => format!("不支持 {f} 瓦片（支持 PNG、JPEG、WebP 栅格瓦片，不支持矢量瓦片）"),
        TileError::NotCached => "离线工作，缓存中没有这个瓦片".to_string(),
        TileError::Mbtiles { path, problem } => {
            let why = match problem {
                MbtilesProblem::NoSuchFile => "没有这个文件".to_string(),
                MbtilesProblem::NotOpen => "文件未能打开".to_string(),
                MbtilesProblem::NoTilesTable => "不是 MBTiles 文件：没有 tiles 表".to_string(),
                MbtilesProblem::Unreadable(sqlite) => format!("无法作为 MBTiles 文件读取（{sqlite}）"),
            };
            format!("{path}：{why}")
        }
        TileError::Cache { path, reason } => format!("瓦片缓存 {path}：{reason}"),
        TileError::Source(e) => e.to_string(),
        TileError::GeoTiff(e) => geotiff_error(e, lang),
    }
}

/// A print's basemap lacked `count` tiles (`list` a few of them as z/x/y): left blank, or filled from a
/// coarser tile; `why` the first reason, `deadline_s` the deadline when it passed.
pub fn print_missing_tiles(
    name: &str,
    count: usize,
    list: &str,
    why: Option<&TileError>,
    deadline_s: Option<f64>,
    lang: Lang,
) -> String {
    let mut text = say!(
        lang,
        "警告：底图 {} 有 {} 个瓦片无法获取，打印时留空（或以上一级瓦片填充）：{}",
        "warning: basemap {}: {} tiles could not be had and were left blank (or filled from a coarser tile): {}",
        name,
        count,
        list
    );
    if let Some(e) = why {
        text += &say!(lang, "（原因：{}）", " (because: {})", tile_error_reason(e, lang));
    }
    if let Some(s) = deadline_s {
        text += &say!(lang, "；已到 {:.0} 秒的时限", "; the {:.0} s deadline passed", s);
    }
    text
}

/// The project has no basemap to print (none, or none of that name).
pub fn no_such_basemap(name: Option<&str>, names: &[String], lang: Lang) -> String {
    match name {
        None => say!(
            lang,
            "项目没有底图：先用 wangge basemap 项目.gpkg add 添加",
            "the project has no basemap: add one with wangge basemap PROJECT.gpkg add"
        ),
        Some(n) => say!(
            lang,
            "--basemap {}：项目中没有这个底图（有：{}）",
            "--basemap {}: the project has no such basemap (it has: {})",
            n,
            if names.is_empty() { "—".to_string() } else { names.join("、") }
        ),
    }
}

/// Why a GeoTIFF cannot be a basemap, naming the file.
pub fn geotiff_error(e: &GeoTiffError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    let why = match &e.problem {
        GeoTiffProblem::Read(r) => format!("无法读取文件（{r}）"),
        GeoTiffProblem::NotTiff(r) => format!("不是 TIFF 文件（{r}）"),
        GeoTiffProblem::Damaged(r) => format!("TIFF 文件已损坏（{r}）"),
        GeoTiffProblem::Unsupported(u) => format!("不支持：{}", unsupported(u)),
        GeoTiffProblem::NoGeoreference => {
            "没有地理参考：既没有 GeoTIFF 标签（ModelTiepoint 与 ModelPixelScale，或 ModelTransformation），旁边也没有世界文件 (.tfw)".into()
        }
        GeoTiffProblem::DegenerateTransform => "地理参考无效（像元大小为零或不是数字）".into(),
        GeoTiffProblem::NoCrs => "没有坐标系：GeoKeys 中没有 EPSG 代码，旁边也没有 .prj 文件".into(),
        GeoTiffProblem::UserDefinedCrs => "GeoKeys 中是自定义坐标系：请在旁边放一个同名的 .prj 文件".into(),
        GeoTiffProblem::UnknownCrs(code) => format!("坐标系 EPSG:{code} 不是 Wangge 支持的坐标系"),
        GeoTiffProblem::NotOnEarth(r) => format!("无法把影像放到地球上（{r}）"),
        GeoTiffProblem::BadWorldFile { file, reason } => format!("世界文件 {file}：{reason}"),
        GeoTiffProblem::BadPrj { file, reason } => format!(".prj 文件 {file}：{reason}"),
    };
    format!("{}：{why}", e.path)
}

fn unsupported(u: &Unsupported) -> String {
    match u {
        Unsupported::Palette => "调色板（索引）颜色；请用 gdal_translate -expand rgb 转换".into(),
        Unsupported::BitDepth(bits) => {
            format!("{bits} 位样本（支持 8 位灰度、RGB、RGBA）；请用 gdal_translate -ot Byte -scale 转换")
        }
        Unsupported::SampleFormat(f) => format!("{f} 样本（支持 8 位无符号整数）"),
        Unsupported::Colour(c) => format!("{c} 颜色（支持灰度、RGB、RGBA 和 JPEG YCbCr）"),
        Unsupported::Compression(c) => format!("{c} 压缩（支持无压缩、LZW、Deflate、PackBits 和 JPEG）"),
        Unsupported::Planar => {
            "分平面存储的颜色 (PlanarConfiguration 2)；请用 gdal_translate -co INTERLEAVE=PIXEL 重写".into()
        }
        Unsupported::ChunkTooLarge { mib, max_mib } => {
            format!("条带或瓦块达 {mib} MiB（至多 {max_mib} MiB）；请用 gdal_translate -co TILED=YES 分块")
        }
        Unsupported::Other(o) => o.clone(),
    }
}

/// What `wangge basemap add --geotiff` found in the file, and a warning when it will be slow.
pub fn geotiff_added(info: &crate::io::tiles::GeoTiffInfo, lang: Lang) -> String {
    let overviews = info.levels.len().saturating_sub(1);
    let layout = match (info.tiled, lang) {
        (true, Lang::Zh) => "分块",
        (false, Lang::Zh) => "条带",
        (true, Lang::En) => "tiled",
        (false, Lang::En) => "in strips",
    };
    let mut out = say!(
        lang,
        "{} × {} 像元，{}，{} 级金字塔，{}，像元 {:.2} 米，缩放级别 {}–{}\n",
        "{} × {} pixels, {}, {} overviews, {}, {:.2} m pixels, zooms {}–{}\n",
        info.width,
        info.height,
        layout,
        overviews,
        info.crs.auth_id(),
        info.pixel_size_m,
        info.min_zoom,
        info.max_zoom
    );
    if overviews == 0 && u64::from(info.width) * u64::from(info.height) > crate::io::tiles::geotiff::SMALL_IMAGE_PX {
        out += &say!(
            lang,
            "注意：影像没有金字塔，只在放大到 {} 级以上时显示，且较慢；请先运行 gdaladdo -r average 文件 2 4 8 16 32（分块更好：gdal_translate -co TILED=YES）\n",
            "note: the image has no overviews, so it shows only from zoom {} in, and slowly; run gdaladdo -r average FILE 2 4 8 16 32 first (tiled is better still: gdal_translate -co TILED=YES)\n",
            info.min_zoom
        );
    }
    out
}
