"""Builds server events from the systems of record. value, currency and event_time come from the
order, never from the browser; user_data only with marketing consent (backend/capi/hashing.py)."""
from backend.orders.models import Order

from .hashing import user_data_for


def purchase_payload(order: Order, event_id: str) -> dict:
    return {
        "event_name": "Purchase",
        "event_id": event_id,
        "event_time": int(order.paid_at.timestamp()),
        "action_source": "website",
        "event_source_url": "https://www.example-roastery.com/order-confirmation",
        "user_data": user_data_for(order),
        "custom_data": {
            "value": float(order.total),
            "currency": order.currency,
            "content_ids": [line.catalog_id for line in order.lines],
            "content_type": "product",
            "order_id": str(order.id),
        },
    }


def lead_payload(lead, event_id: str) -> dict:
    return {
        "event_name": "Lead",
        "event_id": event_id,
        "event_time": int(lead.created_at.timestamp()),
        "action_source": "website",
        "event_source_url": "https://www.example-roastery.com/wholesale",
        "user_data": user_data_for(lead),
        "custom_data": {"content_category": "wholesale", "lead_id": str(lead.id)},
    }


def subscribe_payload(subscription, event_id: str) -> dict:
    return {
        "event_name": "Subscribe",
        "event_id": event_id,
        "event_time": int(subscription.first_paid_at.timestamp()),
        "action_source": "system_generated",
        "user_data": user_data_for(subscription.customer),
        "custom_data": {
            "value": float(subscription.first_invoice_total),
            "currency": subscription.currency,
            "predicted_ltv": float(subscription.monthly_total * 6),
            "subscription_id": subscription.id,
        },
    }
