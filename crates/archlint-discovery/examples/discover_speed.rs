//! Time discovery alone: `cargo run --release --example discover_speed -- ROOT PACKAGE [RUNS]`.

use std::time::Instant;

use archlint_discovery::{DiscoveryOptions, discover};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(root), Some(package)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: discover_speed ROOT PACKAGE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(10);
    let options = DiscoveryOptions {
        root: root.into(),
        root_packages: vec![package.clone()],
        source_dirs: vec![],
        include: vec![],
        exclude: vec![],
        respect_gitignore: true,
        stat_files: std::env::var_os("STAT").is_some(),
    };
    let mut times = Vec::new();
    let mut files = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let found = discover(&options).expect("discovery");
        if std::env::var_os("FULLSTAT").is_some() {
            use rayon::prelude::*;
            let n: u64 = found
                .files
                .par_iter()
                .map(|f| std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0))
                .sum();
            std::hint::black_box(n);
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        files = found.files.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{files} files: min {:.2} ms, median {:.2} ms",
        times[0],
        times[times.len() / 2]
    );
}
