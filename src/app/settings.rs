//! Preferences remembered between runs (the UI language), in a small text file under the user's config
//! directory: `$WANGGE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/wangge`, else `~/.config/wangge`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::i18n::Lang;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub lang: Lang,
}

fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("WANGGE_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(xdg).join("wangge"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config").join("wangge"))
}

fn settings_path() -> Option<PathBuf> {
    config_dir().map(|d| d.join("settings.txt"))
}

impl Settings {
    /// Loads the saved settings; anything missing or unreadable falls back to the defaults.
    pub fn load() -> Settings {
        let Some(text) = settings_path().and_then(|p| std::fs::read_to_string(p).ok()) else {
            return Settings::default();
        };
        let pairs: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
        Settings {
            lang: pairs
                .get("language")
                .and_then(|v| Lang::parse(v))
                .unwrap_or_default(),
        }
    }

    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = settings_path() else {
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, format!("language={}\n", self.lang.key()))
    }
}
