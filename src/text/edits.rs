//! What the status bar says after an edit, or when a tool refuses one, in the UI language.

use super::{Lang, pick, say};
use crate::core::edit::{EditFailure, StepKind};
use crate::core::tools::{Edit, Notice};
use crate::core::{Project, area_text};

/// The name of a kind of edit (the Edit menu's "Undo: …", the status bar).
pub fn kind_label(kind: StepKind, lang: Lang) -> &'static str {
    let (zh, en) = match kind {
        StepKind::Draw => ("绘制网格", "draw grid"),
        StepKind::Fill => ("填充空白", "fill gap"),
        StepKind::Split => ("分割网格", "split grid"),
        StepKind::Merge => ("合并网格", "merge grids"),
        StepKind::MoveVertex => ("移动顶点", "move vertex"),
        StepKind::InsertVertex => ("插入顶点", "insert vertex"),
        StepKind::DeleteVertex => ("删除顶点", "delete vertex"),
        StepKind::DeleteGrids => ("删除网格", "delete grids"),
        StepKind::Attributes => ("修改属性", "edit attributes"),
        StepKind::Fix => ("修复", "fix"),
        StepKind::Codes => ("网格编码", "grid codes"),
        StepKind::Import => ("导入", "import"),
        StepKind::Partition => ("自动划分网格", "auto-partition"),
        StepKind::Resolve => ("解决保存冲突", "settle a save conflict"),
    };
    pick(lang, zh, en)
}

pub fn done_text(edit: &Edit, lang: Lang) -> String {
    let what = kind_label(edit.kind, lang);
    match (&edit.notice, edit.kind) {
        (Some(Notice::Clipped { drawn_m2, kept_m2, parts }), _) => match lang {
            Lang::Zh => format!(
                "{what}：已避让重叠并裁剪到边界，{} → {}{}",
                area_text(*drawn_m2),
                area_text(*kept_m2),
                if *parts > 1 { format!("（{parts} 部分）") } else { String::new() }
            ),
            Lang::En => format!(
                "{what}: clipped against grids and the boundary, {} → {}{}",
                area_text(*drawn_m2),
                area_text(*kept_m2),
                if *parts > 1 { format!(" ({parts} parts)") } else { String::new() }
            ),
        },
        (Some(Notice::KeptOnBoundary), _) => pick(
            lang,
            "移动顶点：顶点在边界上，已沿边界移动",
            "move vertex: the vertex is on the boundary and stayed on it",
        )
        .into(),
        (Some(Notice::Grids(n)), StepKind::Split) => {
            say!(lang, "{what}：{n} 个网格已分割", "{what}: {n} grid(s) cut in two")
        }
        (Some(Notice::Grids(n)), StepKind::Merge | StepKind::DeleteGrids) => {
            say!(lang, "{what}：{n} 个网格", "{what}: {n} grids")
        }
        (Some(Notice::Grids(n)), _) => say!(
            lang,
            "{what}：更新了 {n} 个网格（共用顶点一起移动）",
            "{what}: {n} grid(s) updated (shared vertices move together)"
        ),
        (None, _) => what.to_string(),
    }
}

pub fn failure_text(failure: &EditFailure, project: &Project, lang: Lang) -> String {
    if lang == Lang::En {
        return match failure {
            EditFailure::InvalidNeighbour(id, why) => {
                format!("grid {} is invalid ({why}); fix it before clipping against it", project.grid_label(*id))
            }
            EditFailure::FillCovered(id) => format!("this place is already in grid {}", project.grid_label(*id)),
            EditFailure::RingTooSmall(id) => {
                format!("a ring of grid {} would have fewer than three vertices", project.grid_label(*id))
            }
            EditFailure::WouldInvalidate(id, why) => {
                format!("refused: grid {} would become invalid ({why})", project.grid_label(*id))
            }
            other => other.to_string(),
        };
    }
    match failure {
        EditFailure::TooFewVertices => "多边形至少需要三个顶点".into(),
        EditFailure::SelfCrossing => "绘制的轮廓自相交".into(),
        EditFailure::NothingLeft => "裁剪后什么也不剩：多边形落在已有网格上或边界外".into(),
        EditFailure::InvalidNeighbour(id, why) => {
            format!("网格 {} 无效（{why}），请先修复再避让", project.grid_label(*id))
        }
        EditFailure::SplitCrossings { found } => format!("分割线必须与网格轮廓恰好相交两次（现在 {found} 次）"),
        EditFailure::SplitNoGrid => "分割线没有穿过任何网格".into(),
        EditFailure::NoReferenceLine => "这里没有显示中的参考图层线（道路、河流等）".into(),
        EditFailure::SplitThroughHole => "分割线穿过了网格中的洞".into(),
        EditFailure::SplitAlongEdge => "分割线沿网格的边走".into(),
        EditFailure::MergeTooFew => "请至少选择两个网格再合并".into(),
        EditFailure::MergeNotAdjacent => "所选网格不相邻，不能合并为一个".into(),
        EditFailure::FillCovered(id) => format!("这里已属于网格 {}", project.grid_label(*id)),
        EditFailure::FillOutside => "这里在区域边界之外".into(),
        EditFailure::FillNotEnclosed => "这里的空白区域没有被边界或网格围住".into(),
        EditFailure::NoVertex => "这里没有顶点".into(),
        EditFailure::NoEdge => "这里没有边".into(),
        EditFailure::RingTooSmall(id) => format!("网格 {} 的环将少于三个顶点", project.grid_label(*id)),
        EditFailure::BoundaryVertex => "边界上的顶点不能删除：网格会离开边界".into(),
        EditFailure::NodeVertex(n) => format!("此顶点连接 {n} 条边，只能删除两条边相交处的顶点"),
        EditFailure::WouldInvalidate(id, why) => {
            format!("已拒绝：网格 {} 会变为无效（{why}）", project.grid_label(*id))
        }
        EditFailure::WouldOverlap => "已拒绝：这样会造成网格重叠或边相交".into(),
        EditFailure::NothingSelected => "没有选中网格".into(),
        EditFailure::BoundaryCorner => "边界的拐点不能移动（区域边界保持不变）".into(),
    }
}
