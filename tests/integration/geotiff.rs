//! GeoTIFF orthophotos as offline basemaps (issue 14 item 2): images written here with the `tiff`
//! encoder — one in a CGCS2000 Gauss-Krüger zone with its zone number (EPSG:4527, 泾县), one in CGCS2000
//! lon/lat (EPSG:4490) — and by GDAL (tiled, JPEG, overviews) where it is installed (always under CI),
//! each with a red block at known coordinates: the served Web-Mercator tile has the block where an
//! independent computation (proj4rs + the slippy-map formulas) puts it, within a pixel. Also the world
//! file and .prj beside an image, the refusals (naming the file and what is not supported), the CLI,
//! the fetcher with no network, and the app drawing one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use geo::Coord;
use tiff::encoder::{TiffEncoder, colortype};
use tiff::tags::Tag;
use wangge::core::basemap::{TileId, lonlat_to_mercator};
use wangge::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use wangge::io::tiles::geotiff::{GeoTiffProblem, Unsupported};
use wangge::io::tiles::{FetcherConfig, GeoTiff, TileError, TileFetcher, TileOrigin};

use super::common::{path_str, run_ok, small_project, stderr, stdout, wangge};

// ---------------------------------------------------------------------------------------------------
// Fixtures

const RED: [u8; 3] = [230, 20, 30];
const GREY: [u8; 3] = [100, 110, 120];

/// An image: `width × height` pixels of `pixel` CRS units from the north-west corner `origin`, grey with
/// a red block over columns `block.0..block.1` and rows `block.2..block.3`.
#[derive(Clone, Copy)]
struct Picture {
    epsg: u16,
    origin: (f64, f64),
    pixel: f64,
    width: u32,
    height: u32,
    block: (u32, u32, u32, u32),
}

impl Picture {
    /// 400 × 300 one-metre pixels in 3° zone 39 (CM 117°E) with the zone number (EPSG:4527), over the
    /// small project (which is in EPSG:4548, the same zone without the number).
    fn gk() -> Picture {
        Picture {
            epsg: 4527,
            origin: (39_620_000.0, 3_386_000.0),
            pixel: 1.0,
            width: 400,
            height: 300,
            block: (200, 240, 100, 140),
        }
    }

    /// 400 × 300 pixels of 0.00001° (about a metre) in CGCS2000 lon/lat near 泾县.
    fn lonlat() -> Picture {
        Picture {
            epsg: 4490,
            origin: (118.40, 30.70),
            pixel: 0.00001,
            width: 400,
            height: 300,
            block: (150, 190, 60, 100),
        }
    }

    fn rgb(&self) -> Vec<u8> {
        let (c0, c1, r0, r1) = self.block;
        let mut out = Vec::with_capacity((self.width * self.height * 3) as usize);
        for row in 0..self.height {
            for col in 0..self.width {
                let red = (c0..c1).contains(&col) && (r0..r1).contains(&row);
                out.extend_from_slice(if red { &RED } else { &GREY });
            }
        }
        out
    }

    /// The CRS coordinates of a pixel position (corner-based).
    fn world(&self, col: f64, row: f64) -> Coord<f64> {
        Coord { x: self.origin.0 + col * self.pixel, y: self.origin.1 - row * self.pixel }
    }

    fn geo_keys(&self) -> Vec<u16> {
        if self.epsg == 4490 {
            vec![1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4490]
        } else {
            vec![1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, self.epsg]
        }
    }

    /// Written with the `tiff` encoder, in strips; with the GeoTIFF tags when `tags`.
    fn write(&self, path: &Path, tags: bool) {
        let file = std::fs::File::create(path).unwrap();
        let mut enc = TiffEncoder::new(std::io::BufWriter::new(file)).unwrap();
        let mut image = enc.new_image::<colortype::RGB8>(self.width, self.height).unwrap();
        if tags {
            let dir = image.encoder();
            dir.write_tag(Tag::ModelPixelScaleTag, &[self.pixel, self.pixel, 0.0][..]).unwrap();
            dir.write_tag(Tag::ModelTiepointTag, &[0.0, 0.0, 0.0, self.origin.0, self.origin.1, 0.0][..]).unwrap();
            dir.write_tag(Tag::GeoKeyDirectoryTag, &self.geo_keys()[..]).unwrap();
        }
        image.write_data(&self.rgb()).unwrap();
    }

    /// Where image position (col, row) lands at zoom z: the tile and the pixel in it, by proj4rs and the
    /// slippy-map formulas (not by the code under test).
    fn tile_pixel(&self, col: f64, row: f64, z: u8) -> (TileId, Coord<f64>) {
        let crs = crs_from_epsg(u32::from(self.epsg)).unwrap();
        let to_wgs84 = Transformer::new(&SourceCrs::Epsg(crs), &crs_from_epsg(4326).unwrap()).unwrap();
        let lonlat = to_wgs84.apply(self.world(col, row)).unwrap();
        let m = lonlat_to_mercator(lonlat);
        let half = std::f64::consts::PI * 6_378_137.0;
        let across = f64::from(1u32 << z);
        let (fx, fy) = ((m.x + half) / (2.0 * half) * across, (half - m.y) / (2.0 * half) * across);
        let tile = TileId { z, x: fx.floor() as u32, y: fy.floor() as u32 };
        (tile, Coord { x: (fx - fx.floor()) * 256.0, y: (fy - fy.floor()) * 256.0 })
    }
}

fn is_red(p: [u8; 4]) -> bool {
    p[0] > 180 && p[1] < 90 && p[2] < 90 && p[3] == 255
}

/// At zoom z, the rendered tile of the block's centre is red there, and along the tile row through the
/// centre the colour crosses half-way from grey to red within a pixel of where the block's west and east
/// edges are (bilinear sampling puts the half-way point on the edge); the tiles of each edge are
/// rendered for it, so a block across a tile boundary is measured too.
fn assert_block_in_place(image: &mut GeoTiff, pic: &Picture, z: u8) {
    let (c0, c1, r0, r1) = pic.block;
    let (mid_col, mid_row) = (f64::from(c0 + c1) / 2.0, f64::from(r0 + r1) / 2.0);
    let (tile, centre) = pic.tile_pixel(mid_col, mid_row, z);
    let rendered = image.render(tile).unwrap().unwrap_or_else(|| panic!("no tile {tile:?}"));
    let (cx, cy) = (centre.x as u32, centre.y as u32);
    assert!(is_red(rendered.pixel(cx, cy).unwrap()), "z {z}: {:?} at the centre", rendered.pixel(cx, cy));
    let half = (f64::from(RED[0]) + f64::from(GREY[0])) / 2.0;
    for (edge_col, name) in [(f64::from(c0), "west"), (f64::from(c1), "east")] {
        let (edge_tile, edge) = pic.tile_pixel(edge_col, mid_row, z);
        let rendered = image.render(edge_tile).unwrap().unwrap();
        let y = edge.y as u32;
        let red: Vec<f64> = (0..256).map(|x| f64::from(rendered.pixel(x, y).unwrap()[0])).collect();
        // The crossing nearest the expected edge, between pixel centres.
        let crossing = (0..255)
            .filter(|&x| (red[x] - half) * (red[x + 1] - half) <= 0.0 && red[x] != red[x + 1])
            .map(|x| x as f64 + 0.5 + (half - red[x]) / (red[x + 1] - red[x]))
            .min_by(|a, b| (a - edge.x).abs().total_cmp(&(b - edge.x).abs()))
            .unwrap_or_else(|| panic!("z {z}: no {name} edge in row {y} of {edge_tile:?}"));
        // Within half a pixel (measured: under 0.2), so that a half-pixel slip (PixelIsPoint, a world
        // file read as corners) fails at zoom 18.
        assert!((crossing - edge.x).abs() <= 0.5, "z {z}: the {name} edge is at {crossing}, expected {}", edge.x);
        // Grey (not transparent) a few pixels outside the block, inside the image.
        let step = if name == "west" { -4.0 } else { 4.0 };
        let outside_x = (edge.x + step).clamp(0.0, 255.0) as u32;
        let outside = rendered.pixel(outside_x, y).unwrap();
        assert!(outside[3] == 255 && outside[0].abs_diff(GREY[0]) < 10, "z {z}: {outside:?} outside the {name} edge");
    }
}

fn gdal() -> bool {
    let found = Command::new("gdal_translate").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(found || std::env::var_os("CI").is_none(), "gdal_translate is missing in CI: .ci/run installs gdal-bin");
    found
}

// ---------------------------------------------------------------------------------------------------
// Tests

#[test]
fn geotiff_gauss_kruger_block_lands_on_the_expected_tile_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dom_4527.tif");
    let pic = Picture::gk();
    pic.write(&path, true);
    let mut image = GeoTiff::open(&path).unwrap();
    assert_eq!(image.info.crs.epsg, 4527);
    assert_eq!((image.info.width, image.info.height, image.info.levels.len()), (400, 300, 1));
    assert!((image.info.pixel_size_m - 1.0).abs() < 0.01, "{}", image.info.pixel_size_m);
    for z in [16, 17, 18] {
        assert_block_in_place(&mut image, &pic, z);
    }
    assert!(image.info.max_zoom >= 17 && image.info.min_zoom < 16, "{:?}", image.info);
    // Outside the image: transparent where the tile reaches past it, nothing at all far away.
    let (tile, _) = pic.tile_pixel(0.0, 0.0, 18);
    let corner = image.render(tile).unwrap().unwrap();
    assert_eq!(corner.pixel(0, 0).unwrap()[3], 0, "north-west of the image must be transparent");
    let (far, _) = pic.tile_pixel(-5000.0, 0.0, 18);
    assert_eq!(image.render(far).unwrap(), None);
}

#[test]
fn geotiff_lonlat_block_lands_on_the_expected_tile_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dom_4490.tif");
    let pic = Picture::lonlat();
    pic.write(&path, true);
    let mut image = GeoTiff::open(&path).unwrap();
    assert_eq!(image.info.crs.epsg, 4490);
    let b = image.info.bounds_lonlat;
    assert!((b.min().x - 118.40).abs() < 1e-9 && (b.max().y - 30.70).abs() < 1e-9, "{b:?}");
    for z in [16, 17, 18] {
        assert_block_in_place(&mut image, &pic, z);
    }
}

#[test]
fn geotiff_world_file_and_prj_beside_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("无标签.tif");
    let pic = Picture::gk();
    pic.write(&path, false);
    let err = GeoTiff::open(&path).unwrap_err();
    assert_eq!(err.problem, GeoTiffProblem::NoGeoreference);
    assert!(err.to_string().contains("无标签.tif") && err.to_string().contains(".tfw"), "{err}");
    // A world file gives pixel centres: the north-west pixel's centre is half a pixel in.
    let tfw = format!("1.0\n0.0\n0.0\n-1.0\n{}\n{}\n", pic.origin.0 + 0.5, pic.origin.1 - 0.5);
    std::fs::write(dir.path().join("无标签.tfw"), tfw).unwrap();
    let err = GeoTiff::open(&path).unwrap_err();
    assert_eq!(err.problem, GeoTiffProblem::NoCrs);
    std::fs::write(dir.path().join("无标签.prj"), wangge::io::crs::wkt_of(4527).unwrap()).unwrap();
    let mut image = GeoTiff::open(&path).unwrap();
    assert_eq!(image.info.crs.epsg, 4527);
    assert_block_in_place(&mut image, &pic, 18);
}

#[test]
fn geotiff_refusals_name_the_file_and_what_is_not_supported() {
    let dir = tempfile::tempdir().unwrap();
    // 16-bit grey, georeferenced.
    let deep = dir.path().join("dem16.tif");
    {
        let mut enc = TiffEncoder::new(std::fs::File::create(&deep).unwrap()).unwrap();
        let mut image = enc.new_image::<colortype::Gray16>(8, 8).unwrap();
        let pic = Picture::gk();
        image.encoder().write_tag(Tag::ModelPixelScaleTag, &[1.0, 1.0, 0.0][..]).unwrap();
        image.encoder().write_tag(Tag::ModelTiepointTag, &[0.0, 0.0, 0.0, 39_620_000.0, 3_386_000.0, 0.0][..]).unwrap();
        image.encoder().write_tag(Tag::GeoKeyDirectoryTag, &pic.geo_keys()[..]).unwrap();
        image.write_data(&[1000u16; 64]).unwrap();
    }
    let err = GeoTiff::open(&deep).unwrap_err();
    assert_eq!(err.problem, GeoTiffProblem::Unsupported(Unsupported::BitDepth(16)));
    assert!(err.to_string().contains("dem16.tif") && err.to_string().contains("16-bit"), "{err}");
    // A CRS Wangge does not know.
    let odd = dir.path().join("odd.tif");
    let mut pic = Picture::gk();
    pic.epsg = 9999;
    pic.write(&odd, true);
    assert_eq!(GeoTiff::open(&odd).unwrap_err().problem, GeoTiffProblem::UnknownCrs(9999));
    // Not a TIFF; no such file.
    let text = dir.path().join("note.tif");
    std::fs::write(&text, "this is not an image").unwrap();
    assert!(matches!(GeoTiff::open(&text).unwrap_err().problem, GeoTiffProblem::NotTiff(_)));
    assert!(matches!(GeoTiff::open(&dir.path().join("none.tif")).unwrap_err().problem, GeoTiffProblem::Read(_)));

    // The CLI: exit 2, the file and the reason, in English and in Chinese; nothing added.
    let project = dir.path().join("p.gpkg");
    wangge::io::save_project(&small_project(), &project).unwrap();
    let p = path_str(&project);
    let out = wangge(&["basemap", p, "add", "DEM", "--geotiff", path_str(&deep), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("dem16.tif") && stderr(&out).contains("16-bit"), "{}", stderr(&out));
    let out = wangge(&["basemap", p, "add", "DEM", "--geotiff", path_str(&odd), "--lang", "zh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("odd.tif") && stderr(&out).contains("EPSG:9999 不是"), "{}", stderr(&out));
    assert!(wangge::io::gpkg::list_basemaps(&project).unwrap().is_empty());

    if gdal() {
        // Palette colour, as GDAL writes it from a paletted PNG.
        let png_path = dir.path().join("pal.png");
        {
            let mut enc = png::Encoder::new(std::fs::File::create(&png_path).unwrap(), 4, 4);
            enc.set_color(png::ColorType::Indexed);
            enc.set_palette(vec![255, 0, 0, 0, 255, 0]);
            enc.write_header().unwrap().write_image_data(&[0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0]).unwrap();
        }
        let pal = dir.path().join("pal.tif");
        run_ok(
            "gdal_translate",
            &["-q", "-a_srs", "EPSG:4527", "-a_ullr", "39620000", "3386000", "39620004", "3385996"]
                .iter()
                .copied()
                .chain([path_str(&png_path), path_str(&pal)])
                .collect::<Vec<_>>(),
        );
        let err = GeoTiff::open(&pal).unwrap_err();
        assert_eq!(err.problem, GeoTiffProblem::Unsupported(Unsupported::Palette), "{err}");
    }
}

#[test]
fn geotiff_made_by_gdal_tiled_jpeg_with_overviews() {
    if !gdal() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.tif");
    let pic = Picture { width: 2000, height: 1600, block: (1000, 1200, 600, 800), ..Picture::gk() };
    pic.write(&plain, true);
    for (name, options) in [
        ("tiled_jpeg.tif", &["-co", "TILED=YES", "-co", "COMPRESS=JPEG", "-co", "PHOTOMETRIC=YCBCR"][..]),
        (
            "tiled_deflate.tif",
            &["-co", "TILED=YES", "-co", "COMPRESS=DEFLATE", "-co", "BLOCKXSIZE=128", "-co", "BLOCKYSIZE=128"][..],
        ),
        ("strips_lzw.tif", &["-co", "COMPRESS=LZW"][..]),
    ] {
        let tif = dir.path().join(name);
        let mut args = vec!["-q"];
        args.extend_from_slice(options);
        args.extend([path_str(&plain), path_str(&tif)]);
        run_ok("gdal_translate", &args);
        run_ok("gdaladdo", &["-q", "-r", "average", path_str(&tif), "2", "4", "8"]);
        let mut image = GeoTiff::open(&tif).unwrap();
        assert_eq!(image.info.crs.epsg, 4527, "{name}");
        assert_eq!(image.info.levels, vec![(2000, 1600), (1000, 800), (500, 400), (250, 200)], "{name}");
        assert_eq!(image.info.tiled, name.starts_with("tiled"), "{name}");
        for z in [18, 17, 16, 15] {
            assert_block_in_place(&mut image, &pic, z);
        }
        // Zoomed out, the overviews are read, not the full image: a whole-image tile reads few chunks.
        let mut fresh = GeoTiff::open(&tif).unwrap();
        let (tile, _) = pic.tile_pixel(1000.0, 800.0, 13);
        assert!(fresh.render(tile).unwrap().is_some());
        let (read, total) = (fresh.chunks_read(), fresh.chunks_total());
        let full_chunks = u64::from(fresh.info.chunks);
        assert!(read < full_chunks / 2, "{name}: {read} chunks read of {total} ({full_chunks} in the full image)");
    }
}

#[test]
fn geotiff_through_the_fetcher_with_no_network_and_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dom")).unwrap();
    let path = dir.path().join("dom").join("泾县.tif");
    let pic = Picture::gk();
    pic.write(&path, true);
    let project = dir.path().join("p.gpkg");
    wangge::io::save_project(&small_project(), &project).unwrap();
    let p = path_str(&project);
    let out = wangge(&["basemap", p, "add", "正射影像", "--geotiff", path_str(&path), "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("400 × 300 pixels") && stdout(&out).contains("EPSG:4527"), "{}", stdout(&out));
    let sources = wangge::io::gpkg::list_basemaps(&project).unwrap();
    let source = Arc::new(sources[0].clone());
    assert_eq!(source.kind, wangge::core::basemap::SourceKind::GeoTiff { path: "dom/泾县.tif".into() });
    let list = stdout(&wangge(&["basemap", p, "list"]));
    assert!(list.starts_with("正射影像\tgeotiff dom/泾县.tif\tz"), "{list}");

    // Offline, relative to the project's folder, as the app asks.
    let mut fetcher = TileFetcher::new(FetcherConfig {
        offline: true,
        cache: None,
        base_dir: Some(dir.path().to_path_buf()),
        ..FetcherConfig::default()
    });
    let (c0, c1, r0, r1) = pic.block;
    let (tile, centre) = pic.tile_pixel(f64::from(c0 + c1) / 2.0, f64::from(r0 + r1) / 2.0, 17);
    let (far, _) = pic.tile_pixel(-50_000.0, 0.0, 17);
    assert!(fetcher.request(&source, tile) && fetcher.request(&source, far));
    let results = fetcher.wait(Instant::now() + Duration::from_secs(20));
    assert_eq!(results.len(), 2);
    for r in results {
        if r.tile == tile {
            let (image, origin) = r.outcome.unwrap();
            assert_eq!(origin, TileOrigin::GeoTiff);
            assert!(is_red(image.pixel(centre.x as u32, centre.y as u32).unwrap()));
        } else {
            assert!(matches!(r.outcome, Err(TileError::NotFound(_))), "{:?}", r.outcome);
        }
    }
    // The file gone: an error naming it (not a panic, not a hang).
    let moved: PathBuf = dir.path().join("elsewhere.tif");
    std::fs::rename(&path, &moved).unwrap();
    let mut fresh = TileFetcher::new(FetcherConfig {
        cache: None,
        base_dir: Some(dir.path().to_path_buf()),
        ..FetcherConfig::default()
    });
    assert!(fresh.request(&source, tile));
    let results = fresh.wait(Instant::now() + Duration::from_secs(20));
    let Err(TileError::GeoTiff(e)) = &results[0].outcome else { panic!("{:?}", results[0].outcome) };
    assert!(e.path.ends_with("泾县.tif"), "{e}");
}

#[test]
fn geotiff_basemap_is_drawn_by_the_app() {
    use wangge::app::AppState;

    use super::kittest::{harness_unsettled, settings_in, until_tiles_landed};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.gpkg");
    wangge::io::save_project(&small_project(), &path).unwrap();
    // Over the whole project (620–622 km E, 3385–3386 km N in zone 39).
    let pic = Picture { width: 2000, height: 1000, block: (900, 1100, 400, 600), ..Picture::gk() };
    pic.write(&dir.path().join("dom.tif"), true);
    let out =
        wangge(&["basemap", path_str(&path), "add", "正射影像", "--geotiff", path_str(&dir.path().join("dom.tif"))]);
    assert!(out.status.success(), "{}", stderr(&out));
    let project = wangge::io::open_project(&path).unwrap();
    let state = AppState::new(project, Some(path), settings_in(dir.path()));
    let mut h = harness_unsettled(state);
    until_tiles_landed(&mut h, 60, || "from the GeoTIFF".into());
    h.step();
    let b = &h.state().state.ui.view.basemaps;
    assert_eq!(b.layers.len(), 1);
    assert!(b.drawn() > 0, "tiles loaded but none drawn");
    let said = super::kittest::status(&h);
    assert!(!said.contains("正射影像"), "an error was said: {said}");
}
