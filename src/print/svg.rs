//! Pages to SVG (one document per page): paths with even-odd fills, text as SVG text in the map font's
//! family (so it stays text; rasterised to PNG with the bundled font, see `png`).

use std::fmt::Write as _;

use super::font::family_name;
use super::page::{Align, Item, Page, Rgba};

fn colour(c: Rgba) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn opacity(c: Rgba) -> String {
    if c.3 == 255 { String::new() } else { format!("{:.3}", c.3 as f64 / 255.0) }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn render_svg(page: &Page) -> String {
    svg_of(page.width, page.height, &page.items, true)
}

/// An SVG document of `items` on a page `w × h` points, on white paper when `paper` (else transparent, for
/// drawing over what is there already).
pub(super) fn svg_of(w: f64, h: f64, items: &[Item], paper: bool) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{w:.2}pt" height="{h:.2}pt" viewBox="0 0 {w:.2} {h:.2}">"#
    );
    if paper {
        let _ = writeln!(out, r##"<rect width="{w:.2}" height="{h:.2}" fill="#ffffff"/>"##);
    }
    let family = escape(&family_name());
    for item in items {
        match item {
            Item::BasemapSlot { .. } => {}
            Item::Image { rect, image } => {
                // A PNG in a data URL: the SVG stays one self-contained file.
                let Ok(png) = super::page::raster_png(image) else { continue };
                let _ = writeln!(
                    out,
                    r#"<image x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" preserveAspectRatio="none" xlink:href="data:image/png;base64,{}"/>"#,
                    rect.left,
                    rect.top,
                    rect.width,
                    rect.height,
                    base64(&png)
                );
            }
            Item::Path { parts, closed, fill, stroke } => {
                let mut d = String::new();
                for part in parts.iter().filter(|p| p.len() >= 2) {
                    let _ = write!(d, "M{:.2} {:.2}", part[0].0, part[0].1);
                    for &(x, y) in &part[1..] {
                        let _ = write!(d, "L{x:.2} {y:.2}");
                    }
                    if *closed {
                        d.push('Z');
                    }
                }
                if d.is_empty() {
                    continue;
                }
                let _ = write!(out, r#"<path d="{d}""#);
                match fill {
                    Some(c) => {
                        let _ = write!(out, r#" fill="{}" fill-rule="evenodd""#, colour(*c));
                        if c.3 != 255 {
                            let _ = write!(out, r#" fill-opacity="{}""#, opacity(*c));
                        }
                    }
                    None => out.push_str(r#" fill="none""#),
                }
                if let Some(s) = stroke {
                    let _ = write!(
                        out,
                        r#" stroke="{}" stroke-width="{:.2}" stroke-linejoin="round""#,
                        colour(s.color),
                        s.width
                    );
                    if !s.dash.is_empty() {
                        let dash: Vec<String> = s.dash.iter().map(|d| format!("{d:.2}")).collect();
                        let _ = write!(out, r#" stroke-dasharray="{}""#, dash.join(" "));
                    }
                }
                out.push_str("/>\n");
            }
            Item::Text { at, size, text, color, align } => {
                let anchor = match align {
                    Align::Start => "start",
                    Align::Middle => "middle",
                    Align::End => "end",
                };
                let _ = writeln!(
                    out,
                    r#"<text x="{:.2}" y="{:.2}" font-family="{family}, Noto Sans CJK SC, Source Han Sans SC, sans-serif" font-size="{size:.2}" text-anchor="{anchor}" fill="{}">{}</text>"#,
                    at.0,
                    at.1,
                    colour(*color),
                    escape(text)
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

/// Standard base64 with padding (RFC 4648).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_of_rfc_4648_examples() {
        for (plain, coded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(super::base64(plain.as_bytes()), coded);
        }
    }
}
