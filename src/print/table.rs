//! Tables on pages: the grid table (网格一览表) and the atlas index, paginated with the header repeated
//! on every page and text cut with an ellipsis to its column.

use super::PrintOptions;
use super::font::text_width;
use super::order::{atlas_order, village_name};
use super::page::{Align, PT_PER_MM, Page, PageRect, Rgba, Stroke};
use crate::core::{Project, area_m2};

pub struct Column {
    pub title: &'static str,
    /// Share of the table's width.
    pub share: f64,
    pub align: Align,
}

impl Column {
    pub fn new(title: &'static str, share: f64, align: Align) -> Column {
        Column { title, share, align }
    }
}

const ROW: f64 = 17.0;
const SIZE: f64 = 9.0;

/// `text` cut to `width` points with an ellipsis.
pub fn fit_text(text: &str, size: f64, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if text_width(&out, size) + text_width("…", size) > width {
            out.pop();
            break;
        }
    }
    out + "…"
}

/// How many rows fit on one page below the title and the header.
pub fn rows_per_page(options: &PrintOptions) -> usize {
    let (_, h) = options.paper.size(options.landscape);
    let margin = 12.0 * PT_PER_MM;
    let table_top = margin + 40.0;
    (((h - margin - 20.0) - (table_top + ROW)) / ROW).floor().max(1.0) as usize
}

/// Lays `rows` out on as many pages as they need. Pages are numbered from `first_number` of `total`
/// (no page numbers when `total` is 0).
pub fn paginate_table(
    options: &PrintOptions,
    title: &str,
    columns: &[Column],
    rows: &[Vec<String>],
    first_number: usize,
    total: usize,
) -> Vec<Page> {
    let (w, h) = options.paper.size(options.landscape);
    let margin = 12.0 * PT_PER_MM;
    let table_top = margin + 40.0;
    let per_page = rows_per_page(options);
    let width = w - 2.0 * margin;
    let mut pages = Vec::new();
    let chunks: Vec<&[Vec<String>]> = if rows.is_empty() { vec![&[]] } else { rows.chunks(per_page).collect() };
    for (n, chunk) in chunks.iter().enumerate() {
        let mut page = Page::new(w, h);
        page.text((w / 2.0, margin + 18.0), 16.0, title, Rgba::BLACK, Align::Middle);
        let mut y = table_top;
        header(&mut page, columns, margin, y, width);
        y += ROW;
        for (i, row) in chunk.iter().enumerate() {
            if i % 2 == 1 {
                page.rect(PageRect::new(margin, y, width, ROW), Some(Rgba::rgb(245, 245, 245)), None);
            }
            cells(&mut page, columns, row, margin, y, width, Rgba::BLACK);
            y += ROW;
        }
        page.line(vec![(margin, y), (margin + width, y)], Stroke::solid(Rgba::BLACK, 0.8));
        if total > 0 {
            let number = first_number + n;
            page.text(
                (w - margin, h - margin),
                8.0,
                format!("第 {number} 页 / 共 {total} 页"),
                Rgba::rgb(90, 90, 90),
                Align::End,
            );
        } else {
            page.text(
                (w - margin, h - margin),
                8.0,
                format!("第 {} 页 / 共 {} 页", n + 1, chunks.len()),
                Rgba::rgb(90, 90, 90),
                Align::End,
            );
        }
        page.text(
            (margin, h - margin),
            8.0,
            format!("编制日期：{}", options.date),
            Rgba::rgb(90, 90, 90),
            Align::Start,
        );
        pages.push(page);
    }
    pages
}

fn header(page: &mut Page, columns: &[Column], x0: f64, y: f64, width: f64) {
    page.rect(PageRect::new(x0, y, width, ROW), Some(Rgba::rgb(225, 232, 242)), None);
    page.line(vec![(x0, y), (x0 + width, y)], Stroke::solid(Rgba::BLACK, 0.8));
    page.line(vec![(x0, y + ROW), (x0 + width, y + ROW)], Stroke::solid(Rgba::BLACK, 0.5));
    let titles: Vec<String> = columns.iter().map(|c| c.title.to_string()).collect();
    cells(page, columns, &titles, x0, y, width, Rgba::BLACK);
}

fn cells(page: &mut Page, columns: &[Column], row: &[String], x0: f64, y: f64, width: f64, color: Rgba) {
    let mut x = x0;
    for (c, text) in columns.iter().zip(row) {
        let cw = c.share * width;
        let pad = 4.0;
        let shown = fit_text(text, SIZE, cw - 2.0 * pad);
        let at = match c.align {
            Align::Start => (x + pad, y + ROW * 0.7),
            Align::Middle => (x + cw / 2.0, y + ROW * 0.7),
            Align::End => (x + cw - pad, y + ROW * 0.7),
        };
        page.text(at, SIZE, shown, color, c.align);
        x += cw;
    }
}

/// The grid table (网格一览表): every grid, in atlas order.
pub fn grid_table(project: &Project, options: &PrintOptions) -> Vec<Page> {
    let columns = [
        Column::new("序号", 0.06, Align::End),
        Column::new("网格编码", 0.16, Align::Start),
        Column::new("网格名称", 0.14, Align::Start),
        Column::new("所属村（社区）", 0.16, Align::Start),
        Column::new("面积（km²）", 0.09, Align::End),
        Column::new("户数", 0.07, Align::End),
        Column::new("人口", 0.07, Align::End),
        Column::new("网格员", 0.12, Align::Start),
        Column::new("联系电话", 0.13, Align::Start),
    ];
    let opt = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = atlas_order(project)
        .iter()
        .enumerate()
        .map(|(i, g)| {
            vec![
                (i + 1).to_string(),
                g.label(),
                g.name.clone(),
                village_name(project, g),
                format!("{:.3}", area_m2(&g.geometry, &project.crs) / 1e6),
                opt(g.attrs.households),
                opt(g.attrs.population),
                g.attrs.grid_staff.clone(),
                g.attrs.phone.clone(),
            ]
        })
        .collect();
    let title = format!("{}网格一览表", project.name);
    paginate_table(options, &title, &columns, &rows, 0, 0)
}
