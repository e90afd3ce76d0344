/** ClientTracker: address → MAC, bounded in size and time. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientTracker } from '../../../src/serve/tracker.ts';

test('learns, maps IPv4-mapped IPv6, forgets the oldest beyond the bound and entries past the TTL', () => {
  let now = 0;
  const t = new ClientTracker({ maxEntries: 2, ttlMs: 1000, now: () => now });
  t.learn('::ffff:10.0.0.5', 'aa:bb:cc:dd:ee:01');
  assert.equal(t.macOf('10.0.0.5'), 'aa:bb:cc:dd:ee:01');
  t.learn('0.0.0.0', 'aa:bb:cc:dd:ee:09');
  assert.equal(t.macOf('0.0.0.0'), undefined, 'an unconfigured client address is never learned');
  t.learn('10.0.0.6', 'aa:bb:cc:dd:ee:02');
  t.learn('10.0.0.7', 'aa:bb:cc:dd:ee:03');
  assert.equal(t.size, 2);
  assert.equal(t.macOf('10.0.0.5'), undefined, 'the oldest went first');
  now = 1001;
  assert.equal(t.macOf('10.0.0.7'), undefined, 'expired');
});
