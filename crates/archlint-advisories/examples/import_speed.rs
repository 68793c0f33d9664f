//! Import an OSV source and time it: `cargo run --release -p archlint-advisories --example import_speed -- PATH`
fn main() {
    let path = std::env::args().nth(1).expect("usage: import_speed PATH");
    let (db, report) = archlint_advisories::import(std::path::Path::new(&path)).expect("import");
    let dir = tempfile::tempdir().unwrap();
    let bytes = db.save(&dir.path().join("db")).unwrap();
    println!(
        "{} files, {} advisories, {} packages, {} withdrawn, {} errors, {:.0} ms, {} bytes",
        report.files,
        report.advisories,
        report.packages,
        report.withdrawn,
        report.error_count,
        report.elapsed_ms,
        bytes
    );
    for e in &report.errors {
        println!("  {e}");
    }
}
