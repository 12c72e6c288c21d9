import { useEffect } from 'react';
import { track } from '../pixel';
import { eventIdFrom } from '../tracking/eventId';

type Order = {
  order_id: number; event_id: string; value: number; currency: string;
  content_ids: string[]; subscription_id?: string;
};

// Fires the browser Purchase once the API reports the order as paid. The server sends the same
// Purchase (same event_id) from backend/orders/confirm.py.
export default function OrderConfirmation({ order }: { order: Order }) {
  useEffect(() => {
    if (sessionStorage.getItem(`tracked-${order.order_id}`)) return;
    track('Purchase', {
      value: order.value,
      currency: order.currency,
      content_ids: order.content_ids,
      content_type: 'product',
      order_id: String(order.order_id),
    }, eventIdFrom(order));
    sessionStorage.setItem(`tracked-${order.order_id}`, '1');
  }, [order]);
  return <h1>Thank you! Order #{order.order_id} is confirmed.</h1>;
}
