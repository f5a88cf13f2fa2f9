//! Chinese text everywhere: Noto Sans CJK SC (OFL, subset to GB2312 and all official division names) as
//! the fallback after egui's own Latin fonts.

use std::sync::Arc;

use eframe::egui::{Context, FontData, FontDefinitions, FontFamily};

pub const CJK_FONT: &[u8] = crate::print::CJK_FONT;

pub fn install(ctx: &Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert("noto_sans_sc".into(), Arc::new(FontData::from_static(CJK_FONT)));
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts.families.entry(family).or_default().push("noto_sans_sc".into());
    }
    ctx.set_fonts(fonts);
}
