//! What a project holds, in a few lines: the window's Project information and `wangge info` say the
//! same thing, from this one function.

use geo::Rect;

use super::{Lang, pick, say};
use crate::core::{Project, area_m2};
use crate::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use crate::io::gpkg::GridFacts;

/// Name, CRS, the layers with their counts, the boundary's and the grids' area, and the extent in the
/// project's CRS and in lon/lat; one fact per line.
pub fn project_summary(p: &Project, lang: Lang) -> String {
    summary_with(p, &GridFacts::of(p), lang)
}

/// [`project_summary`] with the grids' count, area and extent given (`wangge info` reads them from the
/// file without the grids themselves); `p`'s own grids, if any, count only towards the extent.
pub fn summary_with(p: &Project, grids: &GridFacts, lang: Lang) -> String {
    // An empty sum of f64 is −0.0: areas are never negative, so no "-0.000 km²".
    let non_negative = |x: f64| if x > 0.0 { x } else { 0.0 };
    let boundary_km2 = non_negative(area_m2(&p.boundary, &p.crs) / 1e6);
    let grids_km2 = non_negative(grids.area_m2 / 1e6);
    let (townships, villages) = (p.townships().count(), p.villages().count());
    let (boundary, divisions, grid_count, households) =
        (p.boundary.0.len(), p.divisions.len(), grids.count, p.households.len());
    let mut lines = vec![
        say!(lang, "名称：{}", "name: {}", p.name),
        say!(lang, "坐标系：{}（{}）", "CRS: {} ({})", p.crs.auth_id(), p.crs.name),
        say!(
            lang,
            "图层：区域边界 {boundary} 个多边形，行政区划 {divisions} 个（乡镇 {townships} 个，村（社区）{villages} 个），网格 {grid_count} 个，住户点 {households} 个",
            "layers: boundary {boundary} polygons, divisions {divisions} ({townships} townships, {villages} villages), grids {grid_count}, households {households} points"
        ),
        say!(lang, "边界面积：{boundary_km2:.3} km²", "boundary area: {boundary_km2:.3} km²"),
        say!(lang, "网格面积合计：{grids_km2:.3} km²", "grid area: {grids_km2:.3} km² in all"),
    ];
    if !p.reference_layers.is_empty() {
        let layers: Vec<String> = p
            .reference_layers
            .iter()
            .map(|l| say!(lang, "{} {} 个要素", "{} {} features", l.name, l.features.len()))
            .collect();
        lines.push(match lang {
            Lang::Zh => format!("参考图层：{}", layers.join("，")),
            Lang::En => format!("reference layers: {}", layers.join(", ")),
        });
    }
    if let Some(extent) = crate::core::rect::union_all(p.extent().into_iter().chain(grids.extent)) {
        let decimals = if p.crs.is_geographic() { 7 } else { 1 };
        let label = say!(lang, "范围（{}）：", "extent ({}): ", p.crs.auth_id());
        lines.push(label + &rect_text(extent, decimals));
        let lonlat = crs_from_epsg(4326)
            .ok()
            .and_then(|wgs| Transformer::new(&SourceCrs::Epsg(p.crs.clone()), &wgs).ok())
            .and_then(|t| Some(Rect::new(t.apply(extent.min()).ok()?, t.apply(extent.max()).ok()?)));
        if let Some(r) = lonlat {
            let label = pick(lang, "范围（经纬度）：", "extent (lon/lat): ");
            lines.push(format!("{label}{}", rect_text(r, 6)));
        }
    }
    lines.join("\n") + "\n"
}

/// "x0, y0 — x1, y1" with the given decimals.
pub fn rect_text(r: Rect<f64>, decimals: usize) -> String {
    format!("{:.d$}, {:.d$} — {:.d$}, {:.d$}", r.min().x, r.min().y, r.max().x, r.max().y, d = decimals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Crs, CrsUnits, Grid};
    use geo::{MultiPolygon, polygon};

    #[test]
    fn both_languages_state_the_same_counts_and_areas() {
        let mut p = Project::new("t", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        let square =
            MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 1000., y: 0.), (x: 1000., y: 1000.), (x: 0., y: 1000.)]]);
        p.boundary = square.clone();
        p.add_grid(Grid::new(square));
        let en = project_summary(&p, Lang::En);
        assert!(en.contains("grids 1,") && en.contains("boundary area: 1.000 km²"), "{en}");
        assert!(en.contains("extent (EPSG:4548): 0.0, 0.0 — 1000.0, 1000.0"), "{en}");
        let empty = Project::new("e", p.crs.clone());
        assert!(project_summary(&empty, Lang::En).contains("grid area: 0.000 km²"), "never -0.000");
        let zh = project_summary(&p, Lang::Zh);
        assert!(zh.contains("网格 1 个") && zh.contains("边界面积：1.000 km²"), "{zh}");
        assert_eq!(en.lines().count(), zh.lines().count());
        let mut roads = crate::core::ReferenceLayer::new("道路");
        roads.features.push(crate::core::ReferenceFeature {
            geometry: crate::core::ReferenceGeometry::Lines(geo::MultiLineString(vec![geo::LineString::from(vec![
                (0., 0.),
                (5., 5.),
            ])])),
            name: String::new(),
        });
        p.reference_layers = vec![roads, crate::core::ReferenceLayer::new("水系")];
        let en = project_summary(&p, Lang::En);
        assert!(en.contains("reference layers: 道路 1 features, 水系 0 features"), "{en}");
        let zh = project_summary(&p, Lang::Zh);
        assert!(zh.contains("参考图层：道路 1 个要素，水系 0 个要素"), "{zh}");
    }
}
