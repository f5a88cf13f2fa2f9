//! One tile over HTTP(S) with `ureq`: timeouts on connecting and on the whole exchange, a real
//! User-Agent (OpenStreetMap's tile policy asks for one), a size limit, and the answer sorted into
//! [`TileError`]s a planner can act on — a refused 天地图 key above all (HTTP 403, or code 301012 in the
//! body), never with the key in the message.

use std::time::Duration;

use super::TileError;
use super::decode::TileFormat;
use crate::core::basemap::strip_key;

/// `Wangge/<version> (+<project page>)`, sent with every request. The page is a placeholder until the
/// project has a public home: OpenStreetMap's policy wants one that reaches the people behind the app.
pub const USER_AGENT: &str = concat!("Wangge/", env!("CARGO_PKG_VERSION"), " (+https://github.com/wangge-gis/wangge)");

/// The largest tile body read (a 512-pixel PNG tile is rarely above 1 MB).
const MAX_TILE_BYTES: u64 = 16 << 20;

/// 天地图's answer to a key it does not accept (权限类型错误 / key 不存在).
const TIANDITU_KEY_ERROR_CODE: &str = "301012";

/// An HTTP agent for tiles: `timeout` for the whole request (connecting included), no more than 5
/// redirects, the proxy from the environment (`HTTPS_PROXY`, `ALL_PROXY`) as ureq reads it.
pub fn http_agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
        .user_agent(USER_AGENT)
        .http_status_as_error(false)
        .max_redirects(5)
        .build();
    ureq::Agent::new_with_config(config)
}

/// GETs one tile: its bytes on a 2xx answer that is not an error message, else the error. `keyed` says
/// that the URL carries a 天地图 key, so that a 403 means the key was refused; `timeout` is the agent's,
/// for the message.
pub fn http_get_tile(agent: &ureq::Agent, url: &str, keyed: bool, timeout: Duration) -> Result<Vec<u8>, TileError> {
    let shown = strip_key(url).0;
    let read_failed = |e: ureq::Error| classify(e, &shown, timeout);
    let mut response = agent.get(url).call().map_err(read_failed)?;
    let status = response.status().as_u16();
    let body = response.body_mut().with_config().limit(MAX_TILE_BYTES).read_to_vec().map_err(read_failed)?;
    let says_key_refused =
        || TileFormat::sniff(&body).is_none() && String::from_utf8_lossy(&body).contains(TIANDITU_KEY_ERROR_CODE);
    match status {
        _ if says_key_refused() => Err(TileError::KeyRefused(format!("code {TIANDITU_KEY_ERROR_CODE}"))),
        200..=299 => Ok(body),
        403 if keyed => Err(TileError::KeyRefused("HTTP 403".into())),
        404 => Err(TileError::NotFound(shown)),
        status => Err(TileError::Http { status, url: shown }),
    }
}

fn classify(e: ureq::Error, url: &str, timeout: Duration) -> TileError {
    use std::io::ErrorKind;
    let unreachable = |reason: String| TileError::Unreachable { url: url.to_string(), reason };
    match e {
        ureq::Error::Timeout(_) => TileError::Timeout(timeout, url.to_string()),
        ureq::Error::Io(io) if matches!(io.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => {
            TileError::Timeout(timeout, url.to_string())
        }
        ureq::Error::Io(io) => unreachable(match io.kind() {
            ErrorKind::ConnectionRefused => "connection refused".into(),
            ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::UnexpectedEof => {
                "the connection was closed".into()
            }
            _ => io.to_string(),
        }),
        ureq::Error::HostNotFound => unreachable("host not found".into()),
        ureq::Error::ConnectionFailed => unreachable("connection failed".into()),
        ureq::Error::BodyExceedsLimit(_) => TileError::BadImage(format!("larger than {} MB", MAX_TILE_BYTES >> 20)),
        ureq::Error::BadUri(_) => unreachable("not a URL".into()),
        // Protocol errors and the rest: the server is there but speaks nonsense; say what ureq says,
        // with any key taken out.
        other => unreachable(strip_key(&other.to_string()).0),
    }
}
