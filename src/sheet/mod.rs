//! Governance sheets: the source text, the YAML span tree, the JSON Schema step and the typed
//! model. Everything here is pure: the CLI reads the bytes and hands them in.

pub mod build;
pub mod incident_file;
pub mod items;
pub mod model;
pub mod record_file;
pub mod schema;
pub mod yaml;

use std::sync::Arc;

use crate::source::{SourceFile, Span};
pub use model::{Sheet, graph};

use crate::finding::{Finding, RuleId};

/// A sheet (or record file) after loading: its source, the model when the YAML could be
/// parsed, and the findings of the syntax, schema and date steps.
#[derive(Debug)]
pub struct Loaded {
    pub source: Arc<SourceFile>,
    pub sheet: Option<Sheet>,
    pub findings: Vec<Finding>,
}

/// Decode bytes as UTF-8 text, or say where they stop being text.
pub fn decode(name: &str, bytes: Vec<u8>) -> Result<Arc<SourceFile>, (Arc<SourceFile>, Finding)> {
    if let Some(pos) = memchr::memchr(0, &bytes) {
        let text = String::from_utf8_lossy(&bytes[..pos]).into_owned();
        let src = SourceFile::new(name, text);
        let f = Finding::of(
            RuleId::YamlSyntax,
            format!("{name} is a binary file (a NUL byte at byte {pos}), not a YAML sheet"),
        )
        .at(&src, "", Some(Span::new(pos, 0)));
        return Err((src, f));
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = text
                .strip_prefix('\u{feff}')
                .map(str::to_owned)
                .unwrap_or(text);
            Ok(SourceFile::new(name, text))
        }
        Err(e) => {
            let pos = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let src = SourceFile::new(name, String::from_utf8_lossy(&bytes).into_owned());
            let f = Finding::of(
                RuleId::YamlSyntax,
                format!("{name} is not valid UTF-8 (invalid byte at byte {pos})"),
            )
            .at(&src, "", Some(Span::new(pos, 1)))
            .with_help("save the sheet as UTF-8");
            Err((src, f))
        }
    }
}

/// Parse YAML text into a span tree, or a `yaml-syntax` finding.
pub fn parse_yaml(source: &Arc<SourceFile>) -> Result<yaml::Node, Finding> {
    yaml::parse(&source.text).map_err(|e| {
        Finding::of(RuleId::YamlSyntax, e.message)
            .at(source, "", e.span)
            .with_help("fix the YAML syntax; govsheet reads YAML 1.2 (`yes`/`no` are strings, duplicate keys are errors)")
    })
}

/// Load one sheet from its bytes: decode, parse, schema-check and build the model.
pub fn load(name: &str, bytes: Vec<u8>) -> Loaded {
    let source = match decode(name, bytes) {
        Ok(s) => s,
        Err((source, f)) => {
            return Loaded {
                source,
                sheet: None,
                findings: vec![f],
            };
        }
    };
    let root = match parse_yaml(&source) {
        Ok(r) => r,
        Err(f) => {
            return Loaded {
                source,
                sheet: None,
                findings: vec![f],
            };
        }
    };
    let (mut findings, built) = check_and_build(&source, &root);
    let Some((mut sheet, date_findings)) = built else {
        return Loaded {
            source,
            sheet: None,
            findings,
        };
    };
    sheet.root = root;
    findings.extend(date_findings);
    Loaded {
        source,
        sheet: Some(sheet),
        findings,
    }
}

/// Sheets of at least this many bytes are schema-checked on a helper thread while this one
/// builds the model (both only read the tree); below it, a thread costs more than it saves.
const PARALLEL_FROM_BYTES: usize = 256 * 1024;

/// The schema findings of a tree, and the model built from it when it is a map (with its
/// `root` left for the caller to move in, see [`build::build_from`]). On a large sheet the two
/// run side by side; the findings are the same either way, in the same order.
fn check_and_build(
    source: &Arc<SourceFile>,
    root: &yaml::Node,
) -> (Vec<Finding>, Option<(Sheet, Vec<Finding>)>) {
    let build = || root.as_map().map(|_| build::build_from(source, root));
    if source.text.len() < PARALLEL_FROM_BYTES {
        return (schema::validate(source, root), build());
    }
    std::thread::scope(|scope| {
        let checker = std::thread::Builder::new()
            .name("schema".into())
            .spawn_scoped(scope, || schema::validate(source, root));
        let built = build();
        let findings = match checker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            // A thread that cannot start changes nothing but the time.
            Err(_) => schema::validate(source, root),
        };
        (findings, built)
    })
}
