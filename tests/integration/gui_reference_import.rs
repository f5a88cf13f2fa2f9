//! Reference layers imported in the app (File › 导入图层…, 参考图层): named after the file to start
//! with, put in as one undoable step, saved with the project, and a layer of the same name replaced only
//! after asking.

use egui_kittest::kittest::Queryable;
use wangge::core::ReferenceGeometry;

use super::gui::import_through_the_form;
use super::kittest::{click, harness_on, state_on_file, status};

fn roads(path: &std::path::Path, names: &[&str]) {
    let features: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let y = 3_385_100.0 + 200.0 * i as f64;
            format!(
                r#"{{"type":"Feature","properties":{{"NAME":"{name}"}},"geometry":{{"type":"LineString","coordinates":[[619900,{y}],[622100,{y}]]}}}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4548"}}}},"features":[{}]}}"#,
        features.join(",")
    );
    std::fs::write(path, text).unwrap();
}

#[test]
fn roads_become_a_reference_layer_undoably_saved_and_replaced_only_after_asking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    wangge::io::save_project(&crate::common::small_project(), &path).unwrap();
    let mut h = harness_on(state_on_file(&path, dir.path()));

    let src = dir.path().join("道路.geojson");
    roads(&src, &["G205", "S322"]);
    import_through_the_form(&mut h, &src, "参考图层");
    let layers = &h.state().state.doc.project.reference_layers;
    assert_eq!(layers.len(), 1, "status: {}", status(&h));
    assert_eq!(layers[0].name, "道路", "named after the file");
    let names: Vec<&str> = layers[0].features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["G205", "S322"]);
    assert!(matches!(layers[0].features[0].geometry, ReferenceGeometry::Lines(_)));
    assert!(status(&h).starts_with("已导入: 2 × 参考图层 道路"), "{}", status(&h));

    // Undo takes it out, redo puts it back; saving writes it into the file.
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::Z);
    h.run();
    assert!(h.state().state.doc.project.reference_layers.is_empty());
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::Y);
    h.run();
    assert_eq!(h.state().state.doc.project.reference_layers.len(), 1);
    h.state_mut().state.save_to(&path).unwrap();
    let saved = wangge::io::open_project(&path).unwrap();
    assert_eq!(saved.reference_layers, h.state().state.doc.project.reference_layers);

    // The same name again: asked first, nothing replaced until 替换.
    roads(&src, &["G205", "S322", "X041"]);
    import_through_the_form(&mut h, &src, "参考图层");
    assert!(h.query_by_label_contains("项目已有参考图层“道路”（2 个要素）").is_some(), "status: {}", status(&h));
    assert_eq!(h.state().state.doc.project.reference_layers[0].features.len(), 2);
    click(&mut h, "替换");
    let layers = &h.state().state.doc.project.reference_layers;
    assert_eq!((layers.len(), layers[0].features.len()), (1, 3));
}
