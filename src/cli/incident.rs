//! `govsheet incident open ROUTE` writes a NEW incident file into the sheet's `incidents_dir`,
//! prefilled from a route of the router; `govsheet incident resolve ID` writes the resolution
//! into that incident's own file (a temporary file in the same folder, then a rename). Neither
//! ever edits the sheet or overwrites another file.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{CliError, Context, workspace};
use crate::sheet::Sheet;
use crate::sheet::incident_file::{self, NewIncident, Resolution};
use crate::sheet::model::Text;
use crate::suggest::did_you_mean;

#[derive(Debug, Args)]
pub struct IncidentArgs {
    #[command(subcommand)]
    pub action: IncidentAction,
}

#[derive(Debug, Subcommand)]
pub enum IncidentAction {
    /// Write a new incident file in `incidents_dir` from a route of the router, opened today
    Open(OpenArgs),
    /// Resolve an incident of `incidents_dir` in its own file
    Resolve(ResolveArgs),
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The route of the router the incident follows (an id under `router`)
    #[arg(value_name = "ROUTE")]
    pub route: String,
    /// The events affected (declared under `events`); default: the route's events
    #[arg(long, value_name = "EVENT", num_args = 1..)]
    pub events: Vec<String>,
    /// The governance sheet (default: `governance.yaml` here or in the nearest parent folder,
    /// up to the repository root)
    #[arg(long, value_name = "FILE", default_value_os_t = super::default_sheet())]
    pub sheet: PathBuf,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// The id of the incident to resolve
    #[arg(value_name = "ID")]
    pub id: String,
    /// What was changed to fix it
    #[arg(long, value_name = "TEXT")]
    pub fix: String,
    /// The evidence that lets the paused decisions resume
    #[arg(long, value_name = "TEXT")]
    pub resume_when: String,
    /// The day it was resolved (YYYY-MM-DD); default today
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// The governance sheet (default: `governance.yaml` here or in the nearest parent folder,
    /// up to the repository root)
    #[arg(long, value_name = "FILE", default_value_os_t = super::default_sheet())]
    pub sheet: PathBuf,
}

pub(super) fn run(ctx: &Context, args: IncidentArgs) -> Result<ExitCode, CliError> {
    match args.action {
        IncidentAction::Open(a) => open(ctx, a),
        IncidentAction::Resolve(a) => resolve(ctx, a),
    }
}

fn unknown(kind: &str, section: &str, id: &str, known: Vec<&str>, add: &str) -> CliError {
    let hint = match did_you_mean(id, known.iter().copied()) {
        Some(s) => format!(": did you mean `{s}`?"),
        None if known.is_empty() => format!(" (the sheet has no {section}; {add})"),
        None => format!(" (known: {})", known.join(", ")),
    };
    CliError::Usage(format!("unknown {kind} `{id}` under `{section}`{hint}"))
}

/// The loaded sheet, or exit 2 when it cannot be read as YAML.
fn sheet_of<'a>(on_disk: &'a workspace::SheetOnDisk, name: &str) -> Result<&'a Sheet, CliError> {
    on_disk.loaded.sheet.as_ref().ok_or_else(|| {
        CliError::file(
            name,
            "the sheet is not valid YAML; run `govsheet check` and fix it first",
        )
    })
}

/// The `incidents_dir` folder, checked to stay inside the repository, and how to show it.
fn incidents_folder(
    on_disk: &workspace::SheetOnDisk,
    sheet: &Sheet,
    name: &str,
) -> Result<(PathBuf, PathBuf), CliError> {
    let Some(field) = &sheet.incidents_dir else {
        return Err(CliError::file(
            name,
            "the sheet has no `incidents_dir`: add `incidents_dir: incidents` to it, so that each incident is a file of its own",
        ));
    };
    let folder = workspace::inside_repo(&on_disk.dir, &field.value, &on_disk.repo_root)
        .map_err(|why| CliError::file(name, format!("incidents_dir: {why}")))?;
    let display = workspace::normalize(&on_disk.dir.join(&field.value));
    Ok((folder, display))
}

/// A short random suffix: the process's random hash keys and the clock, so two branches (or
/// two runs) opening the same route on the same day pick different names.
fn suffix() -> String {
    let mut h = RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.write_u128(nanos);
    h.write_u32(std::process::id());
    format!("{:06x}", h.finish() & 0xff_ffff)
}

/// A path as a POSIX shell word.
fn shell_word(p: &Path) -> String {
    let s = p.display().to_string();
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@".contains(&b))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn trimmed(t: Option<&Text>) -> Option<String> {
    t.map(|t| t.value.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn open(ctx: &Context, args: OpenArgs) -> Result<ExitCode, CliError> {
    let on_disk = workspace::load_sheet(&args.sheet)?;
    let name = args.sheet.display().to_string();
    let sheet = sheet_of(&on_disk, &name)?;
    let (folder, display_dir) = incidents_folder(&on_disk, sheet, &name)?;
    let Some(route) = sheet.router.get(&args.route) else {
        return Err(unknown(
            "route",
            "router",
            &args.route,
            sheet.router.ids().collect(),
            "add a `router` section with the route",
        ));
    };
    let route_events: Vec<String> = route
        .item
        .events
        .as_ref()
        .map(|e| e.value.iter().map(|t| t.value.to_string()).collect())
        .unwrap_or_default();
    let events = if args.events.is_empty() {
        route_events.clone()
    } else {
        for e in &args.events {
            if !sheet.events.contains(e) {
                return Err(unknown(
                    "event",
                    "events",
                    e,
                    sheet.events.ids().collect(),
                    "declare the event first",
                ));
            }
        }
        let outside: Vec<&str> = args
            .events
            .iter()
            .filter(|e| !route_events.contains(e))
            .map(String::as_str)
            .collect();
        if !outside.is_empty() {
            eprintln!(
                "govsheet: warning: {} not among the events of route `{}` ({}); check that this is the right route",
                outside
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                args.route,
                if route_events.is_empty() {
                    "none".to_owned()
                } else {
                    route_events.join(", ")
                }
            );
        }
        let mut seen = Vec::new();
        for e in &args.events {
            if !seen.contains(e) {
                seen.push(e.clone());
            }
        }
        seen
    };
    if events.is_empty() {
        return Err(CliError::Usage(format!(
            "route `{}` names no events: give the affected events with --events EVENT..., or add `events` to the route",
            args.route
        )));
    }
    let today = ctx.today.to_string();
    let taken: Vec<&str> = sheet
        .incidents
        .iter()
        .filter_map(|i| i.id.as_ref().map(|t| t.as_str()))
        .collect();
    super::fsio::create_dir_inside(&folder, &on_disk.repo_root)?;
    for _ in 0..100 {
        let id = incident_file::new_id(&today, &args.route, &suffix());
        if taken.contains(&id.as_str()) {
            continue;
        }
        let file_name = incident_file::file_name(&id);
        let path = folder.join(&file_name);
        let text = incident_file::to_yaml(&NewIncident {
            id: id.clone(),
            opened: today.clone(),
            route: args.route.clone(),
            events: events.clone(),
            symptom: trimmed(route.item.symptom.as_ref()),
            first_action: trimmed(route.item.first_action.as_ref()),
            paused: route
                .item
                .pause_ids()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            owner: trimmed(route.item.owner.as_ref()),
        });
        // create_new: never onto an existing file, without a check-then-write race; the
        // file appears whole or not at all.
        if !super::fsio::create_new(&path, text.as_bytes())? {
            continue;
        }
        let shown = display_dir.join(&file_name);
        // The route's pause list, then what the stopped events' rollbacks pause: what the
        // document shows paused once the incident is open.
        let mut pause = route.item.pause_ids();
        for c in crate::retest::state::rollback_pauses(sheet, events.iter().map(String::as_str)) {
            if !pause.contains(&c) {
                pause.push(c);
            }
        }
        let mut msg = format!("opened incident {id} in {}\n", shown.display());
        if !pause.is_empty() {
            msg.push_str(&format!("pause first: {}\n", pause.join(", ")));
        }
        if let Some(a) = trimmed(route.item.first_action.as_ref()) {
            msg.push_str(&format!(
                "first action: {}\n",
                a.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
        msg.push_str(&format!("add it to git: git add {}\n", shell_word(&shown)));
        ctx.out.print(&msg);
        return Ok(ExitCode::SUCCESS);
    }
    Err(CliError::file(
        folder.display().to_string(),
        "could not find a free file name for the incident; clean up the folder",
    ))
}

fn resolve(ctx: &Context, args: ResolveArgs) -> Result<ExitCode, CliError> {
    let on_disk = workspace::load_sheet(&args.sheet)?;
    let name = args.sheet.display().to_string();
    let sheet = sheet_of(&on_disk, &name)?;
    let (folder, _) = incidents_folder(&on_disk, sheet, &name)?;
    for (flag, v) in [("--fix", &args.fix), ("--resume-when", &args.resume_when)] {
        if v.trim().is_empty() {
            return Err(CliError::Usage(format!(
                "{flag} is empty: say {}",
                if flag == "--fix" {
                    "what was changed to fix it"
                } else {
                    "what evidence lets the paused decisions resume"
                }
            )));
        }
    }
    let matches: Vec<_> = sheet
        .incidents
        .iter()
        .filter(|i| i.id.as_ref().is_some_and(|t| t.value == args.id))
        .collect();
    let inc = match matches.as_slice() {
        [] => {
            return Err(unknown(
                "incident",
                "incidents",
                &args.id,
                sheet
                    .incidents
                    .iter()
                    .filter_map(|i| i.id.as_ref().map(|t| t.as_str()))
                    .collect(),
                "open one with `govsheet incident open ROUTE`",
            ));
        }
        [one] => *one,
        many => {
            let places: Vec<String> = many
                .iter()
                .map(|i| format!("{}:{}", i.source.name, i.source.location(i.span.start).line))
                .collect();
            return Err(CliError::Usage(format!(
                "incident id `{}` is used {} times ({}): ids must be unique; rename one first",
                args.id,
                many.len(),
                places.join(", ")
            )));
        }
    };
    let line = inc.source.location(inc.span.start).line;
    if inc.source.name == sheet.source.name {
        return Err(CliError::file(
            format!("{}:{line}", inc.source.name),
            format!(
                "incident `{}` lives in the sheet: edit it there (write `status: resolved`, `resolved`, `fix` and `resume_when`); govsheet incident resolve never edits the sheet",
                args.id
            ),
        ));
    }
    if !inc.is_open() {
        return Err(CliError::file(
            format!("{}:{line}", inc.source.name),
            format!("incident `{}` is already resolved", args.id),
        ));
    }
    let date = super::past_date(
        args.date.as_deref(),
        ctx.today,
        "resolve an incident on or after the day it was fixed",
    )?;
    if let Some(opened) = inc.opened.as_ref().and_then(|d| d.date)
        && date < opened
    {
        return Err(CliError::Usage(format!(
            "--date {date} is before the incident was opened ({opened})"
        )));
    }
    let path = incident_path(&folder, &inc.source.name)?;
    // The same file as the sheet by another name (`incidents_dir: .`): never edited either.
    if let (Ok(a), Ok(b)) = (path.canonicalize(), args.sheet.canonicalize())
        && a == b
    {
        return Err(CliError::file(
            format!("{}:{line}", inc.source.name),
            format!(
                "incident `{}` is read from the sheet itself: edit it there; govsheet incident resolve never edits the sheet",
                args.id
            ),
        ));
    }
    let bytes = workspace::read_limited(&path)?;
    if bytes != inc.source.text.as_bytes() {
        return Err(CliError::file(
            path.display().to_string(),
            "the file changed while govsheet was reading it; run the command again",
        ));
    }
    let edited = incident_file::resolve_text(
        &inc.source.text,
        &inc.pointer,
        &Resolution {
            resolved: date.to_string(),
            fix: args.fix.clone(),
            resume_when: args.resume_when.clone(),
        },
    )
    .map_err(|why| {
        CliError::file(
            format!("{}:{line}", inc.source.name),
            format!(
                "cannot write the resolution safely ({why}); edit the file by hand: `status: resolved`, `resolved: {date}`, `fix` and `resume_when`"
            ),
        )
    })?;
    replace_file(&path, &edited)?;
    ctx.out.print(&format!(
        "resolved incident {} in {}\nadd it to git: git add {}\n",
        args.id,
        inc.source.name,
        shell_word(Path::new(&inc.source.name))
    ));
    Ok(ExitCode::SUCCESS)
}

/// The file an incident was read from: a regular file (not a link) directly in the incidents
/// folder, found by the name the loader gave it.
fn incident_path(folder: &Path, source_name: &str) -> Result<PathBuf, CliError> {
    let file_name = Path::new(source_name)
        .file_name()
        .ok_or_else(|| CliError::file(source_name, "not a file name"))?;
    let path = folder.join(file_name);
    let meta = std::fs::symlink_metadata(&path)
        .map_err(|e| CliError::file(path.display().to_string(), workspace::io_message(&e)))?;
    if !meta.file_type().is_file() {
        return Err(CliError::file(
            path.display().to_string(),
            "is not a regular file (a link, a folder or a device); govsheet does not write through it",
        ));
    }
    Ok(path)
}

/// Replace a file's content through a temporary file in the same folder renamed over it
/// (`fsio::replace_file`), so a failed write leaves the old file whole.
fn replace_file(path: &Path, text: &str) -> Result<(), CliError> {
    super::fsio::replace_file(path, text.as_bytes())
}
