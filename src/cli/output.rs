//! Where reports go: stdout through anstream, which strips colour codes when stdout is not a
//! terminal, when NO_COLOR is set, or when `--color never` says so. A closed pipe is not an
//! error: the process exits quietly.

use std::io::Write;

use super::ColorWhen;

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

    /// Whether styled output would reach the terminal (so it is worth rendering colour).
    pub fn color(&self) -> bool {
        let stream = anstream::AutoStream::new(std::io::stdout(), self.choice);
        !matches!(stream.current_choice(), anstream::ColorChoice::Never)
    }

    /// Print text to stdout; a closed pipe ends the process quietly.
    pub fn print(&self, text: &str) {
        let mut stream = anstream::AutoStream::new(std::io::stdout().lock(), self.choice);
        if let Err(e) = stream
            .write_all(text.as_bytes())
            .and_then(|()| stream.flush())
        {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("govsheet: cannot write to stdout: {e}");
            std::process::exit(2);
        }
    }
}
