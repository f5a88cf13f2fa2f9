//! `wangge partition`: two villages with household clouds partitioned from the command line — the
//! result checks clean, is coded by rule, replaces the old grid, is the same for the same seed; --json,
//! --dry-run and bad input.

use geo::{MultiPolygon, Point, polygon};
use wangge::core::codes::count_households;
use wangge::core::coverage::synthetic::Rng;
use wangge::core::{AreaClass, Division, DivisionCode, Grid, HouseholdPoint, Project};
use wangge::io::crs::crs_from_epsg;
use wangge::io::{open_project, save_project};

use crate::common::{path_str, stderr, stdout, wangge};

const X0: f64 = 620_000.0;
const Y0: f64 = 3_385_000.0;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![
        polygon![(x: X0 + x0, y: Y0 + y0), (x: X0 + x1, y: Y0 + y0), (x: X0 + x1, y: Y0 + y1), (x: X0 + x0, y: Y0 + y1)],
    ])
}

/// A township of two urban villages side by side (1 km × 1 km each), ~1,200 households each in
/// hamlets, and one old grid covering the west village.
fn project() -> Project {
    let mut p = Project::new("泾川镇", crs_from_epsg(4548).unwrap());
    p.boundary = rect(0.0, 0.0, 2000.0, 1000.0);
    let town = DivisionCode::parse("341823100").unwrap();
    p.divisions.insert(
        town.to_string(),
        Division {
            code: town,
            name: "泾川镇".into(),
            parent_code: Some("341823".into()),
            class: AreaClass::Urban,
            polygon: None,
        },
    );
    for (code, x) in [("341823100001", 0.0), ("341823100002", 1000.0)] {
        let code = DivisionCode::parse(code).unwrap();
        p.divisions.insert(
            code.to_string(),
            Division {
                code,
                name: format!("村{x}"),
                parent_code: Some("341823100".into()),
                class: AreaClass::Urban,
                polygon: Some(rect(x, 0.0, x + 1000.0, 1000.0)),
            },
        );
    }
    let mut rng = Rng::new(15);
    for _ in 0..16 {
        let (cx, cy) = (X0 + 100.0 + rng.unit() * 1800.0, Y0 + 100.0 + rng.unit() * 800.0);
        for _ in 0..75 {
            let dx = (rng.unit() + rng.unit() - 1.0) * 80.0;
            let dy = (rng.unit() + rng.unit() - 1.0) * 80.0;
            p.households.push(HouseholdPoint {
                position: Point::new(cx + dx, cy + dy),
                households: 2,
                population: None,
            });
        }
    }
    p.settings.insert("households.urban".into(), "300-500".into());
    let mut old = Grid::new(rect(0.0, 0.0, 1000.0, 1000.0));
    old.village_code = "341823100001".into();
    old.code = "341823100001001".into();
    p.add_grid(old);
    p
}

#[test]
fn partition_from_the_command_line_checks_clean_and_is_coded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    save_project(&project(), &path).unwrap();
    let before = open_project(&path).unwrap();

    // --dry-run --json: one JSON object, nothing saved.
    let out = wangge(&["partition", path_str(&path), "--all", "--dry-run", "--json", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["saved"], false);
    assert_eq!(v["villages"].as_array().unwrap().len(), 2);
    assert_eq!(v["removed"].as_array().unwrap().len(), 1, "the old grid of the west village goes");
    let proposed = v["added"].as_array().unwrap().len();
    assert!(proposed >= 4, "{v}");
    assert_eq!(v["villages"][0]["band"], serde_json::json!([300, 500]));
    assert_eq!(open_project(&path).unwrap(), before, "a dry run saves nothing");

    // The real run: saved, clean, coded, households in the band.
    let out = wangge(&["partition", path_str(&path), "--all", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("within 300–500") && text.contains("saved"), "{text}");
    let check = wangge(&["check", path_str(&path), "--json"]);
    assert_eq!(check.status.code(), Some(0), "the partition checks clean: {}", stdout(&check));
    let after = open_project(&path).unwrap();
    assert_eq!(after.grids.len(), proposed);
    let counts = count_households(&after);
    assert!(counts.unassigned.is_empty(), "every household in a grid");
    let mut in_band = 0;
    for g in after.grids.values() {
        assert!(g.code.starts_with(&g.village_code) && g.code.len() == 15, "code {} of {}", g.code, g.village_code);
        assert_eq!(g.geometry.0.len(), 1, "one polygon per grid");
        let h = counts.per_grid[&g.id].households;
        in_band += usize::from((300..=500).contains(&h));
    }
    assert!(in_band * 10 >= after.grids.len() * 8, "{in_band} of {} grids within the band", after.grids.len());

    // The same seed gives the same grids.
    let again = dir.path().join("again.gpkg");
    save_project(&project(), &again).unwrap();
    let out = wangge(&["partition", path_str(&again), "--all", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(0));
    let twin = open_project(&again).unwrap();
    let shapes = |p: &Project| p.grids.values().map(|g| (g.code.clone(), g.geometry.clone())).collect::<Vec<_>>();
    assert_eq!(shapes(&twin), shapes(&after));

    // Keeping the existing grids: nothing left to partition in the villages, nothing changes.
    let out = wangge(&["partition", path_str(&path), "--village", "341823100001", "--keep-existing", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["removed"].as_array().unwrap().len(), 0);
}

#[test]
fn partition_refuses_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    save_project(&project(), &path).unwrap();
    let p = path_str(&path);
    let before = open_project(&path).unwrap();
    for (args, words) in [
        (vec!["partition", p, "--all", "--along", "道路"], "道路"),
        (vec!["partition", p, "--village", "341823100099"], "341823100099"),
        (vec!["partition", p, "--all", "--households", "500"], "MIN..MAX"),
        (vec!["partition", p, "--all", "--households", "500..300"], "empty"),
        (vec!["partition", p], "--all"),
        (vec!["partition", p, "--all", "--grids", "0"], "--grids"),
        (vec!["partition", path_str(&dir.path().join("missing.gpkg")), "--all"], "missing.gpkg"),
    ] {
        let mut args = args;
        args.extend(["--lang", "en"]);
        let out = wangge(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(words), "{args:?}: {}", stderr(&out));
    }
    let out = wangge(&["partition", p, "--all", "--along", "道路"]);
    assert!(stderr(&out).contains("参考图层"), "Chinese by default: {}", stderr(&out));
    assert_eq!(open_project(&path).unwrap(), before, "nothing saved on errors");
}
