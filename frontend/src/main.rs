// The compiler makes many small short-lived allocations; mimalloc serves them about twice
// as fast as glibc's malloc (docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Errors are printed by [`mstage::cli::error_report`], not by returning them from `main`:
/// anyhow's `Debug` output, which `main` would use, appends a `Stack backtrace:` block
/// whenever `RUST_BACKTRACE`/`RUST_LIB_BACKTRACE` is set, and that helps no user.
fn main() -> std::process::ExitCode {
    match mstage::cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", mstage::cli::error_report(&e));
            std::process::ExitCode::FAILURE
        }
    }
}
