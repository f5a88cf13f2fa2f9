//! The one font of printed maps: Noto Sans CJK SC (OFL), subset to GB2312 and every official division
//! name, embedded in the binary. Text widths are measured from its advance widths so that labels can be
//! fitted inside grids before anything is drawn.

use std::sync::OnceLock;

pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Wangge.otf");

struct Metrics {
    face: ttf_parser::Face<'static>,
    units_per_em: f64,
}

fn metrics() -> Option<&'static Metrics> {
    static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| {
            let face = ttf_parser::Face::parse(CJK_FONT, 0).ok()?;
            let units_per_em = face.units_per_em() as f64;
            Some(Metrics { face, units_per_em })
        })
        .as_ref()
}

/// The width of one line of `text` at `size` points.
///
/// ```
/// use wangge::print::text_width;
/// // CJK ideographs are one em wide; digits narrower.
/// assert!((text_width("网格", 10.0) - 20.0).abs() < 0.5);
/// assert!(text_width("001", 10.0) < 20.0);
/// ```
pub fn text_width(text: &str, size: f64) -> f64 {
    let Some(m) = metrics() else { return text.chars().count() as f64 * size };
    let units: f64 = text
        .chars()
        .map(|c| m.face.glyph_index(c).and_then(|g| m.face.glyph_hor_advance(g)).map_or(m.units_per_em, |a| a as f64))
        .sum();
    units / m.units_per_em * size
}

/// The family name the font declares (what SVG text must ask for).
pub fn family_name() -> String {
    metrics()
        .and_then(|m| {
            m.face
                .names()
                .into_iter()
                .filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
                .find_map(|n| n.to_string())
        })
        .unwrap_or_else(|| "Noto Sans SC".to_string())
}
