/** `remaster iso extract <iso> <dir> [paths...]`: safe extraction (no "..", never through a symlink, devices recorded). */
import type { Command } from 'commander';
import { createExtractTarget, extractIsoNodes, readIsoFile, toIoError, type ExtractNode, type IsoNode } from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { warner } from '../warnings.ts';
import { withIso } from './iso.ts';
import { lookup, nodesUnder } from './iso-ls.ts';
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
        const tops = (paths.length > 0 ? paths : ['/']).map((p) => lookup(image, p));
        await createExtractTarget(dir);
        const seen = new Set<IsoNode>();
        const nodes = tops.flatMap((t) => [...nodesUnder(image, t)]).filter((n) => n.path !== '/' && !seen.has(n) && seen.add(n));
        const toExtract = nodes.map((n): ExtractNode => ({ ...n, body: () => readIsoFile(source, n) }));
        const result = await extractIsoNodes(toExtract, dir, { onWarning: warner(cli, file), ...(strict ? { strict } : {}) }).catch((err: unknown) => {
          // a disk error without a path of its own names the target directory
          throw toIoError(err, 'extract', dir);
        });
        await write(cli.stderr, `extracted ${result.files} files, ${result.dirs} directories, ${result.symlinks} symlinks into ${dir}\n`);
      });
    });
}
