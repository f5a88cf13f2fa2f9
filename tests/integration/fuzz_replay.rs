//! Replays every fuzz input kept in the repository — the seeds, the minimised corpus and every crash
//! reproducer the fuzzers found (see FUZZING.md) — through the same entry points the fuzz targets call
//! (`wangge::io::untrusted`), so that CI keeps every crash fixed without running a fuzzer.

use std::path::{Path, PathBuf};

use wangge::io::untrusted;

type Target = fn(&[u8]) -> bool;

const TARGETS: [(&str, Target); 6] = [
    ("geojson", untrusted::geojson),
    ("shapefile", untrusted::shapefile),
    ("gpkg_blob", untrusted::gpkg_blob),
    ("csv", untrusted::csv),
    ("wkt", untrusted::wkt),
    ("geotiff", untrusted::geotiff),
];

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_kept_fuzz_input_is_read_without_a_panic() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, run) in TARGETS {
        let (mut inputs, mut accepted) = (0, 0);
        for folder in ["seeds", "corpus", "artifacts"] {
            for file in files_in(&fuzz.join(folder).join(name)) {
                let bytes = std::fs::read(&file).unwrap();
                let outcome = std::panic::catch_unwind(|| run(&bytes));
                let ok = outcome.unwrap_or_else(|_| panic!("{name}: {} panics", file.display()));
                inputs += 1;
                accepted += usize::from(ok);
            }
        }
        assert!(inputs >= 3, "{name}: the fuzz inputs are missing from {}", fuzz.display());
        // The seeds are real files: some inputs of every target must get all the way through.
        assert!(accepted >= 1, "{name}: none of {inputs} inputs was accepted");
    }
}

/// The shapefile target's one input holds three files; a seed splits back into the files it was
/// made of.
#[test]
fn a_shapefile_fuzz_input_splits_into_its_parts() {
    let joined = untrusted::join_shapefile_input(b"shp", b"dbf!", b"PROJCS");
    assert_eq!(untrusted::split_shapefile_input(&joined), (&b"shp"[..], &b"dbf!"[..], &b"PROJCS"[..]));
    // Lengths past the end are cut to what is there.
    let mut lying = joined.clone();
    lying[0] = 200;
    assert_eq!(untrusted::split_shapefile_input(&lying), (&joined[8..], &b""[..], &b""[..]));
    assert_eq!(untrusted::split_shapefile_input(&[1, 2]), (&b""[..], &b""[..], &b""[..]));
}
