//! The govsheet binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match govsheet::cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match govsheet::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A path in the message may hold a newline: it must not start a line of the log.
            let message = e.to_string();
            eprintln!(
                "govsheet: error: {}",
                govsheet::report::escape::control(&message)
            );
            ExitCode::from(2)
        }
    }
}
