//! Codes by rule, code checks, households per grid and 四至 on hand-made layouts.

use geo::{Coord, MultiPolygon, Point, polygon};
use wangge::core::codes::{
    CodeIssue, CodeRule, CodingOptions, Side, assign_codes, check_codes, count_households, four_sides,
};
use wangge::core::coverage::synthetic::{Rng, jittered_grid};
use wangge::core::{AreaClass, Division, DivisionCode, Grid, GridKind, HouseholdPoint, Project};
use wangge::io::crs::crs_from_epsg;

const X0: f64 = 620_000.0;
const Y0: f64 = 3_385_000.0;

fn square(x: f64, y: f64, w: f64, h: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![
        polygon![(x: X0 + x, y: Y0 + y), (x: X0 + x + w, y: Y0 + y), (x: X0 + x + w, y: Y0 + y + h), (x: X0 + x, y: Y0 + y + h)],
    ])
}

fn village(p: &mut Project, code: &str, polygon: Option<MultiPolygon<f64>>) {
    let code = DivisionCode::parse(code).unwrap();
    p.divisions.insert(
        code.to_string(),
        Division {
            parent_code: Some(code.parent().into()),
            class: AreaClass::Urban,
            name: format!("村{code}"),
            code,
            polygon,
        },
    );
}

/// Grids in a 3 × 3 layout (100 m cells) added in a scrambled order, all in village 341823100001.
fn three_by_three() -> (Project, Vec<(usize, usize)>) {
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    village(&mut p, "341823100001", None);
    let order = [(2, 0), (0, 2), (1, 1), (0, 0), (2, 2), (1, 0), (0, 1), (2, 1), (1, 2)];
    for &(col, row) in &order {
        let mut g = Grid::new(square(col as f64 * 100.0, (2 - row) as f64 * 100.0, 100.0, 100.0));
        g.village_code = "341823100001".into();
        p.add_grid(g);
    }
    (p, order.to_vec())
}

fn apply(p: &mut Project, rule: &CodeRule, options: &CodingOptions) {
    for c in assign_codes(p, rule, options).unwrap() {
        p.grids.get_mut(&c.grid).unwrap().code = c.new;
    }
}

fn code_at(p: &Project, order: &[(usize, usize)], col: usize, row: usize) -> String {
    let index = order.iter().position(|&o| o == (col, row)).unwrap();
    p.grids[&(index as u64 + 1)].code.clone()
}

#[test]
fn grids_are_numbered_north_to_south_and_west_to_east() {
    let (mut p, order) = three_by_three();
    let rule = CodeRule::parse("{village12}{seq:3}").unwrap();
    apply(&mut p, &rule, &CodingOptions::default());
    for row in 0..3 {
        for col in 0..3 {
            assert_eq!(
                code_at(&p, &order, col, row),
                format!("341823100001{:03}", row * 3 + col + 1),
                "({col}, {row})"
            );
        }
    }
    assert!(check_codes(&p, &rule).is_empty(), "{:?}", check_codes(&p, &rule));
}

#[test]
fn irregular_rows_follow_the_row_height() {
    // A tall grid on the west spanning two rows, two short grids beside it: the tall one's interior point
    // lies in the upper row's band (rows 100 m high from the top), so it comes first.
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    village(&mut p, "341823100001", None);
    for (x, y, w, h) in [(100., 0., 100., 100.), (0., 0., 100., 190.), (100., 100., 100., 100.)] {
        let mut g = Grid::new(square(x, y, w, h));
        g.village_code = "341823100001".into();
        p.add_grid(g);
    }
    let rule = CodeRule::parse("{village12}{seq:3}").unwrap();
    apply(&mut p, &rule, &CodingOptions { renumber: false, row_height: Some(100.0) });
    let codes: Vec<&str> = p.grids.values().map(|g| &g.code[12..]).collect();
    assert_eq!(codes, ["003", "001", "002"]);
}

#[test]
fn codes_are_stable_new_grids_take_the_next_number_and_renumber_redoes_all() {
    let (mut p, _) = three_by_three();
    let rule = CodeRule::parse("{village12}{seq:3}").unwrap();
    apply(&mut p, &rule, &CodingOptions::default());
    let before: Vec<String> = p.grids.values().map(|g| g.code.clone()).collect();
    // Delete the middle grid and add one in the north-west corner: nobody else changes.
    p.grids.remove(&3);
    let mut new = Grid::new(square(-100.0, 200.0, 100.0, 100.0));
    new.village_code = "341823100001".into();
    let new_id = p.add_grid(new);
    let changes = assign_codes(&p, &rule, &CodingOptions::default()).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0].grid, changes[0].new.as_str()), (new_id, "341823100001010"));
    apply(&mut p, &rule, &CodingOptions::default());
    for (id, code) in p.grids.iter().filter(|(id, _)| **id != new_id).map(|(id, g)| (*id, g.code.clone())) {
        assert_eq!(code, before[id as usize - 1]);
    }
    // The retired number 005 is a hole in the sequence.
    assert!(
        check_codes(&p, &rule).contains(&CodeIssue::SequenceHole { village: "341823100001".into(), missing: vec![5] })
    );
    // A dedicated grid takes the reserved range; --renumber closes the holes.
    p.grids.get_mut(&1).unwrap().kind = GridKind::Dedicated;
    apply(&mut p, &rule, &CodingOptions { renumber: true, row_height: None });
    let mut codes: Vec<String> = p.grids.values().map(|g| g.code[12..].to_string()).collect();
    codes.sort();
    assert_eq!(codes, ["001", "002", "003", "004", "005", "006", "007", "008", "801"]);
    assert!(check_codes(&p, &rule).is_empty());
}

#[test]
fn villages_come_from_polygons_when_there_are_any_and_checks_find_bad_codes() {
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    village(&mut p, "341823100001", Some(square(0.0, 0.0, 150.0, 100.0)));
    village(&mut p, "341823100002", Some(square(150.0, 0.0, 150.0, 100.0)));
    for x in [0.0, 100.0, 200.0] {
        // The middle grid overlaps village 001 by 50 m and 002 by 50 m… and 001 wins ties by code order.
        p.add_grid(Grid::new(square(x, 0.0, 100.0, 100.0)));
    }
    p.add_grid(Grid::new(square(500.0, 0.0, 100.0, 100.0)));
    let rule = CodeRule::parse("{village12}{seq:3}").unwrap();
    apply(&mut p, &rule, &CodingOptions::default());
    let codes: Vec<&str> = p.grids.values().map(|g| g.code.as_str()).collect();
    assert_eq!(codes[0], "341823100001001");
    assert_eq!(codes[2], "341823100002001");
    assert_eq!(codes[3], "", "a grid in no village gets no code");
    p.grids.get_mut(&1).unwrap().code = "341823100002009".into();
    p.grids.get_mut(&2).unwrap().code = "12345".into();
    p.grids.get_mut(&3).unwrap().code = "341823100002009".into();
    let issues = check_codes(&p, &rule);
    assert!(
        issues.iter().any(|i| matches!(i, CodeIssue::Duplicate { grids, .. } if grids == &vec![1, 3])),
        "{issues:?}"
    );
    assert!(issues.contains(&CodeIssue::BadFormat { grid: 2, code: "12345".into(), expected_len: 15 }));
    assert!(issues.iter().any(|i| matches!(i, CodeIssue::PrefixMismatch { grid: 1, .. })), "{issues:?}");
    assert!(issues.contains(&CodeIssue::NoVillage { grid: 4 }));
}

#[test]
fn household_counts_agree_with_a_brute_force_count_and_shared_edges_count_once() {
    let origin = Coord { x: X0, y: Y0 };
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    for g in jittered_grid(6, 5, 100.0, origin, 11) {
        p.add_grid(Grid::new(g));
    }
    let mut rng = Rng::new(3);
    for i in 0..3000 {
        let position = Point::new(X0 - 20.0 + rng.unit() * 640.0, Y0 - 20.0 + rng.unit() * 540.0);
        p.households.push(HouseholdPoint { position, households: 1 + (i % 3), population: Some(2) });
    }
    // Points exactly on shared vertices and edges (every grid's vertices are shared with neighbours).
    for g in p.grids.values().take(10).map(|g| g.geometry.clone()).collect::<Vec<_>>() {
        for &c in &g.0[0].exterior().0[..4] {
            p.households.push(HouseholdPoint { position: Point(c), households: 1, population: None });
        }
    }
    let counts = count_households(&p);
    let total_points: usize = counts.per_grid.values().map(|c| c.points).sum::<usize>() + counts.unassigned.len();
    assert_eq!(total_points, p.households.len(), "every point counted exactly once");
    // Brute force: inside → that grid; on boundaries → the lowest id whose boundary it is on.
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    let brute: u64 = p
        .households
        .iter()
        .filter(|h| p.grids.values().any(|g| g.geometry.coordinate_position(&h.position.0) != CoordPos::Outside))
        .map(|h| h.households as u64)
        .sum();
    assert_eq!(counts.per_grid.values().map(|c| c.households).sum::<u64>(), brute);
    for (id, c) in &counts.per_grid {
        let grid = &p.grids[id].geometry;
        let mine: u64 =
            p.households
                .iter()
                .filter(|h| {
                    let pos = grid.coordinate_position(&h.position.0);
                    pos == CoordPos::Inside
                        || (pos == CoordPos::OnBoundary
                            && !p.grids.values().any(|o| {
                                o.id < *id && o.geometry.coordinate_position(&h.position.0) != CoordPos::Outside
                            }))
                })
                .map(|h| h.households as u64)
                .sum();
        assert_eq!(c.households, mine, "grid {id}");
    }
}

#[test]
fn four_sides_on_a_three_by_three_layout() {
    let (p, order) = three_by_three();
    let id = |col, row| order.iter().position(|&o| o == (col, row)).unwrap() as u64 + 1;
    let sides = four_sides(&p);
    let centre = sides[&id(1, 1)];
    assert_eq!(centre.north, Some(Side::Grid(id(1, 0))));
    assert_eq!(centre.south, Some(Side::Grid(id(1, 2))));
    assert_eq!(centre.east, Some(Side::Grid(id(2, 1))));
    assert_eq!(centre.west, Some(Side::Grid(id(0, 1))));
    let north_west = sides[&id(0, 0)];
    assert_eq!((north_west.north, north_west.west), (Some(Side::Boundary), Some(Side::Boundary)));
    assert_eq!((north_west.east, north_west.south), (Some(Side::Grid(id(1, 0))), Some(Side::Grid(id(0, 1)))));
}
