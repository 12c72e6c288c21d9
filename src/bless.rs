//! Files of Rust that tests write from other files (`GOVSHEET_BLESS=1`) so that start-up does
//! not redo the work, and `build.rs` checks are fresh: their header of hashes, and the check that
//! fails while one is out of date. Tests only (`build.rs`, which cannot share code with the
//! crate, folds the same hash).

use std::path::Path;

/// FNV-1a, 64 bits, as `build.rs` computes it: enough to tell that a file changed.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A generated file: a header naming what it is written from and by which test, with the hash
/// of its inputs (as `build.rs` hashes them, handed over in an environment variable) and of its
/// body, which `build.rs` checks; then the body.
pub(crate) fn generated(from: &str, test: &str, inputs: &str, body: &str) -> String {
    format!(
        "// @generated from {from} by the test\n\
         // `{test}` (GOVSHEET_BLESS=1): do not edit.\n\
         // inputs fnv1a64: {inputs}\n\
         // body fnv1a64: {:016x}\n\n{body}",
        fnv1a64(body.as_bytes())
    )
}

/// Fail unless the file at `path` (relative to the crate) is `want`; with `GOVSHEET_BLESS` set,
/// write it instead.
pub(crate) fn check_or_bless(path: &str, want: &str, from: &str) {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let have = std::fs::read_to_string(&full).unwrap_or_default();
    if have == want {
        return;
    }
    if std::env::var_os("GOVSHEET_BLESS").is_some() {
        std::fs::write(&full, want).unwrap_or_else(|e| panic!("write {path}: {e}"));
    } else {
        panic!(
            "{path} is not what {from} gives: run `GOVSHEET_BLESS=1 cargo test --lib prebuilt` \
             and commit it"
        );
    }
}
