//! govsheet: lint the governance sheet that keeps Meta Pixel + Conversions API ad signals
//! honest, map changed files to the retests they require, and render the sheet as a document.
//!
//! The library is the pure core; `cli` is the edge that reads files, runs git and prints.
//! The modules sit in layers, lowest first: `source`/`suggest`, `finding`, `sheet`, `globs`,
//! `evidence`, `policy`, `diff`/`verify`, `retest`, `report`, `doc`, `cli`; each imports only from lower
//! layers (`docs/architecture.md`, checked by `tests/architecture.rs`).

#[cfg(test)]
mod bless;
pub mod cli;
pub mod diff;
pub mod doc;
pub mod evidence;
pub mod finding;
pub mod globs;
pub mod policy;
pub mod report;
pub mod retest;
pub mod sheet;
pub mod source;
pub mod suggest;
pub mod verify;
