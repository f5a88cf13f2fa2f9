//! The coverage checker on real data against GEOS (tests/fixtures/geos_reference.json, made by
//! make_geos_reference.py with shapely/GEOS 3.14): the same invalid edges, polygon by polygon.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use geo::{Geometry, MultiPolygon};
use serde_json::Value;
use wangge::core::coverage::{Checker, CoverageOptions, invalid_edges};
use wangge::io::shapefile_io::read_shapefile;

type Segment = [u64; 4];

fn undirected(x0: f64, y0: f64, x1: f64, y1: f64) -> Segment {
    let (a, b) = if (x0, y0) <= (x1, y1) { ((x0, y0), (x1, y1)) } else { ((x1, y1), (x0, y0)) };
    [a.0.to_bits(), a.1.to_bits(), b.0.to_bits(), b.1.to_bits()]
}

pub fn libpysal(name: &str) -> Vec<MultiPolygon<f64>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/libpysal").join(format!("{name}.shp"));
    read_shapefile(&path)
        .unwrap()
        .features
        .into_iter()
        .map(|f| match f.geometry {
            Some(Geometry::MultiPolygon(mp)) => mp,
            other => panic!("{name}: {other:?}"),
        })
        .collect()
}

#[test]
fn invalid_edges_are_exactly_those_of_geos_on_real_coverages() {
    let text =
        std::fs::read_to_string(format!("{}/tests/fixtures/geos_reference.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    for name in ["columbus", "sids2", "tokyomet262", "G_utm"] {
        let expected = &reference[name];
        let items = libpysal(name);
        assert_eq!(items.len() as u64, expected["polygons"].as_u64().unwrap(), "{name}");
        let checker = Checker::new(items, None, Vec::new(), CoverageOptions::planar());
        let ours: BTreeMap<usize, BTreeSet<Segment>> = invalid_edges(&checker)
            .into_iter()
            .enumerate()
            .filter(|(_, lines)| !lines.is_empty())
            .map(|(i, lines)| (i, lines.iter().map(|l| undirected(l.start.x, l.start.y, l.end.x, l.end.y)).collect()))
            .collect();
        let theirs: BTreeMap<usize, BTreeSet<Segment>> = expected["invalid_edges"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(i, segs)| {
                let set = segs
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| {
                        let v: Vec<f64> = s.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
                        undirected(v[0], v[1], v[2], v[3])
                    })
                    .collect();
                (i.parse().unwrap(), set)
            })
            .collect();
        let only_ours: Vec<_> = ours.keys().filter(|k| ours.get(k) != theirs.get(k)).collect();
        let only_theirs: Vec<_> = theirs.keys().filter(|k| ours.get(k) != theirs.get(k)).collect();
        if let Some(&&first) = only_ours.first().or(only_theirs.first()) {
            let empty = BTreeSet::new();
            let (o, t) = (ours.get(&first).unwrap_or(&empty), theirs.get(&first).unwrap_or(&empty));
            let show = |s: &[u64; 4]| s.map(f64::from_bits);
            let extra: Vec<_> = o.difference(t).take(3).map(show).collect();
            let missing: Vec<_> = t.difference(o).take(3).map(show).collect();
            panic!(
                "{name}: polygons that differ from GEOS: ours {only_ours:?}, GEOS {only_theirs:?}; polygon {first}: \
                 {} ours only, e.g. {extra:?}; {} GEOS only, e.g. {missing:?}",
                o.difference(t).count(),
                t.difference(o).count()
            );
        }
        let report = checker.report();
        let edge_errors = report.findings.iter().any(|f| {
            matches!(
                f.kind,
                wangge::core::coverage::FindingKind::EdgeMismatch
                    | wangge::core::coverage::FindingKind::Overlap
                    | wangge::core::coverage::FindingKind::Duplicate
            )
        });
        assert_eq!(edge_errors, !expected["valid"].as_bool().unwrap(), "{name}");
    }
}

mod scenarios {
    use geo::{Coord, MultiPolygon, polygon};
    use wangge::core::coverage::synthetic::{Rng, grid_outline, jittered_grid, move_shared_vertex};
    use wangge::core::coverage::{Checker, CoverageOptions, Detail, FindingKind, Report, Village};
    use wangge::io::crs::crs_from_epsg;

    const ORIGIN: Coord<f64> = Coord { x: 620_000.0, y: 3_385_000.0 };

    fn options() -> CoverageOptions {
        CoverageOptions::for_crs(&crs_from_epsg(4548).unwrap())
    }

    fn check(items: Vec<MultiPolygon<f64>>, boundary: Option<MultiPolygon<f64>>) -> Report {
        Checker::new(items, boundary, Vec::new(), options()).report()
    }

    fn kinds(report: &Report) -> Vec<(FindingKind, Vec<usize>)> {
        report.findings.iter().map(|f| (f.kind, f.items.clone())).collect()
    }

    #[test]
    fn a_clean_partition_is_clean() {
        let items = jittered_grid(12, 9, 100.0, ORIGIN, 1);
        let report = check(items, Some(grid_outline(12, 9, 100.0, ORIGIN)));
        assert!(report.findings.is_empty(), "{:?}", kinds(&report));
        assert_eq!(report.items, 108);
        assert_eq!(report.vertices, 108 * 13);
    }

    #[test]
    fn a_missing_grid_is_a_gap_of_its_size() {
        let mut items = jittered_grid(5, 5, 100.0, ORIGIN, 2);
        let removed = items.remove(12);
        let area = geo::Area::unsigned_area(&removed);
        let report = check(items.clone(), Some(grid_outline(5, 5, 100.0, ORIGIN)));
        assert_eq!(report.count(FindingKind::Gap), 1, "{:?}", kinds(&report));
        let gap = &report.findings[0];
        assert!((gap.area.unwrap() - area).abs() < 1e-3, "{:?} vs {area}", gap.area);
        assert!(gap.width.unwrap() > 60.0 && gap.width.unwrap() < 110.0, "{:?}", gap.width);
        assert!(matches!(gap.detail, Detail::Gap { enclosed: true }));
        // Without a boundary the hole is still found: it is enclosed by the grids.
        let report = check(items, None);
        assert_eq!(report.count(FindingKind::Gap), 1);
        // A missing grid on the edge of the area is a gap only when the boundary says it should be covered.
        let mut items = jittered_grid(5, 5, 100.0, ORIGIN, 2);
        items.remove(0);
        assert!(check(items.clone(), None).findings.is_empty());
        let report = check(items, Some(grid_outline(5, 5, 100.0, ORIGIN)));
        assert!(matches!(report.findings[0].detail, Detail::Gap { enclosed: false }), "{:?}", kinds(&report));
    }

    /// Moves the first vertex of grid 5 (its south-west corner, shared with grids 0, 1 and 4) alone.
    fn move_corner_of_5(dx: f64, dy: f64) -> Report {
        let mut items = jittered_grid(4, 4, 100.0, ORIGIN, 3);
        items[5].0[0].exterior_mut(|r| {
            r.0[0] = Coord { x: r.0[0].x + dx, y: r.0[0].y + dy };
            let last = r.0.len() - 1;
            r.0[last] = r.0[0];
        });
        check(items, Some(grid_outline(4, 4, 100.0, ORIGIN)))
    }

    #[test]
    fn one_grid_moving_a_shared_vertex_alone_overlaps_or_opens_a_gap() {
        // Outwards: grid 5 now covers part of its neighbours.
        let report = move_corner_of_5(-3.0, -2.0);
        let overlaps: Vec<_> = report.findings.iter().filter(|f| f.kind == FindingKind::Overlap).collect();
        assert!(overlaps.len() >= 2 && overlaps.iter().all(|f| f.items.contains(&5)), "{:?}", kinds(&report));
        assert_eq!(
            report.count(FindingKind::Gap),
            0,
            "{:?}",
            report.findings.iter().filter(|f| f.kind == FindingKind::Gap).collect::<Vec<_>>()
        );
        // Inwards: a sliver that no grid covers, a few metres wide at most.
        let report = move_corner_of_5(3.0, 2.0);
        let gaps: Vec<_> = report.findings.iter().filter(|f| f.kind == FindingKind::Gap).collect();
        assert_eq!(gaps.len(), 1, "{:?}", kinds(&report));
        assert!(gaps[0].items.contains(&5) && gaps[0].width.unwrap() < 3.7, "{:?}", gaps[0]);
        assert_eq!(report.count(FindingKind::Overlap), 0);
        assert!(!report.ok());
    }

    #[test]
    fn vertices_within_the_precision_match_and_a_vertex_on_a_boundary_segment_is_allowed() {
        let mut items = jittered_grid(3, 3, 100.0, ORIGIN, 4);
        // Shift one grid by 0.2 mm: at 1 mm precision its vertices still match the neighbours'.
        for c in items[4].0[0].exterior().0.clone() {
            move_shared_vertex(&mut items[4..5], c, Coord { x: c.x + 0.0002, y: c.y });
        }
        assert!(check(items.clone(), None).findings.is_empty());
        let exact = Checker::new(items, None, Vec::new(), CoverageOptions { precision: 0.0, ..options() }).report();
        assert!(exact.count(FindingKind::EdgeMismatch) + exact.count(FindingKind::Overlap) > 0);
        // A boundary whose south edge is one long segment while grids have vertices along it.
        let outline = grid_outline(3, 3, 100.0, ORIGIN);
        let items = jittered_grid(3, 3, 100.0, ORIGIN, 4);
        assert!(check(items, Some(outline)).findings.is_empty());
    }

    #[test]
    fn outside_invalid_duplicate_notes_and_villages() {
        let square = |x: f64, y: f64, s: f64| {
            MultiPolygon(vec![polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)]])
        };
        let boundary = square(0.0, 0.0, 200.0);
        let bow_tie =
            MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 100., y: 100.), (x: 100., y: 0.), (x: 0., y: 100.)]]);
        let island = MultiPolygon(vec![
            polygon![(x: 100., y: 0.), (x: 200., y: 0.), (x: 200., y: 100.), (x: 100., y: 100.)],
            polygon![(x: 300., y: 0.), (x: 310., y: 0.), (x: 310., y: 10.), (x: 300., y: 10.)],
        ]);
        let items =
            vec![bow_tie, island, square(0.0, 100.0, 100.0), square(0.0, 100.0, 100.0), square(100.0, 100.0, 100.0)];
        let report = check(items, Some(boundary));
        let found: Vec<_> = kinds(&report);
        assert!(found.contains(&(FindingKind::Invalid, vec![0])), "{found:?}");
        assert!(found.contains(&(FindingKind::Duplicate, vec![2, 3])), "{found:?}");
        assert!(found.contains(&(FindingKind::Outside, vec![1])), "{found:?}");
        assert!(found.contains(&(FindingKind::Note, vec![1])), "{found:?}");
        let outside = report.findings.iter().find(|f| f.kind == FindingKind::Outside).unwrap();
        assert!((outside.area.unwrap() - 100.0).abs() < 1e-6);
        // Villages: a grid across the line between two villages.
        let villages = vec![
            Village { code: "341823100001".into(), polygon: square(0.0, 0.0, 100.0) },
            Village { code: "341823100002".into(), polygon: square(100.0, 0.0, 100.0) },
        ];
        let across =
            MultiPolygon(vec![polygon![(x: 50., y: 0.), (x: 150., y: 0.), (x: 150., y: 50.), (x: 50., y: 50.)]]);
        let nowhere = square(500.0, 500.0, 10.0);
        let checker = Checker::new(vec![across, square(0.0, 60.0, 40.0), nowhere], None, villages, options());
        let found = kinds(&checker.report());
        assert!(found.contains(&(FindingKind::VillageCrossing, vec![0])), "{found:?}");
        assert!(found.contains(&(FindingKind::NoVillage, vec![2])), "{found:?}");
        assert!(!found.iter().any(|(_, items)| items == &vec![1]), "{found:?}");
    }

    /// A lake (an enclosed gap) with an island grid in it: the gap is the lake without the island, both
    /// when every edge matches (the union walked from unmatched segments) and when an invalid grid sends
    /// the union through the boolean overlay: far away (the lake's polygon and the island then pass it
    /// by unchanged) or against the frame (the island alone passes it by, and must still be cut out).
    #[test]
    fn an_island_in_an_enclosed_gap_is_cut_out_of_it() {
        // A 300 × 300 block of nine cells whose middle one is the lake, in four grids around it (the
        // bars carry the vertices their neighbours' corners put on them, so every shared edge matches).
        let frame = vec![
            MultiPolygon(vec![
                polygon![(x: 0., y: 0.), (x: 300., y: 0.), (x: 300., y: 100.), (x: 200., y: 100.), (x: 100., y: 100.), (x: 0., y: 100.)],
            ]),
            MultiPolygon(vec![
                polygon![(x: 0., y: 200.), (x: 100., y: 200.), (x: 200., y: 200.), (x: 300., y: 200.), (x: 300., y: 300.), (x: 0., y: 300.)],
            ]),
            MultiPolygon(vec![polygon![(x: 0., y: 100.), (x: 100., y: 100.), (x: 100., y: 200.), (x: 0., y: 200.)]]),
            MultiPolygon(vec![
                polygon![(x: 200., y: 100.), (x: 300., y: 100.), (x: 300., y: 200.), (x: 200., y: 200.)],
            ]),
        ];
        let island = MultiPolygon(vec![
            polygon![(x: 140., y: 140.), (x: 160., y: 140.), (x: 160., y: 160.), (x: 140., y: 160.)],
        ]);
        let bow_tie = |x: f64| {
            MultiPolygon(vec![polygon![(x: x, y: 0.), (x: x + 100., y: 100.), (x: x + 100., y: 0.), (x: x, y: 100.)]])
        };
        // No invalid grid; one far away (the frame and the island pass the boolean union by); one
        // against the frame's side (the frame goes through it, the island still passes it by).
        for bow_tie_at in [None, Some(1000.), Some(-100.)] {
            let dirty = bow_tie_at.is_some();
            let mut items = frame.clone();
            items.push(island.clone());
            if let Some(x) = bow_tie_at {
                items.push(bow_tie(x));
            }
            let report = check(items, None);
            let found = kinds(&report);
            // Clean: the lake is the only finding; dirty: the bow tie is invalid too.
            let others: Vec<_> = found.iter().filter(|(k, _)| *k != FindingKind::Gap).collect();
            assert_eq!(others.iter().any(|(k, _)| *k == FindingKind::Invalid), dirty, "{found:?}");
            assert!(dirty || others.is_empty(), "{found:?}");
            let gaps: Vec<_> = report.findings.iter().filter(|f| f.kind == FindingKind::Gap).collect();
            assert_eq!(gaps.len(), 1, "dirty {dirty}: {found:?}");
            let area = gaps[0].area.unwrap();
            assert!((area - (100.0 * 100.0 - 20.0 * 20.0)).abs() < 1e-6, "dirty {dirty}: lake area {area}");
            assert!(matches!(gaps[0].detail, Detail::Gap { enclosed: true }), "dirty {dirty}");
        }
    }

    /// Random edits re-checked incrementally must give exactly what a full check gives.
    #[test]
    fn incremental_updates_equal_full_checks() {
        let outline = grid_outline(8, 8, 100.0, ORIGIN);
        let mut items = jittered_grid(8, 8, 100.0, ORIGIN, 5);
        let mut checker = Checker::new(items.clone(), Some(outline.clone()), Vec::new(), options());
        let mut rng = Rng::new(99);
        for step in 0..60 {
            let target = (rng.next_u64() % items.len() as u64) as usize;
            let ring = items[target].0[0].exterior().0.clone();
            let vertex = ring[(rng.next_u64() % (ring.len() as u64 - 1)) as usize];
            let to = Coord { x: vertex.x + (rng.unit() - 0.5) * 30.0, y: vertex.y + (rng.unit() - 0.5) * 30.0 };
            let changed = match step % 3 {
                // Topological edit: every grid using the vertex moves it.
                0 | 1 => move_shared_vertex(&mut items, vertex, to),
                // A careless edit: only one grid moves it.
                _ => move_shared_vertex(&mut items[target..=target], vertex, to).iter().map(|_| target).collect(),
            };
            checker.update(changed.iter().map(|&i| (i, items[i].clone())).collect());
            let full = Checker::new(items.clone(), Some(outline.clone()), Vec::new(), options()).report();
            assert_eq!(checker.report(), full, "step {step}");
        }
        // Adding a grid at the end.
        let extra = MultiPolygon(vec![
            polygon![(x: ORIGIN.x + 820., y: ORIGIN.y), (x: ORIGIN.x + 900., y: ORIGIN.y), (x: ORIGIN.x + 900., y: ORIGIN.y + 80.)],
        ]);
        items.push(extra.clone());
        checker.update(vec![(items.len() - 1, extra)]);
        assert_eq!(checker.report(), Checker::new(items, Some(outline), Vec::new(), options()).report());
    }
}

/// Overlaps come from the grids' geometry, not only from flagged edges (issue 10).
mod overlaps {
    use std::path::PathBuf;

    use geo::{Area, BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon, Translate, polygon};
    use wangge::core::coverage::synthetic::{Rng, jittered_grid};
    use wangge::core::coverage::{Checker, CoverageOptions, FindingKind, Report};
    use wangge::io::check_input::{Subject, read_check_input};
    use wangge::io::crs::crs_from_epsg;

    const ORIGIN: Coord<f64> = Coord { x: 620_000.0, y: 3_385_000.0 };

    fn options() -> CoverageOptions {
        CoverageOptions::for_crs(&crs_from_epsg(4548).unwrap())
    }

    /// Two valid parishes overlapping by a sliver next to an invalid one (real us-atlas data): every
    /// edge of the sliver is matched by the invalid parish, so no edge is flagged; the overlap flood
    /// reaches the pair only through the invalid grid's neighbours. The check must report it.
    #[test]
    fn an_overlap_beside_an_invalid_grid_is_found() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/us-atlas/louisiana-overlap-by-invalid.geojson");
        let layer = wangge::io::geojson_io::read_geojson(&path).unwrap();
        let items: Vec<MultiPolygon<f64>> = layer
            .features
            .into_iter()
            .map(|f| match f.geometry {
                Some(geo::Geometry::MultiPolygon(m)) => m,
                Some(geo::Geometry::Polygon(p)) => MultiPolygon(vec![p]),
                other => panic!("not a polygon: {other:?}"),
            })
            .collect();
        let report = Checker::new(items, None, Vec::new(), CoverageOptions::planar()).report();
        let found: Vec<(FindingKind, Vec<usize>)> = report.findings.iter().map(|f| (f.kind, f.items.clone())).collect();
        assert_eq!(found, [(FindingKind::Invalid, vec![2]), (FindingKind::Overlap, vec![0, 1])]);
    }

    /// tests/fixtures/repro/overlap-missed.geojson is the file of the issue-10 report (shared repro
    /// folder): five real grids of 泾川镇 (EPSG:4548) and the 泾县 outline imported as a sixth grid by
    /// mistake. Grid 341823100004002 (feature 3) lies wholly inside the outline and every edge of it is
    /// matched by its neighbours, so no edge rule flags it against the outline.
    #[test]
    fn a_grid_inside_an_outline_imported_as_a_grid_is_reported() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/repro/overlap-missed.geojson");
        let mut input = read_check_input(&path, None).unwrap();
        let crs = input.crs().unwrap().clone();
        let Subject::Layer { items, .. } = &input.subject else { panic!("a GeoJSON file is a layer") };
        let grid_area = wangge::core::area_m2(&items[3], &crs);
        let report = input.check(CoverageOptions::for_crs(&crs)).0.report();
        let overlaps: Vec<_> = report.findings.iter().filter(|f| f.kind == FindingKind::Overlap).collect();
        let pairs: Vec<&Vec<usize>> = overlaps.iter().map(|f| &f.items).collect();
        assert_eq!(pairs, [&vec![0, 5], &vec![1, 5], &vec![2, 5], &vec![3, 5], &vec![4, 5]], "{pairs:?}");
        let inside = overlaps.iter().find(|f| f.items == [3, 5]).unwrap();
        // The whole grid (1.64 km²) is the overlap.
        assert!((inside.area.unwrap() - grid_area).abs() < 1.0, "{:?} vs {grid_area}", inside.area);
        assert!((grid_area - 1.64e6).abs() < 0.01e6);
    }

    /// A star-shaped random polygon around `centre`: valid, with no vertex shared with anything.
    fn random_star(rng: &mut Rng, centre: Coord<f64>, radius: f64) -> MultiPolygon<f64> {
        let n = 5 + (rng.next_u64() % 8) as usize;
        let mut angles: Vec<f64> = (0..n).map(|_| rng.unit() * std::f64::consts::TAU).collect();
        angles.sort_by(f64::total_cmp);
        angles.dedup_by(|a, b| (*a - *b).abs() < 0.05);
        let mm = |v: f64| (v * 1000.0).round() / 1000.0;
        let mut ring: Vec<Coord<f64>> = angles
            .iter()
            .map(|a| {
                let r = radius * (0.3 + 0.7 * rng.unit());
                Coord { x: mm(centre.x + r * a.cos()), y: mm(centre.y + r * a.sin()) }
            })
            .collect();
        ring.push(ring[0]);
        MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
    }

    /// Shrinks a grid towards its centre: a grid lying inside another, touching nothing.
    fn shrunk(g: &MultiPolygon<f64>, k: f64) -> MultiPolygon<f64> {
        let r = g.bounding_rect().unwrap();
        let c = r.center();
        let mm = |v: f64| (v * 1000.0).round() / 1000.0;
        geo::MapCoords::map_coords(g, |p| Coord { x: mm(c.x + (p.x - c.x) * k), y: mm(c.y + (p.y - c.y) * k) })
    }

    /// A random coverage with random grids laid on top: stars, blocks of grids merged into one (every
    /// edge of the grids inside the block is matched by its neighbours), shrunken grids, copies, and
    /// a whole second coverage of the same area (every inner edge of either layer matched in its own).
    fn scenario(seed: u64) -> Vec<MultiPolygon<f64>> {
        let mut rng = Rng::new(seed);
        let (nx, ny) = (3 + (rng.next_u64() % 4) as usize, 3 + (rng.next_u64() % 4) as usize);
        let mut items = jittered_grid(nx, ny, 100.0, ORIGIN, seed);
        let base = items.len();
        let extras = 1 + rng.next_u64() % 3;
        for _ in 0..extras {
            let pick = |rng: &mut Rng| (rng.next_u64() % base as u64) as usize;
            match rng.next_u64() % 6 {
                0 | 1 => {
                    let c = Coord {
                        x: ORIGIN.x + rng.unit() * nx as f64 * 100.0,
                        y: ORIGIN.y + rng.unit() * ny as f64 * 100.0,
                    };
                    let r = 20.0 + rng.unit() * 150.0;
                    items.push(random_star(&mut rng, c, r));
                }
                2 => {
                    // A block of up to 3 × 3 grids merged: the grids inside it are wholly covered.
                    let (i0, j0) = ((rng.next_u64() % nx as u64) as usize, (rng.next_u64() % ny as u64) as usize);
                    let block: Vec<Polygon<f64>> = (j0..(j0 + 3).min(ny))
                        .flat_map(|j| (i0..(i0 + 3).min(nx)).map(move |i| (i, j)))
                        .flat_map(|(i, j)| items[j * nx + i].0.clone())
                        .collect();
                    items.push(geo::unary_union(&block));
                }
                3 => {
                    let g = shrunk(&items[pick(&mut rng)], 0.2 + 0.6 * rng.unit());
                    items.push(g);
                }
                4 => {
                    let g = items[pick(&mut rng)].clone();
                    items.push(g);
                }
                _ => {
                    let layer = jittered_grid(nx, ny, 100.0, ORIGIN, seed + 10_000);
                    items.extend(layer);
                }
            }
        }
        items
    }

    /// Every pair whose interiors intersect by more than 0.01 m², by brute force.
    fn overlapping_pairs(items: &[MultiPolygon<f64>]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for a in 0..items.len() {
            for b in a + 1..items.len() {
                let (ra, rb) = (items[a].bounding_rect().unwrap(), items[b].bounding_rect().unwrap());
                if ra.max().x < rb.min().x
                    || rb.max().x < ra.min().x
                    || ra.max().y < rb.min().y
                    || rb.max().y < ra.min().y
                {
                    continue;
                }
                if items[a].intersection(&items[b]).unsigned_area() > 0.01 {
                    out.push((a, b));
                }
            }
        }
        out
    }

    fn assert_overlaps_complete_and_true(items: &[MultiPolygon<f64>], report: &Report, what: &str) {
        let expected = overlapping_pairs(items);
        let named = |a: usize, b: usize| {
            report.findings.iter().any(|f| {
                matches!(f.kind, FindingKind::Overlap | FindingKind::Duplicate)
                    && f.items.contains(&a)
                    && f.items.contains(&b)
            })
        };
        let missed: Vec<_> = expected.iter().filter(|&&(a, b)| !named(a, b)).collect();
        assert!(missed.is_empty(), "{what}: overlapping pairs not reported: {missed:?}");
        // And what is reported is true: every grid named in an overlap overlaps another one named there.
        for f in report.findings.iter().filter(|f| f.kind == FindingKind::Overlap) {
            for &i in &f.items {
                let partner = f.items.iter().any(|&j| j != i && expected.contains(&(i.min(j), i.max(j))));
                assert!(partner, "{what}: grid {i} of overlap {:?} overlaps none of the others", f.items);
            }
        }
    }

    #[test]
    fn every_overlapping_pair_is_reported_on_random_coverages_with_grids_on_top() {
        for seed in 0..40 {
            let items = scenario(seed);
            let mut checker = Checker::new(items.clone(), None, Vec::new(), options());
            assert_overlaps_complete_and_true(&items, &checker.report(), &format!("seed {seed}"));
            // Moving one of the grids on top and re-checking incrementally gives the full check's report.
            let mut rng = Rng::new(seed + 500);
            let base = items.len() - 1;
            let mut items = items;
            let moved = items[base].translate((rng.unit() - 0.5) * 120.0, (rng.unit() - 0.5) * 120.0);
            let moved = geo::MapCoords::map_coords(&moved, |c| Coord {
                x: (c.x * 1000.0).round() / 1000.0,
                y: (c.y * 1000.0).round() / 1000.0,
            });
            items[base] = moved.clone();
            checker.update(vec![(base, moved)]);
            let full = Checker::new(items.clone(), None, Vec::new(), options()).report();
            assert_eq!(checker.report(), full, "seed {seed}: updated ≠ rebuilt");
            assert_overlaps_complete_and_true(&items, &full, &format!("seed {seed}, moved"));
        }
    }

    #[test]
    fn an_area_claimed_by_three_grids_is_one_finding_naming_all_three() {
        let square = |x: f64, y: f64, s: f64| {
            MultiPolygon(vec![polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)]])
        };
        let items = vec![
            square(0.0, 0.0, 100.0),
            square(100.0, 0.0, 100.0),
            square(20.0, 20.0, 40.0),
            square(30.0, 30.0, 40.0),
        ];
        let report = Checker::new(items, None, Vec::new(), CoverageOptions::planar()).report();
        let overlaps: Vec<_> = report.findings.iter().filter(|f| f.kind == FindingKind::Overlap).collect();
        assert_eq!(overlaps.len(), 1, "{overlaps:?}");
        assert_eq!(overlaps[0].items, vec![0, 2, 3]);
        // The area claimed twice or more: both small squares' union (they lie inside grid 0).
        let expected = 40.0 * 40.0 * 2.0 - 30.0 * 30.0;
        assert!((overlaps[0].area.unwrap() - expected).abs() < 1e-6, "{:?}", overlaps[0].area);
        // Three copies of one grid are one duplicate finding.
        let items =
            vec![square(0.0, 0.0, 10.0), square(0.0, 0.0, 10.0), square(10.0, 0.0, 10.0), square(0.0, 0.0, 10.0)];
        let report = Checker::new(items, None, Vec::new(), CoverageOptions::planar()).report();
        let kinds: Vec<_> = report.findings.iter().map(|f| (f.kind, f.items.clone())).collect();
        assert_eq!(kinds, vec![(FindingKind::Duplicate, vec![0, 1, 3])]);
    }
}

/// Gap widths against shapely/GEOS (tests/fixtures/gap_widths.json, written by
/// tests/fixtures/make_gap_widths.py: for each gap the checker reports on tokyomet262, the widest disk
/// that fits by GEOS's MaximumInscribedCircle at 1 µm tolerance or by its inward buffer).
#[test]
fn gap_widths_are_those_of_geos_on_a_real_coverage() {
    use wangge::core::coverage::FindingKind;
    let text =
        std::fs::read_to_string(format!("{}/tests/fixtures/gap_widths.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    let theirs: Vec<[f64; 5]> = reference["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let v: Vec<f64> = g.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
            [v[0], v[1], v[2], v[3], v[4]]
        })
        .collect();
    let report = Checker::new(libpysal("tokyomet262"), None, Vec::new(), CoverageOptions::planar()).report();
    let gaps: Vec<_> = report.findings.iter().filter(|f| f.kind == FindingKind::Gap).collect();
    assert_eq!(gaps.len(), theirs.len());
    let mut matched = BTreeSet::new();
    let mut worst = (0.0, String::new());
    for gap in &gaps {
        let Geometry::MultiPolygon(mp) = &gap.geometry else { panic!("{gap:?}") };
        let c = geo::Centroid::centroid(mp).unwrap();
        let area = gap.area.unwrap();
        // The same gap: the nearest centroid, within 1 mm, with the same area to 0.1 % (else the
        // checker's union changed: run the script again).
        let (k, theirs_gap) = theirs
            .iter()
            .enumerate()
            .min_by(|a, b| {
                let d = |g: &[f64; 5]| (g[0] - c.x()).hypot(g[1] - c.y());
                d(a.1).total_cmp(&d(b.1))
            })
            .unwrap();
        assert!(
            (theirs_gap[0] - c.x()).hypot(theirs_gap[1] - c.y()) < 1e-3
                && (theirs_gap[2] - area).abs() <= 1e-3 * area.max(1e-3),
            "gap at {c:?} ({area} m²) is not one of GEOS's: nearest {theirs_gap:?}"
        );
        matched.insert(k);
        // Width to 5 % or 0.1 mm, whichever is larger: widths are read in millimetres at best (the
        // projects' fixed precision is 1 mm), and JTS itself computes a gap's width to 1 %.
        let (ours, want) = (gap.width.unwrap(), theirs_gap[3]);
        let tolerance = (0.05 * want).max(1e-4);
        let off = (ours - want).abs();
        assert!(off <= tolerance, "gap at {c:?}: width {ours} m, GEOS {want} m");
        if off / want > worst.0 {
            worst = (off / want, format!("{c:?}: {ours} vs {want}"));
        }
    }
    assert_eq!(matched.len(), theirs.len(), "gaps matched twice");
    eprintln!("{} gaps, worst relative difference {worst:?}", gaps.len());
}

/// The app (live coverage), `wangge check` and `wangge fix` build their checker the same way
/// (`Checker::for_project`): a project checked at its own precision gives the same findings
/// everywhere. Here a vertex 4 mm inside its neighbour is an overlap at the CRS's 1 mm, but not in a
/// project kept at 1 cm — which `wangge check` used to ignore.
#[test]
fn app_and_command_line_check_a_project_at_its_own_precision() {
    use crate::common::{path_str, stdout, wangge};
    use geo::polygon;
    use wangge::core::{Grid, Project};
    let crs = wangge::io::crs::crs_from_epsg(4548).unwrap();
    let mut p = Project::new("精度", crs);
    let (x, y) = (620_000.0, 3_385_000.0);
    p.add_grid(Grid::new(MultiPolygon(vec![polygon![
        (x: x, y: y), (x: x + 100.0, y: y), (x: x + 100.0, y: y + 100.0), (x: x, y: y + 100.0)
    ]])));
    p.add_grid(Grid::new(MultiPolygon(vec![polygon![
        (x: x + 99.996, y: y), (x: x + 200.0, y: y), (x: x + 200.0, y: y + 100.0), (x: x + 100.0, y: y + 100.0)
    ]])));
    let dir = tempfile::tempdir().unwrap();
    for (precision, clean) in [(0.01, true), (0.001, false)] {
        p.precision = precision;
        let path = dir.path().join(format!("p{precision}.gpkg"));
        wangge::io::save_project(&p, &path).unwrap();
        let (checker, _) = Checker::for_project(&p, CoverageOptions::for_project(&p));
        assert_eq!(checker.report().ok(), clean, "the app's check at {precision}");
        let json: Value = serde_json::from_str(&stdout(&wangge(&["check", path_str(&path), "--json"]))).unwrap();
        assert_eq!(json["ok"], clean, "wangge check at {precision}: {json}");
        assert_eq!(json["issues"].as_array().unwrap().len(), checker.report().findings.len());
        let fix = wangge(&["fix", path_str(&path), "--lang", "en"]);
        assert_eq!(fix.status.success(), clean, "wangge fix at {precision}: {}", stdout(&fix));
    }
}

/// `--gap-width` is metres on the ground, converted through the CRS where the data lies: in lon/lat at
/// 30.7°N a degree of longitude is 95.7 km, not the 111.3 km a flat conversion assumed (which missed
/// an east–west gap of 0.9 m when asked for gaps under 1 m).
#[test]
fn gap_width_is_metres_on_the_ground_in_lon_lat() {
    use crate::common::{path_str, stdout, wangge};
    let lat: f64 = 30.7;
    let metres_per_degree_lon = 111_320.0 * lat.to_radians().cos();
    let dir = tempfile::tempdir().unwrap();
    for (gap_m, flagged) in [(0.9, true), (1.2, false)] {
        let gap = gap_m / metres_per_degree_lon;
        let (x0, x1) = (118.4, 118.401);
        let square = |a: f64, b: f64| {
            format!("[[[{a},{lat}],[{b},{lat}],[{b},{}],[{a},{}],[{a},{lat}]]]", lat + 0.001, lat + 0.001)
        };
        let features = [square(x0, x1), square(x1 + gap, x1 + gap + 0.001)]
            .iter()
            .map(|c| {
                format!(r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Polygon","coordinates":{c}}}}}"#)
            })
            .collect::<Vec<_>>()
            .join(",");
        let path = dir.path().join(format!("gap{gap_m}.geojson"));
        std::fs::write(&path, format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#)).unwrap();
        let out = wangge(&["check", path_str(&path), "--json", "--gap-width", "1"]);
        let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(json["ok"], !flagged, "a {gap_m} m gap with --gap-width 1: {json}");
        let without = wangge(&["check", path_str(&path), "--json"]);
        assert_eq!(serde_json::from_str::<Value>(&stdout(&without)).unwrap()["ok"], true, "no gap-width test");
    }
}

/// Memory of `wangge check` on the synthetic 100,000-grid file, stage by stage (resident and peak from
/// /proc/self/status; by hand: make the file with `python3 bench/synthetic_big.py
/// target/bench-data/synthetic-100k.geojson 316 317`, then `cargo test --test integration
/// checker_memory_stages -- --ignored --nocapture`, or run the test binary under heaptrack). The system
/// allocator here, not the release binary's mimalloc: see BENCHMARKS.md for `/usr/bin/time -v`.
#[test]
#[ignore]
fn checker_memory_stages() {
    let path = std::env::var("WANGGE_CHECK_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/synthetic-100k.geojson"));
    let status = |stage: &str| {
        let text = std::fs::read_to_string("/proc/self/status").unwrap();
        let field = |k: &str| {
            text.lines().find(|l| l.starts_with(k)).unwrap_or("").split_whitespace().nth(1).unwrap_or("?").to_owned()
        };
        eprintln!("{stage:<24} rss {:>8} kB   peak {:>8} kB", field("VmRSS:"), field("VmHWM:"));
    };
    status("start");
    let mut input = wangge::io::check_input::read_check_input(&path, None).unwrap();
    status("read");
    let options = input.default_options().unwrap();
    let (checker, _) = input.check(options);
    status("checked");
    let report = checker.report();
    status("report");
    eprintln!("{} grids, {} findings, phases {:?}", report.items, report.findings.len(), checker.phase_timings());
}
