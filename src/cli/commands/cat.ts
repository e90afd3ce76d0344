/** `remaster cat <initrd> <path>`: write one file's data, as the kernel leaves it after unpacking, to stdout. */
import type { Command } from 'commander';
import { readInitrdFile, withContext } from '../../core.ts';
import { write, type CliContext } from '../context.ts';
import { initrdSource } from '../inputs.ts';
import { withLimits } from '../limits.ts';
import { warner } from '../warnings.ts';
import { examplesText } from '../help.ts';

export function registerCat(program: Command, cli: CliContext): void {
  program
    .command('cat')
    .description('print the data of one file as the kernel leaves it: later segments win, hard links share their data')
    .addHelpText('after', examplesText('remaster cat initrd.img etc/os-release'))
    .argument('<initrd>', 'initrd image')
    .argument('<path>', 'path inside the image')
    .action(async (file: string, wanted: string) => {
      let data: Uint8Array;
      try {
        data = await readInitrdFile(await initrdSource(file), wanted, withLimits(program, { onWarning: warner(cli, file) }));
      } catch (err) {
        throw withContext(err, { file });
      }
      await write(cli.stdout, data);
    });
}
