//! The tile fetcher: the UI thread asks for tiles ([`TileFetcher::request`]) and collects what has
//! arrived ([`TileFetcher::poll`]); a few worker threads do the waiting — the disk cache first, then the
//! network (or the MBTiles file), decoding included — so a frame never waits for a tile. A request for a
//! tile already on its way is not sent twice; [`TileFetcher::cancel_pending`] drops the queued requests of
//! a view the user has left.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::TileError;
use super::cache::TileCache;
use super::decode::decode_tile;
use super::geotiff::GeoTiff;
use super::http::{http_agent, http_get_tile};
use super::mbtiles::MbTiles;
use crate::core::basemap::{BasemapSource, SourceKind, TileId, TileImage};

/// How the fetcher works.
#[derive(Clone)]
pub struct FetcherConfig {
    /// Worker threads (1–16): each has at most one request on the network.
    pub workers: usize,
    /// For one request, connecting included.
    pub timeout: Duration,
    /// The disk cache (none: every tile comes from the network each time).
    pub cache: Option<Arc<TileCache>>,
    /// Cache only: no request leaves the machine.
    pub offline: bool,
    /// The user's 天地图 key, from the settings.
    pub tianditu_key: Option<String>,
    /// The folder relative MBTiles paths are relative to (the project's).
    pub base_dir: Option<PathBuf>,
    /// Called by a worker after each result is ready (the app passes its repaint request here).
    pub on_result: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl Default for FetcherConfig {
    /// Four workers, 15 s timeout, a 512 MB cache in [`TileCache::default_dir`] whose tiles expire after
    /// 30 days (served past that when offline), online.
    fn default() -> FetcherConfig {
        FetcherConfig {
            workers: 4,
            timeout: Duration::from_secs(15),
            cache: TileCache::default_dir()
                .map(|dir| Arc::new(TileCache::new(dir, 512 << 20, Duration::from_secs(30 * 86_400)))),
            offline: false,
            tianditu_key: None,
            base_dir: None,
            on_result: None,
        }
    }
}

impl std::fmt::Debug for FetcherConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("FetcherConfig")
            .field("workers", &self.workers)
            .field("timeout", &self.timeout)
            .field("cache", &self.cache.as_ref().map(|c| c.root().to_path_buf()))
            .field("offline", &self.offline)
            .field("tianditu_key", &self.tianditu_key.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// Where a delivered tile came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TileOrigin {
    Network,
    /// The disk cache, within its expiry.
    Cache,
    /// The disk cache, past its expiry, because the network failed or the fetcher is offline.
    StaleCache,
    Mbtiles,
    /// Made from a GeoTIFF orthophoto.
    GeoTiff,
}

/// One answered request.
#[derive(Clone, Debug)]
pub struct TileResult {
    /// The source's [`BasemapSource::cache_id`].
    pub source_id: String,
    pub tile: TileId,
    pub outcome: Result<(TileImage, TileOrigin), TileError>,
}

struct Job {
    source: Arc<BasemapSource>,
    source_id: String,
    tile: TileId,
    generation: u64,
}

struct Shared {
    generation: AtomicU64,
    offline: AtomicBool,
    key: RwLock<Option<String>>,
}

/// Loads tiles on worker threads. Dropping it lets the workers end after the request each has in hand.
pub struct TileFetcher {
    jobs: Sender<Job>,
    results: Receiver<TileResult>,
    shared: Arc<Shared>,
    pending: HashSet<(String, TileId)>,
}

impl TileFetcher {
    /// Starts the workers.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::{Duration, Instant};
    /// use wangge::core::basemap::{BasemapSource, TileId};
    /// use wangge::io::tiles::{FetcherConfig, TileError, TileFetcher};
    /// // Offline with an empty cache: the answer comes at once, and it is "not cached".
    /// let dir = tempfile::tempdir().unwrap();
    /// let cache = wangge::io::tiles::TileCache::new(dir.path().into(), 1 << 20, Duration::from_secs(60));
    /// let config = FetcherConfig { offline: true, cache: Some(Arc::new(cache)), ..FetcherConfig::default() };
    /// let mut fetcher = TileFetcher::new(config);
    /// let osm = Arc::new(BasemapSource::openstreetmap());
    /// assert!(fetcher.request(&osm, TileId { z: 1, x: 0, y: 0 }));
    /// let results = fetcher.wait(Instant::now() + Duration::from_secs(5));
    /// assert_eq!(results[0].outcome.as_ref().err(), Some(&TileError::NotCached));
    /// ```
    pub fn new(config: FetcherConfig) -> TileFetcher {
        let (jobs, job_rx) = channel::<Job>();
        let (result_tx, results) = channel::<TileResult>();
        let shared = Arc::new(Shared {
            generation: AtomicU64::new(0),
            offline: AtomicBool::new(config.offline),
            key: RwLock::new(config.tianditu_key.clone()),
        });
        let job_rx = Arc::new(Mutex::new(job_rx));
        let agent = http_agent(config.timeout);
        for n in 0..config.workers.clamp(1, 16) {
            let worker = Worker {
                jobs: Arc::clone(&job_rx),
                results: result_tx.clone(),
                shared: Arc::clone(&shared),
                agent: agent.clone(),
                config: config.clone(),
                open_files: HashMap::new(),
                open_images: HashMap::new(),
            };
            // A worker that cannot start leaves the others; with none, requests stay pending (no panic).
            let _ = std::thread::Builder::new().name(format!("wangge-tiles-{n}")).spawn(move || worker.run());
        }
        TileFetcher { jobs, results, shared, pending: HashSet::new() }
    }

    /// Asks for a tile; false when it is already on its way (or out of the source's zoom range, which
    /// answers at once with nothing to draw and is not worth a thread).
    pub fn request(&mut self, source: &Arc<BasemapSource>, tile: TileId) -> bool {
        if !tile.is_valid() || tile.z < source.min_zoom || tile.z > source.max_zoom {
            return false;
        }
        let source_id = source.cache_id();
        if !self.pending.insert((source_id.clone(), tile)) {
            return false;
        }
        let generation = self.shared.generation.load(Ordering::Acquire);
        let job = Job { source: Arc::clone(source), source_id: source_id.clone(), tile, generation };
        if self.jobs.send(job).is_err() {
            self.pending.remove(&(source_id, tile));
            return false;
        }
        true
    }

    /// The results that have arrived since the last poll; never blocks.
    pub fn poll(&mut self) -> Vec<TileResult> {
        let mut out = Vec::new();
        while let Ok(result) = self.results.try_recv() {
            self.pending.remove(&(result.source_id.clone(), result.tile));
            out.push(result);
        }
        out
    }

    /// Waits for every pending request to be answered, or for `deadline` (for printing and tests; never
    /// call it from the UI thread). Requests still unanswered at the deadline stay pending.
    pub fn wait(&mut self, deadline: Instant) -> Vec<TileResult> {
        let mut out = self.poll();
        while !self.pending.is_empty() {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else { break };
            match self.results.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok(result) => {
                    self.pending.remove(&(result.source_id.clone(), result.tile));
                    out.push(result);
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        out
    }

    /// Requests not yet answered.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Forgets the requests no worker has started (the view moved on); those under way still answer.
    pub fn cancel_pending(&mut self) {
        self.shared.generation.fetch_add(1, Ordering::AcqRel);
        self.pending.clear();
    }

    /// Sets or clears the 天地图 key for the requests that follow.
    pub fn set_tianditu_key(&self, key: Option<String>) {
        if let Ok(mut k) = self.shared.key.write() {
            *k = key;
        }
    }

    /// Cache and MBTiles only (true), or the network too.
    pub fn set_offline(&self, offline: bool) {
        self.shared.offline.store(offline, Ordering::Release);
    }
}

struct Worker {
    jobs: Arc<Mutex<Receiver<Job>>>,
    results: Sender<TileResult>,
    shared: Arc<Shared>,
    agent: ureq::Agent,
    config: FetcherConfig,
    open_files: HashMap<PathBuf, MbTiles>,
    /// GeoTIFFs, each with its cache of decoded chunks (per worker: no lock between workers).
    open_images: HashMap<PathBuf, GeoTiff>,
}

impl Worker {
    fn run(mut self) {
        loop {
            let job = match self.jobs.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => return,
            };
            let Ok(job) = job else { return };
            if job.generation < self.shared.generation.load(Ordering::Acquire) {
                continue;
            }
            let outcome = self.load(&job);
            let result = TileResult { source_id: job.source_id, tile: job.tile, outcome };
            if self.results.send(result).is_err() {
                return;
            }
            if let Some(notify) = &self.config.on_result {
                notify();
            }
        }
    }

    fn load(&mut self, job: &Job) -> Result<(TileImage, TileOrigin), TileError> {
        if let SourceKind::Mbtiles { path } = &job.source.kind {
            let path = super::resolve_stored_path(self.config.base_dir.as_deref(), path);
            // Kept open once opened; a file that fails to open is tried again next time (it may be
            // copied in, or its drive mounted, while the app runs).
            if !self.open_files.contains_key(&path) {
                let opened = MbTiles::open(&path)?;
                self.open_files.insert(path.clone(), opened);
            }
            let file = self.open_files.get(&path).ok_or_else(|| TileError::Mbtiles {
                path: path.display().to_string(),
                problem: super::MbtilesProblem::NotOpen,
            })?;
            let bytes = file.tile(job.tile)?.ok_or_else(|| {
                TileError::NotFound(format!("{}: tile {}/{}/{}", path.display(), job.tile.z, job.tile.x, job.tile.y))
            })?;
            return Ok((decode_tile(&bytes)?, TileOrigin::Mbtiles));
        }
        if let SourceKind::GeoTiff { path } = &job.source.kind {
            let path = super::resolve_stored_path(self.config.base_dir.as_deref(), path);
            // As for MBTiles: kept open once opened, tried again next time when it fails to open.
            if !self.open_images.contains_key(&path) {
                let opened = GeoTiff::open(&path).map_err(TileError::GeoTiff)?;
                self.open_images.insert(path.clone(), opened);
            }
            let image = self.open_images.get_mut(&path).ok_or(TileError::NotCached)?;
            let tile = image.render(job.tile).map_err(TileError::GeoTiff)?.ok_or_else(|| {
                TileError::NotFound(format!(
                    "{}: tile {}/{}/{} is outside the image",
                    path.display(),
                    job.tile.z,
                    job.tile.x,
                    job.tile.y
                ))
            })?;
            return Ok((tile, TileOrigin::GeoTiff));
        }
        let cache = self.config.cache.as_deref();
        let cached = cache.and_then(|c| c.get(&job.source_id, job.tile));
        let cached_image = cached.as_ref().and_then(|c| decode_tile(&c.bytes).ok().map(|image| (image, c.stale)));
        if let Some((image, false)) = &cached_image {
            return Ok((image.clone(), TileOrigin::Cache));
        }
        let stale = || cached_image.clone().map(|(image, _)| (image, TileOrigin::StaleCache));
        if self.shared.offline.load(Ordering::Acquire) {
            return stale().ok_or(TileError::NotCached);
        }
        let key = self.shared.key.read().ok().and_then(|k| k.clone());
        let fetched = job
            .source
            .tile_url(job.tile, key.as_deref())
            .map_err(TileError::from)
            .and_then(|url| http_get_tile(&self.agent, &url, job.source.needs_key(), self.config.timeout))
            .and_then(|bytes| decode_tile(&bytes).map(|image| (bytes, image)));
        match fetched {
            Ok((bytes, image)) => {
                if let Some(cache) = cache {
                    // A full disk or a read-only folder costs the cache, not the map.
                    let _ = cache.put(&job.source_id, job.tile, &bytes);
                }
                Ok((image, TileOrigin::Network))
            }
            Err(e) => stale().ok_or(e),
        }
    }
}
