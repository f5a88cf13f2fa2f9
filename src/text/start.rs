//! Words for starting and finding: File › New project, Recent projects, the first screen's hint, the
//! sample's banner, the file choosers' titles, finding a grid and the grid list.

use crate::text::{Lang, pick, say};

/// The first screen of an empty project: what to do first, in one line.
pub fn first_step(lang: Lang) -> &'static str {
    pick(
        lang,
        "第一步：导入边界（文件 › 导入…），或打开一个项目（文件 › 打开…）。",
        "First: import a boundary (File › Import…), or open a project (File › Open…).",
    )
}

/// The banner over the map while the bundled sample is open.
pub fn sample_banner(lang: Lang) -> &'static str {
    pick(
        lang,
        "这是示例项目（泾县的真实边界和区划，没有网格）。可以随意试用；要保留修改请“另存为”。",
        "This is the sample project (泾县's real boundary and divisions, no grids). Try anything; use Save As to keep changes.",
    )
}

/// Status after a new project was made.
pub fn new_project_made(name: &str, crs: &str, lang: Lang) -> String {
    say!(lang, "新项目“{name}”（{crs}），尚未保存", "New project “{name}” ({crs}), not saved yet")
}

/// A recent project that is no longer where it was.
pub fn recent_missing(path: &str, lang: Lang) -> String {
    say!(
        lang,
        "找不到 {path}（文件已移动或删除），已从最近的项目中移除。",
        "{path} is not there any more (moved or deleted); it was removed from Recent projects."
    )
}

/// The question asked before unsaved changes would be dropped by opening or making another project.
pub fn unsaved_question(lang: Lang) -> &'static str {
    pick(lang, "当前项目有未保存的修改。先保存吗？", "The open project has unsaved changes. Save them first?")
}

/// A county's division list we ship, unknown.
pub fn unknown_county(text: &str, shipped: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("“{text}”既不是随程序提供的县级代码（{shipped}），也不是存在的 CSV 文件"),
        Lang::En => {
            format!("“{text}” is neither a county code shipped with Wangge ({shipped}) nor an existing CSV file")
        }
    }
}

/// Status after picking a township or village in the tree.
pub fn division_picked(name: &str, grids: usize, lang: Lang) -> String {
    match (lang, grids) {
        (Lang::Zh, 0) => format!("{name}：还没有网格"),
        (Lang::Zh, n) => format!("{name}：已选中 {n} 个网格"),
        (Lang::En, 0) => format!("{name}: no grids yet"),
        (Lang::En, n) => format!("{name}: {n} grids selected"),
    }
}

/// How many grids the search found (at most `shown` are listed).
pub fn matches_found(found: usize, shown: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh if found > shown => format!("找到 {found} 个网格，列出前 {shown} 个"),
        Lang::Zh => format!("找到 {found} 个网格"),
        Lang::En if found > shown => format!("{found} grids found, the first {shown} listed"),
        Lang::En => format!("{found} grids found"),
    }
}

/// Export: where the grid table was written.
pub fn table_written(rows: usize, path: &str, lang: Lang) -> String {
    say!(lang, "已导出网格一览表：{rows} 行 → {path}", "Grid table exported: {rows} rows → {path}")
}
