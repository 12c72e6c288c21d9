"""Transactional outbox: events are stored with the order change and sent by a worker, so a CAPI
outage delays events instead of losing them. Retries keep the same event_id and the original
event_time (never the retry time)."""
import json
import os
from datetime import datetime, timezone

from . import client

MAX_AGE_SECONDS = 7 * 24 * 3600  # Meta rejects events older than 7 days


def enqueue(event: dict, db=None) -> None:
    (db or _default_db()).execute("INSERT INTO capi_outbox (payload) VALUES (%s)", [json.dumps(event)])


def drain(db, batch: int = 500) -> int:
    rows = db.fetch("SELECT id, payload FROM capi_outbox WHERE sent_at IS NULL ORDER BY id LIMIT %s", [batch])
    now = int(datetime.now(timezone.utc).timestamp())
    fresh = [(r.id, json.loads(r.payload)) for r in rows]
    fresh = [(i, e) for i, e in fresh if now - e["event_time"] <= MAX_AGE_SECONDS]
    # Rollback switch: CAPI_PAUSED_EVENTS=Purchase,Lead holds those events in the outbox.
    paused = set(filter(None, os.environ.get("CAPI_PAUSED_EVENTS", "").split(",")))
    fresh = [(i, e) for i, e in fresh if e["event_name"] not in paused]
    if fresh:
        client.send([e for _, e in fresh])
        db.execute("UPDATE capi_outbox SET sent_at = now() WHERE id = ANY(%s)", [[i for i, _ in fresh]])
    return len(fresh)


def _default_db():
    from backend.db import connection
    return connection()
