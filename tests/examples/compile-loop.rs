//! Compiles one Dockerfile N times, as the `compile` benchmark does, without criterion, so
//! the loop can run under a profiler or an instruction counter, whose figures do not drift
//! with the machine's load. It prints the minimum, median and mean time per compile:
//!
//! ```sh
//! cargo build --release -p mstage-tests --example compile-loop
//! valgrind --tool=callgrind target/release/examples/compile-loop \
//!     tests/benches/synthetic-200.Dockerfile 10
//! ```
//!
//! `--no-checks` as a third argument leaves the build checks out, as a gateway build on an
//! engine without build warnings does (unless the Dockerfile says `# check=error=true`).
//!
//! Under valgrind, sha2 falls back to its portable SHA-256 (valgrind hides the SHA CPU
//! extensions), which adds about 14 million instructions per synthetic compile that a real
//! run does not spend.

use std::time::{Duration, Instant};

use mstage_compiler::lower::{compile_blocking, BuildRequest, NoneResolver};
use mstage_proto::prost::Message;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), count) = (args.next(), args.next()) else {
        anyhow::bail!("usage: compile-loop DOCKERFILE [COUNT] [--no-checks]");
    };
    let count: u32 = count.as_deref().unwrap_or("10").parse()?;
    let mut request = BuildRequest::golden(std::fs::read(&path)?);
    request.checks = args.next().as_deref() != Some("--no-checks");
    let mut times = Vec::with_capacity(count as usize);
    let mut bytes = 0;
    for _ in 0..count {
        let start = Instant::now();
        let out = compile_blocking(&request, &NoneResolver)?;
        bytes = out
            .iter()
            .map(|c| c.build.definition.encode_to_vec().len())
            .sum::<usize>();
        drop(out);
        times.push(start.elapsed());
    }
    times.sort();
    let total: Duration = times.iter().sum();
    // The minimum is the run least disturbed by other load on a shared machine.
    eprintln!(
        "{path}: {count} compiles, {bytes} bytes of Definition each; per compile: \
         min {:?}, median {:?}, mean {:?}",
        times.first().copied().unwrap_or_default(),
        times.get(times.len() / 2).copied().unwrap_or_default(),
        total / count.max(1),
    );
    Ok(())
}
