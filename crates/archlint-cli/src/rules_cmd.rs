//! The code-structure rules in `archlint check`, `archlint rules` (the catalog) and
//! `archlint metrics` (the figures behind them).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use archlint_rules::RulesConfig;
use serde_json::json;

use crate::args::ProjectArgs;

pub use archlint_check::rules::{project_paths, settings, with_inputs};

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Explain this rule (default: list every rule).
    code: Option<String>,
}

/// `archlint rules [CODE]`.
pub fn run_catalog(args: &RulesArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match &args.code {
        Some(code) => match archlint_rules::rule(code) {
            Some(rule) => {
                writeln!(out, "# {} ({})\n", rule.code, rule.summary)?;
                for line in rule.doc.lines() {
                    writeln!(out, "{}", line.strip_prefix(' ').unwrap_or(line))?;
                }
            }
            None => bail!(
                "no rule '{code}' (rules: {})",
                archlint_rules::RULES
                    .iter()
                    .map(|r| r.code)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        None => {
            let defaults = RulesConfig::default();
            for rule in archlint_rules::RULES {
                let state = if defaults.is_enabled(rule.code) {
                    ""
                } else {
                    "  (off by default)"
                };
                writeln!(out, "{:<24} {}{state}", rule.code, rule.summary)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MetricsFormat::Text)]
    format: MetricsFormat,
    /// Package depth for coupling (default: the rules' `package-cycle` depth, 2).
    #[arg(long)]
    depth: Option<usize>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MetricsFormat {
    Text,
    Json,
}

/// `archlint metrics`: per-function, per-class and per-package figures.
pub fn run_metrics(args: &MetricsArgs) -> Result<ExitCode> {
    let project = archlint_engine::load_project(&archlint_engine::ProjectOptions {
        path: args.project.path.clone(),
        config: args.project.config.clone(),
        require_config: false,
        cache: crate::args::cache_flags(&args.project),
        keep_facts: archlint_engine::KeepFacts::All,
        code_facts: true,
        result_tag: None,
        progress: None,
    })?;
    crate::terminal::print_diagnostics(&project);
    let config = settings(project.config.as_ref())?;
    let depth = args.depth.unwrap_or(config.cycle_depth).max(1);
    let paths = project_paths(&project);
    let facts = project.facts.as_deref().unwrap_or(&[]);
    let (packages, cycles) = with_inputs(&project, |inputs| {
        (
            archlint_rules::package_metrics(inputs, &project.graph, depth),
            archlint_rules::package_cycles(inputs, &project.graph, depth),
        )
    });
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        MetricsFormat::Json => {
            let mut functions = Vec::new();
            let mut classes = Vec::new();
            for ((file, path), facts) in project.files.iter().zip(&paths).zip(facts) {
                for f in &facts.functions {
                    functions.push(json!({
                        "module": file.module, "path": path, "qualname": f.qualname,
                        "line": f.line, "start_line": f.start_line, "end_line": f.end_line,
                        "complexity": f.complexity, "parameters": f.parameters,
                        "positional_parameters": f.positional_parameters,
                        "max_nesting": f.max_nesting, "asserts": f.asserts,
                        "is_async": f.is_async, "is_method": f.is_method,
                    }));
                }
                for c in &facts.classes {
                    classes.push(json!({
                        "module": file.module, "path": path, "qualname": c.qualname,
                        "line": c.line, "start_line": c.start_line, "end_line": c.end_line,
                        "methods": c.methods, "attributes": c.attributes,
                        "is_abstract": c.is_abstract,
                    }));
                }
            }
            let value = json!({
                "depth": depth,
                "functions": functions,
                "classes": classes,
                "packages": packages,
                "package_cycles": cycles,
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        MetricsFormat::Text => {
            writeln!(
                out,
                "{:<40} {:>7} {:>5} {:>5} {:>6} {:>6} {:>6}",
                "package", "modules", "Ca", "Ce", "I", "A", "D"
            )?;
            for p in &packages {
                writeln!(
                    out,
                    "{:<40} {:>7} {:>5} {:>5} {:>6.2} {:>6.2} {:>6.2}",
                    p.package, p.modules, p.ca, p.ce, p.instability, p.abstractness, p.distance
                )?;
            }
            for c in &cycles {
                writeln!(out, "\ncycle between {}:", c.packages.join(", "))?;
                for (a, b, line) in &c.steps {
                    writeln!(out, "  {a} imports {b} (line {line})")?;
                }
            }
            let mut complex: Vec<(u32, String)> = project
                .files
                .iter()
                .zip(&paths)
                .zip(facts)
                .flat_map(|((_, path), facts)| {
                    facts
                        .functions
                        .iter()
                        .map(move |f| (f.complexity, format!("{path}:{} {}", f.line, f.qualname)))
                })
                .collect();
            complex.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            if !complex.is_empty() {
                writeln!(out, "\nmost complex functions:")?;
                for (c, name) in complex.iter().take(10) {
                    writeln!(out, "  {c:>4}  {name}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
