/**
 * `remaster iso diff <a.iso> <b.iso>`: what differs between two ISOs — every
 * file (Rock Ridge names, content by sha256), the volume label and the El
 * Torito boot entries (described by the file they boot, so moved sectors of
 * the same file are no difference). Boot data is compared by what it means
 * (iso/boot-digest.ts): boot images with their patched boot-info fields
 * masked, the catalog by its entries, a non-file EFI image by its bytes.
 */
import type { Command } from 'commander';
import { readBootMeaning, readIsoTree, type BootMeaning, type IsoImage } from '../../engine.ts';
import type { CliContext } from '../context.ts';
import { diffOptions, printChanges, type DiffCliOptions } from './diff.ts';
import { withIso } from './iso.ts';
import { examplesText } from '../help.ts';

function bootChanges(a: { image: IsoImage; boot: BootMeaning }, b: { image: IsoImage; boot: BootMeaning }): { text: string; json: object }[] {
  const out: { text: string; json: object }[] = [];
  if (a.image.volume.label !== b.image.volume.label) {
    out.push({ text: `~ [volume label] ${a.image.volume.label} → ${b.image.volume.label}`, json: { kind: 'changed', what: 'volume label', a: a.image.volume.label, b: b.image.volume.label } });
  }
  const left = a.boot.entries;
  const right = b.boot.entries;
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
    .addHelpText('after', examplesText('remaster iso diff stock.iso rebuilt.iso', 'remaster iso diff --exit-code a.iso b.iso && echo same'))
    .argument('<a>', 'ISO image')
    .argument('<b>', 'ISO image'))
    .action(async (fileA: string, fileB: string, opts: DiffCliOptions) => {
      const strict = program.opts<{ strict?: boolean }>().strict === true;
      const read = (file: string) => withIso(cli, file, strict, async (source, image) => {
        const boot = await readBootMeaning(source, image);
        return { tree: await readIsoTree(source, image, { digests: boot.digests }), image, boot };
      });
      const a = await read(fileA);
      const b = await read(fileB);
      await printChanges(cli, program, a.tree, b.tree, opts, bootChanges(a, b));
    });
}
