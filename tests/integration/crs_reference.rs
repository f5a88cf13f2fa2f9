//! CRS transforms against PROJ's own numbers (tests/fixtures/crs_reference.csv, made by pyproj with the
//! command in make_reference.py) and GCJ-02/BD-09 against independent Python implementations.

use geo::Coord;
use wangge::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use wangge::io::{bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_gcj02};

fn rows(name: &str) -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    text.lines().skip(1).map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect()
}

#[test]
fn projections_agree_with_proj_to_a_millimetre() {
    let mut worst = (0.0f64, 0u32);
    let mut checked = std::collections::BTreeSet::new();
    for r in rows("crs_reference.csv") {
        let epsg = r[0] as u32;
        let target = crs_from_epsg(epsg).unwrap();
        let source = crs_from_epsg(if (4491..=4554).contains(&epsg) { 4490 } else { 4326 }).unwrap();
        let forward = Transformer::new(&SourceCrs::Epsg(source.clone()), &target).unwrap();
        let inverse = Transformer::new(&SourceCrs::Epsg(target.clone()), &source).unwrap();
        let lonlat = Coord { x: r[1], y: r[2] };
        let got = forward.apply(lonlat).unwrap();
        let err = if target.is_geographic() {
            ((got.x - r[3]).abs() + (got.y - r[4]).abs()) * 111_000.0
        } else {
            ((got.x - r[3]).powi(2) + (got.y - r[4]).powi(2)).sqrt()
        };
        assert!(err < 1e-3, "EPSG:{epsg} at {lonlat:?}: {got:?} vs PROJ ({}, {}), {err} m", r[3], r[4]);
        let back = inverse.apply(Coord { x: r[3], y: r[4] }).unwrap();
        let back_err_m =
            ((back.x - r[1]).abs() * 111_000.0 * r[2].to_radians().cos()).max((back.y - r[2]).abs() * 111_000.0);
        assert!(back_err_m < 1e-3, "inverse EPSG:{epsg}: {back:?} vs {lonlat:?}");
        if err > worst.0 {
            worst = (err, epsg);
        }
        checked.insert(epsg);
    }
    // Every required code was checked: 4326, 4490, 3857, 4491–4554, 32601–32660.
    assert_eq!(checked.len(), 3 + 64 + 60, "worst error {worst:?}");
}

#[test]
fn gcj02_and_bd09_match_an_independent_implementation() {
    for r in rows("gcj_reference.csv") {
        let wgs = Coord { x: r[0], y: r[1] };
        let gcj = wgs84_to_gcj02(wgs);
        assert!((gcj.x - r[2]).abs() < 1e-9 && (gcj.y - r[3]).abs() < 1e-9, "{wgs:?}: {gcj:?} vs {r:?}");
        let back = gcj02_to_wgs84(Coord { x: r[2], y: r[3] });
        assert!((back.x - r[0]).abs() < 1e-7 && (back.y - r[1]).abs() < 1e-7, "inverse {back:?} vs {wgs:?}");
        let from_bd = bd09_to_wgs84(Coord { x: r[4], y: r[5] });
        assert!((from_bd.x - r[0]).abs() < 1e-7 && (from_bd.y - r[1]).abs() < 1e-7, "bd09 {from_bd:?} vs {wgs:?}");
    }
}

#[test]
fn gcj02_input_lands_on_the_wgs84_position_in_the_project_crs() {
    let gk = crs_from_epsg(4548).unwrap();
    let wgs = Coord { x: 118.4195, y: 30.6885 };
    let from_wgs = Transformer::new(&SourceCrs::Epsg(crs_from_epsg(4326).unwrap()), &gk).unwrap().apply(wgs).unwrap();
    let from_gcj = Transformer::new(&SourceCrs::Gcj02, &gk).unwrap().apply(wgs84_to_gcj02(wgs)).unwrap();
    let d = ((from_wgs.x - from_gcj.x).powi(2) + (from_wgs.y - from_gcj.y).powi(2)).sqrt();
    assert!(d < 0.02, "{d} m apart");
}
