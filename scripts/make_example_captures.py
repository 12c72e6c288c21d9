#!/usr/bin/env python3
"""Write the small capture set of examples/custom-backend/captures (see docs/verify.md).

Every figure of `govsheet verify` shows up once: a clean pair, a parity mismatch, value drift,
an order sent twice, an order without a Purchase, a Purchase without an order, a currency
mismatch, a pair outside the 48-hour window, a reused event_id, plaintext email, an undeclared
event and an event on a path the sheet does not declare. Run from the repository root.
"""
import hashlib
import json
import os

OUT = "examples/custom-backend/captures"
T = 1795478400  # 2026-11-24T00:00:00Z
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15"


def h(s):
    return hashlib.sha256(s.encode()).hexdigest()


def user_data(email):
    return {"em": [h(email)], "external_id": [h("cust-" + email)], "client_ip_address": "203.0.113.7",
            "client_user_agent": UA, "fbp": "fb.1.1795400000000.1234567890",
            "fbc": "fb.1.1795470000000.IwAR2xyz"}


def purchase(order, value, cur, t, ids, eid=None):
    return {"event_name": "Purchase", "event_time": t, "event_id": eid or f"purchase-{order}",
            "action_source": "website",
            "event_source_url": f"https://example-roastery.com/order-confirmation/{order}",
            "user_data": user_data(f"buyer{order}@example.com"),
            "custom_data": {"value": value, "currency": cur, "order_id": str(order),
                            "content_ids": ids, "content_type": "product"}}


def lead(lid, t, email):
    return {"event_name": "Lead", "event_time": t, "event_id": f"lead-{lid}", "action_source": "website",
            "event_source_url": "https://example-roastery.com/wholesale", "user_data": user_data(email),
            "custom_data": {"lead_id": str(lid)}}


def browser(name, eid, t, custom):
    return {"event": name, "eventID": eid, "event_time": t, "custom_data": custom}


def pc(order, value, cur, ids):
    return {"value": value, "currency": cur, "order_id": str(order), "content_ids": ids}


def main():
    os.makedirs(f"{OUT}/server", exist_ok=True)
    os.makedirs(f"{OUT}/browser", exist_ok=True)
    batch = {"data": [
        purchase(1001, 59.90, "EUR", T + 3600, ["beans-1kg"]),
        purchase(1002, 24.50, "EUR", T + 7200, ["beans-250g"]),
        purchase(1003, 88.00, "EUR", T + 10800, ["grinder"]),
        purchase(1004, 15.00, "EUR", T + 14400, ["filters"]),
        purchase(1004, 15.00, "EUR", T + 15300, ["filters"], eid="purchase-1004-retry"),
        purchase(1006, 30.00, "EUR", T + 18000, ["mug"]),
        purchase(9999, 12.00, "EUR", T + 20000, ["beans-250g"]),
    ]}
    with open(f"{OUT}/server/batch-2026-11-24.json", "w") as f:
        f.write(json.dumps(batch, indent=2) + "\n")
    l2 = lead(5532, T + 31000, "bar@example.com")
    l2["user_data"]["em"] = ["bar@example.com"]
    sub = {"event_name": "Subscribe", "event_time": T + 32000, "event_id": "subscribe-77",
           "action_source": "website", "event_source_url": "https://example-roastery.com/subscribe",
           "user_data": user_data("sub@example.com"),
           "custom_data": {"value": 18.0, "currency": "EUR", "subscription_id": "77"}}
    with open(f"{OUT}/server/outbox.jsonl", "w") as f:
        for e in (lead(5531, T + 30000, "cafe@example.com"), l2, sub):
            f.write(json.dumps(e) + "\n")
    events = [
        browser("Purchase", "purchase-1001", T + 3590, pc(1001, 59.90, "EUR", ["beans-1kg"])),
        browser("Purchase", "purchase-1002", T + 7190, pc(1002, 24.50, "EUR", ["beans-1kg"])),
        browser("Purchase", "purchase-1003", T + 10790, pc(1003, 80.00, "EUR", ["grinder"])),
        browser("Purchase", "purchase-1004", T + 14390, pc(1004, 15.00, "EUR", ["filters"])),
        browser("Purchase", "purchase-1005", T + 16000, pc(1005, 42.00, "EUR", ["beans-1kg", "filters"])),
        browser("Purchase", "purchase-1006", T + 18000 - 3 * 86400, pc(1006, 30.00, "EUR", ["mug"])),
        browser("Lead", "lead-5531", T + 29990, {"lead_id": "5531"}),
        browser("Lead", "lead-5532", T + 30990, {"lead_id": "5532"}),
        browser("Lead", "lead-undefined", T + 40000, {"lead_id": "5533"}),
        browser("Lead", "lead-undefined", T + 41000, {"lead_id": "5534"}),
        browser("Subscribe", "subscribe-77", T + 31990, {"value": 18.0, "currency": "EUR", "subscription_id": "77"}),
        browser("AddToCart", "atc-1", T + 3000, {"content_ids": ["beans-1kg"]}),
    ]
    with open(f"{OUT}/browser/pixel-2026-11-24.jsonl", "w") as f:
        for e in events:
            f.write(json.dumps(e) + "\n")
    rows = [("1001", "59.90", "EUR", "2026-11-24T01:00:00Z"), ("1002", "24.50", "EUR", "2026-11-24T02:00:00Z"),
            ("1003", "80.00", "EUR", "2026-11-24T03:00:00Z"), ("1004", "15.00", "EUR", "2026-11-24T02:30:00Z"),
            ("1005", "42.00", "EUR", "2026-11-24T04:26:40Z"), ("1006", "30.00", "USD", "2026-11-24T05:00:00Z")]
    with open(f"{OUT}/orders.csv", "w") as f:
        f.write("id,total,currency,paid_at\n")
        for r in rows:
            f.write(",".join(r) + "\n")


if __name__ == "__main__":
    main()
