"""POST /api/leads: store a wholesale enquiry, queue the server Lead, return its event_id."""
from backend.capi.outbox import enqueue
from backend.capi.payloads import lead_payload
from backend.tracking.event_ids import lead_event_id

from .store import create_lead


def post_lead(request):
    lead = create_lead(
        email=request.json["email"],
        company=request.json["company"],
        marketing_consent=bool(request.json.get("consent", {}).get("marketing")),
        user_agent=request.headers.get("user-agent"),
        client_ip=request.remote_addr,
        fbp=request.cookies.get("_fbp"),
        fbc=request.cookies.get("_fbc"),
    )
    event_id = lead_event_id(lead.id)
    enqueue(lead_payload(lead, event_id=event_id))
    return {"lead_id": lead.id, "event_id": event_id}, 201
