#!/usr/bin/env python3
"""Generate a large capture set for benchmarking `govsheet verify`.

    python3 scripts/gen_captures.py OUT_DIR [EVENTS]

Writes OUT_DIR/server.jsonl (EVENTS server events: Purchases, Leads and AddToCarts with full
user_data), OUT_DIR/browser.jsonl (the browser side of 95% of them, in Pixel spelling) and
OUT_DIR/orders.csv (Shopify export columns, one row per Purchase order). About 1% of the
Purchases drift in value and 0.5% are sent twice, so every reconciliation path is exercised.
"""
import hashlib
import json
import os
import random
import sys

T = 1795478400  # 2026-11-24T00:00:00Z; verify with --today 2026-11-25
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(42)
    hashes = [hashlib.sha256(f"user{i}@example.com".encode()).hexdigest() for i in range(1000)]
    with open(f"{out}/server.jsonl", "w") as server, open(f"{out}/browser.jsonl", "w") as browser, \
            open(f"{out}/orders.csv", "w") as orders:
        orders.write("Name,Financial Status,Paid at,Currency,Total,Id\n")
        dumps = json.JSONEncoder(separators=(",", ":")).encode
        for i in range(n):
            kind = i % 10
            t = T + (i * 86399) // n
            if kind < 3:
                name, eid = "Purchase", f"purchase-{i}"
                value = round(10 + (i % 500) * 0.37, 2)
                custom = {"value": value, "currency": "EUR", "order_id": str(i),
                          "content_ids": [f"sku-{i % 977}", f"sku-{i % 313}"], "content_type": "product"}
                paid = f"2026-11-24 {t % 86400 // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d} +0000"
                orders.write(f"#{i},paid,{paid},EUR,{value:.2f},{i}\n")
            elif kind < 6:
                name, eid, custom = "Lead", f"lead-{i}", {"lead_id": str(i)}
            else:
                name, eid = "AddToCart", f"atc-{i}"
                custom = {"value": 12.5, "currency": "EUR", "content_ids": [f"sku-{i % 977}"]}
            h = hashes[i % 1000]
            event = {"event_name": name, "event_time": t, "event_id": eid, "action_source": "website",
                     "event_source_url": f"https://shop.example/p/{i % 977}",
                     "user_data": {"em": [h], "external_id": [h], "client_ip_address": f"203.0.113.{i % 250}",
                                   "client_user_agent": UA, "fbp": f"fb.1.1795400000000.{i}"},
                     "custom_data": custom}
            r = rnd.random()
            if name == "Purchase" and r < 0.01:
                event["custom_data"] = dict(custom, value=round(custom["value"] * 1.1, 2))
            server.write(dumps(event) + "\n")
            if name == "Purchase" and r > 0.995:
                server.write(dumps(dict(event, event_id=eid + "-retry")) + "\n")
            if r < 0.95:
                browser.write(dumps({"event": name, "eventID": eid, "event_time": t - 2,
                                     "custom_data": custom}) + "\n")


if __name__ == "__main__":
    main()
