"""Leads are stored in the orders database and synced to the CRM nightly."""
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass
class Lead:
    id: int
    email: str
    company: str
    created_at: datetime
    marketing_consent: bool
    user_agent: str | None
    client_ip: str | None
    fbp: str | None
    fbc: str | None


def create_lead(**fields) -> Lead:
    from backend.db import connection
    row = connection().fetch_one(
        "INSERT INTO leads (email, company, marketing_consent) VALUES (%s, %s, %s) RETURNING id",
        [fields["email"], fields["company"], fields["marketing_consent"]])
    return Lead(id=row.id, created_at=datetime.now(timezone.utc), **fields)
