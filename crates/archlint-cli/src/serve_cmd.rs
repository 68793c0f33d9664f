//! `archlint serve`: the explorer ([`archlint_explorer`]) on one analysis, re-analysed when files
//! change.

use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use archlint_explorer::{Model, Server};

use crate::analysis::check;
use crate::args::AnalysisArgs;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    analysis: AnalysisArgs,
    /// Address to listen on; anything but loopback exposes the page to the network.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Do not re-analyse when files change.
    #[arg(long)]
    no_watch: bool,
    /// A host name (or name:port) the page may also be reached by, such as this machine's name
    /// when listening on 0.0.0.0; requests naming any other Host are refused. Repeatable.
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_host: Vec<String>,
}

pub fn threads(args: &ServeArgs) -> Option<usize> {
    args.analysis.project.threads
}

fn build_model(args: &AnalysisArgs, version: u64) -> Result<Model> {
    Ok(Model::new(
        &check(args.options(), args.project.quiet)?,
        version,
    ))
}

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let model = build_model(&args.analysis, 1)?;
    let root = std::path::PathBuf::from(model.root());
    let server = Server::bind(args.host, args.port, &args.allow_host, model)?;
    let addr = server.addr();
    if !addr.ip().is_loopback() && !args.analysis.project.quiet {
        eprintln!(
            "archlint: warning: listening on {} makes the explorer reachable from the network",
            addr.ip()
        );
    }
    if addr.ip().is_unspecified() && args.allow_host.is_empty() && !args.analysis.project.quiet {
        eprintln!(
            "archlint: note: only Host {} is answered; name others with --allow-host",
            server.hosts().join(", ")
        );
    }
    if !args.no_watch {
        let changes = archlint_watch::Changes::watch(&root)?;
        let model = server.model();
        // Refreshes draw no progress on the terminal.
        let mut analysis = args.analysis.clone();
        analysis.project.quiet = true;
        let watcher = std::thread::Builder::new().name("serve-watch".into());
        watcher
            .spawn(move || {
                while let Ok(changed) = changes.next() {
                    let version = model.read().map(|m| m.version() + 1).unwrap_or(1);
                    match build_model(&analysis, version) {
                        Ok(new) => {
                            eprintln!(
                                "archlint: {} changed; analysis refreshed (version {version})",
                                changed.join(", ")
                            );
                            if let Ok(mut m) = model.write() {
                                *m = new;
                            }
                        }
                        Err(e) => {
                            eprintln!("archlint: cannot refresh: {e:#}");
                            if let Ok(mut m) = model.write() {
                                m.failed(version, format!("{e:#}"));
                            }
                        }
                    }
                }
            })
            .context("cannot start the file watcher")?;
    }
    println!("archlint: serving http://{addr}/ (read-only; Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    server.run()?;
    bail!("the listener stopped")
}
