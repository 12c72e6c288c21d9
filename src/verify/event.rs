//! One captured event: what reconciliation needs from it, Meta's payload rules and the sheet's rules.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::rules;
use crate::finding::Severity;
use crate::sheet::Sheet;

/// Which path sent an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Browser,
    Server,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Browser => "browser",
            Side::Server => "server",
        }
    }
}

/// A problem with one event, before it is placed in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
}

impl Issue {
    pub fn new(rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity: rules::severity(rule),
            message: message.into(),
            help: None,
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The fields of an event that reconciliation reads, normalised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Captured {
    pub name: Option<String>,
    pub event_id: Option<String>,
    /// `event_time` when it is a whole number of seconds.
    pub time: Option<i64>,
    /// `custom_data.value` when it is a number.
    pub value: Option<f64>,
    /// `custom_data.currency`, upper-cased, when it is a string.
    pub currency: Option<String>,
    /// `custom_data.content_ids` as sorted strings.
    pub content_ids: Option<Vec<String>>,
    /// `custom_data.order_id` as a string (a number is accepted).
    pub order_id: Option<String>,
}

/// A string, or a number written as its JSON text: ids arrive both ways.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whole seconds from a JSON number (`1.0e9` counts; `1.5e9 + 0.5` does not).
fn whole_seconds(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 1e15).then_some(f as i64)
}

/// Read what reconciliation needs. Both the Conversions API and the Pixel spellings
/// (`event`, `eventID`) are accepted on either path.
pub fn capture(obj: &Map<String, Value>) -> Captured {
    let name = obj
        .get("event_name")
        .or_else(|| obj.get("event"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let event_id = obj
        .get("event_id")
        .or_else(|| obj.get("eventID"))
        .and_then(id_text);
    let time = obj.get("event_time").and_then(whole_seconds);
    let custom = obj.get("custom_data").and_then(Value::as_object);
    let field = |k: &str| custom.and_then(|c| c.get(k));
    let value = field("value").and_then(Value::as_f64);
    let currency = field("currency")
        .and_then(Value::as_str)
        .map(|c| c.trim().to_ascii_uppercase());
    let content_ids = field("content_ids").and_then(|v| match v {
        Value::Array(items) => {
            let mut ids: Vec<String> = items.iter().filter_map(id_text).collect();
            ids.sort_unstable();
            Some(ids)
        }
        other => id_text(other).map(|s| vec![s]),
    });
    let order_id = field("order_id").and_then(id_text);
    Captured {
        name,
        event_id,
        time,
        value,
        currency,
        content_ids,
        order_id,
    }
}

/// What the payload rules are checked against.
#[derive(Debug, Clone, Copy)]
pub struct PayloadContext {
    /// The capture date: events after its end are in the future, events more than 7 days
    /// before its start are too old.
    pub today: NaiveDate,
    /// The capture is a test capture: a `test_event_code` is expected.
    pub test_capture: bool,
}

const SECONDS_PER_DAY: i64 = 86_400;
/// Meta rejects events older than this many days.
pub const MAX_AGE_DAYS: i64 = 7;

pub const ACTION_SOURCES: [&str; 9] = [
    "email",
    "website",
    "app",
    "phone_call",
    "chat",
    "physical_store",
    "system_generated",
    "business_messaging",
    "other",
];

/// Fields Meta requires SHA-256 hashed (`external_id` is recommended hashed).
const HASHED: [&str; 10] = [
    "em", "ph", "fn", "ln", "ge", "db", "ct", "st", "zp", "country",
];
/// Fields Meta requires unhashed.
const UNHASHED: [&str; 4] = ["client_ip_address", "client_user_agent", "fbc", "fbp"];
/// Every `user_data` key that can match a person.
const MATCH_KEYS: [&str; 17] = [
    "em",
    "ph",
    "fn",
    "ln",
    "ge",
    "db",
    "ct",
    "st",
    "zp",
    "country",
    "external_id",
    "client_ip_address",
    "client_user_agent",
    "fbc",
    "fbp",
    "subscription_id",
    "fb_login_id",
];

/// Active ISO 4217 currency codes.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL \
BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD \
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR \
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR \
MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK \
SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS \
VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL";

/// Is `code` (any case) an active ISO 4217 currency code?
pub fn is_currency(code: &str) -> bool {
    code.len() == 3
        && code.bytes().all(|b| b.is_ascii_alphabetic())
        && ISO_4217
            .split_ascii_whitespace()
            .any(|c| c.eq_ignore_ascii_case(code))
}

/// A lowercase 64-hex SHA-256 digest.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Looks hashed whatever the case: 64 hex digits.
fn looks_hashed(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `fb.<subdomain index>.<creation time in ms>.<id>`.
pub fn is_fb_cookie(s: &str) -> bool {
    let mut parts = s.splitn(4, '.');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    parts.next() == Some("fb")
        && digits(parts.next())
        && digits(parts.next())
        && parts.next().is_some_and(|p| !p.is_empty())
}

/// How a message names a JSON value's type.
pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn short(s: &str) -> String {
    crate::finding::shorten(s, 40)
}

/// How a message names an event (``Purchase `purchase-1001` ``); formatted only when a message is.
pub struct Who<'a>(pub &'a Captured);

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self.0;
        match (&c.name, &c.event_id) {
            (Some(n), Some(id)) => write!(f, "{n} `{}`", short(id)),
            (Some(n), None) => f.write_str(n),
            (None, Some(id)) => write!(f, "event `{}`", short(id)),
            (None, None) => f.write_str("event"),
        }
    }
}

/// Meta's documented Conversions API rules on one server event.
pub fn check_server(obj: &Map<String, Value>, c: &Captured, ctx: &PayloadContext) -> Vec<Issue> {
    let mut out = Vec::new();
    let who = Who(c);
    event_time(obj, &who, ctx, &mut out);
    action_source(obj, &who, &mut out);
    user_data(obj, &who, &mut out);
    currency_value(obj, c, &who, &mut out);
    if obj.contains_key("test_event_code") && !ctx.test_capture {
        out.push(test_code_issue(&format!("{who} carries a test_event_code")));
    }
    out
}

/// The `payload-test-code` warning, for an event or a whole request body.
pub fn test_code_issue(what: &str) -> Issue {
    Issue::new(
        rules::TEST_CODE,
        format!("{what} in a capture not marked as a test"),
    )
    .help("production requests must not carry test_event_code (events go to Test Events only); pass --test-capture for a test capture")
}

fn event_time(obj: &Map<String, Value>, who: &Who<'_>, ctx: &PayloadContext, out: &mut Vec<Issue>) {
    let help = "event_time is the Unix time in whole seconds of the business action; Meta rejects the whole request when one event's time is invalid";
    let Some(v) = obj.get("event_time") else {
        out.push(Issue::new(rules::EVENT_TIME, format!("{who} has no event_time")).help(help));
        return;
    };
    let Some(t) = whole_seconds(v) else {
        let what = match v {
            Value::Number(n) => format!("`{n}` is not whole seconds"),
            other => format!("is {}, not a number", type_name(other)),
        };
        out.push(Issue::new(rules::EVENT_TIME, format!("{who}: event_time {what}")).help(help));
        return;
    };
    let start = ctx
        .today
        .and_hms_opt(0, 0, 0)
        .map_or(0, |d| d.and_utc().timestamp());
    let end = start + SECONDS_PER_DAY;
    if t >= end {
        let hint = if t > 100_000_000_000 {
            " (it looks like milliseconds)"
        } else {
            ""
        };
        out.push(
            Issue::new(
                rules::EVENT_TIME,
                format!(
                    "{who}: event_time {t} is in the future of the capture date {}{hint}",
                    ctx.today
                ),
            )
            .help(help),
        );
    } else if t < start - MAX_AGE_DAYS * SECONDS_PER_DAY {
        let days = start.abs_diff(t) / SECONDS_PER_DAY as u64;
        out.push(
            Issue::new(
                rules::EVENT_TIME,
                format!("{who}: event_time {t} is {days} days before the capture date {}, more than {MAX_AGE_DAYS}", ctx.today),
            )
            .help(help),
        );
    }
}

fn action_source(obj: &Map<String, Value>, who: &Who<'_>, out: &mut Vec<Issue>) {
    let help = format!("action_source is one of {}", ACTION_SOURCES.join(", "));
    match obj.get("action_source") {
        None => out.push(
            Issue::new(rules::ACTION_SOURCE, format!("{who} has no action_source")).help(help),
        ),
        Some(Value::String(s)) if ACTION_SOURCES.contains(&s.as_str()) => {
            if s == "website" {
                let url = obj
                    .get("event_source_url")
                    .and_then(Value::as_str)
                    .is_some_and(|u| !u.is_empty());
                if !url {
                    out.push(
                        Issue::new(rules::ACTION_SOURCE, format!("{who} is a website event without event_source_url"))
                            .help("website events must carry the URL of the page where the action happened"),
                    );
                }
                let ua = obj
                    .get("user_data")
                    .and_then(Value::as_object)
                    .and_then(|u| u.get("client_user_agent"))
                    .and_then(Value::as_str)
                    .is_some_and(|u| !u.is_empty());
                if !ua {
                    out.push(
                        Issue::new(
                            rules::ACTION_SOURCE,
                            format!("{who} is a website event without user_data.client_user_agent"),
                        )
                        .help("website events must carry the browser's user agent, unhashed"),
                    );
                }
            }
        }
        Some(Value::String(s)) => out.push(
            Issue::new(
                rules::ACTION_SOURCE,
                format!(
                    "{who}: action_source `{}` is not one Meta accepts",
                    short(s)
                ),
            )
            .help(help),
        ),
        Some(other) => out.push(
            Issue::new(
                rules::ACTION_SOURCE,
                format!("{who}: action_source is {}, not a string", type_name(other)),
            )
            .help(help),
        ),
    }
}

fn strings(v: &Value) -> Vec<Option<&str>> {
    match v {
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        other => vec![other.as_str()],
    }
}

fn user_data(obj: &Map<String, Value>, who: &Who<'_>, out: &mut Vec<Issue>) {
    let ud = match obj.get("user_data") {
        None => {
            out.push(
                Issue::new(rules::USER_DATA, format!("{who} has no user_data"))
                    .help("send at least one customer information parameter Meta can match (client_ip_address with client_user_agent, em, ph, external_id, fbp, fbc)"),
            );
            return;
        }
        Some(Value::Object(m)) => m,
        Some(other) => {
            out.push(Issue::new(
                rules::USER_DATA,
                format!("{who}: user_data is {}, not an object", type_name(other)),
            ));
            return;
        }
    };
    let usable = MATCH_KEYS.iter().any(|k| match ud.get(*k) {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Number(_)) => true,
        _ => false,
    });
    if !usable {
        out.push(
            Issue::new(rules::USER_DATA, format!("{who} has no usable user_data (no customer information parameter)"))
                .help("send at least one of em, ph, external_id, client_ip_address with client_user_agent, fbp, fbc"),
        );
    }
    for key in HASHED.iter().chain(std::iter::once(&"external_id")) {
        let Some(v) = ud.get(*key) else { continue };
        let plain = strings(v)
            .into_iter()
            .any(|s| s.is_none_or(|s| !is_sha256(s)));
        if plain {
            let issue = Issue::new(
                rules::USER_DATA,
                format!("{who}: user_data.{key} is not a lowercase 64-hex SHA-256 hash"),
            )
            .help(format!(
                "normalise {key} (trim, lowercase) and send its SHA-256 hex digest"
            ));
            out.push(if *key == "external_id" {
                issue.severity(Severity::Warning)
            } else {
                issue
            });
        }
    }
    for key in UNHASHED {
        let Some(v) = ud.get(key) else { continue };
        for s in strings(v).into_iter().flatten() {
            if looks_hashed(s) {
                out.push(
                    Issue::new(
                        rules::USER_DATA,
                        format!("{who}: user_data.{key} looks hashed; Meta needs it unhashed"),
                    )
                    .help(format!(
                        "send {key} as received from the browser, without hashing"
                    )),
                );
            } else if (key == "fbc" || key == "fbp") && !is_fb_cookie(s) {
                out.push(
                    Issue::new(
                        rules::USER_DATA,
                        format!(
                            "{who}: user_data.{key} `{}` is not of the form fb.<n>.<ms>.<id>",
                            short(s)
                        ),
                    )
                    .help(format!("send the _{key} cookie value unchanged")),
                );
            }
        }
    }
}

fn currency_value(obj: &Map<String, Value>, c: &Captured, who: &Who<'_>, out: &mut Vec<Issue>) {
    let custom = obj.get("custom_data").and_then(Value::as_object);
    let value = custom.and_then(|m| m.get("value"));
    let currency = custom.and_then(|m| m.get("currency"));
    match value {
        Some(Value::Number(n)) if n.as_f64().is_some_and(|f| f < 0.0) => out.push(
            Issue::new(
                rules::CURRENCY_VALUE,
                format!("{who}: value {n} is negative"),
            )
            .help("value is the amount of the action, zero or more"),
        ),
        Some(Value::Number(_)) => {}
        Some(Value::String(s)) => out.push(
            Issue::new(
                rules::CURRENCY_VALUE,
                format!("{who}: value `{}` is a string, not a number", short(s)),
            )
            .help("send value as a JSON number without currency signs or thousands separators"),
        ),
        Some(other) => out.push(Issue::new(
            rules::CURRENCY_VALUE,
            format!("{who}: value is {}, not a number", type_name(other)),
        )),
        None => {}
    }
    match currency {
        Some(Value::String(s)) if is_currency(s.trim()) => {}
        Some(Value::String(s)) => out.push(
            Issue::new(
                rules::CURRENCY_VALUE,
                format!("{who}: currency `{}` is not an ISO 4217 code", short(s)),
            )
            .help("send the three-letter ISO 4217 code, e.g. EUR or USD, never a symbol"),
        ),
        Some(other) => out.push(Issue::new(
            rules::CURRENCY_VALUE,
            format!("{who}: currency is {}, not a string", type_name(other)),
        )),
        None => {}
    }
    if c.name.as_deref() == Some("Purchase") {
        let missing: Vec<&str> = [("value", value.is_none()), ("currency", currency.is_none())]
            .into_iter()
            .filter_map(|(k, m)| m.then_some(k))
            .collect();
        if !missing.is_empty() {
            out.push(
                Issue::new(
                    rules::CURRENCY_VALUE,
                    format!("{who} has no {} in custom_data", missing.join(" and ")),
                )
                .help("Meta requires value and currency on every Purchase"),
            );
        }
    }
}

/// Top-level keys of an event; a sheet parameter with one of these names is looked up there.
const TOP_LEVEL: [&str; 8] = [
    "event_time",
    "event_id",
    "event_source_url",
    "action_source",
    "user_data",
    "custom_data",
    "opt_out",
    "data_processing_options",
];

fn present(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    }
}

/// The sheet's rules on one event. Returns nothing when the event has no name (the
/// `payload-shape` finding covers it).
pub fn check_against_sheet(
    obj: &Map<String, Value>,
    c: &Captured,
    side: Side,
    sheet: &Sheet,
) -> Vec<Issue> {
    let mut out = Vec::new();
    let Some(name) = c.name.as_deref() else {
        return out;
    };
    let Some(event) = sheet.events.get(name) else {
        let mut issue = Issue::new(
            rules::UNPLANNED_EVENT,
            format!(
                "{} event `{}` is not declared in the sheet",
                side.as_str(),
                short(name)
            ),
        );
        issue = match crate::suggest::did_you_mean(name, sheet.events.ids()) {
            Some(s) => issue.help(format!("did you mean `{s}`? Otherwise declare the event (meaning, owner, paths) before sending it")),
            None => issue.help("declare the event in the sheet (meaning, owner, paths) before sending it"),
        };
        out.push(issue);
        return out;
    };
    let ev = &event.item;
    let declared = match side {
        Side::Browser => ev.browser.is_some(),
        Side::Server => ev.server.is_some(),
    };
    if !declared {
        out.push(
            Issue::new(
                rules::WRONG_PATH,
                format!(
                    "{name} was sent by the {} but the sheet declares no {} path for it",
                    side.as_str(),
                    side.as_str()
                ),
            )
            .help(format!(
                "add events.{name}.{} to the sheet, or stop the sender",
                side.as_str()
            )),
        );
    }
    let who = Who(c);
    let custom = obj.get("custom_data").and_then(Value::as_object);
    let user = obj.get("user_data").and_then(Value::as_object);
    for p in &ev.parameters {
        if !p.item.required.as_ref().is_some_and(|r| r.value) {
            continue;
        }
        let key = p.id.as_str();
        // The browser Pixel does not send user_data or server-only fields.
        if side == Side::Browser
            && matches!(key, "user_data" | "action_source" | "event_source_url")
        {
            continue;
        }
        let found = if TOP_LEVEL.contains(&key) {
            present(obj.get(key)) || (key == "event_id" && present(obj.get("eventID")))
        } else {
            present(custom.and_then(|m| m.get(key))) || present(user.and_then(|m| m.get(key)))
        };
        if !found {
            let place = if TOP_LEVEL.contains(&key) {
                key.to_owned()
            } else {
                format!("custom_data.{key}")
            };
            out.push(
                Issue::new(
                    rules::MISSING_PARAMETER,
                    format!(
                        "{} {who} has no {place}, which the sheet marks required",
                        side.as_str()
                    ),
                )
                .help(format!(
                    "the sheet's source of truth for {key} must fill it on every {name}"
                )),
            );
        }
    }
    if let Some(id_rule) = &ev.event_id {
        let declares = id_rule.logic.is_some() || id_rule.format.is_some();
        match (&c.event_id, declares) {
            (None, true) => out.push(
                Issue::new(rules::EVENT_ID, format!("{} {name} has no event_id, but the sheet declares event_id logic", side.as_str()))
                    .help("without event_id Meta cannot deduplicate the browser and server event of one action"),
            ),
            (Some(id), _) => {
                if let Some(format) = &id_rule.format
                    && let Err(why) = matches_format(id, &format.value, custom)
                {
                    out.push(
                        Issue::new(rules::EVENT_ID, format!("{} {name} event_id `{}` does not match the sheet's format `{}`: {why}", side.as_str(), short(id), format.value))
                            .help("both paths must build the id the sheet's event_id.format describes"),
                    );
                }
            }
            (None, false) => {}
        }
    }
    out
}

enum Piece<'a> {
    Literal(&'a str),
    Field(&'a str),
}

fn pieces(format: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = format;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(Piece::Literal(&rest[..open]));
        }
        out.push(Piece::Field(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

/// Does `id` follow `format` (`purchase-{order_id}`: `purchase-` plus `custom_data.order_id`)?
/// A placeholder whose field the event lacks matches any non-empty text.
pub fn matches_format(
    id: &str,
    format: &str,
    custom: Option<&Map<String, Value>>,
) -> Result<(), String> {
    const MAX_ID: usize = 512;
    if id.len() > MAX_ID {
        return Err(format!("it is {} bytes long", id.len()));
    }
    let parts = pieces(format);
    // Fill in the placeholders the event carries; the rest are wildcards.
    let mut expected: Vec<Result<String, &str>> = Vec::new();
    for p in &parts {
        match p {
            Piece::Literal(l) => expected.push(Ok((*l).to_owned())),
            Piece::Field(f) => match custom.and_then(|m| m.get(*f)).and_then(id_text) {
                Some(v) => expected.push(Ok(v)),
                None => expected.push(Err(f)),
            },
        }
    }
    if expected.iter().all(Result::is_ok) {
        let want: String = expected
            .iter()
            .filter_map(|e| e.as_ref().ok().map(String::as_str))
            .collect();
        return if want == id {
            Ok(())
        } else {
            Err(format!("expected `{}`", short(&want)))
        };
    }
    if wildcard_match(id, &expected) {
        Ok(())
    } else {
        Err("its fixed parts differ".to_owned())
    }
}

fn wildcard_match(id: &str, parts: &[Result<String, &str>]) -> bool {
    match parts.split_first() {
        None => id.is_empty(),
        Some((Ok(lit), rest)) => id
            .strip_prefix(lit.as_str())
            .is_some_and(|r| wildcard_match(r, rest)),
        Some((Err(_), rest)) => (1..=id.len())
            .filter(|&i| id.is_char_boundary(i))
            .any(|i| wildcard_match(&id[i..], rest)),
    }
}
