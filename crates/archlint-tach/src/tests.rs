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
