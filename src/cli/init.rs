//! `govsheet init [PATH]`: write a commented starter sheet; never overwrite an existing file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{CliError, Context};

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
    // create_new: refuses an existing file without a check-then-write race, and a failed
    // write leaves no half file.
    if !super::fsio::create_new(&args.path, starter(ctx.today).as_bytes())? {
        return Err(CliError::file(
            &name,
            "already exists; govsheet init never overwrites a file (move it away or give another PATH)",
        ));
    }
    ctx.out.print(&format!(
        "wrote {name}: replace the example owners, systems, events and components with yours, then run `govsheet check {name}`\n"
    ));
    Ok(ExitCode::SUCCESS)
}
