/**
 * Applies the lifecycle (lifecycle.ts) to the state store and the published
 * tree: what `remaster serve` does when a host fetches its menu, kernel or
 * answers, reports through a callback, goes quiet, or finishes.
 *
 * - Sync: every armed host of the current version is in the store in state
 *   `armed` with its arm id (compare-and-set on "not this arm id yet", so a
 *   version seen again, or by several servers, arms once); a host the tree
 *   no longer arms is `disarmed` (its timeline says why). Runs at start and
 *   after every version switch.
 * - Events move a host forward only, by compare-and-set on its current
 *   state and arm id; an event that does not move it is still recorded.
 * - `installed` of a `once` host: the server that applied the transition
 *   publishes the disarm (pxe disarmHost with the arm id, so a second
 *   report, a crash and a restart, or another server never disarm twice),
 *   then marks the host `disarmed`. A restart finishes a disarm a crash
 *   interrupted (an installed once host still armed with that arm id).
 * - Expired hosts: their menus are answered "not found" and one expire
 *   publish runs. Read-only servers never publish: they record only.
 * Every state change and every recorded event is also one log line.
 */
import { RemasterError, isRemasterError } from '../errors.ts';
import { disarmHost, expireHosts, normalizeMac, type PublishManifest, type PxeHost } from '../pxe/index.ts';
import { hashSecret, HOST_STATES, type Host, type HostState, type Store } from '../state/index.ts';
import { decideTransition, isStalled, ACTIVE_STATES, type LifecycleTarget } from './lifecycle.ts';
import { callbackSecret } from './secret.ts';
import { armedHost, hasExpired, type ServedTree } from './tree.ts';

/** The logger subset serve uses (pino's Logger fits). */
export interface ServeLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** Options of InstallService. */
export interface InstallServiceOptions {
  store: Store;
  tree: ServedTree;
  tftpRoot: string;
  httpRoot?: string;
  serverKey: string;
  log: ServeLogger;
  readOnly?: boolean;
  /** No event for this long marks an install under way `stalled` (default 30 min). */
  stallAfterMs?: number;
  /** How long a disarm or expiry publish waits for another publisher's lock (default 60 s). */
  lockWaitMs?: number;
  now?: () => number;
  /** Called after each lifecycle transition (metrics). */
  onTransition?: (mac: string, to: HostState) => void;
}

const ACTOR = 'serve';
/** States a host the tree no longer arms leaves for `disarmed` (failed keeps its verdict). */
const DISARMABLE: readonly HostState[] = HOST_STATES.filter((s) => s !== 'registered' && s !== 'disarmed' && s !== 'failed');
/** Bytes of a failure report kept with the host. */
export const FAILURE_LOG_BYTES = 64 * 1024;

/** The lifecycle engine of one server. */
export class InstallService {
  readonly #o: InstallServiceOptions;
  readonly #now: () => number;
  #disarming = Promise.resolve();
  #expiring: Promise<void> | undefined;
  #syncing: Promise<void> = Promise.resolve();

  constructor(options: InstallServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** The callback secret of an armed host's current attempt. */
  secretFor(host: PxeHost): string | undefined {
    return host.armId === undefined ? undefined : callbackSecret(this.#o.serverKey, normalizeMac(host.mac), host.armId);
  }

  /** Bring the store in line with a manifest (queued: syncs never overlap). */
  sync(m: PublishManifest): Promise<void> {
    this.#syncing = this.#syncing.then(() => this.#sync(m)).catch((err: unknown) => this.#o.log.error({ event: 'sync-failed', err: String(err) }, 'could not bring the state store in line with the tree'));
    return this.#syncing;
  }

  async #sync(m: PublishManifest): Promise<void> {
    const armed = new Set<string>();
    for (const h of m.model.hosts) {
      const mac = normalizeMac(h.mac);
      armed.add(mac);
      if (h.armId === undefined) continue;
      await this.#ensureHost(mac, h);
      const r = await this.#o.store.transition(mac, {
        from: HOST_STATES, to: 'armed', actor: ACTOR, notInstallId: h.armId,
        arm: { installId: h.armId, callbackSecretHash: hashSecret(this.secretFor(h) as string) },
        event: { kind: 'armed', detail: { version: m.version, once: h.once === true, ...(h.expires !== undefined ? { expires: h.expires } : {}) } },
      });
      if (r.applied) this.#changed(mac, 'armed', { version: m.version, installId: h.armId });
      else if (r.host?.state === 'installed' && r.host.installId === h.armId && h.once === true) this.#queueDisarm(mac, h.armId); // a crash between installed and the disarm
    }
    for (const host of await this.#o.store.listHosts({ states: DISARMABLE })) {
      if (armed.has(host.mac)) continue;
      const why = m.disarmed.find((d) => d.mac === host.mac);
      const r = await this.#o.store.transition(host.mac, {
        from: [host.state], to: 'disarmed', actor: ACTOR, ...(host.installId !== null ? { installId: host.installId } : {}),
        event: { kind: why?.reason === 'expired' ? 'expired' : 'disarmed', detail: { version: m.version, reason: why?.reason ?? 'not armed' } },
      });
      if (r.applied) this.#changed(host.mac, 'disarmed', { version: m.version, reason: why?.reason ?? 'not armed' });
    }
  }

  async #ensureHost(mac: string, h: PxeHost): Promise<void> {
    if ((await this.#o.store.getHost(mac)) !== undefined) return;
    await this.#o.store.createHost({ mac, ...(h.name !== undefined ? { name: h.name } : {}) }, ACTOR).catch((err: unknown) => {
      if (!isRemasterError(err, 'STATE_CONFLICT')) throw err; // another server registered it first
    });
  }

  #changed(mac: string, state: HostState, detail: object): void {
    this.#o.log.info({ event: 'lifecycle', mac, state, ...detail }, `${mac} ${state}`);
    this.#o.onTransition?.(mac, state);
  }

  /**
   * Record an event of an armed host and move it to `target` when that is forward. Return the host
   * after it (undefined when the host is not in the store) and whether this call moved it.
   */
  async advance(mac: string, armId: string, target: LifecycleTarget, event: { kind: string; detail?: unknown; remote?: string | null; failureReason?: string }): Promise<{ host: Host | undefined; applied: boolean }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const host = await this.#o.store.getHost(mac);
      if (host === undefined || host.installId !== armId) return { host, applied: false };
      const d = decideTransition(host.state, target);
      if (!d.move) {
        await this.#o.store.recordEvent({ mac, installId: armId, kind: event.kind, detail: { ...(event.detail as object), ignored: d.reason, state: host.state }, remote: event.remote ?? null });
        this.#o.log.info({ event: 'lifecycle-event', mac, kind: event.kind, state: host.state, ignored: d.reason }, `${mac} ${event.kind} (stays ${host.state})`);
        return { host, applied: false };
      }
      const r = await this.#o.store.transition(mac, {
        from: [d.from], to: d.to, actor: ACTOR, installId: armId,
        event: { kind: event.kind, detail: event.detail, remote: event.remote ?? null },
        ...(event.failureReason !== undefined ? { failureReason: event.failureReason } : {}),
      });
      if (r.applied) {
        this.#changed(mac, d.to, { kind: event.kind, ...(event.remote ? { remote: event.remote } : {}), ...(event.failureReason !== undefined ? { reason: event.failureReason } : {}) });
        return { host: r.host, applied: true };
      }
      if (r.refused !== 'state') return { host: r.host, applied: false }; // another attempt or gone: nothing to move
    }
    return { host: await this.#o.store.getHost(mac), applied: false };
  }

  /** An armed host finished: a once host is disarmed by a new version (unless read-only). */
  afterInstalled(host: PxeHost): void {
    if (host.once === true && host.armId !== undefined) this.#queueDisarm(normalizeMac(host.mac), host.armId);
  }

  #queueDisarm(mac: string, armId: string): void {
    if (this.#o.readOnly) {
      this.#o.log.warn({ event: 'disarm-skipped', mac, reason: 'read-only' }, `${mac} installed; read-only server, not disarmed`);
      return;
    }
    this.#disarming = this.#disarming.then(() => this.#disarm(mac, armId));
  }

  async #disarm(mac: string, armId: string): Promise<void> {
    let version: number | undefined;
    try {
      const plan = await disarmHost({ tftpRoot: this.#o.tftpRoot, ...(this.#o.httpRoot !== undefined ? { httpRoot: this.#o.httpRoot } : {}), mac, armId, waitMs: this.#o.lockWaitMs ?? 60_000, now: new Date(this.#now()) });
      version = plan.version;
    } catch (err) {
      if (!isRemasterError(err, 'STATE_CONFLICT')) {
        await this.#o.store.recordEvent({ mac, installId: armId, kind: 'disarm-failed', detail: { error: err instanceof Error ? err.message : String(err) } }).catch(() => {});
        this.#o.log.error({ event: 'disarm-failed', mac, err: err instanceof Error ? err.message : String(err) }, `${mac}: disarm failed; retried at the next version switch or restart`);
        return;
      }
      // already disarmed (or armed again): the sync of that version records it
    }
    const r = await this.#o.store.transition(mac, { from: ['installed'], to: 'disarmed', actor: ACTOR, installId: armId, event: { kind: 'disarmed', detail: { version: version ?? null, reason: 'installed once' } } });
    if (r.applied) this.#changed(mac, 'disarmed', { version: version ?? null, reason: 'installed once' });
    // the new version's sync would find nothing left to do; the tree notices the switch on the next request
    await this.#o.tree.current().catch(() => undefined);
  }

  /** Wait until the store follows the versions seen so far. */
  synced(): Promise<void> {
    return this.#syncing;
  }

  /** Wait for queued disarms (tests, shutdown). */
  settled(): Promise<void> {
    return this.#disarming.then(() => this.#syncing);
  }

  /** Return true when the host's expiry has passed; start one expire publish (not read-only). */
  checkExpired(host: PxeHost): boolean {
    if (!hasExpired(host, new Date(this.#now()))) return false;
    if (!this.#o.readOnly && this.#expiring === undefined) {
      this.#expiring = expireHosts({ tftpRoot: this.#o.tftpRoot, ...(this.#o.httpRoot !== undefined ? { httpRoot: this.#o.httpRoot } : {}), waitMs: this.#o.lockWaitMs ?? 60_000, now: new Date(this.#now()) })
        .then((plan) => {
          if (plan !== undefined) this.#o.log.info({ event: 'expired', version: plan.version, hosts: plan.expired.map((h) => normalizeMac(h.mac)) }, 'expired hosts disarmed');
        })
        .catch((err: unknown) => this.#o.log.error({ event: 'expire-failed', err: err instanceof Error ? err.message : String(err) }, 'expire publish failed'))
        .finally(() => (this.#expiring = undefined));
    }
    return true;
  }

  /** Mark installs with no event for the stall time `stalled`; return how many. */
  async checkStalled(): Promise<number> {
    const now = this.#now();
    const after = this.#o.stallAfterMs ?? 30 * 60_000;
    let count = 0;
    for (const host of await this.#o.store.listHosts({ states: ACTIVE_STATES })) {
      if (!isStalled(host.state, host.lastEventAt ?? host.stateAt, now, after)) continue;
      const r = await this.#o.store.transition(host.mac, {
        from: [host.state], to: 'stalled', actor: ACTOR, ...(host.installId !== null ? { installId: host.installId } : {}),
        event: { kind: 'stalled', detail: { was: host.state, quietMs: now - (host.lastEventAt ?? host.stateAt) } },
      });
      if (r.applied) {
        count++;
        this.#changed(host.mac, 'stalled', { was: host.state });
      }
    }
    return count;
  }

  /** The armed host of the current version with this MAC, when not expired. */
  async armed(mac: string): Promise<PxeHost | undefined> {
    const host = armedHost(await this.#o.tree.current(), mac);
    if (host === undefined) return undefined;
    return this.checkExpired(host) ? undefined : host;
  }
}

/** Throw unless a MAC is well-formed; return it normalised. */
export function requestMac(raw: string): string {
  try {
    return normalizeMac(raw);
  } catch (err) {
    throw new RemasterError('USAGE', `not a MAC address: ${JSON.stringify(raw.slice(0, 40))}`, {}, { cause: err });
  }
}
