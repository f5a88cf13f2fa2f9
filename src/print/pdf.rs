//! Pages to a vector PDF with krilla: paths as PDF paths, text as real text in the embedded (subset)
//! CJK font, so it can be selected, searched and extracted.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke as KStroke, StrokeDash};
use krilla::text::{Font, TextDirection};

use super::PrintError;
use super::font::{CJK_FONT, text_width};
use super::page::{Align, Item, Page, Rgba, Stroke};

fn paint(c: Rgba) -> (krilla::paint::Paint, NormalizedF32) {
    (rgb::Color::new(c.0, c.1, c.2).into(), NormalizedF32::new(c.3 as f32 / 255.0).unwrap_or(NormalizedF32::ONE))
}

fn stroke(s: &Stroke) -> KStroke {
    let (paint, opacity) = paint(s.color);
    KStroke {
        paint,
        width: s.width as f32,
        opacity,
        dash: (!s.dash.is_empty())
            .then(|| StrokeDash { array: s.dash.iter().map(|d| *d as f32).collect(), offset: 0.0 }),
        ..Default::default()
    }
}

pub fn render_pdf(pages: &[Page], title: &str) -> Result<Vec<u8>, PrintError> {
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new().title(title.to_string()).creator("Wangge 网格".to_string()).language("zh-CN".into()),
    );
    let font =
        Font::new(CJK_FONT.into(), 0).ok_or_else(|| PrintError::Pdf("the bundled font cannot be read".into()))?;
    for p in pages {
        let settings = PageSettings::from_wh(p.width as f32, p.height as f32)
            .ok_or_else(|| PrintError::Pdf(format!("bad page size {} × {}", p.width, p.height)))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for item in &p.items {
            match item {
                Item::Path { parts, closed, fill, stroke: line } => {
                    let mut builder = PathBuilder::new();
                    for part in parts.iter().filter(|p| p.len() >= 2) {
                        builder.move_to(part[0].0 as f32, part[0].1 as f32);
                        for &(x, y) in &part[1..] {
                            builder.line_to(x as f32, y as f32);
                        }
                        if *closed {
                            builder.close();
                        }
                    }
                    let Some(path) = builder.finish() else { continue };
                    surface.set_fill(fill.map(|c| {
                        let (paint, opacity) = paint(c);
                        Fill { paint, opacity, rule: FillRule::EvenOdd }
                    }));
                    surface.set_stroke(line.as_ref().map(stroke));
                    surface.draw_path(&path);
                }
                Item::BasemapSlot { .. } => {}
                Item::Image { rect, image } => {
                    let (Some(size), true) = (
                        Size::from_wh(rect.width as f32, rect.height as f32),
                        image.width > 0
                            && image.height > 0
                            && image.rgba.len() == image.width as usize * image.height as usize * 4,
                    ) else {
                        continue;
                    };
                    let pixels = Image::from_rgba8(image.rgba.clone(), image.width, image.height);
                    surface.push_transform(&Transform::from_translate(rect.left as f32, rect.top as f32));
                    surface.draw_image(pixels, size);
                    surface.pop();
                }
                Item::Text { at, size, text, color, align } => {
                    let width = text_width(text, *size);
                    let x = match align {
                        Align::Start => at.0,
                        Align::Middle => at.0 - width / 2.0,
                        Align::End => at.0 - width,
                    };
                    let (paint, opacity) = paint(*color);
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill { paint, opacity, rule: FillRule::NonZero }));
                    surface.draw_text(
                        Point::from_xy(x as f32, at.1 as f32),
                        font.clone(),
                        *size as f32,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PrintError::Pdf(format!("{e:?}")))
}
