//! ARCHITECTURE.md stays true: every module under `src/` is in one of its layers, uses only
//! its own layer and those below (read from its `crate::…` paths, tests excluded), and the
//! modules form no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Binary-only files, above every layer.
const BINARY: &[&str] = &["main", "cli", "commands", "bin", "lib"];

fn layers() -> Vec<(String, BTreeSet<String>)> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md");
    let block = doc
        .split("```layers\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("ARCHITECTURE.md has a ```layers block");
    block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (name, modules) = line.split_once(':').expect("`layer: modules`");
            (
                name.trim().to_string(),
                modules.split_whitespace().map(str::to_string).collect(),
            )
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Top-level module → the top-level modules its non-test code names as `crate::<module>`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if BINARY.contains(&top.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests may reach anywhere: only what precedes them counts.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let code = code.split("#[cfg(all(test").next().unwrap();
        let uses = graph.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
                .collect();
            if !name.is_empty() && name != top {
                uses.insert(name);
            }
        }
    }
    graph
}

#[test]
fn every_module_uses_only_its_layer_and_those_below() {
    let layers = layers();
    let rank = |module: &str| layers.iter().position(|(_, m)| m.contains(module));
    let mut wrong = Vec::new();
    for (module, uses) in graph() {
        let Some(mine) = rank(&module) else {
            wrong.push(format!("`{module}` is in no layer of ARCHITECTURE.md"));
            continue;
        };
        for used in uses {
            match rank(&used) {
                Some(theirs) if theirs < mine => wrong.push(format!(
                    "`{module}` ({}) uses `{used}` ({}), a layer above it",
                    layers[mine].0, layers[theirs].0
                )),
                None => wrong.push(format!("`{module}` uses `{used}`, which is in no layer")),
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// Depth-first search; a module met again while on the stack closes a cycle.
fn visit<'a>(
    module: &'a str,
    graph: &'a BTreeMap<String, BTreeSet<String>>,
    stack: &mut Vec<&'a str>,
    done: &mut BTreeSet<&'a str>,
) -> Option<Vec<String>> {
    if let Some(at) = stack.iter().position(|m| *m == module) {
        let mut cycle: Vec<String> = stack[at..].iter().map(|m| (*m).to_string()).collect();
        cycle.push(module.to_string());
        return Some(cycle);
    }
    if !done.insert(module) {
        return None;
    }
    stack.push(module);
    for used in graph.get(module).into_iter().flatten() {
        if let Some(cycle) = visit(used, graph, stack, done) {
            return Some(cycle);
        }
    }
    stack.pop();
    None
}

#[test]
fn the_modules_form_no_cycle() {
    let graph = graph();
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        if let Some(cycle) = visit(module, &graph, &mut Vec::new(), &mut done) {
            panic!("the modules form a cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn every_layered_module_exists() {
    let graph = graph();
    for (layer, modules) in layers() {
        for module in modules {
            assert!(
                graph.contains_key(&module),
                "ARCHITECTURE.md's layer `{layer}` names `{module}`, which src/ does not have"
            );
        }
    }
}
