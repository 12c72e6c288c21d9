"""Order confirmation: the one place an order becomes paid.

Called by the Stripe webhook handler when payment_intent.succeeded arrives. Marks the order paid
and queues the server Purchase in the CAPI outbox (sent by backend/capi/outbox.py).
"""
from backend.capi.outbox import enqueue
from backend.capi.payloads import purchase_payload
from backend.tracking.event_ids import purchase_event_id

from .models import Order


def confirm_order(order: Order, paid_at) -> dict:
    if order.paid_at is not None:
        return {"order_id": order.id, "event_id": purchase_event_id(order.id), "duplicate": True}
    order.paid_at = paid_at
    enqueue(purchase_payload(order, event_id=purchase_event_id(order.id)))
    return {
        "order_id": order.id,
        "event_id": purchase_event_id(order.id),
        "value": float(order.total),
        "currency": order.currency,
        "content_ids": [line.catalog_id for line in order.lines],
    }
