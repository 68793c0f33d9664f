//! Progress on a terminal for the long phases. The engine counts ([`archlint_engine::Progress`]);
//! a thread here polls the counter and draws an indicatif bar on standard error. Nothing is drawn
//! when standard error is not a terminal, in CI (`CI` set), for a dumb terminal, or with
//! `--quiet`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use archlint_engine::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether a progress display belongs on this run's standard error.
pub fn wanted(quiet: bool) -> bool {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    !quiet && !ci && !dumb && std::io::stderr().is_terminal()
}

/// A running display; dropping it (or [`Display::finish`]) clears the bar.
pub struct Display {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Display {
    /// Start drawing `progress` when `enabled`; otherwise a no-op.
    pub fn start(progress: &Arc<Progress>, enabled: bool) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        if !enabled {
            return Self { stop, thread: None };
        }
        let progress = Arc::clone(progress);
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("archlint-progress".into())
            .spawn(move || draw(&progress, &flag))
            .ok();
        Self { stop, thread }
    }

    /// Stop and clear the bar before the report is printed.
    pub fn finish(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Answers from the package index during an online audit (set from deep inside the dependency
/// checks, which run beside parsing).
pub static ONLINE: Progress = Progress::new();

fn draw(progress: &Progress, stop: &AtomicBool) {
    let multi = indicatif::MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(15));
    let bar = multi.add(ProgressBar::new_spinner());
    bar.set_style(
        ProgressStyle::with_template("{spinner:.cyan} {prefix:.bold} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message("discovering files");
    bar.set_prefix("archlint");
    bar.tick();
    let counting = |what: &str, unit: &str| {
        ProgressStyle::with_template(&format!(
            "{{spinner:.cyan}} {{prefix:.bold}} {what} [{{bar:30.cyan/blue}}] {{pos}}/{{len}} {unit}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
    };
    let mut counting_set = false;
    let mut online: Option<ProgressBar> = None;
    loop {
        let (done, total) = progress.position();
        if total > 0 {
            if !counting_set {
                bar.set_style(counting("parsing", "files"));
                bar.set_length(total);
                counting_set = true;
            }
            bar.set_position(done.min(total));
        } else {
            bar.tick();
        }
        let (answered, asked) = ONLINE.position();
        if asked > 0 {
            let fetch = online.get_or_insert_with(|| {
                let b = multi.add(ProgressBar::new(asked));
                b.set_style(counting("fetching", "packages"));
                b.set_prefix("archlint");
                b
            });
            fetch.set_length(asked);
            fetch.set_position(answered.min(asked));
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    if let Some(b) = online {
        b.finish_and_clear();
    }
    bar.finish_and_clear();
    let _ = multi.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_drawn_when_disabled() {
        let p = Arc::new(Progress::default());
        let d = Display::start(&p, false);
        assert!(d.thread.is_none());
        d.finish();
    }

    #[test]
    fn a_started_display_stops_cleanly() {
        let p = Arc::new(Progress::default());
        let d = Display::start(&p, true);
        p.set_total(3);
        p.tick();
        d.finish();
        assert_eq!(p.position(), (1, 3));
    }
}
