/**
 * The independent side of every tree diff test: what GNU find (type, mode,
 * owner, size, link target, mtime) and sha256sum say about a directory on
 * disk, and the changes between two such trees, computed here without any
 * remaster code.
 */
import { execFileSync } from 'node:child_process';
import type { DiffField } from '../../src/index.ts';

export interface Fact { type: string; perm: number; owner: string; size: number; target: string; mtime: number; sha256?: string }

const TYPES: Record<string, string> = { f: 'file', d: 'dir', l: 'symlink', p: 'fifo' };

/** What GNU find and sha256sum say about a tree, keyed by relative path. */
export function oracleFacts(root: string): Map<string, Fact> {
  const out = new Map<string, Fact>();
  const lines = execFileSync('find', ['.', '-mindepth', '1', '-printf', '%y\\t%m\\t%U:%G\\t%s\\t%T@\\t%l\\t%P\\n'], { cwd: root, encoding: 'utf8' });
  for (const line of lines.split('\n').filter(Boolean)) {
    const [y, m, owner, size, mtime, target, path] = line.split('\t') as [string, string, string, string, string, string, string];
    const type = TYPES[y] as string;
    out.set(path, { type, perm: Number.parseInt(m, 8), owner, size: type === 'dir' ? 0 : Number(size), target, mtime: Math.floor(Number(mtime)) });
  }
  const files = [...out].filter(([, f]) => f.type === 'file').map(([p]) => p);
  if (files.length > 0) {
    for (const line of execFileSync('sha256sum', ['--', ...files], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean)) {
      const [sum, path] = [line.slice(0, 64), line.slice(66)];
      (out.get(path) as Fact).sha256 = sum;
    }
  }
  return out;
}

/** The expected diff, computed from the oracle facts. */
export function expectedChanges(a: Map<string, Fact>, b: Map<string, Fact>, mtime: boolean): string[] {
  const out: string[] = [];
  for (const [path, fa] of a) {
    const fb = b.get(path);
    if (fb === undefined) {
      out.push(`- ${path}`);
      continue;
    }
    const fields: DiffField[] = [];
    if (fa.type !== fb.type) fields.push('type');
    if (fa.perm !== fb.perm) fields.push('perm');
    if (fa.owner !== fb.owner) fields.push('owner');
    if (fa.type === fb.type) {
      if (fa.sha256 !== fb.sha256) fields.push('content');
      if (fa.size !== fb.size) fields.push('size');
      if (fa.target !== fb.target) fields.push('target');
    }
    if (mtime && fa.mtime !== fb.mtime) fields.push('mtime');
    if (fields.length > 0) out.push(`~ ${path} ${fields.join(',')}`);
  }
  for (const path of b.keys()) if (!a.has(path)) out.push(`+ ${path}`);
  return out.sort((x, y) => (x.slice(2) < y.slice(2) ? -1 : x.slice(2) > y.slice(2) ? 1 : 0));
}

