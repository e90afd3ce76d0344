/**
 * commitVersion(): the one path every change to a published tree takes
 * (publish, arm, disarm, expiry): under the lock, check the layout (no
 * planted symlinks, fsx/publish-layout.ts), remove what killed publishes
 * left, read the current manifest, let the caller decide the new version
 * from it (so a read-modify-write of the host list happens entirely under
 * the lock, STYLE §1.8 rule 7), plan it, stage it, check the staged version
 * as verify would (verify-checks.ts), switch `remaster/current`, then prune
 * what no kept version needs. rollbackTree() switches back to a kept
 * version the same way.
 */
import { join, posix } from 'node:path';
import { RemasterError } from '../errors.ts';
import {
  acquirePublishLock, checkPublishLayout, checkVersionTree, ensureExports, ensureRealDir, listPublishedVersions, lstatOrUndefined, prunePublished,
  readCurrentVersion, readPublishedText, removeLeftovers, stagePublish, switchVersion, throwLayoutProblems, type LayoutProblem, type PublishRoots,
} from '../fsx/index.ts';
import { CURRENT_LINK, LOCK_PATH, MANIFEST_PATH, PUBLISH_DIR, VERSION_MANIFEST, VERSIONS_DIR, versionDir } from './layout.ts';
import { parsePublishManifest, type PublishManifest } from './manifest.ts';
import { planPublish, type PlanPublishInput, type PublishPlan } from './plan.ts';
import { checkExports, checkPublishedVersion } from './verify-checks.ts';

/** Options shared by every command that changes a published tree. */
export interface CommitOptions {
  tftpRoot: string;
  httpRoot?: string;
  /** Wait this long for another publisher's lock (default 0: fail with PUBLISH_LOCKED). */
  waitMs?: number;
}

/** What a change decides from the current manifest: the next version's plan input. */
export type CommitInput = Omit<PlanPublishInput, 'version'>;

const NOT_PUBLISHED = 'no published PXE tree here (remaster/manifest.json is missing); run remaster publish first';

/** Read the current manifest of a tree (after checking its layout); undefined before the first publish. */
export async function readCurrentManifest(tftpRoot: string): Promise<PublishManifest | undefined> {
  throwLayoutProblems(tftpRoot, await checkPublishLayout(tftpRoot, PUBLISH_DIR));
  const text = await readPublishedText(tftpRoot, MANIFEST_PATH);
  return text === undefined ? undefined : parsePublishManifest(text, join(tftpRoot, MANIFEST_PATH));
}

/** Read the current manifest; throw INPUT_NOT_FOUND when the tree was never published. */
export async function requireCurrentManifest(tftpRoot: string): Promise<PublishManifest> {
  const m = await readCurrentManifest(tftpRoot);
  if (m === undefined) throw new RemasterError('INPUT_NOT_FOUND', NOT_PUBLISHED, { file: tftpRoot });
  return m;
}

async function readVersionManifest(root: string, v: number): Promise<PublishManifest | undefined> {
  const text = await readPublishedText(root, `${versionDir(v)}/${VERSION_MANIFEST}`);
  return text === undefined ? undefined : parsePublishManifest(text, join(root, versionDir(v), VERSION_MANIFEST));
}

/**
 * Return every layout problem of a tree: remaster's own directories and
 * links (checkPublishLayout), then each version directory with a manifest
 * (checkVersionTree: what rollback could switch to), and the exported
 * names of the served version (checkExports).
 */
export async function treeLayoutProblems(root: string): Promise<LayoutProblem[]> {
  const found = await checkPublishLayout(root, PUBLISH_DIR);
  if (found.length > 0) return found;
  const current = await readCurrentVersion(root, CURRENT_LINK);
  for (const v of await listPublishedVersions(root, VERSIONS_DIR)) {
    const m = await readVersionManifest(root, v).catch(() => undefined);
    if (m !== undefined) found.push(...(await checkVersionTree(root, versionDir(v), PUBLISH_DIR, m.exports)));
    // the client-facing names of the served version: real parent directories, links where remaster put them
    if (m !== undefined && v === current) found.push(...(await checkExports(root, m.exports)));
  }
  return found;
}

async function withLock<T>(options: CommitOptions, create: boolean, run: () => Promise<T>): Promise<T> {
  if (!create && (await lstatOrUndefined(join(options.tftpRoot, PUBLISH_DIR))) === undefined) throw new RemasterError('INPUT_NOT_FOUND', NOT_PUBLISHED, { file: options.tftpRoot });
  // the lock lives in remaster/: never take it through a planted link
  await ensureRealDir(options.tftpRoot, PUBLISH_DIR);
  const lock = await acquirePublishLock(join(options.tftpRoot, LOCK_PATH), options.waitMs !== undefined ? { waitMs: options.waitMs } : {});
  try {
    throwLayoutProblems(options.tftpRoot, await treeLayoutProblems(options.tftpRoot));
    return await run();
  } finally {
    await lock.release();
  }
}

async function prune(roots: PublishRoots, keep: number, previous: PublishManifest | undefined, current: PublishManifest): Promise<void> {
  const versions = await listPublishedVersions(roots.tftpRoot, VERSIONS_DIR);
  const kept = new Set([...versions.slice(-keep), current.version]);
  const keepContent = new Set<string>();
  for (const v of kept) {
    // a kept version whose manifest is missing or unreadable cannot be rolled back to: it keeps nothing
    const m = v === current.version ? current : await readVersionManifest(roots.tftpRoot, v).catch(() => undefined);
    for (const [path, d] of Object.entries(m?.files ?? {})) {
      keepContent.add(d.sha256.slice(0, 16));
      // a content directory named by something other than its file's digest (autoinstall's user-data + meta-data pair)
      const [top, id, name] = path.split('/');
      if (top === PUBLISH_DIR && id !== undefined && name !== undefined) keepContent.add(id);
    }
  }
  const staleExports = (previous?.exports ?? []).filter((e) => !current.exports.includes(e));
  await prunePublished(roots, { staleExports, versionDirs: versions.filter((v) => !kept.has(v)).map(versionDir), keepContent });
}

/** Root-relative directories where exported names are switched (temporary links may be left there). */
function linkDirs(m: PublishManifest | undefined): string[] {
  return ['.', ...(m?.exports ?? []).map((e) => posix.dirname(e))];
}

/** Check a staged version as verify would; throw VERIFY_FAILED listing the problems. */
async function checkStaged(root: string, plan: PublishPlan): Promise<void> {
  const where = (p: string) => (p.startsWith(`${PUBLISH_DIR}/`) ? p : `${plan.versionDir}/${p}`);
  const written = new Map(plan.entries.flatMap((e) => (e.kind === 'file' && e.path !== VERSION_MANIFEST ? [[e.path, e.bytes] as const] : [])));
  const { problems } = await checkPublishedVersion(root, plan.manifest, { where, written });
  if (problems.length === 0) return;
  const shown = problems.slice(0, 5).map((p) => `\n  ${p.message}`).join('') + (problems.length > 5 ? `\n  … and ${problems.length - 5} more` : '');
  throw new RemasterError('VERIFY_FAILED', `version ${plan.version} was not published: it fails the checks of remaster verify (the served version is unchanged):${shown}`, { file: root });
}

/**
 * Decide a new version from the current manifest (`change`, called under
 * the lock), then stage, check, switch and prune; return the applied plan.
 */
export async function commitVersion(options: CommitOptions, change: (previous: PublishManifest | undefined) => Promise<CommitInput>): Promise<PublishPlan> {
  return withLock(options, true, async () => {
    const previous = await readCurrentManifest(options.tftpRoot);
    await removeLeftovers(options.tftpRoot, PUBLISH_DIR, linkDirs(previous));
    const input = await change(previous);
    const httpRoot = options.httpRoot ?? input.publish.httpRoot;
    const roots: PublishRoots = { tftpRoot: options.tftpRoot, publishDir: PUBLISH_DIR, ...(httpRoot !== undefined ? { httpRoot } : {}) };
    if (httpRoot !== undefined) {
      throwLayoutProblems(httpRoot, await checkPublishLayout(httpRoot, PUBLISH_DIR));
      await removeLeftovers(httpRoot, PUBLISH_DIR);
    }
    const versions = await listPublishedVersions(options.tftpRoot, VERSIONS_DIR);
    const version = Math.max(0, ...versions, previous?.version ?? 0) + 1;
    const plan = planPublish({ ...input, version, disarmed: [...(input.disarmed ?? []), ...(previous?.disarmed ?? [])] });
    const staged = await stagePublish(roots, plan);
    try {
      await checkStaged(options.tftpRoot, plan);
      await switchVersion(roots, plan.versionDir);
    } catch (err) {
      if ((await readCurrentVersion(options.tftpRoot, CURRENT_LINK)) !== plan.version) await staged.unstage();
      throw err;
    }
    await prune(roots, input.publish.keep, previous, plan.manifest);
    return plan;
  });
}

/** Switch back to a kept version (default: the newest complete one older than the current); return its manifest. */
export async function rollbackTree(options: CommitOptions & { to?: number }): Promise<PublishManifest> {
  return withLock(options, false, async () => {
    const current = await readCurrentVersion(options.tftpRoot, CURRENT_LINK);
    const versions = await listPublishedVersions(options.tftpRoot, VERSIONS_DIR);
    const older = versions.filter((v) => current === undefined || v < current).reverse();
    let target = options.to;
    for (const v of target === undefined ? older : []) {
      if ((await readVersionManifest(options.tftpRoot, v)) !== undefined) {
        target = v;
        break;
      }
    }
    if (target === undefined || !versions.includes(target)) {
      throw new RemasterError('INPUT_NOT_FOUND', `no version ${target ?? 'older than the current one'} to roll back to (kept: ${versions.join(', ') || 'none'})`, { file: options.tftpRoot });
    }
    const manifest = await readVersionManifest(options.tftpRoot, target);
    if (manifest === undefined) throw new RemasterError('VERIFY_FAILED', 'version has no manifest (an interrupted removal left it incomplete); roll back to another version or remove this directory', { file: join(options.tftpRoot, versionDir(target)) });
    const roots = { tftpRoot: options.tftpRoot, publishDir: PUBLISH_DIR };
    await ensureExports(roots, manifest.exports);
    await switchVersion(roots, versionDir(target));
    return manifest;
  });
}
