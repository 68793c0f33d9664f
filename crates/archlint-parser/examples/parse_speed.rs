//! Parser throughput on a directory tree, one thread: bare ruff parse vs. full fact extraction
//! vs. facts without the code-structure ones.
//! `cargo run --release -p archlint-parser --example parse_speed -- DIR`

use std::time::Instant;

use archlint_parser::{ParseSettings, parse_source};
use ruff_python_parser::{Mode, ParseOptions};

fn collect(dir: &std::path::Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "py")
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            out.push(text);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: parse_speed DIR");
    let mut sources = Vec::new();
    collect(std::path::Path::new(&dir), &mut sources);
    let bytes: usize = sources.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    for round in 0..2 {
        let t = Instant::now();
        for s in &sources {
            let parsed = ruff_python_parser::parse_unchecked(s, ParseOptions::from(Mode::Module));
            std::hint::black_box(parsed.syntax());
        }
        let bare = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let settings = ParseSettings::default();
        for s in &sources {
            std::hint::black_box(parse_source(s, &settings));
        }
        let full = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let lean = ParseSettings {
            code_facts: false,
            ..ParseSettings::default()
        };
        for s in &sources {
            std::hint::black_box(parse_source(s, &lean));
        }
        let imports = t.elapsed().as_secs_f64();
        println!(
            "round {round}: {} files, {mb:.1} MB: bare parse {:.0} MB/s, facts {:.0} MB/s, \
             without code facts {:.0} MB/s",
            sources.len(),
            mb / bare,
            mb / full,
            mb / imports
        );
    }
}
