// Add-to-cart handler for the product form. Fires the browser AddToCart and forwards the
// same event (same event_id) to the server container, which sends it to CAPI.
document.addEventListener('submit', async (evt) => {
  const form = evt.target.closest('[data-product-form]');
  if (!form) return;
  evt.preventDefault();
  const res = await fetch('/cart/add.js', { method: 'POST', body: new FormData(form) });
  if (!res.ok) return;
  const line = await res.json();
  const eventId = TrackingHelpers.newEventId('addtocart');
  const payload = {
    content_ids: [TrackingHelpers.contentId(line.variant_id, line.product_id)],
    content_type: 'product',
    value: line.final_line_price / 100,
    currency: window.__tracking.currency,
  };
  fbq('track', 'AddToCart', payload, { eventID: eventId });
  navigator.sendBeacon('https://sgtm.example-store.com/collect/add_to_cart',
    JSON.stringify({ event_id: eventId, event_time: Math.floor(Date.now() / 1000), ...payload }));
});
