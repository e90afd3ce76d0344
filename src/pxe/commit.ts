/**
 * commitVersion(): the one path every change to a published tree takes
 * (publish, arm, disarm): under the lock, number the new version, plan it,
 * stage it, switch `remaster/current`, then prune what no kept version
 * needs. rollbackTree() switches back to a kept version the same way.
 */
import { join } from 'node:path';
import { RemasterError } from '../errors.ts';
import {
  acquirePublishLock, ensureExports, listPublishedVersions, prunePublished, readCurrentVersion, readPublishedText, stagePublish, switchVersion,
} from '../fsx/index.ts';
import { CURRENT_LINK, LOCK_PATH, MANIFEST_PATH, PUBLISH_DIR, VERSION_MANIFEST, VERSIONS_DIR, versionDir } from './layout.ts';
import { parsePublishManifest, type PublishManifest } from './manifest.ts';
import { planPublish, type PlanPublishInput, type PublishPlan } from './plan.ts';

/** Options shared by every command that changes a published tree. */
export interface CommitOptions {
  tftpRoot: string;
  httpRoot?: string;
  /** Wait this long for another publisher's lock (default 0: fail with PUBLISH_LOCKED). */
  waitMs?: number;
}

/** Read the current manifest of a tree; undefined before the first publish. */
export async function readCurrentManifest(tftpRoot: string): Promise<PublishManifest | undefined> {
  const text = await readPublishedText(tftpRoot, MANIFEST_PATH);
  return text === undefined ? undefined : parsePublishManifest(text, join(tftpRoot, MANIFEST_PATH));
}

/** Read the current manifest; throw INPUT_NOT_FOUND when the tree was never published. */
export async function requireCurrentManifest(tftpRoot: string): Promise<PublishManifest> {
  const m = await readCurrentManifest(tftpRoot);
  if (m === undefined) throw new RemasterError('INPUT_NOT_FOUND', 'no published PXE tree here (remaster/manifest.json is missing); run remaster publish first', { file: tftpRoot });
  return m;
}

async function withLock<T>(options: CommitOptions, run: () => Promise<T>): Promise<T> {
  const lock = await acquirePublishLock(join(options.tftpRoot, LOCK_PATH), options.waitMs !== undefined ? { waitMs: options.waitMs } : {});
  try {
    return await run();
  } finally {
    await lock.release();
  }
}

async function prune(options: CommitOptions, keep: number, previous: PublishManifest | undefined, current: PublishManifest): Promise<void> {
  const roots = { tftpRoot: options.tftpRoot, publishDir: PUBLISH_DIR, ...(options.httpRoot !== undefined ? { httpRoot: options.httpRoot } : {}) };
  const versions = await listPublishedVersions(options.tftpRoot, VERSIONS_DIR);
  const kept = new Set([...versions.slice(-keep), current.version]);
  const keepContent = new Set<string>();
  for (const v of kept) {
    const text = v === current.version ? undefined : await readPublishedText(options.tftpRoot, `${versionDir(v)}/${VERSION_MANIFEST}`);
    const m = text === undefined ? current : parsePublishManifest(text, versionDir(v));
    for (const d of Object.values(m.files)) keepContent.add(d.sha256.slice(0, 16));
  }
  const staleExports = (previous?.exports ?? []).filter((e) => !current.exports.includes(e));
  await prunePublished(roots, { staleExports, versionDirs: versions.filter((v) => !kept.has(v)).map(versionDir), keepContent });
}

/** Plan, stage and switch to a new version; return the plan that was applied. */
export async function commitVersion(options: CommitOptions, input: Omit<PlanPublishInput, 'version'>): Promise<PublishPlan> {
  return withLock(options, async () => {
    const previous = await readCurrentManifest(options.tftpRoot);
    const versions = await listPublishedVersions(options.tftpRoot, VERSIONS_DIR);
    const version = Math.max(0, ...versions, previous?.version ?? 0) + 1;
    const plan = planPublish({ ...input, version, disarmed: [...(input.disarmed ?? []), ...(previous?.disarmed ?? [])] });
    const roots = { tftpRoot: options.tftpRoot, publishDir: PUBLISH_DIR, ...(options.httpRoot !== undefined ? { httpRoot: options.httpRoot } : {}) };
    await stagePublish(roots, plan);
    await switchVersion(roots, plan.versionDir);
    await prune(options, input.publish.keep, previous, plan.manifest);
    return plan;
  });
}

/** Switch back to a kept version (default: the newest one older than the current); return its manifest. */
export async function rollbackTree(options: CommitOptions & { to?: number }): Promise<PublishManifest> {
  return withLock(options, async () => {
    const current = await readCurrentVersion(options.tftpRoot, CURRENT_LINK);
    const versions = await listPublishedVersions(options.tftpRoot, VERSIONS_DIR);
    const target = options.to ?? versions.filter((v) => current === undefined || v < current).at(-1);
    if (target === undefined || !versions.includes(target)) {
      throw new RemasterError('INPUT_NOT_FOUND', `no version ${target ?? 'older than the current one'} to roll back to (kept: ${versions.join(', ') || 'none'})`, { file: options.tftpRoot });
    }
    const text = await readPublishedText(options.tftpRoot, `${versionDir(target)}/${VERSION_MANIFEST}`);
    if (text === undefined) throw new RemasterError('VERIFY_FAILED', 'version has no manifest', { file: join(options.tftpRoot, versionDir(target)) });
    const manifest = parsePublishManifest(text, versionDir(target));
    const roots = { tftpRoot: options.tftpRoot, publishDir: PUBLISH_DIR };
    await ensureExports(roots, manifest.exports);
    await switchVersion(roots, versionDir(target));
    return manifest;
  });
}
