"""user_data for CAPI: normalise then SHA-256 the fields Meta requires hashed; never hash
client_ip_address, client_user_agent, fbp or fbc. Nothing identifying without marketing consent."""
import hashlib


def _h(value: str | None) -> str | None:
    if not value:
        return None
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


def _phone(value: str | None) -> str | None:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    return hashlib.sha256(digits.encode()).hexdigest() if digits else None


def user_data_for(subject) -> dict:
    if not getattr(subject, "marketing_consent", False):
        return {"client_user_agent": getattr(subject, "user_agent", None)}
    data = {
        "em": _h(subject.email),
        "ph": _phone(getattr(subject, "phone", None)),
        "external_id": _h(str(getattr(subject, "customer_id", "") or "")),
        "client_ip_address": getattr(subject, "client_ip", None),
        "client_user_agent": getattr(subject, "user_agent", None),
        "fbp": getattr(subject, "fbp", None),
        "fbc": getattr(subject, "fbc", None),
    }
    return {k: v for k, v in data.items() if v}
