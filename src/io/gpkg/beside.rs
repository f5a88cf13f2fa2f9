//! Replacing a file whole: the new content is written to a temporary file in the same folder, flushed to
//! disk, and renamed over the target, and then the folder is flushed. The target path therefore names a
//! complete file at every instant, on its own — whoever opens or copies it, whenever the writer dies.
//!
//! A temporary file is locked while its writer lives, so one left behind by a killed save is recognised
//! (its lock is free) and removed by the next save of the same file. Its name starts with a dot and does not
//! end in `.gpkg`, so no file dialog offers it and nothing opens it by mistake.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const TEMP_SUFFIX: &str = ".wangge-saving";

/// A temporary file beside the target, locked by this process; removed on drop unless renamed over it.
pub struct Beside {
    path: PathBuf,
    target: PathBuf,
    locked: File,
    renamed: bool,
}

impl Beside {
    /// Creates an empty temporary file beside `target`, after removing those of killed saves.
    pub fn create(target: &Path) -> io::Result<Beside> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        remove_stale(target);
        let name = file_name(target)?;
        loop {
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
            let unique = format!("{}-{nanos}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
            let path = folder_of(target).join(format!(".{name}.{unique}{TEMP_SUFFIX}"));
            match OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
                Ok(locked) => {
                    // Where the file system has no locks, stale files are merely left behind.
                    let _ = locked.lock();
                    return Ok(Beside { path, target: target.to_path_buf(), locked, renamed: false });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the finished file to disk, renames it over the target and flushes the folder, so that after
    /// a power cut the folder holds either the old file or the new one, both complete.
    pub fn replace_target(mut self) -> io::Result<()> {
        self.locked.sync_all()?;
        std::fs::rename(&self.path, &self.target)?;
        self.renamed = true;
        sync_folder(&folder_of(&self.target))
    }
}

impl Drop for Beside {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn file_name(target: &Path) -> io::Result<String> {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))
}

fn folder_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// True for the name of a temporary file that a save of `target_name` makes.
fn is_temp_of(name: &str, target_name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(target_name))
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|rest| rest.ends_with(TEMP_SUFFIX) && !rest.contains(['/', '\\']))
}

/// Removes the temporary files of saves of `target` whose writer is gone (nobody holds their lock).
pub fn remove_stale(target: &Path) {
    let Ok(name) = file_name(target) else { return };
    let Ok(entries) = std::fs::read_dir(folder_of(target)) else { return };
    for entry in entries.flatten() {
        if !is_temp_of(&entry.file_name().to_string_lossy(), &name) {
            continue;
        }
        let path = entry.path();
        let Ok(file) = OpenOptions::new().read(true).write(true).open(&path) else { continue };
        if file.try_lock().is_ok() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(unix)]
fn sync_folder(folder: &Path) -> io::Result<()> {
    File::open(folder)?.sync_all()
}

#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> io::Result<()> {
    // Windows makes a rename durable through the file system's own journal; folders cannot be opened.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temps(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(TEMP_SUFFIX))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_target_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("p.gpkg");
        std::fs::write(&target, "old").unwrap();
        let temp = Beside::create(&target).unwrap();
        std::fs::write(temp.path(), "new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        temp.replace_target().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(temps(dir.path()).is_empty());
        // Abandoned (an error while writing): the temporary file goes, the target stays.
        let temp = Beside::create(&target).unwrap();
        std::fs::write(temp.path(), "half").unwrap();
        drop(temp);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(temps(dir.path()).is_empty());
    }

    #[test]
    fn stale_temporary_files_are_removed_but_live_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("p.gpkg");
        // Left by a killed save: nobody holds its lock.
        let stale = dir.path().join(format!(".p.gpkg.1-2-3{TEMP_SUFFIX}"));
        std::fs::write(&stale, "half").unwrap();
        // Another file's temporary file and an unrelated file are not touched.
        let other = dir.path().join(format!(".q.gpkg.1-2-3{TEMP_SUFFIX}"));
        std::fs::write(&other, "half").unwrap();
        std::fs::write(dir.path().join("p.gpkg.bak"), "mine").unwrap();
        let live = Beside::create(&target).unwrap();
        assert!(!stale.exists());
        assert!(other.exists() && dir.path().join("p.gpkg.bak").exists());
        // A save in progress (its lock held) keeps its file when another save starts.
        let second = Beside::create(&target).unwrap();
        assert!(live.path().exists() && second.path().exists());
        assert_ne!(live.path(), second.path());
    }

    #[test]
    fn temporary_names_are_recognised_exactly() {
        assert!(is_temp_of(".p.gpkg.12-34-0.wangge-saving", "p.gpkg"));
        assert!(!is_temp_of(".p.gpkg.wangge-saving.x", "p.gpkg"));
        assert!(!is_temp_of("p.gpkg.12.wangge-saving", "p.gpkg"));
        assert!(!is_temp_of(".pp.gpkg.12.wangge-saving", "p.gpkg"));
        assert!(!is_temp_of(".p.gpkg", "p.gpkg"));
    }
}
