"""A subscription starts when its first invoice is paid: queue one server Subscribe.
Renewals send nothing (they are not new subscribers)."""
from backend.capi.outbox import enqueue
from backend.capi.payloads import subscribe_payload
from backend.tracking.event_ids import subscribe_event_id

from .store import subscription_from_invoice


def on_first_invoice_paid(invoice: dict):
    sub = subscription_from_invoice(invoice)
    if sub.subscribe_sent:
        return None
    enqueue(subscribe_payload(sub, event_id=subscribe_event_id(sub.id)))
    sub.mark_subscribe_sent()
    return {"subscription_id": sub.id}
