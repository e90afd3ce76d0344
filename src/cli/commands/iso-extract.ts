/** `remaster iso extract <iso> <dir> [paths...]`: safe extraction (no "..", never through a symlink, devices recorded). */
import type { Command } from 'commander';
import { createExtractTarget, extractIsoNodes, readIsoFile, toIoError, type ExtractNode } from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { warner } from '../warnings.ts';
import { withIso } from './iso.ts';
import { lookup } from './iso-ls.ts';
import { examplesText } from '../help.ts';

export function registerIsoExtract(iso: Command, program: Command, cli: CliContext): void {
  iso
    .command('extract')
    .description('extract files into a new or empty directory')
    .addHelpText('after', examplesText('remaster iso extract rhel9.iso tree/ /isolinux /EFI'))
    .argument('<iso>', 'ISO image')
    .argument('<dir>', 'target directory (created; must be empty if it exists)')
    .argument('[paths...]', 'only these paths (and what lies under them)')
    .action(async (file: string, dir: string, paths: string[]) => {
      const strict = program.opts<{ strict?: boolean }>().strict === true;
      await withIso(cli, file, strict, async (source, image) => {
        const tops = (paths.length > 0 ? paths : ['/']).map((p) => lookup(image, p).path);
        await createExtractTarget(dir);
        // Chosen subtrees and their ancestors (extraction creates nothing under a missing parent), in walk order.
        const wanted = (p: string): boolean => tops.some((t) => t === '/' || p === t || p.startsWith(`${t}/`) || t.startsWith(`${p}/`));
        const nodes = [...image.walk()].filter((n) => n.path !== '/' && wanted(n.path));
        const toExtract = nodes.map((n): ExtractNode => ({ ...n, body: () => readIsoFile(source, n) }));
        const result = await extractIsoNodes(toExtract, dir, { onWarning: warner(cli, file), ...(strict ? { strict } : {}) }).catch((err: unknown) => {
          // a disk error without a path of its own names the target directory
          throw toIoError(err, 'extract', dir);
        });
        await write(cli.stderr, `extracted ${result.files} files, ${result.dirs} directories, ${result.symlinks} symlinks into ${dir}\n`);
      });
    });
}
