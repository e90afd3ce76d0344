/** `remaster repack <initrd> -o <out> --compression <codec>`: rebuild deterministically with another compression. */
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { parseCompression, runEdit } from '../edit-run.ts';
import { examplesText } from '../help.ts';

export function registerRepack(program: Command, cli: CliContext): void {
  program
    .command('repack')
    .description('rewrite an initrd deterministically; leading uncompressed (microcode) segments stay byte-identical')
    .addHelpText('after', examplesText('remaster repack initrd.img -o initrd-zstd.img -c zstd -l 15'))
    .argument('<initrd>', 'initrd image')
    .requiredOption('-o, --output <file>', 'output image (written atomically)')
    .option('-c, --compression <codec>', 'gzip, xz, lzma, zstd, lz4, bzip2, lzo or none (default: as the main segment)', parseCompression)
    .option('-l, --level <n>', 'compression level', (v) => Number.parseInt(v, 10))
    .action(async (input: string, opts: Record<string, unknown>) => {
      const global = program.opts<{ quiet?: boolean; debug?: boolean; strict?: boolean }>();
      await runEdit(cli, {
        input,
        output: opts.output as string,
        mode: 'rebuild',
        ...(opts.compression ? { compression: opts.compression as never } : {}),
        ...(opts.level !== undefined ? { level: opts.level as number } : {}),
        ...global,
      });
    });
}
