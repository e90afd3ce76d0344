/** `remaster inspect <initrd>`: segments, codecs and their parameters, entry counts, kernel versions. */
import type { Command } from 'commander';
import { summarizeInitrd, withContext } from '../../core.ts';
import { write, type CliContext } from '../context.ts';
import { toJson } from '../escape.ts';
import { formatInspect } from '../format.ts';
import { initrdSource } from '../inputs.ts';
import { withLimits } from '../limits.ts';
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
      const index = await summarizeInitrd(source.open(), withLimits(program, { onWarning: warner(cli, file) })).catch((err: unknown) => {
        throw withContext(err, { file });
      });
      if (opts.json) {
        const { entryCount, ...rest } = index;
        await write(cli.stdout, `${toJson({ file, ...rest, entries: entryCount }, 2)}\n`);
      } else {
        await write(cli.stdout, formatInspect(file, index));
      }
    });
}
