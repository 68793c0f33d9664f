//! `archlint check --watch` on a temporary project: after the first report, each edit prints
//! the findings that appeared and disappeared.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// A running `archlint check --watch` and the lines it prints.
struct Watching {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watching {
    fn start(root: &Path) -> Watching {
        let mut child = std::process::Command::new(archlint_path())
            .args(["check", "--watch", "--no-deps"])
            .arg(root)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watching {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Wait for a line containing `text`; return the lines up to it.
    fn until(&mut self, text: &str) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let start = self.seen.len();
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("no line with {text:?}; got {:?}", &self.seen[start..]));
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let done = line.contains(text);
                    self.seen.push(line);
                    if done {
                        return self.seen[start..].to_vec();
                    }
                }
                Err(_) => panic!("no line with {text:?}; got {:?}", &self.seen[start..]),
            }
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn edits_print_the_findings_that_appear_and_disappear() {
    let (_dir, root) = example_copy();
    let mut w = Watching::start(&root);
    let first = w.until("watching");
    // The first report is the full one.
    assert!(first.iter().any(|l| l.contains("Shop layers")), "{first:?}");

    let file = root.join("shop/infra/repository.py");
    let original = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{original}\nimport shop.api.views\n")).unwrap();
    let change = w.until("= ");
    assert!(
        change
            .iter()
            .any(|l| l.starts_with("archlint: shop/infra/repository.py changed")),
        "{change:?}"
    );
    let added: Vec<&String> = change.iter().filter(|l| l.starts_with("  + ")).collect();
    assert_eq!(added.len(), 1, "{change:?}");
    assert!(added[0].contains("shop/infra/repository.py:"));
    assert!(added[0].contains("shop.infra.repository imports shop.api.views"));
    assert!(change.last().unwrap().contains("(+1, -0)"), "{change:?}");

    // Undo: the finding goes away.
    std::fs::write(&file, &original).unwrap();
    let change = w.until("= ");
    let gone: Vec<&String> = change.iter().filter(|l| l.starts_with("  - ")).collect();
    assert_eq!(gone.len(), 1, "{change:?}");
    assert!(gone[0].contains("shop.infra.repository imports shop.api.views"));

    // A syntax error is reported as it appears, and the watch goes on.
    std::fs::write(root.join("shop/broken.py"), "def f(:\n").unwrap();
    let change = w.until("= ");
    assert!(
        change.iter().any(|l| l.starts_with("  + shop/broken.py:1")),
        "{change:?}"
    );
    // A change that does not affect findings says so.
    std::fs::write(root.join("shop/api/extra.py"), "X = 1\n").unwrap();
    let change = w.until("no change");
    assert!(change.last().unwrap().contains("findings"), "{change:?}");
    // Other files are not watched for.
    std::fs::write(root.join("notes.txt"), "hello\n").unwrap();
    std::fs::write(root.join("shop/api/extra.py"), "X = 2\n").unwrap();
    let change = w.until("no change");
    assert!(
        !change.iter().any(|l| l.contains("notes.txt")),
        "{change:?}"
    );
}

/// A package moved away makes a layers contract uncheckable: that is a change to report (it
/// was dropped from the count, as if the contract had gone), and moving it back undoes it.
#[test]
fn a_contract_that_cannot_be_checked_any_more_is_reported() {
    let (dir, root) = example_copy();
    let mut w = Watching::start(&root);
    w.until("watching");
    let away = dir.path().join("infra-away");
    std::fs::rename(root.join("shop/infra"), &away).unwrap();
    let change = w.until("= ");
    assert!(
        change
            .iter()
            .any(|l| l.starts_with("archlint: shop/infra changed")),
        "{change:?}"
    );
    assert!(
        change.iter().any(|l| l.starts_with("  + ")
            && l.contains("error: contract 'Shop layers'")
            && l.contains("shop.infra does not exist")),
        "{change:?}"
    );
    let status = change.last().unwrap();
    assert!(
        status.contains("of 4 contracts broken, 1 could not be checked"),
        "{change:?}"
    );
    std::fs::rename(&away, root.join("shop/infra")).unwrap();
    let change = w.until("= ");
    assert!(
        change
            .iter()
            .any(|l| l.starts_with("  - ") && l.contains("error: contract 'Shop layers'")),
        "{change:?}"
    );
    assert!(
        !change.last().unwrap().contains("could not be checked"),
        "{change:?}"
    );
}

#[test]
fn watch_takes_text_output_only() {
    archlint()
        .args(["check", "--watch", "--format", "json"])
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--watch prints text"));
}
