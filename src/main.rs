fn main() -> std::process::ExitCode {
    guestlist::cli::main()
}
