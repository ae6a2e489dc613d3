//! The shape of the code: `src/lib.rs` draws the library's layers, and
//! every `use crate::...` (or `crate::` path) of a module may only point at
//! its own module or one on a layer below. A module folder (`build/`,
//! `card/`, ...) is one module; its files may use each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers `src/lib.rs` draws between its `layers:` and `end of layers`
/// lines, lowest first: `N  module module ...`.
fn layers(lib: &str) -> BTreeMap<String, usize> {
    let start = lib.find("layers:").expect("src/lib.rs draws its layers");
    let end = lib[start..].find("end of layers").expect("the layers end") + start;
    let mut layers = BTreeMap::new();
    for line in lib[start..end].lines().skip(1) {
        let line = line.trim_start_matches("//!").trim();
        let mut words = line.split_whitespace();
        let Some(Ok(n)) = words.next().map(str::parse::<usize>) else { continue };
        for module in words {
            layers.insert(module.to_string(), n);
        }
    }
    layers
}

/// The top-level module a source file belongs to (`build/plan.rs` -> `build`).
fn module_of(rel: &Path) -> String {
    let first = rel.components().next().expect("a file").as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// The text of a file without its comments and its `#[cfg(test)]` module.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The top-level modules `code` names through `crate::` paths.
fn uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let names: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => group.split('}').next().unwrap_or("").split(',').collect(),
            None => vec![rest],
        };
        for name in names {
            let name: String = name.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn source_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_import_points_down_the_layers_lib_rs_draws() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let layers = layers(&lib);
    let mut files = Vec::new();
    source_files(&src, &mut files);
    let mut climbing = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let module = module_of(rel);
        if ["lib", "main", "cli"].contains(&module.as_str()) {
            continue;
        }
        let Some(&layer) = layers.get(&module) else {
            climbing.push(format!("src/{}: module `{module}` is on no layer of src/lib.rs", rel.display()));
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        for used in uses(&code) {
            match layers.get(&used) {
                Some(&to) if used == module || to < layer => {}
                Some(&to) => climbing
                    .push(format!("src/{}: `{module}` (layer {layer}) uses `{used}` (layer {to})", rel.display())),
                None => climbing.push(format!("src/{}: uses `{used}`, on no layer", rel.display())),
            }
        }
    }
    assert!(climbing.is_empty(), "imports that climb the layers:\n{}", climbing.join("\n"));
}

#[test]
fn the_library_knows_no_cli() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = code_of(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    assert!(!lib.contains("mod cli"), "src/lib.rs declares the CLI");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    for file in files.iter().filter(|f| !f.starts_with(src.join("cli")) && !f.ends_with("main.rs")) {
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        assert!(!code.contains("clap"), "{} uses clap: the CLI belongs in src/cli/", file.display());
    }
}
