//! Excel workbooks (.xlsx) for the tables county offices exchange: one sheet, a bold header row frozen at
//! the top, numbers stored as numbers.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook};

use super::error::{IoError, Problem, Written};

/// Writes `rows` under `header` on a sheet named `sheet`. Cells that read as numbers are written as
/// numbers (so that Excel can sum them); codes with leading digits stay text when `text_columns` says so.
pub fn write_xlsx(
    path: &Path,
    sheet: &str,
    header: &[&str],
    rows: &[Vec<String>],
    text_columns: &[usize],
) -> Result<(), IoError> {
    let fail = |e: rust_xlsxwriter::XlsxError| {
        IoError::new(path, Problem::WriteFailed { what: Written::Workbook, detail: e.to_string() })
    };
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(fail)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(fail)?;
        ws.set_column_width(c as u16, if text_columns.contains(&c) { 18 } else { 12 }).map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.iter().enumerate() {
            let number = if text_columns.contains(&c) { None } else { value.parse::<f64>().ok() };
            match number {
                Some(n) => ws.write_number(r, c as u16, n).map_err(fail)?,
                None => ws.write_string(r, c as u16, value).map_err(fail)?,
            };
        }
    }
    book.save(path).map_err(fail)
}
