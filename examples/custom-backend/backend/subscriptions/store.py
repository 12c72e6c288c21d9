"""Subscriptions mirror Stripe subscriptions; `subscribe_sent` makes the server Subscribe idempotent."""


def subscription_from_invoice(invoice: dict):
    from backend.db import connection
    from .models import Subscription
    row = connection().fetch_one("SELECT * FROM subscriptions WHERE stripe_id = %s", [invoice["subscription"]])
    return Subscription.from_row(row, first_invoice=invoice)
