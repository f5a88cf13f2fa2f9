//! The words of the basemaps (issue 14): the layers panel's basemap section, and why tiles could not be
//! had, said once in the status bar. Nothing here ever includes the 天地图 key.

use crate::io::tiles::TileError;
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
        TileError::UnsupportedFormat(f) => format!("暂不支持 {f} 瓦片（支持 PNG 和 JPEG）"),
        TileError::NotCached => "离线工作，缓存中没有这个瓦片".to_string(),
        TileError::Mbtiles { path, reason } => format!("{path}：{reason}"),
        TileError::Cache { path, reason } => format!("瓦片缓存 {path}：{reason}"),
        TileError::Source(e) => e.to_string(),
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
