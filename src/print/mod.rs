//! Printing: the overview map (网格划分图), the atlas with one sheet per grid (网格图) and the grid table
//! (网格一览表), laid out once as [`Page`]s and written as vector PDF (embedded CJK subset font,
//! extractable text), SVG or PNG at any dpi. The app's print preview draws the same pages.

mod atlas;
mod basemap;
mod draw;
mod font;
mod labels;
mod map_frame;
mod order;
mod overview;
mod page;
mod pdf;
mod png;
mod reference;
mod svg;
mod table;

use std::path::{Path, PathBuf};

pub use atlas::atlas;
pub use basemap::{
    BasemapPrint, BasemapReport, CONTROL_STEP_PX, MAX_BASEMAP_DPI, MAX_RASTER_SIDE_PX, MAX_UNCACHED_OSM_TILES,
    MIN_BASEMAP_DPI, fill_basemap,
};
pub use draw::today;
pub use font::{CJK_FONT, text_width};
pub use labels::PlacedLabel;
pub use map_frame::{MapFrame, length_text, round_length, round_scale};
pub use overview::{OverviewLayout, default_title, overview, overview_pages};
pub use page::{Align, Item, PT_PER_MM, Page, PageRect, Paper, Raster, Rgba, Stroke};
pub use pdf::render_pdf;
pub use png::render_png;
pub use svg::render_svg;
pub use table::grid_table;

use crate::core::progress::{Cancelled, NoProgress, Progress, Stage};
use crate::core::{Grid, Project};

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("{path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("PNG: {0}")]
    Png(String),
    #[error("unknown output format “{0}”: use .pdf, .png or .svg")]
    Format(String),
    /// Stopped by the user before a file was written; files of earlier pages were removed.
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
    /// The basemap cannot be printed at all (an OpenStreetMap bulk download): nothing was written.
    #[error(transparent)]
    Basemap(crate::core::basemap::SourceError),
    /// The basemap's tiles cannot be placed in the project's CRS.
    #[error("basemap: {0}")]
    BasemapCrs(String),
}

/// Which products go into the output, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Products {
    pub overview: bool,
    pub atlas: bool,
    pub table: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrintOptions {
    pub paper: Paper,
    pub landscape: bool,
    /// `None`: from the project ("泾县泾川镇网格划分图").
    pub title: Option<String>,
    pub compiled_by: String,
    /// YYYY-MM-DD printed on every page.
    pub date: String,
    pub dpi: f64,
    pub products: Products,
    /// Print only the grids of this township (9-digit code): a township's own overview and atlas.
    pub township: Option<String>,
    /// The project's basemap (by name) to print under the grids: the map frames get a
    /// [`Item::BasemapSlot`] each and lighter, translucent fills; [`write_with_basemap`] fills the slots.
    pub basemap: Option<String>,
    /// Reference layers (by name) left off the maps; the others are printed.
    pub hidden_references: std::collections::BTreeSet<String>,
}

impl Default for PrintOptions {
    fn default() -> Self {
        PrintOptions {
            paper: Paper::A4,
            landscape: false,
            title: None,
            compiled_by: String::new(),
            date: today(),
            dpi: 150.0,
            products: Products { overview: true, atlas: false, table: false },
            township: None,
            basemap: None,
            hidden_references: Default::default(),
        }
    }
}

/// Opacity of the grid fills over a basemap: the imagery shows through, the colouring still reads.
pub const FILL_ALPHA_OVER_BASEMAP: u8 = 90;

/// A fill as drawn: itself, or translucent over a basemap.
pub fn fill_over(fill: Rgba, basemap: bool) -> Rgba {
    if basemap { Rgba(fill.0, fill.1, fill.2, FILL_ALPHA_OVER_BASEMAP) } else { fill }
}

/// Pastel fills that stay distinct when printed (ColorBrewer Pastel1/Set3).
pub fn palette() -> &'static [Rgba] {
    const PALETTE: [Rgba; 10] = [
        Rgba::rgb(251, 180, 174),
        Rgba::rgb(179, 205, 227),
        Rgba::rgb(204, 235, 197),
        Rgba::rgb(222, 203, 228),
        Rgba::rgb(254, 217, 166),
        Rgba::rgb(255, 255, 204),
        Rgba::rgb(229, 216, 189),
        Rgba::rgb(253, 218, 236),
        Rgba::rgb(141, 211, 199),
        Rgba::rgb(190, 186, 218),
    ];
    &PALETTE
}

/// A grid's label: its code (or #id before it has one), then its name.
pub fn grid_label_lines(g: &Grid) -> Vec<String> {
    let mut lines = vec![g.label()];
    if !g.name.is_empty() {
        lines.push(g.name.clone());
    }
    lines
}

/// The project as printed: only the chosen township's grids when one is chosen.
pub fn scoped<'a>(project: &'a Project, options: &PrintOptions) -> std::borrow::Cow<'a, Project> {
    match &options.township {
        None => std::borrow::Cow::Borrowed(project),
        Some(code) => {
            let mut p = project.clone();
            p.grids.retain(|_, g| g.village_code.starts_with(code.as_str()));
            std::borrow::Cow::Owned(p)
        }
    }
}

/// A township by its code or name.
pub fn find_township(project: &Project, text: &str) -> Option<String> {
    let text = text.trim();
    project.townships().find(|t| t.code.as_str() == text || t.name == text).map(|t| t.code.to_string())
}

/// Every page of the chosen products, numbered as pages of the one document they make: the atlas
/// index points at the sheets' real page numbers, and every page of a document of several pages
/// says "第 n 页 / 共 N 页" counted over all of them.
pub fn pages(project: &Project, options: &PrintOptions) -> Vec<Page> {
    let project = &*scoped(project, options);
    let mut out = Vec::new();
    if options.products.overview {
        out.extend(overview_pages(project, options));
    }
    if options.products.atlas {
        let before = out.len();
        out.extend(atlas(project, options, before));
    }
    if options.products.table {
        out.extend(grid_table(project, options));
    }
    number_pages(&mut out);
    out
}

/// Stamps "第 n 页 / 共 N 页" at the bottom right of every page, when there are several.
fn number_pages(pages: &mut [Page]) {
    let total = pages.len();
    if total < 2 {
        return;
    }
    let margin = 12.0 * PT_PER_MM;
    for (i, page) in pages.iter_mut().enumerate() {
        let (w, h) = (page.width, page.height);
        page.text(
            (w - margin, h - margin),
            8.0,
            crate::text::print::page_number(i + 1, total),
            Rgba::rgb(90, 90, 90),
            Align::End,
        );
    }
}

/// The name of the printed range: the project's, with the township's after it when one township is
/// printed ("泾县泾川镇"; just "泾川镇" when the project is named after it).
pub fn range_name(project: &Project, township: Option<&str>) -> String {
    let town = township.and_then(|code| project.divisions.get(code.trim()));
    match town {
        Some(t) if !project.name.contains(&t.name) => format!("{}{}", project.name, t.name),
        _ => project.name.clone(),
    }
}

/// The title a document gets in its metadata.
pub fn document_title(project: &Project, options: &PrintOptions) -> String {
    options.title.clone().unwrap_or_else(|| default_title(project, options.township.as_deref()))
}

/// Writes the pages to `out` (.pdf: one document; .svg/.png: one file per page, numbered when there
/// are several). Returns the files written.
pub fn write(project: &Project, options: &PrintOptions, out: &Path) -> Result<Vec<PathBuf>, PrintError> {
    write_with(project, options, out, &NoProgress)
}

/// [`write`], counting the pages rendered on `progress`; once it is cancelled nothing more is written and
/// the files of earlier pages are removed (a PDF is written whole at the end, or not at all).
pub fn write_with(
    project: &Project,
    options: &PrintOptions,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, PrintError> {
    write_with_basemap(project, options, out, progress, None).map(|(files, _)| files)
}

/// [`write_with`], with the basemap `options.basemap` names drawn under the map frames from `basemap`
/// (which says where its tiles come from); without it the slots stay empty. Returns the files written and
/// what the basemap's tiles did (missing ones included), when it was printed.
pub fn write_with_basemap(
    project: &Project,
    options: &PrintOptions,
    out: &Path,
    progress: &dyn Progress,
    basemap: Option<&BasemapPrint>,
) -> Result<(Vec<PathBuf>, Option<BasemapReport>), PrintError> {
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if !matches!(ext.as_str(), "pdf" | "svg" | "png") {
        // Said before any tile is fetched.
        return Err(PrintError::Format(ext));
    }
    progress.begin(Stage::Printing, 0);
    let mut pages = pages(project, options);
    progress.check()?;
    let report = match (basemap, &options.basemap) {
        (Some(b), Some(_)) => Some(fill_basemap(&mut pages, project, b, options.dpi, progress)?),
        _ => None,
    };
    write_pages(project, options, out, progress, &pages).map(|files| (files, report))
}

fn write_pages(
    project: &Project,
    options: &PrintOptions,
    out: &Path,
    progress: &dyn Progress,
    pages: &[Page],
) -> Result<Vec<PathBuf>, PrintError> {
    progress.begin(Stage::Printing, pages.len() as u64);
    let project = &*scoped(project, options);
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let write_file = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|source| PrintError::Write { path: path.to_path_buf(), source })
    };
    match ext.as_str() {
        "pdf" => {
            let bytes = render_pdf(pages, &document_title(project, options))?;
            progress.check()?;
            progress.advance(pages.len() as u64);
            write_file(out, &bytes)?;
            Ok(vec![out.to_path_buf()])
        }
        "svg" | "png" => {
            let mut written = Vec::new();
            for (i, page) in pages.iter().enumerate() {
                if let Err(cancelled) = progress.check() {
                    for path in &written {
                        let _ = std::fs::remove_file(path);
                    }
                    return Err(cancelled.into());
                }
                let path = numbered(out, i, pages.len());
                let bytes = if ext == "svg" { render_svg(page).into_bytes() } else { render_png(page, options.dpi)? };
                write_file(&path, &bytes)?;
                written.push(path);
                progress.advance(1);
            }
            Ok(written)
        }
        other => Err(PrintError::Format(other.to_string())),
    }
}

/// `map.png` for a single page; `map-001.png`, `map-002.png` … for several.
pub fn numbered(out: &Path, index: usize, count: usize) -> PathBuf {
    if count <= 1 {
        return out.to_path_buf();
    }
    let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("page");
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("png");
    out.with_file_name(format!("{stem}-{:03}.{ext}", index + 1))
}
