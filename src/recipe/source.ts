/**
 * Resolve a recipe's source: explicit kernel/initrd files, or an installer
 * ISO whose kernel and initrd are found by layout detection (or named as
 * paths inside it). Files are read in place, never extracted.
 */
import { RemasterError } from '../errors.ts';
import { listLinuxEntries } from '../bootcfg/index.ts';
import { fileRangeSource, openFileSource, type BlockSource, type FileRangeSource } from '../io/index.ts';
import { detectLayout, isoFileRangeSource, readIso, readIsoText, type InstallerLayout } from '../iso/index.ts';
import type { Recipe } from './schema.ts';
import { readNetboot } from './netboot.ts';
import { resolve } from 'node:path';

/** The opened source of a build. */
export interface ResolvedSource {
  initrd: FileRangeSource;
  kernel?: FileRangeSource;
  /** Human description, e.g. "rhel9.iso:/images/pxeboot/initrd.img". */
  initrdName: string;
  kernelName?: string;
  layout?: InstallerLayout;
  close(): Promise<void>;
}

/** Open the source named by a recipe; host paths are relative to `baseDir`. */
export async function resolveSource(recipe: Recipe, baseDir: string): Promise<ResolvedSource> {
  const src = recipe.source;
  if (src.netboot !== undefined) {
    const wanted = { ...(src.kernel ? { kernel: src.kernel } : {}), ...(src.initrd ? { initrd: src.initrd } : {}) };
    const nb = await readNetboot(resolve(baseDir, src.netboot), src.netboot, wanted);
    return { initrd: nb.initrd, kernel: nb.kernel, initrdName: nb.initrd.name, kernelName: nb.kernel.name, close: async () => {} };
  }
  if (src.iso === undefined) {
    const initrdFile = resolve(baseDir, src.initrd as string);
    await (await openFileSource(initrdFile)).close();
    const out: ResolvedSource = { initrd: fileRangeSource(initrdFile), initrdName: src.initrd as string, close: async () => {} };
    if (src.kernel !== undefined) {
      const kernelFile = resolve(baseDir, src.kernel);
      await (await openFileSource(kernelFile)).close();
      out.kernel = fileRangeSource(kernelFile);
      out.kernelName = src.kernel;
    }
    return out;
  }
  const isoFile = resolve(baseDir, src.iso);
  const block = await openFileSource(isoFile);
  try {
    return await fromIso(block, src.iso, src.initrd, src.kernel);
  } catch (err) {
    await block.close();
    throw err;
  }
}

async function fromIso(block: BlockSource, isoName: string, initrdPath?: string, kernelPath?: string): Promise<ResolvedSource> {
  const image = await readIso(block);
  const layout = await detectLayout(image, (p) => readIsoText(block, image, p), { listEntries: listLinuxEntries });
  const pick = (given: string | undefined, found: string[], what: string): string => {
    const path = given ?? found[0];
    if (path === undefined) throw new RemasterError('ISO_NOT_FOUND', `no ${what} found (layout ${layout.family}); name it as source.${what}`, { file: isoName });
    return path;
  };
  const initrd = pick(initrdPath, layout.initrds, 'initrd');
  const kernel = pick(kernelPath, layout.kernels, 'kernel');
  const node = (p: string) => {
    const n = image.lookup(p);
    if (!n) throw new RemasterError('ISO_NOT_FOUND', `no ${p} in the ISO`, { file: isoName });
    return n;
  };
  return {
    initrd: isoFileRangeSource(block, node(initrd), `${isoName}:${initrd}`),
    kernel: isoFileRangeSource(block, node(kernel), `${isoName}:${kernel}`),
    initrdName: `${isoName}:${initrd}`,
    kernelName: `${isoName}:${kernel}`,
    layout,
    close: () => block.close(),
  };
}
