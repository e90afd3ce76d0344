/** `remaster add <initrd> <host>:<image>... -o <out>`: add or replace files, as an appended segment or a rebuild. */
import type { Command } from 'commander';
import { RemasterError, hostEntries, type AddSpec } from '../../engine.ts';
import type { CliContext } from '../context.ts';
import { parseCompression, runEdit } from '../edit-run.ts';
import { examplesText } from '../help.ts';

/** Split "host:image" at the last colon. */
export function parseMapping(value: string): { host: string; image: string } {
  const i = value.lastIndexOf(':');
  if (i <= 0 || i === value.length - 1) throw new RemasterError('USAGE', `expected <host-path>:<image-path>, got ${JSON.stringify(value)}`);
  return { host: value.slice(0, i), image: value.slice(i + 1) };
}

export function registerAdd(program: Command, cli: CliContext): void {
  program
    .command('add')
    .description('add or replace files (directories recursively) in an initrd')
    .addHelpText('after', examplesText('remaster add initrd.img ks.cfg:/ks.cfg -o initrd-ks.img        # one appended segment', 'remaster add initrd.img overlay/:/ -o out.img --rebuild -c xz --remove /etc/motd'))
    .argument('<initrd>', 'initrd image')
    .argument('<mapping...>', '<host-path>:<image-path> pairs')
    .requiredOption('-o, --output <file>', 'output image (written atomically)')
    .option('--append', 'append one new segment after the original bytes (default)')
    .option('--rebuild', 'rewrite the image deterministically (needed for --remove)')
    .option('--remove <path>', 'remove a path (and its subtree); needs --rebuild', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('-c, --compression <codec>', 'gzip, xz, lzma, zstd, lz4, bzip2, lzo or none (default: as the edited segment)', parseCompression)
    .option('-l, --level <n>', 'compression level', (v) => Number.parseInt(v, 10))
    .option('--dry-run', 'print the plan as JSON and write nothing')
    .action(async (input: string, mappings: string[], opts: Record<string, unknown>) => {
      if (opts.append && opts.rebuild) throw new RemasterError('USAGE', '--append and --rebuild exclude each other');
      const pairs = mappings.map(parseMapping);
      const global = program.opts<{ quiet?: boolean; debug?: boolean; strict?: boolean }>();
      await runEdit(cli, {
        input,
        output: opts.output as string,
        mode: opts.rebuild ? 'rebuild' : 'append',
        adds: async () => (await Promise.all(pairs.map((p) => hostEntries(p.host, p.image)))).flat() as AddSpec[],
        remove: opts.remove as string[],
        ...(opts.compression ? { compression: opts.compression as never } : {}),
        ...(opts.level !== undefined ? { level: opts.level as number } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...global,
      });
    });
}
