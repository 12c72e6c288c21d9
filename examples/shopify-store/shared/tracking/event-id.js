// One business action, one event_id, on both paths.
// Purchase and InitiateCheckout derive the id from the Shopify order id / checkout token, which
// the server container also receives from the webhooks; browser-only or click-level events get a
// random id that the browser forwards to the server container with the event.
export function purchaseEventId(orderId) {
  return `purchase-${String(orderId).replace(/^gid:\/\/shopify\/\w+\//, '')}`;
}

export function checkoutEventId(checkoutToken) {
  return `checkout-${checkoutToken}`;
}

export function newEventId(prefix) {
  return `${prefix}-${crypto.randomUUID()}`;
}
