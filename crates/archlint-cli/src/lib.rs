//! The `archlint` command line as a library: [`run`] takes the arguments and returns the exit
//! status. The `archlint` binary and the Python wheel's `archlint` command (through the native
//! module) both call it.

mod analysis;
mod args;
mod cache_cmd;
mod deps_cmd;
mod deps_db_cmd;
mod export_cmd;
mod graph_cmd;
mod lint_imports_cmd;
mod merge_cmd;
mod perf_cmd;
mod progress;
mod query_cmd;
mod rules_cmd;
mod serve_cmd;
mod tach_cmd;
mod terminal;

mod watch_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use args::ProjectArgs;
use clap::{Parser, Subcommand, ValueEnum};

/// Keeps Python codebases honest about their architecture, fast enough for every commit.
#[derive(Debug, Parser)]
#[command(name = "archlint", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the architecture contracts of a project.
    Check(CheckArgs),
    /// tach's `check-external` on a project configured for tach: each module's imports of
    /// other distributions against those its package declares, and declared ones not used.
    CheckExternal(CheckExternalArgs),
    /// Print the import graph.
    Graph(GraphArgs),
    /// Dependencies: inventory, licenses, policy checks and SBOM.
    Deps(deps_cmd::DepsArgs),
    /// Inspect or clean the cache.
    Cache(cache_cmd::CacheArgs),
    /// Performance logs: per-phase statistics and regression checks.
    Perf(perf_cmd::PerfArgs),
    /// Combine JSON reports of several packages or CI shards into one.
    Merge(merge_cmd::MergeArgs),
    /// List the code-structure rules, or explain one.
    Rules(rules_cmd::RulesArgs),
    /// Complexity, size and coupling figures of every function, class and package.
    Metrics(rules_cmd::MetricsArgs),
    /// Export the analysis: to PostgreSQL (incrementally), or as files for Neo4j.
    Export(export_cmd::ExportArgs),
    /// A local, read-only web page to explore packages, imports and contracts; it refreshes
    /// when files change.
    Serve(serve_cmd::ServeArgs),
    /// import-linter's `lint-imports`: its options and its text report, exit 0 or 1 (the
    /// `lint-imports` command of the archlint wheel).
    LintImports(lint_imports_cmd::LintImportsArgs),
    /// Answer JSON questions about the import graph (one per line on stdin); used by the
    /// Python API.
    Query(query_cmd::QueryArgs),
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Output format; several, comma-separated, with --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "text")]
    format: Vec<CheckFormat>,
    /// Write each --format to DIR/archlint.<ext> (text still goes to standard output).
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Jinja template for the HTML report (default: the built-in one).
    #[arg(long, value_name = "FILE")]
    html_template: Option<PathBuf>,
    /// Only check the contracts with these ids (repeatable).
    #[arg(long = "contract")]
    contracts: Vec<String>,
    /// Accepted findings (default: archlint-baseline.json at the project root, when present).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write the current findings to the baseline file and pass.
    #[arg(long)]
    update_baseline: bool,
    /// Also fail when baseline entries no longer occur (so the file only shrinks).
    #[arg(long)]
    strict_baseline: bool,
    /// Append this run's timings as one JSON line to FILE (env ARCHLINT_PERF_LOG).
    #[arg(long, value_name = "FILE")]
    perf_log: Option<PathBuf>,
    /// Also write FORMAT to PATH (json, sarif, junit, github, html, text); repeatable.
    #[arg(long = "output", value_name = "FORMAT=PATH")]
    outputs: Vec<String>,
    /// Print cache counters (hits, misses, parsed files) to stderr.
    #[arg(long)]
    stats: bool,
    /// Also check dependencies (the default when [tool.archlint.dependencies] or
    /// [tool.archlint.licenses] is configured).
    #[arg(long, conflicts_with = "no_deps")]
    deps: bool,
    /// Skip the dependency checks.
    #[arg(long)]
    no_deps: bool,
    /// Also run the code-structure rules (the default when [tool.archlint.rules] is
    /// configured).
    #[arg(long, conflicts_with = "no_rules")]
    rules: bool,
    /// Skip the code-structure rules.
    #[arg(long)]
    no_rules: bool,
    /// Keep running: check again whenever a Python file or the configuration changes, printing
    /// the findings that appeared and disappeared.
    #[arg(long)]
    watch: bool,
    /// Run import-linter's custom contract types (`contract_types`): Python classes from the
    /// checked project, run by its interpreter (--python/--venv, else VIRTUAL_ENV, .venv,
    /// python3); also ARCHLINT_ALLOW_PLUGINS=1.
    #[arg(long)]
    allow_plugins: bool,
    #[command(flatten)]
    env: args::EnvArgs,
}

#[derive(Debug, clap::Args)]
struct CheckExternalArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Output format (html is not available here).
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormat,
    /// The interpreter whose installed distributions name the imports (default: VIRTUAL_ENV,
    /// ./.venv, python3 on PATH); its environment is read, never run.
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// The virtualenv whose installed distributions name the imports.
    #[arg(long, value_name = "DIR", conflicts_with = "python")]
    venv: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum CheckFormat {
    Text,
    Json,
    /// SARIF 2.1.0 for code-scanning services.
    Sarif,
    /// JUnit XML: a test case per contract and per dependency policy area.
    Junit,
    /// GitHub Actions annotations.
    Github,
    /// A self-contained HTML page.
    Html,
}

impl From<CheckFormat> for archlint_report::Format {
    fn from(f: CheckFormat) -> Self {
        use archlint_report::Format;
        match f {
            CheckFormat::Text => Format::Text,
            CheckFormat::Json => Format::Json,
            CheckFormat::Sarif => Format::Sarif,
            CheckFormat::Junit => Format::Junit,
            CheckFormat::Github => Format::Github,
            CheckFormat::Html => Format::Html,
        }
    }
}

#[derive(Debug, clap::Args)]
struct GraphArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
    /// Collapse module names to their first N components (0: no collapsing).
    #[arg(long, default_value_t = 0)]
    depth: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Json,
    Mermaid,
}

/// Keep the PEP 508 parser's panics quiet: they are caught and become errors naming the file
/// and line (see `archlint_inventory::parse_requirement`); every other panic is shown.
fn quiet_parser_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(quiet_parser_panics_now);
}

fn quiet_parser_panics_now() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info
            .location()
            .is_some_and(|l| l.file().contains("pep508_rs"))
        {
            return;
        }
        default(info);
    }));
}

/// Run the command line on `args` (the program name first, as `std::env::args_os()` gives it)
/// and return its exit status: 0 clean, 1 findings, 2 usage or configuration error. Reports go
/// to standard output, messages to standard error.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let code = run_command(args);
    (0..=u8::MAX)
        .find(|&c| ExitCode::from(c) == code)
        .unwrap_or(2)
}

fn run_command<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    quiet_parser_panics();
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    let threads = match &cli.command {
        Command::Check(a) => a.project.threads,
        Command::CheckExternal(a) => a.project.threads,
        Command::Graph(a) => a.project.threads,
        Command::Query(a) => a.project.threads,
        Command::Metrics(a) => a.project.threads,
        Command::Export(a) => export_cmd::threads(a),
        Command::Serve(a) => serve_cmd::threads(a),
        Command::Rules(_)
        | Command::LintImports(_)
        | Command::Cache(_)
        | Command::Deps(_)
        | Command::Perf(_)
        | Command::Merge(_) => None,
    };
    if let Some(n) = threads {
        // Only fails if a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let result = match cli.command {
        Command::Check(args) if args.watch => watch_cmd::run(&args),
        Command::Check(args) => analysis::run_check(&args),
        Command::CheckExternal(args) => tach_cmd::run_external(&args),
        Command::Graph(args) => graph_cmd::run_graph(&args),
        Command::Deps(args) => deps_cmd::run(&args),
        Command::Rules(args) => rules_cmd::run_catalog(&args),
        Command::Metrics(args) => rules_cmd::run_metrics(&args),
        Command::Cache(args) => cache_cmd::run(&args),
        Command::Perf(args) => perf_cmd::run(&args),
        Command::Merge(args) => merge_cmd::run(&args),
        Command::Query(args) => query_cmd::run(&args),
        Command::Export(args) => export_cmd::run(&args),
        Command::Serve(args) => serve_cmd::run(&args),
        Command::LintImports(args) => lint_imports_cmd::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("archlint: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
