//! Crash recovery: while there are unsaved changes, the project is written every minute to a recovery
//! file in the config directory; a clean save or quit removes it. If it is there at start, the last run
//! did not end cleanly and the app offers to recover it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use crate::core::Project;
use crate::io::FileStamp;

pub const INTERVAL: Duration = Duration::from_secs(60);
const FILE: &str = "recovery.gpkg";
const ORIGIN: &str = "origin.txt";

fn dir() -> Option<PathBuf> {
    crate::io::config_dir().map(|d| d.join("recovery"))
}

/// The per-minute recovery write, kept off the drawing path: the app's logic pass calls [`Autosave::tick`],
/// which hands a copy of the project to a background thread (one write at a time), so that writing a
/// large project never stalls a frame. Everything that removes the recovery file goes through
/// [`Autosave::discard`], which first waits for a write in flight (else that write could bring back the
/// file of work that was just saved).
pub struct Autosave {
    /// Where the recovery file goes; `None` (no config folder): nowhere.
    dir: Option<PathBuf>,
    interval: Duration,
    last: Instant,
    running: Option<JoinHandle<anyhow::Result<()>>>,
}

impl Default for Autosave {
    fn default() -> Autosave {
        Autosave::new(dir(), INTERVAL)
    }
}

impl Autosave {
    fn new(dir: Option<PathBuf>, interval: Duration) -> Autosave {
        Autosave { dir, interval, last: Instant::now(), running: None }
    }

    /// Starts a write when a minute has passed and there are unsaved changes. Returns the error of a
    /// write that finished since the last call, to be shown once.
    pub fn tick(
        &mut self,
        project: &Arc<Project>,
        unsaved: bool,
        origin: Option<&Path>,
        stamp: Option<&FileStamp>,
    ) -> Option<anyhow::Error> {
        let failed = match self.running.take_if(|h| h.is_finished()) {
            Some(handle) => outcome(handle),
            None => None,
        };
        if let Some(dir) = self.dir.clone().filter(|_| unsaved && self.running.is_none())
            && self.last.elapsed() >= self.interval
        {
            self.last = Instant::now();
            let (project, origin, stamp) = (Arc::clone(project), origin.map(Path::to_path_buf), stamp.copied());
            let write = move || write_in(&dir, &project, origin.as_deref(), stamp.as_ref());
            self.running = Some(std::thread::spawn(write));
        }
        failed
    }

    /// Waits for a write in flight, then removes the recovery file (after a save or a clean quit).
    pub fn discard(&mut self) {
        if let Some(handle) = self.running.take() {
            let _ = handle.join();
        }
        if let Some(dir) = &self.dir {
            discard_in(dir);
        }
    }
}

/// The error of a finished write, for the status bar.
fn outcome(handle: JoinHandle<anyhow::Result<()>>) -> Option<anyhow::Error> {
    match handle.join() {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e),
        Err(_) => Some(anyhow::anyhow!("the recovery writer stopped")),
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

    /// The autosave writes on its own thread, only with unsaved changes, and a discard after a save
    /// waits for a write in flight, so that no recovery file of saved work is left behind.
    #[test]
    fn autosave_writes_in_the_background_and_a_discard_waits_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Project::new("自动", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        p.add_grid(Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.)]])));
        let p = Arc::new(p);
        let mut autosave = Autosave::new(Some(dir.path().to_path_buf()), Duration::ZERO);
        assert!(autosave.tick(&p, false, None, None).is_none());
        assert!(autosave.running.is_none() && pending_in(dir.path()).is_none(), "nothing unsaved, nothing written");
        assert!(autosave.tick(&p, true, None, None).is_none());
        let handle = autosave.running.take().expect("a write started");
        handle.join().unwrap().unwrap();
        assert_eq!(crate::io::open_project(&pending_in(dir.path()).unwrap().file).unwrap().name, "自动");
        // A write in flight when the project is saved: the discard waits for it, then removes the file.
        assert!(autosave.tick(&p, true, None, None).is_none());
        autosave.discard();
        assert!(pending_in(dir.path()).is_none() && autosave.running.is_none());
        // A write that fails is said once.
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, "not a folder").unwrap();
        let mut autosave = Autosave::new(Some(blocked.join("recovery")), Duration::ZERO);
        assert!(autosave.tick(&p, true, None, None).is_none());
        while autosave.running.as_ref().is_some_and(|h| !h.is_finished()) {
            std::thread::sleep(Duration::from_millis(5));
        }
        autosave.interval = Duration::from_secs(3600);
        assert!(autosave.tick(&p, true, None, None).is_some(), "the failure is reported");
        assert!(autosave.tick(&p, true, None, None).is_none(), "once");
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
