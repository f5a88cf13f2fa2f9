//! The toolbar: the editing tools (each with its key), snapping, undo and redo.

use eframe::egui::{self, Color32, Pos2, Shape, Stroke, Ui, Vec2};

use super::Action;
use super::state::AppState;
use crate::core::tools::ToolKind;
use crate::text::Lang;
use crate::text::pick;

/// The toolbar's icons, drawn as vector shapes (no icon font needed, crisp at any scale).
#[derive(Clone, Copy, PartialEq)]
enum Icon {
    Tool(ToolKind),
    Snap,
    Undo,
    Redo,
}

/// A full-width space the icon is painted over, so the icon is part of the button.
const ICON_ROOM: &str = "\u{3000} ";

fn paint_icon(painter: &egui::Painter, rect: egui::Rect, icon: Icon, color: Color32) {
    let c = rect.center();
    let s = rect.height().min(rect.width()) * 0.42;
    let p = |x: f32, y: f32| Pos2::new(c.x + x * s, c.y + y * s);
    let stroke = Stroke::new(1.5, color);
    let dot = |painter: &egui::Painter, at: Pos2| {
        painter.rect_filled(egui::Rect::from_center_size(at, Vec2::splat(3.5)), 0.0, color)
    };
    let square = [p(-0.8, -0.8), p(0.8, -0.8), p(0.8, 0.8), p(-0.8, 0.8)];
    match icon {
        Icon::Tool(ToolKind::Select) => {
            let arrow =
                vec![p(-0.6, -0.9), p(0.6, 0.2), p(0.05, 0.25), p(0.4, 0.9), p(0.15, 1.0), p(-0.2, 0.35), p(-0.6, 0.7)];
            painter.add(Shape::closed_line(arrow, stroke));
        }
        Icon::Tool(ToolKind::Draw) => {
            let shape = vec![p(-0.9, 0.2), p(-0.3, -0.8), p(0.7, -0.5), p(0.8, 0.6), p(-0.4, 0.8)];
            painter.add(Shape::closed_line(shape.clone(), stroke));
            for v in shape {
                dot(painter, v);
            }
        }
        Icon::Tool(ToolKind::EditVertices) => {
            let shape = vec![p(-0.8, -0.8), p(0.8, -0.8), p(0.3, 0.3), p(-0.8, 0.8)];
            painter.add(Shape::closed_line(shape.clone(), stroke));
            for v in shape {
                dot(painter, v);
            }
            painter.circle_stroke(p(0.3, 0.3), s * 0.35, stroke);
        }
        Icon::Tool(ToolKind::Split) => {
            painter.add(Shape::closed_line(square.to_vec(), stroke));
            painter.line_segment([p(-1.0, 1.0), p(1.0, -1.0)], Stroke::new(2.0, Color32::from_rgb(220, 60, 20)));
        }
        Icon::Tool(ToolKind::Merge) => {
            painter.add(Shape::closed_line(vec![p(-1.0, -0.6), p(1.0, -0.6), p(1.0, 0.6), p(-1.0, 0.6)], stroke));
            painter.extend(Shape::dashed_line(&[p(0.0, -0.6), p(0.0, 0.6)], Stroke::new(1.0, color), 2.0, 2.0));
        }
        Icon::Tool(ToolKind::Fill) => {
            painter.add(Shape::closed_line(square.to_vec(), stroke));
            painter.add(Shape::convex_polygon(
                vec![p(-0.5, -0.5), p(0.5, -0.5), p(0.5, 0.5), p(-0.5, 0.5)],
                color,
                Stroke::NONE,
            ));
        }
        Icon::Tool(ToolKind::Measure) => {
            // A ruler: a bar with ticks.
            painter.add(Shape::closed_line(vec![p(-1.0, -0.35), p(1.0, -0.35), p(1.0, 0.35), p(-1.0, 0.35)], stroke));
            for i in 0..5 {
                let x = -0.7 + 0.35 * i as f32;
                let len = if i % 2 == 0 { 0.3 } else { 0.15 };
                painter.line_segment([p(x, -0.35), p(x, -0.35 + len)], Stroke::new(1.0, color));
            }
        }
        Icon::Snap => {
            painter.circle_stroke(c, s * 0.7, stroke);
            painter.line_segment([p(-1.0, 0.0), p(1.0, 0.0)], stroke);
            painter.line_segment([p(0.0, -1.0), p(0.0, 1.0)], stroke);
        }
        Icon::Undo | Icon::Redo => {
            // A hooked arrow: its head points back (left) for Undo and forward (right) for Redo, the
            // shaft turning down behind it, as in every editor's toolbar.
            let dir = if icon == Icon::Undo { 1.0 } else { -1.0 };
            let q = |x: f32, y: f32| p(dir * x, y);
            let mut shaft = vec![q(-0.4, -0.4), q(0.15, -0.4)];
            shaft.extend((1..=10).map(|i| {
                let a = -std::f32::consts::FRAC_PI_2 + std::f32::consts::PI * i as f32 / 10.0;
                q(0.15 + 0.55 * a.cos(), 0.15 + 0.55 * a.sin())
            }));
            shaft.push(q(-0.35, 0.7));
            painter.add(Shape::line(shaft, stroke));
            painter.add(Shape::convex_polygon(
                vec![q(-0.95, -0.4), q(-0.4, -0.85), q(-0.4, 0.05)],
                color,
                Stroke::NONE,
            ));
        }
    }
}

/// A button with an icon painted in its leading space.
fn icon_button(ui: &mut Ui, icon: Icon, selected: Option<bool>, enabled: bool, text: &str) -> egui::Response {
    let label = format!("{ICON_ROOM}{text}");
    let button = match selected {
        Some(on) => egui::Button::selectable(on, label),
        None => egui::Button::new(label),
    };
    let response = ui.add_enabled(enabled, button);
    let room = egui::Rect::from_min_size(
        response.rect.min + Vec2::new(ui.spacing().button_padding.x, 0.0),
        Vec2::new(response.rect.height() - 2.0, response.rect.height()),
    );
    let color = if enabled { ui.visuals().text_color() } else { ui.visuals().weak_text_color() };
    paint_icon(ui.painter(), room.shrink(3.0), icon, color);
    response
}

pub fn name(kind: ToolKind, lang: Lang) -> &'static str {
    let (zh, en) = match kind {
        ToolKind::Select => ("选择", "Select"),
        ToolKind::Draw => ("绘制网格", "Draw grid"),
        ToolKind::EditVertices => ("编辑顶点", "Edit vertices"),
        ToolKind::Split => ("分割", "Split"),
        ToolKind::Merge => ("合并", "Merge"),
        ToolKind::Fill => ("填充空白", "Fill gap"),
        ToolKind::Measure => ("量算", "Measure"),
    };
    pick(lang, zh, en)
}

fn help(kind: ToolKind, lang: Lang) -> &'static str {
    let (zh, en) = match kind {
        ToolKind::Select => (
            "单击选择，Shift+单击加选，拖框选择；Delete 删除所选",
            "Click to select, Shift+click to add, drag a box; Delete removes the selection",
        ),
        ToolKind::Draw => (
            "单击放置顶点，Backspace 删除上一个，Enter 或双击完成，Esc 取消；自动捕捉并避让重叠",
            "Click vertices, Backspace removes the last, Enter or double-click finishes, Esc cancels; snaps and avoids overlaps",
        ),
        ToolKind::EditVertices => (
            "拖动顶点（共用顶点一起移动），单击边插入顶点，选中顶点后按 Delete 删除",
            "Drag a vertex (shared vertices move together), click an edge to insert one, click a vertex then Delete",
        ),
        ToolKind::Split => (
            "画一条穿过网格的线（Enter 或双击完成），把网格一分为二；或按住 Shift 单击参考图层的道路、河流，沿它分割",
            "Draw a line across a grid (Enter or double-click) to cut it in two, or Shift+click a road or river of a reference layer to cut along it",
        ),
        ToolKind::Merge => {
            ("单击选择相邻网格，Enter 或双击合并", "Click adjacent grids, then Enter or double-click to merge")
        }
        ToolKind::Fill => ("在未覆盖的空白处单击，生成新网格", "Click inside an uncovered area to make it a grid"),
        ToolKind::Measure => (
            "单击放置点量算距离和面积（平方米、平方千米、亩），双击或 Enter 结束，Esc 清除",
            "Click points to measure distance and area (m², km², mu), double-click or Enter finishes, Esc clears",
        ),
    };
    pick(lang, zh, en)
}

pub fn show(ui: &mut Ui, state: &AppState, actions: &mut Vec<Action>) {
    let lang = state.lang();
    ui.horizontal(|ui| {
        for kind in ToolKind::ALL {
            let active = state.editor.tool.kind() == kind;
            let tip = format!("{} ({})\n{}", name(kind, lang), kind.key(), help(kind, lang));
            if icon_button(ui, Icon::Tool(kind), Some(active), true, name(kind, lang)).on_hover_text(tip).clicked() {
                actions.push(Action::SetTool(kind));
            }
        }
        ui.separator();
        let snap_tip = pick(
            lang,
            "捕捉到边界、村界和其他网格的顶点与边",
            "Snap to vertices and edges of the boundary, village lines and grids",
        );
        let snap = icon_button(ui, Icon::Snap, Some(state.editor.snapping), true, pick(lang, "捕捉", "Snap"));
        if snap.on_hover_text(snap_tip).clicked() {
            actions.push(Action::ToggleSnapping);
        }
        let mut px = state.editor.snap_px;
        let tolerance = ui.add(egui::DragValue::new(&mut px).range(2.0..=40.0).suffix(" px").speed(0.5));
        let tolerance =
            tolerance.on_hover_text(pick(lang, "捕捉容差（屏幕像素）", "Snapping tolerance (screen pixels)"));
        if tolerance.changed() {
            actions.push(Action::SetSnapTolerance(px));
        }
        ui.separator();
        let undo = icon_button(ui, Icon::Undo, None, state.doc.history.can_undo(), pick(lang, "撤销", "Undo"));
        if undo.on_hover_text("Ctrl+Z").clicked() {
            actions.push(Action::Undo);
        }
        let redo = icon_button(ui, Icon::Redo, None, state.doc.history.can_redo(), pick(lang, "重做", "Redo"));
        if redo.on_hover_text("Ctrl+Y / Ctrl+Shift+Z").clicked() {
            actions.push(Action::Redo);
        }
        if state.editor.tool.kind() == crate::core::tools::ToolKind::Merge && state.editor.selection.len() >= 2 {
            ui.separator();
            if ui.button(pick(lang, "合并所选", "Merge selected")).clicked() {
                actions.push(Action::MergeSelected);
            }
        }
    });
}
