"""Order lookups. Orders live in Postgres; Stripe payment intents carry the order id in metadata."""
from .models import Order


def order_by_payment_intent(payment_intent_id: str) -> Order:
    from backend.db import connection
    row = connection().fetch_one("SELECT * FROM orders WHERE payment_intent_id = %s", [payment_intent_id])
    return Order.from_row(row)
