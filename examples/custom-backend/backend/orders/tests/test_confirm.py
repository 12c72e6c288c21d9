from datetime import datetime, timezone
from decimal import Decimal

from backend.orders.confirm import confirm_order
from backend.orders.models import Order


def test_confirm_twice_sends_one_purchase(monkeypatch):
    sent = []
    monkeypatch.setattr("backend.orders.confirm.enqueue", sent.append)
    order = Order(id=1042, email="a@example.com", phone=None, currency="EUR",
                  subtotal=Decimal("40"), discount=Decimal("4"), shipping=Decimal("5"),
                  tax=Decimal("0"), paid_at=None, marketing_consent=True,
                  client_ip=None, user_agent=None, fbp=None, fbc=None)
    now = datetime(2026, 11, 18, tzinfo=timezone.utc)
    assert confirm_order(order, now)["event_id"] == "purchase-1042"
    assert confirm_order(order, now)["duplicate"] is True
    assert len(sent) == 1
