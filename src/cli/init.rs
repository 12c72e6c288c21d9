//! `govsheet init [PATH]`: write a commented starter sheet; never overwrite an existing file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{CliError, Context, workspace::io_message};

/// The starter sheet; `{{TODAY}}` becomes the date of the run.
pub const TEMPLATE: &str = include_str!("init.yaml");

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the sheet
    #[arg(value_name = "PATH", default_value = "governance.yaml")]
    pub path: PathBuf,
}

/// The starter sheet for a given day.
pub fn starter(today: chrono::NaiveDate) -> String {
    TEMPLATE.replace("{{TODAY}}", &today.format("%Y-%m-%d").to_string())
}

pub fn run(ctx: &Context, args: InitArgs) -> Result<ExitCode, CliError> {
    let name = args.path.display().to_string();
    // create_new: refuses an existing file without a check-then-write race.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => CliError::file(
                &name,
                "already exists; govsheet init never overwrites a file (move it away or give another PATH)",
            ),
            _ => CliError::file(&name, io_message(&e)),
        })?;
    file.write_all(starter(ctx.today).as_bytes())
        .map_err(|e| CliError::file(&name, io_message(&e)))?;
    ctx.out.print(&format!(
        "wrote {name}: replace the example owners, systems, events and components with yours, then run `govsheet check {name}`\n"
    ));
    Ok(ExitCode::SUCCESS)
}
