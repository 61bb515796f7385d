// The compiler makes many small short-lived allocations; mimalloc serves them about twice
// as fast as glibc's malloc (docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Errors are printed by [`mstage::cli::error_report`], not by returning them from `main`:
/// anyhow's `Debug` output, which `main` would use, appends a `Stack backtrace:` block
/// whenever `RUST_BACKTRACE`/`RUST_LIB_BACKTRACE` is set, and that helps no user.
fn main() -> std::process::ExitCode {
    // The CLI runs on a thread with a large stack: the shell expander recurses once per
    // `${` nesting level, and BuildKit (Go's growable stacks) accepts thousands of levels.
    // Only the pages a compile touches are ever committed.
    let cli = std::thread::Builder::new()
        .name("mstage".into())
        .stack_size(mstage::COMPILE_STACK_BYTES)
        .spawn(mstage::cli::run);
    match cli.map_err(anyhow::Error::from).and_then(|t| {
        t.join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error: the CLI thread panicked")))
    }) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", mstage::cli::error_report(&e));
            std::process::ExitCode::FAILURE
        }
    }
}
