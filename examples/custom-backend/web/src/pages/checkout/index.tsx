import { consentSnapshot } from '../../consent';

export default function Checkout({ cart }: { cart: { id: string; total: number; currency: string } }) {
  async function pay() {
    const res = await fetch('/api/checkout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cart_id: cart.id, consent: consentSnapshot() }),
    });
    const { payment_url } = await res.json();
    window.location.assign(payment_url);
  }
  return <button onClick={pay}>Pay {cart.total} {cart.currency}</button>;
}
