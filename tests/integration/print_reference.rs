//! Reference layers on paper (issue 14): a road crossing the township is printed on the overview and on
//! the grid sheets in its layer's colour (the map's), cut to the map frame, named in the legend — and
//! left off when hidden, by the app's switch or `--hide-reference`, which refuses a name the project
//! does not have.

use geo::{MultiLineString, line_string};
use wangge::core::{Project, ReferenceFeature, ReferenceGeometry, ReferenceLayer, reference_rgb};
use wangge::print::{Item, Page, PrintOptions, Products, Rgba, pages};

use super::print::small_township;
use crate::common::{path_str, stderr, wangge};

fn with_road() -> Project {
    let mut p = small_township();
    let (x0, y0) = (620_000.0, 3_385_000.0);
    let mut roads = ReferenceLayer::new("道路");
    // From far west of the township to far east of it, through the middle row of grids.
    let road = line_string![(x: x0 - 3_000.0, y: y0 + 800.0), (x: x0 + 5_000.0, y: y0 + 1_000.0)];
    roads.features.push(ReferenceFeature {
        geometry: ReferenceGeometry::Lines(MultiLineString(vec![road])),
        name: "G205".into(),
    });
    p.reference_layers.push(roads);
    p
}

/// The page's open paths stroked in `colour`, as point lists.
fn strokes_in(page: &Page, colour: Rgba) -> Vec<Vec<(f64, f64)>> {
    page.items
        .iter()
        .filter_map(|item| match item {
            Item::Path { parts, closed: false, stroke: Some(s), .. } if s.color == colour => Some(parts.concat()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_road_is_printed_in_its_colour_cut_to_the_frame_and_named_in_the_legend_unless_hidden() {
    let p = with_road();
    let [r, g, b] = reference_rgb(0);
    let road = Rgba::rgb(r, g, b);
    let only = |products| PrintOptions { products, date: "2026-12-01".into(), ..PrintOptions::default() };
    let overview = &pages(&p, &only(Products { overview: true, atlas: false, table: false }))[0];
    let strokes = strokes_in(overview, road);
    assert!(!strokes.is_empty(), "the road is not on the overview");
    // Cut to the map frame: the road runs 3 km beyond the township on both sides, the page is not that wide.
    for (x, y) in strokes.concat() {
        assert!(x > 0.0 && x < overview.width && y > 0.0 && y < overview.height, "({x}, {y}) off the page");
    }
    assert!(overview.texts().any(|t| t == "道路"), "no legend entry for the road layer");

    // A layer named after a long file name: shortened in the legend, which stays clear of the credits.
    let mut long = p.clone();
    let mut layer = long.reference_layers[0].clone();
    layer.name = "Export_Output_roads_linear_2023_final_version".into();
    long.reference_layers.push(layer);
    let page = &pages(&long, &only(Products { overview: true, atlas: false, table: false }))[0];
    assert!(!page.texts().any(|t| t.starts_with("Export_Output_roads_linear_2023_final_v")));
    let short = page.texts().find(|t| t.starts_with("Export_Output") && t.ends_with('…'));
    assert!(short.is_some(), "{:?}", page.texts().collect::<Vec<_>>());
    let credits_left = page
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text { at, size, text, align: wangge::print::Align::End, .. } if text.starts_with("坐标系") => {
                Some(at.0 - wangge::print::text_width(text, *size))
            }
            _ => None,
        })
        .fold(f64::INFINITY, f64::min);
    for item in &page.items {
        if let Item::Text { at, size, text, align: wangge::print::Align::Start, .. } = item
            && text.starts_with("Export_Output")
        {
            assert!(at.0 + wangge::print::text_width(text, *size) < credits_left, "{text} runs into the credits");
        }
    }

    // Every grid sheet of the middle row shows it too.
    let atlas = pages(&p, &only(Products { overview: false, atlas: true, table: false }));
    let sheets_with_road = atlas.iter().filter(|page| !strokes_in(page, road).is_empty()).count();
    assert!(sheets_with_road >= 3, "{sheets_with_road} sheets show the road");
    // Each of them names it in a key inside the map frame; a sheet without the road has no key.
    for page in &atlas {
        let shows = !strokes_in(page, road).is_empty();
        assert_eq!(
            page.texts().any(|t| t == "道路"),
            shows,
            "a key for a road that is {}there",
            if shows { "" } else { "not " }
        );
    }

    // Hidden: neither the line nor the legend entry.
    let hidden = PrintOptions {
        hidden_references: ["道路".to_string()].into(),
        ..only(Products { overview: true, atlas: false, table: false })
    };
    let overview = &pages(&p, &hidden)[0];
    assert!(strokes_in(overview, road).is_empty());
    assert!(!overview.texts().any(|t| t == "道路"));
}

#[test]
fn hide_reference_names_a_layer_the_project_has() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    wangge::io::save_project(&with_road(), &path).unwrap();
    let out = dir.path().join("map.pdf");
    let o = wangge(&["print", path_str(&path), "--out", path_str(&out), "--hide-reference", "河流", "--lang", "en"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--hide-reference 河流: the project has no reference layer of that name"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let o = wangge(&["print", path_str(&path), "--out", path_str(&out), "--hide-reference", "道路"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.exists());
}
