//! Tiles on disk, so that a view seen once draws again without the network: one file per tile under
//! `<root>/<source cache id>/<z>/<x>/<y>.tile`, holding when it was fetched and the tile's bytes. A tile
//! older than the expiry is still served when the network fails (marked stale). Reading a tile sets the
//! file's modification time, which is what eviction orders by: past the size cap, the least recently used
//! tiles go until the cache is at 80 % of it. Writes go to a temporary file renamed over the tile, so a
//! reader never sees half a tile and a crash leaves no broken one.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::TileError;
use crate::core::basemap::TileId;

const MAGIC: &[u8; 4] = b"WGT1";
const HEADER_LEN: usize = 12;
/// Temporary files older than this are left-overs of a crash and are removed by eviction.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// A tile read from the cache.
#[derive(Clone, Debug, PartialEq)]
pub struct CachedTile {
    pub bytes: Vec<u8>,
    /// Older than the cache's expiry: use it when nothing newer can be had.
    pub stale: bool,
}

/// The disk cache. Shared by the fetcher's workers (it is `Sync`); several processes may share a folder.
#[derive(Debug)]
pub struct TileCache {
    root: PathBuf,
    max_bytes: u64,
    max_age: Duration,
    /// Bytes of tiles on disk as this process knows it; `None` until the first write measures it.
    total: Mutex<Option<u64>>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl TileCache {
    /// A cache in `root` (created when the first tile is written) of at most `max_bytes`, whose tiles
    /// expire after `max_age`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use wangge::core::basemap::TileId;
    /// use wangge::io::tiles::TileCache;
    /// let dir = tempfile::tempdir().unwrap();
    /// let cache = TileCache::new(dir.path().join("tiles"), 1 << 20, Duration::from_secs(86_400));
    /// let tile = TileId { z: 10, x: 848, y: 420 };
    /// cache.put("src", tile, b"bytes").unwrap();
    /// let got = cache.get("src", tile).unwrap();
    /// assert_eq!((got.bytes.as_slice(), got.stale), (&b"bytes"[..], false));
    /// assert!(cache.get("other", tile).is_none());
    /// ```
    pub fn new(root: PathBuf, max_bytes: u64, max_age: Duration) -> TileCache {
        TileCache { root, max_bytes, max_age, total: Mutex::new(None) }
    }

    /// `<config dir>/tiles`, where the app keeps its cache; `None` without a home directory.
    pub fn default_dir() -> Option<PathBuf> {
        crate::io::config_dir().map(|d| d.join("tiles"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, source_id: &str, tile: TileId) -> PathBuf {
        // The id is ours (hex), but guard the folder name anyway: nothing may climb out of the root.
        let safe: String = source_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        self.root.join(safe).join(tile.z.to_string()).join(tile.x.to_string()).join(format!("{}.tile", tile.y))
    }

    /// The cached tile, if there is a whole one; marks it as just used. A damaged file counts as absent.
    pub fn get(&self, source_id: &str, tile: TileId) -> Option<CachedTile> {
        let path = self.path(source_id, tile);
        let data = std::fs::read(&path).ok()?;
        if data.len() < HEADER_LEN || &data[..4] != MAGIC {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        let mut secs = [0u8; 8];
        secs.copy_from_slice(&data[4..HEADER_LEN]);
        let fetched = UNIX_EPOCH + Duration::from_secs(u64::from_le_bytes(secs));
        let stale = SystemTime::now().duration_since(fetched).is_ok_and(|age| age > self.max_age);
        // Least recently used is told by the modification time: reading sets it.
        if let Ok(file) = std::fs::File::options().write(true).open(&path) {
            let _ = file.set_modified(SystemTime::now());
        }
        Some(CachedTile { bytes: data[HEADER_LEN..].to_vec(), stale })
    }

    /// Stores a tile (fetched now), replacing any older copy atomically, then evicts past the size cap.
    pub fn put(&self, source_id: &str, tile: TileId, bytes: &[u8]) -> Result<(), TileError> {
        self.put_fetched_at(source_id, tile, bytes, SystemTime::now())
    }

    /// [`TileCache::put`] with the time the tile was fetched (tests age tiles with it).
    pub fn put_fetched_at(
        &self,
        source_id: &str,
        tile: TileId,
        bytes: &[u8],
        fetched: SystemTime,
    ) -> Result<(), TileError> {
        let path = self.path(source_id, tile);
        let fail = |e: std::io::Error| TileError::Cache { path: path.display().to_string(), reason: e.to_string() };
        let dir = path.parent().ok_or_else(|| fail(std::io::Error::other("no folder")))?;
        std::fs::create_dir_all(dir).map_err(fail)?;
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{}.{}.{n}.tmp", tile.y, std::process::id()));
        let secs = fetched.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let written = (|| {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(MAGIC)?;
            file.write_all(&secs.to_le_bytes())?;
            file.write_all(bytes)?;
            file.sync_data()?;
            drop(file);
            std::fs::rename(&temp, &path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(fail(e));
        }
        let over = {
            let mut total = self.total.lock().unwrap_or_else(|p| p.into_inner());
            let now = match *total {
                Some(t) => t + (bytes.len() + HEADER_LEN) as u64,
                None => self.scan().iter().map(|e| e.1).sum(),
            };
            *total = Some(now);
            now > self.max_bytes
        };
        if over {
            self.evict();
        }
        Ok(())
    }

    /// Bytes of tiles in the cache now (by looking).
    pub fn size_on_disk(&self) -> u64 {
        self.scan().iter().map(|e| e.1).sum()
    }

    /// Removes the least recently used tiles until the cache holds at most 80 % of its cap, and any
    /// temporary file a crash left behind.
    pub fn evict(&self) {
        let mut total = self.total.lock().unwrap_or_else(|p| p.into_inner());
        let mut tiles = self.scan();
        tiles.sort_by_key(|(_, _, used)| *used);
        let mut size: u64 = tiles.iter().map(|e| e.1).sum();
        let target = self.max_bytes / 5 * 4;
        for (path, len, _) in tiles {
            if size <= target {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                size = size.saturating_sub(len);
            }
        }
        *total = Some(size);
    }

    /// Every tile file: path, size, last use. Deletes stale temporary files on the way.
    fn scan(&self) -> Vec<(PathBuf, u64, SystemTime)> {
        let mut out = Vec::new();
        let mut stack = vec![self.root.clone()];
        let now = SystemTime::now();
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(meta) = entry.metadata() else { continue };
                let used = meta.modified().unwrap_or(UNIX_EPOCH);
                if meta.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "tile") {
                    out.push((path, meta.len(), used));
                } else if path.extension().is_some_and(|e| e == "tmp")
                    && now.duration_since(used).is_ok_and(|age| age > STALE_TEMP)
                {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: TileId = TileId { z: 3, x: 5, y: 2 };

    #[test]
    fn expired_tiles_are_stale_and_damaged_ones_absent() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TileCache::new(dir.path().to_path_buf(), 1 << 20, Duration::from_secs(3600));
        let long_ago = SystemTime::now() - Duration::from_secs(7200);
        cache.put_fetched_at("s", T, b"old", long_ago).unwrap();
        assert_eq!(cache.get("s", T), Some(CachedTile { bytes: b"old".to_vec(), stale: true }));
        cache.put("s", T, b"new").unwrap();
        assert_eq!(cache.get("s", T), Some(CachedTile { bytes: b"new".to_vec(), stale: false }));
        std::fs::write(cache.path("s", T), b"WG").unwrap();
        assert_eq!(cache.get("s", T), None);
        assert_eq!(cache.get("../../etc", T), None);
        assert!(cache.path("../x", T).starts_with(dir.path()));
    }

    #[test]
    fn least_recently_used_tiles_go_first_past_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        // Room for four 1000-byte tiles (with their headers), not five.
        let cache = TileCache::new(dir.path().to_path_buf(), 4 * 1012 + 100, Duration::from_secs(3600));
        let tile = |x| TileId { z: 4, x, y: 1 };
        let t0 = SystemTime::now() - Duration::from_secs(100);
        for x in 0..4 {
            cache.put("s", tile(x), &[x as u8; 1000]).unwrap();
            // Last use in order 0, 1, 2, 3 (seconds apart, whatever the file system's time resolution).
            let f = std::fs::File::options().write(true).open(cache.path("s", tile(x))).unwrap();
            f.set_modified(t0 + Duration::from_secs(10 * u64::from(x))).unwrap();
        }
        // Reading tile 0 makes it the most recently used.
        assert!(cache.get("s", tile(0)).is_some());
        cache.put("s", tile(4), &[4; 1000]).unwrap();
        // Over the cap: down to 80 %, i.e. three tiles; 1 and 2 were used least recently.
        let kept: Vec<u32> = (0..5).filter(|&x| cache.get("s", tile(x)).is_some()).collect();
        assert_eq!(kept, vec![0, 3, 4]);
        assert!(cache.size_on_disk() <= 4 * 1012 + 100);
    }
}
