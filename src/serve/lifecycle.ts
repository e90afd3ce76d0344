/**
 * The install lifecycle as pure rules: which state an event moves a host to,
 * if any. `remaster serve` applies the answer with the store's
 * compare-and-set (state/store.ts `transition`), so two servers, or a TFTP
 * and an HTTP fetch racing, move a host at most once.
 *
 *   armed → boot-fetched → kernel-fetched → ks-fetched → pre-started → pre-done
 *         → installing → post-done → installed → disarmed
 *   any active state → failed (reason + log tail)   any active state → stalled
 *
 * - Forward only: an event for a state at or before the current one (a
 *   second boot-fetched while installing, a late kernel fetch) is recorded
 *   on the timeline and changes nothing.
 * - `failed` ends the attempt: later events are recorded only. A new arm id
 *   (the host was armed again) starts over at `armed`; that is not an event
 *   here but the sync of the published tree.
 * - `stalled`: an active host with no event for the stall time; any later
 *   progress event revives it.
 * - `installed` of a `once` host leads to a disarm publish, then `disarmed`.
 * - A host that is only armed is never stalled: it may wait days for someone
 *   to power it on.
 */
import type { HostState } from '../state/index.ts';

/** States an install walks through, in order (failed and stalled are off the line). */
export const LIFECYCLE_ORDER: readonly HostState[] = [
  'armed', 'boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'disarmed',
];

/** States in which an install is under way (what the stall timer watches). */
export const ACTIVE_STATES: readonly HostState[] = ['boot-fetched', 'kernel-fetched', 'ks-fetched', 'pre-started', 'pre-done', 'installing', 'post-done'];

/** Callback kinds that move the state, as the injected callbacks name them. */
export const CALLBACK_STATES = ['pre-started', 'pre-done', 'installing', 'post-done', 'installed', 'failed'] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

/** Callback kinds that only store data: the hardware inventory and log text. */
export const CALLBACK_DATA = ['inventory', 'log'] as const;
export type CallbackData = (typeof CALLBACK_DATA)[number];

/** Every callback kind `/cb/<mac>/<secret>/<kind>` accepts. */
export type CallbackKind = CallbackState | CallbackData;

/** A state an event asks for. */
export type LifecycleTarget = 'boot-fetched' | 'kernel-fetched' | 'ks-fetched' | CallbackState;

/** What to do with an event for a host in `current`. */
export type LifecycleDecision =
  | { move: true; from: HostState; to: LifecycleTarget }
  | { move: false; reason: 'not-forward' | 'ended' | 'not-armed' };

/** Return true for the callback kinds `/cb` accepts. */
export function isCallbackKind(kind: string): kind is CallbackKind {
  return (CALLBACK_STATES as readonly string[]).includes(kind) || (CALLBACK_DATA as readonly string[]).includes(kind);
}

function rank(state: HostState): number {
  return LIFECYCLE_ORDER.indexOf(state);
}

/** Decide whether an event moves a host from `current` to `target` (see the module comment). */
export function decideTransition(current: HostState, target: LifecycleTarget): LifecycleDecision {
  if (current === 'registered') return { move: false, reason: 'not-armed' };
  if (current === 'failed' || current === 'disarmed') return { move: false, reason: 'ended' };
  if (target === 'failed') return current === 'installed' ? { move: false, reason: 'ended' } : { move: true, from: current, to: target };
  if (current === 'stalled') return { move: true, from: current, to: target };
  return rank(target) > rank(current) ? { move: true, from: current, to: target } : { move: false, reason: 'not-forward' };
}

/** Longest failure reason kept on the host (the whole body is kept as the `log:failed` blob). */
export const FAILURE_REASON_CHARS = 1024;

/**
 * The reason of a `failed` callback body: its `reason: ` line (what the injected %onerror and
 * error-commands send), else its first non-blank line (what the install snippets' remaster_fail
 * sends: the message alone, naming the rule and the measured value), else a generic reason.
 * Control characters become spaces; a longer reason is cut at FAILURE_REASON_CHARS with `…`.
 */
export function failureReasonOf(body: string): string {
  const line = /^reason: (.*)$/mu.exec(body)?.[1] ?? body.split('\n').find((l) => l.trim() !== '');
  const reason = (line ?? '').replace(/[\u0000-\u001f\u007f]/gu, ' ').trim();
  if (reason === '') return 'the installer reported a failure';
  return reason.length > FAILURE_REASON_CHARS ? `${reason.slice(0, FAILURE_REASON_CHARS - 1)}…` : reason;
}

/** Return true when a host in `state` whose last event was at `lastEventAt` has stalled at `now`. */
export function isStalled(state: HostState, lastEventAt: number, now: number, stallAfterMs: number): boolean {
  return ACTIVE_STATES.includes(state) && now - lastEventAt >= stallAfterMs;
}
