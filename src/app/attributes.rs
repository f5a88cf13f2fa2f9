//! The attribute panel: the selected grid's fields, validated as you type; Apply makes one undoable
//! step. With several grids selected, the fields they may share (village, class, kind, grid head,
//! staff, phone) are edited for all of them at once — one undoable step too; a field whose value
//! differs between them shows 多个值 and is left alone unless edited. The form is rebuilt when the
//! selection or the grids change under it (undo, another edit).

use std::collections::BTreeSet;

use eframe::egui::{self, Color32, RichText, Ui};

use super::Action;
use crate::core::codes::project_rule;
use crate::core::edit::{
    FieldError, GridFields, Shared, SharedChanges, SharedFields, check_code, check_phones, parse_count, village_choices,
};
use crate::core::{AreaClass, GridId, GridKind, Project, area_m2, area_text};
use crate::text::Lang;
use crate::text::pick;

/// Width of the form's fields (and of the messages under them, wrapped to it).
const FIELD_WIDTH: f32 = 170.0;
const PROBLEM: Color32 = Color32::from_rgb(200, 30, 30);

/// The form in the panel: one grid's record, or the shared fields of several.
#[derive(Clone, Debug, PartialEq)]
pub enum Form {
    One(Box<AttributeForm>),
    Many(Box<ManyForm>),
}

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
    /// What is typed in the village drop-down's search box.
    pub village_filter: String,
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
            village_filter: String::new(),
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

/// A problem with a field, under it: wrapped to the field's width, so that a long message (a long
/// wrong phone number) never widens the panel.
fn problem_row(ui: &mut Ui, problem: &str) {
    ui.end_row();
    ui.label("");
    ui.allocate_ui(egui::vec2(FIELD_WIDTH, 0.0), |ui| {
        ui.set_max_width(FIELD_WIDTH);
        ui.add(egui::Label::new(RichText::new(problem).color(PROBLEM)).wrap());
    });
}

/// `Village name · township` for a village code, the code itself when the project has no such village.
fn village_text(project: &Project, code: &str) -> String {
    match project.divisions.get(code.trim()) {
        Some(v) => {
            let township = v.code.parent().and_then(|t| project.divisions.get(t)).map(|t| t.name.as_str());
            match township {
                Some(t) => format!("{} · {t}", v.name),
                None => v.name.clone(),
            }
        }
        None => code.to_string(),
    }
}

/// The village drop-down: a search box (name or code of the village or its township) over the
/// villages grouped under their townships. `current` is `None` for 多个值. Returns the code chosen.
fn village_picker(
    ui: &mut Ui,
    project: &Project,
    lang: Lang,
    current: Option<&str>,
    filter: &mut String,
    label: egui::Id,
) -> Option<String> {
    let t = |zh: &'static str, en: &'static str| pick(lang, zh, en);
    let shown = match current {
        Some(code) if !code.trim().is_empty() => village_text(project, code),
        Some(_) => t("（无）", "(none)").to_string(),
        None => t("多个值", "Multiple values").to_string(),
    };
    let mut chosen = None;
    egui::ComboBox::from_id_salt("village")
        .selected_text(shown)
        .width(FIELD_WIDTH)
        .truncate()
        // Clicks in the search box must not close the list; choosing a village closes it.
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show_ui(ui, |ui| {
            ui.set_min_width(260.0);
            let search_label = ui.label(t("搜索村/社区", "Find a village"));
            let search = ui
                .add(
                    egui::TextEdit::singleline(filter)
                        .hint_text(t("名称、代码或乡镇", "name, code or township"))
                        .desired_width(240.0),
                )
                .labelled_by(search_label.id);
            if ui.memory(|m| m.focused().is_none()) {
                search.request_focus();
            }
            let groups = village_choices(project, filter);
            egui::ScrollArea::vertical().id_salt("villages").max_height(320.0).show(ui, |ui| {
                if groups.is_empty() {
                    ui.weak(t("没有匹配的村/社区", "No village matches"));
                }
                for group in &groups {
                    ui.label(RichText::new(group.township_name()).strong());
                    for v in &group.villages {
                        let on = current.is_some_and(|c| c.trim() == v.code.as_str());
                        if ui.selectable_label(on, format!("    {} {}", v.name, v.code)).clicked() {
                            chosen = Some(v.code.to_string());
                            ui.close();
                        }
                    }
                }
            });
        })
        .response
        .labelled_by(label);
    if chosen.is_some() {
        filter.clear();
    }
    chosen
}

/// Shows the form and pushes Apply as an action.
pub fn show(ui: &mut Ui, form: &mut Form, project: &Project, lang: Lang, actions: &mut Vec<Action>) {
    match form {
        Form::One(form) => show_one(ui, form, project, lang, actions),
        Form::Many(form) => show_many(ui, form, project, lang, actions),
    }
}

fn show_one(ui: &mut Ui, form: &mut AttributeForm, project: &Project, lang: Lang, actions: &mut Vec<Action>) {
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
            let edit = ui.add(egui::TextEdit::singleline(value).desired_width(FIELD_WIDTH)).labelled_by(label.id);
            if let Some(p) = problem(key) {
                edit.on_hover_text(&p);
                problem_row(ui, &p);
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
        let current = form.village_code.clone();
        if let Some(code) =
            village_picker(ui, project, lang, Some(&current), &mut form.village_filter, village_label.id)
        {
            form.village_code = code;
        }
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

/// The form for several grids: each shared field is `None` while it is left as each grid has it (a
/// field whose values differ, shown as 多个值), or the value to show and set.
#[derive(Clone, Debug, PartialEq)]
pub struct ManyForm {
    pub grids: BTreeSet<GridId>,
    /// What the fields held when the form was filled, to notice when the grids changed under it.
    pub original: SharedFields,
    /// The project's revision the form was filled at (the shared fields are compared only after a change).
    pub revision: u64,
    pub village_code: Option<String>,
    pub class: Option<AreaClass>,
    pub kind: Option<GridKind>,
    pub grid_head: Option<String>,
    pub grid_staff: Option<String>,
    pub phone: Option<String>,
    pub village_filter: String,
}

impl ManyForm {
    pub fn of(project: &Project, grids: &BTreeSet<GridId>, revision: u64) -> Option<ManyForm> {
        let original = SharedFields::of_ids(project, grids)?;
        Some(ManyForm {
            grids: grids.clone(),
            revision,
            village_code: original.village_code.same().cloned(),
            class: original.class.same().copied(),
            kind: original.kind.same().copied(),
            grid_head: original.grid_head.same().cloned(),
            grid_staff: original.grid_staff.same().cloned(),
            phone: original.phone.same().cloned(),
            village_filter: String::new(),
            original,
        })
    }

    /// The fields to set on every grid: those whose value was changed from what the grids share.
    pub fn changes(&self) -> SharedChanges {
        fn changed<T: PartialEq + Clone>(value: &Option<T>, original: &Shared<T>) -> Option<T> {
            value.clone().filter(|v| original.same() != Some(v))
        }
        let text = |value: &Option<String>, original: &Shared<String>| {
            changed(&value.as_ref().map(|v| v.trim().to_string()), original)
        };
        let o = &self.original;
        SharedChanges {
            village_code: text(&self.village_code, &o.village_code),
            class: changed(&self.class, &o.class),
            kind: changed(&self.kind, &o.kind),
            grid_head: text(&self.grid_head, &o.grid_head),
            grid_staff: text(&self.grid_staff, &o.grid_staff),
            phone: text(&self.phone, &o.phone),
        }
    }
}

fn show_many(ui: &mut Ui, form: &mut ManyForm, project: &Project, lang: Lang, actions: &mut Vec<Action>) {
    let t = |zh: &'static str, en: &'static str| pick(lang, zh, en);
    let many = t("多个值", "Multiple values");
    ui.heading(t("网格属性", "Grid attributes"));
    ui.label(match lang {
        Lang::Zh => format!("已选 {} 个网格：以下字段同时修改；编码和名称请逐个网格填写", form.grids.len()),
        Lang::En => format!(
            "{} grids selected: these fields change in all of them; codes and names are set grid by grid",
            form.grids.len()
        ),
    });
    let phone_problem = form.phone.as_deref().and_then(|p| check_phones(p).err()).map(|e| error_text(&e, lang));
    let o = form.original.clone();
    // Back to 多个值: each grid keeps its own value.
    let keep_own = |ui: &mut Ui, mixed: bool, edited: bool| {
        mixed
            && edited
            && ui.small_button("↺").on_hover_text(t("各网格保留原值", "Keep each grid's own value")).clicked()
    };
    egui::Grid::new("attributes-many").num_columns(2).striped(true).show(ui, |ui| {
        let text_row = |ui: &mut Ui, label: &str, value: &mut Option<String>, mixed: bool| {
            let label = ui.label(label);
            ui.horizontal(|ui| {
                let mut text = value.clone().unwrap_or_default();
                let hint = if value.is_none() { many } else { "" };
                let edit = ui
                    .add(egui::TextEdit::singleline(&mut text).hint_text(hint).desired_width(FIELD_WIDTH))
                    .labelled_by(label.id);
                if edit.changed() {
                    *value = Some(text);
                }
                if keep_own(ui, mixed, value.is_some()) {
                    *value = None;
                }
            });
        };
        let village_label = ui.label(t("所属村/社区", "Village"));
        ui.horizontal(|ui| {
            let current = form.village_code.clone();
            if let Some(code) =
                village_picker(ui, project, lang, current.as_deref(), &mut form.village_filter, village_label.id)
            {
                form.village_code = Some(code);
            }
            if keep_own(ui, o.village_code == Shared::Mixed, form.village_code.is_some()) {
                form.village_code = None;
            }
        });
        ui.end_row();
        ui.label(t("类型", "Kind"));
        ui.horizontal(|ui| {
            for (kind, zh, en) in
                [(GridKind::Basic, "基础网格", "basic"), (GridKind::Dedicated, "专属网格", "dedicated")]
            {
                if ui.radio(form.kind == Some(kind), t(zh, en)).clicked() {
                    form.kind = Some(kind);
                }
            }
            if form.kind.is_none() {
                ui.weak(many);
            }
            if keep_own(ui, o.kind == Shared::Mixed, form.kind.is_some()) {
                form.kind = None;
            }
        });
        ui.end_row();
        ui.label(t("城乡", "Class"));
        ui.horizontal(|ui| {
            for (class, zh, en) in [(AreaClass::Urban, "城市", "urban"), (AreaClass::Rural, "农村", "rural")] {
                if ui.radio(form.class == Some(class), t(zh, en)).clicked() {
                    form.class = Some(class);
                }
            }
            if form.class.is_none() {
                ui.weak(many);
            }
            if keep_own(ui, o.class == Shared::Mixed, form.class.is_some()) {
                form.class = None;
            }
        });
        ui.end_row();
        text_row(ui, t("网格长", "Grid head"), &mut form.grid_head, o.grid_head == Shared::Mixed);
        ui.end_row();
        text_row(ui, t("网格员", "Grid staff"), &mut form.grid_staff, o.grid_staff == Shared::Mixed);
        ui.end_row();
        text_row(ui, t("电话", "Phone"), &mut form.phone, o.phone == Shared::Mixed);
        if let Some(p) = &phone_problem {
            problem_row(ui, p);
        }
        ui.end_row();
    });
    let changes = form.changes();
    let ready = phone_problem.is_none() && changes != SharedChanges::default();
    if changes.village_code.is_some() {
        ui.add(
            egui::Label::new(
                RichText::new(t(
                    "提示：编码按村编排，换村后可用 工具 › 网格编码规则 重新编码",
                    "Note: codes follow the village; after a change use Tools › Grid code rule to renumber",
                ))
                .weak(),
            )
            .wrap(),
        );
    }
    ui.horizontal(|ui| {
        if ui.add_enabled(ready, egui::Button::new(t("应用", "Apply"))).clicked() {
            actions.push(Action::SetSharedFields(form.grids.clone(), Box::new(changes)));
        }
        if ui.button(t("还原", "Revert")).clicked()
            && let Some(fresh) = ManyForm::of(project, &form.grids, form.revision)
        {
            *form = fresh;
        }
    });
}
