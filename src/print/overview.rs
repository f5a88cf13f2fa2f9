//! The overview map (网格划分图): the whole area fitted to the page at a round scale, grids in colours
//! that differ between neighbours with their code and name inside, village and township lines, the
//! boundary, title, legend, scale bar, north arrow, coordinate system, compiled-by and date.

use std::collections::BTreeMap;

use geo::{Area, BoundingRect, Coord, Rect};

use super::draw::{clip_to_frame, draw_labels, outline_in_frame, parts, to_page};
use super::labels::{LabelRequest, PlacedLabel, place_labels};
use super::map_frame::{MapFrame, north_arrow, scale_bar};
use super::page::{Align, Item, PT_PER_MM, Page, PageRect, Rgba, Stroke};
use super::{PrintOptions, fill_over, grid_label_lines, palette};
use crate::core::{GridId, GridKind, Project, colour_grids};

pub const BOUNDARY: Rgba = Rgba::rgb(150, 30, 30);
pub const TOWNSHIP_LINE: Rgba = Rgba::rgb(90, 50, 140);
pub const VILLAGE_LINE: Rgba = Rgba::rgb(120, 70, 160);
pub const GRID_LINE: Rgba = Rgba::rgb(70, 70, 70);
pub const DEDICATED_LINE: Rgba = Rgba::rgb(20, 90, 170);

/// What the overview drew, for checks (labels inside their grids, scale bar right).
pub struct OverviewLayout {
    pub map: MapFrame,
    /// The codes on the overview page itself (none when its grids are too small for them: then every
    /// code is on a detail sheet).
    pub labels: Vec<PlacedLabel>,
    /// The grids' largest parts on the page, by grid.
    pub grid_shapes: BTreeMap<GridId, geo::Polygon<f64>>,
    /// The scale bar's printed length (points) and the ground length it stands for (metres).
    pub scale_bar: (f64, f64),
    /// The smallest size a code is printed at (points).
    pub min_code_size: f64,
    /// Detail sheets at a larger scale, for grids too small on the overview to carry a readable code.
    pub details: Vec<DetailLayout>,
}

/// One detail sheet (分幅详图): its map, the part of the area it is responsible for and its codes.
pub struct DetailLayout {
    pub map: MapFrame,
    /// The grids whose anchor lies here are labelled on this sheet.
    pub tile: Rect<f64>,
    pub labels: Vec<PlacedLabel>,
    pub grid_shapes: BTreeMap<GridId, geo::Polygon<f64>>,
}

/// The default title: the printed range (the project, or the township printed) + 网格划分图.
pub fn default_title(project: &Project, township: Option<&str>) -> String {
    format!("{}网格划分图", super::range_name(project, township))
}

/// Codes are never printed smaller than this: 5 pt on A4 and A3, more on larger paper (read from
/// further away).
pub fn min_code_size(options: &PrintOptions) -> f64 {
    let (w, h) = options.paper.size(options.landscape);
    let (a3w, a3h) = super::Paper::A3.size(false);
    5.0 * ((w.min(h) / a3w.min(a3h)).sqrt()).max(1.0)
}

/// The overview map, followed by its detail sheets when its grids are too small for their codes.
pub fn overview_pages(project: &Project, options: &PrintOptions) -> Vec<Page> {
    overview(project, options).0
}

/// What a map sheet drew, for its legend.
#[derive(Default)]
struct Drawn {
    fills: std::collections::BTreeSet<u8>,
    basic: bool,
    dedicated: bool,
    township_lines: bool,
    village_lines: bool,
    boundary: bool,
    leaders: bool,
    detail_frames: bool,
    references: Vec<super::reference::DrawnReference>,
}

/// Grids, lines and boundary of `project` in `map`; returns the label requests (for the grids `label`
/// picks) and the grids' largest parts on the page.
fn draw_map(
    page: &mut Page,
    project: &Project,
    map: &MapFrame,
    colours: &BTreeMap<GridId, u8>,
    label: &dyn Fn(&crate::core::Grid) -> bool,
    drawn: &mut Drawn,
    options: &PrintOptions,
) -> (Vec<LabelRequest>, BTreeMap<GridId, geo::Polygon<f64>>) {
    let basemap = options.basemap.is_some();
    let visible = map.visible_world();
    let boundary_page = to_page(&project.boundary, map);
    if basemap {
        page.items.push(Item::BasemapSlot { map: *map });
    } else if !project.boundary.0.is_empty() {
        page.polygon(parts(&clip_to_frame(&boundary_page, map)), Some(Rgba::rgb(250, 250, 244)), None);
    }
    let mut requests = Vec::new();
    let mut grid_shapes = BTreeMap::new();
    for g in project.grids.values() {
        if !g.geometry.bounding_rect().is_some_and(|e| geo::Intersects::intersects(&e, &visible)) {
            continue;
        }
        let on_page = clip_to_frame(&to_page(&g.geometry, map), map);
        if on_page.0.is_empty() {
            continue;
        }
        let colour = colours.get(&g.id).copied().unwrap_or(0) % palette().len() as u8;
        drawn.fills.insert(colour);
        let fill = fill_over(palette()[colour as usize], basemap);
        let stroke = match g.kind {
            GridKind::Basic => {
                drawn.basic = true;
                Stroke::solid(GRID_LINE, 0.5)
            }
            GridKind::Dedicated => {
                drawn.dedicated = true;
                Stroke::solid(DEDICATED_LINE, 1.2)
            }
        };
        page.polygon(parts(&on_page), Some(fill), Some(stroke));
        if let Some(largest) = on_page.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area())) {
            grid_shapes.insert(g.id, largest.clone());
            if label(g) {
                requests.push(LabelRequest { grid: g.id, polygon: largest.clone(), lines: grid_label_lines(g) });
            }
        }
    }
    drawn.references = super::reference::draw_reference_layers(page, project, map, &options.hidden_references);
    for d in project.divisions.values() {
        let Some(polygon) = &d.polygon else { continue };
        let stroke = if d.code.is_village() { village_stroke() } else { township_stroke() };
        for line in outline_in_frame(&to_page(polygon, map), map) {
            if d.code.is_village() {
                drawn.village_lines = true;
            } else {
                drawn.township_lines = true;
            }
            page.line(line, stroke.clone());
        }
    }
    for line in outline_in_frame(&boundary_page, map) {
        drawn.boundary = true;
        page.line(line, Stroke::solid(BOUNDARY, 2.0));
    }
    (requests, grid_shapes)
}

fn village_stroke() -> Stroke {
    Stroke::dashed(VILLAGE_LINE, 0.9, &[4.0, 2.0])
}

fn township_stroke() -> Stroke {
    Stroke::dashed(TOWNSHIP_LINE, 1.4, &[7.0, 2.0, 1.5, 2.0])
}

const DETAIL_FRAME: Rgba = Rgba::rgb(200, 40, 40);

/// A point inside a grid (its largest part) in world coordinates: which detail sheet labels it.
fn anchor_in_world(g: &crate::core::Grid) -> Option<Coord<f64>> {
    use geo::InteriorPoint;
    let largest = g.geometry.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    largest.interior_point().map(|p| p.0)
}

/// How much larger than on the overview the grids must be drawn for their codes to fit at the minimum
/// size: for most grids (four in five) the code's block fits the grid's box with room to spare.
fn zoom_needed(labels_requests: &[LabelRequest], min: f64) -> f64 {
    let mut needs: Vec<f64> = labels_requests
        .iter()
        .filter_map(|r| {
            let code = r.lines.first()?;
            let b = r.polygon.bounding_rect()?;
            let one = (super::text_width(code, min) + min * 0.2, min * super::labels::LINE_HEIGHT);
            let cut = code.len().saturating_sub(3).max(code.len() / 2);
            let two = match (code.get(..cut), code.get(cut..)) {
                (Some(a), Some(_)) if code.is_ascii() && code.len() > 8 => {
                    (super::text_width(a, min) + min * 0.2, 2.0 * min * super::labels::LINE_HEIGHT)
                }
                _ => one,
            };
            let need = |(w, h): (f64, f64)| (w / b.width().max(1e-9)).max(h / b.height().max(1e-9));
            Some(need(one).min(need(two)) * 1.25)
        })
        .collect();
    if needs.is_empty() {
        return 1.0;
    }
    needs.sort_by(f64::total_cmp);
    needs[(needs.len() * 4 / 5).min(needs.len() - 1)].clamp(1.0, 12.0)
}

pub fn overview(project: &Project, options: &PrintOptions) -> (Vec<Page>, OverviewLayout) {
    let (w, h) = options.paper.size(options.landscape);
    let k = (w.min(h) / 595.0).sqrt();
    let margin = 12.0 * PT_PER_MM;
    let min = min_code_size(options);
    let base = (7.0 * k).max(min);
    let mut page = Page::new(w, h);
    let title = options.title.clone().unwrap_or_else(|| default_title(project, options.township.as_deref()));
    page.text((w / 2.0, margin + 20.0 * k), 20.0 * k, title.clone(), Rgba::BLACK, Align::Middle);
    let footer = 62.0 * k;
    let top = margin + 32.0 * k;
    let frame = PageRect::new(margin, top, w - 2.0 * margin, h - top - margin - footer);
    let extent = map_extent(project, options.township.is_some());
    let map = MapFrame::fit(frame.inset(6.0), extent, &project.crs, true);
    // The frame the map is clipped to is the whole drawn frame.
    let map = map.with_frame(frame);
    let colours = colour_grids(project, palette().len());
    let mut drawn = Drawn::default();
    let mut body = Page::new(w, h);
    let (requests, grid_shapes) = draw_map(&mut body, project, &map, &colours, &|_| true, &mut drawn, options);
    let frame_rect = frame.to_rect();
    // The north arrow's corner is kept free of labels.
    let arrow = Rect::new(
        Coord { x: frame.right() - 40.0 * k, y: frame.top },
        Coord { x: frame.right(), y: frame.top + 50.0 * k },
    );
    // Where too many grids are too small for their code at the minimum size, the overview becomes the
    // key to detail sheets at a larger scale, each labelling the grids whose anchor lies in it.
    let too_many = super::labels::more_unfit_than(&requests, base, min, (requests.len() / 20).max(3));
    let mut details = Vec::new();
    let mut detail_pages = Vec::new();
    let labels = if !too_many {
        let labels = place_labels(requests, base, min, frame_rect, &[arrow]);
        drawn.leaders = labels.iter().any(|l| l.leader.is_some());
        labels
    } else {
        let zoom = zoom_needed(&requests, min).max(1.5);
        let tiles = detail_tiles(project, &map, extent, zoom);
        drawn.detail_frames = !tiles.is_empty();
        for (i, tile) in tiles.iter().enumerate() {
            let (a, b) = (map.to_page(tile.min()), map.to_page(tile.max()));
            let r = PageRect::new(a.0.min(b.0), a.1.min(b.1), (b.0 - a.0).abs(), (b.1 - a.1).abs());
            body.rect(r, None, Some(Stroke::solid(DETAIL_FRAME, 1.2)));
            body.text((r.left + 3.0, r.top + 12.0 * k), 11.0 * k, (i + 1).to_string(), DETAIL_FRAME, Align::Start);
        }
        for (i, tile) in tiles.iter().enumerate() {
            let sheet_title = format!("{title}（{}）", crate::text::print::detail_sheet(i + 1, tiles.len()));
            let (p, d) = detail_sheet(project, options, &colours, *tile, &sheet_title, min, base);
            detail_pages.push(p);
            details.push(d);
        }
        Vec::new()
    };
    page.items.extend(body.items);
    draw_labels(&mut page, &labels, Rgba::BLACK);
    page.rect(frame, None, Some(Stroke::solid(Rgba::BLACK, 0.8)));
    north_arrow(&mut page, frame.right() - 20.0 * k, frame.top + 6.0, 26.0 * k);

    let footer = Footer { frame, margin, width: w, k };
    let bar = footer.draw(&mut page, &map, &drawn, project, options);
    let mut pages = vec![page];
    pages.extend(detail_pages);
    let layout = OverviewLayout { map, labels, grid_shapes, scale_bar: bar, min_code_size: min, details };
    (pages, layout)
}

/// Under the map frame of an overview or a detail sheet: scale bar and scale, legend, coordinate system
/// and credits.
struct Footer {
    frame: PageRect,
    margin: f64,
    /// The page's width in points.
    width: f64,
    /// Size factor of the paper (1 on A3).
    k: f64,
}

impl Footer {
    /// Draws the footer; returns the scale bar's printed length and the ground length it stands for.
    fn draw(
        &self,
        page: &mut Page,
        map: &MapFrame,
        drawn: &Drawn,
        project: &Project,
        options: &PrintOptions,
    ) -> (f64, f64) {
        let (margin, w, k) = (self.margin, self.width, self.k);
        let fy = self.frame.bottom() + 10.0 * k;
        let bar = scale_bar(page, map, margin + 4.0, fy + 22.0 * k, (w - 2.0 * margin) * 0.22);
        page.text(
            (margin + 4.0, fy + 36.0 * k),
            8.0 * k,
            format!("比例尺 1:{}", thousands(map.scale_denominator)),
            Rgba::BLACK,
            Align::Start,
        );
        // Between the scale bar and the credits (which take the right third).
        let (x, width) = (margin + (w - 2.0 * margin) * 0.25, (w - 2.0 * margin) * 0.42);
        legend(page, drawn, (x, width), fy, k);
        credits(page, project, options, w - margin, fy, k);
        bar
    }
}

/// Coordinate system, compiled-by and date, right-aligned at `right`.
fn credits(page: &mut Page, project: &Project, options: &PrintOptions, right: f64, fy: f64, k: f64) {
    // The coordinate system on two lines (datum, then projection) when it has both.
    let crs = format!("坐标系：{}", crate::text::print::crs_line(&project.crs, crate::text::Lang::Zh));
    let mut lines: Vec<String> = crs.split(" / ").map(str::to_string).collect();
    lines.push(format!("编制单位：{}", if options.compiled_by.is_empty() { "—" } else { &options.compiled_by }));
    lines.push(format!("编制日期：{}", options.date));
    for (i, line) in lines.into_iter().enumerate() {
        page.text((right, fy + (10.0 + 11.0 * i as f64) * k), 7.5 * k, line, Rgba::BLACK, Align::End);
    }
}

/// The detail sheets' parts of the area: the extent cut into equal tiles that, drawn `zoom` times
/// larger, fit the overview's frame; only tiles that label a grid are kept, west to east in rows from
/// the north.
fn detail_tiles(project: &Project, map: &MapFrame, extent: Rect<f64>, zoom: f64) -> Vec<Rect<f64>> {
    let visible = map.visible_world();
    let nx = ((extent.width() / visible.width()) * zoom).ceil().max(1.0) as usize;
    let ny = ((extent.height() / visible.height()) * zoom).ceil().max(1.0) as usize;
    let (tw, th) = (extent.width() / nx as f64, extent.height() / ny as f64);
    let anchored: Vec<(Coord<f64>, Rect<f64>)> =
        project.grids.values().filter_map(|g| Some((anchor_in_world(g)?, g.geometry.bounding_rect()?))).collect();
    let mut tiles = Vec::new();
    for row in 0..ny {
        for col in 0..nx {
            let x0 = extent.min().x + col as f64 * tw;
            let y1 = extent.max().y - row as f64 * th;
            let tile = Rect::new(Coord { x: x0, y: y1 - th }, Coord { x: x0 + tw, y: y1 });
            // Shrunk to the grids it labels (a tile along the county's edge is mostly empty): the
            // anchors stay inside, so every grid is still labelled on exactly one sheet.
            let content = crate::core::rect::union_all(
                anchored.iter().filter(|(a, _)| in_tile(&tile, *a)).map(|(_, extent)| *extent),
            );
            if let Some(c) = content {
                let min = Coord { x: c.min().x.max(tile.min().x), y: c.min().y.max(tile.min().y) };
                let max = Coord { x: c.max().x.min(tile.max().x), y: c.max().y.min(tile.max().y) };
                tiles.push(Rect::new(min, max));
            }
        }
    }
    tiles
}

/// Half-open, so that a point on a shared tile edge belongs to one tile only.
fn in_tile(tile: &Rect<f64>, c: Coord<f64>) -> bool {
    c.x >= tile.min().x && c.x < tile.max().x && c.y > tile.min().y && c.y <= tile.max().y
}

fn detail_sheet(
    project: &Project,
    options: &PrintOptions,
    colours: &BTreeMap<GridId, u8>,
    tile: Rect<f64>,
    title: &str,
    min: f64,
    base: f64,
) -> (Page, DetailLayout) {
    let (w, h) = options.paper.size(options.landscape);
    let k = (w.min(h) / 595.0).sqrt();
    let margin = 12.0 * PT_PER_MM;
    let mut page = Page::new(w, h);
    page.text((w / 2.0, margin + 20.0 * k), 18.0 * k, title, Rgba::BLACK, Align::Middle);
    let footer = 62.0 * k;
    let top = margin + 32.0 * k;
    let frame = PageRect::new(margin, top, w - 2.0 * margin, h - top - margin - footer);
    let map = MapFrame::fit(frame.inset(6.0), tile, &project.crs, true).with_frame(frame);
    let mut drawn = Drawn::default();
    let label = |g: &crate::core::Grid| anchor_in_world(g).is_some_and(|a| in_tile(&tile, a));
    let (requests, grid_shapes) = draw_map(&mut page, project, &map, colours, &label, &mut drawn, options);
    // The sheet's own part of the area, outlined: codes of the grids beyond it are on the next sheets.
    let (a, b) = (map.to_page(tile.min()), map.to_page(tile.max()));
    page.rect(
        PageRect::new(a.0.min(b.0), a.1.min(b.1), (b.0 - a.0).abs(), (b.1 - a.1).abs()),
        None,
        Some(Stroke::dashed(DETAIL_FRAME, 1.0, &[6.0, 3.0])),
    );
    drawn.detail_frames = true;
    let arrow = Rect::new(
        Coord { x: frame.right() - 40.0 * k, y: frame.top },
        Coord { x: frame.right(), y: frame.top + 50.0 * k },
    );
    let labels = place_labels(requests, base, min, frame.to_rect(), &[arrow]);
    drawn.leaders = labels.iter().any(|l| l.leader.is_some());
    draw_labels(&mut page, &labels, Rgba::BLACK);
    page.rect(frame, None, Some(Stroke::solid(Rgba::BLACK, 0.8)));
    north_arrow(&mut page, frame.right() - 20.0 * k, frame.top + 6.0, 26.0 * k);
    Footer { frame, margin, width: w, k }.draw(&mut page, &map, &drawn, project, options);
    (page, DetailLayout { map, tile, labels, grid_shapes })
}

/// What a legend entry shows.
enum Swatch {
    Line(Stroke),
    Area(Rgba, Stroke),
    /// The fills in use, side by side.
    Fills(Vec<Rgba>),
}

/// The legend of what the sheet shows: the fills by the colouring in use, the kinds of grid drawn,
/// the boundary and the township and village lines drawn, leader lines and detail-sheet frames.
/// The legend fits in `(x, width)`: a long layer name is shortened with "…", and entries that would
/// need a column beyond it are left out with a last "…" entry.
fn legend(page: &mut Page, drawn: &Drawn, (x, width): (f64, f64), y: f64, k: f64) {
    let size = 7.5 * k;
    let row = 10.5 * k;
    let mut entries: Vec<(std::borrow::Cow<str>, Swatch)> = Vec::new();
    if drawn.boundary {
        entries.push(("区域边界".into(), Swatch::Line(Stroke::solid(BOUNDARY, 2.0))));
    }
    if drawn.township_lines {
        entries.push(("乡镇（街道）界".into(), Swatch::Line(township_stroke())));
    }
    if drawn.village_lines {
        entries.push(("村（社区）界".into(), Swatch::Line(village_stroke())));
    }
    if !drawn.fills.is_empty() {
        let fills = drawn.fills.iter().map(|c| palette()[*c as usize % palette().len()]).collect();
        entries.push(("相邻网格不同色".into(), Swatch::Fills(fills)));
    }
    if drawn.basic {
        entries.push(("基础网格".into(), Swatch::Area(Rgba::WHITE, Stroke::solid(GRID_LINE, 0.5))));
    }
    if drawn.dedicated {
        entries.push(("专属网格".into(), Swatch::Area(Rgba::WHITE, Stroke::solid(DEDICATED_LINE, 1.2))));
    }
    for r in &drawn.references {
        let swatch = match r.lines {
            true => Swatch::Line(Stroke::solid(r.colour, super::reference::LINE_PT)),
            false => Swatch::Area(Rgba(r.colour.0, r.colour.1, r.colour.2, 60), Stroke::solid(r.colour, 0.5)),
        };
        entries.push((super::reference::shorten(&r.name, size, width / 2.0 - 30.0).into(), swatch));
    }
    if drawn.leaders {
        entries.push(("引线标注".into(), Swatch::Line(Stroke::solid(Rgba::rgb(60, 60, 60), 0.4))));
    }
    if drawn.detail_frames {
        entries.push(("分幅详图范围".into(), Swatch::Line(Stroke::solid(DETAIL_FRAME, 1.2))));
    }
    page.text((x, y + size), size * 1.1, "图例", Rgba::BLACK, Align::Start);
    let per_column = 4;
    let column_width = entries.iter().map(|(name, _)| super::text_width(name, size)).fold(0.0, f64::max) + 30.0;
    let fit = per_column * ((width / column_width).floor() as usize).max(1);
    if entries.len() > fit {
        entries.truncate(fit - 1);
        entries.push(("…".into(), Swatch::Line(Stroke::solid(Rgba::WHITE, 0.0))));
    }
    for (i, (name, swatch)) in entries.into_iter().enumerate() {
        let cx = x + (i / per_column) as f64 * column_width;
        let cy = y + size + row * (1 + i % per_column) as f64;
        let mid = cy - size * 0.35;
        match swatch {
            Swatch::Line(stroke) => page.line(vec![(cx, mid), (cx + 18.0, mid)], stroke),
            Swatch::Area(fill, stroke) => page.rect(PageRect::new(cx, mid - 4.0, 18.0, 8.0), Some(fill), Some(stroke)),
            Swatch::Fills(fills) => {
                let n = fills.len().min(6);
                let each = 18.0 / n as f64;
                for (j, fill) in fills.into_iter().take(n).enumerate() {
                    page.rect(PageRect::new(cx + j as f64 * each, mid - 4.0, each, 8.0), Some(fill), None);
                }
                page.rect(PageRect::new(cx, mid - 4.0, 18.0, 8.0), None, Some(Stroke::solid(GRID_LINE, 0.5)));
            }
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
