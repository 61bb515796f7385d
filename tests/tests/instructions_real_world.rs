//! Types every Dockerfile of the real-world corpus (`../shared/conformance/real-world`).
//!
//! The input is BuildKit's own parse of each file (`ast.json`), so this checks the typed
//! instruction layer alone. A Dockerfile that cannot be typed is only acceptable when the
//! stock frontend refused it too (`llb-golden/<case>/llb.error`); it is then listed with
//! both reasons.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use mstage_syntax::instructions::{parse_dockerfile, Instruction};
use mstage_syntax::parser::{Dockerfile, Heredoc, Node, SourceRange};
use serde_json::Value;

fn conformance() -> Option<PathBuf> {
    mstage_tests::conformance::dir("mstage-tests::instructions_real_world")
}

/// case id -> number of stages, from MANIFEST.tsv.
fn manifest(root: &Path) -> BTreeMap<String, usize> {
    let text =
        fs::read_to_string(root.join("real-world/MANIFEST.tsv")).expect("real-world/MANIFEST.tsv");
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Some((cols.first()?.to_string(), cols.get(4)?.parse().ok()?))
        })
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// A parse-tree node from BuildKit's `ast.json` form.
fn node(v: &Value) -> Node {
    let cmd = v["cmd"].as_str().unwrap_or_default().to_string();
    let line = |k: &str| v[k].as_u64().unwrap_or(0) as usize;
    Node {
        keyword: cmd.to_lowercase().into(),
        keyword_original: cmd.into(),
        flags: strings(&v["flags"]),
        args: strings(&v["args"]),
        json_form: v["json_form"].as_bool().unwrap_or(false),
        sub: v.get("sub").map(|s| Box::new(node(s))),
        heredocs: v["heredocs"]
            .as_array()
            .map(|hs| {
                hs.iter()
                    .map(|h| Heredoc {
                        name: h["name"].as_str().unwrap_or_default().to_string(),
                        fd: h["fd"].as_u64().unwrap_or(0) as u32,
                        expand: h["expand"].as_bool().unwrap_or(true),
                        chomp: h["chomp"].as_bool().unwrap_or(false),
                        content: h["content"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        comments: Vec::new(),
        original: v["original"].as_str().unwrap_or_default().to_string(),
        range: SourceRange {
            start_line: line("start_line"),
            end_line: line("end_line"),
            ..Default::default()
        },
    }
}

fn dockerfile_from_ast(root: &Path, case: &str) -> Dockerfile {
    let path = root.join("real-world").join(case).join("ast.json");
    let v: Value =
        serde_json::from_str(&fs::read_to_string(&path).expect("ast.json")).expect("json");
    Dockerfile {
        escape: v["escape_token"]
            .as_str()
            .and_then(|s| s.chars().next())
            .unwrap_or('\\'),
        directives: vec![],
        instructions: v["instructions"]
            .as_array()
            .expect("instructions")
            .iter()
            .map(node)
            .collect(),
        warnings: vec![],
        includes: vec![],
    }
}

#[test]
fn real_world_corpus_types() {
    let Some(root) = conformance() else {
        return;
    };
    let manifest = manifest(&root);
    assert!(manifest.len() > 200, "corpus missing?");
    let mut typed = 0;
    let mut refused = Vec::new();
    let mut wrong = Vec::new();
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut mounts = 0;
    let mut values_checked = 0;
    for (case, stages) in &manifest {
        let df = dockerfile_from_ast(&root, case);
        let stock_error =
            fs::read_to_string(root.join("llb-golden").join(case).join("llb.error")).ok();
        match parse_dockerfile(&df) {
            Ok(parsed) => {
                typed += 1;
                if parsed.stages.len() != *stages {
                    wrong.push(format!(
                        "{case}: {} stages, manifest says {stages}",
                        parsed.stages.len()
                    ));
                }
                let n = parsed.meta_args.len()
                    + parsed
                        .stages
                        .iter()
                        .map(|s| 1 + s.commands.len())
                        .sum::<usize>();
                if n != df.instructions.len() {
                    wrong.push(format!(
                        "{case}: typed {n} of {} instructions",
                        df.instructions.len()
                    ));
                }
                for s in &parsed.stages {
                    *counts.entry("FROM").or_default() += 1;
                    for c in &s.commands {
                        *counts.entry(c.name()).or_default() += 1;
                        // Values without variables must pass the checks made after
                        // expansion too.
                        let literal =
                            |v: &Option<String>| v.as_deref().is_some_and(|v| !v.contains('$'));
                        let checked = match &**c {
                            Instruction::Copy(c) if literal(&c.chmod) => {
                                Some(c.chmod_mode().map(|_| ()))
                            }
                            Instruction::Add(c) if literal(&c.chmod) => {
                                Some(c.chmod_mode().map(|_| ()))
                            }
                            Instruction::Expose(e) if !e.ports.iter().any(|p| p.contains('$')) => {
                                let mut split = |w: &str| Ok::<_, String>(vec![w.to_string()]);
                                Some(e.expand_ports(&mut split).map(|_| ()).map_err(|e| match e {
                                    mstage_syntax::instructions::ExpandError::Invalid(i) => i,
                                    other => panic!("{other}"),
                                }))
                            }
                            _ => None,
                        };
                        match checked {
                            Some(Ok(())) => values_checked += 1,
                            Some(Err(e)) => wrong.push(format!("{case}: {e}")),
                            None => {}
                        }
                        if let Instruction::Run(r) = &**c {
                            // Mount options must also pass validation. Values are kept as
                            // written, minus quotes, which is what expansion does to them
                            // in these files.
                            let mut unquote = |w: &str| Ok::<_, String>(w.replace('"', ""));
                            match r.expand_mounts(&mut unquote) {
                                Ok(m) => mounts += m.len(),
                                Err(e) => wrong.push(format!("{case}: {e}")),
                            }
                        }
                    }
                }
                if let Some(stock) = stock_error {
                    // Typed fine; the stock frontend stopped later (expanding FROM).
                    println!(
                        "typed, refused by BuildKit when lowering: {case}: {}",
                        stock.trim()
                    );
                }
            }
            Err(e) => match stock_error {
                Some(stock) => {
                    refused.push(format!("{case}: {e}\n    stock frontend: {}", stock.trim()))
                }
                None => wrong.push(format!("{case}: {e} (the stock frontend accepts it)")),
            },
        }
    }
    println!("real-world typed: {typed}/{}", manifest.len());
    println!("instructions typed by kind: {counts:?}; RUN mounts validated: {mounts}; literal --chmod/EXPOSE values validated: {values_checked}");
    for r in &refused {
        println!("not typed (refused by BuildKit too): {r}");
    }
    assert!(
        wrong.is_empty(),
        "real-world failures:\n{}",
        wrong.join("\n")
    );
    assert_eq!(typed + refused.len(), manifest.len());
}

/// mstage's own parser feeds the same typed instructions as BuildKit's parse does.
#[test]
fn real_world_typed_the_same_through_mstage_parser() {
    let Some(root) = conformance() else {
        return;
    };
    let manifest = manifest(&root);
    let mut same = 0;
    let mut diffs = Vec::new();
    for case in manifest.keys() {
        let bytes =
            fs::read(root.join("real-world").join(case).join("Dockerfile")).expect("Dockerfile");
        // `ast.json` does not record the comments above instructions (they only feed build
        // checks), so they are left out of the comparison.
        let ours = mstage_syntax::parser::parse(&bytes)
            .map(|mut df| {
                df.instructions.iter_mut().for_each(|n| n.comments.clear());
                df
            })
            .map_err(|e| e.to_string())
            .and_then(|df| parse_dockerfile(&df).map_err(|e| e.to_string()));
        let reference =
            parse_dockerfile(&dockerfile_from_ast(&root, case)).map_err(|e| e.to_string());
        if ours == reference {
            same += 1;
        } else {
            diffs.push(case.clone());
        }
    }
    println!(
        "real-world typed via mstage parser, same as via BuildKit's parse: {same}/{}",
        manifest.len()
    );
    assert!(diffs.is_empty(), "typed differently: {diffs:?}");
}

/// Expanding every stage's base name against the global scope (automatic platform ARGs for
/// linux/amd64, then the ARGs before the first FROM) gives BuildKit's "base name (...) should
/// not be blank" exactly for the cases where the stock frontend said so, and for no others.
#[test]
fn real_world_blank_base_names_match_stock_frontend() {
    use mstage_syntax::instructions::ExpandError;
    use mstage_syntax::shell::Lexer;

    let Some(root) = conformance() else {
        return;
    };
    let manifest = manifest(&root);
    let lex = Lexer::new('\\');
    let mut agree = 0;
    let mut wrong = Vec::new();
    for case in manifest.keys() {
        let parsed = parse_dockerfile(&dockerfile_from_ast(&root, case)).expect("typed");
        let mut env: Vec<(String, String)> = [
            ("BUILDPLATFORM", "linux/amd64"),
            ("BUILDOS", "linux"),
            ("BUILDARCH", "amd64"),
            ("BUILDVARIANT", ""),
            ("TARGETPLATFORM", "linux/amd64"),
            ("TARGETOS", "linux"),
            ("TARGETARCH", "amd64"),
            ("TARGETVARIANT", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for arg in &parsed.meta_args {
            for def in &arg.args {
                if let Some(v) = &def.value {
                    let v = lex.process_word(v, &env).unwrap_or_default();
                    env.push((def.key.clone(), v));
                }
            }
        }
        let mut ours = None;
        for stage in &parsed.stages {
            let mut ex = |w: &str| lex.process_word(w, &env);
            if let Err(ExpandError::Invalid(e)) = stage.from.expand_base_name(&mut ex) {
                ours = Some(e.kind.to_string());
                break;
            }
        }
        let stock = fs::read_to_string(root.join("llb-golden").join(case).join("llb.error"))
            .ok()
            .and_then(|s| {
                let msg = s
                    .split_once("msg=\"")?
                    .1
                    .rsplit_once('"')?
                    .0
                    .replace("\\\"", "\"");
                msg.contains("should not be blank").then_some(msg)
            });
        if ours == stock {
            agree += 1;
        } else {
            wrong.push(format!("{case}: ours {ours:?}, stock {stock:?}"));
        }
    }
    println!(
        "real-world FROM base names, blank-name verdict agrees with stock frontend: {agree}/{}",
        manifest.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
