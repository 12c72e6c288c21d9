//! The import structure of `src/`: the top-level modules sit in the layers written down in
//! `docs/architecture.md` and import only from lower layers, and no two sibling modules (the
//! files of one folder) import each other, directly or round a loop.
//!
//! Read from the source text: every `use crate::…`, `use super::…`, `use self::…` tree and
//! every `crate::…`/`super::…` path in code (comments and `#[cfg(test)]` modules left out,
//! tests may reach anywhere). A path to an item that a parent re-exports (`pub use
//! child::Item`) counts as a path to that child.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

/// The layers, lowest first (the table in `docs/architecture.md`). A module imports only from
/// a lower layer; modules of one layer do not import each other. No exceptions.
const LAYERS: &[&[&str]] = &[
    &["source", "suggest", "bless"],
    &["finding"],
    &["sheet"],
    &["globs"],
    &["evidence"],
    &["policy"],
    &["diff", "verify"],
    &["retest"],
    &["report"],
    &["doc"],
    &["cli"],
];

type Module = Vec<String>;

struct Crate {
    root: PathBuf,
    /// Module path -> its source with comments and test modules removed.
    sources: BTreeMap<Module, String>,
    /// Module path -> item name -> the module path it is re-exported from.
    reexports: BTreeMap<Module, BTreeMap<String, Module>>,
}

fn module_of(root: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(root).expect("under src");
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "tests" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" && name != "main.rs" {
            out.push(path);
        }
    }
}

/// The text without comments, string and char literals (a `"crate::x"` in a message is no
/// import) and `#[cfg(test)]` items.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'r' && (b[i + 1..].starts_with(b"\"") || b[i + 1..].starts_with(b"#")) {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while j < b.len() && b[j] == b'#' {
                hashes += 1;
                j += 1;
            }
            if j < b.len() && b[j] == b'"' && (i == 0 || !is_ident(b[i - 1])) {
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                j += 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    j += 1;
                }
                i = j + close.len();
                out.push_str("\"\"");
            } else {
                out.push('r');
                i += 1;
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal ('x', '\n', '\''); a lifetime has no closing quote.
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    strip_test_items(&out)
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Remove each `#[cfg(test)]` item: up to its `;` or its balanced `{…}`.
fn strip_test_items(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let b = after.as_bytes();
        let mut i = "#[cfg(test)]".len();
        while i < b.len() && b[i] != b'{' && b[i] != b';' {
            i += 1;
        }
        if i < b.len() && b[i] == b'{' {
            let mut depth = 0;
            while i < b.len() {
                match b[i] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        rest = &after[(i + 1).min(after.len())..];
    }
    out.push_str(rest);
    out
}

/// The paths of a use tree: `a::{b, c::{d, e as f}}` -> `a::b`, `a::c::d`, `a::c::e`.
fn expand_use(tree: &str) -> Vec<String> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    expand_into("", &tree, &mut out);
    out
}

fn expand_into(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        // `path as name` keeps its name after a `#`: a re-export is known by it.
        let mut parts = tree.split(" as ");
        let path = parts.next().unwrap_or(tree).trim();
        let alias = parts
            .next()
            .map_or(String::new(), |a| format!("#{}", a.trim()));
        out.push(format!("{prefix}{path}{alias}").replace(' ', ""));
        return;
    };
    let head = tree[..open].trim().replace(' ', "");
    let close = tree.rfind('}').unwrap_or(tree.len());
    let body = &tree[open + 1..close];
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                let item = &body[start..i];
                if !item.trim().is_empty() {
                    expand_into(&format!("{prefix}{head}"), item, out);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    let item = &body[start..];
    if !item.trim().is_empty() {
        expand_into(&format!("{prefix}{head}"), item, out);
    }
}

impl Crate {
    fn read() -> Crate {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&root, &mut files);
        let mut sources = BTreeMap::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read a source file");
            sources.insert(module_of(&root, &file), code_only(&text));
        }
        let mut krate = Crate {
            root,
            sources,
            reexports: BTreeMap::new(),
        };
        let pub_use = Regex::new(r"(?s)\bpub(?:\([a-z ]+\))?\s+use\s+([^;]+);").unwrap();
        let mut reexports = BTreeMap::new();
        for (module, text) in &krate.sources {
            let mut map = BTreeMap::new();
            for cap in pub_use.captures_iter(text) {
                for named in expand_use(&cap[1]) {
                    let (path, alias) = named.split_once('#').unwrap_or((&named, ""));
                    let last = path.rsplit("::").next().unwrap_or("");
                    let name = if alias.is_empty() { last } else { alias }.to_owned();
                    if let Some(target) = krate.resolve(module, path)
                        && target != *module
                        && name != "*"
                    {
                        map.insert(name, target);
                    }
                }
            }
            reexports.insert(module.clone(), map);
        }
        krate.reexports = reexports;
        krate
    }

    fn is_module(&self, m: &[String]) -> bool {
        let mut p = self.root.clone();
        for part in m {
            p.push(part);
        }
        p.is_dir() || p.with_extension("rs").is_file()
    }

    /// The deepest module a path names, without following re-exports, and the index of the
    /// path's first segment after it. `None` for a path outside the crate (`std::…`, a
    /// dependency).
    fn resolve_module(&self, from: &Module, path: &str) -> Option<(Module, usize)> {
        let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
        let (mut at, mut i) = match parts.first() {
            Some(&"crate") => (Vec::new(), 1),
            Some(&"self") | Some(&"super") => {
                let mut at = from.clone();
                let mut i = 0;
                while i < parts.len() && (parts[i] == "self" || parts[i] == "super") {
                    if parts[i] == "super" {
                        at.pop();
                    }
                    i += 1;
                }
                (at, i)
            }
            // `use child::Item` from a parent (2018 paths).
            Some(first) if self.declares(from, first) => (from.clone(), 0),
            _ => return None,
        };
        while i < parts.len() {
            let mut next = at.clone();
            next.push(parts[i].to_owned());
            if !self.is_module(&next) {
                break;
            }
            at = next;
            i += 1;
        }
        Some((at, i))
    }

    fn declares(&self, module: &Module, child: &str) -> bool {
        let decl = format!("mod {child};");
        self.sources.get(module).is_some_and(|t| t.contains(&decl))
    }

    /// The module a path names, following a re-export of the item after it.
    fn resolve(&self, from: &Module, path: &str) -> Option<Module> {
        let path = path.split('#').next().unwrap_or(path);
        let (at, next) = self.resolve_module(from, path)?;
        let item = path.split("::").filter(|p| !p.is_empty()).nth(next);
        if let Some(item) = item
            && let Some(target) = self.reexports.get(&at).and_then(|m| m.get(item))
        {
            return Some(target.clone());
        }
        Some(at)
    }

    /// Every module each module names.
    fn edges(&self) -> BTreeMap<Module, BTreeSet<Module>> {
        let uses = Regex::new(r"(?s)\buse\s+([^;]+);").unwrap();
        let paths = Regex::new(r"(?:^|[^:\w])((?:crate|super|self)(?:::\w+)+)").unwrap();
        let mut edges = BTreeMap::new();
        for (module, text) in &self.sources {
            let mut named: Vec<String> = Vec::new();
            for cap in uses.captures_iter(text) {
                named.extend(expand_use(&cap[1]));
            }
            named.extend(paths.captures_iter(text).map(|c| c[1].to_string()));
            let set: BTreeSet<Module> = named
                .iter()
                .filter_map(|p| self.resolve(module, p))
                .filter(|t| t != module && !t.is_empty())
                .collect();
            edges.insert(module.clone(), set);
        }
        edges
    }
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Arrows between top-level modules that do not go to a lower layer.
fn layer_violations(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let mut bad = BTreeSet::new();
    for (from, tos) in edges {
        let Some(a) = from.first() else { continue };
        for to in tos {
            let b = &to[0];
            if a == b {
                continue;
            }
            match (layer_of(a), layer_of(b)) {
                (Some(la), Some(lb)) if la > lb => {}
                (Some(la), Some(lb)) => {
                    let why = if la == lb {
                        "the same layer"
                    } else {
                        "a higher layer"
                    };
                    bad.insert(format!(
                        "{} -> {} ({why}: {a} is in layer {la}, {b} in layer {lb})",
                        from.join("::"),
                        to.join("::")
                    ));
                }
                _ => {
                    bad.insert(format!(
                        "{} -> {}: a top-level module missing from LAYERS",
                        from.join("::"),
                        to.join("::")
                    ));
                }
            }
        }
    }
    bad.into_iter().collect()
}

/// The loops between sibling modules: for each folder, its children with an arrow between two
/// of them when a module inside one names a module inside the other.
fn sibling_loops(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (from, tos) in edges {
        for to in tos {
            let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                let a = from[..=common].to_vec();
                let b = to[..=common].to_vec();
                graph.entry(a).or_default().insert(b);
            }
        }
    }
    // Tarjan-free: a loop is an edge a -> b with a path b -> a.
    let reaches = |start: &Module, goal: &Module| -> Option<Vec<Module>> {
        let mut stack = vec![vec![start.clone()]];
        let mut seen = BTreeSet::new();
        while let Some(path) = stack.pop() {
            let last = path.last().unwrap();
            if last == goal {
                return Some(path);
            }
            if !seen.insert(last.clone()) {
                continue;
            }
            for next in graph.get(last).into_iter().flatten() {
                let mut p = path.clone();
                p.push(next.clone());
                stack.push(p);
            }
        }
        None
    };
    let mut loops = BTreeSet::new();
    for (a, bs) in &graph {
        for b in bs {
            if let Some(back) = reaches(b, a) {
                let mut ring: Vec<String> = std::iter::once(a)
                    .chain(back.iter())
                    .map(|m| m.join("::"))
                    .collect();
                // One name per loop: start at its smallest module.
                ring.pop();
                let min = ring
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, m)| *m)
                    .map_or(0, |(i, _)| i);
                ring.rotate_left(min);
                let first = ring[0].clone();
                ring.push(first);
                loops.insert(ring.join(" -> "));
            }
        }
    }
    loops.into_iter().collect()
}

#[test]
fn every_top_level_module_has_a_layer() {
    let krate = Crate::read();
    let missing: Vec<String> = krate
        .sources
        .keys()
        .filter_map(|m| m.first())
        .filter(|m| layer_of(m).is_none())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a layer in LAYERS: {missing:?}"
    );
}

#[test]
fn imports_only_go_to_a_lower_layer() {
    let bad = layer_violations(&Crate::read().edges());
    assert!(
        bad.is_empty(),
        "arrows that do not go down:\n{}",
        bad.join("\n")
    );
}

#[test]
fn sibling_modules_do_not_import_each_other_in_a_loop() {
    let loops = sibling_loops(&Crate::read().edges());
    assert!(loops.is_empty(), "import loops:\n{}", loops.join("\n"));
}

/// The reader itself: it sees the arrows it must see, so the tests above cannot pass by
/// seeing nothing.
#[test]
fn the_reader_sees_use_trees_paths_and_reexports() {
    assert_eq!(
        expand_use("crate::{a::{b, c as d}, e}"),
        ["crate::a::b", "crate::a::c#d", "crate::e"]
    );
    let text = code_only(
        "// use crate::x;\nlet s = \"crate::y\";\nuse crate::z;\n#[cfg(test)]\nmod tests { use crate::w; }\n",
    );
    assert!(!text.contains("crate::x") && !text.contains("crate::y"));
    assert!(text.contains("crate::z") && !text.contains("crate::w"));
    let krate = Crate::read();
    let edges = krate.edges();
    let from = |m: &str| {
        edges
            .get(&m.split("::").map(String::from).collect::<Vec<_>>())
            .unwrap_or_else(|| panic!("module {m} not read"))
    };
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    // `use crate::sheet::…` from the CLI, and `super::` between siblings.
    assert!(from("cli::check").contains(&m("cli::workspace")));
    assert!(from("cli::workspace").iter().any(|t| t[0] == "sheet"));
    assert!(edges.values().flatten().any(|t| t == &m("finding")));
    // `verify::rules` is a re-export (`pub use crate::policy::verify_rules as rules`).
    assert!(from("verify::event").contains(&m("policy::verify_rules")));
    // A sibling loop and a wrong-way arrow are reported.
    let mut fake = BTreeMap::new();
    fake.insert(m("policy::rule"), BTreeSet::from([m("policy::builtin")]));
    fake.insert(m("policy::builtin"), BTreeSet::from([m("policy::rule")]));
    fake.insert(m("finding"), BTreeSet::from([m("sheet::model")]));
    assert_eq!(
        sibling_loops(&fake),
        ["policy::builtin -> policy::rule -> policy::builtin"]
    );
    assert_eq!(layer_violations(&fake).len(), 1);
}
