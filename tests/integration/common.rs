//! Shared test helpers: a realistic small project and a way to run the `wangge` binary.

use std::path::Path;
use std::process::{Command, Output};

use geo::{MultiPolygon, Point, polygon};
use wangge::core::{AreaClass, Division, DivisionCode, Grid, GridAttrs, GridKind, HouseholdPoint, Project};
use wangge::io::crs::crs_from_epsg;

/// A township-sized project in CGCS2000 GK CM 117E: a boundary with two grids (one with a hole and an
/// island), one township and two villages (one with a polygon), three household points.
pub fn small_project() -> Project {
    let mut p = Project::new("泾川镇", crs_from_epsg(4548).unwrap());
    let (x0, y0) = (620_000.0, 3_385_000.0);
    p.boundary = MultiPolygon(vec![polygon![
        (x: x0, y: y0), (x: x0 + 2000., y: y0), (x: x0 + 2000., y: y0 + 1000.), (x: x0, y: y0 + 1000.)
    ]]);
    let town = DivisionCode::parse("341823100").unwrap();
    p.divisions.insert(
        town.to_string(),
        Division {
            code: town,
            name: "泾川镇".into(),
            parent_code: Some("341823".into()),
            class: AreaClass::Rural,
            polygon: None,
        },
    );
    for (code, name, poly) in [
        (
            "341823100001",
            "城南居委会",
            Some(MultiPolygon(vec![
                polygon![(x: x0, y: y0), (x: x0 + 1000., y: y0), (x: x0 + 1000., y: y0 + 1000.), (x: x0, y: y0 + 1000.)],
            ])),
        ),
        ("341823100201", "双坑村委会", None),
    ] {
        let code = DivisionCode::parse(code).unwrap();
        let class = code.default_class();
        p.divisions.insert(
            code.to_string(),
            Division { code, name: name.into(), parent_code: Some("341823100".into()), class, polygon: poly },
        );
    }
    let mut west = Grid::new(MultiPolygon(vec![polygon![
        exterior: [(x: x0, y: y0), (x: x0 + 1000., y: y0), (x: x0 + 1000., y: y0 + 1000.), (x: x0, y: y0 + 1000.)],
        interiors: [[(x: x0 + 400., y: y0 + 400.), (x: x0 + 600., y: y0 + 400.), (x: x0 + 600., y: y0 + 600.), (x: x0 + 400., y: y0 + 600.)]],
    ]]));
    west.code = "341823100001001".into();
    west.name = "城南第一网格".into();
    west.class = AreaClass::Urban;
    west.village_code = "341823100001".into();
    west.attrs = GridAttrs {
        households: Some(420),
        population: Some(1310),
        party_members: Some(36),
        grid_head: "王建国".into(),
        grid_staff: "李娜, 张伟".into(),
        phone: "13905631234".into(),
        notes: "含幸福小区、老街".into(),
        valid_from: "2024-01-01".into(),
        valid_to: String::new(),
    };
    p.add_grid(west);
    let mut east = Grid::new(MultiPolygon(vec![
        polygon![(x: x0 + 1000., y: y0), (x: x0 + 2000., y: y0), (x: x0 + 2000., y: y0 + 1000.), (x: x0 + 1000., y: y0 + 1000.)],
        polygon![(x: x0 + 400., y: y0 + 400.), (x: x0 + 600., y: y0 + 400.), (x: x0 + 600., y: y0 + 600.), (x: x0 + 400., y: y0 + 600.)],
    ]));
    east.code = "341823100201001".into();
    east.name = "双坑网格".into();
    east.kind = GridKind::Dedicated;
    east.village_code = "341823100201".into();
    p.add_grid(east);
    for (dx, n) in [(100.0, 3), (1500.0, 1), (1999.0, 2)] {
        p.households.push(HouseholdPoint {
            position: Point::new(x0 + dx, y0 + 500.0),
            households: n,
            population: Some(n * 3),
        });
    }
    p.settings.insert("code_rule".into(), "{village12}{seq:3}".into());
    p
}

/// A GeoJSON file of one square, `size` a side with its south-west corner at `(x, y)`, in EPSG:`epsg`
/// (named in the legacy `crs` member), with `properties` (a JSON object).
pub fn square_geojson(path: &Path, epsg: u32, (x, y): (f64, f64), size: f64, properties: &str) {
    let (x2, y2) = (x + size, y + size);
    std::fs::write(
        path,
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::{epsg}"}}}},"features":[{{"type":"Feature","properties":{properties},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x2},{y}],[{x2},{y2}],[{x},{y2}],[{x},{y}]]]}}}}]}}"#
        ),
    )
    .unwrap();
}

pub fn wangge(args: &[&str]) -> Output {
    wangge_env(args, &[])
}

pub fn wangge_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wangge"));
    cmd.args(args).env("WANGGE_CONFIG_DIR", std::env::temp_dir().join("wangge-test-config"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run wangge")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A tool from Debian (ogrinfo, ogr2ogr): present in CI, which installs it; skipped elsewhere.
pub fn debian_tool(name: &str) -> bool {
    let found = Command::new(name).arg("--version").output().is_ok();
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{name} is missing in CI: .ci/run must install it");
        eprintln!("skipping: {name} is not installed (apt-get install gdal-bin)");
    }
    found
}

/// A program (a Debian tool: GDAL's, poppler's) run to success with `args`; its output.
pub fn run_ok(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("run {program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}
