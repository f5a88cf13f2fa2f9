//! The rings of the code, kept by a test rather than by the guide alone: `src/core` (model and rules)
//! names no GUI, no database and no file system; no ring reaches out to a ring outside it
//! (core ← io ← text ← print ← app, cli), and only `src/app` uses egui.

use std::path::{Path, PathBuf};

/// Every .rs file under `dir`, with its text stripped of comments (a doc comment may say "no egui").
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code: String =
                    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
                out.push((path, code));
            }
        }
    }
    out.sort();
    out
}

/// The places in `ring` that name one of `forbidden`.
fn offences(ring: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = sources(&root.join(ring));
    assert!(!files.is_empty(), "src/{ring} has no sources");
    let mut found = Vec::new();
    for (path, code) in files {
        for (n, line) in code.lines().enumerate() {
            for word in forbidden {
                if line.contains(word) {
                    found.push(format!("{}:{}: {word}", path.display(), n + 1));
                }
            }
        }
    }
    found
}

const GUI: [&str; 3] = ["egui", "eframe", "rfd::"];

#[test]
fn the_core_names_no_gui_no_database_no_file_system_and_no_outer_ring() {
    let mut forbidden =
        vec!["rusqlite", "postgres", "std::fs", "fs::", "clap", "crate::io", "crate::text", "crate::print"];
    forbidden.extend(["crate::app", "crate::cli", "crate::guard"]);
    forbidden.extend(GUI);
    let found = offences("core", &forbidden);
    assert!(found.is_empty(), "src/core must stay pure:\n{}", found.join("\n"));
}

#[test]
fn no_ring_reaches_out_and_only_the_app_uses_egui() {
    let rules: [(&str, &[&str]); 4] = [
        ("io", &["crate::text", "crate::print", "crate::app", "crate::cli", "crate::guard"]),
        ("text", &["crate::print", "crate::app", "crate::cli", "crate::guard", "clap"]),
        ("print", &["crate::app", "crate::cli"]),
        ("cli", &["crate::app"]),
    ];
    let mut found = Vec::new();
    for (ring, outer) in rules {
        let mut forbidden = outer.to_vec();
        forbidden.extend(GUI);
        found.extend(offences(ring, &forbidden));
    }
    assert!(found.is_empty(), "arrows that run out of their ring:\n{}", found.join("\n"));
}
