//! Basemap tiles (issue 14) against a tile server on the loopback address, started by each test: PNG tiles
//! whose colour says their z/x/y (top half: z, x / 256, x % 256; bottom half: z, y / 256, y % 256).
//! Shows the right tile for a view and where it lands, the disk cache serving with the server gone,
//! errors (dead server, 404, a hanging server, a refused 天地图 key) in bounded time, MBTiles, and GCJ-02
//! tiles placed within 1 m of where an independent computation puts them.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use geo::{Coord, Rect};
use wangge::core::basemap::{
    BasemapSource, TileId, ground_resolution_m, lonlat_to_mercator, tile_at, tile_corners_wgs84, tile_mesh,
    tiles_for_view,
};
use wangge::core::{Crs, CrsUnits};
use wangge::io::crs::{SourceCrs, Transformer, crs_from_epsg};
use wangge::io::tiles::{FetcherConfig, MbTiles, TileCache, TileError, TileFetcher, TileOrigin, TileResult};

use super::tile_server::{TileServer, decoded_id, tile_png};

// ---------------------------------------------------------------------------------------------------
// Helpers

fn fetcher(cache: Option<Arc<TileCache>>, timeout: Duration) -> TileFetcher {
    TileFetcher::new(FetcherConfig { workers: 4, timeout, cache, ..FetcherConfig::default() })
}

fn cache_in(dir: &std::path::Path) -> Arc<TileCache> {
    Arc::new(TileCache::new(dir.join("tiles"), 64 << 20, Duration::from_secs(86_400)))
}

fn only(results: Vec<TileResult>) -> TileResult {
    assert_eq!(results.len(), 1, "{results:?}");
    results.into_iter().next().unwrap()
}

/// CGCS2000 3° Gauss-Krüger CM 117°E, the zone of 泾县 (118.4°E is 1.4° east of it: grid north turns).
fn gk117() -> Crs {
    crs_from_epsg(4548).unwrap()
}

fn wgs84() -> SourceCrs {
    SourceCrs::Epsg(Crs { epsg: 4326, name: String::new(), units: CrsUnits::Degrees })
}

/// Metres between two lon/lat points (haversine on the mean sphere; good to 0.5 % at these distances).
fn metres(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (p1, p2) = (a.y.to_radians(), b.y.to_radians());
    let (dp, dl) = (p2 - p1, (b.x - a.x).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

// ---------------------------------------------------------------------------------------------------
// Tests

#[test]
fn tiles_the_view_asks_for_the_right_tile_and_it_lands_in_place() {
    let server = TileServer::start();
    let source = Arc::new(BasemapSource::xyz("test", &server.url("/xyz/{z}/{x}/{y}.png")).unwrap());

    // A 1024 × 768 view of a Gauss-Krüger project centred on 118.4°E 30.7°N, at zoom 14's resolution.
    let to_gk = Transformer::new(&wgs84(), &gk117()).unwrap();
    let to_lonlat =
        Transformer::new(&SourceCrs::Epsg(gk117()), &Crs { epsg: 4326, name: String::new(), units: CrsUnits::Degrees })
            .unwrap();
    let centre_lonlat = Coord { x: 118.4, y: 30.7 };
    let centre = to_gk.apply(centre_lonlat).unwrap();
    let world_per_px = ground_resolution_m(14, 30.7);
    let size = Coord { x: 1024.0, y: 768.0 };
    let view = Rect::new(
        Coord { x: centre.x - size.x / 2.0 * world_per_px, y: centre.y - size.y / 2.0 * world_per_px },
        Coord { x: centre.x + size.x / 2.0 * world_per_px, y: centre.y + size.y / 2.0 * world_per_px },
    );
    let cover = tiles_for_view(view, size, |c| to_lonlat.apply(c).ok(), source.min_zoom..=source.max_zoom);
    assert_eq!(cover.zoom, 14);
    let expected = tile_at(centre_lonlat, 14).unwrap();
    assert!(cover.tiles.contains(&expected), "{expected:?} not in {:?}", cover.tiles);
    // 1024 × 768 pixels take 5–6 × 4–5 tiles, a few more for grid north's turn against true north.
    assert!((20..=48).contains(&cover.tiles.len()), "{}", cover.tiles.len());

    let mut fetcher = fetcher(None, Duration::from_secs(10));
    let asked = Instant::now();
    for t in &cover.tiles {
        assert!(fetcher.request(&source, *t));
    }
    assert!(!fetcher.request(&source, expected), "a tile on its way is not asked for twice");
    assert!(asked.elapsed() < Duration::from_millis(200), "requesting must not wait for the network");
    let results = fetcher.wait(Instant::now() + Duration::from_secs(30));
    assert_eq!(results.len(), cover.tiles.len());
    assert_eq!(fetcher.pending(), 0);
    for r in &results {
        let (image, origin) = r.outcome.as_ref().unwrap();
        assert_eq!((decoded_id(image), *origin), (r.tile, TileOrigin::Network));
    }
    assert_eq!(server.requests().len(), cover.tiles.len());

    // Where the centre of the view falls inside its tile, and where the tile's mesh puts that point.
    let r = results.iter().find(|r| r.tile == expected).unwrap();
    let (image, _) = r.outcome.as_ref().unwrap();
    let b = expected.bounds_mercator();
    let m = lonlat_to_mercator(centre_lonlat);
    let uv = Coord { x: (m.x - b.min().x) / b.width(), y: (b.max().y - m.y) / b.height() };
    let mesh = tile_mesh(expected, false, 8, |c| to_gk.apply(c).ok()).unwrap();
    let n = mesh.cells + 1;
    let (col, row) = ((uv.x * mesh.cells as f64).floor() as usize, (uv.y * mesh.cells as f64).floor() as usize);
    let (fx, fy) = (uv.x * mesh.cells as f64 - col as f64, uv.y * mesh.cells as f64 - row as f64);
    let v = |r: usize, c: usize| mesh.vertices[r * n + c].world;
    let lerp = |a: Coord<f64>, b: Coord<f64>, t: f64| Coord { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
    let placed = lerp(lerp(v(row, col), v(row, col + 1), fx), lerp(v(row + 1, col), v(row + 1, col + 1), fx), fy);
    let off_px = (placed.x - centre.x).hypot(placed.y - centre.y) / world_per_px;
    assert!(off_px < 1.0, "the tile's pixel under the view's centre is drawn {off_px} px away from it");
    // And that pixel of the image is the tile's own colour (top or bottom half).
    let px = image.pixel((uv.x * 256.0) as u32, (uv.y * 256.0) as u32).unwrap();
    assert_eq!(px[0], 14);
    server.shut_down();
}

#[test]
fn tiles_cache_serves_when_the_server_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let server = TileServer::start();
    let template = server.url("/xyz/{z}/{x}/{y}.png");
    let source = Arc::new(BasemapSource::xyz("test", &template).unwrap());
    let tiles: Vec<TileId> = (0..4).map(|i| TileId { z: 12, x: 3390 + i, y: 1680 }).collect();
    {
        let mut online = fetcher(Some(cache_in(dir.path())), Duration::from_secs(10));
        for t in &tiles {
            online.request(&source, *t);
        }
        let results = online.wait(Instant::now() + Duration::from_secs(20));
        assert!(results.iter().all(|r| matches!(r.outcome, Ok((_, TileOrigin::Network)))), "{results:?}");
    }
    server.shut_down();

    // A new fetcher (a new run of the app) on the same cache: every tile, and no network needed.
    let mut later = fetcher(Some(cache_in(dir.path())), Duration::from_secs(2));
    for t in &tiles {
        later.request(&source, *t);
    }
    let results = later.wait(Instant::now() + Duration::from_secs(10));
    assert_eq!(results.len(), tiles.len());
    for r in &results {
        let (image, origin) = r.outcome.as_ref().unwrap();
        assert_eq!((decoded_id(image), *origin), (r.tile, TileOrigin::Cache));
    }

    // Offline, a tile never fetched is "not cached"; an expired one is served as stale.
    let cache = cache_in(dir.path());
    let old = TileId { z: 12, x: 3000, y: 1600 };
    let ago = SystemTime::now() - Duration::from_secs(10 * 86_400);
    cache.put_fetched_at(&source.cache_id(), old, &tile_png(old), ago).unwrap();
    let mut offline = TileFetcher::new(FetcherConfig { offline: true, cache: Some(cache), ..FetcherConfig::default() });
    offline.request(&source, TileId { z: 12, x: 1, y: 1 });
    assert_eq!(only(offline.wait(Instant::now() + Duration::from_secs(5))).outcome.err(), Some(TileError::NotCached));
    offline.request(&source, old);
    let r = only(offline.wait(Instant::now() + Duration::from_secs(5)));
    let (image, origin) = r.outcome.unwrap();
    assert_eq!((decoded_id(&image), origin), (old, TileOrigin::StaleCache));
    // Online with the server gone, the stale tile is still better than nothing.
    offline.set_offline(false);
    offline.request(&source, old);
    let r = only(offline.wait(Instant::now() + Duration::from_secs(10)));
    assert_eq!(r.outcome.map(|(_, o)| o), Ok(TileOrigin::StaleCache));
}

#[test]
fn tiles_dead_server_404_and_hanging_server_give_errors_in_bounded_time() {
    let server = TileServer::start();
    let mut f = fetcher(None, Duration::from_secs(1));
    let t = TileId { z: 5, x: 26, y: 13 };

    let missing = Arc::new(BasemapSource::xyz("404", &server.url("/nothing/{z}/{x}/{y}.png")).unwrap());
    f.request(&missing, t);
    let r = only(f.wait(Instant::now() + Duration::from_secs(10)));
    assert!(matches!(r.outcome, Err(TileError::NotFound(ref url)) if url.contains("/nothing/5/26/13.png")), "{r:?}");

    let hanging = Arc::new(BasemapSource::xyz("hang", &server.url("/hang/{z}/{x}/{y}.png")).unwrap());
    let started = Instant::now();
    assert!(f.request(&hanging, t));
    assert!(started.elapsed() < Duration::from_millis(100), "request() waited for the server");
    assert!(f.poll().is_empty());
    let r = only(f.wait(Instant::now() + Duration::from_secs(10)));
    assert!(matches!(r.outcome, Err(TileError::Timeout(..))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());

    // A page instead of a tile (HTTP 200): an error, and nothing cached; a 503 is worth a retry later.
    let dir = tempfile::tempdir().unwrap();
    let cache = cache_in(dir.path());
    let mut cached = fetcher(Some(Arc::clone(&cache)), Duration::from_secs(5));
    let busy = Arc::new(BasemapSource::xyz("busy", &server.url("/busy/{z}/{x}/{y}.png")).unwrap());
    cached.request(&busy, t);
    let r = only(cached.wait(Instant::now() + Duration::from_secs(10)));
    assert!(matches!(r.outcome, Err(TileError::BadImage(ref why)) if why.contains("server busy")), "{r:?}");
    assert_eq!(cache.get(&busy.cache_id(), t), None);
    let down = Arc::new(BasemapSource::xyz("down", &server.url("/down/{z}/{x}/{y}.png")).unwrap());
    cached.request(&down, t);
    let r = only(cached.wait(Instant::now() + Duration::from_secs(10)));
    assert!(matches!(r.outcome, Err(ref e @ TileError::Http { status: 503, .. }) if e.is_transient()), "{r:?}");

    // Requests of a view the user has left are dropped before they reach the server: with one worker
    // held by a hanging request, the queued ones are cancelled and never asked for.
    let mut one = TileFetcher::new(FetcherConfig {
        workers: 1,
        timeout: Duration::from_secs(1),
        cache: None,
        ..FetcherConfig::default()
    });
    one.request(&hanging, TileId { z: 6, x: 1, y: 1 });
    std::thread::sleep(Duration::from_millis(200));
    let before = server.requests().len();
    for x in 0..10 {
        one.request(&missing, TileId { z: 6, x, y: 2 });
    }
    one.cancel_pending();
    assert_eq!(one.pending(), 0);
    let answered = one.wait(Instant::now() + Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(1500));
    let after: Vec<String> = server.requests()[before..].to_vec();
    assert!(after.iter().all(|p| !p.starts_with("/nothing/6/")), "cancelled requests reached the server: {after:?}");
    assert!(answered.len() <= 1, "{answered:?}");

    let port = server.port;
    server.shut_down();
    let dead =
        Arc::new(BasemapSource::xyz("dead", &format!("http://127.0.0.1:{port}/xyz/{{z}}/{{x}}/{{y}}.png")).unwrap());
    let started = Instant::now();
    f.request(&dead, t);
    let r = only(f.wait(Instant::now() + Duration::from_secs(10)));
    assert!(matches!(r.outcome, Err(TileError::Unreachable { .. }) | Err(TileError::Timeout(..))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Worth another try later; a 404 is not.
    assert!(r.outcome.unwrap_err().is_transient());
    assert!(!TileError::NotFound(String::new()).is_transient());
}

#[test]
fn tiles_a_refused_or_missing_tianditu_key_is_said_so() {
    let server = TileServer::start();
    let source = Arc::new(BasemapSource::xyz("天地图", &server.url("/tdt/{z}/{x}/{y}.png?tk=SECRETKEY")).unwrap());
    assert!(source.needs_key() && !source.to_json().contains("SECRETKEY"));
    let t = TileId { z: 8, x: 212, y: 105 };
    let mut f = fetcher(None, Duration::from_secs(5));
    let mut ask = |key: Option<&str>| {
        f.set_tianditu_key(key.map(str::to_string));
        f.request(&source, t);
        only(f.wait(Instant::now() + Duration::from_secs(10))).outcome
    };
    assert_eq!(ask(None).err(), Some(TileError::MissingKey));
    assert!(server.requests().is_empty(), "no request without a key");
    let refused = ask(Some("bad")).unwrap_err();
    assert_eq!(refused, TileError::KeyRefused("HTTP 403".into()));
    let gone = ask(Some("gone")).unwrap_err();
    assert!(matches!(gone, TileError::KeyRefused(ref why) if why.contains("301012")), "{gone:?}");
    // The message names the problem and never the key.
    assert!(!format!("{refused} {gone}").contains("bad") && refused.to_string().contains("天地图"));
    let (image, _) = ask(Some("good")).unwrap();
    assert_eq!(decoded_id(&image), t);
    assert_eq!(server.requests().len(), 3);
    server.shut_down();
}

/// An MBTiles file with the tiles of 118.4°E 30.7°N at zooms 10–12 (rows in TMS order, as the format has).
fn write_mbtiles(path: &std::path::Path) -> Vec<TileId> {
    let metadata = [
        ("name", "泾县影像"),
        ("format", "png"),
        ("bounds", "118.0,30.4,118.8,31.0"),
        ("minzoom", "10"),
        ("maxzoom", "12"),
        ("attribution", "泾县自然资源局"),
    ];
    let tiles: Vec<TileId> = (10..=12).map(|z| tile_at(Coord { x: 118.4, y: 30.7 }, z).unwrap()).collect();
    super::tile_files::write_mbtiles(path, &metadata, tiles.iter().map(|t| (*t, tile_png(*t))));
    tiles
}

#[test]
fn tiles_mbtiles_fixture_reads_with_the_tms_flip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("泾县.mbtiles");
    let tiles = write_mbtiles(&path);

    let mb = MbTiles::open(&path).unwrap();
    assert_eq!((mb.metadata.min_zoom, mb.metadata.max_zoom), (10, 12));
    assert_eq!(mb.metadata.name, "泾县影像");
    assert_eq!(mb.metadata.attribution, "泾县自然资源局");
    let bounds = mb.metadata.bounds.unwrap();
    assert_eq!((bounds.min().x, bounds.max().y), (118.0, 31.0));
    for t in &tiles {
        let bytes = mb.tile(*t).unwrap().unwrap();
        assert_eq!(decoded_id(&wangge::io::tiles::decode_tile(&bytes).unwrap()), *t);
    }
    assert_eq!(mb.tile(TileId { z: 10, x: 848, y: 1023 - 420 }).unwrap(), None);

    // Through the fetcher, by a path relative to the project's folder.
    let source = Arc::new(BasemapSource::mbtiles("offline", "泾县.mbtiles"));
    let config = FetcherConfig {
        base_dir: Some(dir.path().to_path_buf()),
        cache: None,
        offline: true,
        ..FetcherConfig::default()
    };
    let mut f = TileFetcher::new(config);
    for t in &tiles {
        f.request(&source, *t);
    }
    let missing = TileId { z: 11, x: 0, y: 0 };
    f.request(&source, missing);
    let results = f.wait(Instant::now() + Duration::from_secs(10));
    assert_eq!(results.len(), 4);
    for r in results {
        match r.outcome {
            Ok((image, origin)) => assert_eq!((decoded_id(&image), origin), (r.tile, TileOrigin::Mbtiles)),
            Err(e) => assert!(r.tile == missing && matches!(e, TileError::NotFound(_)), "{e:?}"),
        }
    }
    let broken = Arc::new(BasemapSource::mbtiles("broken", "later.mbtiles"));
    f.request(&broken, tiles[0]);
    let r = only(f.wait(Instant::now() + Duration::from_secs(10)));
    assert!(matches!(r.outcome, Err(TileError::Mbtiles { .. })), "{r:?}");
    // The file appears (copied in while the app runs): the next request reads it.
    std::fs::copy(&path, dir.path().join("later.mbtiles")).unwrap();
    f.request(&broken, tiles[0]);
    let r = only(f.wait(Instant::now() + Duration::from_secs(10)));
    assert_eq!(r.outcome.map(|(image, _)| decoded_id(&image)), Ok(tiles[0]));
}

// GCJ-02 computed independently of core::china_offsets: the published forward formula written out again
// from its description, inverted by Newton's method with a numerical Jacobian (the crate iterates a fixed
// point instead).
mod independent_gcj02 {
    use std::f64::consts::PI;

    fn offsets(lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = (lon - 105.0, lat - 35.0);
        let sines = |a: f64, b: f64| (20.0 * (6.0 * a * PI).sin() + 20.0 * (2.0 * a * PI).sin()) * 2.0 / 3.0 + b;
        let dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
        let dlat = sines(x, dlat)
            + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
            + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
        let dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
        let dlon = sines(x, dlon)
            + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
            + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
        (dlon, dlat)
    }

    pub fn forward(lon: f64, lat: f64) -> (f64, f64) {
        let (a, ee) = (6_378_245.0, 0.006_693_421_622_965_943);
        let (dlon, dlat) = offsets(lon, lat);
        let rad = lat.to_radians();
        let magic = 1.0 - ee * rad.sin() * rad.sin();
        let dlat = dlat * 180.0 / ((a * (1.0 - ee)) / (magic * magic.sqrt()) * PI);
        let dlon = dlon * 180.0 / (a / magic.sqrt() * rad.cos() * PI);
        (lon + dlon, lat + dlat)
    }

    pub fn inverse(lon: f64, lat: f64) -> (f64, f64) {
        let (mut x, mut y) = (lon, lat);
        let h = 1e-6;
        for _ in 0..20 {
            let (fx, fy) = forward(x, y);
            let (rx, ry) = (fx - lon, fy - lat);
            let (ax, ay) = forward(x + h, y);
            let (bx, by) = forward(x, y + h);
            let (j11, j21, j12, j22) = ((ax - fx) / h, (ay - fy) / h, (bx - fx) / h, (by - fy) / h);
            let det = j11 * j22 - j12 * j21;
            x -= (j22 * rx - j12 * ry) / det;
            y -= (j11 * ry - j21 * rx) / det;
        }
        (x, y)
    }
}

#[test]
fn tiles_gcj02_corners_land_within_a_metre_of_an_independent_computation() {
    let to_gk = Transformer::new(&wgs84(), &gk117()).unwrap();
    for (lon, lat) in [(118.4195, 30.6885), (116.397, 39.909), (121.47, 31.23), (113.3, 23.1), (87.6, 43.8)] {
        for z in [10, 14, 18] {
            let tile = tile_at(Coord { x: lon, y: lat }, z).unwrap();
            let ours = tile_corners_wgs84(tile, true);
            let b = tile.bounds_lonlat();
            let own = [(b.min().x, b.max().y), (b.max().x, b.max().y), (b.max().x, b.min().y), (b.min().x, b.min().y)];
            for (corner, (gx, gy)) in ours.iter().zip(own) {
                let (x, y) = independent_gcj02::inverse(gx, gy);
                let d = metres(*corner, Coord { x, y });
                assert!(d < 1.0, "{lon},{lat} z {z}: {d} m");
                // The shift itself is real: hundreds of metres in eastern China.
                if lon > 110.0 {
                    assert!(metres(*corner, Coord { x: gx, y: gy }) > 100.0);
                }
            }
            // In the project's CRS too: the mesh corner is the corner's GK position.
            if (lon, lat) == (118.4195, 30.6885) {
                let mesh = tile_mesh(tile, true, 4, |c| to_gk.apply(c).ok()).unwrap();
                let (x, y) = independent_gcj02::inverse(own[0].0, own[0].1);
                let gk = to_gk.apply(Coord { x, y }).unwrap();
                let w = mesh.vertices[0].world;
                assert!((w.x - gk.x).hypot(w.y - gk.y) < 1.0);
            }
        }
    }
    let (x, y) = independent_gcj02::forward(118.4195, 30.6885);
    let ours = wangge::io::wgs84_to_gcj02(Coord { x: 118.4195, y: 30.6885 });
    assert!(metres(ours, Coord { x, y }) < 0.01, "the two formulas disagree");
}

#[test]
fn tiles_cli_basemap_list_add_remove_keeps_no_key_and_a_valid_geopackage() {
    use super::common::{path_str, small_project, stderr, stdout, wangge};
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("泾县.gpkg");
    wangge::io::save_project(&small_project(), &project).unwrap();
    std::fs::create_dir(dir.path().join("tiles")).unwrap();
    let mbtiles = dir.path().join("tiles").join("dom.mbtiles");
    write_mbtiles(&mbtiles);
    let p = path_str(&project);

    let out = wangge(&["basemap", p, "add", "影像", "--tianditu", "img", "--labels", "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let url = "https://t0.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=SECRET0123";
    let out = wangge(&["basemap", p, "add", "路网", "--xyz", url, "--lang", "en"]);
    assert!(out.status.success() && stdout(&out).contains("not stored"), "{}{}", stdout(&out), stderr(&out));
    let amap = "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}";
    let out = wangge(&["basemap", p, "add", "高德", "--xyz", amap, "--subdomains", "1234", "--gcj02", "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let amap_source = wangge::io::gpkg::list_basemaps(&project).unwrap().pop().unwrap();
    assert!(amap_source.gcj02);
    let url = amap_source.tile_url(TileId { z: 10, x: 848, y: 420 }, None).unwrap();
    assert_eq!(url, "https://webrd01.is.autonavi.com/appmaptile?style=8&x=848&y=420&z=10");
    assert!(wangge(&["basemap", p, "remove", "高德", "--lang", "en"]).status.success());
    let out = wangge(&["basemap", p, "add", "正射影像", "--mbtiles", path_str(&mbtiles), "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = wangge(&["basemap", p, "add", "路网", "--xyz", "https://x/{z}/{x}/{y}.png", "--lang", "en"]);
    assert_eq!(again.status.code(), Some(2), "{}", stdout(&again));
    assert!(stderr(&again).contains("exists"), "{}", stderr(&again));
    let neither = wangge(&["basemap", p, "add", "x", "--lang", "en"]);
    assert_eq!(neither.status.code(), Some(2));

    let list = stdout(&wangge(&["basemap", p, "list"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 4, "{list}");
    assert!(lines[0].starts_with("影像\ttianditu img\tz1-18"), "{list}");
    assert!(lines[1].starts_with("影像注记\ttianditu cia"), "{list}");
    assert!(lines[2].contains("tk={tk}") && !list.contains("SECRET"), "{list}");
    assert!(lines[3].contains("mbtiles tiles/dom.mbtiles\tz10-12\t泾县自然资源局"), "{list}");
    let bytes = std::fs::read(&project).unwrap();
    assert!(!bytes.windows(10).any(|w| w == b"SECRET0123"), "the key went into the project file");

    // The app's save keeps the table; the project still opens.
    let opened = wangge::io::open_project(&project).unwrap();
    wangge::io::save_project(&opened, &project).unwrap();
    let sources = wangge::io::gpkg::list_basemaps(&project).unwrap();
    assert_eq!(sources.len(), 4);
    assert_eq!(sources[3].kind, wangge::core::basemap::SourceKind::Mbtiles { path: "tiles/dom.mbtiles".into() });
    assert_eq!(sources[0], {
        let mut s = BasemapSource::tianditu(wangge::core::basemap::TiandituLayer::Img);
        s.name = "影像".into();
        s
    });

    assert!(wangge(&["basemap", p, "remove", "路网"]).status.success());
    assert_eq!(stdout(&wangge(&["basemap", p, "list"])).lines().count(), 3);
    assert_eq!(wangge(&["basemap", p, "remove", "路网"]).status.code(), Some(2));
    // Not a project: refused, nothing written.
    let other = dir.path().join("other.gpkg");
    std::fs::write(&other, b"not a database").unwrap();
    assert_eq!(wangge(&["basemap", path_str(&other), "add", "a", "--tianditu", "vec"]).status.code(), Some(2));
    assert_eq!(std::fs::read(&other).unwrap(), b"not a database");

    if let Some(validator) = super::gdal::gpkg_validator() {
        super::gdal::assert_passes_validator(&validator, &project);
    }
}

#[test]
fn tiles_cli_basemap_add_wmts_asks_get_tile_with_its_parameters_and_keeps_no_key() {
    use super::common::{path_str, small_project, stderr, stdout, wangge};
    let server = TileServer::start();
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("泾县.gpkg");
    wangge::io::save_project(&small_project(), &project).unwrap();
    let p = path_str(&project);
    let url = server.url("/wmts?tk=SECRET0123");
    let add = |extra: &[&str]| {
        let mut args = vec!["basemap", p, "add", "路网", "--wmts", url.as_str(), "--lang", "en"];
        args.extend_from_slice(extra);
        wangge(&args)
    };
    // --layer and --matrix-set are needed.
    let out = add(&["--layer", "roads"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let out = add(&["--layer", "roads", "--matrix-set", "GoogleMapsCompatible", "--matrix-prefix", "EPSG:3857:"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("not stored"), "{}", stdout(&out));
    let bytes = std::fs::read(&project).unwrap();
    assert!(!bytes.windows(10).any(|w| w == b"SECRET0123"), "the key went into the project file");
    let list = stdout(&wangge(&["basemap", p, "list"]));
    assert!(list.contains("路网\twmts") && list.contains("layer=roads") && list.contains("tk={tk}"), "{list}");

    let source = Arc::new(wangge::io::gpkg::list_basemaps(&project).unwrap().pop().unwrap());
    assert!(source.needs_key());
    let t = tile_at(Coord { x: 118.4, y: 30.7 }, 12).unwrap();
    let mut f = fetcher(None, Duration::from_secs(5));
    f.request(&source, t);
    let missing = only(f.wait(Instant::now() + Duration::from_secs(10))).outcome;
    assert_eq!(missing.err(), Some(TileError::MissingKey));
    assert!(server.requests().is_empty(), "no request without a key");
    f.set_tianditu_key(Some("good".into()));
    f.request(&source, t);
    let (image, _) = only(f.wait(Instant::now() + Duration::from_secs(10))).outcome.unwrap();
    assert_eq!(decoded_id(&image), t);
    let asked = server.requests();
    assert_eq!(asked.len(), 1, "{asked:?}");
    let query = &asked[0];
    for part in [
        "SERVICE=WMTS",
        "REQUEST=GetTile",
        "LAYER=roads",
        "STYLE=default",
        "TILEMATRIXSET=GoogleMapsCompatible",
        &format!("TILEMATRIX=EPSG:3857:{}", t.z),
        &format!("TILEROW={}", t.y),
        &format!("TILECOL={}", t.x),
        "FORMAT=image/png",
        "tk=good",
    ] {
        assert!(query.contains(part), "{part} missing from {query}");
    }
    assert!(!query.contains("SECRET"), "{query}");
    server.shut_down();
}
