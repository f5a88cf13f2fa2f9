//! Preferences remembered between runs (the UI language, the projects opened or saved last), in a small
//! text file in the user's config directory ([`config_dir`]): one `key=value` a line, `recent=` once per
//! project, newest first. Lines this version does not know are ignored, so older and newer versions read
//! each other's files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::io::config_dir;
use crate::text::Lang;

/// How many projects File › Recent remembers.
pub const RECENT_LIMIT: usize = 10;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub lang: Lang,
    /// The projects opened or saved last, newest first, at most [`RECENT_LIMIT`].
    pub recent: Vec<PathBuf>,
    /// Where they are kept; `None` keeps them for this run only.
    pub file: Option<PathBuf>,
    /// The user's 天地图 key (`tk`): kept here, never in a project file or a log.
    pub tianditu_key: Option<String>,
    /// Work offline: basemap tiles come from the cache and local files only, no request leaves the
    /// machine (View › 离线工作).
    pub offline: bool,
}

fn settings_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("settings.txt"))
}

impl Settings {
    /// Loads the user's settings from the config directory.
    pub fn load() -> Settings {
        Settings::load_from(settings_path())
    }

    /// Loads settings from a file; anything missing or unreadable falls back to the defaults.
    pub fn load_from(file: Option<PathBuf>) -> Settings {
        let text = file.as_ref().and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default();
        let pairs: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
        let mut recent: Vec<PathBuf> = Vec::new();
        for value in text.lines().filter_map(|l| l.strip_prefix("recent=")) {
            let path = PathBuf::from(value);
            if !value.is_empty() && !recent.contains(&path) && recent.len() < RECENT_LIMIT {
                recent.push(path);
            }
        }
        let tianditu_key = pairs.get("tianditu_key").map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
        Settings {
            lang: pairs.get("language").and_then(|v| Lang::parse(v)).unwrap_or_default(),
            recent,
            file,
            tianditu_key,
            offline: pairs.get("offline").is_some_and(|v| v.trim() == "1"),
        }
    }

    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.file else { return Ok(()) };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut text = format!("language={}\n", self.lang.key());
        if let Some(key) =
            self.tianditu_key.as_deref().map(str::trim).filter(|k| !k.is_empty() && !k.contains(['\n', '\r']))
        {
            text += &format!("tianditu_key={key}\n");
        }
        if self.offline {
            text += "offline=1\n";
        }
        for p in &self.recent {
            let shown = p.display().to_string();
            // A path with a line break cannot be written as one line; it is not remembered.
            if !shown.contains(['\n', '\r']) {
                text += &format!("recent={shown}\n");
            }
        }
        std::fs::write(path, text)
    }

    /// Puts `path` first in the recent projects (once), keeping at most [`RECENT_LIMIT`].
    pub fn remember(&mut self, path: &Path) {
        // A database project's URL is no file name: kept as it is.
        let path = match crate::io::postgis::is_db_path(path) {
            true => path.to_path_buf(),
            false => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        };
        self.recent.retain(|p| *p != path);
        self.recent.insert(0, path);
        self.recent.truncate(RECENT_LIMIT);
    }

    /// Drops `path` from the recent projects (it is gone).
    pub fn forget(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_projects_round_trip_newest_first_and_at_most_ten() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.txt");
        let mut s = Settings::load_from(Some(file.clone()));
        for i in 0..12 {
            s.remember(&dir.path().join(format!("p{i}.gpkg")));
        }
        s.remember(&dir.path().join("p5.gpkg"));
        s.save().unwrap();
        let back = Settings::load_from(Some(file.clone()));
        assert_eq!(back.recent.len(), RECENT_LIMIT);
        assert_eq!(back.recent[0], dir.path().join("p5.gpkg"));
        assert_eq!(back.recent[1], dir.path().join("p11.gpkg"));
        assert_eq!(back.recent.iter().filter(|p| p.ends_with("p5.gpkg")).count(), 1);
        // An older file with the language only still reads, and unknown keys are ignored.
        std::fs::write(&file, "language=en\ncolour=blue\n").unwrap();
        let old = Settings::load_from(Some(file));
        assert_eq!((old.lang, old.recent.len()), (Lang::En, 0));
    }

    #[test]
    fn the_tianditu_key_round_trips_and_an_empty_one_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.txt");
        let mut s = Settings::load_from(Some(file.clone()));
        assert_eq!(s.tianditu_key, None);
        s.tianditu_key = Some("abc123".into());
        s.save().unwrap();
        assert_eq!(Settings::load_from(Some(file.clone())).tianditu_key.as_deref(), Some("abc123"));
        s.tianditu_key = Some("  ".into());
        s.save().unwrap();
        assert_eq!(Settings::load_from(Some(file.clone())).tianditu_key, None);
        assert!(!Settings::load_from(Some(file.clone())).offline);
        s.offline = true;
        s.save().unwrap();
        assert!(Settings::load_from(Some(file)).offline);
    }
}
