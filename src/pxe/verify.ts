/**
 * verifyTree(): check a published tree the way a client will use it.
 * Every file of the current manifest exists (through the exported links)
 * with its sha256; every file a menu names is published; every initrd
 * parses and passes the kernel-safety lint (reference 10 "Negative
 * results", reference 01: xz check CRC32/none, legacy lz4, zstd window,
 * compressed segment < 4 GiB, uncompressed cpio at 4-aligned offsets); the
 * kernel's release matches the initrd's lib/modules/<kver>; every
 * kickstart lints clean for the dialect. Armed hosts whose expiry passed
 * are disarmed (a new version) unless `readOnly`.
 */
import { join } from 'node:path';
import { RemasterError } from '../errors.ts';
import { digestFile, inspectInitrdFile, lstatOrUndefined, mapLimit, readCurrentVersion, readFileHead, readPublishedText } from '../fsx/index.ts';
import { lintAnswers } from '../answers/index.ts';
import { readCurrentManifest } from './commit.ts';
import { republish } from './hosts.ts';
import { decodeKernelRelease, KERNEL_HEAD_SIZE } from './kernel-release.ts';
import { CURRENT_LINK, PUBLISH_DIR } from './layout.ts';
import type { PublishManifest } from './manifest.ts';
import { partitionExpired } from './model.ts';
import { menuLoader, menuReferences } from './references.ts';

/** One thing wrong with a tree. */
export interface VerifyProblem {
  /** Root-relative path involved. */
  path: string;
  kind: 'missing' | 'hash' | 'reference' | 'initrd' | 'kernel' | 'version' | 'kickstart' | 'layout';
  message: string;
}

/** Options for verifyTree. */
export interface VerifyTreeOptions {
  now?: Date;
  /** Report expired hosts instead of disarming them. */
  readOnly?: boolean;
  httpRoot?: string;
}

/** What verify found. */
export interface VerifyTreeResult {
  version: number | undefined;
  problems: VerifyProblem[];
  /** Hosts disarmed because their expiry passed. */
  disarmed: string[];
  /** Release of the kernel and the kernel versions inside the initrd. */
  kernelRelease?: string;
  initrdKernels?: string[];
}

const FOUR_GIB = 2 ** 32;
const READ_CONCURRENCY = 32;

async function checkFiles(root: string, m: PublishManifest, problems: VerifyProblem[]): Promise<void> {
  const entries = Object.entries(m.files);
  const digests = await mapLimit(entries, READ_CONCURRENCY, ([path]) => digestFile(join(root, path)));
  entries.forEach(([path, want], i) => {
    const have = digests[i];
    if (have === undefined) problems.push({ path, kind: 'missing', message: `${path}: listed in the manifest but missing` });
    else if (have.sha256 !== want.sha256) problems.push({ path, kind: 'hash', message: `${path}: sha256 ${have.sha256.slice(0, 16)}… differs from the manifest's ${want.sha256.slice(0, 16)}…` });
  });
  for (const name of m.exports) {
    const info = await lstatOrUndefined(join(root, name));
    if (!info?.isSymbolicLink()) problems.push({ path: name, kind: 'layout', message: `${name}: should be a symlink into ${PUBLISH_DIR}/current/` });
  }
}

function resolveTarget(m: PublishManifest, target: string): string | undefined {
  const base = m.publish.httpUrl?.replace(/\/+$/u, '');
  if (base !== undefined && target.startsWith(`${base}/`)) return target.slice(base.length + 1);
  return /^[a-z]+:\/\//u.test(target) ? undefined : target;
}

async function checkReferences(root: string, m: PublishManifest, problems: VerifyProblem[]): Promise<void> {
  const menus = Object.keys(m.files).filter((p) => menuLoader(p, m.grubDir) !== undefined);
  const exists = new Map<string, Promise<boolean>>();
  const found = await mapLimit(menus, READ_CONCURRENCY, async (path) => {
    const text = (await readPublishedText(root, path)) ?? '';
    const bad: VerifyProblem[] = [];
    for (const ref of menuReferences(text, menuLoader(path, m.grubDir) as 'pxelinux')) {
      const target = resolveTarget(m, ref.target);
      if (target === undefined || target.startsWith('(')) continue;
      const known = m.files[target] !== undefined && (target === ref.target || m.httpFiles.includes(target));
      if (!exists.has(target)) exists.set(target, lstatOrUndefined(join(root, target)).then((s) => s !== undefined));
      if (!known || !(await exists.get(target))) bad.push({ path, kind: 'reference', message: `${path}:${ref.line}: ${ref.kind} ${ref.target} is not a published file` });
    }
    return bad;
  });
  problems.push(...found.flat());
}

async function checkInitrd(root: string, path: string, problems: VerifyProblem[]): Promise<string[]> {
  try {
    const facts = await inspectInitrdFile(join(root, path));
    for (const s of facts.segments) {
      const at = `${path}: segment ${s.index} (at 0x${s.offset.toString(16)})`;
      if (s.params !== undefined && !s.params.kernelSafe) problems.push({ path, kind: 'initrd', message: `${at}: ${s.format} parameters the kernel cannot unpack (${JSON.stringify(s.params)})` });
      if (s.format !== 'cpio' && s.length >= FOUR_GIB) problems.push({ path, kind: 'initrd', message: `${at}: compressed size ${s.length} is 4 GiB or more` });
      if (s.format === 'cpio' && s.offset % 4 !== 0) problems.push({ path, kind: 'initrd', message: `${at}: uncompressed cpio segment is not 4-byte aligned` });
    }
    return facts.kernelVersions;
  } catch (err) {
    if (!(err instanceof RemasterError)) throw err;
    problems.push({ path, kind: 'initrd', message: `${path}: does not parse: ${err.message}` });
    return [];
  }
}

/** The answers dialect to lint a host's file with: the tree's dialect, or by the file's format. */
function lintDialect(m: PublishManifest, format: string | undefined): string | undefined {
  if (format === 'preseed') return 'debian';
  if (format === 'autoinstall') return 'ubuntu';
  const d = m.model.dialect;
  return d === undefined || d === 'generic' || d === 'debian' ? undefined : d === 'ubuntu' ? 'ubuntu18.04' : d;
}

async function checkKickstarts(root: string, m: PublishManifest, problems: VerifyProblem[]): Promise<void> {
  for (const host of m.model.hosts) {
    const path = host.kickstart?.path;
    if (path === undefined) continue;
    const text = await readPublishedText(root, path);
    if (text === undefined) continue; // reported by checkFiles
    const dialect = lintDialect(m, host.kickstart?.format);
    if (dialect === undefined) continue;
    const issues = lintAnswers(text, { dialect, file: path });
    for (const i of issues.filter((x) => x.severity === 'error')) problems.push({ path, kind: 'kickstart', message: `${path}:${i.line}: ${i.message} [${i.code}] (host ${host.mac})` });
  }
}

async function checkVersions(root: string, m: PublishManifest, problems: VerifyProblem[], result: VerifyTreeResult): Promise<void> {
  const kernels = await checkInitrd(root, m.model.initrd.path, problems);
  for (const h of m.model.hosts) if (h.kickstart?.initrdPath !== undefined) await checkInitrd(root, h.kickstart.initrdPath, problems);
  const head = await readFileHead(join(root, m.model.kernel.path), KERNEL_HEAD_SIZE).catch(() => undefined);
  const release = head === undefined ? undefined : decodeKernelRelease(head);
  result.initrdKernels = kernels;
  if (release !== undefined) result.kernelRelease = release;
  if (release !== undefined && kernels.length > 0 && !kernels.includes(release)) {
    problems.push({ path: m.model.initrd.path, kind: 'version', message: `${m.model.initrd.path}: has modules for ${kernels.join(', ')} but the kernel is ${release}` });
  }
}

/** Verify the published tree under `tftpRoot`; return every problem found. */
export async function verifyTree(tftpRoot: string, options: VerifyTreeOptions = {}): Promise<VerifyTreeResult> {
  let m = await readCurrentManifest(tftpRoot);
  if (m === undefined) return { version: undefined, problems: [{ path: `${PUBLISH_DIR}/manifest.json`, kind: 'missing', message: 'no published tree (remaster/manifest.json is missing)' }], disarmed: [] };
  const result: VerifyTreeResult = { version: m.version, problems: [], disarmed: [] };
  const { expired } = partitionExpired(m.model.hosts, options.now ?? new Date());
  if (expired.length > 0 && !options.readOnly) {
    const plan = await republish({ tftpRoot, ...(options.httpRoot !== undefined ? { httpRoot: options.httpRoot } : {}), ...(options.now ? { now: options.now } : {}) }, m, m.model);
    m = plan.manifest;
    result.version = m.version;
    result.disarmed = plan.expired.map((h) => h.mac);
  } else {
    for (const h of expired) result.problems.push({ path: 'remaster/manifest.json', kind: 'layout', message: `host ${h.mac} expired at ${h.expires} but is still armed` });
  }
  const current = await readCurrentVersion(tftpRoot, CURRENT_LINK);
  if (current !== m.version) result.problems.push({ path: CURRENT_LINK, kind: 'layout', message: `${CURRENT_LINK} points at version ${current} but its manifest says ${m.version}` });
  await checkFiles(tftpRoot, m, result.problems);
  await checkReferences(tftpRoot, m, result.problems);
  await checkVersions(tftpRoot, m, result.problems, result);
  await checkKickstarts(tftpRoot, m, result.problems);
  return result;
}
