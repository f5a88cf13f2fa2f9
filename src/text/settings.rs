//! Preferences remembered between runs (the UI language), in a small text file in the user's config
//! directory ([`config_dir`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::io::config_dir;
use crate::text::Lang;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub lang: Lang,
    /// Where they are kept; `None` keeps them for this run only.
    pub file: Option<PathBuf>,
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
        Settings { lang: pairs.get("language").and_then(|v| Lang::parse(v)).unwrap_or_default(), file }
    }

    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.file else { return Ok(()) };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, format!("language={}\n", self.lang.key()))
    }
}
