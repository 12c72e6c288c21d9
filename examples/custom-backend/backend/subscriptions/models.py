from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal


@dataclass
class Subscription:
    id: str  # Stripe subscription id, e.g. sub_1Q2w3E
    customer: object
    currency: str
    monthly_total: Decimal
    first_invoice_total: Decimal
    first_paid_at: datetime
    subscribe_sent: bool = False

    @classmethod
    def from_row(cls, row: dict, first_invoice: dict) -> "Subscription":
        return cls(
            id=row["stripe_id"],
            customer=row["customer"],
            currency=first_invoice["currency"].upper(),
            monthly_total=Decimal(row["monthly_total"]),
            first_invoice_total=Decimal(first_invoice["amount_paid"]) / 100,
            first_paid_at=datetime.fromtimestamp(first_invoice["status_transitions"]["paid_at"], tz=timezone.utc),
            subscribe_sent=row["subscribe_sent"],
        )

    def mark_subscribe_sent(self) -> None:
        from backend.db import connection
        connection().execute("UPDATE subscriptions SET subscribe_sent = true WHERE stripe_id = %s", [self.id])
        self.subscribe_sent = True
