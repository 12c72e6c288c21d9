//! `govsheet init [PATH] [--template NAME]`: write a commented starter sheet for a stack; never
//! overwrite an existing file. Values to replace are marked (see the `placeholder` rule).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{CliError, Context};

/// The stacks `init` has a starter sheet for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Template {
    /// One Purchase event sent by a Pixel and a server: the smallest complete sheet
    Minimal,
    /// A Shopify store: theme Pixel, Customer Events web pixel for checkout, server container
    Shopify,
    /// A custom storefront whose backend sends the Conversions API itself
    CustomBackend,
}

impl Template {
    /// The starter sheet's text.
    pub fn text(self) -> &'static str {
        match self {
            Template::Minimal => include_str!("templates/minimal.yaml"),
            Template::Shopify => include_str!("templates/shopify.yaml"),
            Template::CustomBackend => include_str!("templates/custom-backend.yaml"),
        }
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the sheet
    #[arg(value_name = "PATH", default_value = "governance.yaml")]
    pub path: PathBuf,
    /// The stack to start from
    #[arg(long, value_enum, default_value_t = Template::Minimal)]
    pub template: Template,
}

pub(super) fn run(ctx: &Context, args: InitArgs) -> Result<ExitCode, CliError> {
    let name = args.path.display().to_string();
    // create_new: refuses an existing file without a check-then-write race, and a failed
    // write leaves no half file.
    if !super::fsio::create_new(&args.path, args.template.text().as_bytes())? {
        return Err(CliError::file(
            &name,
            "already exists; govsheet init never overwrites a file (move it away or give another PATH)",
        ));
    }
    let check = if name == "governance.yaml" {
        "govsheet check".to_owned()
    } else {
        format!("govsheet check {name}")
    };
    ctx.out.print(&format!(
        "wrote {name}\nnext: run `{check}`: it lists every value to fill (the TODOs first, top to \
         bottom) and every file the components should match, each with what to write\n"
    ));
    Ok(ExitCode::SUCCESS)
}
