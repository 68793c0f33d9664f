//! `archlint deps inventory | licenses | check | sbom`, and the dependency part of `archlint check`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use archlint_check::DepsRun;
use archlint_check::deps::policy_of;
use archlint_config::{ProjectConfig, discover_config, load_config};
use archlint_deps::Level;
use archlint_inventory::{DistInventory, EnvironmentSpec};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use crate::ProjectArgs;

/// Which Python environment to inventory.
#[derive(Debug, Clone, Args, Default)]
pub struct EnvArgs {
    /// The interpreter whose environment is checked (default: VIRTUAL_ENV, ./.venv, python3).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// The virtualenv to check.
    #[arg(long, value_name = "DIR", conflicts_with = "python")]
    pub venv: Option<PathBuf>,
    #[command(flatten)]
    pub db: crate::vulns_cmd::DbArgs,
    #[command(flatten)]
    pub online: OnlineArgs,
}

/// Asking an online service about vulnerabilities.
#[derive(Debug, Clone, Args, Default)]
pub struct OnlineArgs {
    /// Also ask the package index (or an OSV service) about each installed distribution.
    #[arg(long)]
    pub online: bool,
    /// The package index (default: ARCHLINT_INDEX_URL, the configuration, PIP_INDEX_URL,
    /// pip.conf). A simple-index URL is accepted.
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Which online service: the index's JSON API, or an OSV query service.
    #[arg(long, value_name = "SERVICE", value_parser = ["index", "osv"])]
    pub vuln_service: Option<String>,
    /// The OSV query service (with --vuln-service osv).
    #[arg(long, value_name = "URL")]
    pub osv_url: Option<String>,
    /// Requests in flight at most (default 10).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Requests per second at most (default 20).
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<f64>,
    /// Exit 1 when some packages could not be checked.
    #[arg(long)]
    pub fail_on_incomplete: bool,
}

impl EnvArgs {
    /// The library's options: the environment, the advisory database and the online audit
    /// (whose progress the terminal display shows).
    pub fn options(&self) -> archlint_check::EnvOptions {
        archlint_check::EnvOptions {
            python: self.python.clone(),
            venv: self.venv.clone(),
            db: self.db.db.clone(),
            online: archlint_check::OnlineOptions {
                online: self.online.online,
                index_url: self.online.index_url.clone(),
                vuln_service: self.online.vuln_service.clone(),
                osv_url: self.online.osv_url.clone(),
                concurrency: self.online.concurrency,
                rate_limit: self.online.rate_limit,
                fail_on_incomplete: self.online.fail_on_incomplete,
                progress: Some(std::sync::Arc::new(|done, total| {
                    crate::progress::ONLINE.set(done, total)
                })),
            },
        }
    }

    fn spec(&self, root: &Path) -> EnvironmentSpec {
        self.options().spec(root)
    }
}

#[derive(Debug, Args)]
pub struct DepsArgs {
    #[command(subcommand)]
    command: DepsCommand,
}

#[derive(Debug, Subcommand)]
enum DepsCommand {
    /// List the installed distributions (read from their metadata, no pip).
    Inventory(DepsCommon),
    /// Every installed distribution's license, normalized to SPDX, and the policy's verdict.
    Licenses(DepsCommon),
    /// Check dependencies: policy, versions, licenses, declared vs imported.
    Check(DepsCheckArgs),
    /// Write a CycloneDX 1.5 JSON SBOM of the environment.
    Sbom(SbomArgs),
    /// The offline advisory database: import OSV data, show its age.
    Db(crate::vulns_cmd::DbCommandArgs),
}

#[derive(Debug, Args)]
struct DepsCommon {
    /// Project root (default: the current directory).
    path: Option<PathBuf>,
    /// Configuration file (pyproject.toml or archlint.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    #[command(flatten)]
    env: EnvArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Args)]
struct DepsCheckArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    env: EnvArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Skip reading the project's code (no missing/unused checks).
    #[arg(long)]
    no_code: bool,
}

#[derive(Debug, Args)]
struct SbomArgs {
    /// Project root (default: the current directory).
    path: Option<PathBuf>,
    #[command(flatten)]
    env: EnvArgs,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

fn root_of(path: &Option<PathBuf>) -> Result<PathBuf> {
    let root = match path {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    if !root.is_dir() {
        return Err(anyhow!("{} is not a directory", root.display()));
    }
    Ok(root)
}

fn config_of(root: &Path, config: &Option<PathBuf>) -> Result<Option<ProjectConfig>> {
    Ok(match config {
        Some(p) => Some(load_config(p)?),
        None => discover_config(root)?,
    })
}

fn inventory(root: &Path, env: &EnvArgs) -> Result<DistInventory> {
    let environment = archlint_inventory::locate(&env.spec(root))?;
    Ok(archlint_inventory::read_inventory(environment))
}

pub fn run(args: &DepsArgs) -> Result<ExitCode> {
    match &args.command {
        DepsCommand::Inventory(a) => run_inventory(a),
        DepsCommand::Licenses(a) => run_licenses(a),
        DepsCommand::Check(a) => run_check(a),
        DepsCommand::Sbom(a) => run_sbom(a),
        DepsCommand::Db(a) => crate::vulns_cmd::run(a),
    }
}

fn out() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::new(std::io::stdout().lock())
}

fn run_inventory(args: &DepsCommon) -> Result<ExitCode> {
    let root = root_of(&args.path)?;
    let inv = inventory(&root, &args.env)?;
    let mut w = out();
    match args.format {
        Format::Json => {
            let doc = json!({
                "environment": environment_json(&inv),
                "distributions": inv.distributions,
                "unreadable": inv.unreadable,
            });
            serde_json::to_writer_pretty(&mut w, &doc)?;
            writeln!(w)?;
        }
        Format::Text => {
            let width = inv
                .distributions
                .iter()
                .map(|d| d.name.len())
                .max()
                .unwrap_or(4)
                .max(4);
            let vwidth = inv
                .distributions
                .iter()
                .map(|d| d.version.len())
                .max()
                .unwrap_or(7)
                .max(7);
            writeln!(
                w,
                "{:width$}  {:vwidth$}  installer  location",
                "name", "version"
            )?;
            for d in &inv.distributions {
                let how = match &d.direct_url {
                    Some(archlint_inventory::DirectUrl::Editable { url }) => {
                        format!("editable {url}")
                    }
                    Some(archlint_inventory::DirectUrl::Vcs { url, .. }) => format!("vcs {url}"),
                    Some(archlint_inventory::DirectUrl::Local { url }) => format!("local {url}"),
                    Some(archlint_inventory::DirectUrl::Archive { url }) => {
                        format!("archive {url}")
                    }
                    None => String::new(),
                };
                writeln!(
                    w,
                    "{:width$}  {:vwidth$}  {:9}  {how}",
                    d.name,
                    d.version,
                    d.installer.as_deref().unwrap_or("-")
                )?;
            }
            writeln!(
                w,
                "\n{} distributions in {} ({}), read in {:.1} ms",
                inv.distributions.len(),
                inv.environment.prefix.display(),
                inv.environment.found_by,
                inv.elapsed_ms
            )?;
            for p in inv
                .unreadable
                .iter()
                .chain(inv.distributions.iter().flat_map(|d| &d.problems))
            {
                eprintln!(
                    "warning: {}",
                    location(&p.file.display().to_string(), p.line, &p.message)
                );
            }
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn environment_json(inv: &DistInventory) -> serde_json::Value {
    let e = &inv.environment;
    json!({
        "prefix": e.prefix,
        "paths": e.paths,
        "python_version": e.python_version,
        "found_by": e.found_by,
        "interpreter_called": e.interpreter_called,
    })
}

fn location(file: &str, line: Option<u32>, message: &str) -> String {
    match line {
        Some(l) => format!("{file}:{l}: {message}"),
        None => format!("{file}: {message}"),
    }
}

fn run_licenses(args: &DepsCommon) -> Result<ExitCode> {
    let root = root_of(&args.path)?;
    let config = config_of(&root, &args.config)?;
    let policy = policy_of(config.as_ref())?;
    let inv = inventory(&root, &args.env)?;
    let rows: Vec<_> = inv
        .distributions
        .iter()
        .map(|d| {
            let license = archlint_deps::license_of(d);
            let verdict = policy.licenses.judge(&license);
            (d, license, verdict)
        })
        .collect();
    let mut w = out();
    match args.format {
        Format::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|(d, l, v)| json!({"name": d.name, "version": d.version, "license": l, "verdict": v}))
                .collect();
            serde_json::to_writer_pretty(&mut w, &list)?;
            writeln!(w)?;
        }
        Format::Text => {
            let width = rows
                .iter()
                .map(|(d, ..)| d.name.len())
                .max()
                .unwrap_or(4)
                .max(4);
            for (d, l, v) in &rows {
                let what = match (&l.expression, l.status) {
                    (Some(e), archlint_licenses::LicenseStatus::Known) => e.clone(),
                    (_, archlint_licenses::LicenseStatus::Ambiguous) => {
                        format!("ambiguous: {}", l.note.as_deref().unwrap_or(""))
                    }
                    _ => format!("unknown ({})", l.note.as_deref().unwrap_or("")),
                };
                let source = match l.source {
                    Some(archlint_licenses::LicenseSource::LicenseExpression) => {
                        "License-Expression"
                    }
                    Some(archlint_licenses::LicenseSource::LicenseField) => "License",
                    Some(archlint_licenses::LicenseSource::Classifiers) => "classifiers",
                    None => "-",
                };
                let verdict = match v {
                    archlint_licenses::LicenseVerdict::Allowed => String::new(),
                    archlint_licenses::LicenseVerdict::Review(ids) => {
                        format!("  [review: {}]", ids.join(", "))
                    }
                    archlint_licenses::LicenseVerdict::Denied(ids) => {
                        format!("  [denied: {}]", ids.join(", "))
                    }
                    archlint_licenses::LicenseVerdict::NotAllowed(ids) => {
                        format!("  [not allowed: {}]", ids.join(", "))
                    }
                    archlint_licenses::LicenseVerdict::Unjudged => String::new(),
                };
                writeln!(
                    w,
                    "{:width$}  {:10}  {what}  ({source}){verdict}",
                    d.name, d.version
                )?;
            }
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn run_sbom(args: &SbomArgs) -> Result<ExitCode> {
    let root = root_of(&args.path)?;
    let inv = inventory(&root, &args.env)?;
    let declarations = archlint_requirements::read_declarations(&root, &[]);
    let project = declarations.project_name.clone().unwrap_or_else(|| {
        root.canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "project".into())
    });
    let doc = archlint_deps::sbom::cyclonedx(&inv, &project, env!("CARGO_PKG_VERSION"));
    let text = serde_json::to_string_pretty(&doc)? + "\n";
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut w = out();
            w.write_all(text.as_bytes())?;
            w.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `file` relative to the project root, `/`-separated, as every report shows paths.
pub(crate) fn relative(root: &Path, file: &str) -> String {
    Path::new(file)
        .strip_prefix(root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| file.to_owned())
        .replace('\\', "/")
}

/// The findings as text lines (`file:line: error[code] message`).
pub fn write_text(
    w: &mut impl Write,
    root: &Path,
    run: &DepsRun,
    snippets: &crate::snippets::Snippets,
) -> std::io::Result<()> {
    let r = &run.report;
    for f in r.findings.iter().filter(|f| f.excepted.is_none()) {
        let level = if f.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        let at = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!("{}:{line}: ", relative(root, file)),
            (Some(file), None) => format!("{}: ", relative(root, file)),
            _ => String::new(),
        };
        writeln!(w, "{at}{level}[{}] {}", f.code, f.message)?;
        if let (Some(file), Some(line)) = (&f.file, f.line) {
            let kind = if f.level == Level::Error {
                crate::snippets::Kind::Error
            } else {
                crate::snippets::Kind::Warning
            };
            let path = Path::new(file);
            let path = if path.is_absolute() {
                path.to_owned()
            } else {
                root.join(path)
            };
            if let Some(s) = snippets.render(&path, &relative(root, file), line, None, kind, f.code)
            {
                writeln!(w, "{s}")?;
            }
        }
    }
    for f in r.findings.iter().filter(|f| f.excepted.is_some()) {
        writeln!(
            w,
            "excepted[{}] {}: {}",
            f.code,
            f.package.as_deref().unwrap_or(""),
            f.excepted.as_deref().unwrap_or("")
        )?;
    }
    match (&run.audit, &run.vulnerability_note) {
        (Some(a), _) => {
            let vulnerable = a
                .checked
                .iter()
                .filter(|p| !p.vulnerabilities.is_empty())
                .count();
            let sources: std::collections::BTreeSet<&str> = a
                .checked
                .iter()
                .map(|p| match p.source {
                    archlint_advisories::VulnSource::OfflineDb => "offline database",
                    archlint_advisories::VulnSource::Index => "package index",
                    archlint_advisories::VulnSource::OsvService => "OSV service",
                    archlint_advisories::VulnSource::Cache => "cache",
                })
                .collect();
            let from = if sources.is_empty() {
                String::new()
            } else {
                format!(
                    " from the {}",
                    sources.into_iter().collect::<Vec<_>>().join(", ")
                )
            };
            writeln!(
                w,
                "Vulnerabilities: {} packages checked{from}, {vulnerable} vulnerable, {} not checked{}",
                a.checked.len(),
                a.unchecked.len(),
                if a.not_on_index.is_empty() {
                    String::new()
                } else {
                    format!(", not on the index: {}", a.not_on_index.join(", "))
                }
            )?;
        }
        (None, Some(note)) => writeln!(w, "Vulnerabilities: {note}")?,
        (None, None) => {}
    }
    writeln!(
        w,
        "Dependencies: {} installed, {} declared; {} error{}, {} warning{}{} ({:.1} ms)",
        run.distributions,
        r.declared,
        r.errors,
        if r.errors == 1 { "" } else { "s" },
        r.warnings,
        if r.warnings == 1 { "" } else { "s" },
        if r.excepted > 0 {
            format!(", {} excepted", r.excepted)
        } else {
            String::new()
        },
        run.total_ms
    )
}

/// The findings as JSON.
pub fn to_json(run: &DepsRun) -> serde_json::Value {
    json!({
        "distributions": run.distributions,
        "declared": run.report.declared,
        "errors": run.report.errors,
        "warnings": run.report.warnings,
        "excepted": run.report.excepted,
        "findings": run.report.findings,
        "packages": run.report.packages,
        "vulnerabilities": run.audit,
        "vulnerability_note": run.vulnerability_note,
        "online": run.online,
        "timings": { "inventory_ms": run.inventory_ms, "total_ms": run.total_ms },
    })
}

fn run_check(args: &DepsCheckArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let root = root_of(&args.project.path)?;
    let config = config_of(&root, &args.project.config)?;
    let counter = std::sync::Arc::new(archlint_engine::Progress::default());
    let display =
        crate::progress::Display::start(&counter, crate::progress::wanted(args.project.quiet));
    // Read the environment while the code is parsed.
    let (project, deps) = archlint_check::deps::check_dependencies(
        &root,
        config.as_ref(),
        &args.env.options(),
        &crate::analysis::cache_flags(&args.project),
        || {
            if args.no_code {
                return Ok(None);
            }
            match archlint_engine::load_project(&archlint_engine::ProjectOptions {
                path: Some(root.clone()),
                config: args.project.config.clone(),
                require_config: false,
                cache: crate::analysis::cache_flags(&args.project),
                keep_facts: true,
                keep_parsed_facts: false,
                code_facts: false,
                result_tag: None,
                progress: Some(counter.clone()),
            }) {
                Ok(p) => Ok(Some(p)),
                // A project without Python packages (only requirements): nothing to cross-check.
                Err(e) if e.to_string().starts_with("no Python package found") => {
                    eprintln!("note: {e}; imports are not cross-checked");
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        },
    )?;
    display.finish();
    let mut w = out();
    match args.format {
        Format::Text => {
            if let Some(p) = &project {
                for warning in &p.warnings {
                    eprintln!("warning: {warning}");
                }
            }
            let snippets = crate::snippets::Snippets::new(crate::snippets::stdout_color());
            write_text(&mut w, &root, &deps, &snippets)?;
        }
        Format::Json => {
            let mut doc = to_json(&deps);
            doc["timings"]["run_ms"] = json!(started.elapsed().as_secs_f64() * 1000.0);
            serde_json::to_writer_pretty(&mut w, &doc)?;
            writeln!(w)?;
        }
    }
    w.flush()?;
    Ok(if deps.report.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
