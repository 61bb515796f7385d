// Lowering allocates many small strings and vectors; mimalloc makes them about twice as
// cheap as the system allocator (measured in README, Performance).
#[global_allocator]
static ALLOC: mstage::alloc::Mimalloc = mstage::alloc::Mimalloc;

fn main() -> anyhow::Result<()> {
    mstage::cli::run()
}
