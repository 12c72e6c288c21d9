from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass
class OrderLine:
    sku: str
    catalog_id: str  # the id written to the Meta catalog feed (backend/catalog/feed.py)
    quantity: int
    unit_price: Decimal


@dataclass
class Order:
    id: int
    email: str
    phone: str | None
    currency: str
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    paid_at: datetime | None
    marketing_consent: bool
    client_ip: str | None
    user_agent: str | None
    fbp: str | None
    fbc: str | None
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """What the customer paid: after discounts, with shipping and tax."""
        return self.subtotal - self.discount + self.shipping + self.tax

    @classmethod
    def from_row(cls, row) -> "Order":
        lines = [OrderLine(**line) for line in row.pop("lines", [])]
        return cls(**row, lines=lines)
