/**
 * The publish lock: one publisher at a time per TFTP root. proper-lockfile
 * (reference 09) uses a lock *directory* and mtime refreshes; a lock file
 * created by link(2) is simpler and as robust for one host: the owner record
 * (pid, host, start time) is written to a private temporary file first and
 * then hard-linked to the lock name, which fails with EEXIST atomically, so
 * the lock never exists half-written (an O_EXCL create followed by a write
 * could be killed in between). A lock whose owner pid no longer runs on this
 * host is stale and is taken over; a lock from another host is stale only
 * after `staleMs`. Policy: a second publisher fails at once with
 * PUBLISH_LOCKED naming the owner, unless it asked to wait (`waitMs`).
 * Residual race, documented: two publishers that find the same stale lock
 * at the same instant both remove it only if its content is still the stale
 * record they read, then race on link(2), which exactly one wins.
 */
import { link, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { RemasterError } from '../errors.ts';
import { randomBytes } from 'node:crypto';
import { counted } from './publish-ops.ts';

/** Who holds a lock. */
export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

/** A held lock; release it exactly once. */
export interface PublishLock {
  path: string;
  release(): Promise<void>;
}

/** Options for acquirePublishLock. */
export interface AcquireLockOptions {
  /** Keep retrying this long before failing with PUBLISH_LOCKED (default 0: fail at once). */
  waitMs?: number;
  /** Age after which a lock held by another host counts as stale (default 1 hour). */
  staleMs?: number;
}

const POLL_MS = 50;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<{ text: string; owner: LockOwner | undefined } | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return { text, owner: JSON.parse(text) as LockOwner };
  } catch {
    return { text, owner: undefined };
  }
}

async function isStale(path: string, owner: LockOwner | undefined, staleMs: number): Promise<boolean> {
  if (owner !== undefined && owner.host === hostname()) return !isRunning(owner.pid);
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > staleMs;
}

async function tryLink(path: string, record: string): Promise<boolean> {
  // not a `.tmp` name: prune removes those, and this one must survive until link(2)
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.pending`;
  await writeFile(tmp, record, { flag: 'wx' });
  try {
    await counted(() => link(tmp, path));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** Take the lock file at `path`, removing a stale one; throw PUBLISH_LOCKED when another publisher holds it. */
export async function acquirePublishLock(path: string, options: AcquireLockOptions = {}): Promise<PublishLock> {
  const record = `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() })}\n`;
  const deadline = Date.now() + (options.waitMs ?? 0);
  await mkdir(dirname(path), { recursive: true });
  for (;;) {
    if (await tryLink(path, record)) {
      await removeDeadPending(path);
      return { path, release: () => releaseLock(path, record) };
    }
    const seen = await readOwner(path);
    if (seen !== undefined && (await isStale(path, seen.owner, options.staleMs ?? 3_600_000))) {
      const again = await readOwner(path);
      if (again?.text === seen.text) await counted(() => unlink(path).catch(() => {}));
      continue;
    }
    if (Date.now() >= deadline) {
      const who = seen?.owner ? `pid ${seen.owner.pid} on ${seen.owner.host} since ${seen.owner.startedAt}` : 'an unknown owner';
      throw new RemasterError('PUBLISH_LOCKED', `another publish holds the lock (${who}); retry later or wait for it`, { file: path });
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Remove owner records that publishers killed between write and link(2) left behind. */
async function removeDeadPending(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    const m = name.startsWith(prefix) ? /^(\d+)\.[0-9a-f]+\.pending$/u.exec(name.slice(prefix.length)) : null;
    if (m && !isRunning(Number(m[1]))) await counted(() => unlink(join(dirname(path), name)).catch(() => {}));
  }
}

async function releaseLock(path: string, record: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  // never remove a lock someone else took over after ours was judged stale
  if (current === record) await counted(() => unlink(path));
}
