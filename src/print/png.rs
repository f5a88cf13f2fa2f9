//! Pages to PNG at a chosen dpi: the page's SVG rasterised by resvg with the bundled font (no system
//! fonts needed, so a fresh machine prints the same picture).

use std::sync::{Arc, OnceLock};

use super::PrintError;
use super::font::CJK_FONT;
use super::page::Page;
use super::svg::render_svg;

fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut fonts = resvg::usvg::fontdb::Database::new();
            fonts.load_font_data(CJK_FONT.to_vec());
            Arc::new(fonts)
        })
        .clone()
}

pub fn render_png(page: &Page, dpi: f64) -> Result<Vec<u8>, PrintError> {
    let options = resvg::usvg::Options { fontdb: fonts(), ..Default::default() };
    let tree = resvg::usvg::Tree::from_str(&render_svg(page), &options).map_err(|e| PrintError::Png(e.to_string()))?;
    let (w, h) = ((page.width * dpi / 72.0).round() as u32, (page.height * dpi / 72.0).round() as u32);
    // The SVG is sized in points; usvg works in CSS pixels, so scale from its size to ours.
    let scale = w as f32 / tree.size().width();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w.max(1), h.max(1))
        .ok_or_else(|| PrintError::Png(format!("cannot make a {w} × {h} image")))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| PrintError::Png(e.to_string()))
}
