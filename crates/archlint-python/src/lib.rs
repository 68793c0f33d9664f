//! `archlint._native`: the Rust engine inside the Python process. The wheel's `archlint` and
//! `lint-imports` commands call [`run_cli`]; `archlint.Project` keeps a [`Session`] (the loaded,
//! cached project) and asks it questions; whole checks return the CLI's JSON reports.
//!
//! Every call that works releases the GIL, so other Python threads run meanwhile. Errors become
//! `archlint.ArchlintError`, configuration errors `archlint.ConfigError` with the file and line
//! — never a crash of the interpreter: a panic in the engine surfaces as an exception too.

mod graph;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use archlint_check::{CheckOptions, EnvOptions, OnlineOptions, Run};
use archlint_engine::{CacheFlags, Project, ProjectOptions};
use pyo3::prelude::*;

// The engine parses with per-thread arenas on top of mimalloc, as the `archlint` binary does; the
// allocator serves the extension's Rust allocations only (Python keeps its own).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: archlint_arena::ArenaAlloc<mimalloc::MiMalloc> =
    archlint_arena::ArenaAlloc::new(mimalloc::MiMalloc);

/// Contracts that could not be checked: the messages `archlint check` prints for them (it exits
/// 2), the configuration file and the first contract's line.
#[derive(Debug)]
struct ContractErrors {
    file: PathBuf,
    line: Option<u32>,
    message: String,
}

impl std::fmt::Display for ContractErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ContractErrors {}

/// The Python exception for an engine error: `archlint.ConfigError` (with `file` and `line`)
/// when a configuration file is at fault, else `archlint.ArchlintError`; the message is the one
/// the CLI prints after `archlint: error: `.
fn to_python(py: Python<'_>, err: &anyhow::Error) -> PyErr {
    let located = err.chain().find_map(|e| {
        if let Some(c) = e.downcast_ref::<archlint_config::ConfigError>() {
            Some((c.to_string(), &c.file, c.line))
        } else {
            e.downcast_ref::<ContractErrors>()
                .map(|c| (c.message.clone(), &c.file, c.line))
        }
    });
    let built = (|| -> PyResult<PyErr> {
        let errors = py.import("archlint._errors")?;
        let exception = match located {
            Some((message, file, line)) => {
                errors
                    .getattr("ConfigError")?
                    .call1((message, file.display().to_string(), line))?
            }
            None => errors
                .getattr("ArchlintError")?
                .call1((format!("{err:#}"),))?,
        };
        Ok(PyErr::from_value(exception))
    })();
    built.unwrap_or_else(|e| e)
}

/// Run `f` without the GIL; an engine error or a panic becomes a Python exception.
pub(crate) fn engine<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> anyhow::Result<T> + Send,
) -> PyResult<T> {
    let outcome = py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(to_python(py, &err)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown cause");
            Err(to_python(
                py,
                &anyhow::anyhow!("internal error (please report it): {what}"),
            ))
        }
    }
}

/// The command line: `argv` as `sys.argv` holds it (the program name first); returns the exit
/// status. Output goes straight to the process's standard output and error.
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    py.detach(|| {
        let code = archlint_cli::run(argv);
        // Rust's standard output is buffered apart from Python's; nothing may be lost when the
        // interpreter exits.
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        code
    })
}

fn cache_flags(cache_dir: Option<PathBuf>, no_cache: bool) -> CacheFlags {
    CacheFlags {
        no_cache,
        cache_dir,
        redis_url: None,
    }
}

/// A project loaded once (through the cache, like the CLI), answering `archlint query`'s JSON
/// requests in-process.
#[pyclass(frozen, module = "archlint._native")]
struct Session {
    project: Project,
}

#[pymethods]
impl Session {
    #[new]
    #[pyo3(signature = (path, *, config=None, cache_dir=None, no_cache=false))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        config: Option<PathBuf>,
        cache_dir: Option<PathBuf>,
        no_cache: bool,
    ) -> PyResult<Session> {
        let options = ProjectOptions {
            path: Some(path),
            config,
            cache: cache_flags(cache_dir, no_cache),
            ..Default::default()
        };
        let project = engine(py, move || archlint_engine::load_project(&options))?;
        Ok(Session { project })
    }

    /// One JSON request in, one JSON answer out (`archlint_query`'s protocol).
    fn ask(&self, py: Python<'_>, request: &str) -> String {
        py.detach(|| archlint_query::respond(&self.project, request).to_string())
    }
}

/// `archlint check --format json`: returns the exit status and the JSON report.
#[pyfunction]
#[pyo3(signature = (path, *, config=None, cache_dir=None, no_cache=false, deps=None, online=false, allow_plugins=false))]
#[allow(clippy::too_many_arguments)] // Python's keyword arguments
fn check(
    py: Python<'_>,
    path: PathBuf,
    config: Option<PathBuf>,
    cache_dir: Option<PathBuf>,
    no_cache: bool,
    deps: Option<bool>,
    online: bool,
    allow_plugins: bool,
) -> PyResult<(u8, String)> {
    let options = CheckOptions {
        path: Some(path),
        config,
        cache: cache_flags(cache_dir, no_cache),
        env: EnvOptions {
            online: OnlineOptions {
                online,
                ..Default::default()
            },
            ..Default::default()
        },
        deps: Run::from_flags(deps == Some(true), deps == Some(false)),
        require_checks: true,
        baseline: Some(Default::default()),
        plugins: archlint_check::plugins::PluginOptions {
            allow: allow_plugins,
            ..Default::default()
        },
        ..Default::default()
    };
    engine(py, move || {
        let report = archlint_check::check(&options)?;
        contract_errors(&report)?;
        let json = archlint_report::json::report(&report)?;
        Ok((report.status(false).code(), json))
    })
}

/// Contracts that could not be checked are a configuration error, as `archlint check` exits 2
/// for them.
fn contract_errors(report: &archlint_check::Report) -> anyhow::Result<()> {
    let errors = &report.analysis.errors;
    let Some(first) = errors.first() else {
        return Ok(());
    };
    let project = &report.analysis.project;
    let file = project
        .config
        .as_ref()
        .map_or_else(|| project.root.clone(), |c| c.path.clone());
    let message = errors
        .iter()
        .map(|e| format!("{}: {e}", file.display()))
        .collect::<Vec<_>>()
        .join("\n");
    Err(ContractErrors {
        file,
        line: first.line,
        message,
    }
    .into())
}

/// `archlint deps check --format json`: returns the exit status and the JSON report.
#[pyfunction]
#[pyo3(signature = (path, *, config=None, cache_dir=None, no_cache=false, venv=None, python=None, online=false, index_url=None))]
#[allow(clippy::too_many_arguments)] // Python's keyword arguments
fn check_dependencies(
    py: Python<'_>,
    path: PathBuf,
    config: Option<PathBuf>,
    cache_dir: Option<PathBuf>,
    no_cache: bool,
    venv: Option<PathBuf>,
    python: Option<PathBuf>,
    online: bool,
    index_url: Option<String>,
) -> PyResult<(u8, String)> {
    let env = EnvOptions {
        python,
        venv,
        online: OnlineOptions {
            online,
            index_url,
            ..Default::default()
        },
        ..Default::default()
    };
    let cache = cache_flags(cache_dir, no_cache);
    engine(py, move || {
        anyhow::ensure!(path.is_dir(), "{} is not a directory", path.display());
        let (_, deps, _) =
            archlint_check::deps::check_alone(&path, config.as_deref(), &env, &cache, true, None)?;
        let json = archlint_report::deps_section::to_json(&path, &deps).to_string();
        Ok((u8::from(deps.report.errors > 0), json))
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(check_dependencies, m)?)?;
    m.add_class::<Session>()?;
    m.add_class::<graph::Graph>()?;
    m.add_function(wrap_pyfunction!(graph::build_graph, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
