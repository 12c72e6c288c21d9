//! Order reconciliation: each server Purchase matched to the order book, and each paid order to
//! its Purchases.

use super::dedupe::hash_of;
use super::event::{Captured, Issue};
use super::{
    FileId, MAX_PAID_TIME_OFFSET_SECONDS, OrderBook, OrderFigures, RowIssue, Severity, Verifier,
    orders, rules, short,
};

#[derive(Debug, Clone, Default)]
pub(super) struct OrderHits {
    purchases: u32,
    ids: Vec<u64>,
}

pub(super) struct OrdersState {
    file: String,
    book: OrderBook,
    hits: Vec<OrderHits>,
    figures: OrderFigures,
}

impl Verifier<'_> {
    /// The orders to reconcile Purchases against, with the problems found in their rows.
    pub fn set_orders(&mut self, file: FileId, book: OrderBook, issues: Vec<RowIssue>) {
        let name = self.file_name(file.0).to_owned();
        for r in issues {
            self.push_issue(file.0, r.line, None, r.issue);
        }
        let threshold = self.max_value_drift("Purchase");
        self.orders = Some(OrdersState {
            file: name,
            hits: vec![OrderHits::default(); book.len()],
            figures: OrderFigures {
                event: "Purchase".into(),
                orders: book.len() as u64,
                paid_orders: book.orders.iter().filter(|o| o.paid).count() as u64,
                unreconciled: book.unreadable_rows as u64,
                max_value_drift: threshold,
                ..OrderFigures::default()
            },
            book,
        });
    }

    pub(super) fn match_order(&mut self, f: u32, line: usize, c: &Captured) {
        let id = c.event_id.as_deref().map_or_else(
            || "without event_id".to_owned(),
            |i| format!("`{}`", short(i)),
        );
        let Some(state) = self.orders.as_mut() else {
            return;
        };
        let mut issues = Vec::new();
        let found = c.order_id.as_deref().and_then(|o| state.book.find(o));
        match (found, c.order_id.as_deref()) {
            (None, order) => {
                state.figures.purchases_without_order += 1;
                let msg = match order {
                    Some(o) => format!(
                        "Purchase {id}: order `{}` is not in {}",
                        short(o),
                        state.file
                    ),
                    None => format!("Purchase {id} has no custom_data.order_id to match an order"),
                };
                issues.push(Issue::new(rules::ORDER_RECONCILIATION, msg).help("a Purchase that matches no paid order is counted by Meta but not by the business: check for test orders, double fires or a wrong order_id"));
            }
            (Some(i), _) => {
                state.figures.purchases_matched += 1;
                let order = &state.book.orders[i];
                let hits = &mut state.hits[i];
                hits.purchases += 1;
                let h = match c.event_id.as_deref() {
                    Some(e) => hash_of(e),
                    None => {
                        self.no_id_counter += 1;
                        hash_of(&("\0no-id", self.no_id_counter))
                    }
                };
                if !hits.ids.contains(&h) {
                    hits.ids.push(h);
                }
                let currency_ok = match (&order.currency, &c.currency) {
                    (Some(a), Some(b)) if a != b => {
                        state.figures.currency_mismatches += 1;
                        issues.push(
                            Issue::new(
                                rules::ORDER_RECONCILIATION,
                                format!(
                                    "Purchase {id}: currency {b} differs from order {}'s {a}",
                                    order.id
                                ),
                            )
                            .help(
                                "currency comes from the order system; send the order's currency",
                            ),
                        );
                        false
                    }
                    _ => true,
                };
                if let (true, Some(total), Some(v)) = (currency_ok, order.value, c.value) {
                    let drift = (v - total).abs();
                    if drift > state.figures.max_drift {
                        state.figures.max_drift = drift;
                    }
                    if drift > state.figures.max_value_drift + 1e-9 {
                        state.figures.value_drift += 1;
                        issues.push(Issue::new(rules::ORDER_RECONCILIATION, format!("Purchase {id}: value {v} differs from order {}'s total {total} by {drift:.2}, more than {}", order.id, state.figures.max_value_drift)).help("value comes from the order system: check discounts, tax, shipping and the payment app"));
                    }
                }
                if let (Some(paid), Some(t)) = (order.time, c.time)
                    && t.abs_diff(paid) > MAX_PAID_TIME_OFFSET_SECONDS.unsigned_abs()
                {
                    state.figures.time_offsets += 1;
                    issues.push(Issue::new(rules::ORDER_RECONCILIATION, format!("Purchase {id}: event_time is {} minutes from order {}'s paid time", t.abs_diff(paid) / 60, order.id)).severity(Severity::Warning).help("event_time is the time of the payment, not the time the event was processed or retried"));
                }
            }
        }
        let errors = issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count() as u64;
        if let Some(&i) = self.names.get("Purchase") {
            self.stats[i as usize].errors += errors;
        }
        for issue in issues {
            self.push_issue(f, line, None, issue);
        }
    }

    pub(super) fn finish_orders(&mut self) -> Option<OrderFigures> {
        let mut state = self.orders.take()?;
        let file = self
            .files
            .iter()
            .position(|f| *f == state.file)
            .unwrap_or(0) as u32;
        let mut issues = Vec::new();
        for (order, hits) in state.book.orders.iter().zip(&state.hits) {
            if order.unreadable {
                // Its row is already an `orders-row` error; it is matched with nothing.
                state.figures.unreconciled += 1;
            } else if hits.purchases > 0 {
                state.figures.orders_matched += 1;
            } else if order.paid {
                state.figures.orders_without_purchase += 1;
                issues.push((order.line, Issue::new(rules::ORDER_RECONCILIATION, format!("order {} has no Purchase", order_label(order))).help("the server path missed a paid order: check the order's outbox or webhook delivery")));
            }
            if hits.ids.len() > 1 {
                state.figures.duplicate_orders += 1;
                issues.push((order.line, Issue::new(rules::ORDER_RECONCILIATION, format!("order {} was sent as {} Purchases with different event_ids", order_label(order), hits.ids.len())).help("one order is one Purchase: a retry or a second sender must reuse the order's event_id")));
            }
        }
        let errors = issues.len() as u64;
        if let Some(&i) = self.names.get("Purchase") {
            self.stats[i as usize].errors += errors;
        } else if errors > 0 {
            let i = self.intern("Purchase");
            self.stats[i as usize].errors += errors;
        }
        for (line, issue) in issues {
            self.push_issue(file, line, None, issue);
        }
        Some(state.figures)
    }
}

pub(super) fn order_label(o: &orders::Order) -> String {
    match &o.name {
        Some(n) if *n != o.id => format!("#{n} (id {})", o.id),
        _ => o.id.clone(),
    }
}
