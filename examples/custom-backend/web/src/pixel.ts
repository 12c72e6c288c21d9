import { hasMarketingConsent, onConsentChange } from './consent';

declare global {
  interface Window { fbq?: (...args: unknown[]) => void }
}

const DATASET_ID = process.env.NEXT_PUBLIC_META_DATASET_ID as string;
let loaded = false;

// The Meta Pixel loads only after marketing consent.
export function initPixel(): void {
  const load = () => {
    if (loaded || !hasMarketingConsent()) return;
    loaded = true;
    const script = document.createElement('script');
    script.async = true;
    script.src = 'https://connect.facebook.net/en_US/fbevents.js';
    document.head.appendChild(script);
    const fbq: any = function (...args: unknown[]) { fbq.queue.push(args); };
    fbq.queue = []; fbq.loaded = true; fbq.version = '2.0';
    window.fbq = fbq;
    fbq('init', DATASET_ID);
    fbq('track', 'PageView');
  };
  load();
  onConsentChange(load);
}

export function track(event: string, params: Record<string, unknown>, eventId: string): void {
  window.fbq?.('track', event, params, { eventID: eventId });
}
