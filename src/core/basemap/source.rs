//! Where a basemap's tiles come from: an XYZ/TMS URL template, a WMTS server (KVP GetTile), a 天地图
//! layer, OpenStreetMap, or an MBTiles file; the URL of each tile; and a small JSON form to keep a source
//! in the project. A 天地图 key (`tk`) is the user's, not the project's: it is passed in when a URL is
//! made and never kept in a source — a key pasted inside a URL is taken out and replaced by `{tk}`.

use serde_json::{Map, Value, json};

use super::tile::{MAX_ZOOM, TileId};

/// What went wrong with a source or one of its URLs.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum SourceError {
    #[error("天地图 needs a key (tk): get one at https://console.tianditu.gov.cn and set it in the settings")]
    MissingKey,
    #[error("not a tile URL template: {0}")]
    BadTemplate(String),
    #[error("unknown 天地图 layer {0:?}: choose vec, img, ter, cva, cia or cta")]
    UnknownLayer(String),
    #[error("an MBTiles or GeoTIFF source has no URL: its tiles are read from the file")]
    NotOnline,
    #[error("not a basemap source: {0}")]
    BadJson(String),
    #[error(
        "OpenStreetMap's tile policy forbids bulk downloads: this print needs {tiles} tiles that are not in the cache (at most {limit}); view the area in the app first so that its tiles are cached, print a smaller area or page, or use another basemap"
    )]
    BulkDownload { tiles: usize, limit: usize },
}

/// The 天地图 layers served in the Web-Mercator (`_w`) tile matrix set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TiandituLayer {
    /// 矢量底图
    Vec,
    /// 影像底图
    Img,
    /// 地形晕渲
    Ter,
    /// 矢量注记 (labels over `Vec`)
    Cva,
    /// 影像注记 (labels over `Img`)
    Cia,
    /// 地形注记 (labels over `Ter`)
    Cta,
}

impl TiandituLayer {
    pub const ALL: [TiandituLayer; 6] = [Self::Vec, Self::Img, Self::Ter, Self::Cva, Self::Cia, Self::Cta];

    /// The layer's code in 天地图 URLs: `vec`, `img`, `ter`, `cva`, `cia`, `cta`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Vec => "vec",
            Self::Img => "img",
            Self::Ter => "ter",
            Self::Cva => "cva",
            Self::Cia => "cia",
            Self::Cta => "cta",
        }
    }

    /// A layer by its code (any case).
    pub fn parse(code: &str) -> Result<TiandituLayer, SourceError> {
        let lower = code.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == lower).ok_or_else(|| SourceError::UnknownLayer(code.to_string()))
    }

    /// The annotation layer drawn over a base layer (`None` for an annotation layer itself).
    pub fn annotation(self) -> Option<TiandituLayer> {
        match self {
            Self::Vec => Some(Self::Cva),
            Self::Img => Some(Self::Cia),
            Self::Ter => Some(Self::Cta),
            _ => None,
        }
    }

    /// The deepest zoom 天地图 serves the layer at (terrain stops at 14).
    pub fn max_zoom(self) -> u8 {
        match self {
            Self::Ter | Self::Cta => 14,
            _ => 18,
        }
    }

    /// The name a preset gets: 天地图矢量, 天地图影像 …
    pub fn label(self) -> &'static str {
        match self {
            Self::Vec => "天地图矢量",
            Self::Img => "天地图影像",
            Self::Ter => "天地图地形",
            Self::Cva => "天地图矢量注记",
            Self::Cia => "天地图影像注记",
            Self::Cta => "天地图地形注记",
        }
    }
}

/// How a source serves its tiles.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceKind {
    /// An XYZ URL template: `{z}`, `{x}`, `{y}` (or `{-y}` for a TMS row), `{s}` for one of `subdomains`,
    /// `{tk}` for the 天地图 key.
    Xyz { template: String, subdomains: Vec<String> },
    /// A WMTS server's KVP GetTile endpoint with a Web-Mercator tile matrix set whose matrices are named by
    /// their zoom (`matrix_prefix` + z, e.g. `EPSG:3857:` + z).
    Wmts { url: String, layer: String, style: String, matrix_set: String, matrix_prefix: String, format: String },
    /// A 天地图 layer in the `_w` (Web-Mercator) matrix set.
    Tianditu(TiandituLayer),
    /// An MBTiles file (a path, relative to the project where possible).
    Mbtiles { path: String },
    /// A GeoTIFF orthophoto in any CRS Wangge knows (a path, relative to the project where possible): its
    /// Web-Mercator tiles are made from it on the fly (`io::tiles::GeoTiff`).
    GeoTiff { path: String },
}

/// The kinds of basemap a planner adds from the app's layers panel (the CLI's `basemap add` flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NewKind {
    #[default]
    TiandituImg,
    TiandituVec,
    TiandituTer,
    Osm,
    Xyz,
    Mbtiles,
    GeoTiff,
}

impl NewKind {
    pub const ALL: [NewKind; 7] = [
        NewKind::TiandituImg,
        NewKind::TiandituVec,
        NewKind::TiandituTer,
        NewKind::Osm,
        NewKind::Xyz,
        NewKind::Mbtiles,
        NewKind::GeoTiff,
    ];

    /// Whether the form needs a URL template or a file path.
    pub fn needs_text(self) -> bool {
        matches!(self, NewKind::Xyz | NewKind::Mbtiles | NewKind::GeoTiff)
    }
}

/// A basemap: a named tile source with its attribution and zoom range. Never holds a 天地图 key.
#[derive(Clone, Debug, PartialEq)]
pub struct BasemapSource {
    pub name: String,
    pub kind: SourceKind,
    /// The tiles are drawn in GCJ-02 lon/lat (Amap, Tencent): they are placed with the published offsets.
    pub gcj02: bool,
    /// Shown on the map and printed on the sheet.
    pub attribution: String,
    pub min_zoom: u8,
    pub max_zoom: u8,
}

const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";
const TIANDITU_ATTRIBUTION: &str = "天地图 © 国家地理信息公共服务平台";

impl BasemapSource {
    /// An XYZ/TMS source from a URL template such as `https://{s}.example.com/{z}/{x}/{y}.png`. A key
    /// written into the template (`tk=…`) is taken out and replaced by `{tk}`.
    ///
    /// ```
    /// use wangge::core::basemap::{BasemapSource, TileId};
    /// let s = BasemapSource::xyz("roads", "https://{s}.tiles.example/{z}/{x}/{-y}.png?tk=SECRET").unwrap();
    /// assert!(!s.to_json().contains("SECRET"));
    /// let url = s.tile_url(TileId { z: 2, x: 1, y: 0 }, Some("mine")).unwrap();
    /// assert_eq!(url, "https://b.tiles.example/2/1/3.png?tk=mine");
    /// ```
    pub fn xyz(name: &str, template: &str) -> Result<BasemapSource, SourceError> {
        let template = strip_key(template.trim()).0;
        let has = |p: &str| template.contains(p);
        let http = template.starts_with("http://") || template.starts_with("https://");
        if !(http && has("{z}") && has("{x}") && (has("{y}") || has("{-y}"))) {
            return Err(SourceError::BadTemplate(template));
        }
        let subdomains = if has("{s}") { vec!["a".into(), "b".into(), "c".into()] } else { Vec::new() };
        let is_tianditu = template.contains("tianditu.gov.cn");
        // OpenStreetMap's tiles must show its attribution, however the URL was given.
        let is_osm = template.contains("tile.openstreetmap.org");
        Ok(BasemapSource {
            name: name.to_string(),
            kind: SourceKind::Xyz { template, subdomains },
            gcj02: false,
            attribution: match (is_tianditu, is_osm) {
                (true, _) => TIANDITU_ATTRIBUTION.into(),
                (_, true) => OSM_ATTRIBUTION.into(),
                _ => String::new(),
            },
            min_zoom: 0,
            max_zoom: 18,
        })
    }

    /// A WMTS server's GetTile (KVP) at `url`, in a Web-Mercator matrix set whose matrices are named
    /// `matrix_prefix` + zoom. Any key in the URL is taken out as for [`BasemapSource::xyz`].
    pub fn wmts(name: &str, url: &str, layer: &str, matrix_set: &str, format: &str) -> BasemapSource {
        BasemapSource {
            name: name.to_string(),
            kind: SourceKind::Wmts {
                url: strip_key(url.trim()).0,
                layer: layer.to_string(),
                style: "default".into(),
                matrix_set: matrix_set.to_string(),
                matrix_prefix: String::new(),
                format: format.to_string(),
            },
            gcj02: false,
            attribution: String::new(),
            min_zoom: 0,
            max_zoom: 18,
        }
    }

    /// A 天地图 layer, named by [`TiandituLayer::label`].
    ///
    /// ```
    /// use wangge::core::basemap::{BasemapSource, SourceError, TiandituLayer, TileId};
    /// let img = BasemapSource::tianditu(TiandituLayer::Img);
    /// let tile = TileId { z: 10, x: 848, y: 420 };
    /// assert_eq!(img.tile_url(tile, None), Err(SourceError::MissingKey));
    /// let url = img.tile_url(tile, Some("0123abcd")).unwrap();
    /// assert!(url.starts_with("https://t4.tianditu.gov.cn/img_w/wmts?SERVICE=WMTS&REQUEST=GetTile"));
    /// assert!(url.contains("&LAYER=img&") && url.contains("&TILEMATRIXSET=w&") && url.ends_with("&tk=0123abcd"));
    /// ```
    pub fn tianditu(layer: TiandituLayer) -> BasemapSource {
        BasemapSource {
            name: layer.label().to_string(),
            kind: SourceKind::Tianditu(layer),
            gcj02: false,
            attribution: TIANDITU_ATTRIBUTION.into(),
            min_zoom: 1,
            max_zoom: layer.max_zoom(),
        }
    }

    /// A 天地图 layer named `name` and, when `labels` and the layer has one, its 注记 layer over it
    /// (named `name` + 注记).
    pub fn tianditu_named(layer: TiandituLayer, name: &str, labels: bool) -> Vec<BasemapSource> {
        let base = BasemapSource { name: name.to_string(), ..BasemapSource::tianditu(layer) };
        let over = layer.annotation().filter(|_| labels);
        let over = over.map(|l| BasemapSource { name: format!("{name}注记"), ..BasemapSource::tianditu(l) });
        std::iter::once(base).chain(over).collect()
    }

    /// OpenStreetMap's standard tiles. Their usage policy asks for a real User-Agent (the fetcher sends
    /// one), the attribution shown, and no bulk or offline prefetch ([`BasemapSource::forbids_prefetch`]).
    pub fn openstreetmap() -> BasemapSource {
        BasemapSource {
            name: "OpenStreetMap".into(),
            kind: SourceKind::Xyz {
                template: "https://tile.openstreetmap.org/{z}/{x}/{y}.png".into(),
                subdomains: vec![],
            },
            gcj02: false,
            attribution: OSM_ATTRIBUTION.into(),
            min_zoom: 0,
            max_zoom: 19,
        }
    }

    /// An MBTiles file; zooms and attribution are read from it when it is opened.
    pub fn mbtiles(name: &str, path: &str) -> BasemapSource {
        BasemapSource {
            name: name.to_string(),
            kind: SourceKind::Mbtiles { path: path.to_string() },
            gcj02: false,
            attribution: String::new(),
            min_zoom: 0,
            max_zoom: MAX_ZOOM,
        }
    }

    /// The path of a file the tiles come from (MBTiles, GeoTIFF), as stored: relative to the project's folder
    /// where possible. `None` for a source on the network.
    pub fn local_file_mut(&mut self) -> Option<&mut String> {
        match &mut self.kind {
            SourceKind::Mbtiles { path } | SourceKind::GeoTiff { path } => Some(path),
            SourceKind::Xyz { .. } | SourceKind::Wmts { .. } | SourceKind::Tianditu(_) => None,
        }
    }

    /// A GeoTIFF orthophoto; zooms are set from its resolution when it is added.
    pub fn geotiff(name: &str, path: &str) -> BasemapSource {
        BasemapSource {
            name: name.to_string(),
            kind: SourceKind::GeoTiff { path: path.to_string() },
            gcj02: false,
            attribution: String::new(),
            min_zoom: 0,
            max_zoom: MAX_ZOOM,
        }
    }

    /// A WGS84 lon/lat in the lon/lat of the source's tile grid: itself, or its GCJ-02 position for a
    /// GCJ-02 source. Compose the project → WGS84 transform with it for [`super::tiles_for_view`].
    ///
    /// ```
    /// use geo::Coord;
    /// use wangge::core::basemap::BasemapSource;
    /// let mut amap = BasemapSource::xyz("高德", "https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}").unwrap();
    /// let p = Coord { x: 118.4195, y: 30.6885 };
    /// assert_eq!(amap.tile_lonlat(p), p);
    /// amap.gcj02 = true;
    /// assert!((amap.tile_lonlat(p).x - p.x) > 0.003);
    /// ```
    pub fn tile_lonlat(&self, wgs84: geo::Coord<f64>) -> geo::Coord<f64> {
        if self.gcj02 { crate::core::china_offsets::wgs84_to_gcj02(wgs84) } else { wgs84 }
    }

    /// True for sources whose tiles come over the network.
    pub fn is_online(&self) -> bool {
        !matches!(self.kind, SourceKind::Mbtiles { .. } | SourceKind::GeoTiff { .. })
    }

    /// True when a tile URL needs the 天地图 key.
    pub fn needs_key(&self) -> bool {
        match &self.kind {
            SourceKind::Tianditu(_) => true,
            SourceKind::Xyz { template: url, .. } | SourceKind::Wmts { url, .. } => url.contains("{tk}"),
            SourceKind::Mbtiles { .. } | SourceKind::GeoTiff { .. } => false,
        }
    }

    /// True when the server's policy forbids downloading tiles ahead of viewing them (OpenStreetMap's
    /// tile servers): print and offline work may use only what viewing has cached.
    pub fn forbids_prefetch(&self) -> bool {
        matches!(&self.kind, SourceKind::Xyz { template, .. } if template.contains("tile.openstreetmap.org"))
    }

    /// The URL of a tile; `tianditu_key` is the user's 天地图 key, needed by 天地图 sources and `{tk}`.
    pub fn tile_url(&self, tile: TileId, tianditu_key: Option<&str>) -> Result<String, SourceError> {
        let key = tianditu_key.map(str::trim).filter(|k| !k.is_empty());
        let key = || key.map(encode).ok_or(SourceError::MissingKey);
        let subdomain = |subdomains: &[String]| -> String {
            let n = subdomains.len().max(1) as u64;
            let i = (u64::from(tile.x) + u64::from(tile.y)) % n;
            subdomains.get(i as usize).cloned().unwrap_or_default()
        };
        match &self.kind {
            SourceKind::Xyz { template, subdomains } => {
                let mut url = template
                    .replace("{z}", &tile.z.to_string())
                    .replace("{x}", &tile.x.to_string())
                    .replace("{-y}", &tile.tms_y().to_string())
                    .replace("{y}", &tile.y.to_string())
                    .replace("{s}", &subdomain(subdomains));
                if url.contains("{tk}") {
                    url = url.replace("{tk}", &key()?);
                }
                Ok(url)
            }
            SourceKind::Wmts { url, layer, style, matrix_set, matrix_prefix, format } => {
                let base = if url.contains("{tk}") { url.replace("{tk}", &key()?) } else { url.clone() };
                let sep = if !base.contains('?') {
                    "?"
                } else if base.ends_with('?') || base.ends_with('&') {
                    ""
                } else {
                    "&"
                };
                Ok(format!(
                    "{base}{sep}SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={}&STYLE={}&TILEMATRIXSET={}&TILEMATRIX={}{}&TILEROW={}&TILECOL={}&FORMAT={}",
                    encode(layer),
                    encode(style),
                    encode(matrix_set),
                    encode(matrix_prefix),
                    tile.z,
                    tile.y,
                    tile.x,
                    encode(format)
                ))
            }
            SourceKind::Tianditu(layer) => {
                let servers: Vec<String> = (0..8).map(|i| i.to_string()).collect();
                let l = layer.code();
                Ok(format!(
                    "https://t{}.tianditu.gov.cn/{l}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={l}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={}&TILEROW={}&TILECOL={}&tk={}",
                    subdomain(&servers),
                    tile.z,
                    tile.y,
                    tile.x,
                    key()?
                ))
            }
            SourceKind::Mbtiles { .. } | SourceKind::GeoTiff { .. } => Err(SourceError::NotOnline),
        }
    }

    /// A short stable name for the source's tiles (16 hex digits of a hash of where they come from, not of
    /// the source's name): the folder of its tiles in the disk cache.
    pub fn cache_id(&self) -> String {
        let what = match &self.kind {
            SourceKind::Xyz { template, subdomains } => format!("xyz {template} {}", subdomains.join(",")),
            SourceKind::Wmts { url, layer, style, matrix_set, matrix_prefix, format } => {
                format!("wmts {url} {layer} {style} {matrix_set} {matrix_prefix} {format}")
            }
            SourceKind::Tianditu(layer) => format!("tianditu {}", layer.code()),
            SourceKind::Mbtiles { path } => format!("mbtiles {path}"),
            SourceKind::GeoTiff { path } => format!("geotiff {path}"),
        };
        format!("{:016x}", fnv1a(what.as_bytes()))
    }

    /// The source as a small JSON object, for the project file. Holds no key, whatever the fields say.
    ///
    /// ```
    /// use wangge::core::basemap::{BasemapSource, TiandituLayer};
    /// let s = BasemapSource::tianditu(TiandituLayer::Vec);
    /// assert_eq!(BasemapSource::from_json(&s.to_json()), Ok(s));
    /// ```
    pub fn to_json(&self) -> String {
        let mut o = Map::new();
        o.insert("name".into(), json!(self.name));
        match &self.kind {
            SourceKind::Xyz { template, subdomains } => {
                o.insert("type".into(), json!("xyz"));
                o.insert("url".into(), json!(strip_key(template).0));
                o.insert("subdomains".into(), json!(subdomains));
            }
            SourceKind::Wmts { url, layer, style, matrix_set, matrix_prefix, format } => {
                o.insert("type".into(), json!("wmts"));
                o.insert("url".into(), json!(strip_key(url).0));
                o.insert("layer".into(), json!(layer));
                o.insert("style".into(), json!(style));
                o.insert("matrix_set".into(), json!(matrix_set));
                o.insert("matrix_prefix".into(), json!(matrix_prefix));
                o.insert("format".into(), json!(format));
            }
            SourceKind::Tianditu(layer) => {
                o.insert("type".into(), json!("tianditu"));
                o.insert("layer".into(), json!(layer.code()));
            }
            SourceKind::Mbtiles { path } => {
                o.insert("type".into(), json!("mbtiles"));
                o.insert("path".into(), json!(path));
            }
            SourceKind::GeoTiff { path } => {
                o.insert("type".into(), json!("geotiff"));
                o.insert("path".into(), json!(path));
            }
        }
        o.insert("gcj02".into(), json!(self.gcj02));
        o.insert("attribution".into(), json!(self.attribution));
        o.insert("min_zoom".into(), json!(self.min_zoom));
        o.insert("max_zoom".into(), json!(self.max_zoom));
        Value::Object(o).to_string()
    }

    /// Reads what [`BasemapSource::to_json`] wrote. Missing optional fields take their defaults; a key
    /// in a URL is dropped.
    pub fn from_json(text: &str) -> Result<BasemapSource, SourceError> {
        let bad = |m: &str| SourceError::BadJson(m.to_string());
        let value: Value = serde_json::from_str(text).map_err(|e| SourceError::BadJson(e.to_string()))?;
        let o = value.as_object().ok_or_else(|| bad("expected a JSON object"))?;
        let text_of = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let need = |k: &str| text_of(k).ok_or_else(|| SourceError::BadJson(format!("missing {k:?}")));
        let name = need("name")?;
        let kind = match need("type")?.as_str() {
            "xyz" => {
                let template = strip_key(&need("url")?).0;
                let subdomains = match o.get("subdomains") {
                    Some(Value::Array(items)) => items.iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
                    _ => Vec::new(),
                };
                let subdomains = if subdomains.is_empty() && template.contains("{s}") {
                    vec!["a".into(), "b".into(), "c".into()]
                } else {
                    subdomains
                };
                SourceKind::Xyz { template, subdomains }
            }
            "wmts" => SourceKind::Wmts {
                url: strip_key(&need("url")?).0,
                layer: need("layer")?,
                style: text_of("style").unwrap_or_else(|| "default".into()),
                matrix_set: need("matrix_set")?,
                matrix_prefix: text_of("matrix_prefix").unwrap_or_default(),
                format: text_of("format").unwrap_or_else(|| "image/png".into()),
            },
            "tianditu" => SourceKind::Tianditu(TiandituLayer::parse(&need("layer")?)?),
            "mbtiles" => SourceKind::Mbtiles { path: need("path")? },
            "geotiff" => SourceKind::GeoTiff { path: need("path")? },
            other => return Err(SourceError::BadJson(format!("unknown type {other:?}"))),
        };
        let zoom = |k: &str, default: u8| -> u8 {
            o.get(k).and_then(Value::as_u64).map_or(default, |z| z.min(u64::from(MAX_ZOOM)) as u8)
        };
        let (min_zoom, max_zoom) = (zoom("min_zoom", 0), zoom("max_zoom", 18));
        Ok(BasemapSource {
            name,
            kind,
            gcj02: o.get("gcj02").and_then(Value::as_bool).unwrap_or(false),
            attribution: text_of("attribution").unwrap_or_default(),
            min_zoom: min_zoom.min(max_zoom),
            max_zoom,
        })
    }
}

/// Takes a 天地图 key out of a URL: every `tk=VALUE` query parameter becomes `tk={tk}`. Returns the URL
/// and the key that was in it (the caller may offer to keep it in the user's settings).
///
/// ```
/// let (url, key) = wangge::core::basemap::strip_key("https://t0.tianditu.gov.cn/x?a=1&tk=abc123&b=2");
/// assert_eq!((url.as_str(), key.as_deref()), ("https://t0.tianditu.gov.cn/x?a=1&tk={tk}&b=2", Some("abc123")));
/// ```
pub fn strip_key(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut key = None;
    let parts: Vec<String> = query
        .split('&')
        .map(|part| match part.split_once('=') {
            Some((name, value)) if name.eq_ignore_ascii_case("tk") => {
                if !value.is_empty() && value != "{tk}" {
                    key = Some(value.to_string());
                }
                "tk={tk}".to_string()
            }
            _ => part.to_string(),
        })
        .collect();
    (format!("{base}?{}", parts.join("&")), key)
}

/// Percent-encodes a query value (everything but RFC 3986's unreserved characters; `:` kept, as WMTS
/// matrix names such as `EPSG:3857:10` use it and servers expect it plain).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 64-bit FNV-1a: a hash that stays the same across Rust versions, for cache folder names.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: TileId = TileId { z: 10, x: 848, y: 420 };

    #[test]
    fn xyz_templates() {
        let s = BasemapSource::xyz("a", "https://{s}.example.com/{z}/{x}/{y}.png").unwrap();
        assert_eq!(s.tile_url(T, None).unwrap(), "https://c.example.com/10/848/420.png");
        let tms = BasemapSource::xyz("b", "http://example.com/{z}/{x}/{-y}.jpg").unwrap();
        assert_eq!(tms.tile_url(T, None).unwrap(), "http://example.com/10/848/603.jpg");
        for bad in ["ftp://x/{z}/{x}/{y}", "https://x/{z}/{x}", "", "https://x/{x}/{y}"] {
            assert!(matches!(BasemapSource::xyz("c", bad), Err(SourceError::BadTemplate(_))), "{bad}");
        }
    }

    #[test]
    fn tianditu_presets() {
        for layer in TiandituLayer::ALL {
            let s = BasemapSource::tianditu(layer);
            assert!(s.needs_key());
            assert_eq!(s.tile_url(T, Some("  ")), Err(SourceError::MissingKey));
            let url = s.tile_url(T, Some("k")).unwrap();
            let code = layer.code();
            assert!(url.contains(&format!(".tianditu.gov.cn/{code}_w/wmts?")), "{url}");
            assert!(url.contains("&TILEMATRIX=10&TILEROW=420&TILECOL=848&"), "{url}");
            assert!(!s.to_json().contains("tk"), "{}", s.to_json());
            assert_eq!(TiandituLayer::parse(&code.to_uppercase()), Ok(layer));
        }
        assert_eq!(TiandituLayer::Img.annotation(), Some(TiandituLayer::Cia));
        assert!(matches!(TiandituLayer::parse("sat"), Err(SourceError::UnknownLayer(_))));
    }

    #[test]
    fn wmts_kvp() {
        let mut s = BasemapSource::wmts(
            "w",
            "https://example.com/wmts?tk=SECRET",
            "roads a",
            "GoogleMapsCompatible",
            "image/png",
        );
        if let SourceKind::Wmts { matrix_prefix, .. } = &mut s.kind {
            *matrix_prefix = "EPSG:3857:".into();
        }
        let url = s.tile_url(T, Some("K")).unwrap();
        assert_eq!(
            url,
            "https://example.com/wmts?tk=K&SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=roads%20a&STYLE=default&TILEMATRIXSET=GoogleMapsCompatible&TILEMATRIX=EPSG:3857:10&TILEROW=420&TILECOL=848&FORMAT=image/png"
        );
        assert!(!s.to_json().contains("SECRET"));
        assert_eq!(BasemapSource::from_json(&s.to_json()).unwrap(), s);
    }

    #[test]
    fn json_round_trip_and_bad_json() {
        let mut osm = BasemapSource::openstreetmap();
        osm.gcj02 = true;
        assert_eq!(BasemapSource::from_json(&osm.to_json()).unwrap(), osm);
        assert!(osm.forbids_prefetch() && !BasemapSource::tianditu(TiandituLayer::Vec).forbids_prefetch());
        let mb = BasemapSource::mbtiles("offline", "tiles/泾县.mbtiles");
        assert_eq!(BasemapSource::from_json(&mb.to_json()).unwrap(), mb);
        assert_eq!(mb.tile_url(T, None), Err(SourceError::NotOnline));
        let tif = BasemapSource::geotiff("DOM", "dom/泾县.tif");
        assert_eq!(BasemapSource::from_json(&tif.to_json()).unwrap(), tif);
        assert_eq!(tif.tile_url(T, None), Err(SourceError::NotOnline));
        assert!(!tif.is_online() && !tif.needs_key() && tif.cache_id() != mb.cache_id());
        for bad in ["", "[]", "{}", r#"{"name":"x","type":"ftp"}"#, r#"{"name":"x","type":"tianditu","layer":"q"}"#] {
            assert!(BasemapSource::from_json(bad).is_err(), "{bad}");
        }
        // A key smuggled into stored JSON is dropped on reading.
        let s = BasemapSource::from_json(r#"{"name":"x","type":"xyz","url":"https://h/{z}/{x}/{y}?tk=abc"}"#).unwrap();
        assert!(!s.to_json().contains("abc") && s.needs_key());
        assert_ne!(s.cache_id(), osm.cache_id());
        assert_eq!(s.cache_id().len(), 16);
    }
}
