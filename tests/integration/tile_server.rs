//! A tile server on the loopback address for the tests of basemaps (issue 14): PNG tiles whose colour
//! says their z/x/y (top half: z, x / 256, x % 256; bottom half: z, y / 256, y % 256).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wangge::core::basemap::{TileId, TileImage};

/// The PNG of a tile whose colour encodes its z/x/y.
pub fn tile_png(t: TileId) -> Vec<u8> {
    let top = [t.z, (t.x >> 8) as u8, (t.x & 255) as u8];
    let bottom = [t.z, (t.y >> 8) as u8, (t.y & 255) as u8];
    super::tile_files::png_tile(|row| if row < 128 { top } else { bottom })
}

/// The z/x/y a decoded tile's colours say.
pub fn decoded_id(image: &TileImage) -> TileId {
    let top = image.pixel(10, 10).unwrap();
    let bottom = image.pixel(10, 200).unwrap();
    TileId {
        z: top[0],
        x: u32::from(top[1]) * 256 + u32::from(top[2]),
        y: u32::from(bottom[1]) * 256 + u32::from(bottom[2]),
    }
}

pub struct TileServer {
    pub port: u16,
    /// Request paths, in order.
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl TileServer {
    /// Routes: `/xyz/{z}/{x}/{y}.png` a tile (404 beyond z 18); `/tdt/{z}/{x}/{y}.png?tk=K` a tile for
    /// K = good, 403 for K = bad, 天地图's 301012 answer (HTTP 200, JSON) for K = gone; `/busy/…` an HTML
    /// page with HTTP 200; `/down/…` HTTP 503; `/hang/…` never answers; `/wmts?SERVICE=WMTS&REQUEST=GetTile&…`
    /// a WMTS KVP GetTile (layer `roads`, matrices `EPSG:3857:{z}`, key `tk=good`; 400 for a wrong
    /// parameter, 403 for another key); anything else 404.
    pub fn start() -> TileServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, halt) = (Arc::clone(&requests), Arc::clone(&stop));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &log));
            }
        });
        TileServer { port, requests, stop }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Stops accepting; the port is closed when this returns.
    pub fn shut_down(self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        // The accept loop sees the flag on the wake-up connection and drops the listener.
        let deadline = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(mut stream: TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    log.lock().unwrap().push(path.clone());
    let (route, query) = path.split_once('?').unwrap_or((&path, ""));
    let parts: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    let tile = || -> Option<TileId> {
        let [_, z, x, y] = parts.as_slice() else { return None };
        TileId::new(z.parse().ok()?, x.parse().ok()?, y.trim_end_matches(".png").parse().ok()?)
    };
    let respond = |stream: &mut TcpStream, status: &str, kind: &str, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    if parts.first() == Some(&"wmts") {
        return respond_wmts(&mut stream, query, &respond);
    }
    match (parts.first().copied(), tile()) {
        (Some("hang"), _) => {
            // Hold the connection open without a word until the client gives up.
            let mut sink = [0u8; 64];
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            let _ = stream.read(&mut sink);
        }
        (Some("xyz"), Some(t)) if t.z <= 18 => respond(&mut stream, "200 OK", "image/png", &tile_png(t)),
        (Some("busy"), Some(_)) => respond(&mut stream, "200 OK", "text/html", b"<html>server busy</html>"),
        (Some("down"), Some(_)) => respond(&mut stream, "503 Service Unavailable", "text/plain", b"later"),
        (Some("tdt"), Some(t)) => match query.split('&').find_map(|kv| kv.strip_prefix("tk=")) {
            Some("good") => respond(&mut stream, "200 OK", "image/png", &tile_png(t)),
            Some("gone") => respond(
                &mut stream,
                "200 OK",
                "application/json",
                r#"{"msg":"key不存在或已被禁用","resolve":"请检查key","code":"301012"}"#.as_bytes(),
            ),
            _ => respond(&mut stream, "403 Forbidden", "text/html", b"<html>403 Forbidden</html>"),
        },
        _ => respond(&mut stream, "404 Not Found", "text/plain", b"no such tile"),
    }
}

/// A WMTS KVP GetTile: every parameter checked, the tile served when they are right.
/// Writes an answer: status line, content type, body.
type Respond<'a> = &'a dyn Fn(&mut TcpStream, &str, &str, &[u8]);

fn respond_wmts(stream: &mut TcpStream, query: &str, respond: Respond<'_>) {
    let params: std::collections::HashMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_ascii_uppercase(), v.replace("%3A", ":")))
        .collect();
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let fixed = [
        ("SERVICE", "WMTS"),
        ("REQUEST", "GetTile"),
        ("VERSION", "1.0.0"),
        ("LAYER", "roads"),
        ("STYLE", "default"),
        ("TILEMATRIXSET", "GoogleMapsCompatible"),
        ("FORMAT", "image/png"),
    ];
    if let Some((k, _)) = fixed.iter().find(|(k, v)| get(k) != *v) {
        return respond(stream, "400 Bad Request", "text/plain", format!("bad {k}").as_bytes());
    }
    if get("TK") != "good" {
        return respond(stream, "403 Forbidden", "text/plain", b"key");
    }
    let tile = (|| {
        let z = get("TILEMATRIX").strip_prefix("EPSG:3857:")?.parse().ok()?;
        TileId::new(z, get("TILECOL").parse().ok()?, get("TILEROW").parse().ok()?)
    })();
    match tile {
        Some(t) => respond(stream, "200 OK", "image/png", &tile_png(t)),
        None => respond(stream, "400 Bad Request", "text/plain", b"bad tile"),
    }
}
