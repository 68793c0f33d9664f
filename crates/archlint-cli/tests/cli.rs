//! End-to-end: archlint as a user runs it at a terminal.

mod common;

use common::{example, uncached as archlint};

use std::fs;

use predicates::prelude::*;

/// `archlint check DIR` exits with `code` and says `message` on standard error.
fn check_says(dir: &std::path::Path, code: i32, message: &str) {
    archlint()
        .arg("check")
        .arg(dir)
        .assert()
        .code(code)
        .stderr(predicate::str::contains(message));
}

fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }
    dir
}

#[test]
fn check_example_reports_every_broken_contract() {
    let out = archlint()
        .arg("check")
        .arg(example())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    insta::with_settings!({filters => vec![(r"in \d+ ms", "in [N] ms"), (r"\(\d+\.\d ms\)", "([N] ms)")]}, {
        insta::assert_snapshot!(text);
    });
}

#[test]
fn check_example_json() {
    let out = archlint()
        .args(["check", "--format", "json"])
        .arg(example())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["summary"]["files"], 13);
    assert_eq!(report["summary"]["contracts_broken"], 4);
    let layers = &report["contracts"][0];
    assert_eq!(layers["name"], "Shop layers");
    assert_eq!(layers["status"], "broken");
    let direct: Vec<String> = layers["direct_imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} -> {}",
                d["importer"].as_str().unwrap(),
                d["imported"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        direct,
        [
            "shop.domain.models -> shop.services.orders",
            "shop.infra.repository -> shop.domain.models",
            "shop.services.orders -> shop.api.views",
        ]
    );
}

#[test]
fn selecting_one_contract() {
    archlint()
        .args(["check", "--contract", "plugins"])
        .arg(example())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Plugins are independent BROKEN"))
        .stdout(predicate::str::contains("Shop layers").not());
    archlint()
        .args(["check", "--contract", "nope"])
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no contract with id 'nope'"));
}

#[test]
fn kept_contracts_exit_zero() {
    let dir = project(&[
        ("app/__init__.py", b""),
        ("app/high.py", b"from app import low\n"),
        ("app/low.py", b""),
        (
            ".importlinter",
            b"[importlinter]\nroot_package = app\n[importlinter:contract:l]\nname = L\ntype = layers\nlayers =\n    app.high\n    app.low\n",
        ),
    ]);
    archlint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("L KEPT"))
        .stdout(predicate::str::contains("Contracts: 1 kept, 0 broken."));
}

#[test]
fn missing_configuration_is_a_usage_error() {
    let dir = project(&[("app/__init__.py", b"")]);
    check_says(dir.path(), 2, "no configuration found");
}

#[test]
fn unknown_option_names_the_option_and_file() {
    let dir = project(&[
        ("app/__init__.py", b""),
        (
            ".importlinter",
            b"[importlinter]\nroot_package = app\n\n[importlinter:contract:x]\nname = X\ntype = layers\nlayers = app\nexhaustiv = true\n",
        ),
    ]);
    archlint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(".importlinter"))
        .stderr(predicate::str::contains("option 'exhaustiv'"))
        .stderr(predicate::str::contains("Did you mean 'exhaustive'?"))
        .stderr(predicate::str::contains("(line 4)"));
}

#[test]
fn missing_module_in_contract_is_a_configuration_error() {
    let dir = project(&[
        ("app/__init__.py", b""),
        (
            ".importlinter",
            b"[importlinter]\nroot_package = app\n[importlinter:contract:f]\nname = F\ntype = forbidden\nsource_modules = app.nothing\nforbidden_modules = app\n",
        ),
    ]);
    check_says(dir.path(), 2, "Module 'app.nothing' does not exist.");
}

#[test]
fn broken_toml_gives_file_and_line() {
    let dir = project(&[
        ("app/__init__.py", b""),
        ("pyproject.toml", b"[tool.importlinter\nx = 1\n"),
    ]);
    check_says(dir.path(), 2, "pyproject.toml:1:");
}

#[test]
fn bad_files_are_reported_and_the_rest_still_checked() {
    let config = b"[importlinter]\nroot_package = app\n[importlinter:contract:f]\nname = F\ntype = forbidden\nsource_modules = app.a\nforbidden_modules = app.b\n";
    let dir = project(&[
        ("app/__init__.py", b""),
        ("app/a.py", b"import app.b\n"),
        ("app/b.py", b""),
        ("app/broken.py", b"def f(:\n    pass\nimport app.a\n"),
        ("app/latin.py", b"x = '\xe9'\n"),
        ("app/blob.py", b"\x00\x01\x02"),
        (".importlinter", config),
    ]);
    archlint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("app.a -> app.b (app/a.py:1)"))
        .stderr(predicate::str::contains(
            "app/broken.py:1:7: error[syntax-error]",
        ))
        // The offending line, with a caret under the column.
        .stderr(predicate::str::contains(
            " --> app/broken.py:1:7\n  |\n1 | def f(:\n  |       ^ syntax-error",
        ))
        // Binary content is never echoed to the terminal.
        .stderr(predicate::str::contains("--> app/blob.py").not())
        .stderr(predicate::str::contains("app/latin.py:1: error[non-utf8]"))
        .stderr(predicate::str::contains("app/blob.py:1: error[binary]"));
}

#[test]
fn graph_formats() {
    archlint()
        .args(["graph", "--format", "dot"])
        .arg(example())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\"shop.api.views\" -> \"shop.services.orders\";",
        ));
    archlint()
        .args(["graph", "--format", "mermaid", "--depth", "2"])
        .arg(example())
        .assert()
        .success()
        .stdout(predicate::str::starts_with("graph LR"))
        .stdout(predicate::str::contains("[\"shop.api\"]"));
    let out = archlint()
        .args(["graph", "--format", "json"])
        .arg(example())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(
        v["modules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "requests")
    );
}

#[test]
fn usage_errors_exit_two() {
    archlint()
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    archlint().args(["frobnicate"]).assert().code(2);
    archlint()
        .args(["check", "/nonexistent/archlint/project"])
        .assert()
        .code(2);
}

#[test]
fn one_bad_contract_does_not_hide_the_others() {
    let dir = project(&[
        ("app/__init__.py", b""),
        ("app/a.py", b"import app.b\n"),
        ("app/b.py", b""),
        (
            ".importlinter",
            b"[importlinter]\nroot_package = app\n\
              [importlinter:contract:bad]\nname = Bad\ntype = layers\n\
              [importlinter:contract:good]\nname = Good\ntype = forbidden\nsource_modules = app.a\nforbidden_modules = app.b\n",
        ),
    ]);
    archlint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains("Good BROKEN"))
        .stdout(predicate::str::contains("Bad ERROR"))
        .stderr(predicate::str::contains(
            "contract 'Bad' (line 3), option 'layers': This is a required field.",
        ));
}

#[test]
fn ignored_imports_are_counted() {
    let dir = project(&[
        ("app/__init__.py", b""),
        ("app/high.py", b""),
        ("app/low.py", b"import app.high\n"),
        (
            ".importlinter",
            b"[importlinter]\nroot_package = app\n[importlinter:contract:l]\nname = L\ntype = layers\nlayers =\n    app.high\n    app.low\nignore_imports = app.low -> app.*\n",
        ),
    ]);
    archlint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("L KEPT (1 ignored import)"));
}

#[test]
fn query_answers_json_lines_and_survives_bad_requests() {
    let requests = [
        r#"{"op":"imports","module":"shop.domain.models"}"#,
        "not json",
        r#"{"op":"chain","importer":"shop.domain","imported":"sqlalchemy"}"#,
        r#"{"op":"contract","contract":{"type":"forbidden","source_modules":["shop.domain"],"forbidden_modules":["shop.infra"]}}"#,
        r#"{"op":"contract","contract":{"type":"forbidden","source_modules":["shop.nope"],"forbidden_modules":["shop.infra"]}}"#,
        r#"{"op":"nope"}"#,
    ]
    .join("\n");
    let out = archlint()
        .arg("query")
        .arg(example())
        .write_stdin(requests)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let answers: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 7);
    assert_eq!(answers[0]["ready"], true);
    assert!(answers[1]["imports"].as_array().unwrap().iter().any(|i| {
        i["imported"] == "shop.services.orders" && i["lines"][0] == 12 && i["in_function"] == true
    }));
    assert!(
        answers[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("not a JSON request")
    );
    assert_eq!(answers[3]["chain"].as_array().unwrap().len(), 4);
    assert_eq!(answers[3]["links"][0]["file"], "shop/domain/models.py");
    assert_eq!(answers[4]["status"], "broken");
    assert!(
        answers[4]["text"]
            .as_str()
            .unwrap()
            .contains("- shop.domain.models -> shop.services.orders (shop/domain/models.py:12)")
    );
    assert!(answers[5]["error"].as_str().unwrap().contains("shop.nope"));
    assert!(
        answers[6]["error"]
            .as_str()
            .unwrap()
            .starts_with("unknown op")
    );
    // One request, one answer.
    archlint()
        .args(["query", "--request", r#"{"op":"info"}"#])
        .arg(example())
        .assert()
        .success()
        .stdout(predicate::str::contains("\"files\":13"));
}

#[test]
fn a_package_directory_stands_for_its_project() {
    // `archlint check src/myapp`-style: the example's package directory finds the project's
    // configuration above it.
    let out = archlint()
        .args(["check", "--no-deps", "--format", "json"])
        .arg(example().join("shop/domain"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["summary"]["contracts_broken"], 4);
    // No configuration anywhere: the package is analysed with its full module names.
    let dir = project(&[
        ("src/myapp/__init__.py", b""),
        ("src/myapp/a.py", b"from myapp import b\n"),
        ("src/myapp/b.py", b""),
        (".git/HEAD", b"ref: refs/heads/main\n"),
    ]);
    archlint()
        .args([
            "query",
            "--request",
            r#"{"op":"imports","module":"myapp.a"}"#,
        ])
        .arg(dir.path().join("src/myapp"))
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""imported":"myapp.b""#));
}

/// A `.importlinter` that is a directory or a dangling link once meant "no configuration": no
/// contracts, exit 0, and a checkout could switch its architecture checks off unnoticed. It is a
/// configuration error now, naming the file.
#[test]
fn an_unreadable_importlinter_file_is_an_error() {
    let dir = project(&[("app/__init__.py", b"")]);
    fs::create_dir(dir.path().join(".importlinter")).unwrap();
    check_says(dir.path(), 2, ".importlinter: is not a readable file");
    fs::remove_dir(dir.path().join(".importlinter")).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/nonexistent/file", dir.path().join(".importlinter")).unwrap();
        archlint()
            .arg("check")
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                ".importlinter: is not a readable file",
            ));
    }
}

/// A wildcard matching nothing once kept a contract silently.
#[test]
fn a_wildcard_matching_nothing_is_a_warning_or_an_error() {
    let ini = "[importlinter]\nroot_package = app\n\n[importlinter:contract:one]\nname = One\n\
               type = forbidden\nsource_modules = app.*.modles\nforbidden_modules = app.b\n";
    let dir = project(&[
        ("app/__init__.py", b""),
        ("app/a/__init__.py", b""),
        ("app/a/models.py", b"import app.b\n"),
        ("app/b.py", b""),
        (".importlinter", ini.as_bytes()),
    ]);
    check_says(
        dir.path(),
        0,
        "One: source_modules 'app.*.modles' matches no module",
    );
    let strict = ini.replace(
        "root_package = app\n",
        "root_package = app\nunmatched_modules_alerting = error\n",
    );
    fs::write(dir.path().join(".importlinter"), strict).unwrap();
    check_says(
        dir.path(),
        2,
        "The expression 'app.*.modles' did not match any modules.",
    );
}

/// A glob that does not compile names the file and the setting it came from.
#[test]
fn a_bad_glob_names_its_file_and_setting() {
    let dir = project(&[
        ("app/__init__.py", b""),
        (
            "pyproject.toml",
            b"[tool.archlint]\nroot_packages = [\"app\"]\nexclude = [\"[a-\"]\n",
        ),
    ]);
    check_says(
        dir.path(),
        2,
        "pyproject.toml: setting 'exclude': invalid glob '[a-'",
    );
}

/// `--baseline /dev/zero` once read until memory ran out; a baseline must be a regular file.
#[cfg(unix)]
#[test]
fn a_baseline_that_is_not_a_regular_file_is_refused() {
    archlint()
        .arg("check")
        .arg(example())
        .args(["--no-deps", "--baseline", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/dev/zero: not a regular file"));
}
