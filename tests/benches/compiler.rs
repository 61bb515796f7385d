//! Compiler benchmarks (`cargo bench`, or `cargo bench -p mstage-tests --bench compiler`):
//! parse, plan (parse + instruction parsing + word expansion + stage planning) and compile
//! (all of that, lowering, op marshalling and encoding the `Definition`, as sent in
//! `Solve`) under the `--resolve none` conditions, for:
//!
//! - every `examples/*/Dockerfile` (found at run time);
//! - `synthetic-200`: `tests/benches/synthetic-200.Dockerfile`, 200 stages, 2,000
//!   instructions, 388 `COPY --from` (190 stages fanned in through 9 collector stages;
//!   scripts/gen-synthetic-dockerfile.sh);
//! - `chain-2000`: 2,000 stages, each `FROM` the previous one with one `RUN` and one
//!   `COPY --from` of an earlier stage (generated here);
//! - `corpus`: every Dockerfile of `../shared/conformance/real-world/` that lowers (read in
//!   place, relative to the repository).
//!
//! After criterion's own output a summary table gives the median compile time per
//! Dockerfile and per instruction (`MSTAGE_BENCH_SUMMARY=0` skips it).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use mstage_compiler::lower::{compile_blocking, plan, BuildRequest, NoneResolver};
use mstage_proto::prost::Message;

// The allocator of the mstage binary (frontend/src/main.rs), so the figures are the shipped
// frontend's.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Input {
    name: String,
    dockerfile: Vec<u8>,
    /// `BuildRequest::golden(dockerfile)`, made once (the gateway makes it from the opts).
    request: BuildRequest,
    instructions: usize,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn instructions(bytes: &[u8]) -> usize {
    mstage_syntax::parser::parse(bytes)
        .map(|d| d.instructions.len())
        .unwrap_or(0)
}

fn input(name: impl Into<String>, dockerfile: Vec<u8>) -> Input {
    Input {
        name: name.into(),
        instructions: instructions(&dockerfile),
        request: BuildRequest::golden(dockerfile.clone()),
        dockerfile,
    }
}

/// Parse, plan, lower, marshal and encode: what the gateway does between reading the
/// Dockerfile and sending `Solve`. Returns the encoded size so nothing is optimised away.
fn compile(req: &BuildRequest) -> usize {
    let out = compile_blocking(req, &NoneResolver).expect("compiles");
    out.iter()
        .map(|c| c.build.definition.encode_to_vec().len())
        .sum()
}

fn compiles(dockerfile: &[u8]) -> bool {
    compile_blocking(&BuildRequest::golden(dockerfile.to_vec()), &NoneResolver).is_ok()
}

fn examples() -> Vec<Input> {
    let mut out: Vec<Input> = std::fs::read_dir(repo_root().join("examples"))
        .map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|dir| {
            let bytes = std::fs::read(dir.join("Dockerfile")).ok()?;
            let name = format!("example-{}", dir.file_name()?.to_string_lossy());
            if !compiles(&bytes) {
                eprintln!("bench: {name} does not lower under --resolve none; skipped");
                return None;
            }
            Some(input(name, bytes))
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn synthetic() -> Input {
    input(
        "synthetic-200",
        include_bytes!("synthetic-200.Dockerfile").to_vec(),
    )
}

/// 2,000 stages: each `FROM` the previous one, one `RUN`, one `COPY --from` of the stage
/// halfway back (a long edge), so every stage is reachable from the last.
fn chain(stages: usize) -> Input {
    let mut s = String::from("FROM busybox:latest AS s0\nRUN echo 0 > /o0\n");
    for i in 1..stages {
        s.push_str(&format!(
            "FROM s{} AS s{i}\nRUN echo {i} > /o{i}\nCOPY --from=s{} /o{} /c{i}\n",
            i - 1,
            i / 2,
            i / 2
        ));
    }
    input(format!("chain-{stages}"), s.into_bytes())
}

/// The real-world corpus, in place; files that do not lower (the stock frontend refuses
/// some too) are left out and counted.
fn corpus() -> (Vec<Input>, usize) {
    let dir = repo_root().join("../shared/conformance/real-world");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    cases.sort();
    let mut skipped = 0;
    let mut out = Vec::new();
    for c in cases {
        let Ok(bytes) = std::fs::read(c.join("Dockerfile")) else {
            continue;
        };
        if compiles(&bytes) {
            out.push(input(c.file_name().unwrap().to_string_lossy(), bytes));
        } else {
            skipped += 1;
        }
    }
    if out.is_empty() {
        eprintln!("bench: no real-world corpus at {}", dir.display());
    }
    (out, skipped)
}

fn bench_one(c: &mut Criterion, i: &Input) {
    let mut g = c.benchmark_group(&i.name);
    g.throughput(Throughput::Elements(i.instructions as u64));
    if i.instructions > 1000 {
        g.sample_size(30);
    }
    let (df, req) = (&i.dockerfile, &i.request);
    g.bench_function("parse", |b| {
        b.iter(|| mstage_syntax::parser::parse(black_box(df)).unwrap())
    });
    g.bench_function("plan", |b| b.iter(|| plan(black_box(req)).unwrap()));
    g.bench_function("compile", |b| b.iter(|| compile(black_box(req))));
    g.finish();
}

fn bench_corpus(c: &mut Criterion, corpus: &[Input]) {
    if corpus.is_empty() {
        return;
    }
    let total: usize = corpus.iter().map(|i| i.instructions).sum();
    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Elements(total as u64));
    g.sample_size(20);
    g.bench_function(BenchmarkId::new("compile-all", corpus.len()), |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|i| compile(black_box(&i.request)))
                .sum::<usize>()
        })
    });
    g.finish();
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Median over `runs` of compiling every input once.
fn measure(inputs: &[&Input], runs: usize) -> Duration {
    for i in inputs {
        compile(&i.request);
    }
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                for i in inputs {
                    black_box(compile(&i.request));
                }
                t.elapsed()
            })
            .collect(),
    )
}

fn fmt(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn summary(rows: &[(String, Vec<&Input>)]) {
    println!();
    println!("compile (parse + plan + lower + encode), median:");
    println!(
        "{:<34} {:>6} {:>8} {:>12} {:>14} {:>14}",
        "input", "files", "instr", "total", "per file", "per instr"
    );
    for (name, inputs) in rows {
        if inputs.is_empty() {
            continue;
        }
        let instr: usize = inputs.iter().map(|i| i.instructions).sum();
        let runs = if instr > 1000 { 31 } else { 101 };
        let t = measure(inputs, runs);
        println!(
            "{:<34} {:>6} {:>8} {:>12} {:>14} {:>14}",
            name,
            inputs.len(),
            instr,
            fmt(t),
            fmt(t / inputs.len() as u32),
            fmt(t / instr.max(1) as u32)
        );
    }
}

fn main() {
    let examples = examples();
    let synthetic = synthetic();
    let chain = chain(2000);
    let (corpus, skipped) = corpus();

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for i in examples.iter().chain([&synthetic, &chain]) {
        bench_one(&mut c, i);
    }
    bench_corpus(&mut c, &corpus);
    c.final_summary();

    if std::env::var("MSTAGE_BENCH_SUMMARY").as_deref() == Ok("0") {
        return;
    }
    let mut rows: Vec<(String, Vec<&Input>)> =
        examples.iter().map(|i| (i.name.clone(), vec![i])).collect();
    rows.push((synthetic.name.clone(), vec![&synthetic]));
    rows.push((chain.name.clone(), vec![&chain]));
    rows.push((
        format!("corpus ({skipped} not lowering, left out)"),
        corpus.iter().collect(),
    ));
    summary(&rows);
}
