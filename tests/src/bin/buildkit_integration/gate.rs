//! What decides the run's exit status besides the results: the must-pass list (one per
//! engine) and a baseline run of another frontend.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use crate::runner::CaseResult;
use mstage_tests::engine::docker::Frontend;

pub fn read_list(path: &Path, engine: &str) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_list(&text, engine).with_context(|| format!("in {}", path.display()))
}

/// The section of cases where mstage differs from upstream by design: an mstage extension
/// accepts what upstream's test expects to be refused (a variable in `--from`).
const BY_DESIGN: &str = "mstage extensions";

/// The names of the [`BY_DESIGN`] section (none without one).
fn by_design(text: &str) -> Vec<String> {
    parse_list(text, BY_DESIGN).unwrap_or_default()
}

/// The names of a must-pass list: all of them, or, when the list has `[docker X.Y]` section
/// headers, those of the section named `[ENGINE]` (an engine without a section is an error,
/// so a new engine cannot pass with an empty gate).
fn parse_list(text: &str, engine: &str) -> anyhow::Result<Vec<String>> {
    let mut sections: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.trim().to_string());
            sections.entry(current.clone()).or_default();
            continue;
        }
        sections
            .entry(current.clone())
            .or_default()
            .push(line.to_string());
    }
    if sections.keys().all(Option::is_none) {
        return Ok(sections.remove(&None).unwrap_or_default());
    }
    if let Some(names) = sections.get(&None) {
        anyhow::bail!("{} name(s) before the first [section]", names.len());
    }
    sections.remove(&Some(engine.to_string())).with_context(|| {
        format!(
            "no [{engine}] section (sections: {})",
            sections
                .keys()
                .flatten()
                .map(|k| format!("[{k}]"))
                .collect::<Vec<_>>()
                .join(" ")
        )
    })
}

/// Prints how these results differ from the baseline's (`--json` of another run); returns
/// how many cases pass there and fail here.
pub fn against_baseline(path: &Path, results: &[CaseResult]) -> anyhow::Result<usize> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text)?;
    let base: BTreeMap<String, bool> = doc["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c["name"].as_str()?.to_string(), c["pass"].as_bool()?)))
        .collect();
    let who = doc["frontend"].as_str().unwrap_or("baseline");
    let mut worse = Vec::new();
    let mut better = Vec::new();
    for r in results {
        match base.get(&r.name) {
            Some(true) if !r.pass => worse.push(r.name.as_str()),
            Some(false) if r.pass => better.push(r.name.as_str()),
            _ => {}
        }
    }
    println!(
        "  against {who} ({} passed there): {} cases pass there but fail here, {} pass here but fail there",
        base.values().filter(|p| **p).count(),
        worse.len(),
        better.len()
    );
    if !worse.is_empty() {
        println!("  fail here, pass with {who}: {}", worse.join(" "));
    }
    if !better.is_empty() {
        println!("  pass here, fail with {who}: {}", better.join(" "));
    }
    Ok(worse.len())
}

/// The must-pass gate: for mstage, every listed case passes (and exists, when all cases
/// ran); for the built-in frontend, every case it passes is listed. Prints each breach;
/// returns the summary and whether the gate failed.
pub fn must_pass(
    list: &Path,
    engine_label: &str,
    frontend: &Frontend,
    results: &[CaseResult],
    all_cases_ran: bool,
) -> anyhow::Result<(String, bool)> {
    let names = read_list(list, engine_label)?;
    let by_design = by_design(&std::fs::read_to_string(list)?);
    Ok(if matches!(frontend, Frontend::Stock) {
        // The list is mstage's ratchet and the built-in frontend its oracle: the stock run
        // does not have to pass the list, but each of its passes must be on it (or be a
        // case mstage differs on by design).
        let mut unlisted = 0;
        for r in results.iter().filter(|r| r.pass) {
            if !names.contains(&r.name) && !by_design.contains(&r.name) {
                println!(
                    "  UNLISTED {}: the built-in frontend passes it but {} [{engine_label}] lacks it",
                    r.name,
                    list.display()
                );
                unlisted += 1;
            }
        }
        if unlisted == 0 {
            ("every pass on the must-pass list".to_string(), false)
        } else {
            (
                format!("{unlisted} passes missing from the must-pass list"),
                true,
            )
        }
    } else {
        let regressions = regressions(list, engine_label, &names, results, all_cases_ran);
        if regressions == 0 {
            ("must-pass all green".to_string(), false)
        } else {
            (
                format!("must-pass: {regressions} of {} failed", names.len()),
                true,
            )
        }
    })
}

/// Listed cases that failed, or (when all cases ran) do not exist; each printed.
fn regressions(
    list: &Path,
    engine_label: &str,
    names: &[String],
    results: &[CaseResult],
    all_cases_ran: bool,
) -> usize {
    let by_name: BTreeMap<&str, &CaseResult> =
        results.iter().map(|r| (r.name.as_str(), r)).collect();
    let mut regressions = 0;
    for name in names {
        match by_name.get(name.as_str()) {
            Some(r) if r.pass => {}
            Some(_) => {
                println!(
                    "  REGRESSION {name}: listed in {} [{engine_label}] but failed",
                    list.display()
                );
                regressions += 1;
            }
            None if all_cases_ran => {
                println!(
                    "  MISSING {name}: listed in {} but no such case",
                    list.display()
                );
                regressions += 1;
            }
            None => {}
        }
    }
    regressions
}

#[cfg(test)]
mod tests {
    use super::{by_design, parse_list};

    #[test]
    fn the_by_design_section_is_its_own() {
        let text = "[docker 28.5]\na\n[mstage extensions]\nb\n";
        assert_eq!(parse_list(text, "docker 28.5").unwrap(), ["a"]);
        assert_eq!(by_design(text), ["b"]);
        assert!(by_design("[docker 28.5]\na\n").is_empty());
    }

    #[test]
    fn list_without_sections_applies_to_every_engine() {
        let names = parse_list("# c\na\nb # why\n\n", "docker 28.5").unwrap();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn list_sections_pick_the_engine() {
        let text = "# head\n[docker 20.10]\na\n[docker 28.5] # note\nb\nc\n";
        assert_eq!(parse_list(text, "docker 20.10").unwrap(), ["a"]);
        assert_eq!(parse_list(text, "docker 28.5").unwrap(), ["b", "c"]);
        let err = parse_list(text, "docker 29.0").unwrap_err().to_string();
        assert!(err.contains("no [docker 29.0] section"), "{err}");
        assert!(parse_list("a\n[docker 28.5]\nb\n", "docker 28.5").is_err());
    }
}
