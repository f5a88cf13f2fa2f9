//! File › Print: the same choices as `wangge print` (products, paper, orientation, township, title,
//! compiled-by, dpi, output file) with a live preview of the pages — the very pages the PDF, SVG or PNG
//! will contain, drawn with egui.

use eframe::egui::{self, Align2, Color32, Context, FontId, Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2, epaint::Mesh};
use geo::{Coord, LineString, Polygon, TriangulateEarcut};

use super::Action;
use super::file_dialog::Purpose;
use crate::core::Project;
use crate::print::{Align, Item, Page, Paper, PrintOptions, Products, Rgba, default_title, pages};
use crate::text::Lang;
use crate::text::pick;

pub struct PrintForm {
    pub options: PrintOptions,
    pub title: String,
    /// The default title the title box was last filled with: while the box holds it, it follows the range.
    auto_title: String,
    pub out: String,
    pub page: usize,
    /// The project's basemaps (names, bottom first), to choose one to print under the grids.
    pub basemaps: Vec<String>,
    /// The pages for the options and project revision they were made for.
    cache: Option<(PrintOptions, u64, Vec<Page>)>,
}

impl PrintForm {
    pub fn new(project: &Project, out: String, basemaps: Vec<String>) -> PrintForm {
        let title = default_title(project, None);
        PrintForm {
            options: PrintOptions::default(),
            auto_title: title.clone(),
            title,
            out,
            page: 0,
            basemaps,
            cache: None,
        }
    }

    /// The options with the title as typed (empty: the default title).
    pub fn effective_options(&self) -> PrintOptions {
        let title = self.title.trim();
        PrintOptions { title: (!title.is_empty()).then(|| title.to_string()), ..self.options.clone() }
    }

    fn pages(&mut self, project: &Project, revision: u64) -> &[Page] {
        let options = self.effective_options();
        let stale = self.cache.as_ref().is_none_or(|(o, r, _)| *o != options || *r != revision);
        if stale {
            let made = pages(project, &options);
            self.cache = Some((options, revision, made));
        }
        self.cache.as_ref().map_or(&[], |(_, _, p)| p.as_slice())
    }
}

fn colour(c: Rgba) -> Color32 {
    Color32::from_rgba_unmultiplied(c.0, c.1, c.2, c.3)
}

/// Draws a page into `rect` (scaled to fit, white paper with a shadow).
pub fn draw_page(ui: &Ui, page: &Page, rect: Rect) {
    let scale = (rect.width() / page.width as f32).min(rect.height() / page.height as f32);
    let size = Vec2::new(page.width as f32 * scale, page.height as f32 * scale);
    let paper = Rect::from_center_size(rect.center(), size);
    let painter = ui.painter_at(rect);
    painter.rect_filled(paper.translate(Vec2::splat(3.0)), 0.0, Color32::from_black_alpha(60));
    painter.rect_filled(paper, 0.0, Color32::WHITE);
    let at = |(x, y): (f64, f64)| Pos2::new(paper.min.x + x as f32 * scale, paper.min.y + y as f32 * scale);
    for item in &page.items {
        match item {
            Item::Path { parts, closed, fill, stroke } => {
                if let (Some(fill), true) = (fill, *closed) {
                    // Each ring filled on its own (holes are rare in grid maps and only the preview
                    // approximates them; the outputs use the even-odd rule).
                    let mut mesh = Mesh::default();
                    for part in parts.iter().filter(|p| p.len() >= 3) {
                        let ring = LineString(part.iter().map(|&(x, y)| Coord { x, y }).collect());
                        let raw = Polygon::new(ring, vec![]).earcut_triangles_raw();
                        let base = mesh.vertices.len() as u32;
                        for v in &raw.vertices {
                            mesh.colored_vertex(at((v[0], v[1])), colour(*fill));
                        }
                        mesh.indices.extend(raw.triangle_indices.iter().map(|i| base + *i as u32));
                    }
                    painter.add(Shape::mesh(mesh));
                }
                if let Some(s) = stroke {
                    let width = (s.width as f32 * scale).max(0.5);
                    for part in parts {
                        let mut points: Vec<Pos2> = part.iter().map(|&p| at(p)).collect();
                        if *closed && let Some(first) = points.first().copied() {
                            points.push(first);
                        }
                        painter.add(Shape::line(points, Stroke::new(width, colour(s.color))));
                    }
                }
            }
            // The preview shows where the basemap goes (its tiles are fetched when printing).
            Item::BasemapSlot { map } => {
                let f = map.frame;
                let r = Rect::from_min_max(at((f.left, f.top)), at((f.right(), f.bottom())));
                painter.rect_filled(r, 0.0, Color32::from_rgb(226, 232, 222));
            }
            Item::Image { rect: f, .. } => {
                let r = Rect::from_min_max(at((f.left, f.top)), at((f.right(), f.bottom())));
                painter.rect_filled(r, 0.0, Color32::from_rgb(226, 232, 222));
            }
            Item::Text { at: pos, size, text, color, align } => {
                let px = *size as f32 * scale;
                if px < 3.0 {
                    continue;
                }
                let anchor = match align {
                    Align::Start => Align2::LEFT_BOTTOM,
                    Align::Middle => Align2::CENTER_BOTTOM,
                    Align::End => Align2::RIGHT_BOTTOM,
                };
                painter.text(at(*pos), anchor, text, FontId::proportional(px), colour(*color));
            }
        }
    }
}

/// Shows the print window; returns false when it should close.
pub fn show(
    ctx: &Context,
    form: &mut PrintForm,
    lang: Lang,
    project: &Project,
    revision: u64,
    actions: &mut Vec<Action>,
) -> bool {
    let t = |zh: &'static str, en: &'static str| pick(lang, zh, en);
    let mut keep = true;
    egui::Window::new(t("打印", "Print")).default_size([900.0, 640.0]).resizable(true).collapsible(false).show(
        ctx,
        |ui| {
            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(300.0);
                    let o = &mut form.options;
                    ui.label(t("内容", "Contents"));
                    let p = &mut o.products;
                    ui.checkbox(&mut p.overview, t("网格划分图（总图）", "Overview map"));
                    ui.checkbox(&mut p.atlas, t("网格图（每格一页，含索引）", "Atlas (a page per grid, with index)"));
                    ui.checkbox(&mut p.table, t("网格一览表", "Grid table"));
                    if *p == (Products { overview: false, atlas: false, table: false }) {
                        p.overview = true;
                    }
                    ui.horizontal(|ui| {
                        ui.label(t("纸张", "Paper"));
                        for paper in [Paper::A4, Paper::A3, Paper::A2] {
                            ui.radio_value(&mut o.paper, paper, paper.name());
                        }
                    });
                    ui.checkbox(&mut o.landscape, t("横向", "Landscape"));
                    let towns: Vec<(String, String)> =
                        project.townships().map(|d| (d.code.to_string(), d.name.clone())).collect();
                    ui.horizontal(|ui| {
                        let label = ui.label(t("范围", "Area"));
                        let current = o
                            .township
                            .as_ref()
                            .and_then(|c| towns.iter().find(|(code, _)| code == c))
                            .map_or(t("全部", "All").to_string(), |(_, n)| n.clone());
                        egui::ComboBox::from_id_salt("print-township")
                            .selected_text(current)
                            .show_ui(ui, |ui| {
                                ui.selectable_value(&mut o.township, None, t("全部", "All"));
                                for (code, name) in &towns {
                                    ui.selectable_value(&mut o.township, Some(code.clone()), name);
                                }
                            })
                            .response
                            .labelled_by(label.id);
                    });
                    if !form.basemaps.is_empty() {
                        ui.horizontal(|ui| {
                            let label = ui.label(t("底图", "Basemap"));
                            let none = t("无", "None");
                            egui::ComboBox::from_id_salt("print-basemap")
                                .selected_text(o.basemap.clone().unwrap_or_else(|| none.to_string()))
                                .show_ui(ui, |ui| {
                                    ui.selectable_value(&mut o.basemap, None, none);
                                    for name in &form.basemaps {
                                        ui.selectable_value(&mut o.basemap, Some(name.clone()), name);
                                    }
                                })
                                .response
                                .labelled_by(label.id);
                        });
                    }
                    if !project.reference_layers.is_empty() {
                        ui.horizontal_wrapped(|ui| {
                            ui.label(t("参考图层", "Reference layers"));
                            for layer in &project.reference_layers {
                                let mut shown = !o.hidden_references.contains(&layer.name);
                                if ui.checkbox(&mut shown, &layer.name).changed() {
                                    if shown {
                                        o.hidden_references.remove(&layer.name);
                                    } else {
                                        o.hidden_references.insert(layer.name.clone());
                                    }
                                }
                            }
                        });
                    }
                    let auto = default_title(project, o.township.as_deref());
                    if auto != form.auto_title {
                        if form.title.trim().is_empty() || form.title == form.auto_title {
                            form.title = auto.clone();
                        }
                        form.auto_title = auto;
                    }
                    ui.horizontal(|ui| {
                        let label = ui.label(t("标题", "Title"));
                        ui.add(egui::TextEdit::singleline(&mut form.title).desired_width(220.0)).labelled_by(label.id);
                    });
                    ui.horizontal(|ui| {
                        let label = ui.label(t("编制单位", "Compiled by"));
                        ui.add(egui::TextEdit::singleline(&mut form.options.compiled_by).desired_width(190.0))
                            .labelled_by(label.id);
                    });
                    ui.horizontal(|ui| {
                        let label = ui.label(t("PNG 分辨率", "PNG resolution"));
                        ui.add(egui::DragValue::new(&mut form.options.dpi).range(30.0..=1200.0).suffix(" dpi"))
                            .labelled_by(label.id);
                    });
                    ui.horizontal(|ui| {
                        let label = ui.label(t("输出文件", "Output file"));
                        ui.add(egui::TextEdit::singleline(&mut form.out).desired_width(150.0)).labelled_by(label.id);
                        if ui.button(t("浏览…", "Browse…")).clicked() {
                            actions.push(Action::Browse(Purpose::PrintTo));
                        }
                    });
                    ui.label(
                        egui::RichText::new(t(
                            ".pdf 矢量；.png / .svg 每页一个文件",
                            ".pdf vector; .png / .svg one file per page",
                        ))
                        .weak(),
                    );
                    ui.horizontal(|ui| {
                        if ui.button(t("打印到文件", "Print to file")).clicked() {
                            actions.push(Action::RunPrint);
                        }
                        if ui.button(t("关闭", "Close")).clicked() {
                            keep = false;
                        }
                    });
                });
                ui.separator();
                ui.vertical(|ui| {
                    let count = form.pages(project, revision).len();
                    form.page = form.page.min(count.saturating_sub(1));
                    ui.horizontal(|ui| {
                        if ui.add_enabled(form.page > 0, egui::Button::new(t("上一页", "Previous"))).clicked() {
                            form.page -= 1;
                        }
                        ui.label(format!("{} {} / {count}", t("预览 第", "Preview page"), form.page + 1));
                        if ui.add_enabled(form.page + 1 < count, egui::Button::new(t("下一页", "Next"))).clicked() {
                            form.page += 1;
                        }
                    });
                    let size = ui.available_size().max(Vec2::new(300.0, 400.0));
                    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
                    let page = form.page;
                    if let Some(p) = form.pages(project, revision).get(page) {
                        draw_page(ui, p, rect);
                    }
                });
            });
        },
    );
    keep
}
