//! Pages to PNG at a chosen dpi: the page's SVG rasterised by resvg with the bundled font (no system
//! fonts needed, so a fresh machine prints the same picture).

use std::sync::{Arc, OnceLock};

use super::PrintError;
use super::font::CJK_FONT;
use super::page::Page;
use super::page::{Item, Raster};
use super::svg::svg_of;

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

/// The page at `dpi`: its vector items rasterised by resvg, its images (basemaps) drawn in their place in
/// the drawing order with tiny-skia, so an image lies under what follows it and over what precedes it.
pub fn render_png(page: &Page, dpi: f64) -> Result<Vec<u8>, PrintError> {
    let options = resvg::usvg::Options { fontdb: fonts(), ..Default::default() };
    let (w, h) = ((page.width * dpi / 72.0).round() as u32, (page.height * dpi / 72.0).round() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w.max(1), h.max(1))
        .ok_or_else(|| PrintError::Png(format!("cannot make a {w} × {h} image")))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    let px_per_pt = w.max(1) as f32 / page.width.max(1e-9) as f32;
    let mut vectors: Vec<Item> = Vec::new();
    let flush = |vectors: &mut Vec<Item>, pixmap: &mut resvg::tiny_skia::Pixmap| -> Result<(), PrintError> {
        if vectors.is_empty() {
            return Ok(());
        }
        let svg = svg_of(page.width, page.height, vectors, false);
        vectors.clear();
        let tree = resvg::usvg::Tree::from_str(&svg, &options).map_err(|e| PrintError::Png(e.to_string()))?;
        // The SVG is sized in points; usvg works in CSS pixels, so scale from its size to ours.
        let scale = w.max(1) as f32 / tree.size().width();
        resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        Ok(())
    };
    for item in &page.items {
        match item {
            Item::Image { rect, image } => {
                flush(&mut vectors, &mut pixmap)?;
                let Some(src) = premultiplied(image) else { continue };
                let transform = resvg::tiny_skia::Transform::from_row(
                    rect.width as f32 * px_per_pt / image.width as f32,
                    0.0,
                    0.0,
                    rect.height as f32 * px_per_pt / image.height as f32,
                    rect.left as f32 * px_per_pt,
                    rect.top as f32 * px_per_pt,
                );
                let paint = resvg::tiny_skia::PixmapPaint {
                    quality: resvg::tiny_skia::FilterQuality::Bilinear,
                    ..Default::default()
                };
                pixmap.draw_pixmap(0, 0, src.as_ref(), &paint, transform, None);
            }
            other => vectors.push(other.clone()),
        }
    }
    flush(&mut vectors, &mut pixmap)?;
    pixmap.encode_png().map_err(|e| PrintError::Png(e.to_string()))
}

/// The raster as a tiny-skia pixmap (premultiplied alpha); `None` for an empty or inconsistent one.
fn premultiplied(image: &Raster) -> Option<resvg::tiny_skia::Pixmap> {
    if image.rgba.len() != image.width as usize * image.height as usize * 4 {
        return None;
    }
    let mut pixmap = resvg::tiny_skia::Pixmap::new(image.width, image.height)?;
    for (dst, src) in pixmap.pixels_mut().iter_mut().zip(image.rgba.chunks_exact(4)) {
        let a = u16::from(src[3]);
        let m = |c: u8| ((u16::from(c) * a + 127) / 255) as u8;
        *dst = resvg::tiny_skia::PremultipliedColorU8::from_rgba(m(src[0]), m(src[1]), m(src[2]), src[3])
            .unwrap_or(resvg::tiny_skia::PremultipliedColorU8::TRANSPARENT);
    }
    Some(pixmap)
}
