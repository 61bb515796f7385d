//! The text form of BuildKit's parser tests (`testfiles/*/result`).

use super::ast::{Dockerfile, Node};
use crate::golang::{is_space, quote};

/// One instruction as `keyword ["flags"] "arg" ... (sub)` (BuildKit `Node.Dump`).
pub fn dump_node(node: &Node) -> String {
    let mut s = super::parse::go_lower(&node.keyword_original);
    if !node.flags.is_empty() {
        let flags: Vec<String> = node.flags.iter().map(|f| quote(f)).collect();
        s.push_str(&format!(" [{}]", flags.join(" ")));
    }
    for arg in &node.args {
        s.push(' ');
        s.push_str(&quote(arg));
    }
    if let Some(sub) = &node.sub {
        s.push_str(&format!(" ({})", dump_node(sub)));
    }
    s.trim_matches(is_space).to_string()
}

/// The whole tree: one parenthesised line per instruction, ending with a newline.
pub fn dump(df: &Dockerfile) -> String {
    let mut s = String::new();
    for node in &df.instructions {
        s.push('(');
        s.push_str(&dump_node(node));
        s.push_str(")\n");
    }
    let mut out = s.trim_matches(is_space).to_string();
    out.push('\n');
    out
}
