//! The words of the thematic map and its legend, of household counts in labels, and of the measure tool.

use super::{Lang, pick, say};
use crate::core::thematic::{CodeStatus, HouseholdClass, Theme};
use crate::core::tools::Measurement;

/// The name of a way of colouring the grids; `None` is the default (neighbours differ).
pub fn theme_name(theme: Option<Theme>, lang: Lang) -> &'static str {
    let (zh, en) = match theme {
        None => ("相邻区分（默认）", "Neighbours differ (default)"),
        Some(Theme::Households) => ("户数与标准", "Households against the band"),
        Some(Theme::Village) => ("按村（社区）", "By village"),
        Some(Theme::CodeStatus) => ("编码状态", "Code status"),
    };
    pick(lang, zh, en)
}

/// "专题图" / "Thematic map": the View submenu and the layer panel's choice.
pub fn thematic_title(lang: Lang) -> &'static str {
    pick(lang, "专题图", "Thematic map")
}

/// "着色" / "Colour by": the layer panel's choice of thematic map.
pub fn colour_by(lang: Lang) -> &'static str {
    pick(lang, "着色", "Colour by")
}

/// A household class with the bands it stands for (`urban` and `rural` are the (min, max) bands).
pub fn household_class_text(class: HouseholdClass, urban: (u64, u64), rural: (u64, u64), lang: Lang) -> String {
    let ((ul, uh), (rl, rh)) = (urban, rural);
    match (class, lang) {
        (HouseholdClass::Below, Lang::Zh) => format!("低于标准（城市 <{ul}，农村 <{rl} 户）"),
        (HouseholdClass::Below, Lang::En) => format!("Below the band (urban <{ul}, rural <{rl})"),
        (HouseholdClass::Within, Lang::Zh) => format!("符合标准（城市 {ul}–{uh}，农村 {rl}–{rh} 户）"),
        (HouseholdClass::Within, Lang::En) => format!("In the band (urban {ul}–{uh}, rural {rl}–{rh})"),
        (HouseholdClass::Above, Lang::Zh) => format!("高于标准（城市 >{uh}，农村 >{rh} 户）"),
        (HouseholdClass::Above, Lang::En) => format!("Above the band (urban >{uh}, rural >{rh})"),
        (HouseholdClass::Unknown, _) => pick(lang, "户数未知", "Households unknown").to_string(),
    }
}

pub fn code_status_text(status: CodeStatus, lang: Lang) -> &'static str {
    let (zh, en) = match status {
        CodeStatus::Valid => ("编码正确", "Valid code"),
        CodeStatus::Missing => ("缺少编码", "No code"),
        CodeStatus::Duplicate => ("编码重复", "Duplicate code"),
        CodeStatus::BadForm => ("编码格式不符", "Malformed code"),
        CodeStatus::WrongPrefix => ("编码与所属村不符", "Code of another village"),
        CodeStatus::NoVillage => ("不属于任何村", "In no village"),
    };
    pick(lang, zh, en)
}

/// The legend row of grids with no village.
pub fn no_village_text(lang: Lang) -> &'static str {
    pick(lang, "未指定村（社区）", "No village")
}

/// A grid's household count under its label: "326 户".
pub fn households_in_label(n: u64, lang: Lang) -> String {
    say!(lang, "{n} 户", "{n} hh")
}

/// A ground length: metres below a kilometre, km (3 decimals) from there.
pub fn length_text(m: f64) -> String {
    if m >= 1000.0 { format!("{:.3} km", m / 1000.0) } else { format!("{m:.1} m") }
}

/// An area in m² (km² from one square kilometre) and in 亩.
pub fn area_with_mu_text(m2: f64, mu: f64, lang: Lang) -> String {
    let metric = if m2 >= 1e6 { format!("{:.3} km²", m2 / 1e6) } else { format!("{m2:.0} m²") };
    say!(lang, "{metric}（{mu:.1} 亩）", "{metric} ({mu:.1} mu)")
}

/// The measure box's lines: distance, then area once there are three points.
pub fn measurement_lines(m: &Measurement, lang: Lang) -> Vec<String> {
    let mut lines = vec![format!("{}: {}", pick(lang, "距离", "Distance"), length_text(m.length_m))];
    if let (Some(a), Some(mu)) = (m.area_m2, m.area_mu()) {
        lines.push(format!("{}: {}", pick(lang, "面积", "Area"), area_with_mu_text(a, mu, lang)));
    }
    if !m.finished {
        lines.push(pick(lang, "双击或 Enter 结束，Esc 清除", "Double-click or Enter finishes, Esc clears").to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_areas_read_in_metres_km_and_mu() {
        assert_eq!(length_text(700.0), "700.0 m");
        assert_eq!(length_text(12_345.0), "12.345 km");
        assert_eq!(area_with_mu_text(60_000.0, 90.0, Lang::Zh), "60000 m²（90.0 亩）");
        assert_eq!(area_with_mu_text(2_500_000.0, 3750.0, Lang::En), "2.500 km² (3750.0 mu)");
    }
}
