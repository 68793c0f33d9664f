//! Property test over the dependency declaration readers: requirements files (with includes,
//! options, markers, environment variables, continuations), `pyproject.toml`, `uv.lock` and
//! `pylock.toml` of any content give declarations and problems, never a panic, and never quote
//! more than a short excerpt of a line. 256 cases by default (`PROPTEST_CASES`).

use std::path::Path;

use archlint_requirements::{
    parse_pylock, parse_pyproject, parse_requirements_file_within, parse_uv_lock,
};
use proptest::prelude::*;

const REQ: &[&str] = &[
    "django",
    "Django",
    "==",
    ">=",
    "~=",
    "!=",
    "===",
    "<",
    "5.2",
    "1.0.post1",
    "*",
    ",",
    ";",
    " python_version < \"3.12\"",
    " sys_platform == 'win32'",
    "[",
    "]",
    "extra",
    "@ ",
    "https://example.invalid/x.whl",
    "git+https://example.invalid/r.git#egg=pkg",
    "-r ",
    "-c ",
    "--requirement=",
    "-e ",
    "--index-url ",
    "--hash=sha256:ab",
    "other.txt",
    "../up.txt",
    "/etc/passwd",
    "/proc/self/environ",
    "${HOME}",
    "$X",
    "\\\n",
    "\n",
    " ",
    "\t",
    "#",
    " # c",
    "-",
    "--",
    "é",
    "\0",
    "./local",
    "file:.",
    "pkg-0.1-py3-none-any.whl",
];

const TOML: &[&str] = &[
    "[project]\n",
    "dependencies = [\"django>=5\", \"requests\"]\n",
    "name = \"x\"\n",
    "[project.optional-dependencies]\n",
    "dev = [\"pytest\"]\n",
    "[dependency-groups]\n",
    "test = [{include-group = \"dev\"}]\n",
    "dev = [{include-group = \"test\"}]\n",
    "[tool.poetry.dependencies]\n",
    "python = \"^3.11\"\n",
    "[[package]]\n",
    "version = \"1.0\"\n",
    "source = { registry = \"https://index.invalid/simple\" }\n",
    "[[packages]]\n",
    "lock-version = \"1.0\"\n",
    "dependencies = 3\n",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "=",
    "\n",
    "x = ",
    "é",
    "\0",
];

fn text(tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(tokens), 0..120).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn requirements_files_are_read_or_reported(main in text(REQ), other in text(REQ)) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("requirements.txt"), &main).unwrap();
        std::fs::write(dir.path().join("other.txt"), &other).unwrap();
        let d = parse_requirements_file_within(&dir.path().join("requirements.txt"), dir.path());
        let text = format!("{d:?}");
        // Nothing from a file outside the project is read into the result.
        prop_assert!(!text.contains("root:x:0:0"));
        prop_assert!(!text.contains("PATH="));
    }

    #[test]
    fn project_and_lock_files_are_read_or_reported(body in text(TOML)) {
        let path = Path::new("pyproject.toml");
        let _ = parse_pyproject(path, &body);
        let _ = parse_uv_lock(Path::new("uv.lock"), &body);
        let _ = parse_pylock(Path::new("pylock.toml"), &body);
    }
}
