/** `remaster inspect <initrd>`: segments, codecs and their parameters, entry counts, kernel versions. */
import type { Command } from 'commander';
import { scanInitrd, withContext } from '../../core.ts';
import { write, type CliContext } from '../context.ts';
import { formatInspect } from '../format.ts';
import { initrdSource } from '../inputs.ts';
import { warner } from '../warnings.ts';
import { examplesText } from '../help.ts';

export function registerInspect(program: Command, cli: CliContext): void {
  program
    .command('inspect')
    .description('show the segments of an initrd: offsets, compression and its parameters, entry counts, kernel versions')
    .addHelpText('after', examplesText('remaster inspect initrd.img                 # segments, codecs, kernel versions', 'remaster inspect --json rhel9.iso:/images/pxeboot/initrd.img'))
    .argument('<initrd>', 'initrd image')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const source = await initrdSource(file).catch((err: unknown) => { throw withContext(err, { file }); });
      const index = await scanInitrd(source.open(), { onWarning: warner(cli, file) }).catch((err: unknown) => {
        throw withContext(err, { file });
      });
      if (opts.json) {
        const { lookup: _l, pathInfo: _p, entries, ...rest } = index;
        await write(cli.stdout, `${JSON.stringify({ file, ...rest, entries: entries.length }, null, 2)}\n`);
      } else {
        await write(cli.stdout, formatInspect(file, index));
      }
    });
}
