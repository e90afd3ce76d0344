/**
 * planPublish(): decide, without touching the disk, every byte and link of
 * one version (layout in layout.ts): the content-addressed blobs to add, the
 * menu files and links of the version directory, the exported top-level
 * names and the manifest. Expired hosts are dropped here, so publish, arm
 * and disarm all disarm them (the clock is the `now` parameter).
 */
import { createHash } from 'node:crypto';
import { RemasterError } from '../errors.ts';
import { contentPath, versionDir, VERSION_MANIFEST } from './layout.ts';
import { ipv4HexName, macConfigName, normalizeMac, normalizeUuid } from './mac.ts';
import { MANIFEST_FORMAT, renderPublishManifest, type DisarmedHost, type FileDigest, type PublishManifest } from './manifest.ts';
import { partitionExpired, type PxeHost, type PxeModel } from './model.ts';
import { renderGrubDefault, renderGrubHost } from './render-grub.ts';
import { ipxeHostPath, renderIpxeDefault, renderIpxeHost } from './render-ipxe.ts';
import { renderPxelinuxDefault, renderPxelinuxHost } from './render-pxelinux.ts';

/** A content-addressed file to add (skipped when already present). */
export interface PlannedBlob {
  /** Root-relative content path (`remaster/<sha16>/<name>`). */
  path: string;
  sha256: string;
  size: number;
  /** Host file to copy, or the bytes themselves. */
  source: string | Uint8Array;
  /** Also publish under the HTTP root. */
  http: boolean;
}

/** A boot loader file at the path a client asks for (`pxelinux.0`, `boot/grub/x86_64-efi/core.efi`). */
export interface LoaderFile {
  path: string;
  sha256: string;
  size: number;
  source: string;
}

/** One entry of a version directory; `path` is relative to the version directory. */
export type VersionEntry =
  | { kind: 'file'; path: string; bytes: Uint8Array }
  | { kind: 'link'; path: string; /** Root-relative path the link resolves to. */ target: string };

/** What planPublish needs. */
export interface PlanPublishInput {
  version: number;
  now: Date;
  /** The model, with artifact paths already content-addressed. */
  model: PxeModel;
  /** Kernel, initrds, kickstarts and overlays, content-addressed. */
  artifacts: PlannedBlob[];
  loaders: LoaderFile[];
  grubDir: string;
  /** Hosts disarmed so far (carried into the new manifest, most recent first). */
  disarmed?: DisarmedHost[];
  publish: PublishManifest['publish'];
}

/** Everything applyPublish writes for one version. */
export interface PublishPlan {
  version: number;
  versionDir: string;
  blobs: PlannedBlob[];
  entries: VersionEntry[];
  exports: string[];
  manifest: PublishManifest;
  /** Hosts dropped because their expiry has passed. */
  expired: PxeHost[];
}

const encoder = new TextEncoder();
const MAX_DISARMED_KEPT = 1000;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkHosts(hosts: readonly PxeHost[]): void {
  const seen = new Set<string>();
  for (const h of hosts) {
    const mac = normalizeMac(h.mac);
    if (seen.has(mac)) throw new RemasterError('USAGE', `host ${mac} is listed twice`);
    seen.add(mac);
    if (h.expires !== undefined && Number.isNaN(Date.parse(h.expires))) throw new RemasterError('USAGE', `host ${mac}: expires ${JSON.stringify(h.expires)} is not an ISO 8601 date`);
  }
}

/**
 * One host's menu files. The IP- and UUID-derived names are GRUB links only: GRUB's per-host file
 * checks the MAC before it offers the install (render-grub.ts). PXELINUX has no conditionals, so
 * an IP name would install any machine DHCP gives that address; it looks the MAC name up before
 * the IP names anyway, so those names are never written for it.
 */
function hostEntries(model: PxeModel, host: PxeHost, grubDir: string): VersionEntry[] {
  const mac = normalizeMac(host.mac);
  const pxe = `pxelinux.cfg/${macConfigName(mac)}`;
  const grub = `${grubDir}/grub.cfg-${macConfigName(mac)}`;
  const aliases = [...(host.ip !== undefined ? [ipv4HexName(host.ip)] : []), ...(host.uuid !== undefined ? [normalizeUuid(host.uuid)] : [])];
  return [
    { kind: 'file', path: pxe, bytes: encoder.encode(renderPxelinuxHost(model, host)) },
    { kind: 'file', path: grub, bytes: encoder.encode(renderGrubHost(model, host)) },
    { kind: 'link', path: `${grubDir}/grub.cfg-01-${mac}`, target: grub },
    { kind: 'file', path: ipxeHostPath(mac), bytes: encoder.encode(renderIpxeHost(model, host)) },
    ...aliases.map((name): VersionEntry => ({ kind: 'link', path: `${grubDir}/grub.cfg-${name}`, target: grub })),
  ];
}

function menuEntries(model: PxeModel, grubDir: string): VersionEntry[] {
  return [
    { kind: 'file', path: 'pxelinux.cfg/default', bytes: encoder.encode(renderPxelinuxDefault(model)) },
    { kind: 'file', path: `${grubDir}/grub.cfg`, bytes: encoder.encode(renderGrubDefault(model)) },
    { kind: 'file', path: 'boot.ipxe', bytes: encoder.encode(renderIpxeDefault(model)) },
    ...model.hosts.flatMap((h) => hostEntries(model, h, grubDir)),
  ];
}

function exportsOf(entries: readonly VersionEntry[], grubDir: string): string[] {
  const names = new Set<string>();
  for (const e of entries) names.add(e.path.startsWith(`${grubDir}/`) ? grubDir : (e.path.split('/')[0] as string));
  return [...names].sort();
}

function loaderBlobs(loaders: readonly LoaderFile[]): { blobs: PlannedBlob[]; links: VersionEntry[] } {
  const blobs = loaders.map((l) => ({ path: contentPath(l.sha256, l.path.slice(l.path.lastIndexOf('/') + 1)), sha256: l.sha256, size: l.size, source: l.source, http: false }));
  const links = loaders.map((l, i): VersionEntry => ({ kind: 'link', path: l.path, target: (blobs[i] as PlannedBlob).path }));
  return { blobs, links };
}

function dedupe(blobs: PlannedBlob[]): PlannedBlob[] {
  const byPath = new Map<string, PlannedBlob>();
  for (const b of blobs) byPath.set(b.path, { ...b, http: b.http || (byPath.get(b.path)?.http ?? false) });
  return [...byPath.values()];
}

/** Plan one version: blobs to add, the version directory's entries, the exports and the manifest. */
export function planPublish(input: PlanPublishInput): PublishPlan {
  checkHosts(input.model.hosts);
  const { active, expired } = partitionExpired(input.model.hosts, input.now);
  const model: PxeModel = { ...input.model, hosts: active };
  const at = input.now.toISOString();
  const menus = menuEntries(model, input.grubDir);
  const loaders = loaderBlobs(input.loaders);
  const entries = [...menus, ...loaders.links];
  const files: Record<string, FileDigest> = {};
  for (const e of menus) if (e.kind === 'file') files[e.path] = { sha256: sha256(e.bytes), size: e.bytes.length };
  for (const l of input.loaders) files[l.path] = { sha256: l.sha256, size: l.size };
  for (const a of input.artifacts) files[a.path] = { sha256: a.sha256, size: a.size };
  const disarmed = [
    ...expired.map((h): DisarmedHost => ({ mac: normalizeMac(h.mac), ...(h.name !== undefined ? { name: h.name } : {}), reason: 'expired', at })),
    ...(input.disarmed ?? []),
  ].slice(0, MAX_DISARMED_KEPT);
  const blobs = dedupe([...input.artifacts, ...loaders.blobs]);
  const exportsList = exportsOf(entries, input.grubDir);
  const manifest: PublishManifest = {
    format: MANIFEST_FORMAT, version: input.version, createdAt: at, model, grubDir: input.grubDir,
    files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    httpFiles: blobs.filter((b) => b.http).map((b) => b.path).sort(), exports: exportsList, disarmed,
    loaders: input.loaders.map((l) => l.path).sort(), publish: input.publish,
  };
  entries.push({ kind: 'file', path: VERSION_MANIFEST, bytes: encoder.encode(renderPublishManifest(manifest)) });
  return { version: input.version, versionDir: versionDir(input.version), blobs, entries, exports: exportsList, manifest, expired };
}

