/**
 * The publish lock: one publisher at a time per TFTP root. proper-lockfile
 * (reference 09) uses a lock *directory* and mtime refreshes; a lock file
 * created by link(2) is simpler and as robust for one host: the owner record
 * is written to a private temporary file first and then hard-linked to the
 * lock name, which fails with EEXIST atomically, so the lock never exists
 * half-written (an O_EXCL create followed by a write could be killed in
 * between). Policy: a second publisher fails at once with PUBLISH_LOCKED
 * naming the owner and how to recover, unless it asked to wait (`waitMs`,
 * counted per owner: a moving queue does not time its waiters out).
 *
 * Who owns a lock, and is it stale? The record holds the pid, the host name,
 * the kernel's boot id (/proc/sys/kernel/random/boot_id, new at every boot)
 * and the process start time (field 22 of /proc/<pid>/stat, clock ticks
 * since boot), so a pid reused after a reboot, or by an unrelated process,
 * is not mistaken for the owner:
 *
 * - same host (or same boot id and pid namespace: a renamed host), same
 *   boot: stale when the pid is gone or started at another time;
 * - same host, another boot id: stale (the machine rebooted since);
 * - same host, no boot id (older records): stale when the pid is gone or the
 *   lock predates this boot;
 * - another host (a shared TFTP root): stale after `staleMs` without a
 *   change; until then the error says how to remove it by hand;
 * - not a lock record at all (garbage, or not a regular file): stale, since
 *   a real lock is never half-written.
 *
 * Residual race, documented: two publishers that find the same stale lock
 * at the same instant both remove it only if its content is still the stale
 * record they read, then race on link(2), which exactly one wins.
 */
import { constants, watch, type FSWatcher } from 'node:fs';
import { link, lstat, mkdir, open, readdir, readFile, readlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { RemasterError } from '../errors.ts';
import { toIoError } from '../io/index.ts';
import { counted } from './publish-ops.ts';

/** Who holds a lock. */
export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** /proc/sys/kernel/random/boot_id of the owner's boot. */
  bootId?: string;
  /** Start time of the owner process (/proc/<pid>/stat field 22), in clock ticks since boot. */
  pidStart?: number;
  /** The owner's pid namespace (/proc/self/ns/pid), so pids of another container are not judged here. */
  pidNs?: string;
}

/** A held lock; release it exactly once. */
export interface PublishLock {
  path: string;
  release(): Promise<void>;
}

/** Options for acquirePublishLock. */
export interface AcquireLockOptions {
  /**
   * Keep retrying while one owner holds the lock this long before failing
   * with PUBLISH_LOCKED (default 0: fail at once). The time counts per
   * owner: when the lock changes hands the queue is moving, and the wait
   * starts again, so a long line of publishers never fails a waiter.
   */
  waitMs?: number;
  /** Age after which a lock held by another host counts as stale (default 1 hour). */
  staleMs?: number;
}

/** Poll interval without inotify; with it, a safety poll in case an event is missed. */
const POLL_MS = 50;
const WATCHED_POLL_MS = 1000;

async function readProc(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').then((t) => t.trim(), () => undefined);
}

/** Return the start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22), or undefined. */
export async function processStartTime(pid: number): Promise<number | undefined> {
  const stat = await readProc(`/proc/${pid}/stat`);
  // field 2 (comm) is in parentheses and may hold spaces or ')': count from the last ')'
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = fields?.[22 - 3];
  return value === undefined ? undefined : Number(value);
}

/** Describe this process as a lock owner. */
export async function currentLockOwner(): Promise<LockOwner> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const bootId = await readProc('/proc/sys/kernel/random/boot_id');
  const pidStart = await processStartTime(process.pid);
  const pidNs = await readlink('/proc/self/ns/pid').catch(() => undefined);
  if (bootId) owner.bootId = bootId;
  if (pidStart !== undefined) owner.pidStart = pidStart;
  if (pidNs) owner.pidNs = pidNs;
  return owner;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface SeenLock {
  text: string;
  owner: LockOwner | undefined;
  mtimeMs: number;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    return Number.isInteger(o.pid) && (o.pid as number) > 0 && typeof o.host === 'string' ? (o as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

async function readOwner(path: string): Promise<SeenLock | undefined> {
  // never follow a planted link: a lock is a regular file or it is garbage
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    if (err.code === 'ELOOP') return null;
    throw toIoError(err, 'read lock', path);
  });
  if (handle === undefined) return undefined;
  if (handle === null) return { text: '', owner: undefined, mtimeMs: 0 };
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { text: '', owner: undefined, mtimeMs: info.mtimeMs };
    const text = (await handle.readFile({ encoding: 'utf8' })).slice(0, 4096);
    return { text, owner: parseOwner(text), mtimeMs: info.mtimeMs };
  } finally {
    await handle.close();
  }
}

async function bootTimeMs(): Promise<number | undefined> {
  const m = /^btime (\d+)$/mu.exec((await readProc('/proc/stat')) ?? '');
  return m ? Number(m[1]) * 1000 : undefined;
}

/** Return why the lock's owner cannot be running any more, or undefined when it may be. */
async function staleReason(seen: SeenLock, me: LockOwner, staleMs: number): Promise<string | undefined> {
  const o = seen.owner;
  if (o === undefined) return 'the lock file is not a lock record';
  // same boot and pid namespace: this machine, whatever its name is now (a renamed host), so the pid can be judged
  const sameKernel = o.bootId !== undefined && o.bootId === me.bootId && o.pidNs !== undefined && o.pidNs === me.pidNs;
  if (!sameKernel && (o.host !== me.host || (o.pidNs !== undefined && me.pidNs !== undefined && o.pidNs !== me.pidNs))) {
    return Date.now() - seen.mtimeMs > staleMs ? `the lock from ${o.host} is older than ${Math.round(staleMs / 1000)} s` : undefined;
  }
  if (o.bootId !== undefined && me.bootId !== undefined && o.bootId !== me.bootId) return 'the machine rebooted since the lock was taken';
  if (!isRunning(o.pid)) return `pid ${o.pid} is not running`;
  if (o.pidStart !== undefined) {
    const start = await processStartTime(o.pid);
    if (start !== undefined && start !== o.pidStart) return `pid ${o.pid} is another process now (started at tick ${start}, the owner at ${o.pidStart})`;
    return undefined;
  }
  const boot = await bootTimeMs();
  return boot !== undefined && seen.mtimeMs < boot ? 'the lock predates the last boot' : undefined;
}

async function tryLink(path: string, record: string): Promise<boolean> {
  // not a `.tmp` name: prune removes those, and this one must survive until link(2)
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.pending`;
  await writeFile(tmp, record, { flag: 'wx' }).catch(async (err: unknown) => {
    await unlink(tmp).catch(() => {});
    throw toIoError(err, 'write lock', path);
  });
  try {
    await counted(() => link(tmp, path));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw toIoError(err, 'take lock', path);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

function lockedError(path: string, seen: SeenLock | undefined, waitedMs: number): RemasterError {
  const o = seen?.owner;
  const who = o ? `pid ${o.pid} on ${o.host} since ${o.startedAt}` : 'an unknown owner';
  const waited = waitedMs > 0 ? ` after waiting ${Math.round(waitedMs / 1000)} s` : '';
  const recover = o && o.host !== hostname()
    ? `if no remaster publish, arm or disarm is running on ${o.host}, remove the lock file (rm ${path}) and run the command again`
    : `wait for it (--wait <seconds>), or if pid ${o?.pid ?? '?'} is not a remaster command, remove the lock file (rm ${path}) and run the command again`;
  return new RemasterError('PUBLISH_LOCKED', `another publish holds the lock (${who})${waited}; ${recover}`, { file: path });
}

/** Take the lock file at `path`, removing a stale one; throw PUBLISH_LOCKED (with how to recover) when another publisher holds it. */
export async function acquirePublishLock(path: string, options: AcquireLockOptions = {}): Promise<PublishLock> {
  const me = await currentLockOwner();
  const record = `${JSON.stringify(me)}\n`;
  const started = Date.now();
  let deadline = started + (options.waitMs ?? 0);
  let holder: string | undefined;
  await mkdir(dirname(path), { recursive: true }).catch((err: unknown) => {
    throw toIoError(err, 'create directory', dirname(path));
  });
  const waiter = new LockWaiter(dirname(path));
  try {
    for (;;) {
      const seen = await readOwner(path);
      // only an absent lock is worth a link(2) attempt: waiters do not churn the directory
      if (seen === undefined) {
        if (await tryLink(path, record)) {
          await removeDeadPending(path);
          return { path, release: () => releaseLock(path, record) };
        }
        continue;
      }
      if ((await staleReason(seen, me, options.staleMs ?? 3_600_000)) !== undefined) {
        const again = await readOwner(path);
        if (again?.text === seen.text) await counted(() => unlink(path).catch(() => {}));
        continue;
      }
      if (holder !== undefined && seen.text !== holder && (options.waitMs ?? 0) > 0) deadline = Date.now() + (options.waitMs ?? 0);
      holder = seen.text;
      if (Date.now() >= deadline) throw lockedError(path, seen, Date.now() - started);
      await waiter.wait(Math.min(deadline - Date.now(), waiter.watching ? WATCHED_POLL_MS : POLL_MS));
    }
  } finally {
    waiter.close();
  }
}

/**
 * Sleep until the lock's directory changes (inotify through fs.watch: the
 * owner's unlink wakes every waiter at once) or `ms` pass. Where watching is
 * not supported (some network filesystems) it is a plain poll.
 */
class LockWaiter {
  #watcher: FSWatcher | undefined;
  #wake: (() => void) | undefined;

  constructor(dir: string) {
    try {
      this.#watcher = watch(dir, { persistent: false }, () => this.#wake?.());
      this.#watcher.on('error', () => this.close());
    } catch {
      this.#watcher = undefined;
    }
  }

  get watching(): boolean {
    return this.#watcher !== undefined;
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
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
  const info = await lstat(path).catch(() => undefined);
  const current = info?.isFile() ? await readFile(path, 'utf8').catch(() => undefined) : undefined;
  // never remove a lock someone else took over after ours was judged stale
  if (current === record) await counted(() => unlink(path));
}
