//! Loading a project: the facts a caller asks for come from the cache, not from parsing again.

use std::fs;
use std::path::Path;

use archlint_engine::{CacheFlags, KeepFacts, ProjectOptions, load_project};

fn write_project(dir: &Path) {
    let w = |rel: &str, text: &str| {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    w(
        ".importlinter",
        "[importlinter]\nroot_package = shop\n\n[importlinter:contract:one]\nname = One\ntype = forbidden\nsource_modules = shop.api\nforbidden_modules = shop.db\n",
    );
    w("shop/__init__.py", "");
    w(
        "shop/api.py",
        "from shop import db\n\nclass Api:\n    def get(self):\n        return db\n",
    );
    w("shop/db.py", "import os\n\ndef connect():\n    return os\n");
}

fn options(root: &Path, keep_facts: KeepFacts) -> ProjectOptions {
    ProjectOptions {
        path: Some(root.to_path_buf()),
        cache: CacheFlags {
            no_cache: false,
            cache_dir: Some(root.join(".cache")),
            redis_url: None,
        },
        keep_facts,
        ..Default::default()
    }
}

#[test]
fn facts_on_demand_are_decoded_from_the_cache_and_equal_the_parsed_ones() {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path());
    let cold = load_project(&options(dir.path(), KeepFacts::All)).unwrap();
    assert_eq!(cold.cache.parsed, cold.files.len() as u64);
    let warm = load_project(&options(dir.path(), KeepFacts::OnDemand)).unwrap();
    assert_eq!(warm.cache.parsed, 0, "a warm load parses nothing");
    assert!(warm.facts.is_none(), "on demand keeps no decoded list");
    for (i, file) in warm.files.iter().enumerate() {
        let j = cold.files.iter().position(|f| f.path == file.path).unwrap();
        assert_eq!(
            *warm.facts_of(i),
            *cold.facts_of(j),
            "{}",
            file.path.display()
        );
    }
    let api = warm
        .files
        .iter()
        .position(|f| f.module == "shop.api")
        .unwrap();
    assert_eq!(warm.facts_of(api).classes.len(), 1);
    assert_eq!(warm.facts_of(api).imports.len(), 1);
}

#[test]
fn without_a_cache_facts_are_parsed_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path());
    let mut o = options(dir.path(), KeepFacts::None);
    o.cache.no_cache = true;
    let project = load_project(&o).unwrap();
    let db = project
        .files
        .iter()
        .position(|f| f.module == "shop.db")
        .unwrap();
    assert_eq!(project.facts_of(db).functions.len(), 1);
}

#[test]
fn a_located_project_is_not_read_again() {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path());
    let located = archlint_engine::locate(Some(dir.path()), None).unwrap();
    assert!(located.config.is_some());
    // The file is gone: only the configuration found above can be used.
    fs::remove_file(dir.path().join(".importlinter")).unwrap();
    let project = load_project(&ProjectOptions {
        located: Some(located),
        require_config: true,
        ..options(dir.path(), KeepFacts::None)
    })
    .unwrap();
    let config = project.config.expect("the located configuration");
    assert_eq!(config.contracts.len(), 1);
}

/// Every import of a graph with its details, by name: two graphs are the same when these are.
fn imports_of(project: &archlint_engine::Project) -> Vec<(String, String, Vec<u32>)> {
    let g = &project.graph;
    let mut out: Vec<(String, String, Vec<u32>)> = g
        .modules()
        .flat_map(|m| {
            g.imports_with_details(m).map(move |(t, details)| {
                (
                    g.name(m).to_owned(),
                    g.name(t).to_owned(),
                    details.iter().map(|d| d.line).collect(),
                )
            })
        })
        .collect();
    out.sort();
    out
}

#[test]
fn an_unchanged_project_reuses_its_graph_and_an_edit_patches_it() {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path());
    // More modules, so that one edit is a small change.
    for i in 0..12 {
        fs::write(
            dir.path().join(format!("shop/m{i}.py")),
            format!("from shop import db\nimport shop.m{}\n", (i + 1) % 12),
        )
        .unwrap();
    }
    let cold = load_project(&options(dir.path(), KeepFacts::None)).unwrap();
    assert!(!cold.cache.graph_reused && !cold.cache.graph_patched);
    let warm = load_project(&options(dir.path(), KeepFacts::None)).unwrap();
    assert!(
        warm.cache.graph_reused,
        "nothing changed: the snapshot is the graph"
    );
    assert_eq!(imports_of(&warm), imports_of(&cold));

    // One edit: an import added, one removed, on other lines.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    fs::write(dir.path().join("shop/m3.py"), "\n\nimport shop.api\n").unwrap();
    let patched = load_project(&options(dir.path(), KeepFacts::None)).unwrap();
    assert!(
        patched.cache.graph_patched,
        "one file changed: the graph is patched"
    );
    assert_eq!(patched.cache.parsed, 1);
    let mut o = options(dir.path(), KeepFacts::None);
    o.cache.no_cache = true;
    let rebuilt = load_project(&o).unwrap();
    assert_eq!(imports_of(&patched), imports_of(&rebuilt));
    let m3: Vec<_> = imports_of(&patched)
        .into_iter()
        .filter(|(a, _, _)| a == "shop.m3")
        .collect();
    assert_eq!(m3, vec![("shop.m3".into(), "shop.api".into(), vec![3])]);
}
