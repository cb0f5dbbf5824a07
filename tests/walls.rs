//! The walls of the architecture, checked on the source text (see
//! ARCHITECTURE.md): the pure layers (model, messages, store) import no
//! IO, async or UI crate and no layer above them; only `source/aws/`
//! names aws-sdk types; the faces never name a source implementation; and
//! no two files of `src/` import each other, directly or in a circle.
//! Test modules (`tests.rs`, `tests/`) are exempt: they may build sources.

// Test code: unwrapping is how a broken setup fails loudly.
#![allow(clippy::unwrap_used)]

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every non-test `.rs` file under `src/`, as (path relative to `src/`, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                if p.file_name()
                    .is_some_and(|n| n != "tests" && n != "snapshots")
                {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|e| e == "rs")
                && p.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    assert!(files.len() > 50, "found only {} source files", files.len());
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).unwrap();
            (rel, without_tests(&text))
        })
        .collect()
}

/// The text before an inline `#[cfg(test)] mod tests { … }` (by
/// convention the last item of a file).
fn without_tests(text: &str) -> String {
    match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

/// Code without comments, so prose naming a crate is not an import.
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn in_layer(file: &str, layer: &[&str]) -> bool {
    layer
        .iter()
        .any(|l| file == *l || file.starts_with(&format!("{l}/")))
}

/// Names that must not appear in the code of `layer` (as paths).
fn assert_layer_avoids(layer: &[&str], banned: &[&str]) {
    let mut hits = Vec::new();
    for (file, text) in sources() {
        if !in_layer(file.trim_end_matches(".rs"), layer) {
            continue;
        }
        let code = code(&text);
        for b in banned {
            let re = Regex::new(&format!(r"\b{}\b", regex::escape(b))).unwrap();
            if re.is_match(&code) {
                hits.push(format!("{file} names {b}"));
            }
        }
    }
    assert!(hits.is_empty(), "walls broken:\n{}", hits.join("\n"));
}

#[test]
fn the_pure_layers_import_no_io_async_ui_or_upper_layer() {
    let pure = ["model", "message", "store"];
    let mut banned = vec![
        "aws_sdk_lambda",
        "aws_sdk_cloudwatch",
        "aws_sdk_cloudwatchlogs",
        "aws_sdk_xray",
        "aws_sdk_sts",
        "aws_config",
        "aws_smithy_types",
        "ratatui",
        "crossterm",
        "tokio",
    ];
    for upper in [
        "source", "poll", "tui", "report", "launch", "config", "cache", "notify", "cli", "exit",
    ] {
        banned.push(Box::leak(format!("crate::{upper}").into_boxed_str()));
    }
    assert_layer_avoids(&pure, &banned);
    // The model is the ground floor: not even the messages or the store.
    assert_layer_avoids(&["model"], &["crate::message", "crate::store"]);
}

#[test]
fn only_the_aws_source_names_aws_sdk_types() {
    let outside_aws: Vec<String> = sources()
        .into_iter()
        .filter(|(f, _)| !f.starts_with("source/aws/"))
        .filter(|(_, t)| {
            Regex::new(r"\baws_(sdk_\w+|config|smithy_\w+)::")
                .unwrap()
                .is_match(&code(t))
        })
        .map(|(f, _)| f)
        .collect();
    assert!(outside_aws.is_empty(), "aws-sdk named in {outside_aws:?}");
}

#[test]
fn the_faces_never_name_a_source_implementation() {
    assert_layer_avoids(
        &["tui", "report"],
        &[
            "crate::source::aws",
            "crate::source::demo",
            "MultiSource",
            "AwsSource",
            "DemoSource",
        ],
    );
}

/// The module path of a file: `poll/fleet.rs` → [poll, fleet];
/// `poll/mod.rs` → [poll]; `lib.rs`/`main.rs` → [].
fn module_of(file: &str) -> Vec<String> {
    let stem = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = stem.split('/').map(String::from).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The file that defines the longest prefix of `path` (a module path).
fn file_of(path: &[String], modules: &BTreeMap<Vec<String>, String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .find_map(|n| modules.get(&path[..n]).cloned())
}

/// Import edges between files: `use crate::…`, `use super::…` and inline
/// `crate::a::b` paths, resolved to the defining file.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let files = sources();
    let modules: BTreeMap<Vec<String>, String> = files
        .iter()
        .map(|(f, _)| (module_of(f), f.clone()))
        .collect();
    let path_re = Regex::new(r"\b(crate|super)((?:::\w+)+)").unwrap();
    let group_re = Regex::new(r"\buse\s+(crate|super)((?:::\w+)*)::\{([^;]*)\}").unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &files {
        let here = module_of(file);
        let parent_of = |root: &str| -> Vec<String> {
            if root == "crate" {
                Vec::new()
            } else {
                let mut p = here.clone();
                // A `mod.rs`-less file's `super` is its parent module.
                p.pop();
                p
            }
        };
        let code = code(text);
        let mut targets: Vec<Vec<String>> = Vec::new();
        for c in path_re.captures_iter(&code) {
            let mut p = parent_of(&c[1]);
            p.extend(c[2].split("::").filter(|s| !s.is_empty()).map(String::from));
            targets.push(p);
        }
        for c in group_re.captures_iter(&code) {
            let mut base = parent_of(&c[1]);
            base.extend(c[2].split("::").filter(|s| !s.is_empty()).map(String::from));
            for item in c[3].split(',') {
                let first = item.trim().split("::").next().unwrap_or("").trim();
                if first.is_empty() || first == "self" {
                    continue;
                }
                let mut p = base.clone();
                p.push(first.to_string());
                targets.push(p);
            }
        }
        for t in targets {
            if let Some(to) = file_of(&t, &modules)
                && to != *file
                // A file naming its own ancestor module's items through
                // `super` is a child using its parent, not a circle.
                && !module_of(file).starts_with(&module_of(&to))
            {
                out.entry(file.clone()).or_default().insert(to);
            }
        }
    }
    out
}

#[test]
fn no_import_circle_between_files() {
    let graph = edges();
    assert!(
        graph.values().map(BTreeSet::len).sum::<usize>() > 100,
        "the import graph looks empty: {graph:?}"
    );
    // Depth-first search for a back edge; report the circle it closes.
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|s| s == m).unwrap_or(0);
                    let mut circle = stack[from..].to_vec();
                    circle.push(m.clone());
                    return Some(circle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if !state.contains_key(n.as_str()) {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, &graph, &mut state, &mut stack) {
                panic!("import circle: {}", c.join(" → "));
            }
        }
    }
}
