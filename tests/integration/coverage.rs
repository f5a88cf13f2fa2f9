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
