//! The command line: argument parsing and one file per subcommand. This is the only layer
//! that touches the file system, git and stdout; everything it calls is pure.

mod check;
pub mod diff;
mod doc;
pub mod fsio;
pub mod git;
mod graph;
mod history;
mod incident;
mod init;
mod output;
pub mod packs;
mod record;
mod retests;
mod rules;
mod test;
mod verify;
pub mod workspace;

// The arguments of each subcommand, named here because `Command` (returned by `parse`) holds them.
pub use check::CheckArgs;
pub use doc::{DocArgs, DocFormatArg};
pub use graph::{GraphArgs, GraphFormat};
pub use incident::{IncidentAction, IncidentArgs, OpenArgs, ResolveArgs};
pub use init::{InitArgs, Template};
pub use record::{RecordArgs, RecordResult};
pub use retests::RetestsArgs;
pub use rules::{ExplainArgs, RulesArgs, RulesFormat};
pub use test::TestArgs;
pub use verify::VerifyArgs;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::{Finding, Severity};
pub use output::{Output, ReportArgs};

/// Lint the governance sheet of your Meta Pixel + Conversions API signals.
#[derive(Debug, Parser)]
#[command(name = "govsheet", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every subcommand understands.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// When to colour the human report: `auto` honours `NO_COLOR` and a non-terminal stdout
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// The date to check against (YYYY-MM-DD) instead of the local date [env: `GOVSHEET_TODAY`;
    /// empty counts as unset]
    #[arg(long, global = true, value_name = "DATE")]
    pub today: Option<String>,
    /// The lowest severity that makes the run fail (exit 1)
    #[arg(long, global = true, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

/// Output formats of `check` (and the other commands that report findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0 for GitHub code scanning
    Sarif,
    /// GitHub Actions workflow commands (annotations), then the human report
    Github,
    /// A GitHub-flavoured markdown summary (step summary, pull request comment)
    Markdown,
    /// `JUnit` XML (Jenkins, GitLab)
    Junit,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate sheets against the JSON Schema and every enabled policy rule
    Check(CheckArgs),
    /// Map changed files to the retests they require and check those retests' records
    Retests(RetestsArgs),
    /// Record the result of a retest as a new file in the sheet's `records_dir`
    Record(RecordArgs),
    /// The governance changes of a branch: the sheet at the merge base against the sheet at head
    Diff(diff::DiffArgs),
    /// Render the governance document (Markdown or HTML) with the Stop/Go status of each event
    Doc(DocArgs),
    /// Print the dependency graph (components, events, retests) as dot or Mermaid
    Graph(GraphArgs),
    /// Print the JSON Schema of the sheet
    Schema,
    /// List the rules with the severity a sheet gives them
    Rules(RulesArgs),
    /// Print one rule's documentation: what it finds, why it matters, examples
    Explain(ExplainArgs),
    /// Write a commented starter governance.yaml (never overwrites a file)
    Init(InitArgs),
    /// Check captured Pixel and Conversions API events against the sheet, Meta's rules and the orders
    Verify(VerifyArgs),
    /// Open an incident file from a route of the router, or resolve one in its own file
    Incident(IncidentArgs),
    /// Run the rules' own examples as tests: each `examples.fail` must raise its rule, each
    /// `examples.pass` must not
    Test(TestArgs),
}

/// The global flags each subcommand has no use for: they are still accepted anywhere (so a
/// wrapper can pass them to every command), but left out of that subcommand's help.
const UNUSED_GLOBALS: &[(&str, &[&str])] = &[
    ("doc", &["fail_on"]),
    ("graph", &["color", "today", "fail_on"]),
    ("schema", &["color", "today", "fail_on"]),
    ("rules", &["color", "today", "fail_on"]),
    ("explain", &["color", "today", "fail_on"]),
    ("init", &["color", "fail_on"]),
    ("record", &["color", "fail_on"]),
    ("incident", &["color", "fail_on"]),
    ("diff", &["color"]),
    ("test", &["color", "fail_on"]),
];

/// One example per subcommand, shown at the end of its help.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "check",
        "govsheet check                              # governance.yaml here or above
  govsheet check shop/ --format sarif --output govsheet.sarif",
    ),
    (
        "retests",
        "govsheet retests --base origin/main          # the retests this branch needs, and their records",
    ),
    (
        "diff",
        "govsheet diff --base origin/main --format markdown   # the sheet's changes, for a pull-request comment",
    ),
    (
        "record",
        "govsheet record purchase-dedupe --result pass --by tracking --evidence \"Test Events: 3 orders, 1 event each\"",
    ),
    (
        "doc",
        "govsheet doc -o GOVERNANCE.md --check        # exit 1 with a diff when the document is stale",
    ),
    ("graph", "govsheet graph | dot -Tsvg > graph.svg"),
    ("schema", "govsheet schema > governance.schema.json"),
    ("rules", "govsheet rules --format markdown"),
    ("explain", "govsheet explain dedupe-event-id"),
    (
        "test",
        "govsheet test policies/acme.yaml            # every rule's examples, as tests",
    ),
    (
        "init",
        "govsheet init                               # writes ./governance.yaml",
    ),
    (
        "verify",
        "govsheet verify --server capi.jsonl --browser pixel.jsonl --orders orders.csv",
    ),
    (
        "incident",
        "govsheet incident open purchase-spike        # a new file in incidents_dir
  govsheet incident resolve ID --fix \"Data sharing back to Standard\" --resume-when \"3 clean days\"",
    ),
];

/// The command line as clap builds it, with each subcommand's help showing only the global
/// flags it uses and ending with an example.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    for (name, unused) in UNUSED_GLOBALS {
        // A subcommand that declares an argument itself does not get the global one of the
        // same id: a hidden copy (same id, same value type, so its value still reaches the
        // global settings) keeps the flag accepted there, out of its help.
        // A subcommand's own subcommands (`incident open`) hide the same flags.
        cmd = cmd.mut_subcommand(*name, |sub| {
            let nested: Vec<String> = sub
                .get_subcommands()
                .map(|c| c.get_name().to_owned())
                .collect();
            let mut sub = hide_globals(sub, unused);
            for n in nested {
                sub = sub.mut_subcommand(n, |c| hide_globals(c, unused));
            }
            sub
        });
    }
    for (name, example) in EXAMPLES {
        cmd = cmd.mut_subcommand(*name, |sub| {
            sub.after_help(format!("Example:\n  {example}"))
        });
    }
    cmd
}

/// Add hidden copies of the global flags `unused` to a subcommand (see [`command`]).
fn hide_globals(mut sub: clap::Command, unused: &[&'static str]) -> clap::Command {
    for id in unused {
        let long = if *id == "fail_on" { "fail-on" } else { id };
        let flag = clap::Arg::new(*id).long(long).hide(true);
        sub = sub.arg(match *id {
            "color" => flag.value_parser(clap::value_parser!(ColorWhen)),
            "fail_on" => flag.value_parser(clap::value_parser!(FailOn)),
            _ => flag.value_name("DATE"),
        });
    }
    sub
}

/// Parse the process's arguments (see [`command`]).
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(std::env::args_os())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

/// Why a run could not be done (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

impl CliError {
    pub fn file(path: impl Into<String>, message: impl Into<String>) -> Self {
        CliError::File {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Resolved global settings.
pub struct Context {
    pub today: NaiveDate,
    pub fail_on: Severity,
    pub out: Output,
}

impl Global {
    /// `--today`, else a non-empty `GOVSHEET_TODAY` (an empty variable counts as unset).
    fn today_arg(&self) -> Option<String> {
        self.today.clone().or_else(|| {
            std::env::var_os("GOVSHEET_TODAY")
                .filter(|v| !v.is_empty())
                .map(|v| v.to_string_lossy().into_owned())
        })
    }

    /// Whether `--today` / `GOVSHEET_TODAY` gave a date.
    pub fn today_given(&self) -> bool {
        self.today_arg().is_some()
    }

    pub fn resolve(&self) -> Result<Context, CliError> {
        let today = match self.today_arg() {
            Some(t) => crate::sheet::model::parse_date(t.trim()).ok_or_else(|| {
                CliError::Usage(format!(
                    "--today / GOVSHEET_TODAY: `{t}` is not a date (YYYY-MM-DD)"
                ))
            })?,
            None => chrono::Local::now().date_naive(),
        };
        Ok(Context {
            today,
            fail_on: match self.fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
            },
            out: Output::new(self.color),
        })
    }
}

/// The day of a `--date` (default today) for something that happened: never after today.
/// `what` ends the refusal: "record a retest on or after the day it ran".
pub fn past_date(arg: Option<&str>, today: NaiveDate, what: &str) -> Result<NaiveDate, CliError> {
    let date = match arg {
        Some(d) => crate::sheet::model::parse_date(d.trim())
            .ok_or_else(|| CliError::Usage(format!("--date: `{d}` is not a date (YYYY-MM-DD)")))?,
        None => today,
    };
    if date > today {
        return Err(CliError::Usage(format!(
            "--date {date} is after today ({today}); {what}"
        )));
    }
    Ok(date)
}

/// The exit code for a set of findings: 1 when any is at or above `fail_on`.
pub fn exit_for(findings: &[Finding], fail_on: Severity) -> ExitCode {
    if findings.iter().any(|f| f.severity >= fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let ctx = cli.global.resolve()?;
    match cli.command {
        Command::Check(args) => check::run(&ctx, args),
        Command::Retests(args) => retests::run(&ctx, args),
        Command::Record(args) => record::run(&ctx, args),
        Command::Diff(args) => diff::run(&ctx, args),
        Command::Doc(args) => doc::run(&ctx, args, cli.global.today_given()),
        Command::Graph(args) => graph::run(&ctx, args),
        Command::Verify(args) => verify::run(&ctx, args),
        Command::Schema => {
            ctx.out.print(crate::sheet::schema::SCHEMA_TEXT);
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules(args) => rules::run_rules(&ctx, args),
        Command::Explain(args) => rules::run_explain(&ctx, args),
        Command::Init(args) => init::run(&ctx, args),
        Command::Incident(args) => incident::run(&ctx, args),
        Command::Test(args) => test::run(&ctx, args),
    }
}

/// The default sheet when no path is given: `governance.yaml` in the current folder, else in
/// the nearest parent that has one, up to the repository root (the first folder holding `.git`)
/// and never above it; returned relative to the current folder (`../../governance.yaml`), so
/// messages name it as the user would. Nothing found: `governance.yaml`, whose absence the
/// command then reports.
///
/// Worked out once per process (govsheet never changes its current folder): clap asks for it
/// when it builds each subcommand that has a `--sheet` default, and each walk is a `getcwd`
/// plus a `statx` or two per folder up to the repository root.
pub fn default_sheet() -> PathBuf {
    static SHEET: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SHEET
        .get_or_init(|| {
            let here = PathBuf::from("governance.yaml");
            let Ok(cwd) = std::env::current_dir() else {
                return here;
            };
            sheet_above(&cwd).unwrap_or(here)
        })
        .clone()
}

/// The walk of [`default_sheet`] from `start`.
fn sheet_above(start: &std::path::Path) -> Option<PathBuf> {
    let mut up = PathBuf::new();
    for dir in start.ancestors() {
        // Whatever has the name stops the walk (a FIFO or a folder is then refused when it is
        // read): a sheet is never passed over for one further up.
        if std::fs::symlink_metadata(dir.join("governance.yaml")).is_ok() {
            return Some(up.join("governance.yaml"));
        }
        if dir.join(".git").exists() {
            return None;
        }
        up.push("..");
    }
    None
}
