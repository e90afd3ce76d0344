/** `remaster iso ls <iso> [path] [--json]` (ls -l-like, recursive) and `remaster iso cat <iso> <path>`. */
import type { Command } from 'commander';
import { formatMode, readIsoFile, RemasterError, type IsoImage, type IsoNode } from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { escapeName, toJson } from '../escape.ts';
import { formatTime } from '../format.ts';
import { withIso } from './iso.ts';

function listLine(n: IsoNode): string {
  const name = n.linkTarget !== undefined ? `${escapeName(n.path)} -> ${escapeName(n.linkTarget)}` : escapeName(n.path);
  return `${formatMode(n.mode)} ${String(n.nlink).padStart(3)} ${String(n.uid).padEnd(5)} ${String(n.gid).padEnd(5)} ${String(n.size).padStart(10)} ${formatTime(n.mtime)} ${name}`;
}

/** Yield `top` and every node below it. */
export function* nodesUnder(image: IsoImage, top: IsoNode): Generator<IsoNode> {
  const prefix = top.path === '/' ? '/' : `${top.path}/`;
  for (const n of image.walk()) if (n === top || n.path.startsWith(prefix)) yield n;
}

export function lookup(image: IsoImage, path: string): IsoNode {
  const node = image.lookup(path);
  if (node === undefined) throw new RemasterError('ENTRY_NOT_FOUND', 'no such path in the image', { entry: path });
  return node;
}

export function registerIsoLs(iso: Command, program: Command, cli: CliContext): void {
  iso
    .command('ls')
    .description('list files recursively (ls -l style, numeric owners, UTC times)')
    .argument('<iso>', 'ISO image')
    .argument('[path]', 'directory or file inside the image', '/')
    .option('--json', 'print one JSON object per line')
    .action(async (file: string, path: string, opts: { json?: boolean }) => {
      await withIso(cli, file, program.opts<{ strict?: boolean }>().strict === true, async (_source, image) => {
        let buffer = '';
        for (const n of nodesUnder(image, lookup(image, path))) {
          const { children: _c, ...rest } = n;
          buffer += opts.json ? `${toJson(rest)}\n` : `${listLine(n)}\n`;
          if (buffer.length > 1 << 16) {
            await write(cli.stdout, buffer);
            buffer = '';
          }
        }
        await write(cli.stdout, buffer);
      });
    });
}

export function registerIsoCat(iso: Command, program: Command, cli: CliContext): void {
  iso
    .command('cat')
    .description('write the bytes of one file to stdout')
    .argument('<iso>', 'ISO image')
    .argument('<path>', 'file inside the image')
    .action(async (file: string, path: string) => {
      await withIso(cli, file, program.opts<{ strict?: boolean }>().strict === true, async (source, image) => {
        for await (const chunk of readIsoFile(source, lookup(image, path))) await write(cli.stdout, chunk);
      });
    });
}
