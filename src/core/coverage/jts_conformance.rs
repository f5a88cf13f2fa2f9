//! The published test cases of JTS CoverageValidator, CoveragePolygonValidator and CoverageGapFinder
//! (locationtech/jts, modules/core/src/test/java/org/locationtech/jts/coverage/), as a table. Invalid
//! edges are compared as sets of undirected segments, which is what JTS's normalised equality amounts to.

use std::collections::BTreeSet;

use geo::{Geometry, MultiPolygon};
use wkt::TryFromWkt;

use super::{Checker, CoverageOptions, FindingKind, invalid_edges};

fn multipolygon(wkt: &str) -> MultiPolygon<f64> {
    match Geometry::<f64>::try_from_wkt_str(wkt).unwrap_or_else(|e| panic!("{wkt}: {e}")) {
        Geometry::Polygon(p) => MultiPolygon(vec![p]),
        Geometry::MultiPolygon(mp) => mp,
        other => panic!("not polygonal: {other:?}"),
    }
}

type Segment = ((i64, i64), (i64, i64));

/// Undirected segments of expected linework, in units of 1e-6 to compare exactly.
fn segments_of_wkt(wkt: Option<&str>) -> BTreeSet<Segment> {
    let Some(wkt) = wkt else { return BTreeSet::new() };
    let geometry = Geometry::<f64>::try_from_wkt_str(wkt).unwrap_or_else(|e| panic!("{wkt}: {e}"));
    let lines: Vec<geo::LineString<f64>> = match geometry {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(m) => m.0,
        other => panic!("not linear: {other:?}"),
    };
    lines.iter().flat_map(|l| l.lines().map(|s| key(s.start, s.end))).collect()
}

fn key(a: geo::Coord<f64>, b: geo::Coord<f64>) -> Segment {
    let q = |c: geo::Coord<f64>| ((c.x * 1e6).round() as i64, (c.y * 1e6).round() as i64);
    let (a, b) = (q(a), q(b));
    if a <= b { (a, b) } else { (b, a) }
}

fn check(items: &[&str], gap_width: f64) -> Vec<BTreeSet<Segment>> {
    let items: Vec<MultiPolygon<f64>> = items.iter().map(|w| multipolygon(w)).collect();
    let options = CoverageOptions { gap_width_m: gap_width, ..CoverageOptions::planar() };
    let checker = Checker::new(items, None, Vec::new(), options);
    invalid_edges(&checker).iter().map(|lines| lines.iter().map(|l| key(l.start, l.end)).collect()).collect()
}

/// CoverageValidatorTest: (name, coverage, gap width, expected invalid edges per polygon).
/// (name, coverage, gap width, expected invalid edges per polygon)
type CoverageCase = (&'static str, &'static [&'static str], f64, &'static [Option<&'static str>]);

const COVERAGE_VALIDATOR: &[CoverageCase] = &[
    (
        "testCollinearUnmatchedEdge",
        &[
            "POLYGON ((100 200, 200 200, 200 100, 100 100, 100 200))",
            "POLYGON ((100 300, 180 300, 180 200, 100 200, 100 300))",
        ],
        0.0,
        &[Some("LINESTRING (100 200, 200 200)"), Some("LINESTRING (100 200, 180 200, 180 300)")],
    ),
    (
        "testOverlappingSquares",
        &["POLYGON ((1 9, 6 9, 6 4, 1 4, 1 9))", "POLYGON ((9 1, 4 1, 4 6, 9 6, 9 1))"],
        0.0,
        &[Some("LINESTRING (6 9, 6 4, 1 4)"), Some("LINESTRING (4 1, 4 6, 9 6)")],
    ),
    (
        "testFullyCoveredTriangles",
        &["POLYGON ((1 9, 9 1, 1 1, 1 9))", "POLYGON ((9 9, 1 9, 9 1, 9 9))", "POLYGON ((9 9, 9 1, 1 1, 1 9, 9 9))"],
        0.0,
        &[
            Some("LINESTRING (9 1, 1 1, 1 9)"),
            Some("LINESTRING (9 1, 9 9, 1 9)"),
            Some("LINESTRING (9 9, 9 1, 1 1, 1 9, 9 9)"),
        ],
    ),
    (
        "testGap",
        &[
            "POLYGON ((1 5, 9 5, 9 1, 1 1, 1 5))",
            "POLYGON ((1 9, 5 9, 5 5.1, 1 5, 1 9))",
            "POLYGON ((5 9, 9 9, 9 5, 5.5 5.1, 5 9))",
        ],
        0.5,
        &[Some("LINESTRING (1 5, 9 5)"), Some("LINESTRING (1 5, 5 5.1, 5 9)"), Some("LINESTRING (5 9, 5.5 5.1, 9 5)")],
    ),
    (
        "testGapDisjoint",
        &[
            "POLYGON ((1 5, 9 5, 9 1, 1 1, 1 5))",
            "POLYGON ((1 9, 5 9, 5 5.1, 1 5.1, 1 9))",
            "POLYGON ((5 9, 9 9, 9 5.1, 5 5.1, 5 9))",
        ],
        0.5,
        &[Some("LINESTRING (1 5, 9 5)"), Some("LINESTRING (5 5.1, 1 5.1)"), Some("LINESTRING (9 5.1, 5 5.1)")],
    ),
    (
        "testGore",
        &[
            "POLYGON ((1 5, 5 5, 9 5, 9 1, 1 1, 1 5))",
            "POLYGON ((1 9, 5 9, 5 5, 1 5.1, 1 9))",
            "POLYGON ((5 9, 9 9, 9 5, 5 5, 5 9))",
        ],
        0.5,
        &[Some("LINESTRING (1 5, 5 5)"), Some("LINESTRING (1 5.1, 5 5)"), None],
    ),
    (
        "testGrid",
        &[
            "POLYGON ((1 9, 5 9, 5 5, 1 5, 1 9))",
            "POLYGON ((9 9, 9 5, 5 5, 5 9, 9 9))",
            "POLYGON ((1 1, 1 5, 5 5, 5 1, 1 1))",
            "POLYGON ((9 1, 5 1, 5 5, 9 5, 9 1))",
        ],
        0.0,
        &[None, None, None, None],
    ),
    (
        "testMultiPolygon",
        &[
            "MULTIPOLYGON (((1 9, 5 9, 5 5, 1 5, 1 9)), ((9 1, 5 1, 5 5, 9 5, 9 1)))",
            "MULTIPOLYGON (((1 1, 1 5, 5 5, 5 1, 1 1)), ((9 9, 9 5, 5 5, 5 9, 9 9)))",
        ],
        0.0,
        &[None, None],
    ),
    (
        "testValidDuplicatePoints",
        &[
            "POLYGON ((1 9, 5 9, 5 5, 1 5, 1 5, 1 5, 1 9))",
            "POLYGON ((9 9, 9 5, 5 5, 5 9, 9 9))",
            "POLYGON ((1 1, 1 5, 5 5, 5 1, 1 1))",
            "POLYGON ((9 1, 5 1, 5 5, 9 5, 9 1))",
        ],
        0.0,
        &[None, None, None, None],
    ),
    (
        "testRingCollapse",
        &[
            "POLYGON ((1 9, 5 9, 1 9))",
            "POLYGON ((9 9, 9 5, 5 5, 5 9, 9 9))",
            "POLYGON ((1 1, 1 5, 5 5, 5 1, 1 1))",
            "POLYGON ((9 1, 5 1, 5 5, 9 5, 9 1))",
        ],
        0.0,
        &[None, None, None, None],
    ),
    (
        "testPolygonEmpty",
        &[
            "POLYGON ((1 9, 5 9, 5 5, 1 5, 1 9))",
            "POLYGON ((9 9, 9 5, 5 5, 5 9, 9 9))",
            "POLYGON ((1 1, 1 5, 5 5, 5 1, 1 1))",
            "POLYGON EMPTY",
        ],
        0.0,
        &[None, None, None, None],
    ),
    ("testMultiPolygonWithEmptyRing", &["MULTIPOLYGON (((9 9, 9 1, 1 1, 2 4, 7 7, 9 9)), EMPTY)"], 0.0, &[None]),
];

/// CoveragePolygonValidatorTest: (name, target, adjacent, gap width, expected invalid edges of target).
const POLYGON_VALIDATOR: &[(&str, &str, &str, f64, Option<&str>)] = &[
    (
        "testCollinearUnmatchedEdge",
        "POLYGON ((100 200, 200 200, 200 100, 100 100, 100 200))",
        "POLYGON ((100 300, 180 300, 180 200, 100 200, 100 300))",
        0.0,
        Some("LINESTRING (100 200, 200 200)"),
    ),
    (
        "testDuplicate",
        "POLYGON ((1 3, 3 3, 3 1, 1 1, 1 3))",
        "MULTIPOLYGON (((1 3, 3 3, 3 1, 1 1, 1 3)), ((5 3, 5 1, 3 1, 3 3, 5 3)))",
        0.0,
        Some("LINESTRING (1 3, 1 1, 3 1, 3 3, 1 3)"),
    ),
    (
        "testDuplicateReversed",
        "POLYGON ((1 3, 3 3, 3 1, 1 1, 1 3))",
        "MULTIPOLYGON (((1 3, 1 1, 3 1, 3 3, 1 3)), ((5 3, 5 1, 3 1, 3 3, 5 3)))",
        0.0,
        Some("LINESTRING (1 3, 1 1, 3 1, 3 3, 1 3)"),
    ),
    (
        "testCrossingSegment",
        "POLYGON ((1 9, 9 9, 9 3, 1 3, 1 9))",
        "POLYGON ((1 1, 5 6, 9 1, 1 1))",
        0.0,
        Some("LINESTRING (1 3, 9 3)"),
    ),
    (
        "testCrossingAndInteriorSegments",
        "POLYGON ((1 1, 3 4, 7 4, 9 1, 1 1))",
        "POLYGON ((1 9, 9 9, 9 3, 1 3, 1 9))",
        0.0,
        Some("LINESTRING (1 1, 3 4, 7 4, 9 1)"),
    ),
    (
        "testTargetVertexTouchesSegment",
        "POLYGON ((1 9, 9 9, 9 5, 1 5, 1 9))",
        "POLYGON ((1 1, 5 5, 9 1, 1 1))",
        0.0,
        Some("LINESTRING (9 5, 1 5)"),
    ),
    (
        "testAdjVertexTouchesSegment",
        "POLYGON ((1 1, 5 5, 9 1, 1 1))",
        "POLYGON ((1 9, 9 9, 9 5, 1 5, 1 9))",
        0.0,
        Some("LINESTRING (1 1, 5 5, 9 1)"),
    ),
    (
        "testInteriorSegmentTouchingEdge",
        "POLYGON ((4 3, 4 7, 8 9, 8 1, 4 3))",
        "POLYGON ((1 7, 6 7, 6 3, 1 3, 1 7))",
        0.0,
        Some("LINESTRING (8 1, 4 3, 4 7, 8 9)"),
    ),
    (
        "testInteriorSegmentTouchingNodes",
        "POLYGON ((4 2, 4 8, 8 9, 8 1, 4 2))",
        "POLYGON ((1 5, 4 8, 7 5, 4 2, 1 5))",
        0.0,
        Some("LINESTRING (4 2, 4 8)"),
    ),
    (
        "testInteriorSegmentsTouching",
        "POLYGON ((1 9, 5 9, 8 7, 5 7, 3 5, 8 2, 1 2, 1 9))",
        "POLYGON ((5 9, 9 9, 9 1, 5 1, 5 9))",
        0.0,
        Some("LINESTRING (5 9, 8 7, 5 7, 3 5, 8 2, 1 2)"),
    ),
    (
        "testTargetMultiPolygon",
        "MULTIPOLYGON (((4 8, 9 9, 9 7, 4 8)), ((3 5, 9 6, 9 4, 3 5)), ((2 2, 9 3, 9 1, 2 2)))",
        "POLYGON ((1 1, 1 9, 5 9, 6 7, 5 5, 6 3, 5 1, 1 1))",
        0.0,
        Some("MULTILINESTRING ((9 7, 4 8, 9 9), (9 4, 3 5, 9 6), (9 1, 2 2, 9 3))"),
    ),
    (
        "testBothMultiPolygon",
        "MULTIPOLYGON (((4 8, 9 9, 9 7, 4 8)), ((3 5, 9 6, 9 4, 3 5)), ((2 2, 9 3, 9 1, 2 2)))",
        "MULTIPOLYGON (((1 6, 1 9, 5 9, 6 7, 5 5, 1 6)), ((1 4, 5 5, 6 3, 5 1, 1 1, 1 4)))",
        0.0,
        Some("MULTILINESTRING ((9 7, 4 8, 9 9), (9 4, 3 5, 9 6), (9 1, 2 2, 9 3))"),
    ),
    (
        "testInteriorSegmentsWithMatch",
        "POLYGON ((7 6, 1 1, 3 6, 7 6))",
        "MULTIPOLYGON (((1 9, 9 9, 9 1, 1 1, 3 6, 1 9)), ((0 1, 0 9, 1 9, 3 6, 1 1, 0 1)))",
        0.0,
        Some("LINESTRING (7 6, 1 1, 3 6, 7 6)"),
    ),
    (
        "testAdjacentHoleOverlap",
        "POLYGON ((3 3, 3 7, 6 8, 7 3, 3 3))",
        "POLYGON ((1 9, 9 9, 9 1, 1 1, 1 9), (3 7, 7 7, 7 3, 3 3, 3 7))",
        0.0,
        Some("LINESTRING (3 7, 6 8, 7 3)"),
    ),
    (
        "testTargetHoleOverlap",
        "POLYGON ((1 1, 1 9, 9 9, 9 1, 1 1), (2 2, 8 2, 8 8, 5 4, 3 5, 2 5, 2 2))",
        "POLYGON ((2 2, 2 5, 3 5, 8 6.7, 8 2, 2 2))",
        0.0,
        Some("LINESTRING (8 2, 8 8, 5 4, 3 5)"),
    ),
    (
        "testFullyContained",
        "POLYGON ((3 7, 7 7, 7 3, 3 3, 3 7))",
        "POLYGON ((1 9, 9 9, 9 1, 1 1, 1 9))",
        0.0,
        Some("LINESTRING (3 7, 7 7, 7 3, 3 3, 3 7)"),
    ),
    (
        "testFullyCoveredAndMatched",
        "POLYGON ((1 3, 2 3, 2 2, 1 2, 1 3))",
        "MULTIPOLYGON (((1 1, 1 2, 2 2, 2 1, 1 1)), ((3 1, 2 1, 2 2, 3 2, 3 1)), ((3 3, 3 2, 2 2, 2 3, 3 3)), ((2 3, 3 3, 3 2, 3 1, 2 1, 1 1, 1 2, 1 3, 2 3)))",
        0.0,
        Some("LINESTRING (1 2, 1 3, 2 3)"),
    ),
    (
        "testTargetCoveredAndMatching",
        "POLYGON ((1 7, 5 7, 9 7, 9 3, 5 3, 1 3, 1 7))",
        "MULTIPOLYGON (((5 9, 9 7, 5 7, 1 7, 5 9)), ((1 7, 5 7, 5 3, 1 3, 1 7)), ((9 3, 5 3, 5 7, 9 7, 9 3)), ((1 3, 5 3, 9 3, 5 1, 1 3)))",
        0.0,
        Some("LINESTRING (1 7, 5 7, 9 7, 9 3, 5 3, 1 3, 1 7)"),
    ),
    (
        "testCoveredBy2AndMatching",
        "POLYGON ((1 9, 9 9, 9 5, 1 5, 1 9))",
        "MULTIPOLYGON (((1 5, 9 5, 9 1, 1 1, 1 5)), ((1 9, 5 9, 5 1, 1 1, 1 9)), ((9 9, 9 1, 5 1, 5 9, 9 9)))",
        0.0,
        Some("LINESTRING (1 5, 1 9, 9 9, 9 5)"),
    ),
    (
        "testGap",
        "POLYGON ((1 5, 9 5, 9 1, 1 1, 1 5))",
        "POLYGON ((1 9, 5 9, 5 5.1, 1 5, 1 9))",
        0.5,
        Some("LINESTRING (1 5, 9 5)"),
    ),
    (
        "testMatchedEdges",
        "POLYGON ((3 7, 7 7, 7 3, 3 3, 3 7))",
        "MULTIPOLYGON (((1 7, 3 7, 3 3, 1 3, 1 7)), ((3 9, 7 9, 7 7, 3 7, 3 9)), ((9 7, 9 3, 7 3, 7 7, 9 7)), ((3 1, 3 3, 7 3, 7 1, 3 1)))",
        0.0,
        None,
    ),
    ("testRingsCCW", "POLYGON ((1 1, 6 5, 4 9, 1 9, 1 1))", "POLYGON ((1 1, 9 1, 9 4, 6 5, 1 1))", 0.0, None),
    (
        "testRepeatedCommonVertexInTarget",
        "POLYGON ((1 1, 1 3, 5 3, 5 3, 9 1, 1 1))",
        "POLYGON ((1 9, 9 9, 9 5, 5 3, 1 3, 1 9))",
        0.0,
        None,
    ),
    (
        "testRepeatedCommonVertexInAdjacent",
        "POLYGON ((1 1, 1 3, 5 3, 9 1, 1 1))",
        "POLYGON ((1 9, 9 9, 9 5, 5 3, 5 3, 1 3, 1 9))",
        0.0,
        None,
    ),
];

#[test]
fn coverage_validator_cases_agree_with_jts() {
    for (name, coverage, gap_width, expected) in COVERAGE_VALIDATOR {
        let actual = check(coverage, *gap_width);
        for (i, want) in expected.iter().enumerate() {
            assert_eq!(actual[i], segments_of_wkt(*want), "{name}: polygon {i}");
        }
    }
}

#[test]
fn coverage_polygon_validator_cases_agree_with_jts() {
    for (name, target, adjacent, gap_width, expected) in POLYGON_VALIDATOR {
        // Each adjacent polygon is a separate item, as JTS's test extracts them.
        let adj = multipolygon(adjacent);
        let adj_wkt: Vec<String> = adj.0.iter().map(wkt::ToWkt::wkt_string).collect();
        let mut items: Vec<&str> = vec![target];
        items.extend(adj_wkt.iter().map(String::as_str));
        let actual = check(&items, *gap_width);
        assert_eq!(actual[0], segments_of_wkt(*expected), "{name}");
    }
}

#[test]
fn coverage_gap_finder_case_agrees_with_jts() {
    // testThreePolygonGap: the gap (3 5, 7 5, 5 6) is found, and its width is ≤ 1 as JTS requires.
    let items = [
        "POLYGON ((1 5, 1 9, 5 9, 5 6, 3 5, 1 5))",
        "POLYGON ((5 9, 9 9, 9 5, 7 5, 5 6, 5 9))",
        "POLYGON ((1 1, 1 5, 3 5, 7 5, 9 5, 9 1, 1 1))",
    ];
    let checker =
        Checker::new(items.iter().map(|w| multipolygon(w)).collect(), None, Vec::new(), CoverageOptions::planar());
    let report = checker.report();
    let gaps: Vec<_> = report.findings.iter().filter(|f| f.kind == FindingKind::Gap).collect();
    assert_eq!(gaps.len(), 1, "{report:?}");
    assert!((gaps[0].area.unwrap() - 2.0).abs() < 1e-9, "{:?}", gaps[0].area);
    assert!(gaps[0].width.unwrap() <= 1.0);
    assert_eq!(gaps[0].items, vec![0, 1, 2]);
    let expected = multipolygon("POLYGON ((3 5, 7 5, 5 6, 3 5))");
    let Geometry::MultiPolygon(found) = &gaps[0].geometry else { panic!() };
    assert!((geo::Area::unsigned_area(found) - geo::Area::unsigned_area(&expected)).abs() < 1e-12);
    assert!(geo::BooleanOps::xor(found, &expected).0.iter().all(|p| geo::Area::unsigned_area(p) < 1e-12));
}

#[test]
fn a_multipolygon_with_an_empty_part_is_a_clean_grid() {
    // testMultiPolygonWithEmptyRing: JTS calls the coverage valid; the empty part carries no area, so
    // Wangge reports nothing about it either (not "invalid", not "several parts").
    let item = multipolygon("MULTIPOLYGON (((9 9, 9 1, 1 1, 2 4, 7 7, 9 9)), EMPTY)");
    assert_eq!(item.0.len(), 2);
    let report = Checker::new(vec![item], None, Vec::new(), CoverageOptions::planar()).report();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}
