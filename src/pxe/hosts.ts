/**
 * arm / disarm / status on a published tree. Arming and disarming publish a
 * new version from the current manifest (same kernel, initrd and loaders,
 * changed host list), so they inherit the atomic switch, the lock and
 * rollback; nothing is edited in place. The host list is read and changed
 * under the publish lock (commit.ts), so concurrent arms never lose a host.
 * Expired hosts are dropped by every such publish (plan.ts), with `now` as
 * a parameter.
 */
import { join, posix } from 'node:path';
import { RemasterError } from '../errors.ts';
import { commitVersion, requireCurrentManifest, type CommitInput, type CommitOptions } from './commit.ts';
import { contentPath, PUBLISH_DIR } from './layout.ts';
import { normalizeMac } from './mac.ts';
import type { DisarmedHost, PublishManifest } from './manifest.ts';
import { partitionExpired, type PxeHost, type PxeModel } from './model.ts';
import type { PlannedBlob, PublishPlan } from './plan.ts';
import { kickstartArtifact, newArmId } from './publish.ts';

/** Options for armHost. */
export interface ArmHostOptions extends CommitOptions {
  name?: string;
  once?: boolean;
  /** ISO 8601 instant after which the host is disarmed. */
  expires?: string;
  /** Kickstart file on this machine (replaces the host's current one). */
  kickstart?: string;
  extraArgs?: string[];
  now?: Date;
}

/** One host as status reports it. */
export interface HostStatus {
  mac: string;
  name?: string;
  state: 'armed' | 'expired-pending' | 'disarmed' | 'expired';
  once: boolean;
  expires?: string;
  kickstart?: string;
  /** When it was disarmed, for disarmed/expired hosts. */
  at?: string;
}

function referenced(model: PxeModel): Set<string> {
  const paths = new Set([model.kernel.path, model.initrd.path]);
  for (const h of model.hosts) {
    if (h.kickstart?.path !== undefined) paths.add(h.kickstart.path);
    if (h.kickstart?.initrdPath !== undefined) paths.add(h.kickstart.initrdPath);
  }
  return paths;
}

/** A change to the current manifest's model: the new model, blobs it adds, hosts it disarms. */
export interface ModelChange {
  model: PxeModel;
  blobs?: PlannedBlob[];
  disarmed?: DisarmedHost[];
}

/** Return the plan input that republishes a manifest's artifacts and loaders with `change` applied; sources are the tree's own content files. */
export function republishInput(root: string, m: PublishManifest, change: ModelChange, now: Date): CommitInput {
  const keep = referenced(change.model);
  const artifacts = Object.entries(m.files)
    .filter(([p]) => p.startsWith(`${PUBLISH_DIR}/`) && keep.has(p))
    .map(([p, d]): PlannedBlob => ({ path: p, ...d, source: join(root, p), http: m.httpFiles.includes(p) }));
  // a loader is read from its content file, never through the client-facing names
  const loaders = m.loaders.map((p) => {
    const d = m.files[p] as { sha256: string; size: number };
    return { path: p, ...d, source: join(root, contentPath(d.sha256, posix.basename(p))) };
  });
  return { now, model: change.model, artifacts: [...artifacts, ...(change.blobs ?? [])], loaders, grubDir: m.grubDir, disarmed: change.disarmed ?? [], publish: m.publish };
}

/** Republish the current tree with a change decided from its manifest under the lock (default: none, which drops expired hosts). */
export async function republish(options: CommitOptions & { now?: Date }, change: (m: PublishManifest) => Promise<ModelChange> | ModelChange = (m) => ({ model: m.model })): Promise<PublishPlan> {
  return commitVersion(options, async (previous) => {
    if (previous === undefined) throw new RemasterError('INPUT_NOT_FOUND', 'no published PXE tree here (remaster/manifest.json is missing); run remaster publish first', { file: options.tftpRoot });
    return republishInput(options.tftpRoot, previous, await change(previous), options.now ?? new Date());
  });
}

/** Arm (or update) one host: its MAC gets the install entry in every loader's menus. */
export async function armHost(options: ArmHostOptions & { mac: string }): Promise<PublishPlan> {
  const mac = normalizeMac(options.mac);
  return republish(options, async (m) => {
    const old = m.model.hosts.find((h) => normalizeMac(h.mac) === mac);
    const format = old?.kickstart?.format ?? m.model.hosts.find((h) => h.kickstart?.format !== undefined)?.kickstart?.format;
    const ks = options.kickstart !== undefined ? await kickstartArtifact(options.kickstart, m.publish.httpUrl, format, m.model.serveUrl !== undefined) : undefined;
    // arming (again) starts a new install attempt: serve's callbacks of the previous one are refused from now on
    const host: PxeHost = { ...old, mac, armId: newArmId() };
    if (options.name !== undefined) host.name = options.name;
    if (options.once !== undefined) host.once = options.once;
    if (options.expires !== undefined) host.expires = options.expires;
    if (options.extraArgs !== undefined) host.extraArgs = options.extraArgs;
    if (ks !== undefined) host.kickstart = ks.kickstart;
    const hosts = [...m.model.hosts.filter((h) => normalizeMac(h.mac) !== mac), host];
    return { model: { ...m.model, hosts }, blobs: ks?.blobs ?? [] };
  });
}

/**
 * Disarm one host: its MAC falls back to the local-boot default. With `armId`, only that install
 * attempt is disarmed: when the host is no longer armed, or armed again since (another arm id), nothing
 * is published and STATE_CONFLICT is thrown (so a completion reported twice never disarms twice).
 */
export async function disarmHost(options: CommitOptions & { mac: string; now?: Date; armId?: string }): Promise<PublishPlan> {
  const mac = normalizeMac(options.mac);
  return republish(options, (m) => {
    const old = m.model.hosts.find((h) => normalizeMac(h.mac) === mac);
    if (options.armId !== undefined && old?.armId !== options.armId) {
      throw new RemasterError('STATE_CONFLICT', old === undefined ? `host ${mac} is not armed; nothing to disarm` : `host ${mac} was armed again (install ${old.armId ?? 'unknown'}, not ${options.armId}); not disarmed`, { file: options.tftpRoot });
    }
    const at = (options.now ?? new Date()).toISOString();
    const disarmed: DisarmedHost[] = old ? [{ mac, ...(old.name !== undefined ? { name: old.name } : {}), reason: 'disarmed', at }] : [];
    return { model: { ...m.model, hosts: m.model.hosts.filter((h) => normalizeMac(h.mac) !== mac) }, disarmed };
  });
}

/** Report every armed host and the recently disarmed ones. */
export async function hostStatus(tftpRoot: string, options: { now?: Date } = {}): Promise<{ version: number; hosts: HostStatus[] }> {
  const m = await requireCurrentManifest(tftpRoot);
  const { expired } = partitionExpired(m.model.hosts, options.now ?? new Date());
  const armed = m.model.hosts.map((h): HostStatus => ({
    mac: normalizeMac(h.mac), state: expired.includes(h) ? 'expired-pending' : 'armed', once: h.once === true,
    ...(h.name !== undefined ? { name: h.name } : {}),
    ...(h.expires !== undefined ? { expires: h.expires } : {}),
    ...(h.kickstart?.httpUrl ?? h.kickstart?.path ? { kickstart: h.kickstart?.httpUrl ?? h.kickstart?.path } : {}),
  }));
  const seen = new Set(armed.map((h) => h.mac));
  const gone = m.disarmed.filter((d) => !seen.has(d.mac) && (seen.add(d.mac), true)).map((d): HostStatus => ({
    mac: d.mac, state: d.reason, once: false, at: d.at, ...(d.name !== undefined ? { name: d.name } : {}),
  }));
  return { version: m.version, hosts: [...armed, ...gone] };
}

/**
 * Publish the tree for `remaster serve` at `serveUrl` (menus then fetch answers from it), giving every
 * armed host an arm id it lacks; an empty string publishes it for plain HTTP/overlay answers again.
 */
export async function setServeUrl(options: CommitOptions & { serveUrl: string; now?: Date }): Promise<PublishPlan> {
  const url = options.serveUrl.replace(/\/+$/u, '');
  return republish(options, (m) => {
    const { serveUrl: _old, ...rest } = m.model;
    const hosts = m.model.hosts.map((h) => ({ ...h, armId: h.armId ?? newArmId() }));
    if (url === '' && hosts.some((h) => h.kickstart !== undefined && h.kickstart.httpUrl === undefined && h.kickstart.initrdPath === undefined)) {
      throw new RemasterError('USAGE', 'armed hosts have answers only remaster serve can deliver (no HTTP URL, no overlay); republish them first', { file: options.tftpRoot });
    }
    return { model: url === '' ? { ...rest, hosts } : { ...rest, hosts, serveUrl: url } };
  });
}

/** Publish a version without the hosts whose expiry has passed at `now`; undefined (nothing published) when none has. */
export async function expireHosts(options: CommitOptions & { now?: Date }): Promise<PublishPlan | undefined> {
  const now = options.now ?? new Date();
  const m = await requireCurrentManifest(options.tftpRoot);
  if (partitionExpired(m.model.hosts, now).expired.length === 0) return undefined;
  return republish({ ...options, now });
}
