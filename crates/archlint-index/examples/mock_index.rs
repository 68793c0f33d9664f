//! Serve a directory of index JSON API responses on 127.0.0.1 until killed (for `bench/`).
//! `cargo run --release -p archlint-index --features mock-server --example mock_index -- DIR [LATENCY_MS]`
//! Prints the URL on the first line; releases missing from DIR get a synthetic answer.
fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: mock_index DIR [LATENCY_MS]");
    let latency: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let server = archlint_index::mock::MockServer::start(std::path::Path::new(&dir));
    server.set_synthetic(true);
    server.set_latency(std::time::Duration::from_millis(latency));
    println!("{}", server.url);
    use std::io::Write;
    std::io::stdout().flush().unwrap();
    let mut last = 0;
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
        let n = server.requests();
        if n != last {
            eprintln!("requests: {n}, most in flight: {}", server.max_in_flight());
            last = n;
        }
    }
}
