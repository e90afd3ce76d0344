/**
 * What a directory tree looks like on disk, independently of remaster: GNU
 * find's type, mode, owner, size, link target and nanosecond mtime of every
 * path (the root included), and sha256sum of every file. Security tests take
 * one before an attack and compare after: nothing outside the target may
 * change, not even an mtime.
 */
import { execFileSync } from 'node:child_process';

/** Return `path → "type mode uid:gid size mtime target sha256"` for `root` and everything under it. */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = execFileSync('find', ['.', '-printf', '%y %m %U:%G %s %T@ %l\\t%p\\n'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
  const files: string[] = [];
  for (const line of lines.split('\n').filter(Boolean)) {
    const tab = line.indexOf('\t');
    const path = line.slice(tab + 1);
    const facts = line.slice(0, tab);
    out.set(path, facts.startsWith('d ') ? facts.replace(/^(d \S+ \S+) \S+/u, '$1 -') : facts);
    if (facts.startsWith('f ')) files.push(path);
  }
  for (let i = 0; i < files.length; i += 500) {
    const sums = execFileSync('sha256sum', ['--', ...files.slice(i, i + 500)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
    for (const line of sums.split('\n').filter(Boolean)) {
      const path = line.slice(66);
      out.set(path, `${out.get(path)} ${line.slice(0, 64)}`);
    }
  }
  return out;
}
