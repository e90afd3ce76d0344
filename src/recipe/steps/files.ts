/** The `files` step: host files and trees into the image, owner root:root unless given; removals by path or glob. */
import { resolve } from 'node:path';
import type { AddSpec } from '../../initrd/index.ts';
import type { HostEntriesOptions } from '../../fsx/index.ts';
import type { FilesStep } from '../schema.ts';
import { pathSelector, readPackageFiles } from '../package-source.ts';

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
    if ('package' in item) {
      adds.push(...(await packageEntries(item, baseDir)));
      continue;
    }
    const options: HostEntriesOptions = {};
    if (item.uid !== undefined) options.uid = item.uid;
    if (item.gid !== undefined) options.gid = item.gid;
    const mode = parseMode(item.mode);
    if (mode !== undefined) options.mode = mode;
    adds.push(...(await hostEntries(resolve(baseDir, item.from), item.to, options)));
  }
  return { adds, removes: step.remove ?? [] };
}

/** Files of a vendor package, at their own paths (under `to`), owner root:root, modes as packaged. */
async function packageEntries(item: { package: string; paths?: string[] | undefined; to?: string | undefined }, baseDir: string): Promise<AddSpec[]> {
  const files = await readPackageFiles(resolve(baseDir, item.package), pathSelector(item.paths, () => true));
  const prefix = (item.to ?? '/').replace(/\/+$/, '');
  const out: AddSpec[] = [];
  for (const f of files) {
    const path = `${prefix}/${f.path}`;
    const source = `${item.package}:/${f.path}`;
    if (f.type === 'dir') out.push({ path, type: 'dir', mode: f.mode, keepExisting: true, source });
    else if (f.type === 'symlink') out.push({ path, type: 'symlink', linkTarget: f.linkTarget ?? '', source });
    else if (f.type === 'file' && f.data) out.push({ path, type: 'file', mode: f.mode, size: f.data.length, data: f.data, source });
  }
  return out;
}
