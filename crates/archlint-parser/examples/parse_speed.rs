//! Where the parser's time goes, one thread, on a directory tree: reading the files, ruff's
//! lexer alone, a lexer-only import scan (the lower bound of a "lighter import-extraction
//! pass"), ruff's whole parse, and archlint's facts at each depth (imports only, imports with
//! classes and functions, everything the rules read).
//!
//! `cargo run --release -p archlint-parser --example parse_speed -- DIR [--json]`
//!
//! Built with the allocator the binary uses (the per-thread arena over mimalloc), so the figures
//! are the binary's. bench/compare.py runs it on every corpus and keeps its JSON.

use std::time::Instant;

use archlint_parser::{ParseSettings, parse_source};
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::{Mode, ParseOptions};

#[global_allocator]
static GLOBAL: archlint_arena::ArenaAlloc<mimalloc::MiMalloc> =
    archlint_arena::ArenaAlloc::new(mimalloc::MiMalloc);

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

/// Seconds for `f` over every source, the best of `rounds`.
fn best<T>(rounds: usize, sources: &[String], mut f: impl FnMut(&str) -> T) -> f64 {
    (0..rounds)
        .map(|_| {
            let t = Instant::now();
            for s in sources {
                std::hint::black_box(f(s));
            }
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Import statements found by the lexer alone: `import`/`from` at the start of a logical line.
/// What it cannot do is what makes it inexact: syntax errors (the parser's) go unreported, and
/// the tokens carry no offsets here, so neither lines nor names are read.
fn lexer_imports(source: &str) -> usize {
    let mut lexer = ruff_python_parser::lexer::lex(source, Mode::Module);
    let mut at_start = true;
    let mut count = 0;
    loop {
        let kind = lexer.next_token();
        match kind {
            TokenKind::EndOfFile => return count,
            TokenKind::Newline | TokenKind::Indent | TokenKind::Dedent | TokenKind::Semi => {
                at_start = true;
            }
            TokenKind::Import | TokenKind::From if at_start => {
                count += 1;
                at_start = false;
            }
            TokenKind::Comment | TokenKind::NonLogicalNewline => {}
            _ => at_start = false,
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: parse_speed DIR [--json]");
    let json = args.any(|a| a == "--json");
    let mut paths = Vec::new();
    collect(std::path::Path::new(&dir), &mut paths);
    paths.sort();
    let t = Instant::now();
    let sources: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let read = t.elapsed().as_secs_f64();
    let bytes: usize = sources.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    let rounds = if mb > 50.0 { 1 } else { 3 };
    let with = |code_facts: bool, structure: bool| ParseSettings {
        code_facts,
        structure,
        ..ParseSettings::default()
    };
    let lex = best(rounds, &sources, |s| {
        let mut lexer = ruff_python_parser::lexer::lex(s, Mode::Module);
        while lexer.next_token() != TokenKind::EndOfFile {}
    });
    let scan = best(rounds, &sources, lexer_imports);
    let bare = best(rounds, &sources, |s| {
        archlint_arena::with_arena(
            || ruff_python_parser::parse_unchecked(s, ParseOptions::from(Mode::Module)),
            |p| p.errors().len(),
        )
    });
    let imports = best(rounds, &sources, |s| parse_source(s, &with(false, false)));
    let lean = best(rounds, &sources, |s| parse_source(s, &with(false, true)));
    let full = best(rounds, &sources, |s| parse_source(s, &with(true, true)));
    let rows = [
        ("read", read),
        ("lex", lex),
        ("lexer_import_scan", scan),
        ("ruff_parse", bare),
        ("facts_imports_only", imports),
        ("facts_lean", lean),
        ("facts_full", full),
    ];
    if json {
        let fields: Vec<String> = rows
            .iter()
            .map(|(k, s)| format!("\"{k}_s\": {s:.6}, \"{k}_mb_per_s\": {:.1}", mb / s))
            .collect();
        println!(
            "{{\"files\": {}, \"bytes\": {bytes}, {}}}",
            sources.len(),
            fields.join(", ")
        );
        return;
    }
    println!("{} files, {mb:.1} MB, one thread", sources.len());
    for (name, s) in rows {
        println!(
            "  {name:20} {:8.1} ms  {:7.1} MB/s  {:5.1} % of the facts a check reads",
            s * 1000.0,
            mb / s,
            100.0 * s / imports
        );
    }
}
