//! The rules of `govsheet verify`: id, default severity and one-line summary, in one table.

use crate::finding::Severity;

/// One verify rule as `govsheet rules` would list it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

const fn rule(id: &'static str, severity: Severity, summary: &'static str) -> RuleInfo {
    RuleInfo {
        id,
        severity,
        summary,
    }
}

pub const PAYLOAD_SHAPE: &str = "payload-shape";
pub const EVENT_TIME: &str = "payload-event-time";
pub const ACTION_SOURCE: &str = "payload-action-source";
pub const USER_DATA: &str = "payload-user-data";
pub const CURRENCY_VALUE: &str = "payload-currency-value";
pub const TEST_CODE: &str = "payload-test-code";
pub const UNPLANNED_EVENT: &str = "payload-unplanned-event";
pub const WRONG_PATH: &str = "payload-wrong-path";
pub const MISSING_PARAMETER: &str = "payload-missing-parameter";
pub const EVENT_ID: &str = "payload-event-id";
pub const DEDUPE_RATE: &str = "dedupe-rate";
pub const DEDUPE_ID_REUSED: &str = "dedupe-id-reused";
pub const DEDUPE_WINDOW: &str = "dedupe-window";
pub const PARAMETER_PARITY: &str = "parameter-parity";
pub const ORDER_RECONCILIATION: &str = "order-reconciliation";
pub const ORDERS_ROW: &str = "orders-row";

/// Every verify rule. The registry of `policies/` had not landed when this was written, so the
/// verify rules live here; `govsheet rules` can list them from this table.
pub const RULES: &[RuleInfo] = &[
    rule(
        PAYLOAD_SHAPE,
        Severity::Error,
        "a capture line or request body that is not JSON, not UTF-8, too long, with `data` not a list, over 1,000 events, or an event that is not an object or has no event_name",
    ),
    rule(
        EVENT_TIME,
        Severity::Error,
        "a server event whose event_time is missing, not whole seconds, in the future or more than 7 days old",
    ),
    rule(
        ACTION_SOURCE,
        Severity::Error,
        "a server event whose action_source is missing or unknown, or a website event without event_source_url or client_user_agent",
    ),
    rule(
        USER_DATA,
        Severity::Error,
        "a server event without usable user_data, with identifiers not SHA-256 hashed, with IP/user agent/fbc/fbp hashed, or a malformed fbc/fbp",
    ),
    rule(
        CURRENCY_VALUE,
        Severity::Error,
        "a server event whose value is not a number >= 0 or whose currency is not an ISO 4217 code; a Purchase without both",
    ),
    rule(
        TEST_CODE,
        Severity::Warning,
        "a test_event_code in a capture not marked as a test (--test-capture)",
    ),
    rule(
        UNPLANNED_EVENT,
        Severity::Error,
        "an event_name the sheet does not declare",
    ),
    rule(
        WRONG_PATH,
        Severity::Error,
        "an event sent on a path (browser or server) the sheet does not declare for it",
    ),
    rule(
        MISSING_PARAMETER,
        Severity::Error,
        "a parameter the sheet marks required: true absent from the event",
    ),
    rule(
        EVENT_ID,
        Severity::Error,
        "an event_id absent where the sheet declares event_id logic, or not matching event_id.format",
    ),
    rule(
        DEDUPE_RATE,
        Severity::Error,
        "an event sent on both paths whose browser/server dedupe rate is below the threshold",
    ),
    rule(
        DEDUPE_ID_REUSED,
        Severity::Error,
        "one event_id used by several business actions on one path",
    ),
    rule(
        DEDUPE_WINDOW,
        Severity::Error,
        "a browser/server pair whose event_time differ by more than Meta's 48-hour dedupe window",
    ),
    rule(
        PARAMETER_PARITY,
        Severity::Error,
        "a browser/server pair whose value, currency or content_ids differ",
    ),
    rule(
        ORDER_RECONCILIATION,
        Severity::Error,
        "an order without a Purchase, a Purchase without an order, an order sent as several Purchases, value drift or a currency mismatch",
    ),
    rule(
        ORDERS_ROW,
        Severity::Warning,
        "a row of the orders CSV that cannot be read (a total that is not a number, an unreadable time)",
    ),
];

/// The default severity of a verify rule.
pub fn severity(id: &str) -> Severity {
    RULES
        .iter()
        .find(|r| r.id == id)
        .map_or(Severity::Error, |r| r.severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        for id in ids {
            assert!(
                id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{id}"
            );
        }
    }

    #[test]
    fn severities_come_from_the_table() {
        assert_eq!(severity(TEST_CODE), Severity::Warning);
        assert_eq!(severity(DEDUPE_RATE), Severity::Error);
    }
}
