//! The last line of defence against a bug: a panic that still happens ends the command with one line,
//! "internal error: …", and exit status 70 (EX_SOFTWARE) — never a backtrace dump, never a damaged
//! project. Commands change a project only by saving it, in one SQLite transaction that a panic
//! unwinding through it rolls back, so a panic before or during a save leaves the file as it was.

use std::io::Write;
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::process::ExitCode;
use std::sync::Mutex;

/// Exit status of a command that met a bug (sysexits.h EX_SOFTWARE).
pub const EXIT_INTERNAL_ERROR: u8 = 70;

/// Where the last panic happened, recorded by the hook for the one-line message.
static LOCATION: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the default panic output (several lines on stderr) by a record of where it happened;
/// [`guarded`] prints the message. With RUST_BACKTRACE set, the default output stays, for developers.
pub fn install_quiet_hook() {
    if std::env::var_os("RUST_BACKTRACE").is_some() {
        return;
    }
    std::panic::set_hook(Box::new(|info: &PanicHookInfo<'_>| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
        if let Ok(mut slot) = LOCATION.lock() {
            *slot = location;
        }
    }));
}

/// The message a panic was raised with.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Runs a command; a panic in it becomes one line on `report` and exit status 70.
pub fn guarded(run: impl FnOnce() -> ExitCode, report: &mut dyn Write) -> ExitCode {
    match std::panic::catch_unwind(AssertUnwindSafe(run)) {
        Ok(code) => code,
        Err(payload) => {
            let message = panic_message(payload.as_ref()).replace('\n', " ");
            let location = LOCATION.lock().ok().and_then(|mut l| l.take());
            let at = location.map(|l| format!(" (at {l})")).unwrap_or_default();
            let _ = writeln!(
                report,
                "internal error: {message}{at} — this is a bug in Wangge; nothing was saved, please report it"
            );
            ExitCode::from(EXIT_INTERNAL_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Crs, CrsUnits, Grid, Project};
    use crate::io::import::{ImportOptions, Target, import_layer, read_source};
    use geo::{MultiPolygon, polygon};

    fn code_of(code: ExitCode) -> String {
        format!("{code:?}")
    }

    #[test]
    fn a_panic_is_one_line_and_exit_70() {
        let mut out = Vec::new();
        let code = guarded(|| panic!("index out of bounds: the len is 0 but the index is 0"), &mut out);
        assert_eq!(code_of(code), code_of(ExitCode::from(70)));
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.starts_with("internal error: index out of bounds"), "{text}");
        let formatted = guarded(|| panic!("{} grids", 3), &mut Vec::new());
        assert_eq!(code_of(formatted), code_of(ExitCode::from(70)));
        let mut quiet = Vec::new();
        assert_eq!(code_of(guarded(|| ExitCode::from(2), &mut quiet)), code_of(ExitCode::from(2)));
        assert!(quiet.is_empty());
    }

    /// A real panic in the middle of an import into an existing project (raised from the progress
    /// callback the import calls between features): exit 70, and the project file is byte for byte
    /// what it was.
    #[test]
    fn a_panic_during_an_import_leaves_the_project_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let project_path = dir.path().join("p.gpkg");
        let mut project = Project::new("p", Crs { epsg: 4548, name: "GK".into(), units: CrsUnits::Metres });
        project.add_grid(Grid::new(MultiPolygon(vec![polygon![
            (x: 500000., y: 3400000.), (x: 501000., y: 3400000.), (x: 501000., y: 3401000.), (x: 500000., y: 3400000.)
        ]])));
        crate::io::save_project(&project, &project_path).unwrap();
        let before = std::fs::read(&project_path).unwrap();
        let src = dir.path().join("grids.geojson");
        std::fs::write(
            &src,
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[118.4,30.7],[118.41,30.7],[118.41,30.71],[118.4,30.7]]]}}"#,
        )
        .unwrap();
        let mut report = Vec::new();
        let code = guarded(
            || {
                let mut project = crate::io::open_project(&project_path).unwrap();
                let source = read_source(&src, None).unwrap();
                let mut progress = |done: usize, _total: usize| {
                    let grids: Vec<u64> = Vec::new();
                    let _ = grids[done]; // the kind of slip a bug would be: indexing past the end
                };
                let _ = import_layer(&mut project, &source, Target::Grids, &ImportOptions::default(), &mut progress);
                crate::io::save_project(&project, &project_path).unwrap();
                ExitCode::SUCCESS
            },
            &mut report,
        );
        assert_eq!(code_of(code), code_of(ExitCode::from(70)));
        assert!(String::from_utf8(report).unwrap().starts_with("internal error: index out of bounds"));
        assert_eq!(std::fs::read(&project_path).unwrap(), before, "the project was not touched");
    }
}
