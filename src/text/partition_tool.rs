//! The words of the app's auto-partition tool (Tools › 自动划分网格): its window, its choices and what
//! the status bar says after it. The reports and reasons themselves are `text::partition`'s, shared
//! with `wangge partition`.

use super::{Lang, say};

pub fn menu(lang: Lang) -> String {
    say!(lang, "自动划分网格…", "Auto-partition…")
}

pub fn title(lang: Lang) -> String {
    say!(lang, "自动划分网格", "Auto-partition")
}

pub fn scope(lang: Lang) -> String {
    say!(lang, "范围", "Scope")
}

pub fn scope_villages(lang: Lang) -> String {
    say!(lang, "选定的村", "Chosen villages")
}

pub fn scope_township(lang: Lang) -> String {
    say!(lang, "一个乡镇的全部村", "Every village of a township")
}

pub fn scope_all(lang: Lang) -> String {
    say!(lang, "项目的全部村", "Every village of the project")
}

pub fn township(lang: Lang) -> String {
    say!(lang, "乡镇", "Township")
}

pub fn filter(lang: Lang) -> String {
    say!(lang, "筛选村（名称或编码）", "Filter villages (name or code)")
}

pub fn chosen(n: usize, lang: Lang) -> String {
    say!(lang, "已选 {} 个村", "{} villages chosen", n)
}

pub fn none_chosen(lang: Lang) -> String {
    say!(lang, "请至少选择一个村", "Choose at least one village")
}

/// The band from the settings, as it applies by the village's class.
pub fn band_from_settings(urban: (u64, u64), rural: (u64, u64), lang: Lang) -> String {
    say!(
        lang,
        "按设置的户数范围：城镇 {}–{} 户，农村 {}–{} 户",
        "Households per grid from the settings: urban {}–{}, rural {}–{}",
        urban.0,
        urban.1,
        rural.0,
        rural.1
    )
}

pub fn band_min(lang: Lang) -> String {
    say!(lang, "每格最少户数", "Fewest households per grid")
}

pub fn band_max(lang: Lang) -> String {
    say!(lang, "每格最多户数", "Most households per grid")
}

pub fn bad_band(lang: Lang) -> String {
    say!(lang, "户数范围为空：最少户数大于最多户数", "The band is empty: the fewest is more than the most")
}

pub fn set_count(lang: Lang) -> String {
    say!(lang, "指定每个村的网格数", "Set the number of grids per village")
}

pub fn count(lang: Lang) -> String {
    say!(lang, "网格数", "Grids")
}

pub fn along(lang: Lang) -> String {
    say!(lang, "沿参考图层划分（道路、河流）", "Cut along reference layers (roads, rivers)")
}

pub fn no_reference_layers(lang: Lang) -> String {
    say!(
        lang,
        "项目没有参考图层：用 文件 › 导入图层… › 参考图层 导入道路、河流",
        "The project has no reference layers: import roads and rivers with File › Import layer… › reference layer"
    )
}

pub fn keep_existing(lang: Lang) -> String {
    say!(lang, "保留已有网格，只划分未覆盖的部分", "Keep existing grids; partition only the uncovered land")
}

pub fn cluster_m(lang: Lang) -> String {
    say!(lang, "聚集距离（米）", "Cluster distance (m)")
}

pub fn seed(lang: Lang) -> String {
    say!(lang, "随机种子", "Seed")
}

pub fn preview(lang: Lang) -> String {
    say!(lang, "预览", "Preview")
}

pub fn show_on_map(lang: Lang) -> String {
    say!(lang, "在地图上显示方案", "Show the proposal on the map")
}

pub fn computing(lang: Lang) -> String {
    say!(lang, "正在计算方案…", "Computing the proposal…")
}

/// The options changed since the proposal shown was computed.
pub fn options_changed(lang: Lang) -> String {
    say!(lang, "选项已修改：请重新预览后再应用", "The options changed: preview again before applying")
}

/// The project changed (an edit, an undo) since the proposal shown was computed.
pub fn project_changed(lang: Lang) -> String {
    say!(lang, "项目已修改：请重新预览后再应用", "The project changed: preview again before applying")
}

/// What applying the proposal would do.
pub fn would_change(added: usize, removed: usize, noded: usize, lang: Lang) -> String {
    say!(
        lang,
        "应用后：新增 {} 个网格，删除 {} 个原有网格，{} 个相邻网格补点（可撤销）",
        "Applying adds {} grids, removes {} existing grids and nodes {} neighbours (one undoable step)",
        added,
        removed,
        noded
    )
}

/// The legend of the map preview.
pub fn legend(lang: Lang) -> String {
    say!(
        lang,
        "地图：绿色 = 户数在范围内，蓝色 = 偏少，红色 = 偏多（越深偏离越大）",
        "Map: green = within the band, blue = too few, red = too many (darker = further off)"
    )
}

/// The status bar after applying.
pub fn applied(added: usize, removed: usize, lang: Lang) -> String {
    say!(lang, "自动划分网格：新增 {} 个网格，删除 {} 个", "Auto-partition: added {} grids, removed {}", added, removed)
}

/// A proposed grid's label on the map: its households.
pub fn households_label(households: u64, lang: Lang) -> String {
    say!(lang, "{} 户", "{} hh", households)
}
