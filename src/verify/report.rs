//! The result of a verify run as plain data: the per-event table, the order figures, what to pause, the findings.

use serde::Serialize;

use crate::finding::Finding;

/// One row of the per-event table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EventRow {
    pub event: String,
    /// The sheet declares the event.
    pub declared: bool,
    pub server: u64,
    pub browser: u64,
    /// `event_ids` seen on both paths.
    pub pairs: u64,
    /// Pairs within Meta's 48-hour window: what Meta deduplicates.
    pub deduplicated: u64,
    /// Deduplicated pairs / the larger side (distinct `event_ids` plus events without one);
    /// `None` when the event is not sent on both paths or no browser capture was given.
    pub dedupe_rate: Option<f64>,
    pub min_dedupe_rate: f64,
    /// Events on one path only (including those without an `event_id`).
    pub unpaired_browser: u64,
    pub unpaired_server: u64,
    pub outside_window: u64,
    pub ids_reused: u64,
    pub parity_mismatches: u64,
    /// Error findings attributed to this event.
    pub errors: u64,
}

/// Purchases reconciled against the orders file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OrderFigures {
    pub event: String,
    pub orders: u64,
    pub paid_orders: u64,
    /// Orders with at least one server Purchase.
    pub orders_matched: u64,
    pub orders_without_purchase: u64,
    /// Rows that could not be read and orders whose total or currency could not be read or is
    /// blank: none of them is reconciled, and a non-zero count is never a clean run.
    pub unreconciled: u64,
    pub purchases_matched: u64,
    pub purchases_without_order: u64,
    /// Orders sent as several Purchases with different `event_ids`.
    pub duplicate_orders: u64,
    /// Purchases whose value differs from the order total by more than `max_value_drift`.
    pub value_drift: u64,
    pub max_drift: f64,
    pub max_value_drift: f64,
    pub currency_mismatches: u64,
    /// Purchases whose `event_time` is more than an hour from the order's paid time.
    pub time_offsets: u64,
}

/// The conclusions to pause for an event with errors, from its `rollback.pause`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paused {
    pub event: String,
    pub conclusions: Vec<String>,
}

/// Everything a verify run found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub sheet: Option<String>,
    /// The input files, as named on the command line.
    pub files: Vec<String>,
    pub events: Vec<EventRow>,
    pub orders: Option<OrderFigures>,
    pub paused: Vec<Paused>,
    /// The router routes the findings indicate, with what to pause first.
    pub routes: Vec<super::routes::RoutePause>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}
