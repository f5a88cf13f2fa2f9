//! The coverage check alone, repeated on one file in one process, for profiling (`perf record`,
//! `valgrind --tool=callgrind`) and for timings measured as `bench/compare_geos.py` measures GEOS: warm,
//! without the reading (BENCHMARKS.md, issue 13 item 2). Reads the file once, then checks a copy of its
//! polygons ROUNDS times as `wangge check FILE [--planar]` does (the file's CRS options, or planar ones)
//! and prints the best time of each phase and of the whole check (building the checker and its report),
//! in ms; with `--json`, one JSON object `{"check": ms, "phases": {...}}`.
//!
//! `cargo run --release --example check_loop -- FILE [ROUNDS] [--planar] [--json]`

use std::time::Instant;

use anyhow::Context;
use wangge::core::coverage::{Checker, CoverageOptions};
use wangge::io::check_input::{Subject, read_check_input};

/// As `wangge` itself allocates.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    // As `wangge` runs (src/main.rs): no transparent huge pages.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let args: Vec<String> = std::env::args().skip(1).collect();
    let planar = args.iter().any(|a| a == "--planar");
    let json = args.iter().any(|a| a == "--json");
    let mut positional = args.iter().filter(|a| !a.starts_with("--"));
    let path = positional.next().context("usage: check_loop FILE [ROUNDS] [--planar] [--json]")?.clone();
    let rounds: usize = positional.next().map(|r| r.parse()).transpose()?.unwrap_or(20);
    let input = read_check_input(std::path::Path::new(&path), None)?;
    let options = match input.default_options() {
        Some(options) if !planar => options,
        _ => CoverageOptions::planar(),
    };
    let items = match input.subject {
        Subject::Project { items, .. } | Subject::Layer { items, .. } => items,
    };
    let mut best_total = f64::INFINITY;
    let mut best_phases: Vec<(&'static str, f64)> = Vec::new();
    let mut findings = 0;
    for _ in 0..rounds {
        let copy = items.clone();
        let started = Instant::now();
        let checker = Checker::new(copy, None, Vec::new(), options.clone());
        let report = checker.report();
        best_total = best_total.min(started.elapsed().as_secs_f64() * 1e3);
        findings = report.findings.len();
        for &(name, ms) in checker.phase_timings() {
            match best_phases.iter_mut().find(|(n, _)| *n == name) {
                Some((_, best)) => *best = best.min(ms),
                None => best_phases.push((name, ms)),
            }
        }
    }
    if json {
        let phases: serde_json::Map<String, serde_json::Value> =
            best_phases.iter().map(|(n, ms)| (n.to_string(), serde_json::json!(ms))).collect();
        println!("{}", serde_json::json!({ "check": best_total, "phases": phases, "findings": findings }));
        return Ok(());
    }
    let phases: Vec<String> = best_phases.iter().map(|(n, ms)| format!("{n} {ms:.2}")).collect();
    println!("{path}: check {best_total:.2} ms (best of {rounds}), {findings} findings; {}", phases.join(", "));
    Ok(())
}
