/// mimalloc: the checker builds and drops millions of small vectors; the system allocator was a
/// tenth of its time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    wangge::cli::main(wangge::app::run)
}
