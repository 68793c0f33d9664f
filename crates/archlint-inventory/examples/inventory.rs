//! Print an environment's inventory as `pip list --format=json` does.
//! `cargo run --release -p archlint-inventory --example inventory -- [VENV]`
fn main() {
    let spec = archlint_inventory::EnvironmentSpec {
        venv: std::env::args().nth(1).map(Into::into),
        ..Default::default()
    };
    let env = archlint_inventory::locate(&spec).expect("environment");
    let inv = archlint_inventory::read_inventory(env);
    let list: Vec<_> = inv
        .distributions
        .iter()
        .map(|d| serde_json::json!({"name": d.name, "version": d.version}))
        .collect();
    println!("{}", serde_json::to_string(&list).unwrap());
    eprintln!(
        "{} dists in {:.1} ms, {} unreadable",
        inv.distributions.len(),
        inv.elapsed_ms,
        inv.unreadable.len()
    );
}
