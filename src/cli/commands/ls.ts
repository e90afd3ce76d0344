/** `remaster ls <initrd>`: every entry of every segment, `cpio -tv`-like, with a segment column. */
import type { Command } from 'commander';
import { readInitrd, withContext, type InitrdLimits } from '../../core.ts';
import { write, type CliContext } from '../context.ts';
import { toJson } from '../escape.ts';
import { formatListLine, type ListLine } from '../format.ts';
import { initrdSource } from '../inputs.ts';
import { withLimits } from '../limits.ts';
import { warner } from '../warnings.ts';
import { examplesText } from '../help.ts';

/** What `remaster ls` was asked for. */
export interface LsOptions {
  json?: boolean;
  segment?: number;
  limits?: InitrdLimits;
}

export function registerLs(program: Command, cli: CliContext): void {
  program
    .command('ls')
    .description('list every entry of every segment (cpio -tv style, numeric owners, UTC times)')
    .addHelpText('after', examplesText('remaster ls initrd.img | grep lib/modules', 'remaster ls -s 3 initrd.img                 # only segment 3'))
    .argument('<initrd>', 'initrd image')
    .option('--json', 'print one JSON object per line')
    .option('-s, --segment <n>', 'only entries of segment n', parseSegment)
    .action(async (file: string, opts: { json?: boolean; segment?: number }) => listInitrd(cli, file, withLimits(program, opts)));
}

/** Parse a -s/--segment value (as commander hands it over). */
export function parseSegment(value: string): number {
  return Number.parseInt(value, 10);
}

/** Print the listing of `file` (the action of `remaster ls`, also run by the start-up fast path in fast.ts). */
export async function listInitrd(cli: CliContext, file: string, opts: LsOptions): Promise<void> {
  try {
    let buffer = '';
    const options = { onWarning: warner(cli, file), ...(opts.limits ? { limits: opts.limits } : {}) };
    for await (const e of readInitrd((await initrdSource(file)).open(), options)) {
      if (opts.segment !== undefined && e.segment !== opts.segment) continue;
      const h = e.header;
      const line: ListLine = { segment: e.segment, mode: h.mode, nlink: h.nlink, uid: h.uid, gid: h.gid, size: h.fileSize, rdev: [h.rdevMajor, h.rdevMinor], mtime: h.mtime, name: e.name };
      if (e.linkTarget !== undefined) line.linkTarget = e.linkTarget;
      buffer += opts.json ? `${toJson({ ...line, type: e.type, ino: h.ino })}\n` : `${formatListLine(line)}\n`;
      if (buffer.length > 1 << 16) {
        await write(cli.stdout, buffer);
        buffer = '';
      }
    }
    await write(cli.stdout, buffer);
  } catch (err) {
    throw withContext(err, { file });
  }
}
