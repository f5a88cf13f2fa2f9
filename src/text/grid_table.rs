//! The grid table (网格一览表 as a spreadsheet) that county offices exchange: one row per grid with the
//! Chinese headers they use. `wangge stats --table` and the app's Export write the same table.

use std::path::Path;

use crate::core::codes::{FourSides, count_households, four_sides, village_of};
use crate::core::{Grid, Project, area_m2};
use crate::io::IoError;
use crate::io::csv_io::write_csv;
use crate::io::true_north::ground_axes_for;
use crate::io::xlsx::write_xlsx;
use crate::text::codes::four_sides_text;

pub const HEADER: [&str; 11] = [
    "网格编码",
    "网格名称",
    "村（社区）代码",
    "村（社区）",
    "面积（平方米）",
    "户数",
    "人口",
    "网格长",
    "网格员",
    "联系电话",
    "四至",
];

/// Codes and phone numbers are text: as numbers Excel would drop leading zeros or round them.
const TEXT_COLUMNS: [usize; 8] = [0, 1, 2, 3, 7, 8, 9, 10];

/// One grid's row: `village` is its village code (see [`village_of`]), `households` and `population`
/// counted from household points when the project has them, else the grid's own attributes.
pub fn table_row(
    project: &Project,
    grid: &Grid,
    village: &str,
    area_m2: f64,
    households: Option<u64>,
    population: Option<u64>,
    sides: &FourSides,
) -> Vec<String> {
    let village_name = project.divisions.get(village).map_or("", |d| d.name.as_str());
    vec![
        grid.code.clone(),
        grid.name.clone(),
        village.to_string(),
        village_name.to_string(),
        format!("{area_m2:.1}"),
        households.map_or(String::new(), |h| h.to_string()),
        population.map_or(String::new(), |p| p.to_string()),
        grid.attrs.grid_head.clone(),
        grid.attrs.grid_staff.clone(),
        grid.attrs.phone.clone(),
        four_sides_text(project, sides),
    ]
}

/// Every grid's row, in grid order.
pub fn table_rows(project: &Project) -> Vec<Vec<String>> {
    let counts = count_households(project);
    let sides = four_sides(project, &ground_axes_for(&project.crs));
    project
        .grids
        .values()
        .map(|g| {
            let (households, population) = if project.households.is_empty() {
                (g.attrs.households.map(u64::from), g.attrs.population.map(u64::from))
            } else {
                let c = counts.per_grid.get(&g.id).copied().unwrap_or_default();
                (Some(c.households), Some(c.population))
            };
            let village = village_of(project, g).unwrap_or_default();
            let s = sides.get(&g.id).cloned().unwrap_or_default();
            table_row(project, g, &village, area_m2(&g.geometry, &project.crs), households, population, &s)
        })
        .collect()
}

/// Writes the rows to `out`: an Excel workbook for `.xlsx`, else CSV (UTF-8 with BOM).
pub fn write_table(out: &Path, rows: &[Vec<String>]) -> Result<(), IoError> {
    if out.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        write_xlsx(out, "网格", &HEADER, rows, &TEXT_COLUMNS)
    } else {
        write_csv(out, &HEADER, rows)
    }
}
