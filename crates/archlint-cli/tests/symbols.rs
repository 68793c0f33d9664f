//! The symbol-level contracts, `public_interface` and `private_names`, end to end: every
//! violation of the bundled example (importer, name, line, definition site), each option,
//! bad options, import-linter files, baselines without lines, and cached runs.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{archlint, check_json, copy_dir, uncached, write};
use serde_json::Value;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/symbol-contracts")
}

/// Every violation of a report, as `contract: importer -> imported @lines [defined]`.
fn violations(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for c in report["contracts"].as_array().unwrap() {
        for v in c["violations"].as_array().unwrap() {
            for r in v["routes"].as_array().unwrap() {
                let link = &r["chain"][0];
                let defined = match link.get("defined") {
                    Some(d) => format!(" [{}:{}]", d["module"].as_str().unwrap(), d["line"]),
                    None => String::new(),
                };
                out.push(format!(
                    "{}: {} -> {} @{}{defined}",
                    c["id"].as_str().unwrap_or(c["name"].as_str().unwrap()),
                    link["importer"].as_str().unwrap(),
                    link["imported"].as_str().unwrap(),
                    link["lines"]
                ));
            }
        }
    }
    out
}

#[test]
fn the_example_breaks_both_contracts_exactly_where_expected() {
    let report = check_json(&example(), &["--no-cache", "--no-deps"], &[]);
    assert_eq!(
        violations(&report),
        [
            "orders-interface: shop.reports -> shop.billing.invoice @[4]",
            "orders-interface: shop.reports -> shop.billing.rates.VAT @[2] [shop.billing.rates:1]",
            "orders-interface: shop.reports -> shop.billing.rates._rounded @[8] [shop.billing.rates:4]",
            "orders-interface: shop.billing.invoice -> shop.orders.models @[3]",
            "orders-interface: shop.billing.invoice -> shop.orders.models.Draft @[2] [shop.orders.models:16]",
            "orders-interface: shop.billing.invoice -> shop.orders.models._total @[14] [shop.orders.models:20]",
            "private-names: shop.billing.invoice -> shop.orders.models._total @[14] [shop.orders.models:20]",
            "private-names: shop.reports -> shop.billing.rates._rounded @[8] [shop.billing.rates:4]",
            "private-names: shop.util.debug -> shop.billing.rates._rounded @[4] [shop.billing.rates:4]",
            "private-names: shop.util.debug -> shop.orders.models._total @[3] [shop.orders.models:20]",
        ]
    );
    let summaries: Vec<&str> = report["contracts"][0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "shop.billing may be imported from outside only through the names it exports (Invoice, issue, rates):",
            "shop.orders may be imported from outside only through the names it exports (Order, OrderLine, place_order):",
        ]
    );
    // The text report names the definition site; SARIF carries it as a related location.
    let text = uncached()
        .args(["check", "--no-deps"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(text.status.code(), Some(1));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(
            "- shop.util.debug -> shop.orders.models._total (shop/util/debug.py:3; defined at shop/orders/models.py:20)"
        ),
        "{text}"
    );
    let sarif = uncached()
        .args(["check", "--no-deps", "--format", "sarif"])
        .arg(example())
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    let draft = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("models.Draft")
        })
        .unwrap();
    let related = draft["relatedLocations"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(
                |l| l["physicalLocation"]["artifactLocation"]["uri"] == "shop/orders/models.py"
                    && l["physicalLocation"]["region"]["startLine"] == 16
            ),
        "{related:?}"
    );
}

/// A project with `pkg` (an `__init__` exporting through `__all__`), its modules, and importers.
fn project(dir: &Path, contract: &str) {
    write(
        dir,
        "archlint.toml",
        &format!(
            "root_packages = [\"app\"]\n\n[[contracts]]\nid = \"c\"\nname = \"C\"\n{contract}"
        ),
    );
    write(dir, "app/__init__.py", "");
    write(
        dir,
        "app/pkg/__init__.py",
        "from .impl import Thing, Other as Other\nfrom . import api\nfrom .star import *\nVERSION = 1\n_cache = {}\n",
    );
    write(
        dir,
        "app/pkg/impl.py",
        "class Thing: ...\nclass Other: ...\ndef _helper(): ...\n",
    );
    write(dir, "app/pkg/api.py", "def serve(): ...\n");
    write(
        dir,
        "app/pkg/star.py",
        "__all__ = ['starred']\nstarred = 1\nunlisted = 2\n",
    );
    write(
        dir,
        "app/user.py",
        "from typing import TYPE_CHECKING\nfrom app.pkg import Thing, Other, VERSION, starred, api\n\
         import app.pkg.api\nif TYPE_CHECKING:\n    from app.pkg.impl import Thing as T\n",
    );
}

fn run(dir: &Path) -> (Option<i32>, Value, String) {
    let out = uncached()
        .args(["check", "--no-deps", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), report, stderr)
}

#[test]
fn reexport_modes_decide_what_an_init_without_all_exports() {
    let dir = tempfile::tempdir().unwrap();
    project(
        dir.path(),
        "type = \"public_interface\"\npackages = [\"app.pkg\"]\n",
    );
    // `all`: every public name __init__ binds, the star-imported module's __all__ too.
    let (code, report, _) = run(dir.path());
    assert_eq!(code, Some(1), "{report}");
    assert_eq!(
        violations(&report),
        ["c: app.user -> app.pkg.impl.Thing @[5] [app.pkg.impl:1]"],
        "only the TYPE_CHECKING import reaches past the interface"
    );
    // Type-checking imports left out: kept.
    let toml = fs::read_to_string(dir.path().join("archlint.toml")).unwrap();
    write(
        dir.path(),
        "archlint.toml",
        &toml.replace(
            "root_packages",
            "exclude_type_checking_imports = true\nroot_packages",
        ),
    );
    let (code, report, _) = run(dir.path());
    assert_eq!(code, Some(0), "{report}");
    // `explicit`: `Thing` (a plain import) is no longer exported; `Other as Other`, the
    // `from . import api` and the star import's names are.
    write(
        dir.path(),
        "archlint.toml",
        &toml.replace("\npackages = ", "\nreexports = \"explicit\"\npackages = "),
    );
    let (_, report, _) = run(dir.path());
    assert_eq!(
        violations(&report),
        [
            "c: app.user -> app.pkg.Thing @[2] [app.pkg:1]",
            "c: app.user -> app.pkg.impl.Thing @[5] [app.pkg.impl:1]",
        ]
    );
    // `none`: only what __init__ defines itself.
    write(
        dir.path(),
        "archlint.toml",
        &toml.replace("\npackages = ", "\nreexports = \"none\"\npackages = "),
    );
    let (_, report, _) = run(dir.path());
    assert_eq!(
        violations(&report),
        [
            "c: app.user -> app.pkg.Other @[2] [app.pkg:1]",
            "c: app.user -> app.pkg.Thing @[2] [app.pkg:1]",
            // `from app.pkg import api` and `import app.pkg.api`: one name, both lines.
            "c: app.user -> app.pkg.api @[2,3] [app.pkg:2]",
            "c: app.user -> app.pkg.impl.Thing @[5] [app.pkg.impl:1]",
            "c: app.user -> app.pkg.starred @[2]",
        ]
    );
}

#[test]
fn exports_allow_and_ignore_imports() {
    let dir = tempfile::tempdir().unwrap();
    project(
        dir.path(),
        "type = \"public_interface\"\npackages = [\"app.*\"]\nexports = [\"Thing\", \"api\"]\n\
         unmatched_ignore_imports_alerting = \"warn\"\n\
         ignore_imports = [\"app.user -> app.pkg.VERSION\", \"app.other -> app.pkg.**\"]\n",
    );
    let (code, report, _) = run(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(
        violations(&report),
        [
            "c: app.user -> app.pkg.Other @[2] [app.pkg:1]",
            "c: app.user -> app.pkg.impl.Thing @[5] [app.pkg.impl:1]",
            "c: app.user -> app.pkg.starred @[2]",
        ],
        "VERSION is ignored; app.user (a module matched by app.*) has no importers"
    );
    let c = &report["contracts"][0];
    assert_eq!(c["ignored_imports"], 1);
    assert_eq!(
        c["warnings"],
        serde_json::json!(["No matches for ignored import app.other -> app.pkg.**."])
    );
    // `allow`: app.user may import anything.
    let toml = fs::read_to_string(dir.path().join("archlint.toml")).unwrap();
    write(
        dir.path(),
        "archlint.toml",
        &toml.replace("exports = ", "allow = [\"app.user\"]\nexports = "),
    );
    let (code, report, _) = run(dir.path());
    assert_eq!(code, Some(0), "{report}");
}

#[test]
fn computed_all_is_a_warning_and_its_literal_names_still_count() {
    let dir = tempfile::tempdir().unwrap();
    project(
        dir.path(),
        "type = \"public_interface\"\npackages = [\"app.pkg\"]\n",
    );
    write(
        dir.path(),
        "app/pkg/__init__.py",
        "from . import star\nfrom .impl import Thing, Other, _helper\nfrom .api import *\n\
         __all__ = ['Thing'] + star.__all__\nVERSION = 1\n",
    );
    let (_, report, _) = run(dir.path());
    let c = &report["contracts"][0];
    assert_eq!(
        c["warnings"][0],
        "app.pkg: __all__ is not a literal list, so its exports are what it lists literally plus \
         the public names its __init__ binds."
    );
    // starred is not found (star.__all__ is not followed); everything else is bound.
    let found = violations(&report);
    assert!(
        found.iter().any(|v| v.contains("app.pkg.starred")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|v| v.contains("app.pkg.VERSION")),
        "{found:?}"
    );
}

#[test]
fn private_names_scopes_and_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), "type = \"private_names\"\n");
    write(
        dir.path(),
        "app/pkg/sibling.py",
        "from .impl import _helper\nfrom app.pkg import _cache\n",
    );
    write(
        dir.path(),
        "app/other/__init__.py",
        "from app.pkg.impl import _helper\nfrom app.pkg import impl\nimport app.pkg\n\
         def f():\n    return impl._helper(), app.pkg._cache, app.pkg.impl.__name__\n",
    );
    write(dir.path(), "app/other/_secret.py", "x = 1\n");
    write(
        dir.path(),
        "app/third.py",
        "from app.other import _secret\n",
    );
    let (code, report, _) = run(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(
        violations(&report),
        [
            "c: app.other -> app.pkg._cache @[5] [app.pkg:5]",
            "c: app.other -> app.pkg.impl._helper @[1,5] [app.pkg.impl:3]",
        ],
        "siblings inside app.pkg may share private names; a private module is private_modules' business"
    );
    // A boundary widens the scope to the listed package.
    let toml = fs::read_to_string(dir.path().join("archlint.toml")).unwrap();
    write(
        dir.path(),
        "archlint.toml",
        &format!("{toml}packages = [\"app\"]\n"),
    );
    let (code, report, _) = run(dir.path());
    assert_eq!(code, Some(0), "{report}");
}

#[test]
fn bad_options_are_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (contract, message) in [
        (
            "type = \"public_interface\"\npackages = [\"app.pkg\"]\nreexports = \"some\"\n",
            "'some' is not one of: all, explicit, none.",
        ),
        (
            "type = \"public_interface\"\npackages = [\"app.missing\"]\n",
            "Module 'app.missing' does not exist.",
        ),
        ("type = \"public_interface\"\n", "packages"),
        (
            "type = \"private_names\"\npackages = [\"app.pkg\"]\nexport = [\"x\"]\n",
            "Unrecognized option.",
        ),
    ] {
        project(dir.path(), contract);
        let (code, _, stderr) = run(dir.path());
        assert_eq!(code, Some(2), "{contract}: {stderr}");
        assert!(stderr.contains(message), "{contract}: {stderr}");
    }
}

#[test]
fn import_linter_files_take_the_new_types() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), "type = \"private_names\"\n");
    fs::remove_file(dir.path().join("archlint.toml")).unwrap();
    write(
        dir.path(),
        ".importlinter",
        "[importlinter]\nroot_package = app\n\n[importlinter:contract:pi]\nname = Interface\n\
         type = public_interface\npackages = app.pkg\nreexports = explicit\n",
    );
    let (code, report, _) = run(dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(
        violations(&report),
        [
            "pi: app.user -> app.pkg.Thing @[2] [app.pkg:1]",
            "pi: app.user -> app.pkg.impl.Thing @[5] [app.pkg.impl:1]",
        ]
    );
    // `archlint lint-imports` renders them in import-linter's shape.
    let out = uncached()
        .current_dir(dir.path())
        .arg("lint-imports")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("- app.user -> app.pkg.Thing (l.2)"), "{text}");
    assert!(text.contains("Interface BROKEN"), "{text}");
}

#[test]
fn baselines_identify_symbol_violations_without_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("example");
    copy_dir(&example(), &root);
    uncached()
        .args(["check", "--no-deps", "--update-baseline"])
        .arg(&root)
        .assert()
        .code(0);
    let baseline: Value =
        serde_json::from_slice(&fs::read(root.join("archlint-baseline.json")).unwrap()).unwrap();
    let ids: Vec<&str> = baseline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["identity"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"contract:private-names:shop.util.debug->shop.orders.models._total"),
        "{ids:?}"
    );
    // Lines move: still accepted.
    let debug = root.join("shop/util/debug.py");
    let text = fs::read_to_string(&debug).unwrap();
    fs::write(&debug, format!("\n\n{text}")).unwrap();
    uncached()
        .args(["check", "--no-deps"])
        .arg(&root)
        .assert()
        .code(0);
    // A new private import is not.
    fs::write(
        &debug,
        format!(
            "{text}from shop.billing._ledger import _post\nfrom shop.orders.service import _total\n"
        ),
    )
    .unwrap();
    let out = uncached()
        .args(["check", "--no-deps"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("shop.util.debug -> shop.billing._ledger._post"),
        "{stdout}"
    );
}

#[test]
fn cached_runs_give_the_same_violations() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("example");
    copy_dir(&example(), &root);
    let cache = dir.path().join("cache");
    let cached = |root: &Path| {
        let out = archlint()
            .args(["check", "--no-deps", "--format", "json", "--cache-dir"])
            .arg(&cache)
            .arg(root)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let expected = violations(&check_json(&root, &["--no-cache", "--no-deps"], &[]));
    assert_eq!(violations(&cached(&root)), expected, "cold");
    assert_eq!(violations(&cached(&root)), expected, "warm");
    // An edit that adds a violation is seen through the cache.
    let reports = root.join("shop/reports.py");
    let text = fs::read_to_string(&reports).unwrap();
    fs::write(
        &reports,
        format!("{text}from shop.orders.models import _total\n"),
    )
    .unwrap();
    let after = violations(&cached(&root));
    assert_eq!(after.len(), expected.len() + 2, "{after:?}");
}

#[test]
fn metrics_list_exports_nothing_outside_imports() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), "type = \"private_names\"\n");
    // app.pkg is imported whole by app.user (`import app.pkg.api`): its names may be used by
    // attribute, so it is left out until that import goes.
    let metrics = |dir: &Path| -> Value {
        let out = uncached()
            .args(["metrics", "--format", "json"])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["unused_exports"].clone()
    };
    assert_eq!(metrics(dir.path()), serde_json::json!([]));
    write(
        dir.path(),
        "app/user.py",
        "from app.pkg import Thing, starred\n",
    );
    assert_eq!(
        metrics(dir.path()),
        serde_json::json!([
            {"package": "app.pkg", "name": "Other", "line": 1, "path": "app/pkg/__init__.py"},
            {"package": "app.pkg", "name": "api", "line": 2, "path": "app/pkg/__init__.py"},
            {"package": "app.pkg", "name": "VERSION", "line": 4, "path": "app/pkg/__init__.py"},
        ]),
        "Thing and starred are imported; _cache is private; starred's module is star-imported"
    );
    let text = uncached().arg("metrics").arg(dir.path()).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("exported, but imported by nothing outside the package (3):\n  app.pkg.Other  (app/pkg/__init__.py:1)"),
        "{text}"
    );
}
