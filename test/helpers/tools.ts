/**
 * Oracle tools (GNU cpio, bsdtar, xz, zstd, ...): tests that need one call
 * requireTool(t, 'cpio'). Locally a missing tool skips the test with a
 * visible notice; under CI=true it fails, because CI installs every oracle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';

const cache = new Map<string, boolean>();

/** Return true when `name` is on PATH. */
export function hasTool(name: string): boolean {
  let known = cache.get(name);
  if (known === undefined) {
    known = spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
    cache.set(name, known);
  }
  return known;
}

/** Skip (locally) or fail (CI=true) the test when a tool is missing; return true when present. */
export function requireTool(t: TestContext, ...names: string[]): boolean {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length === 0) return true;
  const msg = `needs ${missing.join(', ')} (not on PATH)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI must install it`);
  t.diagnostic(`SKIPPED: ${msg}`);
  t.skip(msg);
  return false;
}

/** Skip (locally) or fail (CI=true) the test when a file a package installs is missing; return true when present. */
export function requireFile(t: TestContext, path: string, pkg: string): boolean {
  if (existsSync(path)) return true;
  const msg = `needs ${path} (${pkg})`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI must install it`);
  t.diagnostic(`SKIPPED: ${msg}`);
  t.skip(msg);
  return false;
}

/** Run a tool synchronously with stdin bytes; return stdout or throw with stderr. */
export function runTool(cmd: string, args: string[], input?: Uint8Array, cwd?: string): Uint8Array {
  const r = spawnSync(cmd, args, { input, cwd, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString()}`);
  return new Uint8Array(r.stdout);
}
