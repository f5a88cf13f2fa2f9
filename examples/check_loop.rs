//! The coverage check alone, repeated on one file, for profiling (`perf record`) and for per-phase
//! timings without the reading (BENCHMARKS.md, issue 13 item 2). Reads the file once, then checks a
//! copy of its polygons ROUNDS times as `wangge check --planar` does and prints the best time of each
//! phase and of the whole check (building the checker and its report), in ms.
//!
//! `cargo run --release --example check_loop -- FILE [ROUNDS]`

use std::time::Instant;

use anyhow::Context;
use wangge::core::coverage::{Checker, CoverageOptions};
use wangge::io::check_input::{Subject, read_check_input};

/// As `wangge` itself allocates.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().context("usage: check_loop FILE [ROUNDS]")?;
    let rounds: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(20);
    let input = read_check_input(std::path::Path::new(&path), None)?;
    let items = match input.subject {
        Subject::Project { items, .. } | Subject::Layer { items, .. } => items,
    };
    let mut best_total = f64::INFINITY;
    let mut best_phases: Vec<(&'static str, f64)> = Vec::new();
    let mut findings = 0;
    for _ in 0..rounds {
        let copy = items.clone();
        let started = Instant::now();
        let checker = Checker::new(copy, None, Vec::new(), CoverageOptions::planar());
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
    let phases: Vec<String> = best_phases.iter().map(|(n, ms)| format!("{n} {ms:.2}")).collect();
    println!("{path}: check {best_total:.2} ms (best of {rounds}), {findings} findings; {}", phases.join(", "));
    Ok(())
}
