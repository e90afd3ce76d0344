/**
 * Scratch space for work that needs real files (QEMU reads images from
 * disk; OVMF needs a writable copy of its variable store). Directories are
 * private (mkdtemp, 0700) and removed by the caller.
 */
import { access, constants as fsConstants, copyFile, cp, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { RemasterError } from '../errors.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Create a private temporary directory. */
export async function makeScratchDir(prefix = 'remaster-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Remove a scratch directory and everything in it. */
export async function removeScratchDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Return true when `path` exists (any type). */
export async function pathExists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/**
 * Return true when KVM can accelerate an x86 guest: /dev/kvm is usable and
 * the CPU advertises hardware virtualisation (vmx/svm). A /dev/kvm backed by
 * something else (seen here: kvm_pvm without vmx/svm) starts but never boots.
 */
export async function canUseKvm(): Promise<boolean> {
  const device = await access('/dev/kvm', fsConstants.R_OK | fsConstants.W_OK).then(() => true, () => false);
  if (!device) return false;
  const cpuinfo = await readFile('/proc/cpuinfo', 'latin1').catch(() => '');
  return /^flags\s*:.*\b(vmx|svm)\b/m.test(cpuinfo);
}

/** Copy one file. */
export async function copyFileTo(from: string, to: string): Promise<void> {
  await copyFile(from, to);
}

/** Copy a directory tree (symlinks kept as links, never followed). */
export async function copyTree(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
}

/** Resolve `rel` inside `root` through symlinks and refuse anything that lands outside it. */
async function insideTree(root: string, rel: string): Promise<string> {
  const base = await realpath(root);
  const full = await realpath(join(root, rel));
  if (full !== base && !full.startsWith(`${base}/`)) {
    throw new RemasterError('PATH_ESCAPE', `resolves outside the tree (${full})`, { file: join(root, rel) });
  }
  return full;
}

/** Rewrite a text file of a (scratch) tree in place; the path must resolve inside the tree. */
export async function editTextInTree(root: string, rel: string, edit: (text: string) => string): Promise<void> {
  const full = await insideTree(root, rel);
  await writeFile(full, edit(await readFile(full, 'utf8')));
}

/** Overwrite a file of a (scratch) tree with another file; the path must resolve inside the tree. */
export async function replaceFileInTree(root: string, rel: string, from: string): Promise<void> {
  const full = await insideTree(root, rel);
  await rm(full, { force: true });
  await copyFile(from, full);
}
