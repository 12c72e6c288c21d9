import { useState } from 'react';
import { track } from '../pixel';
import { consentSnapshot } from '../consent';
import { eventIdFrom } from '../tracking/eventId';

// Wholesale enquiry form. The browser Lead fires only after the API stored the lead (201),
// with the event_id the API returns; the backend sends the server Lead with the same id.
export function LeadForm() {
  const [sent, setSent] = useState(false);
  async function submit(form: FormData) {
    const res = await fetch('/api/leads', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...Object.fromEntries(form), consent: consentSnapshot() }),
    });
    if (res.status !== 201) return;
    const lead = await res.json();
    track('Lead', { content_category: 'wholesale', lead_id: String(lead.lead_id) }, eventIdFrom(lead));
    setSent(true);
  }
  return sent ? <p>Thanks, we will be in touch.</p> : (
    <form action={submit}>
      <input name="email" type="email" required />
      <input name="company" required />
      <button type="submit">Request wholesale pricing</button>
    </form>
  );
}
