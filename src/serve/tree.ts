/**
 * The published tree as `remaster serve` sees it: the current manifest,
 * reloaded whenever `remaster/current` points at another version (publish,
 * arm, disarm, rollback, expiry — by this server, the CLI or another
 * server), checked with one readlink per request. Listeners hear about
 * every switch, so the state store can follow arms and disarms without a
 * restart. Files themselves are never cached: each transfer opens its own
 * descriptor (fsx/served-file.ts), so one transfer never mixes versions.
 */
import { readCurrentVersion } from '../fsx/index.ts';
import { CURRENT_LINK, normalizeMac, partitionExpired, readCurrentManifest, type PublishManifest, type PxeHost } from '../pxe/index.ts';

/** Called after the served version changed (previous undefined on the first load). */
export type TreeListener = (current: PublishManifest, previous: PublishManifest | undefined) => void;

/** The current manifest of a TFTP root, following version switches. */
export class ServedTree {
  readonly root: string;
  #manifest: PublishManifest | undefined;
  #loading: Promise<PublishManifest | undefined> | undefined;
  readonly #listeners: TreeListener[] = [];

  constructor(root: string) {
    this.root = root;
  }

  /** The manifest loaded last (no I/O). */
  get manifest(): PublishManifest | undefined {
    return this.#manifest;
  }

  onChange(listener: TreeListener): void {
    this.#listeners.push(listener);
  }

  /** Return the manifest of the version served now, reloading it after a switch. */
  async current(): Promise<PublishManifest | undefined> {
    const version = await readCurrentVersion(this.root, CURRENT_LINK);
    if (version !== undefined && version === this.#manifest?.version) return this.#manifest;
    this.#loading ??= this.#reload().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #reload(): Promise<PublishManifest | undefined> {
    const next = await readCurrentManifest(this.root);
    const previous = this.#manifest;
    if (next === undefined || next.version === previous?.version) return next ?? previous;
    this.#manifest = next;
    for (const listener of this.#listeners) listener(next, previous);
    return next;
  }
}

/** Return the armed host with this MAC in a manifest. */
export function armedHost(m: PublishManifest | undefined, mac: string): PxeHost | undefined {
  return m?.model.hosts.find((h) => normalizeMac(h.mac) === mac);
}

/** Return true when an armed host's expiry has passed at `now`. */
export function hasExpired(host: PxeHost, now: Date): boolean {
  return partitionExpired([host], now).expired.length > 0;
}
