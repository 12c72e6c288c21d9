//! The rule ids of `govsheet verify`; their metadata is the `policies/verify.yaml` pack of the
//! registry, which checks that a sheet's `policy.rules` names them. `verify::rules` re-exports
//! them.

use crate::finding::{RuleId, Severity};

pub const PAYLOAD_SHAPE: &str = RuleId::PayloadShape.as_str();
pub const EVENT_TIME: &str = RuleId::PayloadEventTime.as_str();
pub const ACTION_SOURCE: &str = RuleId::PayloadActionSource.as_str();
pub const USER_DATA: &str = RuleId::PayloadUserData.as_str();
pub const CURRENCY_VALUE: &str = RuleId::PayloadCurrencyValue.as_str();
pub const TEST_CODE: &str = RuleId::PayloadTestCode.as_str();
pub const UNPLANNED_EVENT: &str = RuleId::PayloadUnplannedEvent.as_str();
pub const WRONG_PATH: &str = RuleId::PayloadWrongPath.as_str();
pub const MISSING_PARAMETER: &str = RuleId::PayloadMissingParameter.as_str();
pub const EVENT_ID: &str = RuleId::PayloadEventId.as_str();
pub const DEDUPE_RATE: &str = RuleId::DedupeRate.as_str();
pub const DEDUPE_ID_REUSED: &str = RuleId::DedupeIdReused.as_str();
pub const DEDUPE_WINDOW: &str = RuleId::DedupeWindow.as_str();
pub const PARAMETER_PARITY: &str = RuleId::ParameterParity.as_str();
pub const ORDER_RECONCILIATION: &str = RuleId::OrderReconciliation.as_str();
pub const ORDERS_ROW: &str = RuleId::OrdersRow.as_str();

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

/// The default severity of a verify rule, from the registry (an id it does not declare is an
/// error: fail closed).
pub fn severity(id: &str) -> Severity {
    RuleId::parse(id).map_or(Severity::Error, RuleId::severity)
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
