//! Where reports go: stdout through anstream, which strips colour codes when stdout is not a
//! terminal, when `NO_COLOR` is set, or when `--color never` says so. A closed pipe is not an
//! error: printing stops quietly and the exit code stays the one the findings call for.
//! `--output FILE` writes a report to a file instead (through `fsio`), while the human report
//! still goes to stdout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;

use super::{CliError, ColorWhen, Format};

/// Set once standard output is found closed: nothing more is printed.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// `--format` and `--output`, shared by the commands that report findings.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the --format report to FILE and print the human report to stdout, so one run
    /// serves both the log and the upload
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The process's stdout with the colour decision made once.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    choice: anstream::ColorChoice,
}

impl Output {
    pub fn new(when: ColorWhen) -> Self {
        let choice = match when {
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
            ColorWhen::Auto => anstream::ColorChoice::Auto,
        };
        Self { choice }
    }

    /// How wide the human reports wrap. On a terminal: `COLUMNS` when it holds a number, else
    /// the terminal's width; into a pipe or a file (a CI log, a test): 100, whatever the
    /// environment says, so a log reads the same everywhere. Never below 60 nor above 200.
    pub fn width(&self) -> usize {
        use std::io::IsTerminal;
        if !std::io::stdout().is_terminal() {
            return width_from(None, || None);
        }
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok());
        width_from(columns, || {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(terminal_size::Width(w), _)| usize::from(w))
        })
    }

    /// Whether styled output would reach the terminal (so it is worth rendering colour).
    pub fn color(&self) -> bool {
        let stream = anstream::AutoStream::new(std::io::stdout(), self.choice);
        !matches!(stream.current_choice(), anstream::ColorChoice::Never)
    }

    /// Print text to stdout. A closed pipe (`govsheet ... | head`) is not an error and stops
    /// further printing, but the run goes on to the exit code its findings call for: a reader
    /// that stops early never turns a failing gate into a pass.
    pub fn print(&self, text: &str) {
        if STDOUT_CLOSED.load(Ordering::Relaxed) {
            return;
        }
        let mut stream = anstream::AutoStream::new(std::io::stdout().lock(), self.choice);
        if let Err(e) = stream
            .write_all(text.as_bytes())
            .and_then(|()| stream.flush())
        {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                STDOUT_CLOSED.store(true, Ordering::Relaxed);
                return;
            }
            eprintln!("govsheet: cannot write to stdout: {e}");
            std::process::exit(2);
        }
    }

    /// Deliver a report: `formatted` (the `--format` text) to `--output` and `human()` to
    /// stdout when a file is given, else `formatted` to stdout.
    pub fn emit(
        &self,
        output: Option<&Path>,
        formatted: &str,
        human: impl FnOnce() -> String,
    ) -> Result<(), CliError> {
        match output {
            Some(path) => {
                write_file(path, formatted)?;
                self.print(&human());
            }
            None => self.print(formatted),
        }
        Ok(())
    }
}

/// The wrap width from `COLUMNS` (when set), else the terminal's (when there is one).
fn width_from(columns: Option<usize>, terminal: impl FnOnce() -> Option<usize>) -> usize {
    columns
        .filter(|c| *c > 0)
        .or_else(terminal)
        .unwrap_or(100)
        .clamp(60, 200)
}

/// Write a report file.
pub(super) fn write_file(path: &Path, text: &str) -> Result<(), CliError> {
    super::fsio::write_output(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::width_from;

    #[test]
    fn the_width_comes_from_columns_then_the_terminal_then_100() {
        assert_eq!(width_from(Some(80), || Some(120)), 80);
        assert_eq!(width_from(None, || Some(120)), 120);
        assert_eq!(width_from(None, || None), 100);
        assert_eq!(width_from(Some(0), || None), 100);
        assert_eq!(width_from(Some(20), || None), 60);
        assert_eq!(width_from(Some(1000), || None), 200);
    }
}
