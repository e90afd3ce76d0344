/**
 * Per-host callback secrets. secret = HMAC-SHA256(serverKey, `${mac}\n${armId}`)
 * (hex): nothing secret is stored per host, every server sharing one
 * database (and so one key) computes the same secret, and a new arm id (the
 * host was armed again) makes the secrets of the previous attempt worthless.
 * The key is 32 random bytes kept in the store's settings, created by the
 * first server that needs it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../state/index.ts';

/** The store setting holding the server key (hex). */
export const CALLBACK_KEY_SETTING = 'serve.callbackKey';

/** Return the server key from the store, creating it on first use (the first server to store one wins). */
export async function loadCallbackKey(store: Store): Promise<string> {
  return store.ensureSetting(CALLBACK_KEY_SETTING, randomBytes(32).toString('hex'));
}

/** Return the callback secret of one install attempt (`mac` in `aa:bb:cc:dd:ee:ff` form). */
export function callbackSecret(serverKey: string, mac: string, armId: string): string {
  return createHmac('sha256', Buffer.from(serverKey, 'hex')).update(`${mac}\n${armId}`).digest('hex');
}

/** Compare a presented secret with the expected one in constant time. */
export function callbackSecretMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
