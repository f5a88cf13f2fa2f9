//! Crash recovery: while there are unsaved changes, the project is written every minute to a recovery
//! file in the config directory; a clean save or quit removes it. If it is there at start, the last run
//! did not end cleanly and the app offers to recover it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::core::Project;
use crate::io::FileStamp;

pub const INTERVAL: Duration = Duration::from_secs(60);
const FILE: &str = "recovery.gpkg";
const ORIGIN: &str = "origin.txt";

fn dir() -> Option<PathBuf> {
    crate::io::config_dir().map(|d| d.join("recovery"))
}

/// Writes the recovery file with where the project came from (if anywhere) and that file's stamp as it
/// was read, so that saving the recovered work over it asks first if it changed since.
pub fn write(project: &Project, origin: Option<&Path>, stamp: Option<&FileStamp>) -> anyhow::Result<()> {
    match dir() {
        Some(dir) => write_in(&dir, project, origin, stamp),
        None => Ok(()),
    }
}

/// Removes the recovery file (after a save or a clean quit).
pub fn discard() {
    if let Some(dir) = dir() {
        discard_in(&dir);
    }
}

/// After a panic in the app: writes the unsaved work to the recovery file, which the next start offers,
/// and says what happened on stderr (one line). Returns the line. A project without unsaved changes
/// is on disk already and is not written again.
pub fn save_after_panic(
    project: &Project,
    origin: Option<&Path>,
    stamp: Option<&FileStamp>,
    unsaved: bool,
    message: &str,
) -> String {
    match dir() {
        Some(dir) => save_after_panic_in(&dir, project, origin, stamp, unsaved, message),
        None => format!("internal error: {message} — there is no config folder to write unsaved work to"),
    }
}

fn save_after_panic_in(
    dir: &Path,
    project: &Project,
    origin: Option<&Path>,
    stamp: Option<&FileStamp>,
    unsaved: bool,
    message: &str,
) -> String {
    let outcome = if !unsaved {
        "there were no unsaved changes".to_string()
    } else {
        match write_in(dir, project, origin, stamp) {
            Ok(()) => {
                format!("the unsaved work is in {} and will be offered at the next start", dir.join(FILE).display())
            }
            Err(e) => format!("the unsaved work could not be written: {e:#}"),
        }
    };
    let line = format!("internal error: {message} — this is a bug in Wangge; {outcome}");
    eprintln!("{line}");
    line
}

/// A recovery file left by a run that did not end cleanly.
pub fn pending() -> Option<Pending> {
    pending_in(&dir()?)
}

fn write_in(dir: &Path, project: &Project, origin: Option<&Path>, stamp: Option<&FileStamp>) -> anyhow::Result<()> {
    let (file, origin_file) = (dir.join(FILE), dir.join(ORIGIN));
    std::fs::create_dir_all(dir)?;
    // Written beside and renamed, so a crash during the write never leaves a half file to recover.
    let partial = dir.join("recovery.partial.gpkg");
    let _ = std::fs::remove_file(&partial);
    crate::io::save_project(project, &partial)?;
    std::fs::rename(&partial, &file)?;
    let mut text = origin.map(|p| p.display().to_string()).unwrap_or_default();
    if let Some(stamp) = stamp.filter(|_| origin.is_some()) {
        text = format!("{text}\n{}", stamp.to_text());
    }
    std::fs::write(origin_file, text)?;
    Ok(())
}

fn discard_in(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(FILE));
    let _ = std::fs::remove_file(dir.join(ORIGIN));
}

/// A recovery file left by a run that did not end cleanly.
pub struct Pending {
    pub file: PathBuf,
    pub origin: Option<PathBuf>,
    /// The origin file's stamp when the project was read from it (or last saved to it).
    pub origin_stamp: Option<FileStamp>,
    pub written: Option<SystemTime>,
}

fn pending_in(dir: &Path) -> Option<Pending> {
    let file = Some(dir.join(FILE)).filter(|f| f.is_file())?;
    let text = std::fs::read_to_string(dir.join(ORIGIN)).unwrap_or_default();
    let mut lines = text.lines();
    let origin = lines.next().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).map(PathBuf::from);
    let origin_stamp = lines.next().and_then(FileStamp::parse);
    let written = std::fs::metadata(&file).and_then(|m| m.modified()).ok();
    Some(Pending { file, origin, origin_stamp, written })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Crs, CrsUnits, Grid};
    use geo::{MultiPolygon, polygon};

    #[test]
    fn a_written_recovery_file_is_offered_with_its_origin_until_discarded() {
        let dir = tempfile::tempdir().unwrap();
        assert!(pending_in(dir.path()).is_none());
        let mut p = Project::new("恢复测试", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        p.add_grid(Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.)]])));
        let origin = dir.path().join("work.gpkg");
        crate::io::save_project(&p, &origin).unwrap();
        let stamp = FileStamp::read(&origin).unwrap();
        write_in(dir.path(), &p, Some(&origin), stamp.as_ref()).unwrap();
        let found = pending_in(dir.path()).expect("offered after a crash");
        assert_eq!(found.origin.as_deref(), Some(origin.as_path()));
        assert_eq!(found.origin_stamp, stamp, "the origin's stamp comes back with it");
        assert!(found.written.is_some());
        let recovered = crate::io::open_project(&found.file).unwrap();
        assert_eq!(recovered.grids, p.grids);
        assert_eq!(recovered.name, "恢复测试");
        // Written again a minute later: replaced, never a half file.
        p.name = "第二次".into();
        write_in(dir.path(), &p, None, None).unwrap();
        let found = pending_in(dir.path()).unwrap();
        assert_eq!(found.origin, None, "a project never saved has no origin");
        assert_eq!(crate::io::open_project(&found.file).unwrap().name, "第二次");
        assert!(!dir.path().join("recovery.partial.gpkg").exists());
        discard_in(dir.path());
        assert!(pending_in(dir.path()).is_none());
    }

    /// What the app does when a panic is caught in a frame, without a window: the unsaved project goes
    /// to the recovery file, which is then offered as after any crash.
    #[test]
    fn a_panic_writes_the_unsaved_work_for_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Project::new("崩溃", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        p.add_grid(Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.)]])));
        let origin = dir.path().join("work.gpkg");
        let message = "index out of bounds";
        let line = save_after_panic_in(dir.path(), &p, Some(&origin), None, false, message);
        assert!(line.contains("no unsaved changes"), "{line}");
        assert!(pending_in(dir.path()).is_none(), "nothing unsaved, nothing written");
        let line = save_after_panic_in(dir.path(), &p, Some(&origin), None, true, message);
        assert!(line.starts_with("internal error: index out of bounds"), "{line}");
        assert_eq!(line.lines().count(), 1);
        let found = pending_in(dir.path()).expect("offered at the next start");
        assert_eq!(found.origin.as_deref(), Some(origin.as_path()));
        assert_eq!(crate::io::open_project(&found.file).unwrap().grids, p.grids);
    }
}
