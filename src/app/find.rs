//! Finding grids: a search box (code, name, grid head or staff, village) that lists matches, and the grid
//! list sortable by code, households and area. Picking a grid in either selects it and zooms to it.

use eframe::egui::{self, Ui};

use super::Action;
use super::state::AppState;
use crate::core::codes::count_households;
use crate::core::{GridId, Project, area_m2};
use crate::text::start::matches_found;
use crate::text::{Lang, pick, say};

/// At most this many matches are listed under the search box.
const MATCHES_SHOWN: usize = 50;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Code,
    Households,
    Area,
}

/// One grid as the list shows it, and what the search looks in.
#[derive(Clone, Debug, PartialEq)]
pub struct GridRow {
    pub id: GridId,
    pub code: String,
    pub name: String,
    pub village: String,
    /// Grid head and staff.
    pub people: String,
    /// Counted from household points when the project has them, else the grid's own attribute.
    pub households: Option<u64>,
    pub area_m2: f64,
}

/// The search text, the list's order, and the rows computed once per project revision.
#[derive(Default)]
pub struct FindPanel {
    pub query: String,
    pub sort: SortBy,
    pub descending: bool,
    rows: Option<(u64, Vec<GridRow>)>,
    /// The matches of the search (positions in `rows`), for the revision and query they were found at.
    matches: Option<(u64, String, Vec<usize>)>,
}

pub fn grid_rows(project: &Project) -> Vec<GridRow> {
    let counts = (!project.households.is_empty()).then(|| count_households(project));
    project
        .grids
        .values()
        .map(|g| GridRow {
            id: g.id,
            code: g.code.clone(),
            name: g.name.clone(),
            village: project.divisions.get(g.village_code.as_str()).map(|d| d.name.clone()).unwrap_or_default(),
            people: format!("{} {}", g.attrs.grid_head, g.attrs.grid_staff),
            households: match &counts {
                Some(c) => Some(c.per_grid.get(&g.id).map_or(0, |c| c.households)),
                None => g.attrs.households.map(u64::from),
            },
            area_m2: area_m2(&g.geometry, &project.crs),
        })
        .collect()
}

/// The positions of the rows whose code, name, grid head or staff, or village name contains `query`
/// (any case).
pub fn matching(rows: &[GridRow], query: &str) -> Vec<usize> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    rows.iter()
        .enumerate()
        .filter(|(_, r)| [&r.code, &r.name, &r.people, &r.village].iter().any(|f| f.to_lowercase().contains(&q)))
        .map(|(i, _)| i)
        .collect()
}

/// Orders rows by `sort` (ties by code, so the order never depends on anything else).
pub fn sort_rows(rows: &mut [GridRow], sort: SortBy, descending: bool) {
    rows.sort_by(|a, b| {
        let by = match sort {
            SortBy::Code => a.code.cmp(&b.code),
            SortBy::Households => a.households.cmp(&b.households),
            SortBy::Area => a.area_m2.total_cmp(&b.area_m2),
        };
        let by = if descending { by.reverse() } else { by };
        by.then_with(|| a.code.cmp(&b.code)).then(a.id.cmp(&b.id))
    });
}

fn label_of(r: &GridRow) -> String {
    let code = if r.code.is_empty() { format!("#{}", r.id) } else { r.code.clone() };
    [code, r.name.clone(), r.village.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")
}

impl FindPanel {
    fn refresh(&mut self, state: &AppState) {
        let revision = state.doc.revision;
        if self.rows.as_ref().is_none_or(|(r, _)| *r != revision) {
            let mut rows = grid_rows(&state.doc.project);
            sort_rows(&mut rows, self.sort, self.descending);
            self.rows = Some((revision, rows));
        }
    }

    fn resort(&mut self, sort: SortBy) {
        if self.sort == sort {
            self.descending = !self.descending;
        } else {
            (self.sort, self.descending) = (sort, false);
        }
        if let Some((_, rows)) = &mut self.rows {
            sort_rows(rows, self.sort, self.descending);
        }
        self.matches = None;
    }

    /// The search box and its matches.
    pub fn show_search(&mut self, ui: &mut Ui, state: &AppState, actions: &mut Vec<Action>) {
        let lang = state.lang();
        ui.horizontal(|ui| {
            let label = ui.label(pick(lang, "查找网格", "Find a grid"));
            let hint = pick(lang, "编码、名称、网格员、村", "code, name, staff, village");
            ui.add(egui::TextEdit::singleline(&mut self.query).hint_text(hint).desired_width(f32::INFINITY))
                .labelled_by(label.id);
        });
        if self.query.trim().is_empty() {
            return;
        }
        self.refresh(state);
        let Some((revision, rows)) = &self.rows else { return };
        // Searched once per query and project revision, not every frame (100,000 grids).
        if self.matches.as_ref().is_none_or(|(r, q, _)| r != revision || *q != self.query) {
            self.matches = Some((*revision, self.query.clone(), matching(rows, &self.query)));
        }
        let Some((_, _, found)) = &self.matches else { return };
        ui.label(matches_found(found.len(), MATCHES_SHOWN, lang));
        egui::ScrollArea::vertical().id_salt("find_matches").max_height(160.0).show(ui, |ui| {
            for r in found.iter().take(MATCHES_SHOWN).filter_map(|&i| rows.get(i)) {
                let selected = state.editor.selection.contains(&r.id);
                if ui.selectable_label(selected, label_of(r)).clicked() {
                    actions.push(Action::PickGrid(r.id));
                }
            }
        });
    }

    /// The grid list: a header that sorts, one row a grid.
    pub fn show_list(&mut self, ui: &mut Ui, state: &AppState, actions: &mut Vec<Action>) {
        let lang = state.lang();
        self.refresh(state);
        let arrow = |s: SortBy| match (self.sort == s, self.descending) {
            (false, _) => "",
            (true, false) => " ↑",
            (true, true) => " ↓",
        };
        let mut resort = None;
        ui.horizontal(|ui| {
            ui.label(pick(lang, "排序", "Sort"));
            for (by, zh, en) in [
                (SortBy::Code, "按编码", "by code"),
                (SortBy::Households, "按户数", "by households"),
                (SortBy::Area, "按面积", "by area"),
            ] {
                if ui.selectable_label(self.sort == by, format!("{}{}", pick(lang, zh, en), arrow(by))).clicked() {
                    resort = Some(by);
                }
            }
        });
        if let Some(by) = resort {
            self.resort(by);
        }
        let Some((_, rows)) = &self.rows else { return };
        if rows.is_empty() {
            ui.weak(pick(
                lang,
                "还没有网格：在地图上画出来，或导入网格图层。",
                "No grids yet: draw them, or import a grid layer.",
            ));
            return;
        }
        let row_height = ui.text_style_height(&egui::TextStyle::Button) + 4.0;
        egui::ScrollArea::vertical().id_salt("grid_list").auto_shrink([false, true]).show_rows(
            ui,
            row_height,
            rows.len(),
            |ui, range| {
                for r in &rows[range] {
                    let households = r.households.map_or("—".to_string(), |h| h.to_string());
                    let text =
                        format!("{}  {}  {:.2} km²", label_of(r), household_text(&households, lang), r.area_m2 / 1e6);
                    let selected = state.editor.selection.contains(&r.id);
                    if ui.add(egui::Button::selectable(selected, text).truncate()).clicked() {
                        actions.push(Action::PickGrid(r.id));
                    }
                }
            },
        );
    }
}

fn household_text(n: &str, lang: Lang) -> String {
    say!(lang, "{n} 户", "{n} households")
}
