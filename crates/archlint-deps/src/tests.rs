//! The checks on generated environments and projects.

use std::path::{Path, PathBuf};

use archlint_facts::{ImportFact, ImportKind, ModuleFacts};
use archlint_inventory::{EnvironmentSpec, locate, read_inventory};
use archlint_requirements::read_declarations;
use rustc_hash::FxHashSet;

use super::*;

/// A throwaway virtualenv with hand-written dist-info directories.
pub(crate) struct FakeEnv {
    pub dir: tempfile::TempDir,
}

impl FakeEnv {
    pub fn new() -> FakeEnv {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pyvenv.cfg"), "version = 3.11.7\n").unwrap();
        std::fs::create_dir_all(dir.path().join("lib/python3.11/site-packages")).unwrap();
        FakeEnv { dir }
    }

    pub fn site(&self) -> PathBuf {
        self.dir.path().join("lib/python3.11/site-packages")
    }

    /// Add a distribution: `extra_headers` are raw METADATA lines; `top_level` import names.
    pub fn dist(
        &self,
        name: &str,
        version: &str,
        extra_headers: &str,
        top_level: &[&str],
    ) -> &Self {
        let info = self
            .site()
            .join(format!("{}-{version}.dist-info", name.replace('-', "_")));
        std::fs::create_dir_all(&info).unwrap();
        std::fs::write(
            info.join("METADATA"),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{extra_headers}\n\nlong description\n"),
        )
        .unwrap();
        let record: String = top_level
            .iter()
            .map(|t| format!("{t}/__init__.py,,\n"))
            .collect();
        std::fs::write(info.join("RECORD"), record).unwrap();
        self
    }

    pub fn inventory(&self) -> archlint_inventory::DistInventory {
        let env = locate(&EnvironmentSpec {
            venv: Some(self.dir.path().to_owned()),
            ..Default::default()
        })
        .unwrap();
        read_inventory(env)
    }
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn imports(list: &[(&str, &str, &str, u32)]) -> ProjectImports {
    let facts: Vec<(String, String, ModuleFacts)> = list
        .iter()
        .map(|(module, path, import, line)| {
            let facts = ModuleFacts {
                imports: vec![ImportFact {
                    kind: ImportKind::Import,
                    level: 0,
                    module: (*import).to_owned(),
                    name: None,
                    line: *line,
                    column: 1,
                    type_checking: false,
                    in_function: false,
                    name_line: *line,
                    nested: false,
                    type_checking_else: false,
                }],
                ..ModuleFacts::default()
            };
            ((*module).to_owned(), (*path).to_owned(), facts)
        })
        .collect();
    let internal: FxHashSet<&str> = ["app"].into_iter().collect();
    ProjectImports::collect(
        facts.iter().map(|(m, p, f)| ModuleImports {
            module: m,
            path: p,
            facts: f,
        }),
        &internal,
    )
}

fn policy(deps: &str, licenses: &str) -> DependencyPolicy {
    DependencyPolicy::from_tables(
        Some(&deps.parse().unwrap()),
        Some(&licenses.parse().unwrap()),
        Some(Path::new("pyproject.toml")),
    )
    .unwrap()
}

fn codes(report: &DepReport) -> Vec<(&'static str, Option<&str>)> {
    let mut v: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.excepted.is_none())
        .map(|f| (f.code, f.package.as_deref()))
        .collect();
    v.sort();
    v
}

fn standard_env() -> FakeEnv {
    let env = FakeEnv::new();
    env.dist("requests", "2.31.0", "License: Apache 2.0\nRequires-Dist: urllib3<3,>=1.21.1\nRequires-Dist: idna\nRequires-Dist: PySocks!=1.5.7 ; extra == \"socks\"", &["requests"])
        .dist("urllib3", "2.0.7", "License-Expression: MIT", &["urllib3"])
        .dist("idna", "3.6", "Classifier: License :: OSI Approved :: BSD License", &["idna"])
        .dist("PyYAML", "6.0.1", "License: MIT", &["yaml", "_yaml"])
        .dist("pytest", "8.0.0", "License: MIT", &["pytest", "_pytest"])
        .dist("gplthing", "1.0", "License-Expression: GPL-3.0-only", &["gplthing"])
        .dist("pip", "24.0", "License: MIT", &["pip"]);
    env
}

#[test]
fn declared_vs_used() {
    let env = standard_env();
    let inv = env.inventory();
    let proj = project(&[(
        "pyproject.toml",
        "[project]\nname = \"app\"\ndependencies = [\"requests>=2\", \"gplthing\", \"attrs\"]\n[dependency-groups]\ntest = [\"pytest\"]\n",
    )]);
    let decl = read_declarations(proj.path(), &[]);
    let imports = imports(&[
        ("app.api", "app/api.py", "requests", 3),
        ("app.cfg", "app/cfg.py", "yaml", 1),
        ("app.net", "app/net.py", "urllib3.util", 2),
        ("app.check", "app/check.py", "pytest", 5),
        ("app.tests.test_api", "app/tests/test_api.py", "pytest", 1),
        ("app.x", "app/x.py", "numpy", 7),
        ("app.y", "app/y.py", "os.path", 1),
    ]);
    let p = policy("", "");
    let report = check(&CheckInput {
        inventory: &inv,
        declarations: &decl,
        imports: Some(&imports),
        policy: &p,
        today: (2026, 11, 23),
        vulnerabilities: None,
        extra_licenses: None,
    });
    assert_eq!(
        codes(&report),
        [
            ("dev-dependency-in-production", Some("pytest")),
            ("license-ambiguous", Some("idna")),
            ("missing-dependency", None),
            ("missing-dependency", Some("pyyaml")),
            ("not-installed", Some("attrs")),
            ("transitive-dependency", Some("urllib3")),
            ("unused-dependency", Some("attrs")),
            ("unused-dependency", Some("gplthing")),
        ]
    );
    let missing = report
        .findings
        .iter()
        .find(|f| f.code == "missing-dependency" && f.package.is_none())
        .unwrap();
    assert_eq!(
        (missing.file.as_deref(), missing.line),
        (Some("app/x.py"), Some(7))
    );
    assert!(missing.message.contains("numpy"));
    let transitive = report
        .findings
        .iter()
        .find(|f| f.code == "transitive-dependency")
        .unwrap();
    assert!(
        transitive.message.contains("requests -> urllib3"),
        "{}",
        transitive.message
    );
    let dev = report
        .findings
        .iter()
        .find(|f| f.code == "dev-dependency-in-production")
        .unwrap();
    assert_eq!(dev.file.as_deref(), Some("app/check.py"));
    // Roles: declared, pulled in, or just installed.
    let role = |n: &str| report.packages.iter().find(|p| p.name == n).unwrap().role;
    assert_eq!(role("requests"), Role::Direct);
    assert_eq!(role("idna"), Role::Transitive);
    assert_eq!(role("pip"), Role::Unrelated);
}

#[test]
fn approved_forbidden_and_licenses() {
    let env = standard_env();
    let inv = env.inventory();
    let proj = project(&[("requirements.txt", "requests>=2\ngplthing\nPyYAML\n")]);
    let decl = read_declarations(proj.path(), &[]);
    let p = policy(
        "approved = [\"requests>=2.32\", \"urllib3\", \"pyyaml\"]\nforbidden = [\"gplthing\"]\nunapproved = \"error\"",
        "allow = [\"MIT\", \"Apache-2.0\"]\ndeny = [\"GPL-3.0-only\"]\nambiguous = \"error\"",
    );
    let report = check(&CheckInput {
        inventory: &inv,
        declarations: &decl,
        imports: None,
        policy: &p,
        today: (2026, 11, 23),
        vulnerabilities: None,
        extra_licenses: None,
    });
    assert_eq!(
        codes(&report),
        [
            ("forbidden-package", Some("gplthing")),
            ("license-ambiguous", Some("idna")),
            ("license-denied", Some("gplthing")),
            ("unapproved-package", Some("idna")),
            ("version-not-approved", Some("requests")),
        ]
    );
    let forbidden = report
        .findings
        .iter()
        .find(|f| f.code == "forbidden-package")
        .unwrap();
    assert!(
        forbidden
            .file
            .as_deref()
            .unwrap()
            .ends_with("requirements.txt")
    );
    assert_eq!(forbidden.line, Some(2));
    assert_eq!(report.errors, 5);
    // pip is installed but neither declared nor required: not judged.
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.package.as_deref() != Some("pip"))
    );

    // transitive = false: idna (pulled in by requests) is no longer judged.
    let p2 = policy(
        "approved = [\"requests\", \"pyyaml\", \"gplthing\"]\nunapproved = \"error\"\ntransitive = false",
        "",
    );
    let report = check(&CheckInput {
        inventory: &inv,
        declarations: &decl,
        imports: None,
        policy: &p2,
        today: (2026, 11, 23),
        vulnerabilities: None,
        extra_licenses: None,
    });
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
}

#[test]
fn exceptions_with_reasons_and_expiry() {
    let env = standard_env();
    let inv = env.inventory();
    let proj = project(&[("requirements.txt", "gplthing\n")]);
    let decl = read_declarations(proj.path(), &[]);
    let deps = "forbidden = [\"gplthing\"]\nexceptions = [\n { package = \"gplthing\", reason = \"legal approved it\", expires = \"2027-01-01\", rules = [\"forbidden-package\"] },\n]";
    let p = policy(deps, "");
    let run = |today| {
        check(&CheckInput {
            inventory: &inv,
            declarations: &decl,
            imports: None,
            policy: &p,
            today,
            vulnerabilities: None,
            extra_licenses: None,
        })
    };
    let report = run((2026, 11, 23));
    assert!(codes(&report).is_empty(), "{:?}", codes(&report));
    assert_eq!(report.excepted, 1);
    assert_eq!(
        report.findings[0].excepted.as_deref(),
        Some("legal approved it")
    );
    // After the expiry date the exception no longer applies.
    let report = run((2027, 1, 2));
    assert_eq!(codes(&report), [("forbidden-package", Some("gplthing"))]);
}

#[test]
fn malformed_metadata_is_a_finding_not_a_crash() {
    let env = standard_env();
    let bad = env.site().join("broken-1.0.dist-info");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("METADATA"), "Metadata-Version: 2.1\nName: broken\nVersion: not-a-version!\nRequires-Dist: ???\ngarbage line\n").unwrap();
    let nameless = env.site().join("nameless-1.0.dist-info");
    std::fs::create_dir_all(&nameless).unwrap();
    std::fs::write(nameless.join("METADATA"), b"Version: 1\n\xff\xfe\n").unwrap();
    let inv = env.inventory();
    let broken = inv.get("broken").unwrap();
    let lines: Vec<Option<u32>> = broken.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [Some(5), Some(3), Some(4)], "{:?}", broken.problems);
    assert_eq!(inv.unreadable.len(), 1);
    let decl = archlint_requirements::Declarations::default();
    let p = policy("", "");
    let report = check(&CheckInput {
        inventory: &inv,
        declarations: &decl,
        imports: None,
        policy: &p,
        today: (2026, 11, 23),
        vulnerabilities: None,
        extra_licenses: None,
    });
    let malformed = report
        .findings
        .iter()
        .filter(|f| f.code == "malformed-metadata")
        .count();
    assert_eq!(malformed, 4);
    // Everything else was still read.
    assert_eq!(inv.distributions.len(), 8);
}

#[test]
fn a_thousand_distributions() {
    let env = FakeEnv::new();
    for i in 0..1000 {
        env.dist(
            &format!("pkg-{i}"),
            &format!("1.{i}"),
            "License: MIT\nClassifier: License :: OSI Approved :: MIT License",
            &[&format!("pkg_{i}")],
        );
    }
    let inv = env.inventory();
    assert_eq!(inv.distributions.len(), 1000);
    assert!(inv.distributions.iter().all(|d| d.problems.is_empty()));
    assert_eq!(inv.get("PKG_999").unwrap().version, "1.999");
    assert_eq!(inv.get("pkg-7").unwrap().import_names, ["pkg_7"]);
}

#[test]
fn role_and_verdict_names_match_their_serialized_form() {
    use archlint_licenses::LicenseVerdict;
    for role in [Role::Direct, Role::Transitive, Role::Unrelated] {
        assert_eq!(serde_json::to_value(role).unwrap(), role.name());
    }
    for v in [
        LicenseVerdict::Allowed,
        LicenseVerdict::Review(vec!["MPL-2.0".into()]),
        LicenseVerdict::Denied(vec!["GPL-3.0-only".into()]),
        LicenseVerdict::NotAllowed(vec!["X".into()]),
        LicenseVerdict::Unjudged,
    ] {
        assert_eq!(serde_json::to_value(&v).unwrap()["verdict"], v.name());
    }
}
