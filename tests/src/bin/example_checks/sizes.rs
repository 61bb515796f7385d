//! Image sizes: measured per example into `sizes.tsv` (kept across runs: a run of some
//! examples updates their rows only), shown as a Markdown table, written into the READMEs
//! between `<!-- sizes -->` and `<!-- /sizes -->` on request.

use std::fs;
use std::path::Path;

use anyhow::Context;

use crate::run::{Log, Shared};

/// Bytes of the image's unpacked layers. 20.10 reports them as `.Size` (the files' sizes
/// added up); on the containerd store `.Size` is the compressed content, so the engine's
/// unpacked snapshot size instead (`docker image ls --tree`: disk usage minus content),
/// which is disk usage in whole blocks: larger than 20.10's figure for images of many small
/// files (node_modules: +25% and more), the same for large files.
pub fn size_of(shared: &Shared, image: &str) -> anyhow::Result<u64> {
    if shared.containerd_store {
        let summary = shared.docker.image_manifest_summary(image)?;
        summary["ImageData"]["Size"]["Unpacked"]
            .as_u64()
            .with_context(|| format!("{image}: no unpacked size in {summary}"))
    } else {
        let size = shared.docker.image_format(image, "{{.Size}}")?;
        size.parse()
            .with_context(|| format!("{image}: size {size:?}"))
    }
}

/// What identifies the image built: the config digest (20.10's image ID), or on the
/// containerd store the digest of the platform's image manifest (config + layers; the index
/// around it also holds the provenance attestation, which records the build's options such as
/// `--target`, so two builds of one image differ there).
pub fn image_digest(shared: &Shared, image: &str) -> anyhow::Result<String> {
    if shared.containerd_store {
        let summary = shared.docker.image_manifest_summary(image)?;
        summary["ID"]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("{image}: no ID in {summary}"))
    } else {
        shared.docker.image_format(image, "{{.Id}}")
    }
}

/// (Re)places `row`'s line in `sizes.tsv`.
pub fn record(tsv: &Path, row: &str, multi: u64, single: u64) -> anyhow::Result<()> {
    let old = fs::read_to_string(tsv).unwrap_or_default();
    fs::write(tsv, with_row(&old, row, multi, single))
        .with_context(|| format!("writing {}", tsv.display()))
}

fn with_row(tsv: &str, row: &str, multi: u64, single: u64) -> String {
    let prefix = format!("{row}\t");
    let mut out: String = tsv
        .lines()
        .filter(|l| !l.starts_with(&prefix))
        .map(|l| format!("{l}\n"))
        .collect();
    out.push_str(&format!("{row}\t{multi}\t{single}\n"));
    out
}

/// The Markdown table of the rows in `sizes.tsv`, in the order of `rows`.
pub fn table(tsv: &str, rows: &[&str]) -> String {
    let mut out = String::from(
        "| example | multi-stage image | single-stage image (`Dockerfile.single`) | multi / single |\n|---|---|---|---|\n",
    );
    for row in rows {
        let prefix = format!("{row}\t");
        for line in tsv.lines().filter(|l| l.starts_with(&prefix)) {
            let mut fields = line
                .split('\t')
                .skip(1)
                .map(|f| f.parse::<f64>().unwrap_or(0.0));
            let (m, s) = (fields.next().unwrap_or(0.0), fields.next().unwrap_or(0.0));
            out.push_str(&format!(
                "| {row} | {} | {} | {}% |\n",
                mb(m),
                mb(s),
                percent(m, s)
            ));
        }
    }
    out
}

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// `multi` as a percentage of `single`: one decimal under 10 %.
fn percent(multi: f64, single: f64) -> String {
    let p = 100.0 * multi / single;
    if p < 10.0 {
        format!("{p:.1}")
    } else {
        format!("{p:.0}")
    }
}

/// `text` with `body` between its `<!-- sizes -->` and `<!-- /sizes -->` lines; `None`
/// without the first marker.
pub fn replace_sizes(text: &str, body: &str) -> Option<String> {
    if !text.contains("<!-- sizes -->") {
        return None;
    }
    let mut out = String::new();
    let mut skip = false;
    for line in text.lines() {
        if line.contains("<!-- sizes -->") {
            out.push_str(&format!("{line}\n{body}\n"));
            skip = true;
            continue;
        }
        if line.contains("<!-- /sizes -->") {
            skip = false;
        }
        if !skip {
            out.push_str(&format!("{line}\n"));
        }
    }
    Some(out)
}

/// Writes the measured sizes into each measured example's README (its rows) and the
/// top-level README (the whole table); `engine` says what measured them.
pub fn update_readmes(
    repo: &Path,
    tsv: &str,
    table: &str,
    engine: &str,
    log: &mut Log,
) -> anyhow::Result<()> {
    let measured = format!(
        "Measured by `bash scripts/examples.sh --update-readmes` on {}, {engine}.",
        utc_date(std::time::SystemTime::now())
    );
    let head: Vec<&str> = table.lines().take(2).collect();
    for line in tsv.lines() {
        let name = line.split('\t').next().unwrap_or_default();
        let example = name.split(' ').next().unwrap_or_default();
        let readme = repo.join("examples").join(example).join("README.md");
        if !readme.is_file() {
            continue;
        }
        let needle = format!("| {example}");
        let rows: Vec<&str> = table.lines().filter(|l| l.contains(&needle)).collect();
        let body = format!("{}\n{}\n\n{measured}", head.join("\n"), rows.join("\n"));
        write_sizes(&readme, &body, log)?;
    }
    write_sizes(
        &repo.join("README.md"),
        &format!("{}\n\n{measured}", table.trim_end()),
        log,
    )
}

fn write_sizes(file: &Path, body: &str, log: &mut Log) -> anyhow::Result<()> {
    let text = fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    match replace_sizes(&text, body) {
        Some(new) => fs::write(file, new).with_context(|| format!("writing {}", file.display())),
        None => {
            log.say(format!("no <!-- sizes --> marker in {}", file.display()));
            Ok(())
        }
    }
}

/// `2025-06-01`: the UTC date of `t`.
fn utc_date(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_replaced() {
        let tsv = with_row("", "a", 1, 2);
        let tsv = with_row(&tsv, "a (dev)", 3, 4);
        let tsv = with_row(&tsv, "a", 5, 6);
        assert_eq!(tsv, "a (dev)\t3\t4\na\t5\t6\n");
    }

    #[test]
    fn table_in_row_order() {
        let tsv = "b\t5000000\t200000000\na\t120000000\t100000000\n";
        assert_eq!(
            table(tsv, &["a", "b", "c"]),
            "| example | multi-stage image | single-stage image (`Dockerfile.single`) | multi / single |\n\
             |---|---|---|---|\n\
             | a | 120.0 MB | 100.0 MB | 120% |\n\
             | b | 5.0 MB | 200.0 MB | 2.5% |\n"
        );
    }

    #[test]
    fn sizes_go_between_the_markers() {
        let text = "# x\n<!-- sizes -->\nold\nrows\n<!-- /sizes -->\nafter\n";
        assert_eq!(
            replace_sizes(text, "new").unwrap(),
            "# x\n<!-- sizes -->\nnew\n<!-- /sizes -->\nafter\n"
        );
        assert_eq!(replace_sizes("no markers\n", "new"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_748_736_000);
        assert_eq!(utc_date(t), "2025-06-01");
    }
}
