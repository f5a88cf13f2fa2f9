//! The thematic map: which theme colours the grids, the classes computed from `core::thematic` once
//! per project revision (never per frame) and handed to the map cache as one fill per grid, and the
//! legend drawn on the map (colour, meaning, count). Also the households per grid shown in labels and
//! the measure tool's read-out box.

use std::collections::BTreeMap;

use eframe::egui::{self, Align2, Color32, Rect, Ui, Vec2};

use super::level_of_detail::GRID_FILLS;
use super::map_cache::{FILL_COLOURS, MapCache};
use crate::core::codes::{count_households, household_band, project_rule};
use crate::core::thematic::{
    CodeStatus, HouseholdClass, Theme, by_code_status, by_households, by_village, households_per_grid,
};
use crate::core::tools::Measurement;
use crate::core::{AreaClass, GridId, Project};
use crate::text::Lang;
use crate::text::theme as words;

/// Grids whose class is not known (no households, no village).
pub const UNKNOWN_FILL: Color32 = Color32::from_rgb(170, 170, 170);

pub fn household_fill(class: HouseholdClass) -> Color32 {
    match class {
        HouseholdClass::Below => Color32::from_rgb(116, 169, 207),
        HouseholdClass::Within => Color32::from_rgb(102, 194, 165),
        HouseholdClass::Above => Color32::from_rgb(244, 109, 67),
        HouseholdClass::Unknown => UNKNOWN_FILL,
    }
}

pub fn code_status_fill(status: CodeStatus) -> Color32 {
    match status {
        CodeStatus::Valid => Color32::from_rgb(102, 194, 165),
        CodeStatus::Missing => UNKNOWN_FILL,
        CodeStatus::Duplicate => Color32::from_rgb(244, 109, 67),
        CodeStatus::BadForm => Color32::from_rgb(253, 174, 97),
        CodeStatus::WrongPrefix => Color32::from_rgb(188, 128, 189),
        CodeStatus::NoVillage => Color32::from_rgb(255, 237, 111),
    }
}

/// What one legend row stands for; its words are made in the language of the frame.
#[derive(Clone, Debug, PartialEq)]
pub enum RowKey {
    Households(HouseholdClass),
    Code(CodeStatus),
    /// A village: its code and name; `None` for grids in no village.
    Village(Option<(String, String)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LegendRow {
    pub colour: Color32,
    pub key: RowKey,
    pub count: usize,
}

/// The thematic state: the chosen theme and what was computed for it, with the revision it is for.
#[derive(Default)]
pub struct Thematic {
    pub theme: Option<Theme>,
    /// (revision, theme) the rows and the cache's fills were computed for.
    computed: Option<(u64, Theme)>,
    pub rows: Vec<LegendRow>,
    /// Households per grid (points, else the attribute), for labels and the households theme.
    households: Option<(u64, BTreeMap<GridId, Option<u64>>)>,
    bands: [(u64, u64); 2],
}

impl Thematic {
    /// Households per grid at `revision`, counted once per revision.
    pub fn households(&mut self, project: &Project, revision: u64) -> &BTreeMap<GridId, Option<u64>> {
        if self.households.as_ref().is_some_and(|(r, _)| *r != revision) {
            self.households = None;
        }
        &self
            .households
            .get_or_insert_with(|| {
                let counted = (!project.households.is_empty()).then(|| count_households(project));
                (revision, households_per_grid(project, counted.as_ref()))
            })
            .1
    }

    /// Households per grid if counted for `revision` (labels read this without counting).
    pub fn households_at(&self, revision: u64) -> Option<&BTreeMap<GridId, Option<u64>>> {
        self.households.as_ref().filter(|(r, _)| *r == revision).map(|(_, h)| h)
    }

    /// Brings the cache's fills and the legend up to date with the theme and the project (cheap when
    /// nothing changed: the work is done once per revision and theme).
    pub fn refresh(&mut self, project: &Project, revision: u64, cache: &mut MapCache) {
        let Some(theme) = self.theme else {
            cache.themed = false;
            self.computed = None;
            self.rows.clear();
            return;
        };
        if self.computed == Some((revision, theme)) && cache.themed {
            return;
        }
        let fills: BTreeMap<GridId, Color32>;
        self.rows.clear();
        match theme {
            Theme::Households => {
                self.bands = [household_band(project, AreaClass::Urban), household_band(project, AreaClass::Rural)];
                let per_grid = self.households(project, revision).clone();
                let classes = by_households(project, &per_grid);
                fills = classes.iter().map(|(id, c)| (*id, household_fill(*c))).collect();
                for class in HouseholdClass::ALL {
                    let count = classes.values().filter(|c| **c == class).count();
                    if count > 0 || class != HouseholdClass::Unknown {
                        self.rows.push(LegendRow {
                            colour: household_fill(class),
                            key: RowKey::Households(class),
                            count,
                        });
                    }
                }
            }
            Theme::CodeStatus => {
                let status = match project_rule(project) {
                    Ok(rule) => by_code_status(project, &rule),
                    // A broken rule: every code is unchecked, shown as malformed.
                    Err(_) => project.grids.keys().map(|id| (*id, CodeStatus::BadForm)).collect(),
                };
                fills = status.iter().map(|(id, s)| (*id, code_status_fill(*s))).collect();
                for s in CodeStatus::ALL {
                    let count = status.values().filter(|v| **v == s).count();
                    self.rows.push(LegendRow { colour: code_status_fill(s), key: RowKey::Code(s), count });
                }
            }
            Theme::Village => {
                let v = by_village(project, FILL_COLOURS);
                let fill_of = |code: &Option<String>| match code {
                    Some(c) => GRID_FILLS[v.colour.get(c).copied().unwrap_or(0) as usize % FILL_COLOURS],
                    None => UNKNOWN_FILL,
                };
                fills = v.of_grid.iter().map(|(id, code)| (*id, fill_of(code))).collect();
                let mut counts: BTreeMap<Option<String>, usize> = BTreeMap::new();
                for code in v.of_grid.values() {
                    *counts.entry(code.clone()).or_default() += 1;
                }
                // Villages in code order, grids in no village last.
                let mut entries: Vec<_> = counts.into_iter().collect();
                entries.sort_by_key(|(code, _)| code.is_none());
                for (code, count) in entries {
                    let colour = fill_of(&code);
                    let key = RowKey::Village(code.map(|c| {
                        let name = project.divisions.get(&c).map(|d| d.name.clone()).unwrap_or_default();
                        (c, name)
                    }));
                    self.rows.push(LegendRow { colour, key, count });
                }
            }
        }
        cache.set_theme_fills(&fills);
        self.computed = Some((revision, theme));
    }

    pub fn row_text(&self, row: &LegendRow, lang: Lang) -> String {
        match &row.key {
            RowKey::Households(c) => words::household_class_text(*c, self.bands[0], self.bands[1], lang),
            RowKey::Code(s) => words::code_status_text(*s, lang).to_string(),
            RowKey::Village(Some((code, name))) if name.is_empty() => code.clone(),
            RowKey::Village(Some((_, name))) => name.clone(),
            RowKey::Village(None) => words::no_village_text(lang).to_string(),
        }
    }
}

/// The legend in the bottom-right corner of the map `rect`: title, then one row per class.
pub fn show_legend(ui: &Ui, rect: Rect, thematic: &Thematic, lang: Lang) {
    let Some(theme) = thematic.theme else { return };
    egui::Area::new(egui::Id::unique("wangge_thematic_legend"))
        .pivot(Align2::RIGHT_BOTTOM)
        .fixed_pos(rect.right_bottom() + Vec2::new(-12.0, -40.0))
        .constrain_to(rect)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.strong(words::theme_name(Some(theme), lang));
                egui::ScrollArea::vertical().max_height((rect.height() * 0.6).max(80.0)).show(ui, |ui| {
                    egui::Grid::new("legend_rows").num_columns(3).spacing([8.0, 2.0]).show(ui, |ui| {
                        for row in &thematic.rows {
                            let (swatch, _) = ui.allocate_exact_size(Vec2::new(18.0, 12.0), egui::Sense::hover());
                            ui.painter().rect_filled(swatch, 2.0, row.colour);
                            ui.painter().rect_stroke(
                                swatch,
                                2.0,
                                egui::Stroke::new(1.0, Color32::from_gray(60)),
                                egui::StrokeKind::Inside,
                            );
                            ui.label(thematic.row_text(row, lang));
                            ui.label(row.count.to_string());
                            ui.end_row();
                        }
                    });
                });
            });
        });
}

/// The measure tool's read-out in the top-right corner of the map.
pub fn show_measurement(ui: &Ui, rect: Rect, m: &Measurement, lang: Lang) {
    egui::Area::new(egui::Id::unique("wangge_measurement"))
        .pivot(Align2::RIGHT_TOP)
        .fixed_pos(rect.right_top() + Vec2::new(-12.0, 12.0))
        .constrain_to(rect)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                for line in words::measurement_lines(m, lang) {
                    ui.label(line);
                }
            });
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::level_of_detail::{MAP_BACKGROUND, UNCOVERED_FILL, delta_e};

    #[test]
    fn thematic_fills_never_look_like_uncovered_land() {
        let fills: Vec<Color32> = HouseholdClass::ALL
            .iter()
            .map(|c| household_fill(*c))
            .chain(CodeStatus::ALL.iter().map(|s| code_status_fill(*s)))
            .collect();
        for f in fills {
            assert!(delta_e(f, UNCOVERED_FILL) >= 20.0 && delta_e(f, MAP_BACKGROUND) >= 20.0, "{f:?}");
        }
        // Classes of one theme are told apart.
        for (i, a) in HouseholdClass::ALL.iter().enumerate() {
            for b in &HouseholdClass::ALL[i + 1..] {
                assert!(delta_e(household_fill(*a), household_fill(*b)) >= 20.0);
            }
        }
        for (i, a) in CodeStatus::ALL.iter().enumerate() {
            for b in &CodeStatus::ALL[i + 1..] {
                assert!(delta_e(code_status_fill(*a), code_status_fill(*b)) >= 15.0, "{a:?} {b:?}");
            }
        }
    }
}
