/**
 * `remaster iso diff <a.iso> <b.iso>`: what differs between two ISOs — every
 * file (Rock Ridge names, content by sha256), the volume label and the El
 * Torito boot entries (described by the file they boot, so moved sectors of
 * the same file are no difference).
 */
import type { Command } from 'commander';
import { readIsoTree, type BootEntry, type IsoImage } from '../../engine.ts';
import type { CliContext } from '../context.ts';
import { diffOptions, printChanges, type DiffCliOptions } from './diff.ts';
import { withIso } from './iso.ts';

/** Describe a boot entry by what it boots: the file whose first sector it loads, else "sectors at LBA n". */
function bootEntries(image: IsoImage): string[] {
  const byLba = new Map<number, string>();
  for (const n of image.walk()) if (n.type === 'file' && n.extents[0] !== undefined && !byLba.has(n.extents[0].lba)) byLba.set(n.extents[0].lba, n.path);
  return (image.bootCatalog?.entries ?? []).map((e: BootEntry) => {
    const media = e.mediaType === 0 ? 'no emulation' : `emulation ${e.mediaType}`;
    const what = byLba.get(e.lba) ?? `a non-file image at LBA ${e.lba}`;
    return `${e.platform}, ${media}, ${e.isBootable ? 'bootable' : 'not bootable'}, loads ${e.sectorCount} sectors of ${what}`;
  });
}

function bootChanges(a: IsoImage, b: IsoImage): { text: string; json: object }[] {
  const out: { text: string; json: object }[] = [];
  if (a.volume.label !== b.volume.label) {
    out.push({ text: `~ [volume label] ${a.volume.label} → ${b.volume.label}`, json: { kind: 'changed', what: 'volume label', a: a.volume.label, b: b.volume.label } });
  }
  const left = bootEntries(a);
  const right = bootEntries(b);
  const unmatched = [...right];
  for (const e of left) {
    const i = unmatched.indexOf(e);
    if (i >= 0) unmatched.splice(i, 1);
    else out.push({ text: `- [boot] ${e}`, json: { kind: 'removed', what: 'boot entry', a: e } });
  }
  for (const e of unmatched) out.push({ text: `+ [boot] ${e}`, json: { kind: 'added', what: 'boot entry', b: e } });
  return out;
}

export function registerIsoDiff(iso: Command, program: Command, cli: CliContext): void {
  diffOptions(iso
    .command('diff')
    .description('compare two ISOs: every file (content by sha256), the volume label and the El Torito boot entries')
    .argument('<a>', 'ISO image')
    .argument('<b>', 'ISO image'))
    .action(async (fileA: string, fileB: string, opts: DiffCliOptions) => {
      const strict = program.opts<{ strict?: boolean }>().strict === true;
      const read = (file: string) => withIso(cli, file, strict, async (source, image) => ({ tree: await readIsoTree(source, image), image }));
      const a = await read(fileA);
      const b = await read(fileB);
      await printChanges(cli, program, a.tree, b.tree, opts, bootChanges(a.image, b.image));
    });
}
