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

use archlint_report::deps_tables;

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
    Db(crate::deps_db_cmd::DbCommandArgs),
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
        DepsCommand::Db(a) => crate::deps_db_cmd::run(a),
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
            serde_json::to_writer_pretty(&mut w, &deps_tables::inventory_json(&inv))?;
            writeln!(w)?;
        }
        Format::Text => {
            deps_tables::inventory_text(&mut w, &inv)?;
            for problem in deps_tables::inventory_problems(&inv) {
                eprintln!("warning: {problem}");
            }
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
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
            serde_json::to_writer_pretty(&mut w, &deps_tables::licenses_json(&rows))?;
            writeln!(w)?;
        }
        Format::Text => deps_tables::licenses_text(&mut w, &rows)?,
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
    let counter = std::sync::Arc::new(archlint_engine::Progress::default());
    let display =
        crate::progress::Display::start(&counter, crate::progress::wanted(args.project.quiet));
    // The environment is read while the code is parsed.
    let result = archlint_check::deps::check_alone(
        &root,
        args.project.config.as_deref(),
        &args.env.options(),
        &crate::args::cache_flags(&args.project),
        !args.no_code,
        Some(counter),
    );
    display.finish();
    let (project, deps, notes) = result?;
    for note in notes {
        eprintln!("{note}");
    }
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
            let mut doc = archlint_report::deps_section::to_json(&root, &deps);
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
