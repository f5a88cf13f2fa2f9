//! Tools › 自动划分网格 (issue 15): choose villages (or a township, or all), the household band, the
//! reference layers to cut along, a count and whether existing grids stay → Preview computes the
//! proposal on a worker thread (the status bar shows it with Cancel) → the proposed grids are drawn on
//! the map, coloured by how far their households are from the band and labelled with them, with the
//! summary per village in the window → Apply makes it one undoable step. The proposal applied is the
//! one shown: after a change of the options or of the project, Apply waits for a new preview.

use std::collections::BTreeSet;

use eframe::egui::{self, Color32, Context, Shape, Stroke};

use super::Action;
use super::level_of_detail::{ToScreen, add_fill};
use super::map_cache::DrawnFeature;
use crate::core::codes::household_band;
use crate::core::partition::{Band, DEFAULT_CLUSTER_M, PartitionError, PartitionRequest, Plan, Selection};
use crate::core::{AreaClass, GridId, Project, ReferenceGeometry};
use crate::text::Lang;
use crate::text::partition::{error_text, overall_text, report_text};
use crate::text::partition_tool as words;
use crate::text::status::StatusLine;

/// Which villages the form partitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Villages,
    Township,
    All,
}

/// The window's choices, and the proposal last computed for them.
pub struct PartitionForm {
    pub scope: Scope,
    /// Village codes chosen (scope `Villages`).
    pub villages: BTreeSet<String>,
    pub filter: String,
    /// Township code (scope `Township`).
    pub township: String,
    /// The band from the settings by each village's class (true), or `band` for all.
    pub band_from_settings: bool,
    pub band: (u64, u64),
    pub set_count: bool,
    pub grids: usize,
    /// Reference layers to cut along.
    pub along: BTreeSet<String>,
    pub keep_existing: bool,
    pub cluster_m: f64,
    pub seed: u64,
    pub show_on_map: bool,
    /// A preview of this form is being computed.
    pub computing: bool,
    proposal: Option<Proposal>,
    /// Why the last preview could not be made.
    error: Option<StatusLine>,
}

/// A computed proposal: the plan, what it was computed for, and its grids ready to draw.
pub struct Proposal {
    pub plan: Plan,
    request: PartitionRequest,
    revision: u64,
    pub shown: Vec<ProposedGrid>,
    /// In both languages: it follows a switch of language while the window is open.
    summary: StatusLine,
}

/// A proposed grid as drawn on the map.
pub struct ProposedGrid {
    pub feature: DrawnFeature,
    pub fill: Color32,
}

impl PartitionForm {
    /// A form for `project`: the villages of the selected grids chosen, else the first township's.
    pub fn new(project: &Project, selection: &BTreeSet<GridId>) -> PartitionForm {
        let villages: BTreeSet<String> = selection
            .iter()
            .filter_map(|id| project.grids.get(id))
            .map(|g| g.village_code.clone())
            .filter(|v| project.divisions.get(v).is_some_and(|d| d.code.is_village()))
            .collect();
        let township = project.townships().next().map(|t| t.code.to_string()).unwrap_or_default();
        let scope = match (villages.is_empty(), township.is_empty()) {
            (false, _) => Scope::Villages,
            (true, false) => Scope::Township,
            (true, true) => Scope::All,
        };
        // Lines (roads, rivers) to cut along by default; a polygon layer (houses) only when chosen.
        let along = project
            .reference_layers
            .iter()
            .filter(|l| l.features.iter().any(|f| matches!(f.geometry, ReferenceGeometry::Lines(_))))
            .map(|l| l.name.clone())
            .collect();
        PartitionForm {
            scope,
            villages,
            filter: String::new(),
            township,
            band_from_settings: true,
            band: household_band(project, AreaClass::Urban),
            set_count: false,
            grids: 1,
            along,
            keep_existing: false,
            cluster_m: DEFAULT_CLUSTER_M,
            seed: 1,
            show_on_map: true,
            computing: false,
            proposal: None,
            error: None,
        }
    }

    /// The request the form's choices make, or why they make none.
    pub fn request(&self, lang: Lang) -> Result<PartitionRequest, String> {
        let selection = match self.scope {
            Scope::Villages if self.villages.is_empty() => return Err(words::none_chosen(lang)),
            Scope::Villages => Selection::Villages(self.villages.iter().cloned().collect()),
            Scope::Township => Selection::Township(self.township.clone()),
            Scope::All => Selection::All,
        };
        let band = match self.band_from_settings {
            true => None,
            false if self.band.0 > self.band.1 || self.band.1 == 0 => return Err(words::bad_band(lang)),
            false => Some(Band { min: self.band.0, max: self.band.1 }),
        };
        Ok(PartitionRequest {
            selection,
            band,
            grids: self.set_count.then_some(self.grids.max(1)),
            along: self.along.iter().cloned().collect(),
            keep_existing: self.keep_existing,
            seed: self.seed,
            cluster_m: self.cluster_m.max(0.0),
        })
    }

    /// Takes a preview's outcome: the proposal to show, or why there is none.
    pub fn computed(
        &mut self,
        request: PartitionRequest,
        revision: u64,
        result: Result<Plan, PartitionError>,
        lang: Lang,
    ) {
        self.computing = false;
        match result {
            Ok(plan) => {
                let shown = plan
                    .proposed()
                    .map(|(grid, households, band)| ProposedGrid {
                        feature: DrawnFeature::new(&grid.geometry, words::households_label(households, lang)),
                        fill: band_fill(households, band),
                    })
                    .collect();
                // The whole first: with a county's 127 villages, the lines per village scroll.
                let summary = StatusLine::new(lang, |l| {
                    let mut summary = overall_text(&plan.reports, l);
                    summary.extend(plan.reports.iter().map(|r| report_text(r, l)));
                    summary + &words::would_change(plan.added.len(), plan.removed.len(), plan.noded.len(), l)
                });
                self.proposal = Some(Proposal { plan, request, revision, shown, summary });
                self.error = None;
            }
            Err(e) => {
                self.proposal = None;
                self.error = Some(StatusLine::new(lang, |l| error_text(&e, l)));
            }
        }
    }

    /// The proposal to apply: the one shown, when it was computed for these choices and this state of
    /// the project.
    pub fn applicable(&self, revision: u64, lang: Lang) -> Option<&Plan> {
        let p = self.proposal.as_ref()?;
        (p.revision == revision && self.request(lang).ok().as_ref() == Some(&p.request)).then_some(&p.plan)
    }

    /// The proposed grids to draw on the map, while the form shows them and they were made for the
    /// project as it is (not after an edit, an undo, another project opened).
    pub fn on_map(&self, revision: u64) -> Option<&[ProposedGrid]> {
        self.proposal.as_ref().filter(|p| self.show_on_map && p.revision == revision).map(|p| p.shown.as_slice())
    }

    /// Forgets choices the project no longer has (a reference layer or a village undone away).
    fn drop_missing(&mut self, project: &Project) {
        self.along.retain(|name| project.reference_layer(name).is_some());
        self.villages.retain(|code| project.divisions.get(code).is_some_and(|d| d.code.is_village()));
    }
}

/// A proposed grid's fill: green within the band; blue below it, red above it, darker the further off
/// (full colour at half the band's end away).
pub fn band_fill(households: u64, band: Band) -> Color32 {
    let blend = |from: [u8; 3], to: [u8; 3], t: f32| {
        let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * t.clamp(0.0, 1.0)).round() as u8;
        Color32::from_rgba_unmultiplied(mix(from[0], to[0]), mix(from[1], to[1]), mix(from[2], to[2]), 170)
    };
    if band.contains(households) {
        Color32::from_rgba_unmultiplied(102, 194, 165, 170)
    } else if households < band.min {
        let off = (band.min - households) as f32 / (band.min.max(1) as f32 / 2.0);
        blend([171, 217, 233], [33, 102, 172], off)
    } else {
        let off = (households - band.max) as f32 / (band.max.max(1) as f32 / 2.0);
        blend([253, 174, 97], [178, 24, 43], off)
    }
}

/// Draws the proposed grids over the map: fills, dark outlines, households at each grid's label point.
pub fn draw(painter: &egui::Painter, grids: &[ProposedGrid], to: ToScreen) {
    let mut mesh = egui::epaint::Mesh::default();
    for g in grids {
        add_fill(&mut mesh, &g.feature, g.fill, to);
    }
    painter.add(Shape::mesh(mesh));
    let stroke = Stroke::new(1.5, Color32::from_rgb(30, 30, 30));
    for g in grids {
        for ring in &g.feature.rings {
            painter.add(Shape::closed_line(ring.iter().map(|&c| to.pos(c)).collect(), stroke));
        }
    }
    // Only where the number fits across its grid: zooming in shows the rest.
    const LABEL_PX: f64 = 44.0;
    for g in grids {
        let room_px = g.feature.extent.map_or(0.0, |e| e.width().min(e.height()) / to.vp.world_per_px);
        if let Some(at) = g.feature.label_at.filter(|_| room_px >= LABEL_PX) {
            painter.text(
                to.pos(at),
                egui::Align2::CENTER_CENTER,
                &g.feature.label,
                egui::FontId::proportional(12.0),
                Color32::BLACK,
            );
        }
    }
}

/// Shows the window; returns false when it should close.
pub fn show(
    ctx: &Context,
    form: &mut PartitionForm,
    lang: Lang,
    project: &Project,
    revision: u64,
    job_running: bool,
    actions: &mut Vec<Action>,
) -> bool {
    let mut keep = true;
    form.drop_missing(project);
    // The job may have been cancelled from the status bar: then no outcome comes back.
    form.computing &= job_running;
    let computing = form.computing;
    egui::Window::new(words::title(lang)).collapsible(false).default_width(520.0).show(ctx, |ui| {
        choose_scope(ui, form, project, lang);
        ui.separator();
        choose_options(ui, form, project, lang);
        ui.separator();
        ui.horizontal(|ui| {
            if ui.add_enabled(!computing, egui::Button::new(words::preview(lang))).clicked() {
                actions.push(Action::PreviewPartition);
            }
            ui.checkbox(&mut form.show_on_map, words::show_on_map(lang));
        });
        if computing {
            ui.label(words::computing(lang));
        }
        if let Some(e) = &mut form.error {
            e.set_lang(lang);
            ui.colored_label(Color32::from_rgb(200, 60, 60), e.text());
        }
        let applicable = form.applicable(revision, lang).is_some();
        if let Some(p) = &mut form.proposal {
            p.summary.set_lang(lang);
            egui::ScrollArea::vertical().max_height(200.0).id_salt("partition-summary").show(ui, |ui| {
                ui.label(p.summary.text());
            });
            ui.small(words::legend(lang));
            if !applicable {
                let why =
                    if p.revision != revision { words::project_changed(lang) } else { words::options_changed(lang) };
                ui.colored_label(Color32::from_rgb(180, 110, 0), why);
            }
        }
        ui.horizontal(|ui| {
            let apply = crate::text::Text::Apply.get(lang);
            if ui.add_enabled(applicable && !computing, egui::Button::new(apply)).clicked() {
                actions.push(Action::ApplyPartition);
            }
            if ui.button(crate::text::Text::Close.get(lang)).clicked() {
                keep = false;
            }
        });
    });
    keep
}

fn choose_scope(ui: &mut egui::Ui, form: &mut PartitionForm, project: &Project, lang: Lang) {
    ui.horizontal(|ui| {
        ui.label(words::scope(lang));
        ui.radio_value(&mut form.scope, Scope::Villages, words::scope_villages(lang));
        ui.radio_value(&mut form.scope, Scope::Township, words::scope_township(lang));
        ui.radio_value(&mut form.scope, Scope::All, words::scope_all(lang));
    });
    match form.scope {
        Scope::Villages => {
            let label = ui.label(words::filter(lang));
            ui.add(egui::TextEdit::singleline(&mut form.filter).desired_width(240.0)).labelled_by(label.id);
            let needle = form.filter.trim();
            egui::ScrollArea::vertical().max_height(140.0).id_salt("partition-villages").show(ui, |ui| {
                for v in project.villages() {
                    let code = v.code.to_string();
                    if !needle.is_empty() && !code.contains(needle) && !v.name.contains(needle) {
                        continue;
                    }
                    let mut on = form.villages.contains(&code);
                    if ui.checkbox(&mut on, format!("{} {code}", v.name)).changed() {
                        if on {
                            form.villages.insert(code);
                        } else {
                            form.villages.remove(&code);
                        }
                    }
                }
            });
            ui.small(words::chosen(form.villages.len(), lang));
        }
        Scope::Township => {
            let current = project
                .townships()
                .find(|t| t.code.to_string() == form.township)
                .map_or_else(|| form.township.clone(), |t| format!("{} {}", t.name, t.code));
            egui::ComboBox::new("partition-township", words::township(lang)).selected_text(current).show_ui(ui, |ui| {
                for t in project.townships() {
                    let code = t.code.to_string();
                    let text = format!("{} {code}", t.name);
                    ui.selectable_value(&mut form.township, code, text);
                }
            });
        }
        Scope::All => {}
    }
}

fn choose_options(ui: &mut egui::Ui, form: &mut PartitionForm, project: &Project, lang: Lang) {
    let urban = household_band(project, AreaClass::Urban);
    let rural = household_band(project, AreaClass::Rural);
    ui.checkbox(&mut form.band_from_settings, words::band_from_settings(urban, rural, lang));
    if !form.band_from_settings {
        ui.horizontal(|ui| {
            let label = ui.label(words::band_min(lang));
            ui.add(egui::DragValue::new(&mut form.band.0).range(1..=100_000)).labelled_by(label.id);
            let label = ui.label(words::band_max(lang));
            ui.add(egui::DragValue::new(&mut form.band.1).range(1..=100_000)).labelled_by(label.id);
        });
    }
    ui.horizontal(|ui| {
        ui.checkbox(&mut form.set_count, words::set_count(lang));
        if form.set_count {
            let label = ui.label(words::count(lang));
            ui.add(egui::DragValue::new(&mut form.grids).range(1..=10_000)).labelled_by(label.id);
        }
    });
    ui.label(words::along(lang));
    if project.reference_layers.is_empty() {
        ui.small(words::no_reference_layers(lang));
    }
    for layer in &project.reference_layers {
        let mut on = form.along.contains(&layer.name);
        if ui.checkbox(&mut on, &layer.name).changed() {
            if on {
                form.along.insert(layer.name.clone());
            } else {
                form.along.remove(&layer.name);
            }
        }
    }
    ui.checkbox(&mut form.keep_existing, words::keep_existing(lang));
    ui.horizontal(|ui| {
        let label = ui.label(words::cluster_m(lang));
        ui.add(egui::DragValue::new(&mut form.cluster_m).range(0.0..=1000.0).speed(1.0)).labelled_by(label.id);
        let label = ui.label(words::seed(lang));
        ui.add(egui::DragValue::new(&mut form.seed)).labelled_by(label.id);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_say_how_far_a_grid_is_from_the_band() {
        let band = Band { min: 300, max: 500 };
        assert_eq!(band_fill(300, band), band_fill(500, band));
        // Further below is darker blue; further above darker red.
        let (near, far) = (band_fill(280, band), band_fill(100, band));
        assert!(far.b() > far.r() && near.b() > near.r());
        assert!(far.r() < near.r(), "{near:?} {far:?}");
        let (near, far) = (band_fill(520, band), band_fill(900, band));
        assert!(far.r() > far.b() && near.r() > near.b());
        assert!(far.g() < near.g(), "{near:?} {far:?}");
        assert_eq!(band_fill(100, band), band_fill(0, band), "full colour at half the band's end away");
    }
}
