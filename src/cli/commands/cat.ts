/** `remaster cat <initrd> <path>`: write one file's data (the effective, last copy) to stdout. */
import type { Command } from 'commander';
import { RemasterError, readInitrd, toArchivePath, withContext } from '../../core.ts';
import { write, type CliContext } from '../context.ts';
import { initrdSource } from '../inputs.ts';
import { warner } from '../warnings.ts';
import { examplesText } from '../help.ts';

export function registerCat(program: Command, cli: CliContext): void {
  program
    .command('cat')
    .description('print the data of one file; when several segments hold it, the last one (what the kernel keeps)')
    .addHelpText('after', examplesText('remaster cat initrd.img etc/os-release'))
    .argument('<initrd>', 'initrd image')
    .argument('<path>', 'path inside the image')
    .action(async (file: string, wanted: string) => {
      const target = toArchivePath(wanted);
      let data: Uint8Array[] | undefined;
      try {
        for await (const e of readInitrd((await initrdSource(file)).open(), { onWarning: warner(cli, file) })) {
          if (e.type !== 'file' && e.type !== 'symlink') continue;
          let p: string;
          try { p = toArchivePath(e.name); } catch { continue; }
          if (p !== target) continue;
          // Hard-linked files keep data on one link only: an empty later link does not hide earlier data.
          if (e.header.fileSize === 0 && e.header.nlink > 1 && data !== undefined) continue;
          data = [];
          for await (const c of e.body) data.push(c.slice());
        }
      } catch (err) {
        throw withContext(err, { file });
      }
      if (data === undefined) throw new RemasterError('ENTRY_NOT_FOUND', `no file ${JSON.stringify(wanted)} in the image`, { file });
      for (const c of data) await write(cli.stdout, c);
    });
}
