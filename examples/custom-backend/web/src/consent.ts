// Thin wrapper over the consent manager (CMP). Marketing consent gates the Pixel in the browser
// and is stored on the order / lead so the backend can gate user_data in CAPI.
type Listener = () => void;
const listeners: Listener[] = [];

export function hasMarketingConsent(): boolean {
  return (window as any).__cmp?.getConsent?.('marketing') === true;
}

export function onConsentChange(fn: Listener): void {
  listeners.push(fn);
  (window as any).__cmp?.on?.('change', () => listeners.forEach((l) => l()));
}

export function consentSnapshot(): { marketing: boolean } {
  return { marketing: hasMarketingConsent() };
}
