/// mimalloc instead of glibc's allocator: in the ingress benchmark (BENCHMARKS.md) it gave
/// ~10–15% more events/s for ~12 MiB more resident memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    guestlist::cli::main()
}
