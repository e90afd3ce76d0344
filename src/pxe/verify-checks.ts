/**
 * The checks of one published version, the way a client will use it: every
 * file of the manifest exists with its sha256; every exported name is the
 * link remaster made; every file a menu names is published; every initrd
 * parses and passes the kernel-safety lint (reference 10 "Negative
 * results", reference 01: xz check CRC32/none, legacy lz4, zstd window,
 * compressed segment < 4 GiB, uncompressed cpio at 4-aligned offsets); the
 * kernel's release matches the initrd's lib/modules/<kver>; every
 * kickstart lints clean for the dialect.
 *
 * `verify` runs them on the served version; a publish runs them on the
 * staged version before its switch (commit.ts), so a publish never serves
 * what verify would reject. `where` maps a client path to the file to read
 * (for a staged version: its menus under `remaster/versions/<n>/`), and
 * `written` hands over the menus just written, so they are not read back.
 */
import { join, posix } from 'node:path';
import { RemasterError } from '../errors.ts';
import { digestFile, inspectInitrdFile, lstatOrUndefined, mapLimit, readFileHead, readPublishedText, readSymlink } from '../fsx/index.ts';
import { lintAnswers } from '../answers/index.ts';
import { decodeKernelRelease, KERNEL_HEAD_SIZE } from './kernel-release.ts';
import { PUBLISH_DIR, relativeTarget } from './layout.ts';
import type { PublishManifest } from './manifest.ts';
import { menuLoader, menuReferences } from './references.ts';

/** One thing wrong with a tree. */
export interface VerifyProblem {
  /** Root-relative path involved. */
  path: string;
  kind: 'missing' | 'hash' | 'reference' | 'initrd' | 'kernel' | 'version' | 'kickstart' | 'layout';
  message: string;
}

/** What the checks of one version found. */
export interface VersionCheck {
  problems: VerifyProblem[];
  kernelRelease?: string;
  initrdKernels: string[];
}

/** Map a root-relative client path to the root-relative path to read. */
export type ClientPathMap = (path: string) => string;

/** How to read the version being checked. */
export interface VersionCheckOptions {
  /** Map a client path to the root-relative file to read (default: the client path itself). */
  where?: ClientPathMap;
  /** Files just written from these bytes (client path → bytes): their hashes are known and their text is read from here. */
  written?: ReadonlyMap<string, Uint8Array>;
}

interface Ctx {
  root: string;
  m: PublishManifest;
  where: ClientPathMap;
  written: ReadonlyMap<string, Uint8Array>;
  problems: VerifyProblem[];
}

const FOUR_GIB = 2 ** 32;
const READ_CONCURRENCY = 32;

const at = (c: Ctx, path: string) => join(c.root, c.where(path));

async function checkFiles(c: Ctx): Promise<void> {
  // a file written from the plan's bytes has the hash the plan computed from them
  const entries = Object.entries(c.m.files).filter(([path]) => !c.written.has(path));
  const digests = await mapLimit(entries, READ_CONCURRENCY, ([path]) => digestFile(at(c, path)));
  entries.forEach(([path, want], i) => {
    const have = digests[i];
    if (have === undefined) c.problems.push({ path, kind: 'missing', message: `${path}: listed in the manifest but missing` });
    else if (have.sha256 !== want.sha256) c.problems.push({ path, kind: 'hash', message: `${path}: sha256 ${have.sha256.slice(0, 16)}… differs from the manifest's ${want.sha256.slice(0, 16)}…` });
  });
}

/** Check that every exported name is exactly the link remaster makes, in a real directory. */
export async function checkExports(root: string, exports: readonly string[]): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  for (const name of exports) {
    const want = relativeTarget(name, `${PUBLISH_DIR}/current/${name}`);
    const parents = name.split('/').slice(0, -1).map((_, i, all) => all.slice(0, i + 1).join('/'));
    for (const dir of parents) {
      if (!(await lstatOrUndefined(join(root, dir)))?.isDirectory()) problems.push({ path: dir, kind: 'layout', message: `${dir}: should be a real directory holding ${name}` });
    }
    const have = await readSymlink(join(root, name));
    if (have !== want) problems.push({ path: name, kind: 'layout', message: `${name}: should be a symlink to ${want}${have === undefined ? '' : `, not to ${have}`}` });
  }
  return problems;
}

function resolveTarget(m: PublishManifest, target: string): string | undefined {
  // answers rendered by remaster serve per host are not files of the tree
  const serve = m.model.serveUrl?.replace(/\/+$/u, '');
  if (serve !== undefined && /^\/(?:ks|preseed|ai)\//u.test(target.slice(serve.length)) && target.startsWith(serve)) return undefined;
  const base = m.publish.httpUrl?.replace(/\/+$/u, '');
  if (base !== undefined && target.startsWith(`${base}/`)) return target.slice(base.length + 1);
  return /^[a-z]+:\/\//u.test(target) ? undefined : target;
}

async function checkReferences(c: Ctx): Promise<void> {
  const menus = Object.keys(c.m.files).filter((p) => menuLoader(p, c.m.grubDir) !== undefined);
  const exists = new Map<string, Promise<boolean>>();
  const found = await mapLimit(menus, READ_CONCURRENCY, async (path) => {
    const bytes = c.written.get(path);
    const text = bytes !== undefined ? new TextDecoder().decode(bytes) : ((await readPublishedText(c.root, c.where(path))) ?? '');
    const bad: VerifyProblem[] = [];
    for (const ref of menuReferences(text, menuLoader(path, c.m.grubDir) as 'pxelinux')) {
      const target = resolveTarget(c.m, ref.target);
      if (target === undefined || target.startsWith('(')) continue;
      const known = c.m.files[target] !== undefined && (target === ref.target || c.m.httpFiles.includes(target));
      if (!exists.has(target)) exists.set(target, lstatOrUndefined(at(c, posix.normalize(target))).then((s) => s !== undefined));
      if (!known || !(await exists.get(target))) bad.push({ path, kind: 'reference', message: `${path}:${ref.line}: ${ref.kind} ${ref.target} is not a published file` });
    }
    return bad;
  });
  c.problems.push(...found.flat());
}

async function checkInitrd(c: Ctx, path: string): Promise<string[]> {
  try {
    const facts = await inspectInitrdFile(at(c, path));
    for (const s of facts.segments) {
      const seg = `${path}: segment ${s.index} (at 0x${s.offset.toString(16)})`;
      if (s.params !== undefined && !s.params.kernelSafe) c.problems.push({ path, kind: 'initrd', message: `${seg}: ${s.format} parameters the kernel cannot unpack (${JSON.stringify(s.params)})` });
      if (s.format !== 'cpio' && s.length >= FOUR_GIB) c.problems.push({ path, kind: 'initrd', message: `${seg}: compressed size ${s.length} is 4 GiB or more` });
      if (s.format === 'cpio' && s.offset % 4 !== 0) c.problems.push({ path, kind: 'initrd', message: `${seg}: uncompressed cpio segment is not 4-byte aligned` });
    }
    return facts.kernelVersions;
  } catch (err) {
    if (!(err instanceof RemasterError)) throw err;
    c.problems.push({ path, kind: 'initrd', message: `${path}: does not parse: ${err.message}` });
    return [];
  }
}

/** The answers dialect to lint a host's file with: by the file's format, else the tree's dialect. */
function lintDialect(m: PublishManifest, format: string | undefined): string | undefined {
  if (format === 'preseed') return 'debian';
  if (format === 'autoinstall') return 'ubuntu';
  const d = m.model.dialect;
  return d === undefined || d === 'generic' || d === 'debian' ? undefined : d === 'ubuntu' ? 'ubuntu18.04' : d;
}

async function checkKickstarts(c: Ctx): Promise<void> {
  for (const host of c.m.model.hosts) {
    const path = host.kickstart?.path;
    const dialect = lintDialect(c.m, host.kickstart?.format);
    if (path === undefined || dialect === undefined) continue;
    const text = await readPublishedText(c.root, c.where(path));
    if (text === undefined) continue; // reported by checkFiles
    const issues = lintAnswers(text, { dialect, file: path });
    for (const i of issues.filter((x) => x.severity === 'error')) c.problems.push({ path, kind: 'kickstart', message: `${path}:${i.line}: ${i.message} [${i.code}] (host ${host.mac})` });
  }
}

async function checkVersions(c: Ctx, result: VersionCheck): Promise<void> {
  const kernels = await checkInitrd(c, c.m.model.initrd.path);
  for (const h of c.m.model.hosts) if (h.kickstart?.initrdPath !== undefined) await checkInitrd(c, h.kickstart.initrdPath);
  const head = await readFileHead(at(c, c.m.model.kernel.path), KERNEL_HEAD_SIZE).catch(() => undefined);
  const release = head === undefined ? undefined : decodeKernelRelease(head);
  result.initrdKernels = kernels;
  if (release !== undefined) result.kernelRelease = release;
  if (release !== undefined && kernels.length > 0 && !kernels.includes(release)) {
    c.problems.push({ path: c.m.model.initrd.path, kind: 'version', message: `${c.m.model.initrd.path}: has modules for ${kernels.join(', ')} but the kernel is ${release}` });
  }
}

/** Run every check of one version's manifest. */
export async function checkPublishedVersion(root: string, m: PublishManifest, options: VersionCheckOptions = {}): Promise<VersionCheck> {
  const c: Ctx = { root, m, where: options.where ?? ((p) => p), written: options.written ?? new Map(), problems: [] };
  const result: VersionCheck = { problems: c.problems, initrdKernels: [] };
  await checkFiles(c);
  c.problems.push(...(await checkExports(root, m.exports)));
  await checkReferences(c);
  await checkVersions(c, result);
  await checkKickstarts(c);
  return result;
}
