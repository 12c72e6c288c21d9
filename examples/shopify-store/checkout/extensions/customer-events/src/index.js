import { register } from '@shopify/web-pixels-extension';
import { purchaseEventId, checkoutEventId } from '../../../../shared/tracking/event-id.js';
import { contentId } from '../../../../shared/tracking/content-ids.js';

// Meta Pixel in Shopify Customer Events (lax sandbox: checkout and thank-you page).
// The server container sends the same Purchase / InitiateCheckout from the Shopify webhooks,
// with the same event_id, so Meta deduplicates the pair.
register(({ analytics, init, settings }) => {
  loadPixel(settings.datasetId);

  const contentIds = (checkout) =>
    checkout.lineItems.map((line) => contentId(line.variant.id, line.variant.product.id));

  analytics.subscribe('checkout_started', (event) => {
    const { checkout } = event.data;
    fbq('track', 'InitiateCheckout', {
      content_ids: contentIds(checkout),
      content_type: 'product',
      value: Number(checkout.totalPrice.amount),
      currency: checkout.currencyCode,
    }, { eventID: checkoutEventId(checkout.token) });
  });

  analytics.subscribe('checkout_completed', (event) => {
    const { checkout } = event.data;
    fbq('track', 'Purchase', {
      content_ids: contentIds(checkout),
      content_type: 'product',
      value: Number(checkout.totalPrice.amount),
      currency: checkout.currencyCode,
      order_id: checkout.order.id,
    }, { eventID: purchaseEventId(checkout.order.id) });
  });
});

function loadPixel(datasetId) {
  !function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?
  n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;
  n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;
  t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,
  document,'script','https://connect.facebook.net/en_US/fbevents.js');
  fbq('init', datasetId);
}
