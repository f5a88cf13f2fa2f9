//! One error type for everything that reads or writes files: it always names the file and, where there is
//! one, the feature (1-based, as a user counts rows), then the problem.

use std::path::{Path, PathBuf};

use super::crs::CrsError;

#[derive(Debug, thiserror::Error)]
#[error("{}{}: {problem}", path.display(), feature.map(|n| format!(": feature {n}")).unwrap_or_default())]
pub struct IoError {
    pub path: PathBuf,
    pub feature: Option<usize>,
    /// Boxed: errors travel through every `Result` in io, and should stay small there.
    pub problem: Box<Problem>,
}

#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Crs(#[from] CrsError),
    #[error("{0}")]
    Geometry(String),
    #[error("{0}")]
    Format(String),
    #[error("{0}")]
    Attribute(String),
    #[error("{0}")]
    NotAProject(String),
    /// An import that would replace what the project has, refused until asked for.
    #[error("{0}")]
    WouldReplace(String),
    /// A save over a file that another program changed after it was read.
    #[error("{0}")]
    ChangedOnDisk(String),
    #[error(
        "this project was written by a newer Wangge (schema {found}); this version reads schema {supported} and older — update Wangge"
    )]
    NewerSchema { found: u32, supported: u32 },
    /// The user cancelled the job; what it was writing is left as it was.
    #[error("cancelled")]
    Cancelled(#[from] crate::core::progress::Cancelled),
}

impl IoError {
    pub fn new(path: &Path, problem: impl Into<Problem>) -> IoError {
        IoError { path: path.to_path_buf(), feature: None, problem: Box::new(problem.into()) }
    }

    pub fn at_feature(path: &Path, feature: usize, problem: impl Into<Problem>) -> IoError {
        IoError { path: path.to_path_buf(), feature: Some(feature), problem: Box::new(problem.into()) }
    }

    pub fn format(path: &Path, message: impl Into<String>) -> IoError {
        IoError::new(path, Problem::Format(message.into()))
    }
}

/// Attaches a path to lower-level errors in one call: `result.at(path)?`.
pub trait AtPath<T> {
    fn at(self, path: &Path) -> Result<T, IoError>;
}

impl<T, E: Into<Problem>> AtPath<T> for Result<T, E> {
    fn at(self, path: &Path) -> Result<T, IoError> {
        self.map_err(|e| IoError::new(path, e))
    }
}
