//! The overview map (网格划分图): the whole area fitted to the page at a round scale, grids in colours
//! that differ between neighbours with their code and name inside, village and township lines, the
//! boundary, title, legend, scale bar, north arrow, coordinate system, compiled-by and date.

use std::collections::BTreeMap;

use geo::{Area, BoundingRect, Coord, Rect};

use super::draw::{clip_to_frame, draw_labels, outline_in_frame, parts, to_page};
use super::labels::{LabelRequest, PlacedLabel, place_labels};
use super::map_frame::{MapFrame, north_arrow, scale_bar};
use super::page::{Align, PT_PER_MM, Page, PageRect, Rgba, Stroke};
use super::{PrintOptions, grid_label_lines, palette};
use crate::core::{GridId, GridKind, Project, colour_grids};

pub const BOUNDARY: Rgba = Rgba::rgb(150, 30, 30);
pub const TOWNSHIP_LINE: Rgba = Rgba::rgb(90, 50, 140);
pub const VILLAGE_LINE: Rgba = Rgba::rgb(120, 70, 160);
pub const GRID_LINE: Rgba = Rgba::rgb(70, 70, 70);
pub const DEDICATED_LINE: Rgba = Rgba::rgb(20, 90, 170);

/// What the overview drew, for checks (labels inside their grids, scale bar right).
pub struct OverviewLayout {
    pub map: MapFrame,
    pub labels: Vec<PlacedLabel>,
    /// The grids' largest parts on the page, by grid.
    pub grid_shapes: BTreeMap<GridId, geo::Polygon<f64>>,
    /// The scale bar's printed length (points) and the ground length it stands for (metres).
    pub scale_bar: (f64, f64),
}

/// The default title: the project name (and the township, when all grids lie in one) + 网格划分图.
pub fn default_title(project: &Project) -> String {
    let townships: std::collections::BTreeSet<&str> =
        project.grids.values().filter_map(|g| g.village_code.get(..9)).collect();
    if townships.len() == 1
        && let Some(t) = townships.iter().next().and_then(|code| project.divisions.get(*code))
        && !project.name.contains(&t.name)
    {
        return format!("{}{}网格划分图", project.name, t.name);
    }
    format!("{}网格划分图", project.name)
}

pub fn overview(project: &Project, options: &PrintOptions) -> (Page, OverviewLayout) {
    let (w, h) = options.paper.size(options.landscape);
    let k = (w.min(h) / 595.0).sqrt();
    let margin = 12.0 * PT_PER_MM;
    let mut page = Page::new(w, h);
    let title = options.title.clone().unwrap_or_else(|| default_title(project));
    page.text((w / 2.0, margin + 20.0 * k), 20.0 * k, title, Rgba::BLACK, Align::Middle);
    let footer = 62.0 * k;
    let top = margin + 32.0 * k;
    let frame = PageRect::new(margin, top, w - 2.0 * margin, h - top - margin - footer);
    let extent = map_extent(project, options.township.is_some());
    let map = MapFrame::fit(frame.inset(6.0), extent, &project.crs, true);
    // The frame the map is clipped to is the whole drawn frame.
    let map = map.with_frame(frame);
    let boundary_page = to_page(&project.boundary, &map);
    if !project.boundary.0.is_empty() {
        page.polygon(parts(&clip_to_frame(&boundary_page, &map)), Some(Rgba::rgb(250, 250, 244)), None);
    }
    let colours = colour_grids(project, palette().len());
    let mut requests = Vec::new();
    let mut grid_shapes = BTreeMap::new();
    for g in project.grids.values() {
        let on_page = clip_to_frame(&to_page(&g.geometry, &map), &map);
        if on_page.0.is_empty() {
            continue;
        }
        let fill = palette()[colours.get(&g.id).copied().unwrap_or(0) as usize % palette().len()];
        let stroke = match g.kind {
            GridKind::Basic => Stroke::solid(GRID_LINE, 0.5),
            GridKind::Dedicated => Stroke::solid(DEDICATED_LINE, 1.2),
        };
        page.polygon(parts(&on_page), Some(fill), Some(stroke));
        if let Some(largest) = on_page.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area())) {
            grid_shapes.insert(g.id, largest.clone());
            requests.push(LabelRequest { grid: g.id, polygon: largest.clone(), lines: grid_label_lines(g) });
        }
    }
    for d in project.divisions.values() {
        let Some(polygon) = &d.polygon else { continue };
        let stroke = if d.code.is_village() {
            Stroke::dashed(VILLAGE_LINE, 0.9, &[4.0, 2.0])
        } else {
            Stroke::dashed(TOWNSHIP_LINE, 1.4, &[7.0, 2.0, 1.5, 2.0])
        };
        for line in outline_in_frame(&to_page(polygon, &map), &map) {
            page.line(line, stroke.clone());
        }
    }
    for line in outline_in_frame(&boundary_page, &map) {
        page.line(line, Stroke::solid(BOUNDARY, 2.0));
    }
    let frame_rect = frame.to_rect();
    // The north arrow's corner is kept free of labels.
    let arrow = Rect::new(
        Coord { x: frame.right() - 40.0 * k, y: frame.top },
        Coord { x: frame.right(), y: frame.top + 50.0 * k },
    );
    let labels = place_labels(requests, 7.0 * k, 3.2, frame_rect, &[arrow]);
    draw_labels(&mut page, &labels, Rgba::BLACK);
    page.rect(frame, None, Some(Stroke::solid(Rgba::BLACK, 0.8)));
    north_arrow(&mut page, frame.right() - 20.0 * k, frame.top + 6.0, 26.0 * k);

    // Footer: scale bar and scale, legend, coordinate system and credits.
    let fy = frame.bottom() + 10.0 * k;
    let bar = scale_bar(&mut page, &map, margin + 4.0, fy + 22.0 * k, (w - 2.0 * margin) * 0.22);
    page.text(
        (margin + 4.0, fy + 36.0 * k),
        8.0 * k,
        format!("比例尺 1:{}", thousands(map.scale_denominator)),
        Rgba::BLACK,
        Align::Start,
    );
    legend(&mut page, project, margin + (w - 2.0 * margin) * 0.30, fy, k);
    let right = w - margin;
    let lines = [
        format!("坐标系：{}（{}）", project.crs.name, project.crs.auth_id()),
        format!("编制单位：{}", if options.compiled_by.is_empty() { "—" } else { &options.compiled_by }),
        format!("编制日期：{}", options.date),
    ];
    for (i, line) in lines.into_iter().enumerate() {
        page.text((right, fy + (10.0 + 12.0 * i as f64) * k), 7.5 * k, line, Rgba::BLACK, Align::End);
    }
    (page, OverviewLayout { map, labels, grid_shapes, scale_bar: bar })
}

/// What a legend entry shows.
enum Swatch {
    Line(Stroke),
    Area(Rgba, Stroke),
}

fn legend(page: &mut Page, project: &Project, x: f64, y: f64, k: f64) {
    let size = 7.5 * k;
    let row = 11.0 * k;
    let mut entries = vec![("区域边界", Swatch::Line(Stroke::solid(BOUNDARY, 2.0)))];
    if project.townships().any(|t| t.polygon.is_some()) {
        entries.push(("乡镇（街道）界", Swatch::Line(Stroke::dashed(TOWNSHIP_LINE, 1.4, &[7.0, 2.0, 1.5, 2.0]))));
    }
    if project.villages().any(|v| v.polygon.is_some()) {
        entries.push(("村（社区）界", Swatch::Line(Stroke::dashed(VILLAGE_LINE, 0.9, &[4.0, 2.0]))));
    }
    entries.push(("基础网格", Swatch::Area(palette()[1], Stroke::solid(GRID_LINE, 0.5))));
    if project.grids.values().any(|g| g.kind == GridKind::Dedicated) {
        entries.push(("专属网格", Swatch::Area(palette()[1], Stroke::solid(DEDICATED_LINE, 1.2))));
    }
    page.text((x, y + size), size * 1.1, "图例", Rgba::BLACK, Align::Start);
    let per_column = 3;
    for (i, (name, swatch)) in entries.into_iter().enumerate() {
        let cx = x + (i / per_column) as f64 * 90.0 * k;
        let cy = y + size + row * (1 + i % per_column) as f64;
        let mid = cy - size * 0.35;
        match swatch {
            Swatch::Line(stroke) => page.line(vec![(cx, mid), (cx + 18.0, mid)], stroke),
            Swatch::Area(fill, stroke) => page.rect(PageRect::new(cx, mid - 4.0, 18.0, 8.0), Some(fill), Some(stroke)),
        }
        page.text((cx + 22.0, cy), size, name, Rgba::BLACK, Align::Start);
    }
}

/// The area the overview shows: the boundary, else the grids, else everything (the grids first for a
/// township's own map).
pub fn map_extent(project: &Project, grids_first: bool) -> Rect<f64> {
    let boundary = if grids_first { None } else { project.boundary.bounding_rect() };
    boundary
        .or_else(|| crate::core::rect::union_all(project.grids.values().filter_map(|g| g.geometry.bounding_rect())))
        .or_else(|| project.extent())
        .unwrap_or_else(|| Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 1.0 }))
}

/// 50000 → "50,000".
pub fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
