//! Whatever happens to the bytes of a cache, collecting facts gives the no-cache answer.

use std::fs;
use std::path::Path;

use archlint_discovery::{DiscoveryOptions, discover};
use archlint_engine::{FactsCacheOptions, collect_facts};
use archlint_facts::ModuleFacts;
use archlint_parser::ParseSettings;
use proptest::prelude::*;

fn project(dir: &Path) {
    let w = |rel: &str, text: &str| {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    w("pkg/__init__.py", "");
    for i in 0..12 {
        w(
            &format!("pkg/m{i}.py"),
            &format!(
                "import os\nfrom pkg import m{}\nfrom . import m{}\n\nclass K{i}:\n    def f(self, a, b):\n        if a:\n            return b\n\n\ndef g{i}(*args):\n    import json\n    return json\n",
                (i + 1) % 12,
                (i + 5) % 12
            ),
        );
    }
    w("pkg/bad.py", "def broken(:\n    pass\n");
}

fn facts(
    root: &Path,
    options: &FactsCacheOptions,
) -> (Vec<ModuleFacts>, archlint_engine::CacheReport) {
    let discovered = discover(&DiscoveryOptions {
        root: root.to_path_buf(),
        root_packages: vec!["pkg".into()],
        source_dirs: vec![],
        include: vec![],
        exclude: vec![],
        respect_gitignore: true,
        stat_files: true,
    })
    .unwrap();
    let (facts, report) =
        collect_facts(root, &discovered.files, &ParseSettings::default(), options);
    (facts.iter().map(|f| (**f).clone()).collect(), report)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]
    #[test]
    fn damaged_packs_always_give_the_no_cache_facts(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8),
        truncate in prop::option::of(any::<prop::sample::Index>()),
    ) {
        thread_local! {
            static FIXTURE: (tempfile::TempDir, Vec<ModuleFacts>, Vec<u8>, std::path::PathBuf) = {
                let dir = tempfile::tempdir().unwrap();
                let root = dir.path().join("project");
                project(&root);
                let (expected, _) = facts(&root, &FactsCacheOptions::default());
                let cache = dir.path().join("cache");
                let options = FactsCacheOptions { dir: Some(cache.clone()), max_pack_bytes: 1 << 30, ..FactsCacheOptions::default() };
                let (_, report) = facts(&root, &options);
                assert_eq!(report.parsed, 14);
                let pack = fs::read_dir(cache.join("v1/facts")).unwrap().flatten().next().unwrap().path();
                let good = fs::read(&pack).unwrap();
                (dir, expected, good, pack)
            };
        }
        FIXTURE.with(|(dir, expected, good, pack)| {
            let mut bytes = good.clone();
            for (at, value, op) in &edits {
                let i = at.index(bytes.len());
                match op {
                    0 => bytes[i] ^= value | 1,
                    1 => bytes[i] = *value,
                    2 => bytes.insert(i, *value),
                    _ => { bytes.remove(i); }
                }
            }
            if let Some(cut) = truncate {
                let len = cut.index(bytes.len() + 1);
                bytes.truncate(len);
            }
            fs::write(pack, &bytes).unwrap();
            let options = FactsCacheOptions { dir: Some(dir.path().join("cache")), max_pack_bytes: 1 << 30, ..FactsCacheOptions::default() };
            let (got, _) = facts(&dir.path().join("project"), &options);
            prop_assert_eq!(&got, expected);
            // And the run repaired the cache: the next one is clean and still right.
            let (again, report) = facts(&dir.path().join("project"), &options);
            prop_assert_eq!(&again, expected);
            prop_assert_eq!(report.disk.corrupt, 0);
            prop_assert_eq!(report.parsed, 0);
            Ok(())
        })?;
    }
}

#[test]
fn memory_layer_answers_a_long_lived_process() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let memory = std::sync::Arc::new(archlint_engine::facts::FactsMemory::new(1000, 1 << 20));
    let options = FactsCacheOptions {
        memory: Some(memory.clone()),
        ..FactsCacheOptions::default()
    };
    let (first, report) = facts(dir.path(), &options);
    assert_eq!(report.parsed, 14);
    let (second, report) = facts(dir.path(), &options);
    assert_eq!(report.parsed, 0);
    assert_eq!(report.memory.hits, 14);
    assert_eq!(first, second);
    assert!(memory.stats().entries >= 14);
}
