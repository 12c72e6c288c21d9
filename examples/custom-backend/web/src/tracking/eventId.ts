// The event_id always comes from the API response (backend/tracking/event_ids.py builds it),
// so the browser Pixel and the server CAPI call carry the same id for one business action.
export type Tracked = { event_id: string };

export function eventIdFrom(response: Tracked): string {
  if (!response.event_id) {
    throw new Error('API response without event_id: the browser event would not deduplicate');
  }
  return response.event_id;
}
