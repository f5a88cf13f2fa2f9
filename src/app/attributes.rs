//! The attribute panel: the selected grid's fields, validated as you type; Apply makes one undoable
//! step. The form is rebuilt when the selection or the grid changes under it (undo, another edit).

use eframe::egui::{self, Color32, Ui};

use super::Action;
use crate::core::codes::project_rule;
use crate::core::edit::{FieldError, GridFields, check_code, check_phones, parse_count};
use crate::core::{AreaClass, GridId, GridKind, Project, area_m2, area_text};
use crate::text::Lang;
use crate::text::pick;

/// The form's text, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct AttributeForm {
    pub grid: GridId,
    /// The fields the form was filled from, to notice when the grid changed under it.
    pub original: GridFields,
    pub code: String,
    pub name: String,
    pub kind: GridKind,
    pub class: AreaClass,
    pub village_code: String,
    pub households: String,
    pub population: String,
    pub party_members: String,
    pub grid_head: String,
    pub grid_staff: String,
    pub phone: String,
    pub notes: String,
}

fn count_text(v: Option<u32>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

impl AttributeForm {
    pub fn of(project: &Project, id: GridId) -> Option<AttributeForm> {
        let g = project.grids.get(&id)?;
        let f = GridFields::of(g);
        Some(AttributeForm {
            grid: id,
            code: f.code.clone(),
            name: f.name.clone(),
            kind: f.kind,
            class: f.class,
            village_code: f.village_code.clone(),
            households: count_text(f.attrs.households),
            population: count_text(f.attrs.population),
            party_members: count_text(f.attrs.party_members),
            grid_head: f.attrs.grid_head.clone(),
            grid_staff: f.attrs.grid_staff.clone(),
            phone: f.attrs.phone.clone(),
            notes: f.attrs.notes.clone(),
            original: f,
        })
    }

    /// The fields to set, or the first problem per field.
    pub fn validate(&self, project: &Project) -> Result<GridFields, Vec<(&'static str, FieldError)>> {
        let mut errors = Vec::new();
        let mut count = |key: &'static str, text: &str| match parse_count(text) {
            Ok(v) => v,
            Err(e) => {
                errors.push((key, e));
                None
            }
        };
        let households = count("households", &self.households);
        let population = count("population", &self.population);
        let party_members = count("party_members", &self.party_members);
        if let Err(e) = check_phones(&self.phone) {
            errors.push(("phone", e));
        }
        if let Ok(rule) = project_rule(project)
            && let Err(e) = check_code(&self.code, self.village_code.trim(), self.kind == GridKind::Dedicated, &rule)
        {
            errors.push(("code", e));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut fields = self.original.clone();
        fields.code = self.code.trim().to_string();
        fields.name = self.name.trim().to_string();
        fields.kind = self.kind;
        fields.class = self.class;
        fields.village_code = self.village_code.trim().to_string();
        fields.attrs.households = households;
        fields.attrs.population = population;
        fields.attrs.party_members = party_members;
        fields.attrs.grid_head = self.grid_head.trim().to_string();
        fields.attrs.grid_staff = self.grid_staff.trim().to_string();
        fields.attrs.phone = self.phone.trim().to_string();
        fields.attrs.notes = self.notes.trim().to_string();
        Ok(fields)
    }
}

fn error_text(e: &FieldError, lang: Lang) -> String {
    match (e, lang) {
        (FieldError::NotACount, Lang::Zh) => "请输入不小于 0 的整数".into(),
        (FieldError::BadPhone(p), Lang::Zh) => format!("“{p}”不是 11 位手机号或固定电话（0xxx-xxxxxxx）"),
        (FieldError::BadCode { expected }, Lang::Zh) => format!("编码应形如 {expected}（本村的编码规则）"),
        (e, _) => e.to_string(),
    }
}

pub fn show(ui: &mut Ui, form: &mut AttributeForm, project: &Project, lang: Lang, actions: &mut Vec<Action>) {
    let t = |zh: &'static str, en: &'static str| pick(lang, zh, en);
    ui.heading(t("网格属性", "Grid attributes"));
    if let Some(g) = project.grids.get(&form.grid) {
        ui.label(format!("#{} · {}", g.id, area_text(area_m2(&g.geometry, &project.crs))));
    }
    let result = form.validate(project);
    let errors = result.as_ref().err().cloned().unwrap_or_default();
    let problem = |key: &str| errors.iter().find(|(k, _)| *k == key).map(|(_, e)| error_text(e, lang));
    egui::Grid::new("attributes").num_columns(2).striped(true).show(ui, |ui| {
        let text_row = |ui: &mut Ui, label: &str, value: &mut String, key: &str| {
            let label = ui.label(label);
            let edit = ui.add(egui::TextEdit::singleline(value).desired_width(170.0)).labelled_by(label.id);
            if let Some(p) = problem(key) {
                edit.on_hover_text(&p);
                ui.end_row();
                ui.label("");
                ui.colored_label(Color32::from_rgb(200, 30, 30), p);
            }
            ui.end_row();
        };
        text_row(ui, t("编码", "Code"), &mut form.code, "code");
        text_row(ui, t("名称", "Name"), &mut form.name, "name");
        ui.label(t("类型", "Kind"));
        ui.horizontal(|ui| {
            ui.radio_value(&mut form.kind, GridKind::Basic, t("基础网格", "basic"));
            ui.radio_value(&mut form.kind, GridKind::Dedicated, t("专属网格", "dedicated"));
        });
        ui.end_row();
        ui.label(t("城乡", "Class"));
        ui.horizontal(|ui| {
            ui.radio_value(&mut form.class, AreaClass::Urban, t("城市", "urban"));
            ui.radio_value(&mut form.class, AreaClass::Rural, t("农村", "rural"));
        });
        ui.end_row();
        let village_label = ui.label(t("所属村/社区", "Village"));
        let current = project
            .divisions
            .get(form.village_code.trim())
            .map_or_else(|| form.village_code.clone(), |v| format!("{} {}", v.name, v.code));
        egui::ComboBox::from_id_salt("village")
            .selected_text(current)
            .width(170.0)
            .show_ui(ui, |ui| {
                for v in project.villages() {
                    ui.selectable_value(&mut form.village_code, v.code.to_string(), format!("{} {}", v.name, v.code));
                }
            })
            .response
            .labelled_by(village_label.id);
        ui.end_row();
        text_row(ui, t("户数", "Households"), &mut form.households, "households");
        text_row(ui, t("人口", "Population"), &mut form.population, "population");
        text_row(ui, t("党员", "Party members"), &mut form.party_members, "party_members");
        text_row(ui, t("网格长", "Grid head"), &mut form.grid_head, "grid_head");
        text_row(ui, t("网格员", "Grid staff"), &mut form.grid_staff, "grid_staff");
        text_row(ui, t("电话", "Phone"), &mut form.phone, "phone");
        text_row(ui, t("备注", "Notes"), &mut form.notes, "notes");
    });
    ui.horizontal(|ui| {
        let changed = result.as_ref().is_ok_and(|f| *f != form.original);
        if ui.add_enabled(changed, egui::Button::new(t("应用", "Apply"))).clicked()
            && let Ok(fields) = result
        {
            actions.push(Action::SetFields(form.grid, Box::new(fields)));
        }
        if ui.button(t("还原", "Revert")).clicked()
            && let Some(fresh) = AttributeForm::of(project, form.grid)
        {
            *form = fresh;
        }
    });
}
