//! What went wrong with a file, in the UI language: the file, the feature (第 N 个要素 / feature N) and
//! the problem. The io ring says what it found as typed [`Problem`]s; the words are here, so that the
//! command line (`--lang`) and the window say the same thing in one language.
//!
//! English is the io types' own `Display` (one wording for logs and people); Chinese is written here.
//! What a library below us said (SQLite, the JSON parser, the operating system) is its own words, kept
//! after a sentence in the chosen language.

use crate::core::DivisionCodeError;
use crate::core::edit::EditError;
use crate::io::crs::CrsError;
use crate::io::dbf::DbfError;
use crate::io::fields::BadMapPair;
use crate::io::gpkg::blob::BlobError;
use crate::io::import::{Replaced, Target};
use crate::io::wkb::{MAX_DEPTH, WkbError};
use crate::io::{GeometryKind, IoError, NotAProject, Problem, ProjectKey, ShpDamage, Written, short_number};
use crate::text::Lang;
use crate::text::findings::invalid_reason_text;
use crate::text::layers::target_label;

/// An io error in words: "文件 a.geojson 第 3 个要素：…" / "a.geojson: feature 3: …".
pub fn io_error_text(e: &IoError, lang: Lang) -> String {
    let problem = problem_text(&e.problem, lang);
    let path = e.path.display();
    // A database project is named by its URL, which is not a file.
    let file = if crate::io::postgis::is_db_path(&e.path) { "" } else { "文件 " };
    match (lang, e.feature) {
        (Lang::Zh, Some(n)) => format!("{file}{path} 第 {n} 个要素：{problem}"),
        (Lang::Zh, None) => format!("{file}{path}：{problem}"),
        (Lang::En, Some(n)) => format!("{path}: feature {n}: {problem}"),
        (Lang::En, None) => format!("{path}: {problem}"),
    }
}

/// An error that went through anyhow, in words: every IoError or CrsError in its chain is said in
/// `lang`, the other context lines as they are, joined like `{e:#}`.
pub fn error_chain_text(e: &anyhow::Error, lang: Lang) -> String {
    let mut parts = Vec::new();
    for cause in e.chain() {
        if let Some(io) = cause.downcast_ref::<IoError>() {
            parts.push(io_error_text(io, lang));
            // The rest of the chain is the problem's own detail, said already.
            break;
        }
        if let Some(crs) = cause.downcast_ref::<CrsError>() {
            parts.push(crs_error_text(crs, lang));
            break;
        }
        if let Some(tif) = cause.downcast_ref::<crate::io::tiles::GeoTiffError>() {
            parts.push(crate::text::basemap::geotiff_error(tif, lang));
            break;
        }
        if let Some(tile) = cause.downcast_ref::<crate::io::tiles::TileError>() {
            parts.push(crate::text::basemap::tile_error_reason(tile, lang));
            break;
        }
        if let Some(source) = cause.downcast_ref::<crate::core::basemap::SourceError>() {
            parts.push(basemap_source_text(source, lang));
            break;
        }
        if let Some(BadMapPair { pair }) = cause.downcast_ref::<BadMapPair>() {
            parts.push(match lang {
                Lang::Zh => format!("--map “{pair}”：应写成 模型字段=文件字段（如 households=HU）"),
                Lang::En => cause.to_string(),
            });
            break;
        }
        parts.push(cause.to_string());
    }
    parts.join(": ")
}

/// A basemap definition that cannot be used, in words.
pub fn basemap_source_text(e: &crate::core::basemap::SourceError, lang: Lang) -> String {
    use crate::core::basemap::SourceError;
    match (lang, e) {
        (Lang::En, _) => e.to_string(),
        (Lang::Zh, SourceError::MissingKey) => {
            "天地图需要密钥（tk）：请在 https://console.tianditu.gov.cn 申请，并填入设置".into()
        }
        (Lang::Zh, SourceError::BadTemplate(t)) => {
            format!("不是瓦片地址模板：{t}（应为 http(s) 地址，含 {{z}}、{{x}} 和 {{y}} 或 {{-y}}）")
        }
        (Lang::Zh, SourceError::UnknownLayer(l)) => {
            format!("未知的天地图图层“{l}”：请选择 vec、img、ter、cva、cia 或 cta")
        }
        (Lang::Zh, SourceError::NotOnline) => "MBTiles 或 GeoTIFF 底图没有网址：它的瓦片从文件中读取".into(),
        (Lang::Zh, SourceError::BadJson(d)) => format!("不是底图定义（{d}）"),
        (Lang::Zh, SourceError::BulkDownload { tiles, limit }) => format!(
            "OpenStreetMap 的瓦片使用政策禁止批量下载：本次打印需要 {tiles} 个未缓存的瓦片（最多 {limit} 个）；请先在软件中浏览该区域使瓦片进入缓存，或缩小打印范围、纸张，或换用其他底图"
        ),
    }
}

/// A problem with a file, without the file's name.
pub fn problem_text(problem: &Problem, lang: Lang) -> String {
    match lang {
        Lang::En => problem.to_string(),
        Lang::Zh => problem_zh(problem),
    }
}

/// A CRS that cannot be used, in words.
pub fn crs_error_text(e: &CrsError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        CrsError::UnknownName(name) => format!(
            "无法识别的坐标系“{name}”：请写 EPSG:代码（如 EPSG:4490、EPSG:4548），或 wgs84、cgcs2000、gcj02、bd09"
        ),
        CrsError::UnknownEpsg(code) => format!("网格软件不支持坐标系 EPSG:{code}"),
        CrsError::UnrecognisedWkt(wkt) => format!("无法识别这段 WKT 所描述的坐标系：{wkt}"),
        CrsError::Projection(code, detail) => format!("无法建立 EPSG:{code} 的投影：{detail}"),
        CrsError::Transform { x, y, from, to, reason } => {
            format!("无法把坐标（{x}, {y}）从 {from} 转换到 {to}：{reason}")
        }
    }
}

fn geometry_zh(kind: GeometryKind) -> &'static str {
    match kind {
        GeometryKind::Nothing => "空（没有几何图形）",
        GeometryKind::Point => "点",
        GeometryKind::Line => "线",
        GeometryKind::Polygon => "多边形",
        GeometryKind::MultiPoint => "多点",
        GeometryKind::MultiLine => "多线",
        GeometryKind::MultiPolygon => "多面",
        GeometryKind::Collection => "几何集合",
        GeometryKind::Rectangle => "矩形",
    }
}

/// A model field's name as a planner calls it.
fn field_zh(field: &str) -> &str {
    match field {
        "households" => "户数",
        "population" => "人口",
        "party_members" => "党员数",
        "code" => "编码",
        "name" => "名称",
        "class" => "城乡类别",
        "kind" => "网格类型",
        other => other,
    }
}

fn list_zh<S: AsRef<str>>(items: &[S]) -> String {
    items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join("、")
}

fn replaced_zh(r: &Replaced) -> String {
    let layer = target_label(r.target, Lang::Zh);
    let what = match r.target {
        Target::Boundary => format!("项目现有的区域边界（{} 个多边形，{:.1} km²）", r.features, r.area_m2 / 1e6),
        _ => format!(
            "项目 {} 个{layer}中编码相同而内容不同的 {} 个（{}{}）",
            r.held,
            r.features,
            list_zh(&r.examples),
            if r.features > r.examples.len() { "…" } else { "" }
        ),
    };
    format!("作为{layer}导入此文件将替换{what}；确需替换请加 --replace（项目未作任何改动）")
}

fn shp_damage_zh(d: &ShpDamage) -> String {
    match d {
        ShpDamage::RecordTooLong { record, words } => {
            format!("第 {record} 条记录声称长 {words} 个字（16 位），超出了文件的实际长度")
        }
        ShpDamage::CountsCut { record } => format!("第 {record} 条记录在部件数和点数处就中断了"),
        ShpDamage::CountsTooLarge { record, parts, points, bytes } => {
            format!("第 {record} 条记录声称有 {parts} 个部件、{points} 个点，超出了它 {bytes} 字节的容量")
        }
        ShpDamage::BadPartStart { record, part, first, points } => {
            format!("第 {record} 条记录的第 {part} 个部件从第 {first} 个点开始（共 {points} 个点），位置不对")
        }
        ShpDamage::Library(detail) => format!("读取出错（{detail}）"),
    }
}

fn blob_zh(e: &BlobError) -> String {
    match e {
        BlobError::Magic => "不是 GeoPackage 几何数据（缺少“GP”标记）".into(),
        BlobError::Header => "几何数据的头部不完整".into(),
        BlobError::Envelope(n) => format!("几何数据的范围标志 {n} 无效"),
        BlobError::Wkb(WkbError::Truncated(at)) => format!("几何数据在第 {at} 字节处提前结束"),
        BlobError::Wkb(WkbError::ByteOrder(b)) => format!("未知的字节序标记 {b}"),
        BlobError::Wkb(WkbError::UnsupportedType(t)) => format!("不支持的 WKB 几何类型 {t}"),
        BlobError::Wkb(WkbError::TooDeep) => format!("几何集合嵌套超过 {MAX_DEPTH} 层"),
        BlobError::Wkb(WkbError::NotFinite(x, y)) => format!("线或环上有不是数值的坐标（{x}, {y}）"),
    }
}

/// What the operating system said about a file, in words (for a settings or config file, whose name
/// the person did not choose).
pub fn os_error_text(e: &std::io::Error, lang: Lang) -> String {
    match lang {
        Lang::Zh => io_zh(e),
        Lang::En => e.to_string(),
    }
}

/// A step of the edit history that could not be applied (a bug, not the person's doing), in words.
pub fn edit_error_text(e: &EditError, lang: Lang) -> String {
    match (lang, e) {
        (Lang::En, _) => e.to_string(),
        (Lang::Zh, EditError::NoSuchGrid(id)) => format!("网格 {id} 不存在"),
        (Lang::Zh, EditError::GridExists(id)) => format!("网格 {id} 已经存在"),
        (Lang::Zh, EditError::ReadOnly(id)) => format!("网格 {id} 在这里只读：它属于相邻乡镇（签出副本）"),
    }
}

fn io_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "文件不存在".into(),
        ErrorKind::PermissionDenied => "没有读写这个文件的权限".into(),
        ErrorKind::AlreadyExists => "文件已存在".into(),
        ErrorKind::UnexpectedEof => "文件不完整（提前结束）".into(),
        ErrorKind::IsADirectory => "这是一个文件夹，不是文件".into(),
        ErrorKind::StorageFull => "磁盘已满".into(),
        _ => format!("读写文件出错（{e}）"),
    }
}

fn problem_zh(problem: &Problem) -> String {
    let coord = |x: &f64, y: &f64| format!("坐标（{}, {}）", short_number(*x), short_number(*y));
    match problem {
        Problem::Io(e) => io_zh(e),
        Problem::Sqlite(e) => format!("数据库读写出错（{e}）"),
        Problem::Crs(e) => crs_error_text(e, Lang::Zh),
        Problem::Dbf(DbfError::Damaged) => ".dbf 文件不完整或文件头已损坏".into(),
        Problem::Dbf(DbfError::Encoding { record, encoding, hint }) => format!(
            ".dbf 第 {record} 条记录的文字不是有效的 {encoding} 编码{}",
            if hint.is_empty() { "" } else { "（如果文件是 GBK 编码，请添加一个内容为 GBK 的 .cpg 文件）" }
        ),
        Problem::Dbf(DbfError::UnknownCpg(name)) => format!(".cpg 文件指定了未知的编码“{name}”"),
        Problem::Blob(e) => blob_zh(e),
        Problem::Database(e) => crate::text::database::db_error_text(e, Lang::Zh),
        Problem::UnknownInputType => "无法识别的文件类型：请使用 .geojson、.json、.shp、.gpkg 或 .csv 文件".into(),
        Problem::UnknownOutputType => "无法识别的输出类型：请使用 .gpkg、.geojson、.shp 或 .csv".into(),
        Problem::NotJson { detail } => format!("不是有效的 JSON 文件（{detail}）"),
        Problem::NotGeoJson { detail } => format!("不是有效的 GeoJSON 文件（{detail}）"),
        Problem::MissingSidecar { ext } => format!("缺少同名的 .{ext} 文件"),
        Problem::ShapeCountMismatch { shapes, records } => {
            format!(".shp 中有 {shapes} 个图形，而 .dbf 中有 {records} 条记录，两者对不上")
        }
        Problem::DamagedShp(d) => format!(".shp 文件已损坏：{}", shp_damage_zh(d)),
        Problem::WriteFailed { what, detail } => {
            let what = match what {
                Written::Shapefile => "Shapefile",
                Written::Workbook => "Excel 工作簿",
                Written::Table => "表格",
            };
            format!("无法写出{what}（{detail}）")
        }
        Problem::NotUtf8OrGbk => "文字编码既不是 UTF-8 也不是 GBK".into(),
        Problem::UnreadableHeader { detail } => format!("无法读取表头（{detail}）"),
        Problem::TooManyColumns { columns, max } => format!("表头有 {columns} 列，最多只能有 {max} 列"),
        Problem::ColumnNameTooLong { column, start, chars, max } => format!(
            "表头第 {column} 列（“{start}…”）长达 {chars} 个字符，列名最多只能有 {max} 个字符——第一行真的是表头吗？"
        ),
        Problem::UnreadableRow { detail } => format!("无法读取这一行（{detail}）"),
        Problem::FieldTooLong { field, bytes, max } => {
            format!("字段“{field}”的值有 {bytes} 字节，最多只能有 {max} 字节")
        }
        Problem::TableTooLarge { max_mb, columns } => {
            format!("表格读入内存将超过 {max_mb} MB（共 {columns} 列），请把文件拆小")
        }
        Problem::NoCrs => {
            "文件没有说明所用的坐标系（没有 .prj 或 crs 信息）；请指定坐标系，例如 EPSG:4490（命令行用 --crs）".into()
        }
        Problem::UnrecognisedCrs { file, reason } => format!(
            "无法识别 {} 中的坐标系（{}）；请指定坐标系，例如 EPSG:4549（命令行用 --crs）",
            file.display(),
            crs_error_text(reason, Lang::Zh)
        ),
        Problem::NoBoundaryPolygon => "没有可用作区域边界的多边形".into(),
        Problem::InvalidBoundaryPart { part, reason } => {
            format!("边界的第 {part} 部分不是有效的多边形：{}", invalid_reason_text(reason, Lang::Zh))
        }
        Problem::BoundaryUnionFailed => "边界的各部分无法合并为一个区域（几何运算失败）".into(),
        Problem::NothingToWrite => "该图层没有带几何图形的要素可以写出".into(),
        Problem::WouldReplace(r) => replaced_zh(r),
        Problem::Edit(e) => edit_error_text(e, Lang::Zh),
        Problem::NotAProject(NotAProject::NotSqlite) => "不是 GeoPackage：文件不是 SQLite 数据库".into(),
        Problem::NotAProject(NotAProject::NotGeoPackage) => "不是 GeoPackage（没有 gpkg_contents 表）".into(),
        Problem::NotAProject(NotAProject::PlainGeoPackage) => {
            "是 GeoPackage，但不是网格项目；请用“导入”把其中的图层导入项目（命令行：wangge import 文件 --into 项目.gpkg --as grids）"
                .into()
        }
        Problem::NotAProject(NotAProject::WouldOverwrite) => "文件已存在且不是网格项目，不会覆盖它".into(),
        Problem::UnknownSrsId { srs_id } => format!("坐标系编号 {srs_id} 不在 gpkg_spatial_ref_sys 表中"),
        Problem::NoSuchLayer { name, layers } => {
            format!("没有名为“{name}”的图层；文件中的图层有：{}", list_zh(layers))
        }
        Problem::ChooseLayer { layers } => {
            format!("文件有 {} 个图层，请选择其中一个（命令行用 --layer）：{}", layers.len(), list_zh(layers))
        }
        Problem::MissingProjectKey { key } => {
            let key = match key {
                ProjectKey::SchemaVersion => "数据版本（schema_version）",
                ProjectKey::CrsEpsg => "坐标系（crs_epsg）",
            };
            format!("项目信息表 wangge_project 中没有有效的{key}")
        }
        Problem::FidOutOfRange { fid, max } => format!("网格编号 fid {fid} 超出范围（1 – {max}）"),
        Problem::CountOutOfRange { column } => format!("{}为负数或过大", field_zh(column)),
        Problem::NewerSchema { found, supported } => format!(
            "此项目由更新版本的网格软件保存（数据版本 {found}），本版本只能读取 {supported} 及更早的版本——请升级网格软件"
        ),
        Problem::ChangedOnDisk => "在本命令读取之后被其他程序修改过；没有保存任何内容——请重新运行命令".into(),
        Problem::BasemapExists { name } => format!("已有名为“{name}”的底图；请先删除它，或加 --replace 替换"),
        Problem::BadBasemap { name, detail } => format!("底图“{name}”的定义无法读取（{detail}）"),
        Problem::Cancelled(_) => "已取消；没有更改任何内容".into(),
        Problem::ChangedWhileWriting => "写出过程中项目被修改了；请重新导出".into(),
        Problem::CollectionWithoutFeatures => "不是有效的 GeoJSON 文件（FeatureCollection 缺少 \"features\"）".into(),
        Problem::FeaturesOutsideCollection { kind } => {
            format!("不是有效的 GeoJSON 文件（类型为 {kind:?} 的对象中出现了 \"features\"）")
        }
        Problem::ExpectedPolygon { found: GeometryKind::Nothing } => "应为多边形，但这个要素没有几何图形".into(),
        Problem::ExpectedPolygon { found } => format!("应为多边形，这里却是{}", geometry_zh(*found)),
        Problem::ExpectedPoint { found } => format!("应为点，这里却是{}", geometry_zh(*found)),
        Problem::UnsupportedShape { shape_type } => format!("只能读取面、线或点，这里是 {shape_type} 类型"),
        Problem::EmptyPolygon => "多边形是空的".into(),
        Problem::GridNeedsPolygon { found: GeometryKind::Nothing } => "网格必须是多边形，但这个要素没有几何图形".into(),
        Problem::GridNeedsPolygon { found } => format!("网格必须是多边形，这里却是{}", geometry_zh(*found)),
        Problem::HouseholdNeedsPoint { found: GeometryKind::Nothing } => {
            "住户点必须是点，但这个要素没有几何图形（表格中没有经纬度或 X/Y 坐标列）".into()
        }
        Problem::HouseholdNeedsPoint { found } => format!("住户点必须是点，这里却是{}", geometry_zh(*found)),
        Problem::ShortPosition { numbers } => format!(
            "一个坐标至少需要两个数（x, y），这里是 [{}]",
            numbers.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
        ),
        Problem::BadGeoJsonGeometry { detail } => format!("几何图形无效（{detail}）"),
        Problem::HoleOutsideShells => "有一个内环（洞）不在任何外环之内".into(),
        Problem::RingTooShort { points } => {
            format!("多边形有一个环只有 {points} 个不同的点（至少需要 3 个）")
        }
        Problem::UnusableCoordinate { x, y } => format!("{}不是可用的数值", coord(x, y)),
        Problem::NotANumber { column, text } => format!("“{column}”列的值“{text}”不是数字"),
        Problem::OutsideLonLat { x, y } => format!("{}超出了经纬度的范围", coord(x, y)),
        Problem::FarOutsideCrs { x, y, lon, lat, crs, area } => format!(
            "{}位于经度 {lon:.3}°、纬度 {lat:.3}°，远在项目坐标系 {crs} 的适用范围（经度 {}° – {}°，纬度 {}° – {}°）之外；请指定文件真实的坐标系（命令行用 --crs），或用 --force 强制导入",
            coord(x, y),
            area[0],
            area[1],
            area[2],
            area[3]
        ),
        Problem::DivisionCode(DivisionCodeError::Length(code)) => {
            format!("行政区划代码“{code}”应为 6 位（县）、9 位（乡镇）或 12 位（村）数字")
        }
        Problem::DivisionCode(DivisionCodeError::NotDigits(code)) => {
            format!("行政区划代码“{code}”只能由数字组成")
        }
        Problem::DivisionWithoutName { code } => format!("行政区划 {code} 没有名称"),
        Problem::DuplicateDivision { code } => format!("行政区划代码 {code} 在本文件中出现了两次"),
        Problem::UnknownClass { text } => format!("城乡类别“{text}”既不是城市也不是农村"),
        Problem::UnknownKind { text } => format!("网格类型“{text}”既不是基础网格也不是专属网格"),
        Problem::NotACount { field, text } => {
            format!("{}必须是不小于 0 的整数，这里是“{text}”", field_zh(field))
        }
        Problem::UnknownModelField { field, known } => {
            format!("--map {field}=…：没有“{field}”这个字段；这里可用的字段有：{}", list_zh(known))
        }
        Problem::NoSuchSourceField { field, source_field, available } => format!(
            "--map {field}={source_field}：文件中没有“{source_field}”字段；文件中的字段有：{}",
            list_zh(available)
        ),
        Problem::ReferenceNeedsLineOrPolygon { found: GeometryKind::Nothing } => {
            "参考图层只能是线或面，但这个要素没有几何图形".into()
        }
        Problem::ReferenceNeedsLineOrPolygon { found } => {
            format!("参考图层只能是线或面，这里却是{}", geometry_zh(*found))
        }
        Problem::ReferenceLayerExists { name } => {
            format!("项目中已有名为“{name}”的参考图层；加 --replace 可替换它（没有更改任何内容）")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::core::coverage::{InvalidProblem, InvalidReason};

    /// Which variant a problem is: exhaustive, so a new variant does not compile until it is listed in
    /// [`every_problem`] below and said in Chinese.
    fn variant(p: &Problem) -> usize {
        match p {
            Problem::Io(_) => 0,
            Problem::Sqlite(_) => 1,
            Problem::Crs(_) => 2,
            Problem::Dbf(_) => 3,
            Problem::Blob(_) => 4,
            Problem::UnknownInputType => 5,
            Problem::UnknownOutputType => 6,
            Problem::NotJson { .. } => 7,
            Problem::NotGeoJson { .. } => 8,
            Problem::MissingSidecar { .. } => 9,
            Problem::ShapeCountMismatch { .. } => 10,
            Problem::DamagedShp(_) => 11,
            Problem::WriteFailed { .. } => 12,
            Problem::NotUtf8OrGbk => 13,
            Problem::UnreadableHeader { .. } => 14,
            Problem::TooManyColumns { .. } => 15,
            Problem::ColumnNameTooLong { .. } => 16,
            Problem::UnreadableRow { .. } => 17,
            Problem::FieldTooLong { .. } => 18,
            Problem::TableTooLarge { .. } => 19,
            Problem::NoCrs => 20,
            Problem::UnrecognisedCrs { .. } => 21,
            Problem::NoBoundaryPolygon => 22,
            Problem::InvalidBoundaryPart { .. } => 23,
            Problem::BoundaryUnionFailed => 24,
            Problem::NothingToWrite => 25,
            Problem::WouldReplace(_) => 26,
            Problem::Edit(_) => 27,
            Problem::NotAProject(_) => 28,
            Problem::UnknownSrsId { .. } => 29,
            Problem::NoSuchLayer { .. } => 30,
            Problem::ChooseLayer { .. } => 31,
            Problem::MissingProjectKey { .. } => 32,
            Problem::FidOutOfRange { .. } => 33,
            Problem::CountOutOfRange { .. } => 34,
            Problem::NewerSchema { .. } => 35,
            Problem::ChangedOnDisk => 36,
            Problem::ExpectedPolygon { .. } => 37,
            Problem::ExpectedPoint { .. } => 38,
            Problem::UnsupportedShape { .. } => 39,
            Problem::EmptyPolygon => 40,
            Problem::GridNeedsPolygon { .. } => 41,
            Problem::HouseholdNeedsPoint { .. } => 42,
            Problem::ShortPosition { .. } => 43,
            Problem::BadGeoJsonGeometry { .. } => 44,
            Problem::HoleOutsideShells => 45,
            Problem::RingTooShort { .. } => 46,
            Problem::UnusableCoordinate { .. } => 47,
            Problem::NotANumber { .. } => 48,
            Problem::OutsideLonLat { .. } => 49,
            Problem::FarOutsideCrs { .. } => 50,
            Problem::DivisionCode(_) => 51,
            Problem::DivisionWithoutName { .. } => 52,
            Problem::DuplicateDivision { .. } => 53,
            Problem::UnknownClass { .. } => 54,
            Problem::UnknownKind { .. } => 55,
            Problem::NotACount { .. } => 56,
            Problem::UnknownModelField { .. } => 57,
            Problem::NoSuchSourceField { .. } => 58,
            Problem::Cancelled(_) => 59,
            Problem::BasemapExists { .. } => 63,
            Problem::BadBasemap { .. } => 64,
            Problem::ChangedWhileWriting => 60,
            Problem::CollectionWithoutFeatures => 61,
            Problem::FeaturesOutsideCollection { .. } => 62,
            Problem::ReferenceNeedsLineOrPolygon { .. } => 65,
            Problem::ReferenceLayerExists { .. } => 66,
            Problem::Database(_) => 67,
        }
    }
    const VARIANTS: usize = 68;

    fn every_problem() -> Vec<Problem> {
        let replaced = |target| Replaced {
            target,
            features: 2,
            held: 5,
            area_m2: 2.5e6,
            examples: vec!["341823100201 城东社区".into()],
        };
        let mut all = vec![
            Problem::Io(std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory")),
            Problem::Io(std::io::Error::other("disk on fire")),
            Problem::Sqlite(rusqlite::Error::InvalidQuery),
            Problem::Crs(CrsError::UnknownEpsg(9999)),
            Problem::Crs(CrsError::UnknownName("mars".into())),
            Problem::Crs(CrsError::Transform {
                x: 1.0,
                y: 2.0,
                from: "EPSG:4326".into(),
                to: "EPSG:4549".into(),
                reason: "out of range".into(),
            }),
            Problem::Crs(CrsError::Projection(4549, "bad".into())),
            Problem::Crs(CrsError::UnrecognisedWkt("LOCAL_CS[\"x\"]".into())),
            Problem::Dbf(DbfError::Damaged),
            Problem::Dbf(DbfError::Encoding { record: 3, encoding: "UTF-8", hint: " (if the file is GBK, …)" }),
            Problem::Dbf(DbfError::UnknownCpg("KOI8".into())),
            Problem::UnknownInputType,
            Problem::UnknownOutputType,
            Problem::NotJson { detail: "EOF while parsing".into() },
            Problem::NotGeoJson { detail: "missing type".into() },
            Problem::MissingSidecar { ext: "dbf" },
            Problem::ShapeCountMismatch { shapes: 3, records: 2 },
            Problem::WriteFailed { what: Written::Shapefile, detail: "disk full".into() },
            Problem::WriteFailed { what: Written::Workbook, detail: "disk full".into() },
            Problem::WriteFailed { what: Written::Table, detail: "disk full".into() },
            Problem::NotUtf8OrGbk,
            Problem::UnreadableHeader { detail: "bad".into() },
            Problem::TooManyColumns { columns: 5000, max: 1000 },
            Problem::ColumnNameTooLong { column: 1, start: "名名名".into(), chars: 10_000, max: 200 },
            Problem::UnreadableRow { detail: "unequal lengths".into() },
            Problem::FieldTooLong { field: "notes".into(), bytes: 2_000_000, max: 1_000_000 },
            Problem::TableTooLarge { max_mb: 2048, columns: 40 },
            Problem::NoCrs,
            Problem::UnrecognisedCrs { file: PathBuf::from("a.prj"), reason: CrsError::UnrecognisedWkt("X".into()) },
            Problem::NoBoundaryPolygon,
            Problem::InvalidBoundaryPart {
                part: 2,
                reason: InvalidReason { problem: InvalidProblem::SelfIntersection { ring: 0 }, part: None },
            },
            Problem::BoundaryUnionFailed,
            Problem::NothingToWrite,
            Problem::WouldReplace(replaced(Target::Boundary)),
            Problem::WouldReplace(replaced(Target::Divisions)),
            Problem::Edit(EditError::NoSuchGrid(4)),
            Problem::Edit(EditError::GridExists(4)),
            Problem::Edit(EditError::ReadOnly(4)),
            Problem::UnknownSrsId { srs_id: 77 },
            Problem::NoSuchLayer { name: "roads".into(), layers: vec!["grids".into(), "boundary".into()] },
            Problem::ChooseLayer { layers: vec!["grids".into(), "boundary".into()] },
            Problem::MissingProjectKey { key: ProjectKey::SchemaVersion },
            Problem::MissingProjectKey { key: ProjectKey::CrsEpsg },
            Problem::FidOutOfRange { fid: -3, max: 1 << 40 },
            Problem::CountOutOfRange { column: "population" },
            Problem::NewerSchema { found: 9, supported: 3 },
            Problem::ChangedOnDisk,
            Problem::Cancelled(crate::core::progress::Cancelled),
            Problem::BasemapExists { name: "天地图影像".into() },
            Problem::BadBasemap { name: "osm".into(), detail: "missing field `kind`".into() },
            Problem::ChangedWhileWriting,
            Problem::CollectionWithoutFeatures,
            Problem::FeaturesOutsideCollection { kind: "Feature".into() },
            Problem::ExpectedPolygon { found: GeometryKind::Line },
            Problem::ExpectedPolygon { found: GeometryKind::Nothing },
            Problem::ExpectedPoint { found: GeometryKind::Polygon },
            Problem::UnsupportedShape { shape_type: "Multipatch".into() },
            Problem::EmptyPolygon,
            Problem::GridNeedsPolygon { found: GeometryKind::Nothing },
            Problem::GridNeedsPolygon { found: GeometryKind::Point },
            Problem::HouseholdNeedsPoint { found: GeometryKind::Nothing },
            Problem::HouseholdNeedsPoint { found: GeometryKind::MultiPolygon },
            Problem::ShortPosition { numbers: vec![1.0] },
            Problem::BadGeoJsonGeometry { detail: "expected a ring".into() },
            Problem::HoleOutsideShells,
            Problem::RingTooShort { points: 2 },
            Problem::UnusableCoordinate { x: 1e300, y: f64::NAN },
            Problem::NotANumber { column: "lon".into(), text: "abc".into() },
            Problem::OutsideLonLat { x: 200.0, y: 30.0 },
            Problem::FarOutsideCrs {
                x: -170.0,
                y: -80.0,
                lon: -170.0,
                lat: -80.0,
                crs: "EPSG:4548".into(),
                area: [111.0, 123.0, 0.0, 90.0],
            },
            Problem::DivisionCode(DivisionCodeError::Length("12".into())),
            Problem::DivisionCode(DivisionCodeError::NotDigits("34a".into())),
            Problem::DivisionWithoutName { code: "341823".into() },
            Problem::DuplicateDivision { code: "341823".into() },
            Problem::UnknownClass { text: "suburb".into() },
            Problem::UnknownKind { text: "special".into() },
            Problem::NotACount { field: "households".into(), text: "-3".into() },
            Problem::UnknownModelField { field: "hu".into(), known: vec!["households", "population"] },
            Problem::NoSuchSourceField { field: "households".into(), source_field: "HU".into(), available: vec![] },
            Problem::ReferenceNeedsLineOrPolygon { found: GeometryKind::Point },
            Problem::ReferenceNeedsLineOrPolygon { found: GeometryKind::Nothing },
            Problem::ReferenceLayerExists { name: "道路".into() },
        ];
        for d in [
            ShpDamage::RecordTooLong { record: 1, words: 99 },
            ShpDamage::CountsCut { record: 2 },
            ShpDamage::CountsTooLarge { record: 3, parts: 1, points: 1 << 30, bytes: 64 },
            ShpDamage::BadPartStart { record: 4, part: 2, first: 9, points: 5 },
            ShpDamage::Library("unexpected end of file".into()),
        ] {
            all.push(Problem::DamagedShp(d));
        }
        for n in [
            NotAProject::NotSqlite,
            NotAProject::NotGeoPackage,
            NotAProject::PlainGeoPackage,
            NotAProject::WouldOverwrite,
        ] {
            all.push(Problem::NotAProject(n));
        }
        all.push(Problem::Database(crate::io::postgis::DbError::CannotSaveHere));
        all.push(Problem::Blob(BlobError::Magic));
        all.push(Problem::Blob(BlobError::Header));
        all.push(Problem::Blob(BlobError::Envelope(7)));
        for w in [
            WkbError::Truncated(12),
            WkbError::ByteOrder(9),
            WkbError::UnsupportedType(17),
            WkbError::TooDeep,
            WkbError::NotFinite(f64::NAN, 1.0),
        ] {
            all.push(Problem::Blob(BlobError::Wkb(w)));
        }
        all
    }

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// Four or more English words in a row, outside brackets and quotes (names, paths, a library's own
    /// words): a Chinese message must not be an English sentence.
    fn english_run(s: &str) -> Option<String> {
        outside_brackets(s)
            .split(|c: char| !c.is_ascii())
            .map(str::trim)
            .find(|segment| {
                let word = |w: &&str| w.trim_end_matches([',', ';', ':']).chars().all(|c| c.is_ascii_alphabetic());
                segment.split_whitespace().filter(word).count() >= 4
            })
            .map(str::to_string)
    }

    fn outside_brackets(s: &str) -> String {
        let mut outside = String::new();
        let mut depth = 0i32;
        for c in s.chars() {
            match c {
                '（' | '(' | '“' | '[' => depth += 1,
                '）' | ')' | '”' | ']' => depth -= 1,
                _ if depth == 0 => outside.push(c),
                _ => {}
            }
        }
        outside
    }

    #[test]
    fn every_problem_is_said_in_chinese_and_in_english() {
        let all = every_problem();
        let mut seen = [false; VARIANTS];
        for p in &all {
            seen[variant(p)] = true;
            let (zh, en) = (problem_text(p, Lang::Zh), problem_text(p, Lang::En));
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{p:?}");
            assert!(has_cjk(&zh), "not Chinese: {zh}");
            assert_ne!(zh, en, "{p:?}");
            assert!(!outside_brackets(&zh).contains(&en), "the English sentence inside the Chinese one: {zh}");
            assert!(english_run(&zh).is_none(), "English words in the Chinese text: {zh} ({:?})", english_run(&zh));
            assert_eq!(en, p.to_string());
        }
        let missing: Vec<usize> = (0..VARIANTS).filter(|i| !seen[*i]).collect();
        assert!(missing.is_empty(), "variants without a sample: {missing:?}");
    }

    #[test]
    fn the_file_and_the_feature_are_named_in_either_language() {
        let e = IoError::at_feature(Path::new("/data/村界.shp"), 3, Problem::RingTooShort { points: 2 });
        assert_eq!(
            io_error_text(&e, Lang::Zh),
            "文件 /data/村界.shp 第 3 个要素：多边形有一个环只有 2 个不同的点（至少需要 3 个）"
        );
        assert_eq!(
            io_error_text(&e, Lang::En),
            "/data/村界.shp: feature 3: a polygon ring has 2 distinct points; it needs at least 3"
        );
        assert_eq!(io_error_text(&e, Lang::En), e.to_string());
        let whole = IoError::new(Path::new("a.csv"), Problem::NotUtf8OrGbk);
        assert_eq!(io_error_text(&whole, Lang::Zh), "文件 a.csv：文字编码既不是 UTF-8 也不是 GBK");
    }

    #[test]
    fn an_anyhow_chain_keeps_its_context_and_says_the_io_error_in_the_language() {
        let e = IoError::new(Path::new("out.shp"), Problem::NothingToWrite);
        let chain = anyhow::Error::new(e).context("export to out.shp");
        let zh = error_chain_text(&chain, Lang::Zh);
        assert_eq!(zh, "export to out.shp: 文件 out.shp：该图层没有带几何图形的要素可以写出");
        assert_eq!(error_chain_text(&chain, Lang::En), format!("{chain:#}"));
        let crs = anyhow::Error::new(CrsError::UnknownEpsg(1));
        assert!(has_cjk(&error_chain_text(&crs, Lang::Zh)));
        let pairs = ["households".to_string()];
        let Err(map) = crate::io::fields::parse_map_args(&pairs) else { panic!("a pair without =") };
        let map = anyhow::Error::new(map);
        assert_eq!(
            error_chain_text(&map, Lang::Zh),
            "--map “households”：应写成 模型字段=文件字段（如 households=HU）"
        );
        assert_eq!(error_chain_text(&map, Lang::En), "--map \"households\": expected model_field=source_field");
        let plain = anyhow::anyhow!("--dpi must be between 30 and 1200");
        assert_eq!(error_chain_text(&plain, Lang::Zh), "--dpi must be between 30 and 1200");
    }
}
