/** `remaster extract <initrd> <dir> [paths...]`: safe extraction (no "..", never through a symlink, devices recorded). */
import type { Command } from 'commander';
import { createExtractTarget, extractEntries, readInitrd, toArchivePath, toIoError, withContext } from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { initrdSource } from '../inputs.ts';
import { escapeName } from '../escape.ts';
import { withLimits } from '../limits.ts';
import { warner } from '../warnings.ts';
import { examplesText } from '../help.ts';

export function registerExtract(program: Command, cli: CliContext): void {
  program
    .command('extract')
    .description('extract every segment into a new directory, later segments overwriting earlier ones as the kernel does')
    .addHelpText('after', examplesText('remaster extract initrd.img tree/', 'remaster extract initrd.img tree/ usr/lib/modules etc/os-release'))
    .argument('<initrd>', 'initrd image')
    .argument('<dir>', 'target directory (created; must be empty if it exists)')
    .argument('[paths...]', 'only these paths (and what lies under them)')
    .action(async (file: string, dir: string, paths: string[]) => {
      const wanted = paths.map(toArchivePath);
      // A wanted path's ancestors are extracted too (as the directories they are): the kernel creates nothing under a missing parent.
      const filter = wanted.length > 0 ? (p: string) => wanted.some((w) => p === w || p.startsWith(`${w}/`) || w.startsWith(`${p}/`)) : undefined;
      await createExtractTarget(dir);
      let quietDevices = 0;
      const onWarning = warner(cli, file);
      try {
        const result = await extractEntries(readInitrd((await initrdSource(file)).open(), withLimits(program, { onWarning })), dir, {
          ...(filter ? { filter } : {}),
          onWarning: (w) => {
            if (w.code === 'PATH_INVALID') quietDevices++;
            else onWarning(w);
          },
        });
        const special = quietDevices > 0 ? `, ${quietDevices} device nodes/fifos recorded (not created): ${result.special.map((s) => escapeName(s.path)).join(' ')}` : '';
        const skipped = result.skipped > 0 ? `, ${result.skipped} entries skipped as the kernel would` : '';
        await write(cli.stderr, `extracted ${result.files} files, ${result.dirs} directories, ${result.symlinks} symlinks, ${result.hardlinks} hard links into ${dir}${skipped}${special}\n`);
      } catch (err) {
        // a disk error without a path of its own names the target directory
        throw withContext(toIoError(err, 'extract', dir), { file });
      }
    });
}
