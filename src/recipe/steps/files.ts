/** The `files` step: host files and trees into the image, owner root:root unless given; removals by path or glob. */
import { resolve } from 'node:path';
import type { AddSpec } from '../../initrd/index.ts';
import type { HostEntriesOptions } from '../../fsx/index.ts';
import type { FilesStep } from '../schema.ts';

type HostEntries = (hostPath: string, imagePath: string, options?: HostEntriesOptions) => Promise<AddSpec[]>;

/** Parse a recipe mode ("0755" or 493). */
export function parseMode(mode: string | number | undefined): number | undefined {
  if (mode === undefined) return undefined;
  return typeof mode === 'number' ? mode : Number.parseInt(mode, 8);
}

/** Collect the entries of a files step. */
export async function prepareFiles(step: FilesStep, baseDir: string, hostEntries: HostEntries): Promise<{ adds: AddSpec[]; removes: string[] }> {
  const adds: AddSpec[] = [];
  for (const item of step.files) {
    const options: HostEntriesOptions = {};
    if (item.uid !== undefined) options.uid = item.uid;
    if (item.gid !== undefined) options.gid = item.gid;
    const mode = parseMode(item.mode);
    if (mode !== undefined) options.mode = mode;
    adds.push(...(await hostEntries(resolve(baseDir, item.from), item.to, options)));
  }
  return { adds, removes: step.remove ?? [] };
}
