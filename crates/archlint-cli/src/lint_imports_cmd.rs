//! `archlint lint-imports`: import-linter's command line and text report, so that a CI job
//! running `lint-imports` switches to archlint by installing it instead of import-linter.
//!
//! The report is import-linter's, line for line: the logo, the headings, `(l.12)` line numbers,
//! the contract result lines with their `(N ignored imports, M warnings)` suffix, the warnings,
//! and each contract type's own rendering of what breaks it. Like import-linter's console (rich),
//! lines longer than the console are wrapped at spaces, at `COLUMNS` or 80 columns when the output
//! is not a terminal. Exit codes are import-linter's: 0 when every contract is kept, 1 otherwise
//! (broken contracts and configuration errors alike), 2 for a command-line error.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use archlint_contracts::config::{ContractConfig, RawValue};
use archlint_contracts::{ContractError, ContractResult, Link, Route};

use crate::ProjectArgs;
use crate::analysis::{Analysis, Selection, analyze};

/// Import-linter's logo, as `lint-imports` prints it at startup.
const LOGO: &str = "
╔══╗─────────▶╔╗ ╔╗      ╔╗◀───┐
╚╣╠╝◀─────┐  ╔╝╚╗║║────▶╔╝╚╗   │
 ║║   ╔══╦══╦╩╗╔╝║║  ╔╦═╩╗╔╝╔═╦══╗
 ║║╔══╣╔╗║╔╗║╔╣║ ║║ ╔╬╣╔╗║║ ║│║╔═╝
╔╣╠╣║║║╚╝║╚╝║║║╚╗║╚═╝║║║║║╚╗║═╣║
╚══╩╩╩╣╔═╩══╩╝╚═╝╚═══╩╩╝╚╩═╩╩═╩╝
  └──▶║║                    ▲ 
      ╚╝────────────────────┘
";

/// How many dependencies of a package an `acyclic_siblings` report lists.
const MAX_DEPENDENCIES_TO_RENDER: usize = 5;

/// `lint-imports`' options.
#[derive(Debug, clap::Args)]
pub struct LintImportsArgs {
    /// Configuration file (default: setup.cfg, .importlinter or pyproject.toml in the current
    /// directory).
    #[arg(value_name = "CONFIG_FILES")]
    config_files: Vec<PathBuf>,
    /// The configuration file (import-linter's older spelling of CONFIG_FILES).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Limit the check to the contract with this id (repeatable).
    #[arg(long)]
    contract: Vec<String>,
    /// The directory to use for caching.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Disable caching.
    #[arg(long)]
    no_cache: bool,
    /// Accepted for compatibility (import-linter shows Python tracebacks).
    #[arg(long)]
    debug: bool,
    /// Show times taken to build the graph and to check each contract.
    #[arg(long)]
    show_timings: bool,
    /// Hide the logo at startup.
    #[arg(long)]
    no_logo: bool,
    /// Noisily output progress as we go along.
    #[arg(long)]
    verbose: bool,
}

/// The text as import-linter's console prints it: each print wrapped on its own.
struct Console {
    out: String,
    width: Option<usize>,
}

impl Console {
    fn new() -> Self {
        let width = match std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
            Some(w) if w > 0 => Some(w),
            _ if std::io::stdout().is_terminal() => None,
            _ => Some(80),
        };
        Self {
            out: String::new(),
            width,
        }
    }

    /// Print `text`, wrapped like rich wraps it, then a newline when `newline`.
    fn print(&mut self, text: &str, newline: bool) {
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            match self.width {
                Some(width) => {
                    let breaks = divide_line(line, width);
                    let mut start = 0;
                    for at in breaks {
                        self.out.push_str(&line[start..at]);
                        self.out.push('\n');
                        start = at;
                    }
                    self.out.push_str(&line[start..]);
                }
                None => self.out.push_str(line),
            }
        }
        if newline {
            self.out.push('\n');
        }
    }

    fn line(&mut self, text: &str) {
        self.print(text, true);
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn indent(&mut self) {
        self.print("    ", false);
    }

    /// A level-two heading: the text between two rules, then a blank line.
    fn heading2(&mut self, text: &str) {
        let rule = "-".repeat(text.chars().count());
        self.line(&rule);
        self.line(text);
        self.line(&rule);
        self.blank();
    }

    /// A level-three heading: the text over a rule, then a blank line.
    fn heading3(&mut self, text: &str) {
        self.line(text);
        self.line(&"-".repeat(text.chars().count()));
        self.blank();
    }
}

/// Where rich breaks a line of `width` columns: before each word (a run of non-spaces with the
/// spaces around it) that does not fit, folding words longer than a line.
fn divide_line(text: &str, width: usize) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut offset = 0usize;
    let bytes = text.as_bytes();
    let mut pos = 0usize;
    while pos < text.len() {
        // A word: leading spaces, non-spaces, trailing spaces.
        let start = pos;
        let mut end = pos;
        while end < text.len() && bytes[end] == b' ' {
            end += 1;
        }
        if end == text.len() {
            break;
        }
        while end < text.len() && bytes[end] != b' ' {
            end += 1;
        }
        let word_end = end;
        while end < text.len() && bytes[end] == b' ' {
            end += 1;
        }
        pos = end;
        let word_length = text[start..word_end].chars().count();
        let full_length = text[start..end].chars().count();
        if width.saturating_sub(offset) >= word_length {
            offset += full_length;
        } else if word_length > width {
            // Fold the word across lines of `width` characters.
            let mut chunk_start = start;
            let mut count = 0usize;
            for (i, _) in text[start..end].char_indices() {
                if count == width {
                    if chunk_start > 0 {
                        breaks.push(chunk_start);
                    }
                    chunk_start = start + i;
                    count = 0;
                }
                count += 1;
            }
            if chunk_start > 0 {
                breaks.push(chunk_start);
            }
            offset = count;
        } else if offset > 0 && start > 0 {
            breaks.push(start);
            offset = full_length;
        }
    }
    breaks.dedup();
    breaks
}

/// A duration as import-linter formats one: 0.127s, 5.9s, 132s.
fn format_duration(ms: f64) -> String {
    let s = ms.floor() / 1000.0;
    if s < 1.0 {
        format!("{s:.3}s")
    } else if s < 10.0 {
        format!("{s:.1}s")
    } else {
        format!("{}s", s.round())
    }
}

/// `l.3, l.5` (`l.?` for an import whose line is unknown).
fn line_numbers(lines: &[u32]) -> String {
    if lines.is_empty() {
        return "l.?".into();
    }
    lines
        .iter()
        .map(|l| format!("l.{l}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The contract's display label, as import-linter names it in messages.
fn label(config: &ContractConfig) -> String {
    match (config.options.get("name"), &config.id) {
        (Some(RawValue::One(n)), _) => n.clone(),
        (_, Some(id)) => id.clone(),
        _ => "<unnamed>".to_owned(),
    }
}

/// `archlint lint-imports`.
pub fn run(args: &LintImportsArgs) -> Result<ExitCode> {
    let mut console = Console::new();
    let code = lint(args, &mut console);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(console.out.as_bytes());
    let _ = stdout.flush();
    Ok(code)
}

fn lint(args: &LintImportsArgs, out: &mut Console) -> ExitCode {
    let failure = ExitCode::from(1);
    if !args.no_logo {
        out.line(LOGO);
    }
    if args.verbose {
        out.line("Verbose mode.");
    }
    let files: Vec<PathBuf> = args
        .config
        .iter()
        .chain(&args.config_files)
        .cloned()
        .collect();
    if files.len() > 1 {
        out.line(
            "archlint lint-imports checks one configuration file per run: run it once for each \
             file.",
        );
        return failure;
    }
    let root = match std::env::current_dir() {
        Ok(r) => r,
        Err(e) => {
            out.line(&format!("{e}"));
            return failure;
        }
    };
    // The configuration: its contracts must be there, and any --contract among them.
    let config = match files.first() {
        Some(file) => archlint_contracts::config::load_config(file).map(Some),
        None => archlint_contracts::config::discover_config(&root),
    };
    let config = match config {
        Ok(Some(c)) => c,
        Ok(None) => {
            out.line("Could not read any configuration.");
            return failure;
        }
        Err(e) => {
            out.line(&e.to_string());
            return failure;
        }
    };
    if config.contracts.is_empty() {
        out.line(
            "No contracts found in the configuration.\n\nEach contract goes in an \
             'importlinter:contract:<name>' section (INI files)\nor a \
             'tool.importlinter.contracts' array of tables (TOML files).",
        );
        return failure;
    }
    for wanted in &args.contract {
        if !config
            .contracts
            .iter()
            .any(|c| c.id.as_deref() == Some(wanted.as_str()))
        {
            out.line(&format!(
                "Could not find contract '{wanted}'.\n\nYou asked to limit the check to that \
                 contract, but nothing exists with that id."
            ));
            return failure;
        }
    }
    let project_args = ProjectArgs {
        path: Some(root),
        config: files.first().cloned(),
        threads: None,
        no_cache: args.no_cache,
        cache_dir: args.cache_dir.clone(),
        redis_url: None,
        quiet: true,
    };
    if args.verbose {
        match (&args.no_cache, &args.cache_dir) {
            (true, _) => out.line("Building import graph (with caching disabled)..."),
            (false, Some(dir)) => out.line(&format!(
                "Building import graph (cache directory is {})...",
                dir.display()
            )),
            (false, None) => {
                out.line("Building import graph (cache directory is .archlint_cache)...")
            }
        }
    }
    let env = crate::deps_cmd::EnvArgs::default();
    let analysis = match analyze(&Selection {
        project: &project_args,
        env: &env,
        deps: false,
        no_deps: true,
        rules: false,
        no_rules: true,
        contracts: &args.contract,
        keep_facts: false,
        keep_parsed_facts: false,
        require_checks: true,
    }) {
        Ok(a) => a,
        Err(e) => {
            out.line(&format!("{e:#}"));
            return failure;
        }
    };
    let graph_ms = analysis.project.timings.discover_ms
        + analysis.project.timings.parse_ms
        + analysis.project.timings.graph_ms;
    if args.verbose {
        out.line(&format!("Built graph in {}.", format_duration(graph_ms)));
    } else {
        // Where import-linter's graph-building spinner leaves its line.
        out.blank();
    }
    report(args, out, &analysis, &config.contracts, graph_ms, &files)
}

/// Each selected contract in configuration order, with its result or error.
enum Outcome<'a> {
    Checked(&'a ContractResult),
    Failed(&'a ContractError),
}

fn report(
    args: &LintImportsArgs,
    out: &mut Console,
    analysis: &Analysis,
    configs: &[ContractConfig],
    graph_ms: f64,
    files: &[PathBuf],
) -> ExitCode {
    let failure = ExitCode::from(1);
    let mut outcomes: Vec<Outcome<'_>> = Vec::new();
    for config in configs {
        if !args.contract.is_empty()
            && !config
                .id
                .as_ref()
                .is_some_and(|id| args.contract.contains(id))
        {
            continue;
        }
        let name = label(config);
        if let Some(e) = analysis.errors.iter().find(|e| e.contract == name) {
            outcomes.push(Outcome::Failed(e));
        } else if let Some(r) = analysis.results.iter().find(|r| r.name == name) {
            outcomes.push(Outcome::Checked(r));
        }
    }
    // import-linter checks contracts one by one and stops at the first it cannot check.
    let mut checked: Vec<&ContractResult> = Vec::new();
    for outcome in &outcomes {
        match outcome {
            Outcome::Checked(r) => {
                if args.verbose {
                    out.line(&format!("Checking {}...", r.name));
                    result_line(out, r, Some(analysis.durations.get(&r.name).copied()));
                }
                checked.push(r);
            }
            Outcome::Failed(e) if e.option.is_some() => {
                out.line(&format!(
                    "Contract \"{}\" is not configured correctly:",
                    e.contract
                ));
                out.indent();
                out.line(&format!(
                    "{}: {}",
                    e.option.as_deref().unwrap_or_default(),
                    e.message
                ));
                return failure;
            }
            Outcome::Failed(e) => {
                if args.verbose {
                    out.line(&format!("Checking {}...", e.contract));
                }
                out.line(&e.message);
                return failure;
            }
        }
    }
    if args.verbose {
        out.blank();
    }
    if args.show_timings {
        timings_table(out, files, graph_ms);
        out.blank();
    }
    out.heading2("Contracts");
    out.heading3(&format!(
        "Analyzed {} files, {} dependencies.",
        analysis.project.graph.module_count(),
        analysis.project.graph.edge_count()
    ));
    for r in &checked {
        let duration = args
            .show_timings
            .then(|| analysis.durations.get(&r.name).copied());
        result_line(out, r, duration);
    }
    let kept = checked.iter().filter(|r| r.kept).count();
    let broken = checked.len() - kept;
    out.blank();
    out.line(&format!("Contracts: {kept} kept, {broken} broken."));
    if checked.iter().any(|r| !r.warnings.is_empty()) {
        out.blank();
        out.heading2("Warnings");
        let mut first = true;
        for r in checked.iter().filter(|r| !r.warnings.is_empty()) {
            if !first {
                out.blank();
            }
            first = false;
            out.heading3(&r.name);
            for w in &r.warnings {
                out.line(&format!("- {w}"));
            }
        }
    }
    if broken > 0 {
        out.blank();
        out.blank();
        out.heading2("Broken contracts");
        for r in checked.iter().filter(|r| !r.kept) {
            out.heading3(&r.name);
            broken_contract(out, r);
        }
        return failure;
    }
    ExitCode::SUCCESS
}

/// `Name KEPT (2 ignored imports, 1 warning) [0.004s]`.
fn result_line(out: &mut Console, r: &ContractResult, duration: Option<Option<f64>>) {
    out.print(&format!("{} ", r.name), false);
    out.print(if r.kept { "KEPT" } else { "BROKEN" }, false);
    let mut parts = Vec::new();
    match r.ignored_imports {
        0 => {}
        1 => parts.push("1 ignored import".to_owned()),
        n => parts.push(format!("{n} ignored imports")),
    }
    match r.warnings.len() {
        0 => {}
        1 => parts.push("1 warning".to_owned()),
        n => parts.push(format!("{n} warnings")),
    }
    if !parts.is_empty() {
        out.print(&format!(" ({})", parts.join(", ")), false);
    }
    if let Some(ms) = duration {
        out.print(&format!(" [{}]", format_duration(ms.unwrap_or(0.0))), false);
    }
    out.blank();
}

/// The table `--show-timings` prints above the contracts (rich's default box).
fn timings_table(out: &mut Console, files: &[PathBuf], graph_ms: f64) {
    let files_cell = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let duration = format_duration(graph_ms);
    let heads = ["Config files", "Graph build duration"];
    let w0 = heads[0].chars().count().max(files_cell.chars().count());
    let w1 = heads[1].chars().count().max(duration.chars().count());
    let bar = |l: &str, m: &str, r: &str, c: &str| {
        format!("{l}{}{m}{}{r}", c.repeat(w0 + 2), c.repeat(w1 + 2))
    };
    let mut s = String::new();
    let _ = writeln!(s, "{}", bar("┏", "┳", "┓", "━"));
    let _ = writeln!(s, "┃ {:<w0$} ┃ {:<w1$} ┃", heads[0], heads[1]);
    let _ = writeln!(s, "{}", bar("┡", "╇", "┩", "━"));
    let _ = writeln!(s, "│ {files_cell:<w0$} │ {duration:>w1$} │");
    let _ = write!(s, "{}", bar("└", "┴", "┘", "─"));
    out.out.push_str(&s);
    out.blank();
}

/// One broken contract's details, as its import-linter contract type renders them.
fn broken_contract(out: &mut Console, r: &ContractResult) {
    match r.kind.as_str() {
        "forbidden" => {
            for v in &r.violations {
                out.line(&v.summary);
                out.blank();
                for route in &v.routes {
                    for (i, link) in route.chain.iter().enumerate() {
                        let text = format!(
                            "{} -> {} ({})",
                            link.importer,
                            link.imported,
                            line_numbers(&link.lines)
                        );
                        if i == 0 {
                            out.line(&format!("-   {text}"));
                        } else {
                            out.indent();
                            out.line(&text);
                        }
                    }
                    out.blank();
                }
                out.blank();
            }
        }
        "layers" | "independence" => {
            for v in &r.violations {
                out.line(&v.summary);
                out.blank();
                for route in &v.routes {
                    chain_data(out, route);
                    out.blank();
                }
                out.blank();
            }
            if !r.undeclared_modules.is_empty() {
                out.line("The following modules are not listed as layers:");
                out.blank();
                for m in &r.undeclared_modules {
                    out.line(&format!("- {m}"));
                }
                out.blank();
                out.line(
                    "(Since this contract is marked as 'exhaustive', every child of every \
                     container must be declared as a layer.)",
                );
                out.blank();
            }
        }
        "protected" | "private_modules" => {
            for v in &r.violations {
                out.line(&v.summary);
                out.blank();
                for route in &v.routes {
                    let link = &route.chain[0];
                    let lines = link
                        .lines
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ");
                    out.line(&format!(
                        "- {} -> {} (l.{lines})",
                        link.importer, link.imported
                    ));
                    out.blank();
                }
            }
            if r.kind == "protected" {
                out.blank();
            }
        }
        "acyclic_siblings" => {
            for v in &r.violations {
                out.line(&v.summary);
                out.blank();
                let depth = v.importer.split('.').count();
                let child =
                    |m: &str| -> String { m.split('.').nth(depth).unwrap_or_default().to_owned() };
                let mut dependencies: Vec<(String, String, usize)> = v
                    .routes
                    .iter()
                    .map(|route| {
                        let first = &route.chain[0];
                        (
                            child(&first.importer),
                            child(&first.imported),
                            1 + route.extra_firsts.len(),
                        )
                    })
                    .collect();
                dependencies.sort();
                for (down, up, n) in dependencies.iter().take(MAX_DEPENDENCIES_TO_RENDER) {
                    let noun = if *n == 1 { "import" } else { "imports" };
                    out.line(&format!("- .{down} -> .{up} ({n} {noun})"));
                }
                if dependencies.len() > MAX_DEPENDENCIES_TO_RENDER {
                    out.line(&format!(
                        "(and {} more).",
                        dependencies.len() - MAX_DEPENDENCIES_TO_RENDER
                    ));
                }
                out.blank();
            }
        }
        _ => {}
    }
    if let Some(g) = &r.guidance {
        out.line(g);
        out.blank();
    }
}

/// A layers or independence route: its first import with the other heads, the middle, and its
/// last import with the other tails.
fn chain_data(out: &mut Console, route: &Route) {
    let chain = &route.chain;
    direct_import(out, &chain[0], true, &route.extra_firsts, &[]);
    for link in chain.iter().take(chain.len().saturating_sub(1)).skip(1) {
        direct_import(out, link, false, &[], &[]);
    }
    if chain.len() > 1 {
        direct_import(out, &chain[chain.len() - 1], false, &[], &route.extra_lasts);
    }
}

fn direct_import(
    out: &mut Console,
    link: &Link,
    first_line: bool,
    extra_firsts: &[Link],
    extra_lasts: &[Link],
) {
    let mut strings: Vec<String> = Vec::new();
    if let Some((last, others)) = extra_firsts.split_last() {
        for (position, source) in std::iter::once(link).chain(others).enumerate() {
            let prefix = if position > 0 { "& " } else { "" };
            strings.push(format!(
                "{prefix}{} ({})",
                source.importer,
                line_numbers(&source.lines)
            ));
        }
        strings.push(format!(
            "& {} -> {} ({})",
            last.importer,
            last.imported,
            line_numbers(&last.lines)
        ));
    } else {
        strings.push(format!(
            "{} -> {} ({})",
            link.importer,
            link.imported,
            line_numbers(&link.lines)
        ));
    }
    let indent = " ".repeat(link.importer.chars().count() + 4);
    for destination in extra_lasts {
        strings.push(format!(
            "{indent}& {} ({})",
            destination.imported,
            line_numbers(&destination.lines)
        ));
    }
    for (position, s) in strings.iter().enumerate() {
        if first_line && position == 0 {
            out.line(&format!("- {s}"));
        } else {
            out.line(&format!("  {s}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_where_rich_breaks_them() {
        // Before a word that does not fit; the spaces stay at the end of the broken line.
        let text = "shop.services is not allowed to import shop.api:";
        let breaks = divide_line(text, 40);
        assert_eq!(breaks, vec![text.find("shop.api").unwrap()]);
        // A word longer than the line is folded.
        assert_eq!(divide_line("abcdefghij", 4), vec![4, 8]);
        assert!(divide_line("short", 80).is_empty());
        // Leading spaces belong to the first word.
        assert_eq!(divide_line("    aaaa bbbb", 9), vec![9]);
    }

    #[test]
    fn durations_and_line_numbers_as_import_linter_writes_them() {
        assert_eq!(format_duration(127.0), "0.127s");
        assert_eq!(format_duration(5_900.0), "5.9s");
        assert_eq!(format_duration(132_400.0), "132s");
        assert_eq!(line_numbers(&[3, 5]), "l.3, l.5");
        assert_eq!(line_numbers(&[]), "l.?");
    }
}
