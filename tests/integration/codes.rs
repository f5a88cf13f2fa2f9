//! Codes by rule, code checks, households per grid and 四至 on hand-made layouts.

use geo::{Coord, MultiPolygon, Point, polygon};
use wangge::core::codes::{
    CodeIssue, CodeRule, CodingOptions, GRID_AXES, Side, assign_codes, check_codes, count_households, four_sides,
    reading_order,
};
use wangge::core::coverage::synthetic::{Rng, jittered_grid};
use wangge::core::{AreaClass, Division, DivisionCode, Grid, GridKind, HouseholdPoint, Project};
use wangge::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use wangge::io::true_north::ground_axes_for;

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
            parent_code: code.parent().map(str::to_string),
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
    for c in assign_codes(p, rule, options, &ground_axes_for(&p.crs)).unwrap() {
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
fn irregular_rows_follow_the_overlap_or_the_row_height() {
    // A tall grid on the west spanning two rows, two short grids beside it. By overlap it sits beside the
    // upper one, so it comes first; in fixed rows of 100 m centred on the northmost grid its middle (95 m)
    // is nearer the second row's (50 m) than the first's (150 m).
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    village(&mut p, "341823100001", None);
    for (x, y, w, h) in [(100., 0., 100., 100.), (0., 0., 100., 190.), (100., 100., 100., 100.)] {
        let mut g = Grid::new(square(x, y, w, h));
        g.village_code = "341823100001".into();
        p.add_grid(g);
    }
    let rule = CodeRule::parse("{village12}{seq:3}").unwrap();
    apply(&mut p, &rule, &CodingOptions::default());
    let codes: Vec<&str> = p.grids.values().map(|g| &g.code[12..]).collect();
    assert_eq!(codes, ["003", "001", "002"]);
    apply(&mut p, &rule, &CodingOptions { renumber: true, row_height: Some(100.0) });
    let codes: Vec<&str> = p.grids.values().map(|g| &g.code[12..]).collect();
    assert_eq!(codes, ["003", "002", "001"]);
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
    let changes = assign_codes(&p, &rule, &CodingOptions::default(), &ground_axes_for(&p.crs)).unwrap();
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

/// A place to lay out shapes in ground metres (x east, y north, along meridians and parallels), stored in
/// the CRS `epsg`.
struct Place {
    lon0: f64,
    lat0: f64,
    to_crs: Transformer,
}

impl Place {
    fn new(epsg: u32, lon0: f64, lat0: f64) -> Place {
        let lonlat = SourceCrs::Epsg(crs_from_epsg(4326).unwrap());
        Place { lon0, lat0, to_crs: Transformer::new(&lonlat, &crs_from_epsg(epsg).unwrap()).unwrap() }
    }

    fn at(&self, x: f64, y: f64) -> Coord<f64> {
        let lon = self.lon0 + x / (111_320.0 * self.lat0.to_radians().cos());
        let lat = self.lat0 + y / 110_574.0;
        self.to_crs.apply(Coord { x: lon, y: lat }).unwrap()
    }

    /// A lon/lat-aligned rectangle, its edges densified so that they follow the meridians and parallels.
    fn rect(&self, x: f64, y: f64, w: f64, h: f64) -> MultiPolygon<f64> {
        let mut ring = Vec::new();
        let corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)];
        for pair in corners.windows(2) {
            for k in 0..8 {
                let t = k as f64 / 8.0;
                ring.push(self.at(pair[0].0 + (pair[1].0 - pair[0].0) * t, pair[0].1 + (pair[1].1 - pair[0].1) * t));
            }
        }
        ring.push(ring[0]);
        MultiPolygon(vec![geo::Polygon::new(geo::LineString(ring), vec![])])
    }

    /// The length of `metres` northward in CRS units.
    fn north_units(&self, metres: f64) -> f64 {
        let (a, b) = (self.at(0.0, 0.0), self.at(0.0, metres));
        (b.x - a.x).hypot(b.y - a.y)
    }
}

/// Where the lattices and layouts below are tried: Gauss-Krüger zones away from their central meridian
/// (3°, 3° with zone prefix, 6°), UTM far from its meridian, Web Mercator and lon/lat.
const PLACES: [(u32, f64, f64); 8] = [
    (4548, 118.4, 30.7), // 泾川镇 in CGCS2000 3° GK CM 117°E: 1.4° east of it
    (4548, 115.6, 30.7), // 1.4° west of it
    (4527, 118.4, 30.7), // the same zone with its zone number in the false easting
    (4498, 119.9, 45.0), // 6° zone 20 (CM 117°E), 2.9° east, further north: convergence about 2°
    (32650, 119.9, 45.0),
    (3857, 118.4, 30.7),
    (4490, 118.4, 30.7),
    (4326, 118.4, 60.0),
];

/// A `rows` × `cols` lattice of `size` m squares added in a scrambled order; returns the project and, per
/// grid id, its (row, col).
fn lattice(place: &Place, epsg: u32, rows: usize, cols: usize, size: f64) -> (Project, Vec<(usize, usize)>) {
    let mut p = Project::new("t", crs_from_epsg(epsg).unwrap());
    village(&mut p, "341823100001", None);
    let mut cells: Vec<(usize, usize)> = (0..rows).flat_map(|r| (0..cols).map(move |c| (r, c))).collect();
    let mut rng = Rng::new(7);
    for i in (1..cells.len()).rev() {
        cells.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    for &(r, c) in &cells {
        let mut g = Grid::new(place.rect(c as f64 * size, (rows - 1 - r) as f64 * size, size, size));
        g.village_code = "341823100001".into();
        p.add_grid(g);
    }
    (p, cells)
}

fn is_row_by_row(p: &Project, cells: &[(usize, usize)], ordered: &[u64]) -> bool {
    let got: Vec<(usize, usize)> = ordered.iter().map(|id| cells[*id as usize - 1]).collect();
    let mut want = cells.to_vec();
    want.sort();
    got == want && ordered.len() == p.grids.len()
}

#[test]
fn a_lattice_aligned_with_lon_lat_is_numbered_row_by_row_in_every_crs() {
    for (epsg, lon, lat) in PLACES {
        let place = Place::new(epsg, lon, lat);
        let axes = ground_axes_for(&crs_from_epsg(epsg).unwrap());
        // The issue's 3 × 4 block of 1 km squares, and long blocks of 200 m and 100 m urban grids (3.2 km).
        for (rows, cols, size) in [(3, 4, 1000.0), (3, 16, 200.0), (3, 32, 100.0)] {
            let (mut p, cells) = lattice(&place, epsg, rows, cols, size);
            let ids: Vec<u64> = p.grids.keys().copied().collect();
            let ordered = reading_order(&p, &ids, None, &axes);
            assert!(is_row_by_row(&p, &cells, &ordered), "EPSG:{epsg} at {lon}, {lat}, {rows}×{cols} of {size} m");
            // Fixed rows of (about) the lattice's spacing, measured towards true north.
            let height = place.north_units(size) * 0.99;
            let banded = reading_order(&p, &ids, Some(height), &axes);
            assert!(is_row_by_row(&p, &cells, &banded), "EPSG:{epsg} --row-height, {rows}×{cols} of {size} m");
            // And the codes themselves.
            let rule = CodeRule::parse("{village12}{seq:3}").unwrap();
            apply(&mut p, &rule, &CodingOptions::default());
            for (i, (r, c)) in cells.iter().enumerate() {
                let want = format!("341823100001{:03}", r * cols + c + 1);
                assert_eq!(p.grids[&(i as u64 + 1)].code, want, "EPSG:{epsg} ({r}, {c})");
            }
        }
    }
}

#[test]
fn grid_north_is_not_enough_far_from_the_central_meridian() {
    // What the ground frame fixes: 2° of convergence turn a 3.2 km row of 100 m grids by 110 m, more
    // than a row's height, so on the CRS's own axes rows mix (with fixed bands or by overlap alike).
    for epsg in [4498, 32650] {
        let place = Place::new(epsg, 119.9, 45.0);
        let (p, cells) = lattice(&place, epsg, 3, 32, 100.0);
        let ids: Vec<u64> = p.grids.keys().copied().collect();
        assert!(!is_row_by_row(&p, &cells, &reading_order(&p, &ids, None, &GRID_AXES)), "EPSG:{epsg}");
        let height = place.north_units(100.0) * 0.99;
        assert!(!is_row_by_row(&p, &cells, &reading_order(&p, &ids, Some(height), &GRID_AXES)), "EPSG:{epsg}");
        let axes = ground_axes_for(&p.crs);
        assert!(is_row_by_row(&p, &cells, &reading_order(&p, &ids, None, &axes)), "EPSG:{epsg}");
        assert!(is_row_by_row(&p, &cells, &reading_order(&p, &ids, Some(height), &axes)), "EPSG:{epsg}");
    }
}

/// The reading order of rectangles given in ground metres, as indices into `rects`.
fn order_of(place: &Place, epsg: u32, rects: &[(f64, f64, f64, f64)]) -> Vec<usize> {
    let mut p = Project::new("t", crs_from_epsg(epsg).unwrap());
    let ids: Vec<u64> = rects.iter().map(|&(x, y, w, h)| p.add_grid(Grid::new(place.rect(x, y, w, h)))).collect();
    let ordered = reading_order(&p, &ids, None, &ground_axes_for(&p.crs));
    ordered.iter().map(|id| ids.iter().position(|i| i == id).unwrap()).collect()
}

#[test]
fn irregular_layouts_are_read_as_a_person_reads_the_map() {
    for (epsg, lon, lat) in PLACES {
        let place = Place::new(epsg, lon, lat);
        // A long strip lying across the top of two grids comes first, not between them.
        let strip = [(0.0, 0.0, 1000.0, 1000.0), (1000.0, 0.0, 1000.0, 1000.0), (0.0, 1000.0, 2000.0, 300.0)];
        assert_eq!(order_of(&place, epsg, &strip), [2, 0, 1], "EPSG:{epsg}: strip");
        // A tall grid on the west beside two stacked ones: it sits beside the upper one.
        let tall = [(1000.0, 0.0, 1000.0, 1000.0), (0.0, 0.0, 1000.0, 1900.0), (1000.0, 1000.0, 1000.0, 1000.0)];
        assert_eq!(order_of(&place, epsg, &tall), [1, 2, 0], "EPSG:{epsg}: tall");
        // Bricks: rows offset by half a grid, of unequal heights, still read row by row.
        let bricks = [
            (500.0, 0.0, 1000.0, 800.0),
            (1500.0, 0.0, 1000.0, 800.0),
            (0.0, 800.0, 1000.0, 1200.0),
            (1000.0, 800.0, 1000.0, 1100.0),
            (2000.0, 800.0, 1000.0, 1200.0),
            (0.0, 2000.0, 3000.0, 400.0),
        ];
        assert_eq!(order_of(&place, epsg, &bricks), [5, 2, 3, 4, 0, 1], "EPSG:{epsg}: bricks");
    }
}

/// A polygon through `points` (in metres from X0, Y0), closed.
fn shape(points: &[(f64, f64)]) -> MultiPolygon<f64> {
    let ring: Vec<Coord<f64>> = points.iter().map(|&(x, y)| Coord { x: X0 + x, y: Y0 + y }).collect();
    MultiPolygon(vec![geo::Polygon::new(geo::LineString(ring), vec![])])
}

#[test]
fn four_sides_on_a_three_by_three_layout() {
    let (mut p, order) = three_by_three();
    let id = |col, row| order.iter().position(|&o| o == (col, row)).unwrap() as u64 + 1;
    let axes = ground_axes_for(&p.crs);
    for boundary in [None, Some(square(0.0, 0.0, 300.0, 300.0))] {
        p.boundary = boundary.unwrap_or(MultiPolygon(vec![]));
        let sides = four_sides(&p, &axes);
        let centre = &sides[&id(1, 1)];
        assert_eq!(centre.north, [Side::Grid(id(1, 0))]);
        assert_eq!(centre.south, [Side::Grid(id(1, 2))]);
        assert_eq!(centre.east, [Side::Grid(id(2, 1))]);
        assert_eq!(centre.west, [Side::Grid(id(0, 1))]);
        let north_west = &sides[&id(0, 0)];
        assert_eq!((&north_west.north, &north_west.west), (&vec![Side::Boundary], &vec![Side::Boundary]));
        assert_eq!(north_west.east, [Side::Grid(id(1, 0))]);
        assert_eq!(north_west.south, [Side::Grid(id(0, 1))]);
    }
    // The boundary goes on 100 m east and 100 m south: that land is uncovered, not the boundary.
    p.boundary = square(0.0, -100.0, 400.0, 400.0);
    let sides = four_sides(&p, &axes);
    for row in 0..3 {
        assert_eq!(sides[&id(2, row)].east, [Side::Uncovered], "row {row}");
        assert_eq!(sides[&id(0, row)].west, [Side::Boundary], "row {row}");
    }
    assert_eq!(sides[&id(1, 2)].south, [Side::Uncovered]);
    assert_eq!(sides[&id(1, 0)].north, [Side::Boundary]);
}

#[test]
fn every_neighbour_is_named_on_the_side_of_the_shared_border() {
    // A wide grid G with one long neighbour S due south (their border in eight pieces), four neighbours
    // N1–N4 along its north side and one, E, to the east that also borders S.
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    let south_edge: Vec<(f64, f64)> = (0..=8).map(|i| (i as f64 * 50.0, 100.0)).collect();
    let mut g_ring = south_edge.clone();
    g_ring.extend([(400.0, 200.0), (300.0, 200.0), (200.0, 200.0), (100.0, 200.0), (0.0, 200.0), (0.0, 100.0)]);
    let g = p.add_grid(Grid::new(shape(&g_ring)));
    let mut s_ring = vec![(0.0, 0.0), (400.0, 0.0)];
    s_ring.extend(south_edge.iter().rev());
    s_ring.push((0.0, 0.0));
    let s = p.add_grid(Grid::new(shape(&s_ring)));
    let n: Vec<u64> =
        (0..4).map(|i| p.add_grid(Grid::new(square(i as f64 * 100.0, 200.0, 100.0, 100.0)))).rev().collect();
    let e = p.add_grid(Grid::new(shape(&[
        (400.0, 0.0),
        (500.0, 0.0),
        (500.0, 200.0),
        (400.0, 200.0),
        (400.0, 100.0),
        (400.0, 0.0),
    ])));
    p.boundary = square(0.0, 0.0, 500.0, 300.0);
    let sides = four_sides(&p, &ground_axes_for(&p.crs));
    let of_g = &sides[&g];
    assert_eq!(of_g.south, [Side::Grid(s)], "a neighbour due south is south");
    // West → east along the north side.
    let north: Vec<Side> = n.iter().rev().map(|id| Side::Grid(*id)).collect();
    assert_eq!(of_g.north, north);
    assert_eq!(of_g.east, [Side::Grid(e)]);
    assert_eq!(of_g.west, [Side::Boundary]);
    assert_eq!(sides[&s].north, [Side::Grid(g)]);
    assert_eq!(sides[&s].east, [Side::Grid(e)]);
    // E: G and S both lie west, north → south; the land north of E is the boundary's but no grid's.
    assert_eq!(sides[&e].west, [Side::Grid(g), Side::Grid(s)]);
    assert_eq!(sides[&e].north, [Side::Uncovered]);
    assert_eq!(sides[&e].east, [Side::Boundary]);
}

#[test]
fn four_sides_of_an_l_shaped_area_and_an_l_shaped_grid() {
    // The area: the bottom row and the left column of a 3 × 3 block of 100 m cells. Grid A is the L of
    // the three cells in the corner, grid B the top of the column; the east end of the row is uncovered.
    let l_area =
        shape(&[(0.0, 0.0), (300.0, 0.0), (300.0, 100.0), (100.0, 100.0), (100.0, 300.0), (0.0, 300.0), (0.0, 0.0)]);
    for with_boundary in [true, false] {
        let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
        if with_boundary {
            p.boundary = l_area.clone();
        } else {
            // No boundary: the villages are the area to cover.
            village(&mut p, "341823100001", Some(l_area.clone()));
        }
        let a = p.add_grid(Grid::new(shape(&[
            (0.0, 0.0),
            (200.0, 0.0),
            (200.0, 100.0),
            (100.0, 100.0),
            (100.0, 200.0),
            (0.0, 200.0),
            (0.0, 0.0),
        ])));
        let b = p.add_grid(Grid::new(square(0.0, 200.0, 100.0, 300.0 - 200.0)));
        let sides = four_sides(&p, &ground_axes_for(&p.crs));
        let of_a = &sides[&a];
        assert_eq!(of_a.north, [Side::Grid(b), Side::Boundary], "B, then the notch's edge");
        assert_eq!(of_a.east, [Side::Boundary, Side::Uncovered], "the notch, then the uncovered cell");
        assert_eq!((&of_a.south, &of_a.west), (&vec![Side::Boundary], &vec![Side::Boundary]));
        let of_b = &sides[&b];
        assert_eq!(of_b.south, [Side::Grid(a)]);
        assert_eq!(
            (&of_b.north, &of_b.east, &of_b.west),
            (&vec![Side::Boundary], &vec![Side::Boundary], &vec![Side::Boundary])
        );
    }
}

/// Grids sharing a border of positive length, by brute force.
fn borders(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    use geo::Relate;
    use geo::coordinate_position::CoordPos;
    use geo::dimensions::Dimensions;
    a.relate(b).get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
}

/// Every neighbour named once, exactly the grids bordering by brute force, and the relation mutual.
fn assert_neighbours_agree(p: &Project, sides: &std::collections::BTreeMap<u64, wangge::core::codes::FourSides>) {
    for (id, s) in sides {
        let named: Vec<u64> = [&s.north, &s.east, &s.south, &s.west]
            .into_iter()
            .flatten()
            .filter_map(|x| if let Side::Grid(n) = x { Some(*n) } else { None })
            .collect();
        let mut unique = named.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), named.len(), "grid {id}: a neighbour named twice: {s:?}");
        let brute: Vec<u64> = p
            .grids
            .values()
            .filter(|o| o.id != *id && borders(&p.grids[id].geometry, &o.geometry))
            .map(|o| o.id)
            .collect();
        assert_eq!(unique, brute, "grid {id}");
        for n in &unique {
            let back = &sides[n];
            assert!(
                [&back.north, &back.east, &back.south, &back.west].into_iter().flatten().any(|x| *x == Side::Grid(*id)),
                "{id} names {n} but not the other way"
            );
        }
    }
}

#[test]
fn four_sides_of_jittered_grids_agree_with_a_brute_force_search() {
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    for g in jittered_grid(6, 5, 100.0, Coord { x: X0, y: Y0 }, 5) {
        p.add_grid(Grid::new(g));
    }
    let sides = four_sides(&p, &ground_axes_for(&p.crs));
    assert_neighbours_agree(&p, &sides);
    // Interior cells (ids run west → east, south → north): each lattice neighbour on its own side.
    let id = |col: u64, row: u64| row * 6 + col + 1;
    for row in 1..4 {
        for col in 1..5 {
            let s = &sides[&id(col, row)];
            assert!(s.north.contains(&Side::Grid(id(col, row + 1))), "({col}, {row}) {s:?}");
            assert!(s.south.contains(&Side::Grid(id(col, row - 1))), "({col}, {row}) {s:?}");
            assert!(s.east.contains(&Side::Grid(id(col + 1, row))), "({col}, {row}) {s:?}");
            assert!(s.west.contains(&Side::Grid(id(col - 1, row))), "({col}, {row}) {s:?}");
        }
    }
}

#[test]
fn four_sides_of_real_grids_in_their_county() {
    // Five grids of 泾川镇 (EPSG:4548) and the outline of 泾县, which is the project boundary here.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/repro/overlap-missed.geojson");
    let source = wangge::io::geojson_io::read_geojson(&path).unwrap();
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    for f in &source.features {
        let Some(geo::Geometry::MultiPolygon(mp)) = f.geometry.clone() else { panic!("feature {}", f.number) };
        let name = f.fields["name"].as_text();
        if name.starts_with("泾县") {
            p.boundary = mp;
        } else {
            let mut g = Grid::new(mp);
            g.code = name;
            p.add_grid(g);
        }
    }
    assert_eq!(p.grids.len(), 5);
    let sides = four_sides(&p, &ground_axes_for(&p.crs));
    assert_neighbours_agree(&p, &sides);
    let code = |id: &u64| p.grids[id].code.clone();
    let text = |xs: &[Side]| -> Vec<String> {
        xs.iter()
            .map(|x| match x {
                Side::Grid(n) => code(n),
                Side::Boundary => "边界".into(),
                Side::Uncovered => "未划分".into(),
            })
            .collect()
    };
    for (id, s) in &sides {
        println!(
            "{}: N {:?} E {:?} S {:?} W {:?}",
            code(id),
            text(&s.north),
            text(&s.east),
            text(&s.south),
            text(&s.west)
        );
    }
    // The county goes on far beyond these five grids: 004001 and 004003 reach its edge (边界 there), the
    // other three lie over a kilometre inside it: beyond them is uncovered land (未划分), never 边界.
    use geo::{Distance, Euclidean};
    let outline = &p.boundary.0[0].exterior().clone();
    for (id, s) in &sides {
        let g = &p.grids[id];
        let nearest =
            g.geometry.0[0].exterior().points().map(|v| Euclidean.distance(&v, outline)).fold(f64::INFINITY, f64::min);
        let all: Vec<&Side> = [&s.north, &s.east, &s.south, &s.west].into_iter().flatten().collect();
        assert_eq!(all.contains(&&Side::Boundary), nearest < 1.0, "{}: {nearest} m from the edge, {s:?}", g.code);
        // 004002 is enclosed by the other four; every other grid faces uncovered land somewhere.
        assert_eq!(all.contains(&&Side::Uncovered), g.code != "341823100004002", "{}: {s:?}", g.code);
    }
    let of = |code: &str| &sides[p.grids.values().find(|g| g.code == code).map(|g| &g.id).unwrap()];
    let middle = of("341823100004002");
    assert_eq!(middle.north.len(), 2, "both grids of village 005 lie north of 004002: {middle:?}");
    // Without the outline nothing is known beyond the grids: it is all 边界.
    p.boundary = MultiPolygon(vec![]);
    let sides = four_sides(&p, &ground_axes_for(&p.crs));
    for s in sides.values() {
        assert!([&s.north, &s.east, &s.south, &s.west].into_iter().flatten().all(|x| *x != Side::Uncovered));
    }
}

#[test]
fn the_official_division_list_with_its_county_row_is_the_root_of_the_tree() {
    use crate::common::{path_str, stderr, stdout, wangge};
    let dir = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    // As published: the county row first, with no parent.
    let sample = std::fs::read_to_string(format!("{root}/sample-maps/jingxian-divisions.csv")).unwrap();
    let (header, rows) = sample.split_once('\n').unwrap();
    let list = dir.path().join("divisions.csv");
    std::fs::write(&list, format!("{header}\n341823,泾县,\n{rows}")).unwrap();
    let project = dir.path().join("p.gpkg");
    let county = format!("{root}/sample-maps/jingxian-county.geojson");
    let out = wangge(&["import", &county, "--into", path_str(&project), "--as", "boundary"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = wangge(&["import", path_str(&list), "--into", path_str(&project), "--as", "divisions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info = stdout(&wangge(&["info", path_str(&project), "--lang", "en"]));
    assert!(info.contains("divisions 139 (11 townships, 127 villages)"), "{info}");
    // Saved and read back with its level; townships hang under it.
    let p = wangge::io::open_project(&project).unwrap();
    let jingxian = &p.divisions["341823"];
    assert!(jingxian.code.is_county() && jingxian.parent_code.is_none() && jingxian.name == "泾县");
    assert_eq!(p.divisions["341823100"].parent_code.as_deref(), Some("341823"));
    let csv = dir.path().join("out.csv");
    let out = wangge(&["export", path_str(&project), "--to", path_str(&csv), "--layer", "divisions"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("341823,泾县,,county,"), "{text}");
    // A code of any other length is still refused, naming the row.
    std::fs::write(&list, format!("{header}\n34182,泾县,\n")).unwrap();
    let out = wangge(&["import", path_str(&list), "--into", path_str(&project), "--as", "divisions", "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("must be 6 (county), 9 (township) or 12 (village) digits"), "{}", stderr(&out));
}

#[test]
fn the_atlas_sheet_lists_every_neighbour_of_a_side_within_the_page() {
    use wangge::print::{Align, Item, PT_PER_MM, PrintOptions, Products, text_width};
    // A wide grid with fourteen named neighbours to the north: its north line must wrap, not run off.
    let mut p = Project::new("t", crs_from_epsg(4548).unwrap());
    let mut wide = Grid::new(square(0.0, 0.0, 1400.0, 200.0));
    wide.code = "341823100001001".into();
    let wide = p.add_grid(wide);
    for i in 0..14 {
        let mut g = Grid::new(square(i as f64 * 100.0, 200.0, 100.0, 100.0));
        g.code = format!("341823100001{:03}", i + 2);
        g.name = format!("城南第{}网格（幸福小区）", i + 2);
        p.add_grid(g);
    }
    p.boundary = square(0.0, -100.0, 1400.0, 700.0);
    let options = PrintOptions {
        products: Products { overview: false, atlas: true, table: false },
        date: "2026-11-30".into(),
        ..PrintOptions::default()
    };
    let pages = wangge::print::atlas(&p, &options, 0);
    let sheet = pages.iter().find(|pg| pg.texts().any(|t| t == "网格图  341823100001001")).unwrap();
    let texts: Vec<String> = sheet.texts().map(str::to_string).collect();
    let all = texts.concat();
    for i in 0..14 {
        let name = format!("341823100001{:03} 城南第{}网格（幸福小区）", i + 2, i + 2);
        assert!(all.contains(&name), "{name} missing: {texts:?}");
    }
    assert!(all.contains("未划分"), "the land south of it: {texts:?}");
    let mut lines_in_record: Vec<(f64, f64)> = Vec::new();
    for item in &sheet.items {
        if let Item::Text { at, size, text, align, .. } = item {
            let left = match align {
                Align::Start => at.0,
                Align::Middle => at.0 - text_width(text, *size) / 2.0,
                Align::End => at.0 - text_width(text, *size),
            };
            assert!(left >= 0.0 && left + text_width(text, *size) <= sheet.width + 0.01, "runs off the page: {text}");
            assert!(*size >= 7.0, "too small to read: {text} at {size} pt");
            // The record's values (not the labels on the map).
            if text.contains("城南第") && (at.0 - (12.0 * PT_PER_MM + 110.0)).abs() < 0.01 {
                lines_in_record.push((at.1, *size));
            }
        }
    }
    assert!(lines_in_record.len() > 1, "the north line wraps: {texts:?}");
    lines_in_record.sort_by(|a, b| a.0.total_cmp(&b.0));
    for w in lines_in_record.windows(2) {
        assert!(w[1].0 - w[0].0 >= w[0].1, "lines overlap: {lines_in_record:?}");
    }
    assert_eq!(four_sides(&p, &ground_axes_for(&p.crs))[&wide].north.len(), 14);
}
