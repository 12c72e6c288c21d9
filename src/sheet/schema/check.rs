//! The embedded JSON Schema compiled once into checks over the span tree: no conversion of
//! the tree to `serde_json::Value`, no meta-schema validation at start-up (the schema is part
//! of the binary; a test validates it against the draft 2020-12 meta-schema instead).
//!
//! It implements the keywords the schema uses (`type`, `const`, `enum`, `minimum`, `maximum`,
//! `minLength`, `pattern`, `required`, `properties`, `additionalProperties`, `propertyNames`,
//! `items`, `$ref` into `$defs`) with the semantics and the error order of the jsonschema crate,
//! which stays the reference: the tests run both over every sheet in the repository and over
//! mutated ones and require the same errors. A keyword it does not implement is a compile
//! error (a test compiles the schema), never a silent pass.
//!
//! The tree is seen the way the JSON Schema step always saw it ([`Node::to_json`]): keys by
//! their text, a key with no value absent (unless `keep_empty`), `.nan`/`.inf` as `null`.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

use serde_json::Value as Json;

use crate::sheet::yaml::{Node, Value};

/// The JSON type names of the `type` keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
    Null,
}

impl Type {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "object" => Self::Object,
            "array" => Self::Array,
            "string" => Self::String,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            "null" => Self::Null,
            _ => return None,
        })
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Object => "object",
            Self::Array => "array",
            Self::String => "string",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Null => "null",
        }
    }

    fn accepts(self, node: &Node) -> bool {
        match (self, &node.value) {
            (Self::Object, Value::Map(_))
            | (Self::Array, Value::Seq(_))
            | (Self::String, Value::Str(_))
            | (Self::Boolean, Value::Bool(_))
            | (Self::Null, Value::Null)
            | (Self::Integer | Self::Number, Value::Int(_)) => true,
            (Self::Number, Value::Float(f)) => f.is_finite(),
            (Self::Integer, Value::Float(f)) => f.is_finite() && f.fract() == 0.0,
            (Self::Null, Value::Float(f)) => !f.is_finite(),
            _ => false,
        }
    }
}

/// A `pattern`. The prebuilt checker holds each pattern's DFA, built when `prebuilt.rs` was
/// written and only deserialized here (compiling a regex at start-up cost more than checking
/// a small sheet); a pattern without one is compiled as a regex on first use (a test compiles
/// every one of the schema's, and holds each DFA to its regex).
struct Pattern {
    text: String,
    /// The pattern's dense DFA, serialized little-endian (see [`Aligned`]).
    bytes: Option<&'static [u8]>,
    /// The DFA, deserialized on first use; `None` without one, or when it does not deserialize
    /// (written on a machine of the other byte order).
    dfa: OnceLock<Option<Box<Dfa>>>,
    /// The regex, compiled on first use when there is no DFA (or a search of it fails).
    regex: OnceLock<regex::Regex>,
}

type Dfa = regex_automata::dfa::dense::DFA<&'static [u32]>;

/// Bytes aligned for a DFA's `u32` words: `prebuilt.rs` holds each DFA in one.
#[cfg_attr(
    govsheet_stale_prebuilt,
    allow(dead_code, reason = "only prebuilt.rs makes them")
)]
#[repr(C)]
struct Aligned<B: ?Sized> {
    align: [u32; 0],
    bytes: B,
}

impl Pattern {
    fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            bytes: None,
            dfa: OnceLock::new(),
            regex: OnceLock::new(),
        }
    }

    /// A pattern with its DFA (as [`dfa_bytes`] wrote it).
    fn prebuilt(text: &str, dfa: &'static [u8]) -> Self {
        Self {
            bytes: Some(dfa),
            ..Self::new(text)
        }
    }

    fn dfa(&self) -> Option<&Dfa> {
        self.dfa
            .get_or_init(|| {
                let bytes = self.bytes?;
                let (dfa, _) = regex_automata::dfa::dense::DFA::from_bytes(bytes).ok()?;
                Some(Box::new(dfa))
            })
            .as_deref()
    }

    fn regex(&self) -> &regex::Regex {
        self.regex
            .get_or_init(|| regex::Regex::new(&self.text).expect("checked when compiled"))
    }

    fn is_match(&self, s: &str) -> bool {
        use regex_automata::dfa::Automaton as _;
        // A search of a DFA built with quit bytes could stop; these have none (a test holds
        // every search to succeed), and the regex would answer.
        if let Some(dfa) = self.dfa()
            && let Ok(found) = dfa.try_search_fwd(&regex_automata::Input::new(s))
        {
            return found.is_some();
        }
        self.regex().is_match(s)
    }
}

/// A pattern's dense DFA, serialized little-endian for `prebuilt.rs`: built with the syntax
/// `regex::Regex` uses, so that it matches what the regex matches (a test holds it to that).
/// `None` when the pattern needs what a DFA cannot do (a Unicode word boundary).
#[cfg(test)]
fn dfa_bytes(pattern: &str) -> Option<Vec<u8>> {
    let dfa = regex_automata::dfa::dense::DFA::new(pattern).ok()?;
    let (bytes, pad) = dfa.to_bytes_little_endian();
    Some(bytes[pad..].to_vec())
}

/// What `additionalProperties` says.
#[derive(Clone, Copy)]
enum Additional {
    /// Absent or `true`.
    Any,
    False,
    Schema(usize),
}

/// One compiled subschema.
struct Sub {
    /// Where it is in the schema document (`/$defs/owner`): the base of its keyword paths.
    location: String,
    ty: Option<Type>,
    constant: Option<Json>,
    options: Option<Json>,
    minimum: Option<serde_json::Number>,
    maximum: Option<serde_json::Number>,
    min_length: Option<u64>,
    /// `required`; only next to `additionalProperties: false` (the crate fuses them, which
    /// orders the error after the unknown keys).
    required: Vec<String>,
    pattern: Option<Pattern>,
    properties: Vec<(String, usize)>,
    additional: Additional,
    property_names: Option<usize>,
    items: Option<usize>,
    reference: Option<usize>,
}

impl Sub {
    /// A subschema at `location` with no keyword yet.
    fn at(location: &str) -> Self {
        Sub {
            location: location.to_owned(),
            ty: None,
            constant: None,
            options: None,
            minimum: None,
            maximum: None,
            min_length: None,
            required: Vec::new(),
            pattern: None,
            properties: Vec::new(),
            additional: Additional::Any,
            property_names: None,
            items: None,
            reference: None,
        }
    }
}

/// A [`Sub`] as `prebuilt.rs` holds it: data, so that the file compiles to a table (code that
/// built each subschema was a quarter of a megabyte of machine code, paged in at every start).
struct SubData {
    location: &'static str,
    ty: Option<Type>,
    /// JSON texts, as `serde_json` wrote them.
    constant: Option<&'static str>,
    options: Option<&'static str>,
    minimum: Option<&'static str>,
    maximum: Option<&'static str>,
    min_length: Option<u64>,
    required: &'static [&'static str],
    /// The pattern, and its DFA (see [`Pattern::prebuilt`]).
    pattern: Option<(&'static str, Option<&'static [u8]>)>,
    properties: &'static [(&'static str, usize)],
    additional: Additional,
    property_names: Option<usize>,
    items: Option<usize>,
    reference: Option<usize>,
}

impl SubData {
    /// No keyword, at the root: what each table entry starts from.
    #[cfg_attr(
        govsheet_stale_prebuilt,
        allow(dead_code, reason = "only prebuilt.rs uses it")
    )]
    const EMPTY: SubData = SubData {
        location: "",
        ty: None,
        constant: None,
        options: None,
        minimum: None,
        maximum: None,
        min_length: None,
        required: &[],
        pattern: None,
        properties: &[],
        additional: Additional::Any,
        property_names: None,
        items: None,
        reference: None,
    };

    fn sub(&self) -> Sub {
        let SubData {
            location,
            ty,
            constant,
            options,
            minimum,
            maximum,
            min_length,
            required,
            pattern,
            properties,
            additional,
            property_names,
            items,
            reference,
        } = self;
        Sub {
            location: (*location).to_owned(),
            ty: *ty,
            constant: constant.map(json),
            options: options.map(json),
            minimum: minimum.map(number),
            maximum: maximum.map(number),
            min_length: *min_length,
            required: required.iter().map(|r| (*r).to_owned()).collect(),
            pattern: pattern.map(|(text, dfa)| match dfa {
                Some(dfa) => Pattern::prebuilt(text, dfa),
                None => Pattern::new(text),
            }),
            properties: properties
                .iter()
                .map(|&(name, i)| (name.to_owned(), i))
                .collect(),
            additional: *additional,
            property_names: *property_names,
            items: *items,
            reference: *reference,
        }
    }
}

/// A JSON value of the prebuilt checker (`prebuilt.rs`).
fn json(text: &str) -> Json {
    serde_json::from_str(text).expect("the prebuilt checker's JSON was written by serde_json")
}

/// A JSON number of the prebuilt checker.
fn number(text: &str) -> serde_json::Number {
    serde_json::from_str(text).expect("the prebuilt checker's numbers were written by serde_json")
}

// `Checker::prebuilt`: the checks compiled from `schema/governance.schema.json` when the crate
// was last tested, as tables, so that start-up neither parses the schema's JSON nor compiles it
// nor any of its patterns. Written by the test `the_prebuilt_checker_is_the_compiled_schema`
// (`GOVSHEET_BLESS=1`), which fails while it is out of date. `build.rs` leaves the file out
// (`govsheet_stale_prebuilt`) when what it is written from changed since, or it was edited or
// deleted: the tables are then empty and the schema is compiled at start-up instead.
#[cfg(not(govsheet_stale_prebuilt))]
include!("prebuilt.rs");
#[cfg(govsheet_stale_prebuilt)]
static SUBS: [SubData; 0] = [];
#[cfg(govsheet_stale_prebuilt)]
static DEFS: [(&str, usize); 0] = [];

/// The keywords that only annotate.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$comment",
    "title",
    "description",
    "examples",
    "default",
];

/// The schema compiled into [`Sub`]s, with the entry points govsheet validates against.
pub(super) struct Checker {
    subs: Vec<Sub>,
    /// `$ref` target -> its compiled index.
    defs: HashMap<String, usize>,
}

impl Checker {
    /// Compile every subschema reachable from the root and from each of `$defs`. Fails on a
    /// keyword (or a form of one) the checker does not implement.
    pub(super) fn compile(schema: &Json) -> Result<Self, String> {
        let mut c = Self {
            subs: Vec::new(),
            defs: HashMap::new(),
        };
        c.sub(schema, schema, String::new())?;
        if let Some(defs) = schema.get("$defs").and_then(Json::as_object) {
            for name in defs.keys() {
                c.reference(schema, &format!("#/$defs/{name}"))?;
            }
        }
        Ok(c)
    }

    /// The checker as Rust source: `prebuilt.rs` (see [`Checker::prebuilt`]). Its header
    /// records the hash of what it was compiled from (`inputs`, as `build.rs` hashes `SCHEMA`'s
    /// inputs) and of its own body, which `build.rs` checks.
    #[cfg(test)]
    fn to_rust(&self, inputs: &str) -> String {
        crate::bless::generated(
            "schema/governance.schema.json",
            "the_prebuilt_checker_is_the_compiled_schema",
            inputs,
            &self.rust_body(),
        )
    }

    /// The Rust that holds this checker (the body of `prebuilt.rs`): tables of
    /// [`SubData`], which [`Checker::prebuilt`] turns into the checker.
    #[cfg(test)]
    fn rust_body(&self) -> String {
        let q = |s: &str| format!("{s:?}");
        let mut out = format!(
            "/// The subschemas, in order (see `SubData`).\nstatic SUBS: [SubData; {}] = [\n",
            self.subs.len()
        );
        let mut dfas: Vec<(String, Vec<u8>)> = Vec::new();
        for s in &self.subs {
            // Every field by name: a field added to `Sub` must be written here too.
            let Sub {
                location,
                ty,
                constant,
                options,
                minimum,
                maximum,
                min_length,
                required,
                pattern,
                properties,
                additional,
                property_names,
                items,
                reference,
            } = s;
            let mut fields = vec![format!("location: {}", q(location))];
            if let Some(t) = *ty {
                fields.push(format!("ty: Some(Type::{t:?})"));
            }
            let text = |name: &str, value: Option<String>| {
                value.map(|v| format!("{name}: Some({})", q(&v)))
            };
            fields.extend(text("constant", constant.as_ref().map(Json::to_string)));
            fields.extend(text("options", options.as_ref().map(Json::to_string)));
            fields.extend(text("minimum", minimum.as_ref().map(ToString::to_string)));
            fields.extend(text("maximum", maximum.as_ref().map(ToString::to_string)));
            if let Some(n) = *min_length {
                fields.push(format!("min_length: Some({n})"));
            }
            if !required.is_empty() {
                let names: Vec<String> = required.iter().map(|r| q(r)).collect();
                fields.push(format!("required: &[{}]", names.join(", ")));
            }
            if let Some(p) = pattern {
                // One DFA per distinct pattern.
                let known = dfas.iter().position(|(text, _)| *text == p.text);
                let at = known.or_else(|| {
                    dfa_bytes(&p.text).map(|bytes| {
                        dfas.push((p.text.clone(), bytes));
                        dfas.len() - 1
                    })
                });
                let dfa = at.map_or_else(|| "None".to_owned(), |i| format!("Some(&DFA_{i}.bytes)"));
                fields.push(format!("pattern: Some(({}, {dfa}))", q(&p.text)));
            }
            if !properties.is_empty() {
                let props: Vec<String> = properties
                    .iter()
                    .map(|(name, i)| format!("({}, {i})", q(name)))
                    .collect();
                fields.push(format!("properties: &[{}]", props.join(", ")));
            }
            match additional {
                Additional::Any => {}
                Additional::False => fields.push("additional: Additional::False".into()),
                Additional::Schema(i) => {
                    fields.push(format!("additional: Additional::Schema({i})"));
                }
            }
            for (name, value) in [
                ("property_names", property_names),
                ("items", items),
                ("reference", reference),
            ] {
                if let Some(i) = value {
                    fields.push(format!("{name}: Some({i})"));
                }
            }
            let _ = writeln!(
                out,
                "    SubData {{ {}, ..SubData::EMPTY }},",
                fields.join(", ")
            );
        }
        let mut defs: Vec<(&String, &usize)> = self.defs.iter().collect();
        defs.sort();
        let _ = write!(
            out,
            "];\n\n/// `$ref` targets and their subschemas.\nstatic DEFS: [(&str, usize); {}] = [\n",
            defs.len()
        );
        for (name, i) in defs {
            let _ = writeln!(out, "    ({}, {i}),", q(name));
        }
        out.push_str("];\n");
        for (i, (text, bytes)) in dfas.iter().enumerate() {
            let _ = write!(
                out,
                "\n/// The DFA of `{text}`.\nstatic DFA_{i}: Aligned<[u8; {}]> = Aligned {{\n    align: [],\n    bytes: [",
                bytes.len()
            );
            for (j, chunk) in bytes.chunks(32).enumerate() {
                let row: Vec<String> = chunk.iter().map(u8::to_string).collect();
                let sep = if j == 0 { "" } else { "," };
                let _ = write!(out, "{sep}\n        {}", row.join(", "));
            }
            out.push_str(",\n    ],\n};\n");
        }
        out
    }

    /// The checker `prebuilt.rs` holds: the schema's checks compiled when the crate was last
    /// tested (see there).
    pub(super) fn prebuilt() -> Self {
        Checker {
            subs: SUBS.iter().map(SubData::sub).collect(),
            defs: DEFS.iter().map(|&(name, i)| (name.to_owned(), i)).collect(),
        }
    }

    /// The index of the root schema.
    pub(super) fn root(&self) -> usize {
        0
    }

    /// The index of `#/$defs/{name}`.
    pub(super) fn def(&self, name: &str) -> Option<usize> {
        self.defs.get(&format!("#/$defs/{name}")).copied()
    }

    fn reference(&mut self, schema: &Json, target: &str) -> Result<usize, String> {
        if let Some(&i) = self.defs.get(target) {
            return Ok(i);
        }
        let pointer = target
            .strip_prefix('#')
            .ok_or_else(|| format!("`$ref` {target} is not local to the schema"))?;
        let node = schema
            .pointer(pointer)
            .ok_or_else(|| format!("`$ref` {target} points at nothing"))?;
        // Reserve the slot first, so that a cycle of `$ref`s ends.
        let i = self.subs.len();
        self.defs.insert(target.to_owned(), i);
        let j = self.sub(schema, node, pointer.to_owned())?;
        debug_assert_eq!(i, j);
        Ok(i)
    }

    fn sub(&mut self, schema: &Json, node: &Json, location: String) -> Result<usize, String> {
        let obj = node
            .as_object()
            .ok_or_else(|| format!("{location}: a subschema that is not an object"))?;
        let i = self.subs.len();
        self.subs.push(Sub::at(&location));
        let at = |k: &str| format!("{location}/{k}");
        let scalar = |v: &Json, k: &str| {
            if v.is_array() || v.is_object() {
                Err(format!("{}: only scalar values are implemented", at(k)))
            } else {
                Ok(())
            }
        };
        let number = |v: &Json, k: &str| {
            v.as_number()
                .cloned()
                .ok_or_else(|| format!("{}: not a number", at(k)))
        };
        for (k, v) in obj {
            match k.as_str() {
                "type" => {
                    let t = v
                        .as_str()
                        .and_then(Type::parse)
                        .ok_or_else(|| format!("{}: only one type name is implemented", at(k)))?;
                    self.subs[i].ty = Some(t);
                }
                "const" => {
                    scalar(v, k)?;
                    self.subs[i].constant = Some(v.clone());
                }
                "enum" => {
                    let list = v
                        .as_array()
                        .ok_or_else(|| format!("{}: not a list", at(k)))?;
                    for item in list {
                        scalar(item, k)?;
                    }
                    self.subs[i].options = Some(v.clone());
                }
                "minimum" => self.subs[i].minimum = Some(number(v, k)?),
                "maximum" => self.subs[i].maximum = Some(number(v, k)?),
                "minLength" => {
                    self.subs[i].min_length = Some(
                        v.as_u64()
                            .ok_or_else(|| format!("{}: not a count", at(k)))?,
                    );
                }
                "pattern" => {
                    let text = v
                        .as_str()
                        .ok_or_else(|| format!("{}: not a string", at(k)))?;
                    self.subs[i].pattern = Some(Pattern::new(text));
                }
                "required" => {
                    self.subs[i].required = v
                        .as_array()
                        .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_owned)).collect())
                        .ok_or_else(|| format!("{}: not a list of names", at(k)))?;
                }
                "properties" => {
                    let props = v
                        .as_object()
                        .ok_or_else(|| format!("{}: not a map", at(k)))?;
                    let mut compiled = Vec::with_capacity(props.len());
                    for (name, sub) in props {
                        let loc = format!("{}/{}", at(k), super::escape_pointer(name));
                        compiled.push((name.clone(), self.sub(schema, sub, loc)?));
                    }
                    self.subs[i].properties = compiled;
                }
                "additionalProperties" => {
                    self.subs[i].additional = match v {
                        Json::Bool(true) => Additional::Any,
                        Json::Bool(false) => Additional::False,
                        _ => Additional::Schema(self.sub(schema, v, at(k))?),
                    };
                }
                "propertyNames" => {
                    self.subs[i].property_names = Some(self.sub(schema, v, at(k))?);
                }
                "items" => self.subs[i].items = Some(self.sub(schema, v, at(k))?),
                "$ref" => {
                    let target = v
                        .as_str()
                        .ok_or_else(|| format!("{}: not a string", at(k)))?;
                    self.subs[i].reference = Some(self.reference(schema, target)?);
                }
                other if other.starts_with("x-govsheet-") || ANNOTATIONS.contains(&other) => {}
                other => {
                    return Err(format!(
                        "{}: keyword `{other}` is not implemented by the compiled checker",
                        at(other)
                    ));
                }
            }
        }
        // The forms of the object keywords whose order of errors is modelled on the crate.
        let s = &self.subs[i];
        let has_properties = obj.contains_key("properties");
        match s.additional {
            Additional::Schema(_) if has_properties => {
                return Err(format!(
                    "{location}: `properties` with an `additionalProperties` schema is not implemented"
                ));
            }
            Additional::Any if has_properties => {
                return Err(format!(
                    "{location}: `properties` without `additionalProperties` is not implemented"
                ));
            }
            _ => {}
        }
        let fused = matches!(s.additional, Additional::False) && has_properties;
        if !s.required.is_empty() && !fused {
            return Err(format!(
                "{location}: `required` is implemented only next to `properties` and \
                 `additionalProperties: false`"
            ));
        }
        if s.required.len() > 1 {
            return Err(format!(
                "{location}: more than one `required` name is not implemented"
            ));
        }
        Ok(i)
    }

    fn run<'t>(&self, keep_empty: bool) -> Run<'_, 't> {
        Run {
            checker: self,
            keep_empty,
            pointer: String::new(),
            out: Vec::new(),
        }
    }

    /// Every error of `root` against subschema `sub`, in the crate's order.
    pub(super) fn errors<'t>(
        &self,
        sub: usize,
        root: &'t Node,
        keep_empty: bool,
    ) -> Vec<Error<'t>> {
        let mut run = self.run(keep_empty);
        run.check(sub, root);
        run.out
    }

    /// Every error of a list's items, each against subschema `sub` (`{"type": "array",
    /// "items": {"$ref": ...}}` for a list that is one).
    pub(super) fn errors_each<'t>(
        &self,
        sub: usize,
        list: &'t Node,
        keep_empty: bool,
    ) -> Vec<Error<'t>> {
        let mut run = self.run(keep_empty);
        for (n, item) in list.as_seq().unwrap_or_default().iter().enumerate() {
            run.pointer.clear();
            let _ = write!(run.pointer, "/{n}");
            run.check(sub, item);
        }
        run.out
    }
}

/// How an error's instance is shown in the crate's message text.
#[derive(Debug, Clone)]
pub(super) enum Instance<'t> {
    Node(&'t Node, bool),
    /// A key (`propertyNames`).
    Name(String),
}

impl Instance<'_> {
    fn to_json(&self) -> Json {
        match self {
            Self::Node(n, false) => n.to_json(),
            Self::Node(n, true) => super::to_json_keeping_empty(n),
            Self::Name(s) => Json::String(s.clone()),
        }
    }

    /// The text of a string instance.
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Self::Node(n, _) => n.as_str(),
            Self::Name(s) => Some(s),
        }
    }
}

/// What failed, with the crate's names (`src/sheet/schema.rs` reads them as it read the crate's).
#[derive(Debug, Clone)]
pub(super) enum ValidationErrorKind<'t> {
    AdditionalProperties { unexpected: Vec<String> },
    PropertyNames { error: Box<Error<'t>> },
    Type { wanted: &'static str },
    Constant { expected_value: Json },
    Enum { options: Json },
    Minimum { limit: serde_json::Number },
    Maximum { limit: serde_json::Number },
    MinLength { limit: u64 },
    Pattern { pattern: String },
    Required { property: Json },
}

impl ValidationErrorKind<'_> {
    /// The keyword that failed.
    #[cfg(test)]
    pub(super) fn keyword(&self) -> &'static str {
        match self {
            Self::AdditionalProperties { .. } => "additionalProperties",
            Self::PropertyNames { .. } => "propertyNames",
            Self::Type { .. } => "type",
            Self::Constant { .. } => "const",
            Self::Enum { .. } => "enum",
            Self::Minimum { .. } => "minimum",
            Self::Maximum { .. } => "maximum",
            Self::MinLength { .. } => "minLength",
            Self::Pattern { .. } => "pattern",
            Self::Required { .. } => "required",
        }
    }
}

/// One error: where in the instance, which keyword of the schema (its path in the document,
/// `$ref`s followed), and what.
#[derive(Debug, Clone)]
pub(super) struct Error<'t> {
    instance_path: String,
    schema_path: String,
    instance: Instance<'t>,
    kind: ValidationErrorKind<'t>,
}

impl<'t> Error<'t> {
    pub(super) fn instance_path(&self) -> &str {
        &self.instance_path
    }

    pub(super) fn schema_path(&self) -> &str {
        &self.schema_path
    }

    pub(super) fn kind(&self) -> &ValidationErrorKind<'t> {
        &self.kind
    }

    pub(super) fn instance(&self) -> &Instance<'t> {
        &self.instance
    }
}

/// The crate's message text for each kind.
impl fmt::Display for Error<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ValidationErrorKind as K;
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        match &self.kind {
            K::AdditionalProperties { unexpected } => {
                let list: Vec<String> = unexpected.iter().map(|u| format!("'{u}'")).collect();
                let verb = if unexpected.len() == 1 { "was" } else { "were" };
                write!(
                    f,
                    "Additional properties are not allowed ({} {verb} unexpected)",
                    list.join(", ")
                )
            }
            K::PropertyNames { error } => error.fmt(f),
            K::Type { wanted } => {
                write!(
                    f,
                    r#"{} is not of type "{wanted}""#,
                    self.instance.to_json()
                )
            }
            K::Constant { expected_value } => write!(f, "{expected_value} was expected"),
            K::Enum { options } => {
                let list = options.as_array().map(Vec::as_slice).unwrap_or_default();
                write!(f, "{} is not one of ", self.instance.to_json())?;
                if list.len() <= 3 {
                    for (i, o) in list.iter().enumerate() {
                        match i {
                            0 => write!(f, "{o}")?,
                            _ if i == list.len() - 1 => write!(f, " or {o}")?,
                            _ => write!(f, ", {o}")?,
                        }
                    }
                    Ok(())
                } else {
                    for (i, o) in list.iter().take(2).enumerate() {
                        match i {
                            0 => write!(f, "{o}")?,
                            _ => write!(f, ", {o}")?,
                        }
                    }
                    write!(f, " or {} other candidates", list.len() - 2)
                }
            }
            K::Minimum { limit } => write!(
                f,
                "{} is less than the minimum of {limit}",
                self.instance.to_json()
            ),
            K::Maximum { limit } => write!(
                f,
                "{} is greater than the maximum of {limit}",
                self.instance.to_json()
            ),
            K::MinLength { limit } => write!(
                f,
                "{} is shorter than {limit} character{}",
                self.instance.to_json(),
                plural(*limit)
            ),
            K::Pattern { pattern } => {
                write!(
                    f,
                    r#"{} does not match "{pattern}""#,
                    self.instance.to_json()
                )
            }
            K::Required { property } => write!(f, "{property} is a required property"),
        }
    }
}

/// One validation: the instance pointer is kept in one string, pushed and popped.
struct Run<'c, 't> {
    checker: &'c Checker,
    keep_empty: bool,
    pointer: String,
    out: Vec<Error<'t>>,
}

impl<'t> Run<'_, 't> {
    fn push(&mut self, sub: &Sub, keyword: &str, node: &'t Node, kind: ValidationErrorKind<'t>) {
        self.out.push(Error {
            instance_path: self.pointer.clone(),
            schema_path: format!("{}/{keyword}", sub.location),
            instance: Instance::Node(node, self.keep_empty),
            kind,
        });
    }

    /// The keywords of one subschema, in the crate's priority order.
    fn check(&mut self, i: usize, node: &'t Node) {
        let c = self.checker;
        let sub = &c.subs[i];
        use ValidationErrorKind as K;
        if let Some(t) = sub.ty
            && !t.accepts(node)
        {
            self.push(sub, "type", node, K::Type { wanted: t.name() });
        }
        if let Some(expected) = &sub.constant
            && !equals(node, expected)
        {
            let kind = K::Constant {
                expected_value: expected.clone(),
            };
            self.push(sub, "const", node, kind);
        }
        if let Some(options) = &sub.options
            && !options
                .as_array()
                .is_some_and(|list| list.iter().any(|o| equals(node, o)))
        {
            let kind = K::Enum {
                options: options.clone(),
            };
            self.push(sub, "enum", node, kind);
        }
        if let Some(limit) = &sub.minimum
            && compare(node, limit).is_some_and(|o| o.is_lt())
        {
            let kind = K::Minimum {
                limit: limit.clone(),
            };
            self.push(sub, "minimum", node, kind);
        }
        if let Some(limit) = &sub.maximum
            && compare(node, limit).is_some_and(|o| o.is_gt())
        {
            let kind = K::Maximum {
                limit: limit.clone(),
            };
            self.push(sub, "maximum", node, kind);
        }
        if let (Some(limit), Value::Str(s)) = (sub.min_length, &node.value)
            && (s.chars().count() as u64) < limit
        {
            self.push(sub, "minLength", node, K::MinLength { limit });
        }
        if let (Some(p), Value::Str(s)) = (&sub.pattern, &node.value)
            && !p.is_match(s)
        {
            let kind = K::Pattern {
                pattern: p.text.clone(),
            };
            self.push(sub, "pattern", node, kind);
        }
        if let Value::Map(entries) = &node.value {
            self.object(sub, node, entries);
        }
        if let (Some(items), Value::Seq(list)) = (sub.items, &node.value) {
            for (n, item) in list.iter().enumerate() {
                let len = self.pointer.len();
                let _ = write!(self.pointer, "/{n}");
                self.check(items, item);
                self.pointer.truncate(len);
            }
        }
        if let Some(target) = sub.reference {
            self.check(target, node);
        }
    }

    /// `additionalProperties` (with `properties` and `required` when the crate fuses them),
    /// then `propertyNames`.
    fn object(&mut self, sub: &Sub, node: &'t Node, entries: &'t [(Node, Node)]) {
        let members = Members::of(entries, self.keep_empty);
        match sub.additional {
            Additional::Any => {}
            Additional::Schema(each) => {
                members.for_each(|name, value| self.child(each, &name, value));
            }
            Additional::False => {
                let mut unexpected = Vec::new();
                let mut found = sub.required.is_empty();
                members.for_each(|name, value| {
                    match sub.properties.iter().find(|(p, _)| *p == *name) {
                        Some(&(_, prop)) => {
                            found |= sub.required.iter().any(|r| *r == *name);
                            self.child(prop, &name, value);
                        }
                        None => unexpected.push(name.into_owned()),
                    }
                });
                if !unexpected.is_empty() {
                    let kind = ValidationErrorKind::AdditionalProperties { unexpected };
                    self.push(sub, "additionalProperties", node, kind);
                }
                if !found {
                    let kind = ValidationErrorKind::Required {
                        property: Json::String(sub.required[0].clone()),
                    };
                    self.push(sub, "required", node, kind);
                }
            }
        }
        if let Some(names) = sub.property_names {
            members.for_each(|name, _| {
                let key = Node {
                    value: Value::Str(name.into()),
                    span: node.span,
                };
                let inner = self.checker.errors(names, &key, false);
                for e in inner {
                    let name = key.as_str().unwrap_or_default().to_owned();
                    self.out.push(Error {
                        instance_path: self.pointer.clone(),
                        schema_path: e.schema_path.clone(),
                        instance: Instance::Node(node, self.keep_empty),
                        kind: ValidationErrorKind::PropertyNames {
                            error: Box::new(Error {
                                instance_path: String::new(),
                                schema_path: e.schema_path,
                                instance: Instance::Name(name),
                                kind: e.kind.into_static(),
                            }),
                        },
                    });
                }
            });
        }
    }

    fn child(&mut self, sub: usize, name: &str, value: &'t Node) {
        let len = self.pointer.len();
        self.pointer.push('/');
        if name.contains(['~', '/']) {
            self.pointer.push_str(&super::escape_pointer(name));
        } else {
            self.pointer.push_str(name);
        }
        self.check(sub, value);
        self.pointer.truncate(len);
    }
}

impl ValidationErrorKind<'_> {
    /// The kinds a `propertyNames` subschema can report, detached from the key node they
    /// were checked on.
    fn into_static<'x>(self) -> ValidationErrorKind<'x> {
        use ValidationErrorKind as K;
        match self {
            K::AdditionalProperties { unexpected } => K::AdditionalProperties { unexpected },
            K::PropertyNames { error } => K::PropertyNames {
                error: Box::new(Error {
                    instance_path: error.instance_path,
                    schema_path: error.schema_path,
                    instance: Instance::Name(error.instance.as_str().unwrap_or("").to_owned()),
                    kind: error.kind.into_static(),
                }),
            },
            K::Type { wanted } => K::Type { wanted },
            K::Constant { expected_value } => K::Constant { expected_value },
            K::Enum { options } => K::Enum { options },
            K::Minimum { limit } => K::Minimum { limit },
            K::Maximum { limit } => K::Maximum { limit },
            K::MinLength { limit } => K::MinLength { limit },
            K::Pattern { pattern } => K::Pattern { pattern },
            K::Required { property } => K::Required { property },
        }
    }
}

/// The members of a map as the JSON object the schema sees: keys by their text, keys with no
/// value left out (unless kept), and, as when the object was built, a later key with the same
/// text (only complex keys, `<complex key>`, can share one: YAML rejects other duplicates)
/// replaces the value of the first.
struct Members<'t> {
    entries: &'t [(Node, Node)],
    keep_empty: bool,
    /// Set when two complex keys are present: then the object's members are computed.
    merged: Option<Vec<(String, &'t Node)>>,
}

impl<'t> Members<'t> {
    fn of(entries: &'t [(Node, Node)], keep_empty: bool) -> Self {
        let kept = |v: &Node| keep_empty || !v.is_null();
        let complex = entries
            .iter()
            .filter(|(k, v)| kept(v) && matches!(k.value, Value::Seq(_) | Value::Map(_)))
            .count();
        let merged = (complex > 1).then(|| {
            let mut out: Vec<(String, &'t Node)> = Vec::new();
            for (k, v) in entries.iter().filter(|(_, v)| kept(v)) {
                let text = k.key_text();
                match out.iter_mut().find(|(t, _)| *t == text) {
                    Some(slot) => slot.1 = v,
                    None => out.push((text, v)),
                }
            }
            out
        });
        Self {
            entries,
            keep_empty,
            merged,
        }
    }

    fn for_each(&self, mut f: impl FnMut(std::borrow::Cow<'t, str>, &'t Node)) {
        use std::borrow::Cow;
        if let Some(merged) = &self.merged {
            for (k, v) in merged {
                f(Cow::Owned(k.clone()), v);
            }
            return;
        }
        for (k, v) in self.entries {
            if !self.keep_empty && v.is_null() {
                continue;
            }
            match &k.value {
                Value::Str(s) => f(Cow::Borrowed(s.as_str()), v),
                _ => f(Cow::Owned(k.key_text()), v),
            }
        }
    }
}

/// JSON equality of a node and a scalar `const`/`enum` value; numbers compare by value.
fn equals(node: &Node, expected: &Json) -> bool {
    match (&node.value, expected) {
        (Value::Null, Json::Null) => true,
        (Value::Float(f), Json::Null) => !f.is_finite(),
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Str(a), Json::String(b)) => a == b,
        (Value::Int(_) | Value::Float(_), Json::Number(n)) => {
            compare(node, n).is_some_and(|o| o.is_eq())
        }
        _ => false,
    }
}

/// A number node against a schema number, by value; `None` for anything that is not a
/// (finite) number.
fn compare(node: &Node, limit: &serde_json::Number) -> Option<std::cmp::Ordering> {
    match node.value {
        Value::Int(i) => match (limit.as_i64(), limit.as_u64()) {
            (Some(l), _) => Some(i.cmp(&l)),
            (None, Some(_)) => Some(std::cmp::Ordering::Less),
            (None, None) => (i as f64).partial_cmp(&limit.as_f64()?),
        },
        Value::Float(f) if f.is_finite() => f.partial_cmp(&limit.as_f64()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    //! The differential test: the jsonschema crate, over the tree converted to JSON as the
    //! step did before, must report the same errors (instance pointer, schema keyword path,
    //! keyword, message) in the same order as the compiled checker.

    use std::path::{Path, PathBuf};

    use proptest::prelude::*;

    use super::*;
    use crate::sheet::schema::{SCHEMA_TEXT, to_json_keeping_empty};
    use crate::sheet::yaml::parse;

    type Seen = (String, String, String, String);

    struct Reference {
        sheet: jsonschema::Validator,
        record: jsonschema::Validator,
        records: jsonschema::Validator,
        incident: jsonschema::Validator,
        incidents: jsonschema::Validator,
    }

    fn schema() -> Json {
        serde_json::from_str(SCHEMA_TEXT).unwrap()
    }

    /// The validators the JSON Schema step used before the compiled checker.
    fn reference() -> &'static Reference {
        static R: OnceLock<Reference> = OnceLock::new();
        R.get_or_init(|| {
            let schema = schema();
            let build = |s: &Json| {
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .build(s)
                    .unwrap()
            };
            let rooted = |root: Json| {
                let mut obj = serde_json::Map::new();
                for key in ["$schema", "$id", "$defs"] {
                    obj.insert(key.into(), schema[key].clone());
                }
                if let Json::Object(extra) = root {
                    obj.extend(extra);
                }
                build(&Json::Object(obj))
            };
            let one = |def: &str| rooted(serde_json::json!({"$ref": format!("#/$defs/{def}")}));
            let many = |def: &str| {
                rooted(serde_json::json!({"type": "array", "items": {"$ref": format!("#/$defs/{def}")}}))
            };
            Reference {
                sheet: build(&schema),
                record: one("record"),
                records: many("record"),
                incident: one("incident"),
                incidents: many("incident"),
            }
        })
    }

    fn checker() -> &'static Checker {
        static C: OnceLock<Checker> = OnceLock::new();
        C.get_or_init(|| Checker::compile(&schema()).unwrap())
    }

    #[derive(Debug, Clone, Copy)]
    enum As {
        Sheet,
        Records,
        Incidents,
    }

    fn theirs(root: &Node, kind: As, keep_empty: bool) -> Vec<Seen> {
        let r = reference();
        let seq = root.as_seq().is_some();
        let v = match (kind, seq) {
            (As::Sheet, _) => &r.sheet,
            (As::Records, true) => &r.records,
            (As::Records, false) => &r.record,
            (As::Incidents, true) => &r.incidents,
            (As::Incidents, false) => &r.incident,
        };
        let instance = if keep_empty {
            to_json_keeping_empty(root)
        } else {
            root.to_json()
        };
        v.iter_errors(&instance)
            .map(|e| {
                (
                    e.instance_path().as_str().to_owned(),
                    e.schema_path().as_str().to_owned(),
                    e.kind().keyword().to_owned(),
                    e.to_string(),
                )
            })
            .collect()
    }

    fn ours(root: &Node, kind: As, keep_empty: bool) -> Vec<Seen> {
        let c = checker();
        let seq = root.as_seq().is_some();
        let def = |name| c.def(name).unwrap();
        let errors = match (kind, seq) {
            (As::Sheet, _) => c.errors(c.root(), root, keep_empty),
            (As::Records, true) => c.errors_each(def("record"), root, keep_empty),
            (As::Records, false) => c.errors(def("record"), root, keep_empty),
            (As::Incidents, true) => c.errors_each(def("incident"), root, keep_empty),
            (As::Incidents, false) => c.errors(def("incident"), root, keep_empty),
        };
        errors
            .iter()
            .map(|e| {
                (
                    e.instance_path().to_owned(),
                    e.schema_path().to_owned(),
                    e.kind().keyword().to_owned(),
                    e.to_string(),
                )
            })
            .collect()
    }

    /// Both validators over `root` as each kind of file, both passes; the number of errors.
    fn same(root: &Node, what: &str) -> usize {
        let mut n = 0;
        for kind in [As::Sheet, As::Records, As::Incidents] {
            for keep_empty in [false, true] {
                let (t, o) = (theirs(root, kind, keep_empty), ours(root, kind, keep_empty));
                assert_eq!(
                    t, o,
                    "{what} as {kind:?} (keep_empty {keep_empty}): jsonschema (left) and the compiled checker (right) disagree"
                );
                n += t.len();
            }
        }
        n
    }

    fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let files = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| !e.file_type().is_dir())
            .map(walkdir::DirEntry::into_path);
        out.extend(files.filter(|p| {
            p.extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        }));
    }

    fn repository_trees() -> Vec<(String, Node)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["examples", "tests", "policies", "src", "packaging", "docs"] {
            yaml_files(&root.join(dir), &mut files);
        }
        files.sort();
        files
            .into_iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(&p).ok()?;
                let tree = parse(&text).ok()?;
                Some((p.display().to_string(), tree))
            })
            .collect()
    }

    /// Every string and key of a tree.
    fn strings(node: &Node, out: &mut Vec<String>) {
        match &node.value {
            Value::Str(s) => out.push(s.to_string()),
            Value::Seq(items) => items.iter().for_each(|n| strings(n, out)),
            Value::Map(entries) => {
                for (k, v) in entries {
                    out.push(k.key_text().clone());
                    strings(v, out);
                }
            }
            _ => {}
        }
    }

    /// Each prebuilt pattern's DFA against its regex, on the given strings: every search of
    /// the DFA succeeds and gives the regex's answer.
    fn assert_patterns_match_as_regexes(texts: &[String]) -> usize {
        use regex_automata::dfa::Automaton as _;
        let checker = Checker::prebuilt();
        let mut compared = 0;
        for p in checker.subs.iter().filter_map(|s| s.pattern.as_ref()) {
            let expected = cfg!(target_endian = "little") && dfa_bytes(&p.text).is_some();
            assert_eq!(p.dfa().is_some(), expected, "`{}`: a DFA", p.text);
            let re = regex::Regex::new(&p.text).expect("the pattern compiles");
            for t in texts {
                if let Some(dfa) = p.dfa() {
                    let found = dfa.try_search_fwd(&regex_automata::Input::new(t));
                    assert!(found.is_ok(), "`{}` on {t:?}: {found:?}", p.text);
                }
                assert_eq!(p.is_match(t), re.is_match(t), "`{}` on {t:?}", p.text);
                compared += 1;
            }
        }
        compared
    }

    #[test]
    fn the_prebuilt_patterns_match_what_their_regexes_match() {
        if cfg!(govsheet_stale_prebuilt) {
            return;
        }
        let mut texts: Vec<String> = [
            "",
            "a",
            "a-",
            "-a",
            "A",
            "a_b",
            "_a",
            "1",
            "12d",
            "3w",
            "3x",
            "d",
            "2026-11-25",
            "2026-1-25",
            "/",
            "/a/b",
            "a/b",
            "/\n",
            "/é日",
            "\n",
            "a\n",
            "é",
            "a-é",
            "2026-11-25\n",
            "purchase-dedupe\n",
        ]
        .map(str::to_owned)
        .to_vec();
        for (_, tree) in repository_trees() {
            strings(&tree, &mut texts);
        }
        texts.sort();
        texts.dedup();
        let compared = assert_patterns_match_as_regexes(&texts);
        assert!(compared > 10_000, "only {compared} comparisons");
    }

    #[test]
    fn every_sheet_in_the_repository_gets_the_errors_jsonschema_reports() {
        let trees = repository_trees();
        assert!(trees.len() > 300, "only {} YAML files found", trees.len());
        let errors: usize = trees.iter().map(|(name, tree)| same(tree, name)).sum();
        // Not a vacuous comparison: the fixtures and the yaml-test-suite make errors of
        // every kind.
        assert!(errors > 1_000, "only {errors} errors compared");
    }

    #[test]
    fn the_prebuilt_checker_is_the_compiled_schema() {
        let compiled = Checker::compile(&schema()).expect("the schema compiles");
        let want = compiled.to_rust(env!("GOVSHEET_PREBUILT_INPUTS_FNV1A64"));
        crate::bless::check_or_bless(
            "src/sheet/schema/prebuilt.rs",
            &want,
            "compiling schema/governance.schema.json",
        );
        // What the file builds is what it says (and what compiling the schema gives).
        if cfg!(not(govsheet_stale_prebuilt)) {
            assert_eq!(
                Checker::prebuilt().to_rust(env!("GOVSHEET_PREBUILT_INPUTS_FNV1A64")),
                want
            );
        }
    }

    #[test]
    fn the_schema_uses_only_keywords_the_checker_implements() {
        let c = Checker::compile(&schema()).expect("every keyword of the schema is implemented");
        for p in c.subs.iter().filter_map(|s| s.pattern.as_ref()) {
            regex::Regex::new(&p.text).expect("every pattern of the schema compiles");
        }
        let mut bad = schema();
        bad["$defs"]["id"]["maxLength"] = serde_json::json!(40);
        let err = Checker::compile(&bad).err().unwrap_or_default();
        assert!(err.contains("`maxLength` is not implemented"), "{err}");
    }

    #[test]
    fn the_embedded_schema_is_a_valid_draft_2020_12_schema() {
        // Checked once here instead of at every start-up.
        if let Err(e) = jsonschema::meta::validate(&schema()) {
            panic!("the embedded schema is not a valid JSON Schema: {e}");
        }
    }

    /// Values a mutation puts in place of a node.
    fn replacement(pick: u8) -> &'static str {
        const VALUES: &[&str] = &[
            "~",
            "true",
            "no",
            "1",
            "1.0",
            "1.5",
            "-1",
            "2",
            ".nan",
            "-.inf",
            "''",
            "Bad Name",
            "ok-id",
            "2026-11-20",
            "30d",
            "[a, B c, 1]",
            "[]",
            "{}",
            "{name: x, nmae: y}",
            "{Bad Key: 1, ok: ~}",
            "[[a]]",
            "{? [a] : 1, ? {b: 2} : 3}",
            "{a~b/c: 1}",
            "{1: x, true: y}",
            "pass",
            "weekly",
            "/events",
        ];
        VALUES[pick as usize % VALUES.len()]
    }

    /// Every node of a tree, as (pointer-free) references in document order.
    fn nodes(n: &Node, out: &mut Vec<Span>) {
        out.push(n.span);
        match &n.value {
            Value::Seq(s) => s.iter().for_each(|c| nodes(c, out)),
            Value::Map(m) => m.iter().for_each(|(k, v)| {
                out.push(k.span);
                nodes(v, out);
            }),
            _ => {}
        }
    }

    use crate::source::Span;

    /// Replace the node at `target` (by span) in a copy of `n` with `with`.
    fn replace(n: &Node, target: Span, with: &Node) -> Node {
        if n.span == target {
            return with.clone();
        }
        let value = match &n.value {
            Value::Seq(s) => Value::Seq(s.iter().map(|c| replace(c, target, with)).collect()),
            Value::Map(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (replace(k, target, with), replace(v, target, with)))
                    .collect(),
            ),
            other => other.clone(),
        };
        Node {
            value,
            span: n.span,
        }
    }

    fn scalar_keys_unique(n: &Node) -> bool {
        match &n.value {
            Value::Seq(s) => s.iter().all(scalar_keys_unique),
            Value::Map(m) => {
                let texts: Vec<String> = m
                    .iter()
                    .filter(|(k, _)| !matches!(k.value, Value::Seq(_) | Value::Map(_)))
                    .map(|(k, _)| k.key_text())
                    .collect();
                let unique: std::collections::HashSet<&String> = texts.iter().collect();
                unique.len() == texts.len()
                    && m.iter()
                        .all(|(k, v)| scalar_keys_unique(k) && scalar_keys_unique(v))
            }
            _ => true,
        }
    }

    fn examples() -> &'static Vec<Node> {
        static E: OnceLock<Vec<Node>> = OnceLock::new();
        E.get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
            let mut files = Vec::new();
            yaml_files(&root, &mut files);
            files.sort();
            files
                .iter()
                .filter_map(|p| parse(&std::fs::read_to_string(p).ok()?).ok())
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Strings near the patterns' alphabets: each DFA agrees with its regex.
        #[test]
        fn prebuilt_patterns_agree_with_their_regexes(
            texts in proptest::collection::vec("[a-zA-Z0-9_/ .:dw\\-\né日]{0,12}", 1..32),
        ) {
            if cfg!(not(govsheet_stale_prebuilt)) {
                assert_patterns_match_as_regexes(&texts);
            }
        }

        /// The examples with a few of their nodes (keys or values) replaced by values of
        /// every type and shape: both validators agree.
        #[test]
        fn mutated_examples_get_the_errors_jsonschema_reports(
            which in 0usize..64,
            edits in proptest::collection::vec((any::<u32>(), any::<u8>()), 1..6),
        ) {
            let all = examples();
            let mut tree = all[which % all.len()].clone();
            for (at, pick) in edits {
                let mut spans = Vec::new();
                nodes(&tree, &mut spans);
                let target = spans[at as usize % spans.len()];
                let Ok(with) = parse(replacement(pick)) else { continue };
                let with = Node { value: with.value, span: Span { start: usize::MAX - at as usize, len: 0 } };
                tree = replace(&tree, target, &with);
            }
            // Only trees the parser can make: it refuses two scalar keys of one text.
            prop_assume!(scalar_keys_unique(&tree));
            same(&tree, "a mutated example");
        }
    }
}
