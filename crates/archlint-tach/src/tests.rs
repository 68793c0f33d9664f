use std::path::Path;

use super::*;
use crate::config::{RespectGitignore, RootModule, RuleSetting};
use crate::diagnostic::{CodeDiagnostic, DiagnosticDetails};

fn parse(text: &str) -> Result<TachConfig, ConfigError> {
    config::parse(Path::new("tach.toml"), text)
}

#[test]
fn every_key_is_read() {
    let c = parse(
        r#"
source_roots = ["src", "libs/*"]
exclude = ["**/tests"]
exact = true
ignore_type_checking_imports = false
forbid_circular_dependencies = true
layers_explicit_depends_on = true
respect_gitignore = "if_git_repo"
root_module = "dependenciesonly"
layers = ["ui", { name = "core", closed = true }]

[[modules]]
paths = ["a", "b"]
depends_on = ["c", { path = "d", deprecated = true }]
cannot_depend_on = ["e"]
layer = "ui"
visibility = ["x.*"]
utility = true
unchecked = true

[[interfaces]]
expose = ["api.*"]
from = ["a"]
visibility = ["b"]
exclusive = true
data_types = "all"

[external]
exclude = ["pytest"]
rename = ["PIL:pillow"]

[rules]
local_imports = "warn"

[cache]
file_dependencies = ["x"]
"#,
    )
    .unwrap();
    assert_eq!(c.source_roots, ["src", "libs/*"]);
    assert!(c.exact && !c.ignore_type_checking_imports && c.forbid_circular_dependencies);
    assert!(c.layers_explicit_depends_on);
    assert_eq!(c.respect_gitignore, RespectGitignore::IfGitRepo);
    assert_eq!(c.root_module, RootModule::DependenciesOnly);
    assert_eq!(c.layers.len(), 2);
    assert!(c.layers[1].closed && !c.layers[0].closed);
    assert_eq!(c.modules.len(), 2);
    assert_eq!(
        (c.modules[0].path.as_str(), c.modules[1].path.as_str()),
        ("a", "b")
    );
    let deps = c.modules[0].depends_on.as_ref().unwrap();
    assert_eq!(deps.len(), 2);
    assert!(!deps[0].deprecated && deps[1].deprecated && deps[1].path == "d");
    assert!(c.modules[1].utility && c.modules[1].unchecked);
    assert_eq!(c.interfaces[0].from, ["a"]);
    assert!(c.interfaces[0].exclusive);
    assert_eq!(c.external.rename, [("PIL".to_owned(), "pillow".to_owned())]);
    assert_eq!(c.rules.local_imports, RuleSetting::Warn);
    assert_eq!(c.without_effect, ["cache"]);
}

#[test]
fn defaults_are_tachs() {
    let c = parse("").unwrap();
    assert_eq!(c.source_roots, ["."]);
    assert!(c.exclude.is_empty());
    assert!(c.ignore_type_checking_imports);
    assert_eq!(c.root_module, RootModule::Ignore);
    assert_eq!(c.rules.local_imports, RuleSetting::Error);
    let i = parse("[[interfaces]]\nexpose = [\"x\"]\n").unwrap();
    assert_eq!(i.interfaces[0].from, [".*"]);
    let m = parse("[[modules]]\npath = \"a\"\n").unwrap();
    assert!(
        m.modules[0].depends_on.is_none(),
        "omitted depends_on allows everything"
    );
}

#[test]
fn errors_name_the_key_and_the_line() {
    let cases = [
        (
            "[[modules]]\npath = \"a\"\n\ndepend_on = []\n",
            4,
            "unknown key `depend_on`",
        ),
        ("exact = 1\n", 1, "`exact` must be true or false"),
        (
            "[[modules]]\ndepends_on = []\n",
            1,
            "exactly one of `path` or `paths`",
        ),
        (
            "[[modules]]\npath = \"a\"\ndepends_on = [3]\n",
            3,
            "must be a string or a table",
        ),
        (
            "[[modules]]\npath = \"a\"\ndepends_on = [{ path = \"b\", why = 1 }]\n",
            3,
            "unknown key `why`",
        ),
        ("[[interfaces]]\nfrom = [\"a\"]\n", 1, "needs `expose`"),
        (
            "[[interfaces]]\nexpose = [\"a\"]\ndata_types = \"primitive\"\n",
            3,
            "not supported by archlint yet",
        ),
        (
            "[plugins.django]\nsettings_module = \"x\"\n",
            1,
            "`plugins.django` is not supported",
        ),
        (
            "[rules]\nlocal_imports = \"loud\"\n",
            2,
            "\"error\", \"warn\" or \"off\"",
        ),
        ("[external]\nrename = [\"PIL\"]\n", 2, "module:distribution"),
        ("a = [\n", 1, "invalid TOML"),
    ];
    for (text, line, needle) in cases {
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, Some(line), "{text}: {e}");
        assert!(e.message.contains(needle), "{text}: {e}");
        assert!(
            e.to_string().starts_with(&format!("tach.toml:{line}: ")),
            "{e}"
        );
    }
}

#[test]
fn pyproject_reads_tool_tach_only() {
    let text = "[project]\nname = \"x\"\n\n[tool.tach]\nexact = true\n";
    let c = config::parse(Path::new("pyproject.toml"), text).unwrap();
    assert!(c.exact);
    assert!(config::is_tach_file(Path::new("pyproject.toml"), text));
    assert!(!config::is_tach_file(
        Path::new("pyproject.toml"),
        "[tool.other]\n"
    ));
    let e = config::parse(Path::new("pyproject.toml"), "[tool.tach]\nbogus = 1\n").unwrap_err();
    assert_eq!(e.line, Some(2));
}

#[test]
fn module_globs_match_as_tachs() {
    let m = walk::module_glob_matcher("libs.*").unwrap();
    assert!(m.is_match("libs/a") && m.is_match("libs/a.py") && !m.is_match("libs/a/b"));
    let all = walk::module_glob_matcher("libs.**").unwrap();
    assert!(all.is_match("libs") && all.is_match("libs/a/b.py"));
    assert!(
        walk::has_glob_syntax("a.*")
            && !walk::has_glob_syntax("a.b")
            && !walk::has_glob_syntax("a\\*")
    );
}

fn project(files: &[(&str, &str)], toml: &str) -> (tempfile::TempDir, Outcome) {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(dir.path().join("tach.toml"), toml).unwrap();
    let config = load(&dir.path().join("tach.toml")).unwrap();
    let layout = walk(dir.path(), &config).unwrap();
    let settings = archlint_parser::ParseSettings::default();
    let facts: Vec<_> = layout
        .files
        .iter()
        .map(|f| archlint_parser::parse_file(&f.path, &settings))
        .collect();
    let refs: Vec<_> = facts.iter().collect();
    let outcome = check(&config, &layout, &refs, Checks::default()).unwrap();
    (dir, outcome)
}

#[test]
fn relative_members_and_lines_are_tachs() {
    let (_dir, outcome) = project(
        &[
            ("a/__init__.py", ""),
            ("a/x.py", "def f(): pass\n"),
            ("b/__init__.py", "from a.x import (\n    f,\n)\n"),
            ("b/y.py", "from . import z\nfrom ..a import x\n"),
            ("b/z.py", ""),
        ],
        "[[modules]]\npath = \"a\"\ndepends_on = []\n[[modules]]\npath = \"b\"\ndepends_on = []\n",
    );
    let found: Vec<(String, u32, Option<String>)> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.file_path().unwrap_or("").to_owned(),
                d.line_number().unwrap_or(0),
                d.dependency().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("b/__init__.py".to_owned(), 2, Some("a.x.f".to_owned())),
            ("b/y.py".to_owned(), 2, Some("a.x".to_owned())),
        ]
    );
    assert!(matches!(
        outcome.diagnostics[0].details(),
        DiagnosticDetails::Code(CodeDiagnostic::UndeclaredDependency { .. })
    ));
    assert!(outcome.failed());
}

#[test]
fn stops_before_files_on_a_contradictory_configuration() {
    let (_dir, outcome) = project(
        &[("a/__init__.py", ""), ("b/__init__.py", "")],
        "forbid_circular_dependencies = true\n[[modules]]\npath = \"a\"\ndepends_on = [\"b\"]\n\
         [[modules]]\npath = \"b\"\ndepends_on = [\"a\"]\n",
    );
    assert_eq!(
        outcome.stop,
        Some(Stop::Circular(vec!["a".into(), "b".into()]))
    );
    assert!(outcome.failed() && outcome.diagnostics.is_empty());
    let (_dir, outcome) = project(
        &[("a/__init__.py", ""), ("b/__init__.py", "")],
        "[[modules]]\npath = \"a\"\nvisibility = [\"c\"]\n[[modules]]\npath = \"b\"\ndepends_on = [\"a\"]\n",
    );
    assert_eq!(
        outcome.stop,
        Some(Stop::Visibility(vec![(
            "b".into(),
            "a".into(),
            vec!["c".into()]
        )]))
    );
}

#[test]
fn findings_carry_codes_severities_and_line_free_identities() {
    let (_dir, outcome) = project(
        &[
            ("a/__init__.py", "def f(): pass\n"),
            ("b/__init__.py", "from a import f\n"),
        ],
        "[[modules]]\npath = \"a\"\ndepends_on = []\n[[modules]]\npath = \"b\"\ndepends_on = []\n\
         [[modules]]\npath = \"ghost\"\n",
    );
    let report = findings::report(&outcome, 0.0);
    let codes: Vec<(&str, archlint_findings::Severity)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.severity))
        .collect();
    assert_eq!(
        codes,
        [
            (
                "tach-module-not-found",
                archlint_findings::Severity::Warning
            ),
            (
                "tach-undeclared-dependency",
                archlint_findings::Severity::Error
            ),
        ]
    );
    let undeclared = &report.findings[1];
    assert_eq!(undeclared.location.as_ref().and_then(|l| l.line), Some(1));
    assert!(
        !undeclared.identity.contains(":1"),
        "{}",
        undeclared.identity
    );
    assert_eq!(
        undeclared.identity,
        "tach|UndeclaredDependency|b/__init__.py|b|a|a.f"
    );
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| match &c.check {
            archlint_findings::Check::Contract { name, .. } => name.as_str(),
            _ => "",
        })
        .collect();
    assert_eq!(failed, ["tach: Internal Dependencies"]);
}

fn external_project(
    files: &[(&str, &str)],
    toml: &str,
    distributions: &[(&str, &str)],
) -> (
    tempfile::TempDir,
    Result<external::ExternalOutcome, ConfigError>,
) {
    external_project_with(files, toml, distributions, |_| {})
}

/// [`external_project`], with `prepare` run on the project directory once its files are
/// written (for links, odd files).
fn external_project_with(
    files: &[(&str, &str)],
    toml: &str,
    distributions: &[(&str, &str)],
    prepare: impl FnOnce(&Path),
) -> (
    tempfile::TempDir,
    Result<external::ExternalOutcome, ConfigError>,
) {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    prepare(dir.path());
    std::fs::write(dir.path().join("tach.toml"), toml).unwrap();
    let mut config = load(&dir.path().join("tach.toml")).unwrap();
    let layout = walk(dir.path(), &config).unwrap();
    add_domains(&mut config, &layout).unwrap();
    let settings = archlint_parser::ParseSettings::default();
    let facts: Vec<_> = layout
        .files
        .iter()
        .map(|f| archlint_parser::parse_file(&f.path, &settings))
        .collect();
    let refs: Vec<_> = facts.iter().collect();
    let mut environment = Environment::default();
    for (module, dist) in distributions {
        environment
            .distributions
            .entry((*module).to_owned())
            .or_default()
            .push((*dist).to_owned());
    }
    environment.stdlib = ["os", "json", "__future__", "typing_extensions"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let outcome = check_external(&config, &layout, &refs, &environment);
    (dir, outcome)
}

fn messages(outcome: &external::ExternalOutcome) -> Vec<String> {
    let mut out: Vec<String> = outcome
        .outcome
        .diagnostics
        .iter()
        .map(|d| match (d.file_path(), d.line_number()) {
            (Some(f), Some(l)) => format!("{f}:{l}: {}", d.message()),
            _ => d.message(),
        })
        .collect();
    out.sort();
    out
}

#[test]
fn external_names_are_normalised_as_tach_does() {
    use external::normalize_package_name as n;
    assert_eq!(n("PyYAML"), "pyyaml");
    assert_eq!(n("markdown-it-py"), "markdown_it_py");
    assert_eq!(n("Foo__Bar - baz"), "foo_bar_baz");
    // Dots are kept.
    assert_eq!(n("zope.interface"), "zope.interface");
}

#[test]
fn external_imports_against_declared_distributions() {
    let (dir, outcome) = external_project(
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"My.App\"\ndependencies = [\"PyYAML>=6\", \"rich[x]\", \
                 \"unused ; python_version>'3'\", \"x!=1\", \"python\", \"poetry-core\"]\n",
            ),
            (
                "src/app/__init__.py",
                "import os\nimport yaml\nimport requests\nfrom . import sub\nimport app.sub\n\
                 def f():\n    import numpy\n",
            ),
            (
                "src/app/sub.py",
                "from __future__ import annotations\nimport rich  # tach-ignore\nimport json  # tach-ignore\nimport typing_extensions\n",
            ),
        ],
        "source_roots = [\"src\"]\n[[modules]]\npath = \"app\"\ndepends_on = []\n\
         cannot_depend_on_external = [\"yaml\"]\n[[modules]]\npath = \"app.sub\"\n\
         depends_on = []\ndepends_on_external = []\n",
        &[("yaml", "PyYAML"), ("rich", "rich")],
    );
    let outcome = outcome.unwrap();
    assert_eq!(
        messages(&outcome),
        [
            "External package 'poetry_core' is not used in package 'My.App'.",
            "External package 'unused' is not used in package 'My.App'.",
            "External package 'x!' is not used in package 'My.App'.",
            "src/app/__init__.py:2: Module 'app' cannot depend on external package 'yaml'.",
            "src/app/__init__.py:3: Dependency 'requests' is not declared in package 'My.App'.",
            "src/app/__init__.py:7: Dependency 'numpy' is not declared in package 'My.App'.",
            // `rich` is declared but `app.sub` allows no external package: silenced; the
            // directive on a standard-library import silences nothing.
            "src/app/sub.py:3: Ignore directive is unused.",
        ]
    );
    assert!(outcome.outcome.failed());
    drop(dir);
}

#[test]
fn external_rename_exclude_and_rules() {
    let files = [
        (
            "requirements.txt",
            "# deps\nPillow==10\n-r other.txt\nattrs\n\n",
        ),
        (
            "app/__init__.py",
            "import PIL\nimport yaml\ndef f():\n    import numpy\n",
        ),
    ];
    // Without `rename`, `PIL` stands for itself; `exclude` is compared unnormalised.
    let (dir, outcome) = external_project(
        &files,
        "[external]\nexclude = [\"PyYAML\", \"numpy\"]\n",
        &[("yaml", "PyYAML")],
    );
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let root = root.display();
    assert_eq!(
        messages(&outcome.unwrap()),
        [
            format!("External package 'attrs' is not used in package '{root}'."),
            format!("External package 'pillow' is not used in package '{root}'."),
            format!("app/__init__.py:1: Dependency 'PIL' is not declared in package '{root}'."),
            format!("app/__init__.py:2: Dependency 'yaml' is not declared in package '{root}'."),
        ]
    );
    let (dir, outcome) = external_project(
        &files,
        "[external]\nexclude = [\"pyyaml\"]\nrename = [\"PIL:Pillow\"]\n[rules]\n\
         local_imports = \"warn\"\nunused_external_dependencies = \"off\"\n",
        &[("yaml", "PyYAML")],
    );
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let outcome = outcome.unwrap();
    assert_eq!(
        messages(&outcome),
        [format!(
            "app/__init__.py:4: Dependency 'numpy' is not declared in package '{}'.",
            root.display()
        )]
    );
    assert!(!outcome.outcome.failed(), "a local import only warns");
}

#[test]
fn external_packages_and_nested_source_roots() {
    // Two packages; a file under both roots is checked once for each, in that root's package.
    let (_dir, outcome) = external_project(
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"rootpkg\"\ndependencies = [\"subpkg\"]\n",
            ),
            ("a/__init__.py", "import b\nimport yaml\n"),
            (
                "sub/pyproject.toml",
                "[project]\nname = \"subpkg\"\ndependencies = [\"PyYAML\"]\n",
            ),
            ("sub/b/__init__.py", "import yaml\nimport a\n"),
        ],
        "source_roots = [\".\", \"sub\"]\n[[modules]]\npath = \"b\"\ndepends_on = []\n\
         cannot_depend_on_external = [\"yaml\"]\n",
        &[("yaml", "PyYAML")],
    );
    assert_eq!(
        messages(&outcome.unwrap()),
        [
            "a/__init__.py:2: Dependency 'yaml' is not declared in package 'rootpkg'.",
            "sub/b/__init__.py:1: Dependency 'yaml' is not declared in package 'rootpkg'.",
            "sub/b/__init__.py:1: Module 'b' cannot depend on external package 'yaml'.",
            "sub/b/__init__.py:2: Dependency 'a' is not declared in package 'subpkg'.",
        ]
    );
}

#[test]
fn external_refuses_setup_py_and_reports_bad_metadata_with_its_line() {
    let (_dir, outcome) = external_project(
        &[
            ("setup.py", "raise SystemExit\n"),
            ("a/__init__.py", "import yaml\n"),
        ],
        "",
        &[],
    );
    let e = outcome.unwrap_err();
    assert!(e.file.ends_with("setup.py") && e.message.contains("not supported"));
    let (_dir, outcome) = external_project(
        &[
            (
                "pyproject.toml",
                "[project]\nname = \"x\"\ndependencies = [\"a\",\n",
            ),
            ("a/__init__.py", "import yaml\n"),
        ],
        "",
        &[],
    );
    let e = outcome.unwrap_err();
    assert!(
        e.file.ends_with("pyproject.toml") && e.line == Some(3),
        "{e:?}"
    );
}

#[test]
fn external_stops_like_tach() {
    let (_dir, outcome) = external_project(
        &[("a/__init__.py", ""), ("b/__init__.py", "")],
        "forbid_circular_dependencies = true\n[[modules]]\npath = \"a\"\ndepends_on = [\"b\"]\n\
         [[modules]]\npath = \"b\"\ndepends_on = [\"a\"]\n",
        &[],
    );
    let outcome = outcome.unwrap();
    assert_eq!(
        report::external_text(&outcome.outcome),
        "Circular dependency error\n"
    );
    assert!(outcome.outcome.failed());
}

/// The byte-level fast paths give what the component-wise ones give.
#[test]
fn fast_paths_agree_with_components() {
    use crate::walk::{below, module_of, module_of_components, plausible_module_path};
    for (path, base) in [
        ("/p/a/b.py", "/p"),
        ("/p/a/b.py", "/p/"),
        ("/p", "/p"),
        ("/pa/b.py", "/p"),
        ("/p/./a.py", "/p"),
        ("/p//a.py", "/p"),
        ("/p/a/", "/p"),
        ("/q/a.py", "/p"),
        ("/p/../a.py", "/p"),
        ("/", "/"),
        ("/x", "/"),
    ] {
        let expected = Path::new(path).strip_prefix(base).ok();
        assert_eq!(
            below(Path::new(path), Path::new(base)),
            expected,
            "{path} below {base}"
        );
    }
    for rel in [
        "a/b/c.py",
        "a/b/__init__.py",
        "a/__init__.pyi",
        "__init__.py",
        "m.py",
        "x.tar.py",
        ".hidden.py",
        "a/../b.py",
        "./a/b.py",
        "a//b.py",
        "a/./b.py",
        "a/b/",
        "ünï/cödé.py",
    ] {
        assert_eq!(
            module_of(Path::new(rel)),
            module_of_components(Path::new(rel)),
            "{rel}"
        );
    }
    for (path, ok) in [
        ("a", true),
        ("a.b_c.D9", true),
        ("a.*", true),
        ("", false),
        (".a", false),
        ("a.", false),
        ("a..b", false),
        ("a-b", false),
        ("a b", false),
        ("ünï.cödé", true),
        ("ünï..cödé", false),
        ("ünï.-", false),
    ] {
        assert_eq!(plausible_module_path(path), ok, "{path:?}");
    }
}

/// A hostile checkout's package metadata: linked out of the project, not UTF-8, or huge — each
/// refused with the file named (exit 2 at the CLI), never read, followed or printed.
#[cfg(unix)]
#[test]
fn external_refuses_metadata_outside_the_project_unreadable_or_huge() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.toml");
    std::fs::write(&secret, "[project]\nname = \"SECRET-NAME\"\n").unwrap();
    let files = [("a/__init__.py", "import yaml\n")];
    let (_dir, outcome) = external_project_with(&files, "", &[], |root| {
        std::os::unix::fs::symlink(&secret, root.join("pyproject.toml")).unwrap();
    });
    let e = outcome.unwrap_err();
    assert!(e.file.ends_with("pyproject.toml"), "{e:?}");
    assert!(e.message.contains("outside the project"), "{e:?}");
    assert!(!e.message.contains("SECRET"), "{e:?}");

    let (_dir, outcome) = external_project_with(&files, "", &[], |root| {
        std::fs::write(root.join("requirements.txt"), b"pyyaml\n\xff\xfe\n").unwrap();
    });
    let e = outcome.unwrap_err();
    assert!(e.file.ends_with("requirements.txt"), "{e:?}");
    assert!(e.message.contains("cannot read"), "{e:?}");

    let (_dir, outcome) = external_project_with(&files, "", &[], |root| {
        let file = std::fs::File::create(root.join("requirements.txt")).unwrap();
        file.set_len(17 * 1024 * 1024).unwrap();
    });
    let e = outcome.unwrap_err();
    assert!(e.message.contains("byte limit"), "{e:?}");

    // A link that stays inside the project is read as the file it names.
    let (_dir, outcome) = external_project_with(&files, "", &[("yaml", "PyYAML")], |root| {
        std::fs::create_dir_all(root.join("meta")).unwrap();
        std::fs::write(root.join("meta/reqs.txt"), "PyYAML\n").unwrap();
        std::os::unix::fs::symlink(root.join("meta/reqs.txt"), root.join("requirements.txt"))
            .unwrap();
    });
    let outcome = outcome.unwrap();
    assert!(
        outcome.outcome.diagnostics.is_empty(),
        "{:?}",
        outcome.outcome.diagnostics
    );
}
