//! The names of the project's layers and what an import would replace, in the UI language.

use super::{Lang, pick};
use crate::io::export::Layer;
use crate::io::import::{Replaced, Target};

pub const TARGETS: [(Target, &str, &str); 4] = [
    (Target::Boundary, "区域边界", "boundary"),
    (Target::Divisions, "行政区划", "divisions"),
    (Target::Grids, "网格", "grids"),
    (Target::Households, "住户点", "households"),
];
pub const LAYERS: [(Layer, &str, &str); 4] = [
    (Layer::Grids, "网格", "grids"),
    (Layer::Boundary, "区域边界", "boundary"),
    (Layer::Divisions, "行政区划", "divisions"),
    (Layer::Households, "住户点", "households"),
];

/// The name of a project layer in the UI language.
pub fn target_label(target: Target, lang: Lang) -> &'static str {
    TARGETS.iter().find(|(t, _, _)| *t == target).map_or("", |(_, zh, en)| pick(lang, zh, en))
}

/// The import form's choice of a reference layer, its name field and what it is for.
pub fn reference_choice(lang: Lang) -> &'static str {
    pick(lang, "参考图层", "reference layer")
}

pub fn reference_name(lang: Lang) -> &'static str {
    pick(lang, "图层名称", "Layer name")
}

pub fn reference_hint(lang: Lang) -> &'static str {
    pick(
        lang,
        "道路、河流、铁路等线或面：显示在地图上，可捕捉、沿线分割，自动划分网格沿它们划分",
        "Roads, rivers, railways (lines or polygons): drawn on the map, snapped to, split along, and cut along by auto-partition",
    )
}

pub fn reference_needs_name(lang: Lang) -> &'static str {
    pick(lang, "参考图层需要一个名称", "a reference layer needs a name")
}

/// A reference layer of the same name would be replaced.
pub fn replace_reference_text(name: &str, features: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("项目已有参考图层“{name}”（{features} 个要素）。导入此文件将替换它（可以撤销）。"),
        Lang::En => format!(
            "The project has a reference layer \"{name}\" already ({features} features). Importing this file replaces it (this can be undone)."
        ),
    }
}

/// What an import would replace, said before it does (the confirmation's text).
pub fn replace_text(r: &Replaced, lang: Lang) -> String {
    let km2 = r.area_m2 / 1e6;
    let more = if r.features > r.examples.len() { "…" } else { "" };
    let examples = r.examples.join(pick(lang, "、", ", "));
    match (r.target, lang) {
        (Target::Boundary, Lang::Zh) => format!(
            "项目已有区域边界（{} 个多边形，{km2:.1} km²）。导入此文件将替换它，现有边界将被丢弃（可以撤销）。",
            r.features
        ),
        (Target::Boundary, Lang::En) => format!(
            "The project has a boundary already ({} polygon{}, {km2:.1} km²). Importing this file replaces it and the current boundary is discarded (this can be undone).",
            r.features,
            if r.features == 1 { "" } else { "s" }
        ),
        (_, Lang::Zh) => format!(
            "导入此文件将替换项目 {} 个{}中的 {} 个：文件中有相同编码而名称、类别或多边形不同的记录（{examples}{more}）。原有记录将被丢弃（可以撤销）。",
            r.held,
            target_label(r.target, lang),
            r.features
        ),
        (_, Lang::En) => format!(
            "Importing this file replaces {} of the project's {} {}: the file has the same codes with other names, classes or polygons ({examples}{more}). The current records are discarded (this can be undone).",
            r.features,
            r.held,
            target_label(r.target, lang)
        ),
    }
}
