/// mimalloc: the checker builds and drops millions of small vectors; the system allocator was a
/// tenth of its time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    no_transparent_huge_pages();
    wangge::cli::main(wangge::app::run)
}

/// Transparent huge pages off for this process (Linux). mimalloc asks for
/// them on its arenas, so every fresh 2 MiB of heap is faulted in and zeroed at once; on the virtual
/// machines Wangge is measured on, that cost 0.25–0.35 s of system time in half the runs of
/// `wangge check` on 100,000 grids (408–509 ms against 167–244 ms), and with 4 KiB pages it stays at
/// 0.05 s every run (183–274 ms). The warm check is as fast either way (BENCHMARKS.md, issue 13).
fn no_transparent_huge_pages() {
    // A kernel without the flag leaves things as they were: nothing to report.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}
