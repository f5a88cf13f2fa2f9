//! Words printed on the sheets and said about printing: page numbers, the coordinate-system line.

use super::{Lang, pick, say};
use crate::core::Crs;
use crate::io::crs::{Datum, Projection, describe_crs};

/// "第 3 页 / 共 8 页".
pub fn page_number(number: usize, total: usize) -> String {
    format!("第 {number} 页 / 共 {total} 页")
}

/// "分幅详图 2 / 8": a detail sheet of the overview.
pub fn detail_sheet(number: usize, total: usize) -> String {
    format!("分幅详图 {number} / {total}")
}

/// 117 → "117°E", -70.5 → "70.5°W".
fn meridian(lon: f64) -> String {
    let side = if lon < 0.0 { "W" } else { "E" };
    let value = lon.abs();
    if value.fract() == 0.0 { format!("{value:.0}°{side}") } else { format!("{value}°{side}") }
}

fn datum_name(datum: &Datum, lang: Lang) -> String {
    match (datum, lang) {
        (Datum::Cgcs2000, Lang::Zh) => "2000 国家大地坐标系".into(),
        (Datum::Cgcs2000, Lang::En) => "China Geodetic Coordinate System 2000".into(),
        (Datum::Wgs84, _) => "WGS 84".into(),
        (Datum::Xian1980, Lang::Zh) => "1980 西安坐标系".into(),
        (Datum::Xian1980, Lang::En) => "Xian 1980".into(),
        (Datum::Beijing1954, Lang::Zh) => "1954 北京坐标系".into(),
        (Datum::Beijing1954, Lang::En) => "Beijing 1954".into(),
        (Datum::Other(name), _) => name.clone(),
    }
}

/// The coordinate-system line of a map, in the sheet's language, from what the CRS is:
/// "2000 国家大地坐标系 / 3 度带高斯-克吕格投影 中央经线 117°E" for EPSG:4548.
pub fn crs_line(crs: &Crs, lang: Lang) -> String {
    let d = describe_crs(crs);
    let datum = datum_name(&d.datum, lang);
    let zh = lang == Lang::Zh;
    let projection = match &d.projection {
        Projection::Geographic => {
            return say!(lang, "{datum}（经纬度）", "{datum} (longitude/latitude)");
        }
        Projection::GaussKruger { zone_width_deg, central_meridian_deg, zone } => {
            let cm = meridian(*central_meridian_deg);
            match (zone, zh) {
                (Some(z), true) => format!("{zone_width_deg} 度带高斯-克吕格投影 第 {z} 带 中央经线 {cm}"),
                (None, true) => format!("{zone_width_deg} 度带高斯-克吕格投影 中央经线 {cm}"),
                (Some(z), false) => {
                    format!("{zone_width_deg}-degree Gauss-Krüger projection, zone {z}, central meridian {cm}")
                }
                (None, false) => format!("{zone_width_deg}-degree Gauss-Krüger projection, central meridian {cm}"),
            }
        }
        Projection::Utm { zone, south } => {
            let cm = meridian(f64::from(*zone) * 6.0 - 183.0);
            let hemisphere = if *south { "S" } else { "N" };
            say!(
                lang,
                "UTM 投影 第 {zone}{hemisphere} 带 中央经线 {cm}",
                "UTM projection, zone {zone}{hemisphere}, central meridian {cm}"
            )
        }
        Projection::WebMercator => pick(lang, "Web 墨卡托投影", "Web Mercator projection").to_string(),
        Projection::Other(name) => {
            return say!(lang, "{name}（{}）", "{name} ({})", crs.auth_id());
        }
    };
    format!("{datum} / {projection}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::crs::crs_from_epsg;

    fn line(code: u32, lang: Lang) -> String {
        crs_line(&crs_from_epsg(code).unwrap(), lang)
    }

    #[test]
    fn the_coordinate_system_line_says_what_the_crs_is() {
        assert_eq!(line(4548, Lang::Zh), "2000 国家大地坐标系 / 3 度带高斯-克吕格投影 中央经线 117°E");
        assert_eq!(line(4527, Lang::Zh), "2000 国家大地坐标系 / 3 度带高斯-克吕格投影 第 39 带 中央经线 117°E");
        assert_eq!(line(4498, Lang::Zh), "2000 国家大地坐标系 / 6 度带高斯-克吕格投影 第 20 带 中央经线 117°E");
        assert_eq!(line(4509, Lang::Zh), "2000 国家大地坐标系 / 6 度带高斯-克吕格投影 中央经线 117°E");
        assert_eq!(line(4490, Lang::Zh), "2000 国家大地坐标系（经纬度）");
        assert_eq!(line(4326, Lang::Zh), "WGS 84（经纬度）");
        assert_eq!(line(3857, Lang::Zh), "WGS 84 / Web 墨卡托投影");
        assert_eq!(line(32650, Lang::Zh), "WGS 84 / UTM 投影 第 50N 带 中央经线 117°E");
        assert_eq!(line(32719, Lang::En), "WGS 84 / UTM projection, zone 19S, central meridian 69°W");
        assert_eq!(line(2383, Lang::Zh), "1980 西安坐标系 / 3 度带高斯-克吕格投影 中央经线 114°E");
        assert_eq!(
            line(4548, Lang::En),
            "China Geodetic Coordinate System 2000 / 3-degree Gauss-Krüger projection, central meridian 117°E"
        );
        assert_eq!(page_number(3, 8), "第 3 页 / 共 8 页");
    }
}
