//! GDAL must read what we write: every project layer with its CRS, attributes and Chinese text, and our
//! Shapefiles in UTF-8 and GBK. Also: we read GBK Shapefiles written by GDAL.

use std::process::Command;

use wangge::io::export::{Layer, export};
use wangge::io::import::{ImportOptions, Target, import_layer, read_source};
use wangge::io::save_project;

use crate::common::{debian_tool, path_str, small_project};

fn ogrinfo(args: &[&str]) -> String {
    let out = Command::new("ogrinfo").args(args).output().unwrap();
    assert!(out.status.success(), "ogrinfo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn ogrinfo_reads_every_layer_of_a_project() {
    if !debian_tool("ogrinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    save_project(&small_project(), &path).unwrap();
    let p = path_str(&path);
    let listing = ogrinfo(&["-ro", p]);
    for layer in
        ["boundary (Multi Polygon)", "divisions (Multi Polygon)", "grids (Multi Polygon)", "households (Point)"]
    {
        assert!(listing.contains(layer), "{listing}");
    }
    let grids = ogrinfo(&["-ro", "-al", "-so", p, "grids"]);
    assert!(grids.contains("Feature Count: 2"), "{grids}");
    assert!(grids.contains("CGCS2000 / 3-degree Gauss-Kruger CM 117E"), "{grids}");
    assert!(grids.contains("Extent: (620000.000000, 3385000.000000) - (622000.000000, 3386000.000000)"), "{grids}");
    let features = ogrinfo(&["-ro", p, "grids", "-where", "fid = 1"]);
    for expected in [
        "name (String) = 城南第一网格",
        "grid_head (String) = 王建国",
        "households (Integer64) = 420",
        "notes (String) = 含幸福小区、老街",
        "area_m2 (Real) = 960000",
    ] {
        assert!(features.contains(expected), "missing {expected:?} in {features}");
    }
    let households = ogrinfo(&["-ro", "-so", p, "households"]);
    assert!(households.contains("Feature Count: 3"), "{households}");
    let divisions = ogrinfo(&["-ro", p, "-sql", "SELECT name FROM divisions WHERE code = '341823100201'"]);
    assert!(divisions.contains("双坑村委会"), "{divisions}");
    // GDAL sees the R-tree as a working spatial index.
    let index = ogrinfo(&["-ro", p, "-sql", "SELECT HasSpatialIndex('grids', 'geom')"]);
    assert!(index.contains("= 1"), "{index}");
}

#[test]
fn gdal_reads_our_shapefiles_in_utf8_and_gbk() {
    if !debian_tool("ogrinfo") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (encoding, name) in [(encoding_rs::UTF_8, "utf8.shp"), (encoding_rs::GBK, "gbk.shp")] {
        let shp = dir.path().join(name);
        export(&small_project(), Layer::Grids, &shp, encoding).unwrap();
        let info = ogrinfo(&["-ro", "-al", path_str(&shp)]);
        assert!(info.contains("name (String) = 城南第一网格"), "{name}: {info}");
        assert!(info.contains("grid_staff (String) = 李娜, 张伟"), "{name}: {info}");
        assert!(info.contains("CM 117E"), "{name}: {info}");
        assert!(info.contains("Feature Count: 2"), "{name}: {info}");
    }
}

#[test]
fn we_read_gbk_shapefiles_written_by_gdal() {
    if !debian_tool("ogr2ogr") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.geojson");
    std::fs::write(&src, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"网格名称":"桃花潭一网格","户数":388},
        "geometry":{"type":"Polygon","coordinates":[[[118.2,30.5],[118.21,30.5],[118.21,30.51],[118.2,30.51],[118.2,30.5]]]}}]}"#).unwrap();
    let shp = dir.path().join("gdal_gbk.shp");
    let out = Command::new("ogr2ogr")
        .args(["-lco", "ENCODING=GBK", "-t_srs", "EPSG:4490", path_str(&shp), path_str(&src)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for with_cpg in [true, false] {
        if !with_cpg {
            let _ = std::fs::remove_file(shp.with_extension("cpg"));
        }
        let source = read_source(&shp, None).unwrap();
        let mut project = wangge::core::Project::new("t", wangge::io::crs::crs_from_epsg(4548).unwrap());
        import_layer(&mut project, &source, Target::Grids, &ImportOptions::default(), &mut |_, _| {}).unwrap();
        let g = project.grids.values().next().unwrap();
        assert_eq!((g.name.as_str(), g.attrs.households), ("桃花潭一网格", Some(388)), "with .cpg: {with_cpg}");
    }
}
