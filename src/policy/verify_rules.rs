//! The rule ids of `govsheet verify`; their metadata is the `policies/verify.yaml` pack of the
//! registry, which checks that a sheet's `policy.rules` names them. `verify::rules` re-exports
//! them.

use crate::finding::Severity;

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

/// Every verify rule id; their severity, summary and explanation are in `policies/verify.yaml`.
pub const IDS: [&str; 16] = [
    PAYLOAD_SHAPE,
    EVENT_TIME,
    ACTION_SOURCE,
    USER_DATA,
    CURRENCY_VALUE,
    TEST_CODE,
    UNPLANNED_EVENT,
    WRONG_PATH,
    MISSING_PARAMETER,
    EVENT_ID,
    DEDUPE_RATE,
    DEDUPE_ID_REUSED,
    DEDUPE_WINDOW,
    PARAMETER_PARITY,
    ORDER_RECONCILIATION,
    ORDERS_ROW,
];

/// The default severity of a verify rule, from the registry.
pub fn severity(id: &str) -> Severity {
    crate::policy::core()
        .rule(id)
        .map_or(Severity::Error, |r| r.severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_a_verify_rule_of_the_registry() {
        for id in IDS {
            let rule = crate::policy::core().rule(id);
            assert_eq!(rule.map(|r| r.command.as_str()), Some("verify"), "{id}");
        }
        let in_pack = crate::policy::registry()
            .into_iter()
            .filter(|r| r.command == "verify")
            .count();
        assert_eq!(in_pack, IDS.len());
    }

    #[test]
    fn severities_come_from_the_registry() {
        assert_eq!(severity(TEST_CODE), Severity::Warning);
        assert_eq!(severity(ORDERS_ROW), Severity::Error);
        assert_eq!(severity(DEDUPE_RATE), Severity::Error);
    }
}
