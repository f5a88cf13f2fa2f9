//! Where Wangge keeps what it remembers between runs (settings, the recovery file).

use std::path::PathBuf;

/// `$WANGGE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/wangge`, else `~/.config/wangge`; `None` without a home.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("WANGGE_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(xdg).join("wangge"));
    }
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config").join("wangge"))
}
