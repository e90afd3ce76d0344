/**
 * publishTree(): a build directory's kernel and initrd (plus per-host
 * kickstarts and boot loaders) into a TFTP root, as one new version
 * (commit.ts). Kickstarts go to the HTTP root when there is one
 * (`inst.ks=<url>`), else into a one-file overlay initrd
 * (`inst.ks=file:/ks.cfg`), because anaconda cannot fetch over TFTP.
 */
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { RemasterError } from '../errors.ts';
import { digestInput, makeKickstartOverlay, readTextFile } from '../fsx/index.ts';
import type { AnswerFormat } from '../answers/index.ts';
import { commitVersion, readCurrentManifest, type CommitOptions } from './commit.ts';
import { contentPath, DEFAULT_GRUB_DIR, DEFAULT_KEEP, httpUrlOf } from './layout.ts';
import { collectLoaders, SIGNED_GRUB_DIR, type LoaderOptions } from './loaders.ts';
import type { DisarmedHost, PublishManifest } from './manifest.ts';
import { normalizeMac } from './mac.ts';
import type { PxeArtifact, PxeDialect, PxeHost, PxeHttpUse, PxeKickstart, PxeModel } from './model.ts';
import type { PlannedBlob, PublishPlan } from './plan.ts';

/** One host to arm, as given on the command line or in a recipe. */
export interface PublishHostInput extends Omit<PxeHost, 'kickstart'> {
  /** Kickstart file on this machine. */
  kickstart?: string;
}

/** Options for publishTree. */
export interface PublishTreeOptions extends CommitOptions {
  /** Base URL under which the HTTP root is served (`http://10.0.0.1/tftp`). */
  httpUrl?: string;
  kernel: string;
  initrd: string;
  label?: string;
  cmdline?: string[];
  dialect?: PxeDialect;
  repo?: string;
  stage2?: string;
  serialConsole?: boolean;
  http?: PxeHttpUse;
  hosts?: PublishHostInput[];
  /** Versions to keep for rollback (default 3). */
  keep?: number;
  /** The clock, for expiry (default: now). */
  now?: Date;
  /** GRUB's prefix directory inside the TFTP root (default boot/grub; grub with loaders.grubSigned). */
  grubDir?: string;
  loaders?: LoaderOptions;
  /** What the hosts' answer files are (default kickstart): preseed or autoinstall user-data (its meta-data beside it). */
  answers?: AnswerFormat;
  /** Disarm the current version's hosts that `hosts` does not list (default: keep them armed). */
  replaceHosts?: boolean;
  /**
   * Publish for `remaster serve` at this base URL: armed hosts' menus fetch their answers from
   * `<url>/ks/<mac>` (rendered per host with callbacks), so no kickstart overlay is made.
   */
  serveUrl?: string;
}

/** What a publish did. */
export interface PublishTreeResult {
  version: number;
  manifest: PublishManifest;
  /** Hosts not armed because their expiry had passed. */
  expired: PxeHost[];
  /** Hosts armed in the previous version and kept armed (not listed in this publish). */
  kept: PxeHost[];
  /** Hosts of the previous version disarmed because `replaceHosts` was set. */
  dropped: PxeHost[];
  plan: PublishPlan;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Describe a file as a content-addressed blob and the artifact that refers to it. */
export async function fileArtifact(source: string, name: string, httpUrl: string | undefined): Promise<{ blob: PlannedBlob; artifact: PxeArtifact }> {
  const d = await digestInput(source);
  const path = contentPath(d.sha256, name);
  const artifact: PxeArtifact = httpUrl !== undefined ? { path, httpUrl: httpUrlOf(httpUrl, path) } : { path };
  return { blob: { path, ...d, source, http: httpUrl !== undefined }, artifact };
}

function bytesBlob(bytes: Uint8Array, name: string, http: boolean): PlannedBlob {
  const digest = sha256(bytes);
  return { path: contentPath(digest, name), sha256: digest, size: bytes.length, source: bytes, http };
}

/** Return a fresh arm id (128 random bits, hex): one per install attempt. */
export function newArmId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Publish an answer file: over HTTP when there is a URL, else with an overlay initrd carrying it (`/ks.cfg`,
 * `/preseed.cfg`); `served` (a tree published for `remaster serve`, which renders it per host) needs neither.
 */
export async function kickstartArtifact(file: string, httpUrl: string | undefined, format: AnswerFormat = 'kickstart', served = false): Promise<{ blobs: PlannedBlob[]; kickstart: PxeKickstart }> {
  if (format === 'autoinstall') return autoinstallArtifact(file, httpUrl, served);
  const name = format === 'preseed' ? 'preseed.cfg' : 'ks.cfg';
  const tag = format === 'kickstart' ? {} : { format };
  const { kickstart, overlay } = await makeKickstartOverlay(file, name);
  const ks = bytesBlob(kickstart, name, httpUrl !== undefined);
  if (httpUrl !== undefined) return { blobs: [ks], kickstart: { path: ks.path, httpUrl: httpUrlOf(httpUrl, ks.path), ...tag } };
  if (served) return { blobs: [ks], kickstart: { path: ks.path, ...tag } };
  const img = bytesBlob(overlay, format === 'preseed' ? 'preseed.img' : 'ks.img', false);
  return { blobs: [ks, img], kickstart: { path: ks.path, initrdPath: img.path, ...tag } };
}

/**
 * Publish autoinstall user-data with its meta-data (the file `meta-data` beside it, or an
 * instance-id derived from the user-data) in one content-addressed directory, which is what
 * `ds=nocloud-net;s=<dir>/` names; the directory id hashes both files.
 */
async function autoinstallArtifact(file: string, httpUrl: string | undefined, served: boolean): Promise<{ blobs: PlannedBlob[]; kickstart: PxeKickstart }> {
  if (httpUrl === undefined && !served) throw new RemasterError('USAGE', `${file}: autoinstall user-data is served over HTTP; give an HTTP root and URL`);
  const userData = new TextEncoder().encode(await readTextFile(file));
  const metaText = await readTextFile(join(dirname(file), 'meta-data')).catch(() => `instance-id: remaster-${sha256(userData).slice(0, 16)}\n`);
  const metaData = new TextEncoder().encode(metaText);
  const dir = sha256(new Uint8Array([...userData, 0, ...metaData]));
  const blob = (bytes: Uint8Array, name: string): PlannedBlob => ({ path: contentPath(dir, name), sha256: sha256(bytes), size: bytes.length, source: bytes, http: httpUrl !== undefined });
  const blobs = [blob(userData, 'user-data'), blob(metaData, 'meta-data')];
  const path = (blobs[0] as PlannedBlob).path;
  const url = httpUrl !== undefined ? { httpUrl: httpUrlOf(httpUrl, path.replace(/user-data$/u, '')) } : {};
  return { blobs, kickstart: { path, ...url, format: 'autoinstall' } };
}

/** Resolve hosts' kickstart files into blobs and model hosts. */
export async function resolveHosts(hosts: readonly PublishHostInput[], httpUrl: string | undefined, format: AnswerFormat = 'kickstart', served = false): Promise<{ blobs: PlannedBlob[]; hosts: PxeHost[] }> {
  const blobs: PlannedBlob[] = [];
  const out: PxeHost[] = [];
  for (const { kickstart, ...host } of hosts) {
    if (kickstart === undefined) {
      out.push(host);
      continue;
    }
    const ks = await kickstartArtifact(kickstart, httpUrl, format, served);
    blobs.push(...ks.blobs);
    out.push({ ...host, kickstart: ks.kickstart });
  }
  return { blobs, hosts: out };
}

function buildModel(options: PublishTreeOptions, kernel: PxeArtifact, initrd: PxeArtifact, hosts: PxeHost[]): PxeModel {
  return {
    label: options.label ?? 'remaster install', kernel, initrd, cmdline: options.cmdline ?? [], hosts, defaultAction: 'local',
    ...(options.dialect !== undefined ? { dialect: options.dialect } : {}),
    ...(options.repo !== undefined ? { repo: options.repo } : {}),
    ...(options.stage2 !== undefined ? { stage2: options.stage2 } : {}),
    ...(options.serialConsole !== undefined ? { serialConsole: options.serialConsole } : {}),
    ...(options.http !== undefined ? { http: options.http } : {}),
    ...(options.serveUrl ? { serveUrl: options.serveUrl.replace(/\/+$/u, '') } : {}),
  };
}

/** The previous version's armed hosts that this publish does not list, with their kickstarts re-derived for this publish. */
async function carriedHosts(root: string, previous: PublishManifest | undefined, listed: readonly PxeHost[], httpUrl: string | undefined, served: boolean): Promise<{ blobs: PlannedBlob[]; hosts: PxeHost[] }> {
  const named = new Set(listed.map((h) => normalizeMac(h.mac)));
  const blobs: PlannedBlob[] = [];
  const hosts: PxeHost[] = [];
  for (const { kickstart, ...host } of previous?.model.hosts ?? []) {
    if (named.has(normalizeMac(host.mac))) continue;
    if (kickstart === undefined) {
      hosts.push(host);
      continue;
    }
    // the published ks.cfg is the host's kickstart; its overlay or URL follow this publish's HTTP setting
    const ks = await kickstartArtifact(join(root, kickstart.path), httpUrl, kickstart.format, served);
    blobs.push(...ks.blobs);
    hosts.push({ ...host, kickstart: ks.kickstart });
  }
  return { blobs, hosts };
}

/**
 * Publish kernel, initrd, menus, kickstarts and loaders as a new version of
 * the tree. Hosts armed in the current version stay armed (a new build does
 * not silently disarm them) unless `replaceHosts`, which disarms every host
 * this publish does not list and reports them in `dropped`.
 */
export async function publishTree(options: PublishTreeOptions): Promise<PublishTreeResult> {
  // Files go to the HTTP root only when menus can point at them by URL; without one it would silently stay empty.
  if (options.httpRoot !== undefined && options.httpUrl === undefined) {
    throw new RemasterError('USAGE', 'an HTTP root needs the URL it is served at (--http-url / pxe.httpUrl): without it nothing would be written there and menus would load everything over TFTP', { file: options.httpRoot });
  }
  // Debian's signed network GRUB has its prefix built in; grub-mknetdir images take any.
  const grubDir = options.grubDir ?? (options.loaders?.grubSigned ? SIGNED_GRUB_DIR : DEFAULT_GRUB_DIR);
  const kernel = await fileArtifact(options.kernel, 'vmlinuz', options.httpUrl);
  const initrd = await fileArtifact(options.initrd, 'initrd.img', options.httpUrl);
  // a tree published for serve stays so unless told otherwise (serveUrl '' turns it off)
  const inherited = options.serveUrl ?? (await readCurrentManifest(options.tftpRoot).catch(() => undefined))?.model.serveUrl;
  const serveUrl = inherited === '' ? undefined : inherited;
  const served = serveUrl !== undefined;
  const resolved = await resolveHosts(options.hosts ?? [], options.httpUrl, options.answers, served);
  const loaders = await collectLoaders(options.loaders ?? {}, grubDir);
  const now = options.now ?? new Date();
  let kept: PxeHost[] = [];
  let dropped: PxeHost[] = [];
  const plan = await commitVersion(options, async (previous) => {
    const carried = await carriedHosts(options.tftpRoot, previous, resolved.hosts, options.httpUrl, served);
    if (options.replaceHosts) dropped = carried.hosts;
    else kept = carried.hosts;
    // a host armed in the previous version keeps its install attempt (and serve's callback secret); a newly armed one starts one
    const armIds = new Map((previous?.model.hosts ?? []).map((h) => [normalizeMac(h.mac), h.armId]));
    const listed = resolved.hosts.map((h) => ({ ...h, armId: armIds.get(normalizeMac(h.mac)) ?? newArmId() }));
    const disarmed = dropped.map((h): DisarmedHost => ({ mac: normalizeMac(h.mac), ...(h.name !== undefined ? { name: h.name } : {}), reason: 'disarmed', at: now.toISOString() }));
    return {
      now,
      model: buildModel({ ...options, ...(serveUrl !== undefined ? { serveUrl } : {}) }, kernel.artifact, initrd.artifact, [...kept.map((h) => ({ ...h, armId: h.armId ?? newArmId() })), ...listed]),
      artifacts: [kernel.blob, initrd.blob, ...resolved.blobs, ...(options.replaceHosts ? [] : carried.blobs)],
      loaders,
      grubDir,
      disarmed,
      publish: {
        keep: options.keep ?? DEFAULT_KEEP,
        ...(options.httpUrl !== undefined ? { httpUrl: options.httpUrl } : {}),
        ...(options.httpRoot !== undefined ? { httpRoot: options.httpRoot } : {}),
      },
    };
  });
  const expired = new Set(plan.expired.map((h) => normalizeMac(h.mac)));
  return { version: plan.version, manifest: plan.manifest, expired: plan.expired, kept: kept.filter((h) => !expired.has(normalizeMac(h.mac))), dropped, plan };
}
