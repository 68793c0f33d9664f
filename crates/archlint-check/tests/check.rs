//! The check as a library call on a small project: contracts, rules and the findings model,
//! with no command line involved.

use archlint_check::{BaselineOptions, CheckOptions, Run, Status, check};
use archlint_engine::CacheFlags;
use archlint_testkit::write;

#[test]
fn one_call_checks_a_project_and_builds_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| write(dir.path(), rel, text);
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
    let report = check(&options).unwrap();
    let analysis = &report.analysis;
    assert_eq!(report.status(false), Status::Findings);
    assert_eq!(analysis.results.len(), 1);
    assert!(!analysis.results[0].kept);
    assert!(analysis.rules.is_some(), "rules run when asked for");
    // The status comes from the checks listed before any finding is built: the same list the
    // findings model has.
    assert_eq!(report.checks, report.findings().checks);
    assert!(!report.checks[0].passed);
    let contract: Vec<_> = report
        .findings()
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
        ..options.clone()
    })
    .err()
    .unwrap();
    assert!(
        err.to_string().contains("no contract with id 'nope'"),
        "{err}"
    );
}

/// The baseline is part of the check: written from one run, it accepts that run's findings in
/// the next (in the results, the findings model and the status alike); once the code is fixed,
/// its entries are stale, which fails only a strict check.
#[test]
fn the_baseline_accepts_findings_in_every_part_of_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| write(dir.path(), rel, text);
    w(
        ".importlinter",
        "[importlinter]\nroot_package = shop\n\n[importlinter:contract:db]\nname = No db from api\ntype = forbidden\nsource_modules = shop.api\nforbidden_modules = shop.db\n",
    );
    w("shop/__init__.py", "");
    w("shop/api.py", "import shop.db\n");
    w("shop/db.py", "");
    let file = dir.path().join("accepted.json");
    let options = |update: bool| CheckOptions {
        path: Some(dir.path().to_path_buf()),
        cache: CacheFlags {
            no_cache: true,
            ..Default::default()
        },
        deps: Run::Never,
        rules: Run::Never,
        baseline: Some(BaselineOptions {
            file: Some(file.clone()),
            update,
        }),
        ..Default::default()
    };
    let written = check(&options(true)).unwrap();
    assert_eq!(written.baseline.as_ref().unwrap().written, Some(1));
    assert_eq!(written.status(false), Status::Clean);
    let report = check(&options(false)).unwrap();
    assert!(
        report.analysis.results[0].kept,
        "the accepted route is taken out"
    );
    assert!(report.findings().findings.is_empty());
    assert!(report.checks.iter().all(|c| c.passed));
    assert_eq!(
        report
            .baseline
            .as_ref()
            .unwrap()
            .applied
            .as_ref()
            .unwrap()
            .suppressed,
        1
    );
    assert_eq!(report.status(true), Status::Clean);
    // Fixed: the entry no longer occurs.
    w("shop/api.py", "");
    let fixed = check(&options(false)).unwrap();
    assert_eq!(fixed.status(false), Status::Clean);
    assert_eq!(fixed.status(true), Status::Findings);
    assert_eq!(
        fixed.baseline.unwrap().applied.unwrap().stale,
        ["contract:db:shop.api->shop.db"]
    );
    // Without baseline options nothing is accepted, even with the file present.
    w("shop/api.py", "import shop.db\n");
    let plain = check(&CheckOptions {
        baseline: None,
        ..options(false)
    })
    .unwrap();
    assert_eq!(plain.status(false), Status::Findings);
    assert!(plain.baseline.is_none());
}
