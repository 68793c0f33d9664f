//! The workspace's own architecture: crates listed in the README's Layout in the pipeline's
//! order, each depending only on crates listed above it, and no Rust files of a crate importing
//! each other (directly or around a loop).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .expect("crates/archlint-cli is two levels down")
        .to_path_buf()
}

/// The crates of the README's Layout section, in order.
fn layout() -> Vec<String> {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let section = readme
        .split("## Layout")
        .nth(1)
        .expect("README has a Layout section");
    section
        .lines()
        .filter_map(|l| l.strip_prefix("crates/"))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect()
}

/// The workspace crates a crate's manifest depends on (not dev-dependencies).
fn dependencies(krate: &str) -> BTreeSet<String> {
    let manifest =
        std::fs::read_to_string(workspace().join("crates").join(krate).join("Cargo.toml")).unwrap();
    let mut out = BTreeSet::new();
    let mut section = "";
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
            continue;
        }
        if section == "[dependencies]"
            && let Some(name) = line.split(['=', '.', ' ']).next()
            && name.starts_with("archlint-")
        {
            out.insert(name.to_owned());
        }
    }
    out
}

#[test]
fn every_crate_is_listed_and_depends_only_on_crates_above_it() {
    let order = layout();
    let on_disk: BTreeSet<String> = std::fs::read_dir(workspace().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = order.iter().cloned().collect();
    assert_eq!(
        listed, on_disk,
        "the README's Layout lists every crate once"
    );
    assert_eq!(listed.len(), order.len(), "a crate listed twice");
    let position: BTreeMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut against = Vec::new();
    for (i, krate) in order.iter().enumerate() {
        for dep in dependencies(krate) {
            if position[dep.as_str()] >= i {
                against.push(format!("{krate} -> {dep}"));
            }
        }
    }
    assert!(
        against.is_empty(),
        "dependencies against the pipeline's order: {against:?}"
    );
}

/// Each file's module name (`a/b.rs` and `a/b/mod.rs` are `b`; `lib.rs`/`main.rs` are the crate
/// root) and the sibling modules it names as `crate::x`.
fn imports_of(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    let name = |p: &Path| -> String {
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        if stem == "mod" {
            p.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        } else {
            stem
        }
    };
    let names: BTreeSet<String> = files.iter().map(|p| name(p)).collect();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let me = name(path);
        let text = std::fs::read_to_string(path).unwrap();
        let mut deps = BTreeSet::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c}`
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let first = item.trim().split("::").next().unwrap_or("");
                    deps.insert(first.to_owned());
                }
            } else {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                deps.insert(rest[..end].to_owned());
            }
        }
        deps.retain(|d| names.contains(d) && *d != me);
        out.entry(me).or_default().extend(deps);
    }
    out
}

/// Loops in a directed graph (Tarjan's strongly connected components of more than one node).
fn loops(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn the_loop_finder_finds_loops() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(loops(&edges), vec![vec!["a", "b", "c"]]);
}

#[test]
fn no_files_import_each_other_in_any_crate() {
    let mut found = Vec::new();
    for krate in layout() {
        let src = workspace().join("crates").join(&krate).join("src");
        for component in loops(&imports_of(&src)) {
            found.push(format!("{krate}: {}", component.join(" <-> ")));
        }
    }
    assert!(found.is_empty(), "files importing each other: {found:?}");
}
