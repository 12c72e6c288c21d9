//! `govsheet graph`: print the dependency graph (component -> dependent component -> event -> retest) as Graphviz dot or Mermaid.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{CliError, Context, workspace};
use crate::doc::graph::Graph;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The sheet to read (default: `governance.yaml` here or in the nearest parent folder, up
    /// to the repository root)
    #[arg(long, value_name = "FILE", default_value_os_t = super::default_sheet())]
    pub sheet: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

pub(super) fn run(ctx: &Context, args: GraphArgs) -> Result<ExitCode, CliError> {
    let on_disk = workspace::load_sheet(&args.sheet)?;
    let Some(sheet) = on_disk.loaded.sheet.as_ref() else {
        let why = on_disk
            .loaded
            .findings
            .first()
            .map(|f| f.message.clone())
            .unwrap_or_else(|| "the sheet could not be read".into());
        return Err(CliError::file(
            args.sheet.display().to_string(),
            format!("cannot draw the graph: {why} (run `govsheet check` for details)"),
        ));
    };
    let g = Graph::of(sheet);
    ctx.out.print(&match args.format {
        GraphFormat::Dot => g.to_dot(),
        GraphFormat::Mermaid => g.to_mermaid(),
    });
    Ok(ExitCode::SUCCESS)
}
