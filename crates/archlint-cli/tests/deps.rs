//! End-to-end: the dependency commands on the example project's bundled environment and on
//! generated ones.

mod common;

use common::{example, uncached as archlint};

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::json;

fn json_of(cmd: &mut Command, code: i32) -> serde_json::Value {
    let out = cmd.assert().code(code).get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

/// A project with a virtualenv of hand-written distributions.
fn project(files: &[(&str, &str)], dists: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    let venv = dir.path().join(".venv");
    let site = venv.join("lib/python3.11/site-packages");
    fs::create_dir_all(&site).unwrap();
    fs::write(venv.join("pyvenv.cfg"), "version = 3.11.7\n").unwrap();
    for (name, version, headers) in dists {
        let info = site.join(format!("{name}-{version}.dist-info"));
        fs::create_dir_all(&info).unwrap();
        fs::write(
            info.join("METADATA"),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{headers}\n\nbody\n"),
        )
        .unwrap();
        // Import names: the lower-cased name, or an `X-Top-Level:` header's.
        let top = headers
            .lines()
            .find_map(|l| l.strip_prefix("X-Top-Level: "))
            .map(str::to_owned)
            .unwrap_or_else(|| name.to_lowercase().replace('-', "_"));
        fs::write(info.join("RECORD"), format!("{top}/__init__.py,,\n")).unwrap();
    }
    dir
}

#[test]
fn inventory_of_the_bundled_environment() {
    let doc = json_of(
        archlint()
            .args(["deps", "inventory", "--format", "json"])
            .arg(example()),
        0,
    );
    assert_eq!(doc["environment"]["found_by"], ".venv");
    assert_eq!(doc["environment"]["interpreter_called"], false);
    assert_eq!(doc["environment"]["python_version"], "3.11.7");
    let names: Vec<&str> = doc["distributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 12);
    assert!(names.contains(&"SQLAlchemy"));
    assert!(names.contains(&"typing_extensions"));
    let text = archlint()
        .args(["deps", "inventory"])
        .arg(example())
        .assert()
        .success();
    text.stdout(predicate::str::contains("12 distributions in"));
}

#[test]
fn licenses_with_verdicts() {
    let doc = json_of(
        archlint()
            .args(["deps", "licenses", "--format", "json"])
            .arg(example()),
        0,
    );
    let row = |name: &str| {
        doc.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(row("typing_extensions")["license"]["expression"], "PSF-2.0");
    assert_eq!(row("typing_extensions")["license"]["source"], "classifiers");
    assert_eq!(row("greenlet")["license"]["expression"], "MIT AND PSF-2.0");
    assert_eq!(row("leftpad")["verdict"]["verdict"], "denied");
    assert_eq!(row("certifi")["verdict"]["verdict"], "review");
    assert_eq!(row("idna")["license"]["expression"], "BSD-3-Clause");
}

#[test]
fn check_example_includes_dependency_findings() {
    let doc = json_of(
        archlint()
            .args(["check", "--format", "json"])
            .arg(example()),
        1,
    );
    let deps = &doc["dependencies"];
    assert_eq!(deps["errors"], 2);
    let codes: Vec<&str> = deps["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "license-review",
            "forbidden-package",
            "license-denied",
            "unused-dependency"
        ]
    );
    // Files as every report shows them: relative to the project, `/`-separated.
    let files: Vec<&str> = deps["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(files.contains(&"pyproject.toml"), "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| !f.starts_with("./") && !f.contains('\\')),
        "{files:?}"
    );
    // --no-deps leaves only the contracts.
    let doc = json_of(
        archlint()
            .args(["check", "--no-deps", "--format", "json"])
            .arg(example()),
        1,
    );
    assert!(doc.get("dependencies").is_none());
}

#[test]
fn missing_unused_and_exit_codes() {
    let files = [
        (
            "pyproject.toml",
            "[project]\nname = \"app\"\ndependencies = [\"requests\", \"attrs\"]\n\n[tool.archlint.dependencies]\nmissing = \"error\"\n",
        ),
        ("app/__init__.py", ""),
        (
            "app/main.py",
            "import os\nimport requests\nimport yaml\nfrom app import helpers\n",
        ),
        ("app/helpers.py", "import attrs\n"),
    ];
    let dists = [
        ("requests", "2.31.0", "License: Apache-2.0"),
        ("attrs", "23.2.0", "License-Expression: MIT"),
        ("PyYAML", "6.0.1", "License: MIT\nX-Top-Level: yaml"),
    ];
    let dir = project(&files, &dists);
    let out = archlint()
        .args(["deps", "check"])
        .arg(dir.path())
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("app/main.py:3: error[missing-dependency] app.main imports yaml, provided by pyyaml, which is not declared"),
        "{text}"
    );
    assert!(!text.contains("imports os"), "{text}");
    assert!(text.contains("1 error"), "{text}");

    // Declaring it makes the check clean (exit 0).
    fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"app\"\ndependencies = [\"requests\", \"attrs\", \"PyYAML\"]\n",
    )
    .unwrap();
    archlint()
        .args(["deps", "check"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors, 0 warnings"));

    // Unused, as a warning: still exit 0.
    fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"app\"\ndependencies = [\"requests\", \"attrs\", \"PyYAML\", \"rich\"]\n",
    )
    .unwrap();
    archlint()
        .args(["deps", "check"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "pyproject.toml:3: warning[unused-dependency] rich",
        ));
}

#[test]
fn bad_policy_is_a_configuration_error() {
    let dir = project(
        &[(
            "pyproject.toml",
            "[tool.archlint.dependencies]\napproved = [\"ok\"]\nunaproved = \"error\"\n",
        )],
        &[],
    );
    archlint()
        .args(["deps", "check", "--no-code"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pyproject.toml"))
        .stderr(predicate::str::contains("unknown option 'unaproved'"));
    let dir = project(
        &[(
            "pyproject.toml",
            "[tool.archlint.licenses]\nallow = [\"MTI\"]\n",
        )],
        &[],
    );
    archlint()
        .args(["deps", "licenses"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("MTI"));
    let dir = project(&[("pyproject.toml", "[tool.archlint.frobs]\nx = 1\n")], &[]);
    archlint()
        .args(["check"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown table 'frobs'"));
}

#[test]
fn missing_environment_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    archlint()
        .args(["deps", "inventory", "--venv"])
        .arg(dir.path().join("nope"))
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a virtualenv"));
}

#[test]
fn requirement_errors_carry_file_and_line() {
    let dir = project(
        &[
            ("requirements.txt", "requests\nthis is not valid ===\n"),
            ("app/__init__.py", "import requests\n"),
        ],
        &[("requests", "2.31.0", "License: MIT")],
    );
    archlint()
        .args(["deps", "check"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "requirements.txt:2: error[invalid-requirement]",
        ));
}

/// Requirements the PEP 508 parser aborted on (found by the fuzz test): a committed file or an
/// installed distribution's metadata holding one crashed the whole run.
#[test]
fn requirements_that_crashed_the_parser_are_errors_with_file_and_line() {
    let dir = project(
        &[
            (
                "requirements.txt",
                "requests\ndjango. ==1\nx[a-]\ny; sys_platform == 'win32'\u{e9}\n",
            ),
            ("app/__init__.py", "import requests\n"),
        ],
        &[(
            "requests",
            "2.31.0",
            "License: MIT\nRequires-Dist: idna.; extra == 'x'\nRequires-Dist: z[b_]",
        )],
    );
    let out = archlint()
        .args(["deps", "check"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in [2, 3, 4] {
        assert!(
            stdout.contains(&format!(
                "requirements.txt:{line}: error[invalid-requirement]"
            )),
            "line {line}: {stdout}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn sbom_is_cyclonedx_1_5() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sbom.json");
    archlint()
        .args(["deps", "sbom", "-o"])
        .arg(&file)
        .arg(example())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.5");
    assert_eq!(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    assert_eq!(doc["metadata"]["component"]["name"], "layered-shop");
    let components = doc["components"].as_array().unwrap();
    assert_eq!(components.len(), 12);
    let requests = components.iter().find(|c| c["name"] == "requests").unwrap();
    assert_eq!(requests["purl"], "pkg:pypi/requests@2.32.3");
    assert_eq!(requests["licenses"][0]["license"]["id"], "Apache-2.0");
    let greenlet = components.iter().find(|c| c["name"] == "greenlet").unwrap();
    assert_eq!(greenlet["licenses"][0]["expression"], "MIT AND PSF-2.0");
    let deps = doc["dependencies"].as_array().unwrap();
    let of_requests = deps
        .iter()
        .find(|d| d["ref"] == "pkg:pypi/requests@2.32.3")
        .unwrap();
    assert_eq!(of_requests["dependsOn"].as_array().unwrap().len(), 4);
}

fn osv_sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../archlint-advisories/tests/fixtures/osv-sample.zip")
}

#[test]
fn offline_vulnerabilities_from_an_imported_database() {
    let dir = project(
        &[
            ("requirements.txt", "requests==2.0.0\ngratient\nclick\n"),
            (
                "pyproject.toml",
                "[tool.archlint.vulnerabilities]\nignore = [{ id = \"CVE-2014-1829\", reason = \"we never follow redirects\" }]\n",
            ),
        ],
        &[
            ("requests", "2.0.0", "License: Apache-2.0"),
            ("gratient", "0.5", "License: MIT"),
            ("click", "8.1.7", "License: BSD-3-Clause"),
        ],
    );
    // No database yet: said plainly, not silently skipped.
    archlint()
        .args(["deps", "check", "--no-code"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Vulnerabilities: not checked: no advisory database",
        ));
    let db = dir.path().join("advisories.db");
    archlint()
        .args(["deps", "db", "import"])
        .arg(osv_sample())
        .arg("--db")
        .arg(&db)
        .assert()
        .success()
        .stdout(predicate::str::contains("Imported 26 advisories"));
    let stats = json_of(
        archlint()
            .args(["deps", "db", "stats", "--format", "json", "--db"])
            .arg(&db)
            .arg(dir.path()),
        0,
    );
    assert_eq!(stats["meta"]["advisories"], 26);
    assert_eq!(stats["outdated"], false);

    let doc = json_of(
        archlint()
            .args(["deps", "check", "--no-code", "--format", "json", "--db"])
            .arg(&db)
            .arg(dir.path()),
        1,
    );
    let vulns: Vec<(&str, &str, bool)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "vulnerable-package")
        .map(|f| {
            (
                f["package"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
                f.get("excepted").is_some(),
            )
        })
        .collect();
    assert_eq!(vulns.len(), 3, "{vulns:?}");
    assert!(vulns.iter().any(|(p, m, ex)| *p == "gratient"
        && m.contains("PYSEC-2024-1")
        && m.contains("no fixed version")
        && !ex));
    // requests 2.0.0: PYSEC-2014-13 (alias CVE-2014-1829) is ignored with a reason; the other counts.
    assert!(
        vulns
            .iter()
            .any(|(p, m, ex)| *p == "requests" && m.contains("PYSEC-2014-13") && *ex)
    );
    assert!(
        vulns
            .iter()
            .any(|(p, m, ex)| *p == "requests" && m.contains("fixed in") && !ex)
    );
    assert_eq!(doc["errors"], 2);
    assert_eq!(
        doc["vulnerabilities"]["checked"].as_array().unwrap().len(),
        3
    );

    // An old database is said to be old.
    fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.archlint.vulnerabilities]\nmax_db_age = \"0s\"\n",
    )
    .unwrap();
    archlint()
        .args(["deps", "check", "--no-code", "--db"])
        .arg(&db)
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "warning[vulnerability-data-outdated]",
        ));

    // A damaged database is a clear error, not a panic.
    let mut raw = fs::read(&db).unwrap();
    let n = raw.len();
    raw[n / 2] ^= 0xff;
    fs::write(&db, raw).unwrap();
    archlint()
        .args(["deps", "check", "--no-code", "--db"])
        .arg(&db)
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("damaged"));
}

#[test]
fn db_import_into_the_cache_directory_is_owner_only() {
    let dir = project(&[("app.py", "")], &[]);
    let cache = dir.path().join("cache");
    archlint()
        .args(["deps", "db", "import"])
        .arg(osv_sample())
        .arg("--project")
        .arg(dir.path())
        .arg("--cache-dir")
        .arg(&cache)
        .assert()
        .success();
    let file = cache.join("v1/advisories/pypi.db");
    assert!(file.is_file());
    assert!(cache.join("CACHEDIR.TAG").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(file.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
    }
    archlint()
        .args(["deps", "db", "import"])
        .arg(dir.path().join("nothing-here"))
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

fn index_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../archlint-index/tests/fixtures/index-json")
}

/// A project whose environment holds fixture versions; `online` commands against the mock.
fn online_project() -> tempfile::TempDir {
    project(
        &[(
            "requirements.txt",
            "requests==2.19.1\nurllib3\nsome-internal-tool\nchardet\n",
        )],
        &[
            ("requests", "2.19.1", "License: Apache-2.0"),
            ("urllib3", "1.24.1", "License: MIT"),
            ("some-internal-tool", "1.0.0", "License: Proprietary"),
            // No license in the installed metadata: the index fills it in.
            ("chardet", "5.2.0", "Summary: x"),
        ],
    )
}

fn online(dir: &Path, url: &str) -> Command {
    let mut cmd = archlint();
    cmd.args([
        "deps",
        "check",
        "--no-code",
        "--online",
        "--format",
        "json",
        "--index-url",
    ])
    .arg(format!("{url}/simple/"))
    .arg("--cache-dir")
    .arg(dir.join("cache"))
    .env_remove("ARCHLINT_NO_CACHE")
    .arg(dir);
    cmd
}

#[test]
fn online_audit_against_a_mock_index() {
    let server = archlint_index::mock::MockServer::start(&index_fixtures());
    let dir = online_project();
    let doc = json_of(&mut online(dir.path(), &server.url), 1);
    let vulnerable: Vec<(&str, usize)> = doc["vulnerabilities"]["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["vulnerabilities"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        vulnerable,
        [("chardet", 0), ("requests", 2), ("urllib3", 7)]
    );
    assert_eq!(
        doc["vulnerabilities"]["not_on_index"],
        json!(["some-internal-tool"])
    );
    assert_eq!(doc["online"]["requests"], 4);
    assert_eq!(doc["errors"], 9);
    // chardet's license came from the index.
    let chardet = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "chardet")
        .unwrap();
    assert_eq!(chardet["license"]["status"], "known");
    assert!(
        chardet["license"]["note"]
            .as_str()
            .unwrap()
            .contains("package index")
    );

    // Within the TTL a repeated run asks nothing.
    let before = server.requests();
    let doc = json_of(&mut online(dir.path(), &server.url), 1);
    assert_eq!(server.requests(), before);
    assert_eq!(doc["online"]["requests"], 0);
    assert_eq!(doc["online"]["cache_hits"], 4);
    assert_eq!(doc["errors"], 9);
}

#[test]
fn a_dead_index_is_listed_and_can_fail_the_run() {
    let dir = online_project();
    let url = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.archlint.vulnerabilities]\nretries = 0\n",
    )
    .unwrap();
    let out = online(dir.path(), &url)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        doc["vulnerabilities"]["unchecked"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "vulnerability-unchecked")
    );
    online(dir.path(), &url)
        .arg("--fail-on-incomplete")
        .assert()
        .code(1);
}

#[test]
fn online_without_an_index_url_is_a_usage_error() {
    let dir = online_project();
    archlint()
        .args(["deps", "check", "--no-code", "--online"])
        .arg(dir.path())
        .env_remove("ARCHLINT_INDEX_URL")
        .env_remove("PIP_INDEX_URL")
        .env("PIP_CONFIG_FILE", "/dev/null")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--index-url"));
}

#[test]
fn online_through_an_osv_service() {
    let server = archlint_index::mock::MockServer::start(&index_fixtures());
    let dir = online_project();
    let doc = json_of(
        archlint()
            .args([
                "deps",
                "check",
                "--no-code",
                "--online",
                "--vuln-service",
                "osv",
                "--format",
                "json",
                "--osv-url",
            ])
            .arg(&server.url)
            .arg(dir.path()),
        1,
    );
    let sources: std::collections::BTreeSet<&str> = doc["vulnerabilities"]["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["osv-service"].into_iter().collect());
    assert_eq!(doc["errors"], 9);
}
