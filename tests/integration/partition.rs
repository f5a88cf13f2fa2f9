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
pub fn project() -> Project {
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
    // Hamlets of ~150 households kept whole leave few ways to make 300–500; the repair step (parts out
    // of the band re-split with their neighbours) finds one for every grid here.
    assert_eq!(in_band, after.grids.len(), "{in_band} of {} grids within the band: {text}", after.grids.len());

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

/// The scale benchmark's project (BENCHMARKS.md): the 泾县 sample with its 127 villages given lattice
/// polygons (~4 km cells clipped to the county, the largest 127 cells), and 200,000 households in
/// hamlets. Written to $WANGGE_PARTITION_BENCH; run with `--ignored`.
#[test]
#[ignore]
fn write_the_scale_benchmark_project() {
    use geo::{Area, BooleanOps, BoundingRect, Contains, Coord, Rect};
    let Some(out) = std::env::var_os("WANGGE_PARTITION_BENCH") else { return };
    let root = env!("CARGO_MANIFEST_DIR");
    let mut p = open_project(std::path::Path::new(&format!("{root}/sample-maps/jingxian.gpkg"))).unwrap();
    let extent = p.boundary.bounding_rect().unwrap();
    let cell = 4000.0;
    let mut cells = Vec::new();
    let (nx, ny) = ((extent.width() / cell).ceil() as usize, (extent.height() / cell).ceil() as usize);
    for j in 0..ny {
        for i in 0..nx {
            let (x, y) = (extent.min().x + i as f64 * cell, extent.max().y - (j + 1) as f64 * cell);
            let square = MultiPolygon(vec![Rect::new(Coord { x, y }, Coord { x: x + cell, y: y + cell }).to_polygon()]);
            let clipped = wangge::core::coverage::prepare_geometry(square.intersection(&p.boundary), p.precision);
            if clipped.unsigned_area() > 0.0 {
                cells.push(clipped);
            }
        }
    }
    cells.sort_by(|a, b| b.unsigned_area().total_cmp(&a.unsigned_area()));
    let codes: Vec<String> = p.villages().map(|v| v.code.to_string()).collect();
    let mut rng = Rng::new(200_000);
    let shares: Vec<f64> = codes.iter().map(|_| 0.5 + rng.unit()).collect();
    let total_share: f64 = shares.iter().sum();
    for ((code, polygon), share) in codes.iter().zip(cells).zip(&shares) {
        p.divisions.get_mut(code).unwrap().polygon = Some(polygon.clone());
        let r = polygon.bounding_rect().unwrap();
        let wanted = (200_000.0 * share / total_share).round() as usize;
        let hamlets = 5 + (rng.next_u64() % 11) as usize;
        let centres: Vec<(Coord<f64>, f64)> = (0..hamlets)
            .map(|_| {
                loop {
                    let c = Coord { x: r.min().x + rng.unit() * r.width(), y: r.min().y + rng.unit() * r.height() };
                    if polygon.contains(&c) {
                        break (c, 30.0 + 150.0 * rng.unit());
                    }
                }
            })
            .collect();
        let mut placed = 0;
        while placed < wanted {
            let (c, spread) = centres[(rng.next_u64() % hamlets as u64) as usize];
            let dx = (rng.unit() + rng.unit() + rng.unit() - 1.5) * spread;
            let dy = (rng.unit() + rng.unit() + rng.unit() - 1.5) * spread;
            let at = Coord { x: c.x + dx, y: c.y + dy };
            if polygon.contains(&at) {
                p.households.push(HouseholdPoint { position: Point::from(at), households: 1, population: None });
                placed += 1;
            }
        }
    }
    save_project(&p, std::path::Path::new(&out)).unwrap();
}

/// Villages without polygons share a stand-in area (here the project boundary: the township has none
/// either): every proposed grid still gets a village code — the village whose old grids it overlaps.
#[test]
fn grids_of_villages_sharing_a_stand_in_area_each_get_a_village_code() {
    use geo::Centroid;
    let mut p = project();
    for code in ["341823100001", "341823100002"] {
        p.divisions.get_mut(code).unwrap().polygon = None;
    }
    let mut east = Grid::new(rect(1000.0, 0.0, 2000.0, 1000.0));
    east.village_code = "341823100002".into();
    east.code = "341823100002001".into();
    p.add_grid(east);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    save_project(&p, &path).unwrap();
    let out = wangge(&["partition", path_str(&path), "--all", "--json", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["villages"][0]["area"], "boundary", "{v}");
    let after = open_project(&path).unwrap();
    assert!(after.grids.len() >= 4);
    let mut seen = std::collections::BTreeSet::new();
    for g in after.grids.values() {
        let x = g.geometry.centroid().unwrap().x() - X0;
        let expected = if x < 1000.0 { "341823100001" } else { "341823100002" };
        // A grid straddling the line between the old grids goes to the one it overlaps most.
        if (x - 1000.0).abs() > 250.0 {
            assert_eq!(g.village_code, expected, "grid at x = {x:.0}");
        }
        assert!(g.code.starts_with(&g.village_code) && g.code.len() == 15, "code {} of {}", g.code, g.village_code);
        seen.insert(g.village_code.clone());
    }
    assert_eq!(seen.len(), 2, "both villages get grids: {seen:?}");
}
