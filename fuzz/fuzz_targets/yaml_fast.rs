//! Any text through both YAML paths: the fast path (`sheet::yaml::parse_fast`) must either
//! decline or build exactly the tree the reference builder (`parse_reference`, granit-parser's
//! events) builds, values and spans; it must never accept what the reference refuses.
#![no_main]

use govsheet::sheet::yaml::{self, Node, Value};
use libfuzzer_sys::fuzz_target;

fn same(a: &Node, b: &Node) -> bool {
    a.span == b.span
        && match (&a.value, &b.value) {
            (Value::Seq(x), Value::Seq(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((ka, va), (kb, vb))| same(ka, kb) && same(va, vb))
            }
            (Value::Float(x), Value::Float(y)) if x.is_nan() => y.is_nan(),
            (x, y) => x == y,
        }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(fast) = yaml::parse_fast(text) else {
        return;
    };
    match yaml::parse_reference(text) {
        Ok(reference) => assert!(
            same(&fast, &reference),
            "the trees differ:\nfast: {fast:?}\nreference: {reference:?}"
        ),
        Err(e) => panic!("the fast path accepts what the reference refuses: {e:?}"),
    }
    // And `parse` takes the fast path's tree.
    assert!(yaml::parse(text).is_ok_and(|n| same(&n, &fast)));
});
