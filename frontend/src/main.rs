// The compiler makes many small short-lived allocations; mimalloc serves them about twice
// as fast as glibc's malloc (docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    mstage::cli::run()
}
