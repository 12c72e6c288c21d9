//! One `records_dir` or `incidents_dir` file, and the inline records of a sheet version: bytes
//! in, records or incidents and their findings out (decode, parse, schema-check, build). The
//! CLI reads the bytes; everything from there on is here.

use std::sync::Arc;

use super::build;
use super::model::{self, Record};
use super::schema::Kind;
use crate::finding::{Finding, RuleId};
use crate::sheet;
use crate::source::SourceFile;

/// Keep the tree of a file whose items joined the sheet, for the policy rules over them.
pub fn keep_root(
    sheet: &mut model::Sheet,
    source: Option<&Arc<SourceFile>>,
    root: sheet::yaml::Node,
) {
    if let Some(source) = source {
        sheet.file_roots.insert(source.name.clone(), root);
    }
}

/// What one file of `records_dir` / `incidents_dir` holds.
pub enum Item {
    Records(Vec<Record>, Vec<Finding>, sheet::yaml::Node),
    Incidents(Vec<model::Incident>, Vec<Finding>, sheet::yaml::Node),
    /// Not text, not YAML, or not a record/incident at all.
    Refused(Box<Finding>),
}

/// Decode, parse, schema-check and build one record or incident file.
pub fn load_item(display: &str, bytes: Vec<u8>, is_records: bool) -> Item {
    let source = match sheet::decode(display, bytes) {
        Ok(s) => s,
        Err((_, f)) => return Item::Refused(Box::new(f)),
    };
    let root = match sheet::parse_yaml(&source) {
        Ok(r) => r,
        Err(f) => return Item::Refused(Box::new(f)),
    };
    if root.as_map().is_none() && root.as_seq().is_none() {
        return Item::Refused(Box::new(not_an_item(&source, &root, is_records)));
    }
    let kind = if is_records {
        Kind::Records
    } else {
        Kind::Incidents
    };
    let mut findings = sheet::schema::validate_as(&source, &root, kind);
    if is_records {
        let (records, more) = build::build_records(&source, &root);
        findings.extend(more);
        Item::Records(records, findings, root)
    } else {
        let (incidents, more) = build::build_incidents(&source, &root);
        findings.extend(more);
        Item::Incidents(incidents, findings, root)
    }
}

/// The records of one `records_dir` file's bytes (as read from git): the same decoding,
/// parsing and building as on disk; a file that is not text, not YAML or not a record is the
/// finding that says so.
pub fn records_of(display: &str, bytes: Vec<u8>) -> Result<Vec<Record>, Finding> {
    match load_item(display, bytes, true) {
        Item::Records(records, ..) => Ok(records),
        Item::Refused(f) => Err(*f),
        Item::Incidents(..) => Ok(Vec::new()),
    }
}

/// The inline records of a sheet version, or `None` when it is not text or not YAML.
pub fn inline_records(display: &str, bytes: Vec<u8>) -> Option<Vec<Record>> {
    let source = sheet::decode(display, bytes).ok()?;
    let root = sheet::parse_yaml(&source).ok()?;
    Some(build::build_sheet_records(&source, &root))
}

fn not_an_item(source: &Arc<SourceFile>, root: &sheet::yaml::Node, records: bool) -> Finding {
    let what = if records { "a record" } else { "an incident" };
    Finding::of(
        RuleId::Schema,
        format!(
            "this file should hold {what} (a map) or a list of them, found {}",
            root.type_name()
        ),
    )
    .at(source, "", Some(root.span))
}

/// Add one `records_dir` (`records`) or `incidents_dir` file of a base version to `sheet`,
/// without findings: a file that is broken at the base is the base's problem, it holds
/// nothing to compare.
pub fn add_leniently(sheet: &mut model::Sheet, shown: String, bytes: Vec<u8>, records: bool) {
    let Ok(source) = sheet::decode(&shown, bytes) else {
        return;
    };
    let Ok(root) = sheet::parse_yaml(&source) else {
        return;
    };
    if records {
        let (items, _) = build::build_records(&source, &root);
        sheet.records.extend(items);
    } else {
        let (items, _) = build::build_incidents(&source, &root);
        sheet.incidents.extend(items);
    }
    sheet.file_roots.insert(shown, root);
}
