//! Has a project file changed on disk since we read or wrote it? Another program (QGIS, GDAL, or
//! `wangge code` while the app has the project open) may have saved over it; saving our copy then would
//! throw their work away without a word. A [`FileStamp`] is taken when a file is read and after each of
//! our own saves; a save over a file whose stamp differs asks first (the app) or is refused (the CLI).
//!
//! The stamp is the size, the modification time, the file's identity on disk (a save that writes a new
//! file and renames it over the old one gives a new one) and a hash of the first and last 64 KiB: SQLite
//! counts every committed write in the first page, so an edit in place within the clock's resolution is
//! seen too. A `-wal` file beside it (changes another program has committed but not yet checkpointed)
//! is part of the stamp.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::error::{AtPath, IoError, Problem};
use super::{open_project_with, save_project_with};
use crate::core::Project;
use crate::core::progress::{NoProgress, Progress};

/// Bytes hashed at each end of the file.
const HASHED_BYTES: u64 = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub len: u64,
    /// Nanoseconds since 1970 (0 where the file system does not say).
    pub modified_ns: u128,
    /// The file's identity on its device (the inode on Unix; 0 elsewhere).
    pub identity: u64,
    /// FNV-1a of the first and last [`HASHED_BYTES`].
    pub digest: u64,
    /// Size and modification time of a `-wal` file beside it, if there is a non-empty one.
    pub wal: Option<(u64, u128)>,
}

impl FileStamp {
    /// The stamp of the file as it is now; `None` when there is no file.
    pub fn read(path: &Path) -> std::io::Result<Option<FileStamp>> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        let len = meta.len();
        let mut hash = Fnv::default();
        let mut buffer = Vec::with_capacity(HASHED_BYTES as usize);
        (&mut file).take(HASHED_BYTES).read_to_end(&mut buffer)?;
        hash.write(&buffer);
        if len > HASHED_BYTES {
            let tail_start = (len - HASHED_BYTES).max(HASHED_BYTES);
            file.seek(SeekFrom::Start(tail_start))?;
            buffer.clear();
            file.take(HASHED_BYTES).read_to_end(&mut buffer)?;
            hash.write(&buffer);
        }
        let wal = std::fs::metadata(wal_path(path))
            .ok()
            .filter(|m| m.is_file() && m.len() > 0)
            .map(|m| (m.len(), modified_ns(&m)));
        Ok(Some(FileStamp { len, modified_ns: modified_ns(&meta), identity: identity(&meta), digest: hash.0, wal }))
    }

    /// Whether the file at `path` is no longer the one stamped `recorded` (`None`: there was no file).
    /// A file that is gone has not changed in a way a save could lose: nothing is overwritten.
    pub fn changed_since(path: &Path, recorded: Option<&FileStamp>) -> std::io::Result<bool> {
        Ok(match FileStamp::read(path)? {
            None => false,
            Some(now) => recorded != Some(&now),
        })
    }

    /// One line of text, to keep with a recovery file.
    pub fn to_text(&self) -> String {
        let wal = self.wal.map(|(len, ns)| format!(" {len} {ns}")).unwrap_or_default();
        format!("{} {} {} {:016x}{wal}", self.len, self.modified_ns, self.identity, self.digest)
    }

    /// Reads back [`FileStamp::to_text`]; `None` for anything else.
    pub fn parse(text: &str) -> Option<FileStamp> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let wal = match parts.get(4..) {
            Some([len, ns]) => Some((len.parse().ok()?, ns.parse().ok()?)),
            Some([]) => None,
            _ => return None,
        };
        Some(FileStamp {
            len: parts.first()?.parse().ok()?,
            modified_ns: parts.get(1)?.parse().ok()?,
            identity: parts.get(2)?.parse().ok()?,
            digest: u64::from_str_radix(parts.get(3)?, 16).ok()?,
            wal,
        })
    }
}

fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn modified_ns(meta: &std::fs::Metadata) -> u128 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos())
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.ino()
}

#[cfg(not(unix))]
fn identity(_meta: &std::fs::Metadata) -> u64 {
    0
}

/// 64-bit FNV-1a: stable across runs and versions (the stamp is kept with a recovery file).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Opens a project and stamps the file it was read from. A file that changes while it is read is read
/// again (once), so the stamp always belongs to what was read.
pub fn open_project_stamped(path: &Path) -> Result<(Project, Option<FileStamp>), IoError> {
    open_project_stamped_with(path, &NoProgress)
}

/// [`open_project_stamped`], reporting its progress.
pub fn open_project_stamped_with(
    path: &Path,
    progress: &dyn Progress,
) -> Result<(Project, Option<FileStamp>), IoError> {
    // Stamped opens are for commands that save to the file afterwards.
    super::location::refuse_database_save(path)?;
    let mut tries = 0;
    loop {
        let before = FileStamp::read(path).at(path)?;
        let project = open_project_with(path, progress)?;
        let after = FileStamp::read(path).at(path)?;
        tries += 1;
        // Opening may roll back the journal of an interrupted save: then the second read is the stamp.
        if before == after || tries == 2 {
            return Ok((project, after));
        }
    }
}

/// Saves `project` over `path` only if the file is still the one stamped `read` when the project was
/// loaded (`None`: there was none); returns the new stamp. One place for every command that loads and
/// saves a project in one run, so none of them overwrites what another program saved in between.
pub fn save_project_unchanged(
    project: &Project,
    path: &Path,
    read: Option<&FileStamp>,
) -> Result<Option<FileStamp>, IoError> {
    save_project_unchanged_with(project, path, read, &NoProgress)
}

/// [`save_project_unchanged`], reporting its progress.
pub fn save_project_unchanged_with(
    project: &Project,
    path: &Path,
    read: Option<&FileStamp>,
    progress: &dyn Progress,
) -> Result<Option<FileStamp>, IoError> {
    if FileStamp::changed_since(path, read).at(path)? {
        return Err(IoError::new(path, Problem::ChangedOnDisk));
    }
    save_project_with(project, path, None, progress)?;
    FileStamp::read(path).at(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Crs, CrsUnits, Grid};
    use crate::io::save_project;
    use geo::{MultiPolygon, polygon};

    fn project(name: &str) -> Project {
        let mut p = Project::new(name, Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        p.add_grid(Grid::new(MultiPolygon(vec![polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.)]])));
        p
    }

    #[test]
    fn a_stamp_sees_every_kind_of_change_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.bin");
        assert_eq!(FileStamp::read(&path).unwrap(), None);
        let mut bytes = vec![7u8; 300_000];
        std::fs::write(&path, &bytes).unwrap();
        let stamp = FileStamp::read(&path).unwrap().unwrap();
        assert_eq!(FileStamp::read(&path).unwrap(), Some(stamp), "reading it changes nothing");
        assert!(!FileStamp::changed_since(&path, Some(&stamp)).unwrap());
        // Another program writes one byte in the first page, keeping size and modification time.
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        bytes[24] = 8;
        std::fs::write(&path, &bytes).unwrap();
        File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
        let in_place = FileStamp::read(&path).unwrap().unwrap();
        assert_eq!((in_place.len, in_place.modified_ns), (stamp.len, stamp.modified_ns));
        assert!(FileStamp::changed_since(&path, Some(&stamp)).unwrap(), "same size and time, other content");
        // The same content written anew beside and renamed over it: another file.
        let beside = dir.path().join("p.bin.tmp");
        std::fs::write(&beside, &bytes).unwrap();
        File::options().write(true).open(&beside).unwrap().set_modified(modified).unwrap();
        std::fs::rename(&beside, &path).unwrap();
        let renamed = FileStamp::read(&path).unwrap().unwrap();
        assert_eq!(renamed.digest, in_place.digest);
        assert!(cfg!(not(unix)) || renamed != in_place, "a new inode is a change");
        // Committed changes waiting in a -wal file are a change too.
        std::fs::write(dir.path().join("p.bin-wal"), b"frames").unwrap();
        assert!(FileStamp::changed_since(&path, Some(&renamed)).unwrap());
        // A file that did not exist when read, and does now, has changed; one that is gone has not.
        assert!(FileStamp::changed_since(&path, None).unwrap());
        assert!(!FileStamp::changed_since(&dir.path().join("gone.gpkg"), Some(&stamp)).unwrap());
        // The text form reads back.
        let with_wal = FileStamp::read(&path).unwrap().unwrap();
        for s in [stamp, with_wal] {
            assert_eq!(FileStamp::parse(&s.to_text()), Some(s));
        }
        assert_eq!(FileStamp::parse("12 nonsense"), None);
        assert_eq!(FileStamp::parse(""), None);
    }

    #[test]
    fn a_save_refuses_to_overwrite_a_file_changed_since_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.gpkg");
        save_project(&project("first"), &path).unwrap();
        let (mut mine, stamp) = open_project_stamped(&path).unwrap();
        assert!(stamp.is_some());
        // Another program saves in between.
        save_project(&project("theirs"), &path).unwrap();
        mine.name = "mine".into();
        let before = std::fs::read(&path).unwrap();
        let e = save_project_unchanged(&mine, &path, stamp.as_ref()).unwrap_err().to_string();
        assert!(e.contains("p.gpkg") && e.contains("changed by another program"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written");
        // Read again: now it saves, and the returned stamp is the file's.
        let (mine, stamp) = open_project_stamped(&path).unwrap();
        let new = save_project_unchanged(&mine, &path, stamp.as_ref()).unwrap();
        assert_eq!(new, FileStamp::read(&path).unwrap());
        // A new file: saved when nothing appeared in between, refused when something did.
        let fresh = dir.path().join("new.gpkg");
        assert!(save_project_unchanged(&mine, &fresh, None).unwrap().is_some());
        let e = save_project_unchanged(&mine, &fresh, None).unwrap_err().to_string();
        assert!(e.contains("changed by another program"), "{e}");
    }
}
