//! Progress of long command-line runs: a bar on a terminal (indicatif), plain lines otherwise
//! (a log file or CI should not fill with redraws).

use crate::workflow::sync::{SyncProgress, SyncStage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

pub struct Progress {
    /// None when stderr is not a terminal.
    bar: Option<ProgressBar>,
    /// Plain mode: the last line's stage and tenth, so a line is printed per tenth or stage.
    last_plain: Mutex<Option<(String, u64)>>,
}

impl Progress {
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(spinner_style());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            last_plain: Mutex::new(None),
        }
    }

    /// Counting up to a known total (`what` names the unit and the stage).
    pub fn counting(&self, what: &str, done: u64, total: u64) {
        match &self.bar {
            Some(bar) => {
                if bar.length() != Some(total) || bar.message() != what {
                    bar.set_style(bar_style());
                    bar.set_length(total);
                    bar.set_message(what.to_string());
                }
                bar.set_position(done);
            }
            None => {
                let tenth = (done * 10).checked_div(total).unwrap_or(10);
                self.plain(what, tenth, || format!("{what}: {done}/{total}"));
            }
        }
    }

    /// Counting with no known total.
    pub fn spinning(&self, what: &str, line: String) {
        match &self.bar {
            Some(bar) => {
                if bar.length().is_some() {
                    bar.set_style(spinner_style());
                    bar.unset_length();
                }
                bar.set_message(line);
            }
            // A line per stage only: its count is not known in advance.
            None => self.plain(what, 0, || line.clone()),
        }
    }

    fn plain(&self, stage: &str, tenth: u64, line: impl FnOnce() -> String) {
        let mut last = self.last_plain.lock().expect("progress lock");
        if last
            .as_ref()
            .is_some_and(|(s, t)| s == stage && *t == tenth)
        {
            return;
        }
        *last = Some((stage.to_string(), tenth));
        eprintln!("{}", line());
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl SyncProgress for Progress {
    fn update(&self, stage: &SyncStage) {
        match stage {
            SyncStage::Directory { pages, people } => self.spinning(
                "directory",
                format!("reading the directory: {people} people, {pages} users.list pages"),
            ),
            SyncStage::Applying { rule, done, total } => {
                self.counting(&format!("rule {rule}: invitations recorded"), *done, *total)
            }
        }
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("a valid template")
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)")
        .expect("a valid template")
        .progress_chars("=> ")
}
