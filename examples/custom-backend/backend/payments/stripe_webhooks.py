"""Stripe webhooks: payment_intent.succeeded confirms an order; invoice.paid (first invoice of a
subscription) starts a subscription. Signature checked; Stripe retries are idempotent."""
from datetime import datetime, timezone

import stripe

from backend.orders.confirm import confirm_order
from backend.orders.store import order_by_payment_intent
from backend.subscriptions.webhooks import on_first_invoice_paid


def handle(payload: bytes, signature: str, secret: str):
    event = stripe.Webhook.construct_event(payload, signature, secret)
    obj = event["data"]["object"]
    if event["type"] == "payment_intent.succeeded":
        order = order_by_payment_intent(obj["id"])
        paid_at = datetime.fromtimestamp(obj["created"], tz=timezone.utc)
        return confirm_order(order, paid_at)
    if event["type"] == "invoice.paid" and obj.get("billing_reason") == "subscription_create":
        return on_first_invoice_paid(obj)
    return None
