"""One business action, one event_id, on both paths.

The browser never invents ids for Lead, Purchase or Subscribe: the API returns the id built here
and web/src/tracking/eventId.ts only passes it to fbq. Keep the two files in step.
"""


def purchase_event_id(order_id: int) -> str:
    return f"purchase-{order_id}"


def lead_event_id(lead_id: int) -> str:
    return f"lead-{lead_id}"


def subscribe_event_id(subscription_id: str) -> str:
    return f"subscribe-{subscription_id}"
