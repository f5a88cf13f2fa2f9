fn main() -> std::process::ExitCode {
    wangge::cli::main()
}
