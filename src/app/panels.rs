//! The menu bar, the layers panel and the status bar. Each returns what the user asked for as
//! [`Action`]s; the app applies them in one place.

use eframe::egui::{self, Ui};

use super::Action;
use super::canvas::scale_denominator;
use super::find::FindPanel;
use super::state::AppState;
use crate::text::{Lang, Text};

pub fn menu_bar(ui: &mut Ui, state: &AppState, actions: &mut Vec<Action>) {
    let t = |text: Text| text.get(state.lang());
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button(t(Text::MenuFile), |ui| {
            let lang = state.lang();
            if ui.add(egui::Button::new(crate::text::pick(lang, "新建项目…", "New project…"))).clicked() {
                actions.push(Action::NewProjectDialog);
                ui.close();
            }
            ui.menu_button(crate::text::pick(lang, "最近的项目", "Recent projects"), |ui| {
                if state.settings.recent.is_empty() {
                    ui.label(crate::text::pick(lang, "（还没有）", "(none yet)"));
                }
                for path in &state.settings.recent {
                    let name = if crate::io::postgis::is_db_path(path) {
                        path.display().to_string()
                    } else {
                        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
                    };
                    let r = ui.button(name).on_hover_text(path.display().to_string());
                    if r.clicked() {
                        actions.push(Action::OpenRecent(path.clone()));
                        ui.close();
                    }
                }
            });
            for (text, action, shortcut) in [(Text::Open, Action::OpenDialog, "Ctrl+O")] {
                if ui.add(egui::Button::new(t(text)).shortcut_text(shortcut)).clicked() {
                    actions.push(action);
                    ui.close();
                }
            }
            if ui.button(crate::text::shared_project::menu_item(lang)).clicked() {
                actions.push(Action::OpenDatabaseDialog);
                ui.close();
            }
            for (text, action, shortcut) in [
                (Text::OpenSample, Action::OpenSample, ""),
                (Text::Import, Action::ImportDialog, ""),
                (Text::Export, Action::ExportDialog, ""),
                (Text::Print, Action::PrintDialog, "Ctrl+P"),
                (Text::Save, Action::Save, "Ctrl+S"),
                (Text::SaveAs, Action::SaveAsDialog, ""),
                (Text::Quit, Action::Quit, ""),
            ] {
                if ui.add(egui::Button::new(t(text)).shortcut_text(shortcut)).clicked() {
                    actions.push(action);
                    ui.close();
                }
            }
        });
        ui.menu_button(t(Text::MenuEdit), |ui| {
            let lang = state.lang();
            let label = |prefix: &str, step: Option<crate::core::edit::StepKind>| match step {
                Some(step) => format!("{prefix}：{}", crate::text::edits::kind_label(step, lang)),
                None => prefix.to_string(),
            };
            let undo = label(crate::text::pick(lang, "撤销", "Undo"), state.doc.history.undo_kind());
            if ui.add_enabled(state.doc.history.can_undo(), egui::Button::new(undo).shortcut_text("Ctrl+Z")).clicked() {
                actions.push(Action::Undo);
                ui.close();
            }
            let redo = label(crate::text::pick(lang, "重做", "Redo"), state.doc.history.redo_kind());
            if ui.add_enabled(state.doc.history.can_redo(), egui::Button::new(redo).shortcut_text("Ctrl+Y")).clicked() {
                actions.push(Action::Redo);
                ui.close();
            }
            ui.separator();
            let has_selection = !state.editor.selection.is_empty();
            let delete = crate::text::pick(lang, "删除所选网格", "Delete selected grids");
            if ui.add_enabled(has_selection, egui::Button::new(delete).shortcut_text("Delete")).clicked() {
                actions.push(Action::DeleteSelection);
                ui.close();
            }
            let merge = crate::text::pick(lang, "合并所选网格", "Merge selected grids");
            if ui.add_enabled(state.editor.selection.len() >= 2, egui::Button::new(merge)).clicked() {
                actions.push(Action::MergeSelected);
                ui.close();
            }
            if state.doc.database.is_some() {
                let one = state.editor.selection.len() == 1;
                let history = crate::text::shared_project::history_menu(lang);
                if ui.add_enabled(one, egui::Button::new(history)).clicked() {
                    actions.extend(state.editor.selection.first().map(|&id| Action::GridHistory(id)));
                    ui.close();
                }
            }
            ui.separator();
            if ui.button(t(Text::ProjectName)).clicked() {
                actions.push(Action::RenameDialog);
                ui.close();
            }
        });
        ui.menu_button(t(Text::MenuView), |ui| {
            if ui.add(egui::Button::new(t(Text::ZoomToExtent)).shortcut_text("Home")).clicked() {
                actions.push(Action::ZoomToExtent);
                ui.close();
            }
            let zoom_selection = crate::text::pick(state.lang(), "缩放至所选", "Zoom to selection");
            if ui
                .add_enabled(!state.editor.selection.is_empty(), egui::Button::new(zoom_selection).shortcut_text("Z"))
                .clicked()
            {
                actions.push(Action::ZoomToSelection);
                ui.close();
            }
            let attributes = crate::text::pick(state.lang(), "属性面板", "Attribute panel");
            if ui.add(egui::Button::selectable(state.ui.show_attributes, attributes)).clicked() {
                actions.push(Action::ToggleAttributes);
                ui.close();
            }
            if ui.add(egui::Button::selectable(state.ui.show_layers_panel, t(Text::ShowLayers))).clicked() {
                actions.push(Action::ToggleLayersPanel);
                ui.close();
            }
            if ui.add(egui::Button::selectable(state.ui.show_checks_panel, t(Text::ShowChecks))).clicked() {
                actions.push(Action::ToggleChecksPanel);
                ui.close();
            }
            ui.menu_button(crate::text::theme::thematic_title(state.lang()), |ui| {
                let current = state.ui.thematic.theme;
                for theme in std::iter::once(None).chain(crate::core::thematic::Theme::ALL.map(Some)) {
                    let name = crate::text::theme::theme_name(theme, state.lang());
                    if ui.add(egui::Button::selectable(current == theme, name)).clicked() {
                        actions.push(Action::SetTheme(theme));
                        ui.close();
                    }
                }
            });
            let offline = state.settings.offline;
            let label = crate::text::basemap::offline_menu(state.lang());
            if ui.add(egui::Button::selectable(offline, label)).clicked() {
                actions.push(Action::SetOffline(!offline));
                ui.close();
            }
            ui.menu_button(t(Text::Language), |ui| {
                for (lang, name) in [(Lang::Zh, "简体中文"), (Lang::En, "English")] {
                    if ui.add(egui::Button::selectable(state.lang() == lang, name)).clicked() {
                        actions.push(Action::SetLang(lang));
                        ui.close();
                    }
                }
            });
        });
        ui.menu_button(t(Text::MenuTools), |ui| {
            if ui.button(t(Text::ProjectInfo)).clicked() {
                actions.push(Action::ShowInfo);
                ui.close();
            }
            if ui.button(t(Text::CodeRule)).clicked() {
                actions.push(Action::CodeRuleDialog);
                ui.close();
            }
            if ui.button(crate::text::partition_tool::menu(state.lang())).clicked() {
                actions.push(Action::PartitionDialog);
                ui.close();
            }
            if ui.button(t(Text::CopyCursor)).clicked() {
                actions.push(Action::CopyCursor);
                ui.close();
            }
        });
        ui.menu_button(t(Text::MenuHelp), |ui| {
            if ui.button(t(Text::Shortcuts)).clicked() {
                actions.push(Action::ShowShortcuts);
                ui.close();
            }
            if ui.button(t(Text::About)).clicked() {
                actions.push(Action::ShowAbout);
                ui.close();
            }
        });
    });
}

pub fn layers_panel(ui: &mut Ui, state: &mut AppState, find: &mut FindPanel, actions: &mut Vec<Action>) {
    let lang = state.lang();
    let t = |text: Text| text.get(lang);
    find.show_search(ui, state, actions);
    ui.separator();
    ui.heading(t(Text::Layers));
    let per_village = state.village_counts().clone();
    let p = &state.doc.project;
    let counts = [
        (Text::Boundary, p.boundary.0.len()),
        (Text::Divisions, p.divisions.len()),
        (Text::Grids, p.grids.len()),
        (Text::Households, p.households.len()),
    ];
    let layers = &mut state.ui.layers;
    for (text, n) in counts {
        let flag = match text {
            Text::Boundary => &mut layers.boundary,
            Text::Divisions => &mut layers.divisions,
            Text::Grids => &mut layers.grids,
            _ => &mut layers.households,
        };
        ui.checkbox(flag, format!("{} ({n})", t(text)));
    }
    ui.checkbox(&mut layers.labels, t(Text::Labels));
    reference_switches(ui, p, &mut state.ui.view.references.hidden, lang);
    super::basemap::layers_section(ui, &mut state.ui.view.basemaps, &mut state.settings, lang, actions);
    theme_choice(ui, &mut state.ui.thematic.theme, lang);
    ui.separator();
    ui.label(format!(
        "{}: {} {}, {} {}",
        t(Text::Divisions),
        p.townships().count(),
        t(Text::Townships),
        p.villages().count(),
        t(Text::Villages)
    ));
    let grids_in =
        |prefix: &str| per_village.iter().filter(|(v, _)| v.starts_with(prefix)).map(|(_, n)| n).sum::<usize>();
    let county = p.townships().next().map(|t| t.code.county().to_string()).unwrap_or_default();
    let tree_height = (ui.available_height() * 0.5).max(120.0);
    egui::ScrollArea::vertical().id_salt("tree").max_height(tree_height).show(ui, |ui| {
        let root = format!("{} {} · {} {}", p.name, county, grids_in(&county), t(Text::Grids));
        egui::CollapsingHeader::new(root).id_salt("county").default_open(true).show(ui, |ui| {
            for town in p.townships() {
                let villages: Vec<_> = p.villages().filter(|v| v.code.parent() == Some(town.code.as_str())).collect();
                let header = format!(
                    "{} {} ({}) · {} {}",
                    town.name,
                    town.code,
                    villages.len(),
                    grids_in(town.code.as_str()),
                    t(Text::Grids)
                );
                // A click on a township or village zooms to it and selects its grids.
                let town_header = egui::CollapsingHeader::new(header).id_salt(town.code.as_str()).show(ui, |ui| {
                    for v in villages {
                        let grids = per_village.get(v.code.as_str()).copied().unwrap_or(0);
                        let text = format!("{}  · {} {}", v.name, grids, t(Text::Grids));
                        let r = ui
                            .add(egui::Label::new(text).truncate().sense(egui::Sense::click()))
                            .on_hover_text(format!("{} · {}", v.code, v.class.label_zh()));
                        if r.clicked() {
                            actions.push(Action::PickDivision(v.code.to_string()));
                        }
                    }
                });
                if town_header.header_response.clicked() {
                    actions.push(Action::PickDivision(town.code.to_string()));
                }
            }
        });
    });
    ui.separator();
    egui::CollapsingHeader::new(crate::text::pick(lang, "网格列表", "Grid list"))
        .id_salt("grid_list_header")
        .default_open(true)
        .show(ui, |ui| find.show_list(ui, state, actions));
}

/// The thematic map's choice in the layer panel (the same as View › 专题图).
fn theme_choice(ui: &mut Ui, theme: &mut Option<crate::core::thematic::Theme>, lang: Lang) {
    use crate::text::theme::{colour_by, theme_name};
    egui::ComboBox::new("theme_choice", colour_by(lang)).selected_text(theme_name(*theme, lang)).show_ui(ui, |ui| {
        for choice in std::iter::once(None).chain(crate::core::thematic::Theme::ALL.map(Some)) {
            ui.selectable_value(theme, choice, theme_name(choice, lang));
        }
    });
}

pub fn status_bar(
    ui: &mut Ui,
    state: &AppState,
    job: Option<&crate::core::progress::ProgressState>,
    actions: &mut Vec<Action>,
) {
    let t = |text: Text| text.get(state.lang());
    ui.horizontal(|ui| {
        if let Some(job) = job {
            // A long job: what it is doing and how far, and the button that stops it.
            let (stage, done, total) = job.snapshot();
            ui.label(crate::text::progress::progress_line(stage, done, total, state.lang()));
            if ui.button(crate::text::progress::cancel(state.lang())).clicked() {
                actions.push(Action::CancelJob);
            }
            ui.separator();
        }
        if state.checking_coverage() {
            ui.label(crate::text::progress::checking_coverage(state.lang()));
            ui.separator();
        }
        match (state.ui.cursor_in_world, state.cursor_lonlat()) {
            (Some(world), lonlat) => {
                let decimals = if state.doc.project.crs.is_geographic() { 7 } else { 2 };
                let lonlat_text = lonlat.map_or(String::new(), |c| format!("{:.6}°E {:.6}°N  |  ", c.x, c.y));
                ui.monospace(format!(
                    "{}: {lonlat_text}{} {:.d$}, {:.d$}",
                    t(Text::Cursor),
                    state.doc.project.crs.auth_id(),
                    world.x,
                    world.y,
                    d = decimals
                ));
            }
            _ => {
                ui.monospace(format!("{} {}", state.doc.project.crs.auth_id(), state.doc.project.crs.name));
            }
        }
        ui.separator();
        let vp = &state.ui.view.viewport;
        let metres_per_unit = state.doc.project.crs.ground_metres_per_unit(vp.centre_in_world);
        ui.monospace(format!("{} 1:{:.0}", t(Text::Scale), scale_denominator(vp, metres_per_unit)));
        ui.separator();
        ui.label(&state.ui.status);
    });
}

/// One switch per reference layer, named with its feature count and drawn in its colour.
fn reference_switches(
    ui: &mut Ui,
    project: &crate::core::Project,
    hidden: &mut std::collections::BTreeSet<String>,
    lang: Lang,
) {
    if project.reference_layers.is_empty() {
        return;
    }
    ui.label(crate::text::pick(lang, "参考图层", "Reference layers"));
    for (position, layer) in project.reference_layers.iter().enumerate() {
        let mut shown = !hidden.contains(&layer.name);
        let colour = super::reference_layers::layer_colour(position);
        let label = egui::RichText::new(format!("{} ({})", layer.name, layer.features.len())).color(colour);
        if ui.checkbox(&mut shown, label).changed() {
            if shown {
                hidden.remove(&layer.name);
            } else {
                hidden.insert(layer.name.clone());
            }
        }
    }
}
