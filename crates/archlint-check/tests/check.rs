//! The check as a library call on a small project: contracts, rules and the findings model,
//! with no command line involved.

use std::fs;

use archlint_check::{CheckOptions, Run, check};
use archlint_engine::CacheFlags;

#[test]
fn one_call_checks_a_project_and_builds_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    w(
        ".importlinter",
        "[importlinter]\nroot_package = shop\n\n[importlinter:contract:db]\nname = No db from api\ntype = forbidden\nsource_modules = shop.api\nforbidden_modules = shop.db\n",
    );
    w("shop/__init__.py", "");
    w("shop/api.py", "from shop import services\n");
    w("shop/services.py", "import shop.db\n");
    w("shop/db.py", "");
    let options = CheckOptions {
        path: Some(dir.path().to_path_buf()),
        cache: CacheFlags {
            no_cache: true,
            ..Default::default()
        },
        deps: Run::Never,
        rules: Run::Always,
        ..Default::default()
    };
    let (analysis, report) = check(&options).unwrap();
    assert_eq!(analysis.results.len(), 1);
    assert!(!analysis.results[0].kept);
    assert!(analysis.rules.is_some(), "rules run when asked for");
    let contract: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == "forbidden")
        .collect();
    assert_eq!(contract.len(), 1);
    assert_eq!(contract[0].identity, "contract:db:shop.api->shop.db");
    let steps: Vec<(&str, &str)> = contract[0]
        .chain
        .iter()
        .map(|s| (s.importer.as_str(), s.imported.as_str()))
        .collect();
    assert_eq!(
        steps,
        [("shop.api", "shop.services"), ("shop.services", "shop.db")]
    );
    // A contract id that is not configured is an error naming it.
    let err = check(&CheckOptions {
        contracts: vec!["nope".into()],
        ..options
    })
    .err()
    .unwrap();
    assert!(
        err.to_string().contains("no contract with id 'nope'"),
        "{err}"
    );
}
