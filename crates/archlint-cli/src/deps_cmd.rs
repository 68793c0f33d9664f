//! `archlint deps inventory | licenses | check | sbom`, and the dependency part of `archlint check`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use archlint_check::deps::policy_of;
use archlint_config::{ProjectConfig, discover_config, load_config};
use archlint_inventory::DistInventory;
use clap::{Args, Subcommand};
use serde_json::json;

use crate::args::{EnvArgs, Format, ProjectArgs};

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
        &crate::args::cache_flags(&args.project),
        || {
            if args.no_code {
                return Ok(None);
            }
            match archlint_engine::load_project(&archlint_engine::ProjectOptions {
                path: Some(root.clone()),
                config: args.project.config.clone(),
                require_config: false,
                cache: crate::args::cache_flags(&args.project),
                keep_facts: archlint_engine::KeepFacts::All,
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
            let snippets =
                archlint_report::snippets::Snippets::new(crate::terminal::stdout_color());
            archlint_report::deps_section::write_text(&mut w, &root, &deps, &snippets)?;
        }
        Format::Json => {
            let mut doc = archlint_report::deps_section::to_json(&deps);
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
