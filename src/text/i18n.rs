//! The two languages (简体中文 by default, English) and the fixed words of menus, buttons and panels.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn key(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// One of two words by the language: for a short pair said in one place only.
pub fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::Zh { zh } else { en }
}

/// A sentence with numbers or names in it, in the language asked for: two `format!` strings that take
/// the same arguments.
///
/// ```ignore
/// say!(lang, "网格 {code} 面积为零", "grid {code} has zero area")
/// ```
macro_rules! say {
    ($lang:expr, $zh:literal, $en:literal $(, $arg:expr)* $(,)?) => {
        if $lang == $crate::text::Lang::Zh { format!($zh $(, $arg)*) } else { format!($en $(, $arg)*) }
    };
}
pub(crate) use say;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    MenuFile,
    MenuEdit,
    MenuView,
    MenuTools,
    MenuHelp,
    Open,
    OpenSample,
    Import,
    Export,
    Save,
    SaveAs,
    Print,
    Quit,
    ProjectName,
    ZoomToExtent,
    ShowLayers,
    Language,
    ProjectInfo,
    CopyCursor,
    About,
    Shortcuts,
    Layers,
    Boundary,
    Divisions,
    Grids,
    Households,
    Labels,
    Townships,
    Villages,
    Scale,
    Cursor,
    SourceFile,
    Checks,
    CodeChecks,
    NothingFound,
    HouseholdsUnit,
    ShowChecks,
    CodeRule,
    CodeTemplate,
    Renumber,
    PreviewOnMap,
    CodesUnchanged,
    CodesWouldChange,
    Apply,
    CodesApplied,
    ChooseSourceFirst,
    Problem,
    ImportInto,
    ImportCrs,
    ImportCrsHint,
    FieldMap,
    Browse,
    Cancel,
    Ok,
    Close,
    LayerToWrite,
    Encoding,
    OutputFile,
    Saved,
    Opened,
    Imported,
    Exported,
    Up,
    Path,
    AboutText,
    ShortcutsText,
    SampleReadOnly,
}

impl Text {
    pub fn get(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Text::MenuFile => ("文件", "File"),
            Text::MenuEdit => ("编辑", "Edit"),
            Text::MenuView => ("视图", "View"),
            Text::MenuTools => ("工具", "Tools"),
            Text::MenuHelp => ("帮助", "Help"),
            Text::Open => ("打开项目…", "Open project…"),
            Text::Print => ("打印…", "Print…"),
            Text::OpenSample => ("打开示例（泾县）", "Open sample (泾县)"),
            Text::Import => ("导入图层…", "Import layer…"),
            Text::Export => ("导出图层…", "Export layer…"),
            Text::Save => ("保存", "Save"),
            Text::SaveAs => ("另存为…", "Save as…"),
            Text::Quit => ("退出", "Quit"),
            Text::ProjectName => ("项目名称", "Project name"),
            Text::ZoomToExtent => ("缩放至全图", "Zoom to extent"),
            Text::ShowLayers => ("图层面板", "Layers panel"),
            Text::Language => ("语言 Language", "Language 语言"),
            Text::ProjectInfo => ("项目信息", "Project information"),
            Text::CopyCursor => ("复制光标坐标", "Copy cursor coordinates"),
            Text::About => ("关于网格", "About Wangge"),
            Text::Shortcuts => ("快捷键", "Keyboard shortcuts"),
            Text::Layers => ("图层", "Layers"),
            Text::Boundary => ("区域边界", "Boundary"),
            Text::Divisions => ("行政区划", "Divisions"),
            Text::Grids => ("网格", "Grids"),
            Text::Households => ("住户点", "Households"),
            Text::Labels => ("注记", "Labels"),
            Text::Townships => ("乡镇", "townships"),
            Text::Villages => ("村（社区）", "villages"),
            Text::Scale => ("比例尺", "Scale"),
            Text::Cursor => ("光标", "Cursor"),
            Text::SourceFile => ("源文件", "Source file"),
            Text::Checks => ("检查", "Checks"),
            Text::CodeChecks => ("编码检查", "Code checks"),
            Text::NothingFound => ("无问题", "nothing found"),
            Text::HouseholdsUnit => ("户", "households"),
            Text::ShowChecks => ("检查面板", "Checks panel"),
            Text::CodeRule => ("网格编码规则…", "Grid code rule…"),
            Text::CodeTemplate => ("编码模板", "Code template"),
            Text::Renumber => {
                ("全部重新编号（默认只给新网格和无效编码赋码）", "Renumber all (default: only new or invalid codes)")
            }
            Text::PreviewOnMap => ("在地图上预览新编码", "Preview the new codes on the map"),
            Text::CodesUnchanged => ("所有网格的编码都已符合规则", "Every grid's code already follows the rule"),
            Text::CodesWouldChange => ("个编码将改变：", "codes would change:"),
            Text::Apply => ("应用", "Apply"),
            Text::CodesApplied => ("已按规则编码", "Codes assigned by rule"),
            Text::ChooseSourceFirst => ("请先选择要导入的文件", "Choose the file to import first"),
            Text::Problem => ("出错了", "Something went wrong"),
            Text::ImportInto => ("导入为", "Import as"),
            Text::ImportCrs => ("坐标系", "Coordinate system"),
            Text::ImportCrsHint => {
                ("留空则按文件自带；如 EPSG:4490、gcj02、bd09", "empty = as the file says; e.g. EPSG:4490, gcj02, bd09")
            }
            Text::FieldMap => {
                ("字段对应（模型字段=源字段，逗号分隔）", "Field mapping (model_field=source_field, comma-separated)")
            }
            Text::Browse => ("浏览…", "Browse…"),
            Text::Cancel => ("取消", "Cancel"),
            Text::Ok => ("确定", "OK"),
            Text::Close => ("关闭", "Close"),
            Text::LayerToWrite => ("图层", "Layer"),
            Text::Encoding => ("Shapefile 编码", "Shapefile encoding"),
            Text::OutputFile => {
                ("输出文件（.gpkg .geojson .shp .csv .xlsx）", "Output file (.gpkg .geojson .shp .csv .xlsx)")
            }
            Text::Saved => ("已保存", "Saved"),
            Text::Opened => ("已打开", "Opened"),
            Text::Imported => ("已导入", "Imported"),
            Text::Exported => ("已导出", "Exported"),
            Text::Up => ("上一级", "Up"),
            Text::Path => ("路径", "Path"),
            Text::AboutText => (
                "网格 Wangge — 网格化服务管理的网格划分、检查、编码与制图工具。\n区域全覆盖、无重叠、一网到边。",
                "Wangge — divide a township into grids for grid-based community governance, check full coverage, code and print them.",
            ),
            Text::ShortcutsText => (
                "S 选择  D 绘制网格  E 编辑顶点  X 分割  M 合并  F 填充空白  R 量算\n\
                 Enter/双击 完成  Backspace 删除上一个顶点  Esc 取消  Delete 删除所选\n\
                 Ctrl+Z 撤销  Ctrl+Y / Ctrl+Shift+Z 重做\nZ 缩放至所选  Home 缩放至全图\n\
                 拖动（工具未使用时）或右键/中键拖动 平移  滚轮 以光标为中心缩放\nCtrl+N 新建  Ctrl+O 打开  Ctrl+S 保存",
                "S select  D draw grid  E edit vertices  X split  M merge  F fill gap  R measure\n\
                 Enter/double-click finish  Backspace remove last vertex  Esc cancel  Delete delete selection\n\
                 Ctrl+Z undo  Ctrl+Y / Ctrl+Shift+Z redo\nZ zoom to selection  Home zoom to extent\n\
                 Drag (when the tool does not use it) or right/middle drag  pan  Wheel  zoom around the cursor\n\
                 Ctrl+N new  Ctrl+O open  Ctrl+S save",
            ),
            Text::SampleReadOnly => {
                ("示例项目：请用“另存为”保存到自己的文件", "Sample project: use “Save as” to keep your own copy")
            }
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}
