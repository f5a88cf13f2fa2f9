//! The atlas (网格图): an index, then one page per grid ordered by code — the grid in focus with its
//! neighbours greyed and labelled, scale bar and north arrow, and the grid's record: code, name, kind,
//! village, area, households, population, party members, grid head and staff with phones, and 四至.

use std::collections::BTreeMap;

use geo::{Area, BoundingRect, Coord, Rect};

use super::draw::{clip_to_frame, draw_labels, outline_in_frame, parts, to_page};
use super::font::text_width;
use super::labels::{LabelRequest, place_labels};
use super::map_frame::{MapFrame, north_arrow, scale_bar};
use super::order::{atlas_order, village_name};
use super::overview::{BOUNDARY, GRID_LINE, VILLAGE_LINE, thousands};
use super::page::{Align, Item, PT_PER_MM, Page, PageRect, Rgba, Stroke};
use super::table::{Column, paginate_table};
use super::{PrintOptions, fill_over, grid_label_lines, palette};
use crate::core::codes::{FourSides, Side, four_sides};
use crate::core::{Grid, GridId, Project, area_m2, area_text, colour_grids};
use crate::io::true_north::ground_axes_for;

const NEIGHBOUR_FILL: Rgba = Rgba::rgb(225, 225, 225);
const FOCUS_LINE: Rgba = Rgba::rgb(200, 30, 30);

/// The index pages followed by one page per grid; `before` pages precede the atlas in the document,
/// so the index gives the sheets' page numbers in it.
pub fn atlas(project: &Project, options: &PrintOptions, before: usize) -> Vec<Page> {
    let order = atlas_order(project);
    let sides = four_sides(project, &ground_axes_for(&project.crs));
    let colours = colour_grids(project, palette().len());
    let columns = [
        Column::new("序号", 0.08, Align::End),
        Column::new("网格编码", 0.26, Align::Start),
        Column::new("网格名称", 0.26, Align::Start),
        Column::new("所属村（社区）", 0.28, Align::Start),
        Column::new("页码", 0.12, Align::End),
    ];
    let title = format!("{}网格图索引", super::range_name(project, options.township.as_deref()));
    // The sheets' page numbers depend on how many pages the index takes: laid out again until the
    // count it was numbered for is the count it takes (once or twice).
    let mut index_pages = 1;
    let mut tries = 0;
    let mut pages = loop {
        tries += 1;
        let first_page = before + index_pages + 1;
        let rows: Vec<Vec<String>> = order
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let page = (first_page + i).to_string();
                vec![(i + 1).to_string(), g.label(), g.name.clone(), village_name(project, g), page]
            })
            .collect();
        let pages = paginate_table(options, &title, &columns, &rows);
        if pages.len() == index_pages || tries >= 4 {
            break pages;
        }
        index_pages = pages.len();
    };
    for g in &order {
        pages.push(grid_page(project, options, g, &sides, &colours));
    }
    pages
}

/// Everything on one side, "、"-separated, broken into lines of at most `width` points at `size`
/// (between items where possible, so that no neighbour's code is split).
fn side_lines(project: &Project, side: &[Side], size: f64, width: f64) -> Vec<String> {
    if side.is_empty() {
        return vec!["—".into()];
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (i, item) in side.iter().enumerate() {
        let piece = crate::text::codes::side_text(project, *item) + if i + 1 < side.len() { "、" } else { "" };
        if !line.is_empty() && text_width(&(line.clone() + &piece), size) > width {
            lines.push(std::mem::take(&mut line));
        }
        // An item longer than the line on its own is broken by character.
        for c in piece.chars() {
            if !line.is_empty() && text_width(&format!("{line}{c}"), size) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    lines.push(line);
    lines
}

fn count(v: Option<u32>) -> String {
    v.map_or_else(|| "—".into(), |n| n.to_string())
}

fn grid_page(
    project: &Project,
    options: &PrintOptions,
    g: &Grid,
    sides: &BTreeMap<GridId, FourSides>,
    colours: &BTreeMap<GridId, u8>,
) -> Page {
    let (w, h) = options.paper.size(options.landscape);
    let margin = 12.0 * PT_PER_MM;
    let mut page = Page::new(w, h);
    page.text((w / 2.0, margin + 18.0), 18.0, format!("网格图  {}", g.label()), Rgba::BLACK, Align::Middle);
    let subtitle = [village_name(project, g), g.name.clone()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    page.text((w / 2.0, margin + 36.0), 11.0, subtitle, Rgba::rgb(60, 60, 60), Align::Middle);
    let top = margin + 46.0;
    let frame = PageRect::new(margin, top, w - 2.0 * margin, (h - top - margin) * 0.56);
    let Some(bbox) = g.geometry.bounding_rect() else { return page };
    let pad = bbox.width().max(bbox.height()) * 0.35;
    let extent = crate::core::rect::grow(bbox, pad);
    let map = MapFrame::fit(frame, extent, &project.crs, true);
    let visible = map.visible_world();
    let boundary = to_page(&project.boundary, &map);
    let basemap = options.basemap.is_some();
    if basemap {
        page.items.push(Item::BasemapSlot { map });
    } else if !project.boundary.0.is_empty() {
        page.polygon(parts(&clip_to_frame(&boundary, &map)), Some(Rgba::rgb(250, 250, 244)), None);
    }
    let mut requests = Vec::new();
    for other in project.grids.values() {
        let Some(e) = other.geometry.bounding_rect() else { continue };
        if other.id == g.id || !geo::Intersects::intersects(&e, &visible) {
            continue;
        }
        let on_page = clip_to_frame(&to_page(&other.geometry, &map), &map);
        if on_page.0.is_empty() {
            continue;
        }
        page.polygon(parts(&on_page), Some(fill_over(NEIGHBOUR_FILL, basemap)), Some(Stroke::solid(GRID_LINE, 0.5)));
        if let Some(largest) = on_page.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area())) {
            requests.push(LabelRequest { grid: other.id, polygon: largest.clone(), lines: grid_label_lines(other) });
        }
    }
    let focus = clip_to_frame(&to_page(&g.geometry, &map), &map);
    let fill = fill_over(palette()[colours.get(&g.id).copied().unwrap_or(0) as usize % palette().len()], basemap);
    page.polygon(parts(&focus), Some(fill), Some(Stroke::solid(FOCUS_LINE, 2.2)));
    // Roads and rivers over the grids (those inside the sheet's grid are what its 四至 are read from).
    let references = super::reference::draw_reference_layers(&mut page, project, &map, &options.hidden_references);
    for v in project.villages() {
        if let Some(polygon) = &v.polygon {
            for line in outline_in_frame(&to_page(polygon, &map), &map) {
                page.line(line, Stroke::dashed(VILLAGE_LINE, 0.9, &[4.0, 2.0]));
            }
        }
    }
    for line in outline_in_frame(&boundary, &map) {
        page.line(line, Stroke::solid(BOUNDARY, 2.0));
    }
    if let Some(largest) = focus.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area())) {
        requests.push(LabelRequest { grid: g.id, polygon: largest.clone(), lines: grid_label_lines(g) });
    }
    let frame_rect = frame.to_rect();
    let arrow =
        Rect::new(Coord { x: frame.right() - 40.0, y: frame.top }, Coord { x: frame.right(), y: frame.top + 50.0 });
    // Neighbours' labels only where they fit inside (no leader lines on a sheet about one grid).
    let key = super::reference::key_box(&references, frame).map(|k| k.to_rect());
    let obstacles: Vec<Rect> = std::iter::once(arrow).chain(key).collect();
    let labels: Vec<_> = place_labels(requests, 9.0, 5.0, frame_rect, &obstacles)
        .into_iter()
        .filter(|l| l.leader.is_none() || l.grid == g.id)
        .collect();
    draw_labels(&mut page, &labels, Rgba::BLACK);
    super::reference::draw_key(&mut page, &references, frame);
    page.rect(frame, None, Some(Stroke::solid(Rgba::BLACK, 0.8)));
    north_arrow(&mut page, frame.right() - 20.0, frame.top + 6.0, 24.0);
    let bar_y = frame.bottom() - 8.0;
    let bar_box = PageRect::new(frame.left + 4.0, bar_y - 24.0, frame.width * 0.3 + 16.0, 28.0);
    page.rect(bar_box, Some(Rgba(255, 255, 255, 220)), None);
    scale_bar(&mut page, &map, frame.left + 12.0, bar_y, frame.width * 0.25);
    page.text(
        (frame.left + frame.width * 0.3 + 16.0, bar_y),
        7.0,
        format!("1:{}", thousands(map.scale_denominator)),
        Rgba::BLACK,
        Align::End,
    );

    // The record.
    let s = sides.get(&g.id).cloned().unwrap_or_default();
    let area = area_m2(&g.geometry, &project.crs);
    let phone_of = |name: &str| if name.is_empty() { "—".to_string() } else { name.to_string() };
    let rows: Vec<(&str, String)> = vec![
        ("网格编码", g.label()),
        ("网格名称", if g.name.is_empty() { "—".into() } else { g.name.clone() }),
        ("网格类型", format!("{}（{}）", g.kind.label_zh(), g.class.label_zh())),
        ("所属村（社区）", phone_of(&village_name(project, g))),
        ("面积", area_text(area)),
        ("户数", count(g.attrs.households)),
        ("人口", count(g.attrs.population)),
        ("党员", count(g.attrs.party_members)),
        ("网格长", phone_of(&g.attrs.grid_head)),
        ("网格员", phone_of(&g.attrs.grid_staff)),
        ("联系电话", phone_of(&g.attrs.phone)),
    ];
    // 四至 names every neighbour of a side, so a side may take several lines; the rows shrink (and the
    // type with them, down to 7 pt) to keep the record on the page.
    let label_x = margin + 8.0;
    let value_x = margin + 110.0;
    let value_width = w - margin - 6.0 - value_x;
    let y0 = frame.bottom() + 22.0;
    let available = h - margin - 24.0 - y0;
    let mut size = 10.5;
    let record = loop {
        let mut record: Vec<(&str, Vec<String>)> = rows.iter().map(|(l, v)| (*l, vec![v.clone()])).collect();
        for (label, side) in [("四至  东", &s.east), ("南", &s.south), ("西", &s.west), ("北", &s.north)] {
            record.push((label, side_lines(project, side, size, value_width)));
        }
        let lines: usize = record.iter().map(|r| r.1.len()).sum();
        if size <= 7.0 || lines as f64 * size * 1.45 <= available {
            break record;
        }
        size = (size - 0.5).max(7.0);
    };
    let lines: usize = record.iter().map(|r| r.1.len()).sum();
    let line_h = (available / lines as f64).min(size * 1.9);
    let mut y = y0;
    for (i, (label, value)) in record.iter().enumerate() {
        let row_h = line_h * value.len() as f64;
        if i % 2 == 0 {
            page.rect(
                PageRect::new(margin, y - line_h * 0.72, w - 2.0 * margin, row_h),
                Some(Rgba::rgb(244, 244, 244)),
                None,
            );
        }
        page.text((label_x, y), size.min(10.0), *label, Rgba::rgb(70, 70, 70), Align::Start);
        for (k, text) in value.iter().enumerate() {
            page.text((value_x, y + k as f64 * line_h), size, text.clone(), Rgba::BLACK, Align::Start);
        }
        y += row_h;
    }
    page.text((margin, h - margin), 8.0, format!("编制日期：{}", options.date), Rgba::rgb(90, 90, 90), Align::Start);
    page
}
