"""Minimal Conversions API client: POST events to the dataset, raise on partial failure."""
import os

import requests

GRAPH_URL = "https://graph.facebook.com/v21.0/{dataset_id}/events"


class CapiError(RuntimeError):
    pass


def send(events: list[dict], test_event_code: str | None = None) -> dict:
    if not 0 < len(events) <= 1000:
        raise ValueError("a CAPI request carries 1 to 1000 events")
    body = {"data": events, "access_token": os.environ["META_CAPI_TOKEN"]}
    if test_event_code:
        body["test_event_code"] = test_event_code
    res = requests.post(GRAPH_URL.format(dataset_id=os.environ["META_DATASET_ID"]), json=body, timeout=10)
    if res.status_code != 200:
        raise CapiError(f"CAPI {res.status_code}: {res.text[:500]}")
    out = res.json()
    if out.get("events_received") != len(events):
        raise CapiError(f"partial failure: sent {len(events)}, received {out.get('events_received')}")
    return out
