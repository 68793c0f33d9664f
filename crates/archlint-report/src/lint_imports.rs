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
use std::path::PathBuf;

use archlint_check::{ContractOutcome, check_contracts};
use archlint_config::ProjectConfig;
use archlint_contracts::{ContractResult, Link, Route};
use archlint_engine::{CacheFlags, Located, Project, ProjectOptions};

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
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The configuration files, in order (default: setup.cfg, .importlinter or pyproject.toml
    /// in the current directory).
    pub config_files: Vec<PathBuf>,
    /// Limit the check to the contracts with these ids (`FILE:ID` when an id is in several
    /// files).
    pub contracts: Vec<String>,
    /// The cache directory.
    pub cache_dir: Option<PathBuf>,
    /// Disable caching.
    pub no_cache: bool,
    /// Show times taken to build the graph and to check each contract.
    pub show_timings: bool,
    /// Hide the logo at startup.
    pub no_logo: bool,
    /// Noisily output progress as we go along.
    pub verbose: bool,
    /// The console's width: lines are wrapped at it (`None`: not wrapped).
    pub width: Option<usize>,
    /// Whether and how custom contract types run.
    pub plugins: archlint_check::plugins::PluginOptions,
}

/// The console width import-linter's console (rich) uses: `COLUMNS`, else unlimited on a terminal
/// (`terminal`), else 80 columns.
pub fn console_width(terminal: bool) -> Option<usize> {
    match std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        Some(w) if w > 0 => Some(w),
        _ if terminal => None,
        _ => Some(80),
    }
}

/// What `lint-imports` prints, and whether every contract is kept (exit 0, else 1).
pub fn run(options: &Options) -> (String, bool) {
    let mut console = Console {
        out: String::new(),
        width: options.width,
    };
    let kept = lint(options, &mut console);
    (console.out, kept)
}

/// The text as import-linter's console prints it: each print wrapped on its own.
struct Console {
    out: String,
    width: Option<usize>,
}

impl Console {
    /// Print `text`, wrapped like rich wraps it, then a newline when `newline`.
    fn print(&mut self, text: &str, newline: bool) {
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            match self.width {
                Some(width) => {
                    // Each piece is cropped to the width, as rich crops: the spaces after the
                    // last word that fits do not spill over.
                    let crop = |piece: &str| -> String { piece.chars().take(width).collect() };
                    let breaks = divide_line(line, width);
                    let mut start = 0;
                    for at in breaks {
                        self.out.push_str(&crop(&line[start..at]));
                        self.out.push('\n');
                        start = at;
                    }
                    self.out.push_str(&crop(&line[start..]));
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

/// One configuration file and what it holds.
struct Source {
    /// As given on the command line; `None` when found in the current directory.
    file: Option<PathBuf>,
    config: ProjectConfig,
}

impl Source {
    /// The file as import-linter names it: relative to the current directory.
    fn display(&self) -> String {
        self.file
            .as_ref()
            .map(|f| {
                let absolute = f.canonicalize().unwrap_or_else(|_| f.clone());
                std::env::current_dir()
                    .ok()
                    .and_then(|cwd| absolute.strip_prefix(cwd).ok().map(PathBuf::from))
                    .unwrap_or(absolute)
                    .display()
                    .to_string()
            })
            .unwrap_or_default()
    }

    /// What decides the graph: contracts of files that agree on it share one.
    fn graph_key(&self) -> (Vec<String>, bool, bool) {
        let s = &self.config.settings;
        let mut roots = s.root_packages.clone();
        roots.sort();
        (
            roots,
            s.include_external_packages,
            s.exclude_type_checking_imports,
        )
    }
}

/// One graph: the files whose contracts it serves, and what import-linter reports of it.
struct Graph {
    key: (Vec<String>, bool, bool),
    files: Vec<String>,
    build_ms: f64,
    modules: usize,
    imports: usize,
}

fn lint(args: &Options, out: &mut Console) -> bool {
    let failure = false;
    if !args.no_logo {
        out.line(LOGO);
    }
    if args.verbose {
        out.line("Verbose mode.");
    }
    let root = match std::env::current_dir() {
        Ok(r) => r,
        Err(e) => {
            out.line(&format!("{e}"));
            return failure;
        }
    };
    // `--config` is the first file (the last one given wins, as with import-linter), then the
    // arguments; a file given twice is read once.
    let mut files = args.config_files.clone();
    let mut seen = rustc_hash::FxHashSet::default();
    files.retain(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
    let mut sources: Vec<Source> = Vec::new();
    if files.is_empty() {
        match archlint_config::discover_config(&root) {
            Ok(Some(config)) => sources.push(Source { file: None, config }),
            Ok(None) => {
                out.line("Could not read any configuration.");
                return failure;
            }
            Err(e) => {
                out.line(&e.to_string());
                return failure;
            }
        }
    }
    for file in &files {
        match archlint_config::load_config(file) {
            Ok(config) => sources.push(Source {
                file: Some(file.clone()),
                config,
            }),
            Err(_) if !file.exists() => {
                out.line(&format!("Could not find {}.", file.display()));
                return failure;
            }
            Err(e) if e.message.starts_with("no [importlinter]") => {
                out.line(&format!(
                    "Could not read any configuration from {}.",
                    file.display()
                ));
                return failure;
            }
            Err(e) => {
                out.line(&e.to_string());
                return failure;
            }
        }
    }
    for source in &sources {
        if source.config.contracts.is_empty() {
            let location = match &source.file {
                Some(_) => source.display(),
                None => "the configuration".into(),
            };
            out.line(&format!(
                "No contracts found in {location}.\n\nEach contract goes in an \
                 'importlinter:contract:<name>' section (INI files)\nor a \
                 'tool.importlinter.contracts' array of tables (TOML files)."
            ));
            return failure;
        }
    }
    let selected = match select(&sources, &args.contracts) {
        Ok(s) => s,
        Err(message) => {
            out.line(&message);
            return failure;
        }
    };
    // One graph per distinct graph settings, built from the first file that needs it; every
    // file's contracts are checked against its graph.
    let mut graphs: Vec<Graph> = Vec::new();
    let mut projects: Vec<Project> = Vec::new();
    let mut checked: Vec<Option<Vec<ContractOutcome>>> = (0..sources.len()).map(|_| None).collect();
    // Symbol-level contracts read symbol facts (kept on demand); a graph serves every source.
    let symbols = sources
        .iter()
        .any(|s| archlint_check::need_symbols(&s.config.contracts));
    for &(s, _) in &selected {
        if checked[s].is_some() {
            continue;
        }
        let source = &sources[s];
        let key = source.graph_key();
        let g = match graphs.iter().position(|g| g.key == key) {
            Some(g) => g,
            None => {
                if args.verbose {
                    out.line(&match (&args.no_cache, &args.cache_dir) {
                        (true, _) => "Building import graph (with caching disabled)...".into(),
                        (false, Some(dir)) => format!(
                            "Building import graph (cache directory is {})...",
                            dir.display()
                        ),
                        (false, None) => {
                            "Building import graph (cache directory is .archlint_cache)...".into()
                        }
                    });
                }
                // The configuration as read above, not read again.
                let options = ProjectOptions {
                    path: Some(root.clone()),
                    config: source.file.clone(),
                    located: Some(Located {
                        root: root.clone(),
                        config: Some(source.config.clone()),
                    }),
                    require_config: true,
                    cache: CacheFlags {
                        no_cache: args.no_cache,
                        cache_dir: args.cache_dir.clone(),
                        redis_url: None,
                    },
                    keep_facts: if symbols {
                        archlint_engine::KeepFacts::OnDemand
                    } else {
                        archlint_engine::KeepFacts::None
                    },
                    code_facts: false,
                    result_tag: None,
                    progress: None,
                    settings: None,
                    discovered: None,
                    imports_only: false,
                    symbols,
                };
                let project = match archlint_engine::load_project(&options) {
                    Ok(p) => p,
                    Err(e) => {
                        out.line(&format!("{e:#}"));
                        return failure;
                    }
                };
                let t = &project.timings;
                let build_ms = t.discover_ms + t.parse_ms + t.graph_ms;
                if args.verbose {
                    out.line(&format!("Built graph in {}.", format_duration(build_ms)));
                }
                graphs.push(Graph {
                    key,
                    files: Vec::new(),
                    build_ms,
                    modules: project.graph.module_count(),
                    imports: project.graph.edge_count(),
                });
                projects.push(project);
                graphs.len() - 1
            }
        };
        if !graphs[g].files.contains(&source.display()) {
            graphs[g].files.push(source.display());
        }
        checked[s] = Some(check_contracts(
            &projects[g],
            &source.config.contracts,
            &args.plugins,
        ));
    }
    if !args.verbose {
        // Where import-linter's graph-building spinner leaves its line.
        out.blank();
    }
    let outcomes: Vec<&ContractOutcome> = selected
        .iter()
        .filter_map(|&(s, c)| checked[s].as_ref().map(|o| &o[c]))
        .collect();
    report(args, out, &outcomes, &graphs)
}

/// The contracts to check, as (source, contract) indexes in file order: all of them, or those
/// named by `--contract ID` (or `FILE:ID` when an id is in several files).
fn select(sources: &[Source], wanted: &[String]) -> Result<Vec<(usize, usize)>, String> {
    let all: Vec<(usize, usize)> = sources
        .iter()
        .enumerate()
        .flat_map(|(s, source)| (0..source.config.contracts.len()).map(move |c| (s, c)))
        .collect();
    if wanted.is_empty() {
        return Ok(all);
    }
    let id_of = |&(s, c): &(usize, usize)| sources[s].config.contracts[c].id.as_deref();
    let mut missing: Vec<&str> = Vec::new();
    let mut ambiguous: Vec<String> = Vec::new();
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    for requested in wanted {
        let mut matches: Vec<(usize, usize)> = all
            .iter()
            .filter(|sc| id_of(sc) == Some(requested.as_str()))
            .copied()
            .collect();
        if matches.is_empty()
            && let Some((file, id)) = requested.rsplit_once(':')
        {
            let file = std::path::Path::new(file);
            let file = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
            matches =
                all.iter()
                    .filter(|&&(s, c)| {
                        sources[s].config.contracts[c].id.as_deref() == Some(id)
                            && sources[s].file.as_ref().is_some_and(|f| {
                                f.canonicalize().unwrap_or_else(|_| f.clone()) == file
                            })
                    })
                    .copied()
                    .collect();
        }
        match matches.len() {
            0 => missing.push(requested),
            1 => chosen.push(matches[0]),
            _ => ambiguous.push(format!(
                "Multiple contracts found with the id '{requested}'. Try including the \
                 filename, e.g.\n\n{}",
                matches
                    .iter()
                    .filter(|&&(s, _)| sources[s].file.is_some())
                    .map(|&(s, _)| format!("--contract={}:{requested}", sources[s].display()))
                    .collect::<Vec<_>>()
                    .join("\n")
            )),
        }
    }
    if let [one] = missing.as_slice() {
        return Err(format!(
            "Could not find contract '{one}'.\n\nYou asked to limit the check to that \
             contract, but nothing exists with that id."
        ));
    }
    if !missing.is_empty() {
        missing.sort_unstable();
        return Err(format!(
            "Could not find the following contract ids: {}.\n\nYou asked to limit the check \
             to those contracts, but there are no contracts with those ids.",
            missing.join(", ")
        ));
    }
    if !ambiguous.is_empty() {
        return Err(ambiguous.join("\n\n"));
    }
    Ok(all.into_iter().filter(|sc| chosen.contains(sc)).collect())
}

fn report(
    args: &Options,
    out: &mut Console,
    outcomes: &[&ContractOutcome],
    graphs: &[Graph],
) -> bool {
    let failure = false;
    // import-linter checks contracts one by one and stops at the first it cannot check: for bad
    // options it says which, for anything else it prints the error alone.
    let mut checked: Vec<(&ContractResult, f64)> = Vec::new();
    for outcome in outcomes {
        match outcome {
            ContractOutcome::Checked(Ok(r), took) => {
                if args.verbose {
                    out.line(&format!("Checking {}...", r.name));
                    result_line(out, r, Some(*took));
                }
                checked.push((r, *took));
            }
            ContractOutcome::Invalid(e) | ContractOutcome::Checked(Err(e), _)
                if e.option.is_some() =>
            {
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
            ContractOutcome::Invalid(e) | ContractOutcome::Checked(Err(e), _) => {
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
    if args.show_timings || graphs.len() > 1 {
        graphs_table(out, graphs, args.show_timings);
        out.blank();
    }
    out.heading2("Contracts");
    out.heading3(&format!(
        "Analyzed {} files, {} dependencies.",
        graphs.iter().map(|g| g.modules).sum::<usize>(),
        graphs.iter().map(|g| g.imports).sum::<usize>()
    ));
    for (r, took) in &checked {
        result_line(out, r, args.show_timings.then_some(*took));
    }
    let kept = checked.iter().filter(|(r, _)| r.kept).count();
    let broken = checked.len() - kept;
    out.blank();
    out.line(&format!("Contracts: {kept} kept, {broken} broken."));
    if checked.iter().any(|(r, _)| !r.warnings.is_empty()) {
        out.blank();
        out.heading2("Warnings");
        let mut first = true;
        for (r, _) in checked.iter().filter(|(r, _)| !r.warnings.is_empty()) {
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
        for (r, _) in checked.iter().filter(|(r, _)| !r.kept) {
            out.heading3(&r.name);
            broken_contract(out, r);
        }
        return failure;
    }
    true
}

/// `Name KEPT (2 ignored imports, 1 warning) [0.004s]`.
fn result_line(out: &mut Console, r: &ContractResult, duration: Option<f64>) {
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
        out.print(&format!(" [{}]", format_duration(ms)), false);
    }
    out.blank();
}

/// The table of graphs import-linter prints above the contracts with `--show-timings` or when
/// several graphs were built (rich's default box, a footer row for several graphs).
fn graphs_table(out: &mut Console, graphs: &[Graph], timings: bool) {
    let mut rows: Vec<Vec<String>> = graphs
        .iter()
        .map(|g| {
            let files = if g.files.is_empty() {
                "(no files)".to_owned()
            } else {
                g.files.join(", ")
            };
            let mut row = vec![files];
            if timings {
                row.push(format_duration(g.build_ms));
            }
            row
        })
        .collect();
    let footer = (graphs.len() > 1).then(|| {
        let files: usize = graphs.iter().map(|g| g.files.len()).sum();
        let mut row = vec![format!(
            "Total {files} {}, {} {}.",
            if files == 1 {
                "config file"
            } else {
                "config files"
            },
            graphs.len(),
            if graphs.len() == 1 {
                "import graph"
            } else {
                "import graphs"
            }
        )];
        if timings {
            row.push(format_duration(graphs.iter().map(|g| g.build_ms).sum()));
        }
        row
    });
    let mut heads = vec!["Config files".to_owned()];
    if timings {
        heads.push("Graph build duration".to_owned());
    }
    let widths: Vec<usize> = (0..heads.len())
        .map(|i| {
            std::iter::once(&heads)
                .chain(&rows)
                .chain(&footer)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let bar = |l: &str, m: &str, r: &str, c: &str| {
        let cells: Vec<String> = widths.iter().map(|w| c.repeat(w + 2)).collect();
        format!("{l}{}{r}", cells.join(m))
    };
    // The first column is left-aligned, the durations right-aligned.
    let line = |edge: &str, cells: &[String]| {
        let cells: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, &w))| {
                if i == 0 {
                    format!(" {c:<w$} ")
                } else {
                    format!(" {c:>w$} ")
                }
            })
            .collect();
        format!("{edge}{}{edge}", cells.join(edge))
    };
    let mut s = String::new();
    let _ = writeln!(s, "{}", bar("┏", "┳", "┓", "━"));
    let head_cells: Vec<String> = heads
        .iter()
        .zip(&widths)
        .map(|(h, &w)| format!(" {h:<w$} "))
        .collect();
    let _ = writeln!(s, "┃{}┃", head_cells.join("┃"));
    let _ = writeln!(s, "{}", bar("┡", "╇", "┩", "━"));
    for row in rows.drain(..) {
        let _ = writeln!(s, "{}", line("│", &row));
    }
    if let Some(row) = footer {
        let _ = writeln!(s, "{}", bar("├", "┼", "┤", "─"));
        let _ = writeln!(s, "{}", line("│", &row));
    }
    let _ = write!(s, "{}", bar("└", "┴", "┘", "─"));
    out.out.push_str(&s);
    out.blank();
}

/// One broken contract's details, as its import-linter contract type renders them.
fn broken_contract(out: &mut Console, r: &ContractResult) {
    // A custom contract type renders itself (captured from import-linter's console).
    if let Some(text) = &r.rendered {
        out.out.push_str(text);
        return;
    }
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
        "protected" | "private_modules" | "public_interface" | "private_names" => {
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
