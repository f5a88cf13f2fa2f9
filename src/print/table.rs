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
const PAD: f64 = 4.0;

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

/// The columns' widths (points) for `rows` across `width`: each column gets what its header and its
/// widest cell need, as far as the width allows; what is left over is shared by the shares, and when
/// the needs do not all fit, the columns that need more than their share give way (their cells are
/// cut with an ellipsis; headers wrap instead, see [`header_lines`]).
pub fn column_widths(columns: &[Column], rows: &[Vec<String>], width: f64) -> Vec<f64> {
    let pad = 2.0 * PAD;
    let need: Vec<f64> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cells = rows.iter().filter_map(|r| r.get(i)).map(|t| text_width(t, SIZE)).fold(0.0, f64::max);
            text_width(c.title, SIZE).max(cells) + pad
        })
        .collect();
    let total: f64 = need.iter().sum();
    if total <= width {
        let spare = width - total;
        let shares: f64 = columns.iter().map(|c| c.share).sum::<f64>().max(1e-9);
        return need.iter().zip(columns).map(|(n, c)| n + spare * c.share / shares).collect();
    }
    // Water-filling: columns needing no more than an equal part of what is left get their need.
    let mut widths = vec![0.0; columns.len()];
    let mut open: Vec<usize> = (0..columns.len()).collect();
    let mut left = width;
    loop {
        let shares: f64 = open.iter().map(|&i| columns[i].share).sum::<f64>().max(1e-9);
        let (fits, rest): (Vec<usize>, Vec<usize>) =
            open.iter().partition(|&&i| need[i] <= left * columns[i].share / shares);
        if fits.is_empty() {
            for &i in &rest {
                widths[i] = left * columns[i].share / shares;
            }
            break;
        }
        for &i in &fits {
            widths[i] = need[i];
            left -= need[i];
        }
        open = rest;
        if open.is_empty() {
            break;
        }
    }
    widths
}

/// A header broken into lines that each fit `width` (between characters, after a closing bracket or
/// before an opening one where possible): headers are never cut.
pub fn header_lines(title: &str, width: f64) -> Vec<String> {
    if text_width(title, SIZE) <= width {
        return vec![title.to_string()];
    }
    let chars: Vec<char> = title.chars().collect();
    let mut lines = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let mut end = start + 1;
        while end < chars.len() && text_width(&chars[start..=end].iter().collect::<String>(), SIZE) <= width {
            end += 1;
        }
        if end < chars.len() {
            // Prefer to break before "（" or after "）" within the line.
            if let Some(b) = (start + 1..end).rev().find(|&b| chars[b] == '（' || chars[b - 1] == '）') {
                end = b;
            }
        }
        lines.push(chars[start..end].iter().collect());
        start = end;
    }
    lines
}

/// How many rows fit on a page below the title and a header of `header_rows` lines.
fn rows_per_page(options: &PrintOptions, header_rows: usize) -> usize {
    let (_, h) = options.paper.size(options.landscape);
    let margin = 12.0 * PT_PER_MM;
    let table_top = margin + 40.0;
    let header = header_height(header_rows);
    (((h - margin - 20.0) - (table_top + header)) / ROW).floor().max(1.0) as usize
}

fn header_height(lines: usize) -> f64 {
    ROW + (lines.max(1) - 1) as f64 * SIZE * 1.2
}

/// Lays `rows` out on as many pages as they need, the header on every page (page numbers are
/// stamped on the whole document afterwards).
pub fn paginate_table(options: &PrintOptions, title: &str, columns: &[Column], rows: &[Vec<String>]) -> Vec<Page> {
    let (w, h) = options.paper.size(options.landscape);
    let margin = 12.0 * PT_PER_MM;
    let table_top = margin + 40.0;
    let width = w - 2.0 * margin;
    let widths = column_widths(columns, rows, width);
    let headers: Vec<Vec<String>> =
        columns.iter().zip(&widths).map(|(c, cw)| header_lines(c.title, cw - 2.0 * PAD)).collect();
    let header_rows = headers.iter().map(Vec::len).max().unwrap_or(1);
    let per_page = rows_per_page(options, header_rows);
    let mut pages = Vec::new();
    let chunks: Vec<&[Vec<String>]> = if rows.is_empty() { vec![&[]] } else { rows.chunks(per_page).collect() };
    for chunk in &chunks {
        let mut page = Page::new(w, h);
        page.text((w / 2.0, margin + 18.0), 16.0, title, Rgba::BLACK, Align::Middle);
        let mut y = table_top;
        y += header(&mut page, columns, &widths, &headers, margin, y, width);
        for (i, row) in chunk.iter().enumerate() {
            if i % 2 == 1 {
                page.rect(PageRect::new(margin, y, width, ROW), Some(Rgba::rgb(245, 245, 245)), None);
            }
            cells(&mut page, columns, &widths, row, margin, y, Rgba::BLACK);
            y += ROW;
        }
        page.line(vec![(margin, y), (margin + width, y)], Stroke::solid(Rgba::BLACK, 0.8));
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

/// Draws the header (its lines bottom-aligned in the row); returns its height.
fn header(
    page: &mut Page,
    columns: &[Column],
    widths: &[f64],
    headers: &[Vec<String>],
    x0: f64,
    y: f64,
    width: f64,
) -> f64 {
    let rows = headers.iter().map(Vec::len).max().unwrap_or(1);
    let height = header_height(rows);
    page.rect(PageRect::new(x0, y, width, height), Some(Rgba::rgb(225, 232, 242)), None);
    page.line(vec![(x0, y), (x0 + width, y)], Stroke::solid(Rgba::BLACK, 0.8));
    page.line(vec![(x0, y + height), (x0 + width, y + height)], Stroke::solid(Rgba::BLACK, 0.5));
    let mut x = x0;
    for ((c, cw), lines) in columns.iter().zip(widths).zip(headers) {
        for (k, line) in lines.iter().enumerate() {
            let from_bottom = (lines.len() - 1 - k) as f64 * SIZE * 1.2;
            let baseline = y + height - ROW * 0.3 - from_bottom;
            page.text(anchor(c.align, x, *cw, baseline), SIZE, line.clone(), Rgba::BLACK, c.align);
        }
        x += cw;
    }
    height
}

fn anchor(align: Align, x: f64, cw: f64, baseline: f64) -> (f64, f64) {
    match align {
        Align::Start => (x + PAD, baseline),
        Align::Middle => (x + cw / 2.0, baseline),
        Align::End => (x + cw - PAD, baseline),
    }
}

fn cells(page: &mut Page, columns: &[Column], widths: &[f64], row: &[String], x0: f64, y: f64, color: Rgba) {
    let mut x = x0;
    for ((c, cw), text) in columns.iter().zip(widths).zip(row) {
        let shown = fit_text(text, SIZE, cw - 2.0 * PAD);
        page.text(anchor(c.align, x, *cw, y + ROW * 0.7), SIZE, shown, color, c.align);
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
    let title = format!("{}网格一览表", super::range_name(project, options.township.as_deref()));
    paginate_table(options, &title, &columns, &rows)
}
