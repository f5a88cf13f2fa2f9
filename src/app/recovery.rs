//! Crash recovery: while there are unsaved changes, the project is written every minute to a recovery
//! file in the config directory; a clean save or quit removes it. If it is there at start, the last run
//! did not end cleanly and the app offers to recover it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::core::Project;

pub const INTERVAL: Duration = Duration::from_secs(60);

fn dir() -> Option<PathBuf> {
    super::settings::config_dir().map(|d| d.join("recovery"))
}

fn file() -> Option<PathBuf> {
    dir().map(|d| d.join("recovery.gpkg"))
}

fn origin_file() -> Option<PathBuf> {
    dir().map(|d| d.join("origin.txt"))
}

/// Writes the recovery file (with where the project came from, if anywhere).
pub fn write(project: &Project, origin: Option<&std::path::Path>) -> anyhow::Result<()> {
    let (Some(dir), Some(file), Some(origin_file)) = (dir(), file(), origin_file()) else { return Ok(()) };
    std::fs::create_dir_all(&dir)?;
    // Written beside and renamed, so a crash during the write never leaves a half file to recover.
    let partial = dir.join("recovery.partial.gpkg");
    let _ = std::fs::remove_file(&partial);
    crate::io::save_project(project, &partial)?;
    std::fs::rename(&partial, &file)?;
    std::fs::write(origin_file, origin.map(|p| p.display().to_string()).unwrap_or_default())?;
    Ok(())
}

/// Removes the recovery file (after a save or a clean quit).
pub fn discard() {
    if let Some(f) = file() {
        let _ = std::fs::remove_file(f);
    }
    if let Some(f) = origin_file() {
        let _ = std::fs::remove_file(f);
    }
}

/// A recovery file left by a run that did not end cleanly.
pub struct Pending {
    pub file: PathBuf,
    pub origin: Option<PathBuf>,
    pub written: Option<SystemTime>,
}

pub fn pending() -> Option<Pending> {
    let file = file().filter(|f| f.is_file())?;
    let origin = origin_file()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .map(PathBuf::from);
    let written = std::fs::metadata(&file).and_then(|m| m.modified()).ok();
    Some(Pending { file, origin, written })
}
