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
