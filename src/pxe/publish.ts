/**
 * publishTree(): a build directory's kernel and initrd (plus per-host
 * kickstarts and boot loaders) into a TFTP root, as one new version
 * (commit.ts). Kickstarts go to the HTTP root when there is one
 * (`inst.ks=<url>`), else into a one-file overlay initrd
 * (`inst.ks=file:/ks.cfg`), because anaconda cannot fetch over TFTP.
 */
import { createHash } from 'node:crypto';
import { RemasterError } from '../errors.ts';
import { digestInput, makeKickstartOverlay } from '../fsx/index.ts';
import { commitVersion, type CommitOptions } from './commit.ts';
import { contentPath, DEFAULT_GRUB_DIR, DEFAULT_KEEP, httpUrlOf } from './layout.ts';
import { collectLoaders, SIGNED_GRUB_DIR, type LoaderOptions } from './loaders.ts';
import type { PublishManifest } from './manifest.ts';
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
}

/** What a publish did. */
export interface PublishTreeResult {
  version: number;
  manifest: PublishManifest;
  /** Hosts not armed because their expiry had passed. */
  expired: PxeHost[];
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

/** Publish a kickstart file: over HTTP when there is a URL, else as kickstart plus overlay initrd. */
export async function kickstartArtifact(file: string, httpUrl: string | undefined): Promise<{ blobs: PlannedBlob[]; kickstart: PxeKickstart }> {
  const { kickstart, overlay } = await makeKickstartOverlay(file);
  const ks = bytesBlob(kickstart, 'ks.cfg', httpUrl !== undefined);
  if (httpUrl !== undefined) return { blobs: [ks], kickstart: { path: ks.path, httpUrl: httpUrlOf(httpUrl, ks.path) } };
  const img = bytesBlob(overlay, 'ks.img', false);
  return { blobs: [ks, img], kickstart: { path: ks.path, initrdPath: img.path } };
}

/** Resolve hosts' kickstart files into blobs and model hosts. */
export async function resolveHosts(hosts: readonly PublishHostInput[], httpUrl: string | undefined): Promise<{ blobs: PlannedBlob[]; hosts: PxeHost[] }> {
  const blobs: PlannedBlob[] = [];
  const out: PxeHost[] = [];
  for (const { kickstart, ...host } of hosts) {
    if (kickstart === undefined) {
      out.push(host);
      continue;
    }
    const ks = await kickstartArtifact(kickstart, httpUrl);
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
  };
}

function checkHttpUse(options: PublishTreeOptions): void {
  const wanted = Object.entries(options.http ?? {}).filter(([, on]) => on === true).map(([loader]) => loader);
  if (wanted.length > 0 && options.httpUrl === undefined) {
    throw new RemasterError('USAGE', `${wanted.join(', ')} over HTTP needs the URL the files are served under (--http-url http://<server>, with --http-root <dir>)`);
  }
}

/** Publish kernel, initrd, menus, kickstarts and loaders as a new version of the tree. */
export async function publishTree(options: PublishTreeOptions): Promise<PublishTreeResult> {
  checkHttpUse(options);
  // Debian's signed network GRUB has its prefix built in; grub-mknetdir images take any.
  const grubDir = options.grubDir ?? (options.loaders?.grubSigned ? SIGNED_GRUB_DIR : DEFAULT_GRUB_DIR);
  const kernel = await fileArtifact(options.kernel, 'vmlinuz', options.httpUrl);
  const initrd = await fileArtifact(options.initrd, 'initrd.img', options.httpUrl);
  const resolved = await resolveHosts(options.hosts ?? [], options.httpUrl);
  const loaders = await collectLoaders({ ...options.loaders, ...(options.http?.pxelinux === true ? { pxelinuxHttp: true } : {}) }, grubDir);
  const plan = await commitVersion(options, {
    now: options.now ?? new Date(),
    model: buildModel(options, kernel.artifact, initrd.artifact, resolved.hosts),
    artifacts: [kernel.blob, initrd.blob, ...resolved.blobs],
    loaders,
    grubDir,
    publish: {
      keep: options.keep ?? DEFAULT_KEEP,
      ...(options.httpUrl !== undefined ? { httpUrl: options.httpUrl } : {}),
      ...(options.httpRoot !== undefined ? { httpRoot: options.httpRoot } : {}),
    },
  });
  return { version: plan.version, manifest: plan.manifest, expired: plan.expired, plan };
}
