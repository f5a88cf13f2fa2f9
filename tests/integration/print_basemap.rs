//! Printing with a basemap (issue 14 item 4): a project whose basemap is the loopback tile server (tiles
//! whose colour says their z/x/y) printed by `wangge print --basemap` to PDF, rendered by poppler's
//! pdftoppm: the right tile's colour at the right page position (within two pixels), under the vector
//! boundary line and the translucent grid fills; the attribution in the text (pdftotext); an MBTiles
//! basemap printed offline; a dead or silent server that leaves the print finished in bounded time with the
//! missing tiles named; OpenStreetMap's no-bulk-download rule; our own PNG output with the same basemap.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use geo::{BoundingRect, Coord};
use wangge::core::Project;
use wangge::core::basemap::{BasemapSource, TileId, lonlat_to_mercator, tile_at};
use wangge::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use wangge::print::{MapFrame, PrintOptions, overview};

use super::common::{debian_tool, path_str, run_ok, stderr, stdout, wangge_env};
use super::tile_server::{TileServer, tile_png};

/// A township of four 600 m grids (2 × 2) in CGCS2000 GK CM 117E, near 泾县.
fn township() -> Project {
    super::print::township(2)
}

/// A temporary project folder with the township saved and `source` as its basemap; a config folder of its
/// own (an empty tile cache, no 天地图 key).
struct Fixture {
    dir: tempfile::TempDir,
    project: std::path::PathBuf,
}

impl Fixture {
    fn new(source: &BasemapSource) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("泾县.gpkg");
        wangge::io::save_project(&township(), &project).unwrap();
        wangge::io::gpkg::add_basemap(&project, source, false).unwrap();
        Fixture { dir, project }
    }

    fn print(&self, out: &Path, extra: &[&str]) -> std::process::Output {
        let config = self.dir.path().join("config");
        let mut args = vec!["print", path_str(&self.project), "--out", path_str(out), "--lang", "en"];
        args.extend_from_slice(extra);
        wangge_env(&args, &[("WANGGE_CONFIG_DIR", path_str(&config))])
    }
}

/// The overview's map frame as `wangge print` lays it out (A4 portrait, defaults).
fn overview_map() -> MapFrame {
    let options = PrintOptions { basemap: Some("x".into()), ..PrintOptions::default() };
    overview(&township(), &options).1.map
}

/// The colour a loopback tile has at a page point, printed at zoom `z`: (z, x / 256, x % 256) in its top
/// half, (z, y / 256, y % 256) in its bottom half.
fn tile_colour(map: &MapFrame, to_wgs84: &Transformer, page: (f64, f64), z: u8) -> [u8; 3] {
    let lonlat = to_wgs84.apply(map.to_world(page)).unwrap();
    let t = tile_at(lonlat, z).unwrap();
    let m = lonlat_to_mercator(lonlat);
    let across = 2f64.powi(i32::from(z));
    let half = wangge::core::basemap::HALF_WORLD_M;
    let v = (half - m.y) / (2.0 * half) * across - f64::from(t.y);
    if v < 0.5 { [t.z, (t.x >> 8) as u8, (t.x & 255) as u8] } else { [t.z, (t.y >> 8) as u8, (t.y & 255) as u8] }
}

/// An RGB image read from a PNG file.
struct Picture {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

impl Picture {
    fn read(path: &Path) -> Picture {
        let mut decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = info.color_type.samples();
        let rgb = buf[..info.buffer_size()].chunks(channels).flat_map(|p| [p[0], p[1], p[2]]).collect();
        Picture { width: info.width, height: info.height, rgb }
    }

    /// The pixel under a page point (points) at `dpi`.
    fn at(&self, (x, y): (f64, f64), dpi: f64) -> [u8; 3] {
        let (px, py) = ((x * dpi / 72.0).floor() as u32, (y * dpi / 72.0).floor() as u32);
        assert!(px < self.width && py < self.height, "({x}, {y}) is off the page");
        let i = (py as usize * self.width as usize + px as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

fn close(a: [u8; 3], b: [u8; 3], tolerance: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tolerance)
}

/// The zoom the print used, read off the page: the first channel of a basemap pixel.
fn zoom_of(picture: &Picture, page: (f64, f64), dpi: f64) -> u8 {
    let z = picture.at(page, dpi)[0];
    assert!((10..=18).contains(&z), "not a basemap pixel: {:?}", picture.at(page, dpi));
    z
}

/// Checks the basemap on a rendered page: on a dense lattice of points between the frame's top and the
/// boundary (where only the basemap is drawn), each pixel has its tile's colour unless a tile or half-tile
/// edge runs within two pixels of it — so a basemap off by more than two pixels fails. Returns the zoom
/// and how many points were checked.
fn check_basemap_placement(picture: &Picture, dpi: f64) -> (u8, usize) {
    let map = overview_map();
    let to_wgs84 =
        Transformer::new(&SourceCrs::Epsg(crs_from_epsg(4548).unwrap()), &crs_from_epsg(4326).unwrap()).unwrap();
    let boundary = township().boundary.bounding_rect().unwrap();
    let (_, boundary_top) = map.to_page(Coord { x: boundary.min().x, y: boundary.max().y });
    let f = map.frame;
    let first = (f.left + 12.0, f.top + 12.0);
    let z = zoom_of(picture, first, dpi);
    let px = 72.0 / dpi;
    let (mut checked, mut y) = (0, f.top + 8.0);
    while y < boundary_top - 8.0 {
        let mut x = f.left + 8.0;
        while x < f.left + f.width * 0.6 {
            // The pixel's centre, and two pixels either way.
            let centre = (((x / px).floor() + 0.5) * px, ((y / px).floor() + 0.5) * px);
            let expected = tile_colour(&map, &to_wgs84, centre, z);
            let near_edge = [(-2.0, 0.0), (2.0, 0.0), (0.0, -2.0), (0.0, 2.0), (-2.0, -2.0), (2.0, 2.0)]
                .iter()
                .any(|(dx, dy)| tile_colour(&map, &to_wgs84, (centre.0 + dx * px, centre.1 + dy * px), z) != expected);
            if !near_edge {
                let got = picture.at(centre, dpi);
                assert!(close(got, expected, 2), "at page ({x:.1}, {y:.1}) pt: {got:?}, expected {expected:?}");
                checked += 1;
            }
            x += 3.0 * px;
        }
        y += 3.0 * px;
    }
    (z, checked)
}

/// The boundary's top edge (a 2 pt line) and the middle of a grid (a translucent fill over the basemap),
/// on the page: the vectors lie over the basemap.
fn check_vectors_on_top(picture: &Picture, dpi: f64, z: u8) {
    let map = overview_map();
    let to_wgs84 =
        Transformer::new(&SourceCrs::Epsg(crs_from_epsg(4548).unwrap()), &crs_from_epsg(4326).unwrap()).unwrap();
    let b = township().boundary.bounding_rect().unwrap();
    let on_line = map.to_page(Coord { x: b.min().x + 300.0, y: b.max().y });
    let line = picture.at(on_line, dpi);
    assert!(close(line, [150, 30, 30], 12), "the boundary line is not on top of the basemap: {line:?}");
    // The south-west grid's middle, away from its label (which sits at the centre): a quarter in.
    let inside = map.to_page(Coord { x: b.min().x + 150.0, y: b.min().y + 150.0 });
    let under = tile_colour(&map, &to_wgs84, inside, z);
    let got = picture.at(inside, dpi);
    assert!(!close(got, under, 6), "no grid fill over the basemap: {got:?}");
    // A palette colour at 90/255 over the tile's: each channel between the two.
    let alpha = f64::from(wangge::print::FILL_ALPHA_OVER_BASEMAP) / 255.0;
    let blended = |fill: wangge::print::Rgba| {
        let c = [fill.0, fill.1, fill.2];
        std::array::from_fn::<u8, 3, _>(|k| {
            (f64::from(under[k]) * (1.0 - alpha) + f64::from(c[k]) * alpha).round() as u8
        })
    };
    assert!(
        wangge::print::palette().iter().any(|fill| close(got, blended(*fill), 4)),
        "{got:?} is not a translucent grid fill over the basemap colour {under:?}"
    );
}

fn pdftoppm(pdf: &Path, dpi: f64) -> Picture {
    let prefix = pdf.with_extension("");
    let status = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-png", "-singlefile", path_str(pdf), path_str(&prefix)])
        .status()
        .unwrap();
    assert!(status.success());
    Picture::read(&prefix.with_extension("png"))
}

fn pdftotext(pdf: &Path) -> String {
    run_ok("pdftotext", &[path_str(pdf), "-"])
}

fn xyz_source(server_url: &str) -> BasemapSource {
    let mut s = BasemapSource::xyz("测试瓦片", &format!("{server_url}/xyz/{{z}}/{{x}}/{{y}}.png")).unwrap();
    s.attribution = "测试瓦片服务".into();
    s
}

#[test]
fn print_basemap_pdf_has_the_right_tiles_in_place_under_the_vectors() {
    if !debian_tool("pdftoppm") {
        return;
    }
    let server = TileServer::start();
    let fixture = Fixture::new(&xyz_source(&server.url("")));
    let pdf = fixture.dir.path().join("map.pdf");
    let out = fixture.print(&pdf, &["--basemap"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert!(!server.requests().is_empty());
    let picture = pdftoppm(&pdf, 150.0);
    let (z, checked) = check_basemap_placement(&picture, 150.0);
    assert!(checked > 2_000, "only {checked} points checked");
    // 150 dpi over a 1 : 10 000-ish map: tiles of about 2 m a pixel.
    assert!((15..=17).contains(&z), "zoom {z}");
    check_vectors_on_top(&picture, 150.0, z);
    let text = pdftotext(&pdf);
    assert!(text.contains("测试瓦片服务"), "no attribution in:\n{text}");

    // Our own PNG output puts the same basemap in the same place; nothing is fetched twice (the cache).
    let asked = server.requests().len();
    let png = fixture.dir.path().join("map.png");
    let out = fixture.print(&png, &["--basemap", "测试瓦片", "--dpi", "150"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.requests().len(), asked, "the second print should come from the tile cache");
    let picture = Picture::read(&png);
    let (z_png, _) = check_basemap_placement(&picture, 150.0);
    assert_eq!(z_png, z);
    check_vectors_on_top(&picture, 150.0, z);
    server.shut_down();
}

#[test]
fn print_basemap_from_mbtiles_offline_and_no_such_basemap() {
    if !debian_tool("pdftoppm") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dom.mbtiles");
    // Every zoom-15 tile around the township (a few km each way).
    let to_wgs84 =
        Transformer::new(&SourceCrs::Epsg(crs_from_epsg(4548).unwrap()), &crs_from_epsg(4326).unwrap()).unwrap();
    let sw = tile_at(to_wgs84.apply(Coord { x: 617_000.0, y: 3_382_000.0 }).unwrap(), 15).unwrap();
    let ne = tile_at(to_wgs84.apply(Coord { x: 624_500.0, y: 3_389_500.0 }).unwrap(), 15).unwrap();
    let tiles = (sw.x..=ne.x).flat_map(|x| (ne.y..=sw.y).map(move |y| TileId { z: 15, x, y }));
    let metadata = [("format", "png"), ("minzoom", "15"), ("maxzoom", "15"), ("attribution", "泾县自然资源局")];
    super::tile_files::write_mbtiles(&file, &metadata, tiles.map(|t| (t, tile_png(t))));
    let mut source = BasemapSource::mbtiles("正射影像", "dom.mbtiles");
    (source.min_zoom, source.max_zoom, source.attribution) = (15, 15, "泾县自然资源局".into());
    let fixture = Fixture::new(&source);
    std::fs::copy(&file, fixture.dir.path().join("dom.mbtiles")).unwrap();
    let pdf = fixture.dir.path().join("offline.pdf");
    let out = fixture.print(&pdf, &["--basemap", "正射影像", "--offline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let picture = pdftoppm(&pdf, 150.0);
    let (z, checked) = check_basemap_placement(&picture, 150.0);
    assert_eq!(z, 15);
    assert!(checked > 2_000, "only {checked} points checked");
    assert!(pdftotext(&pdf).contains("泾县自然资源局"));

    let out = fixture.print(&pdf, &["--basemap", "卫星"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no such basemap") && stderr(&out).contains("正射影像"), "{}", stderr(&out));
}

#[test]
fn print_basemap_a_dead_or_silent_server_finishes_in_time_and_names_the_missing_tiles() {
    // Nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let fixture = Fixture::new(&xyz_source(&format!("http://127.0.0.1:{port}")));
    let pdf = fixture.dir.path().join("dead.pdf");
    let started = Instant::now();
    let out = fixture.print(&pdf, &["--basemap", "--basemap-timeout", "20"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    let said = stderr(&out);
    assert!(said.contains("tiles could not be had") && said.contains("cannot reach"), "{said}");
    assert!(std::fs::metadata(&pdf).unwrap().len() > 1000);

    // A server that accepts and never answers: the deadline ends the wait.
    let server = TileServer::start();
    let mut silent = xyz_source(&server.url(""));
    silent.kind =
        wangge::core::basemap::SourceKind::Xyz { template: server.url("/hang/{z}/{x}/{y}.png"), subdomains: vec![] };
    let fixture = Fixture::new(&silent);
    let pdf = fixture.dir.path().join("silent.pdf");
    let started = Instant::now();
    let out = fixture.print(&pdf, &["--basemap", "--basemap-timeout", "2"]);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(took < Duration::from_secs(15), "took {took:?}");
    let said = stderr(&out);
    assert!(said.contains("deadline passed"), "{said}");
    // The missing tiles are named z/x/y: one of them is the tile at the township's middle.
    let to_wgs84 =
        Transformer::new(&SourceCrs::Epsg(crs_from_epsg(4548).unwrap()), &crs_from_epsg(4326).unwrap()).unwrap();
    let middle = to_wgs84.apply(Coord { x: 620_600.0, y: 3_385_600.0 }).unwrap();
    let named = (14..=17).any(|z| {
        let t = tile_at(middle, z).unwrap();
        said.contains(&format!("{}/{}/{}", t.z, t.x, t.y))
    });
    assert!(named || said.contains('…'), "{said}");
    assert!(std::fs::metadata(&pdf).unwrap().len() > 1000);
    server.shut_down();
}

#[test]
fn print_basemap_openstreetmap_refuses_a_bulk_download() {
    let server = TileServer::start();
    // An OpenStreetMap source (told by its host name; here in the query so that the loopback serves it).
    let mut osm = BasemapSource::openstreetmap();
    osm.kind = wangge::core::basemap::SourceKind::Xyz {
        template: server.url("/xyz/{z}/{x}/{y}.png?tile.openstreetmap.org"),
        subdomains: vec![],
    };
    assert!(osm.forbids_prefetch());
    let fixture = Fixture::new(&osm);
    let pdf = fixture.dir.path().join("osm.pdf");
    let out = fixture.print(&pdf, &["--basemap", "--paper", "A2", "--landscape", "--atlas", "--overview"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("bulk"), "{}", stderr(&out));
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    assert!(!pdf.exists());
    // A small print is within the policy.
    let out = fixture.print(&pdf, &["--basemap", "--dpi", "72"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let asked = server.requests().len();
    assert!((1..=64).contains(&asked), "{asked} tiles asked for");
    assert!(pdftotext_or_skip(&pdf).is_none_or(|t| t.contains("OpenStreetMap")));
    server.shut_down();
}

fn pdftotext_or_skip(pdf: &Path) -> Option<String> {
    debian_tool("pdftotext").then(|| pdftotext(pdf))
}
