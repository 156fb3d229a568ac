/// mimalloc: markedly fewer cycles in malloc/free than glibc's allocator under many small
/// allocations across threads (measured in BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    guestlist::cli::main()
}
