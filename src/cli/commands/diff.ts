/**
 * `remaster diff <a> <b>`: what differs between the trees two initrds unpack
 * to (library: readInitrdTree + diffTrees). One line per path:
 * `+` added in b, `-` removed, `~` changed with the fields that differ.
 */
import type { Command } from 'commander';
import { diffTrees, readInitrdTree, withContext, type FileTree, type TreeChange, type TreeEntry } from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { escapeName, escapeText, toJson } from '../escape.ts';
import { initrdSource } from '../inputs.ts';
import { withLimits } from '../limits.ts';
import { warner } from '../warnings.ts';
import { examplesText } from '../help.ts';

async function treeOf(file: string, cli: CliContext, program: Command): Promise<FileTree> {
  try {
    return await readInitrdTree((await initrdSource(file)).open(), withLimits(program, { onWarning: warner(cli, file) }));
  } catch (err) {
    throw withContext(err, { file });
  }
}

const octal = (n: number): string => n.toString(8).padStart(4, '0');
const short = (sha: string | undefined): string => (sha === undefined ? '-' : sha.slice(0, 12));

function describe(e: TreeEntry): string {
  const what = e.type === 'char' || e.type === 'block' ? `${e.rdev?.[0]},${e.rdev?.[1]}` : String(e.size);
  const name = e.linkTarget !== undefined ? `${escapeName(e.path)} -> ${escapeName(e.linkTarget)}` : escapeName(e.path);
  return `${(e.type ?? '?').padEnd(7)} ${octal(e.perm)} ${`${e.uid}:${e.gid}`.padEnd(9)} ${what.padStart(10)} ${name}`;
}

function detail(c: TreeChange): string {
  const a = c.a as TreeEntry;
  const b = c.b as TreeEntry;
  const parts = c.fields.map((f) => {
    switch (f) {
      case 'type': return `type ${a.type} → ${b.type}`;
      case 'perm': return `mode ${octal(a.perm)} → ${octal(b.perm)}`;
      case 'owner': return `owner ${a.uid}:${a.gid} → ${b.uid}:${b.gid}`;
      case 'content': return `content ${short(a.sha256)} → ${short(b.sha256)}`;
      case 'size': return `size ${a.size} → ${b.size}`;
      case 'target': return `target ${escapeName(a.linkTarget ?? '')} → ${escapeName(b.linkTarget ?? '')}`;
      case 'rdev': return `device ${a.rdev?.join(',')} → ${b.rdev?.join(',')}`;
      case 'mtime': return `mtime ${a.mtime} → ${b.mtime}`;
    }
  });
  return `~ ${escapeName(c.path)}: ${parts.join(', ')}`;
}

/** Options shared by `diff` and `iso diff`. */
export interface DiffCliOptions {
  mtime?: boolean;
  json?: boolean;
  exitCode?: boolean;
}

/** Add the options shared by `diff` and `iso diff`. */
export function diffOptions(command: Command): Command {
  return command
    .option('--mtime', 'also report modification times that differ')
    .option('--json', 'print one JSON object per change')
    .option('--exit-code', 'exit with status 1 when they differ (errors also exit 1, with a message on stderr)');
}

/**
 * Print tree changes (plus `extra` lines such as boot-record changes, already formatted),
 * a summary on stderr unless quiet or --json, and set the exit code for --exit-code.
 */
export async function printChanges(cli: CliContext, program: Command, a: FileTree, b: FileTree, opts: DiffCliOptions, extra: { text: string; json: object }[] = []): Promise<void> {
  const changes = diffTrees(a, b, { mtime: opts.mtime === true });
  let out = '';
  for (const x of extra) out += opts.json ? `${toJson(x.json)}\n` : `${escapeText(x.text)}\n`;
  for (const c of changes) {
    if (opts.json) out += `${toJson(c)}\n`;
    else if (c.kind === 'added') out += `+ ${describe(c.b as TreeEntry)}\n`;
    else if (c.kind === 'removed') out += `- ${describe(c.a as TreeEntry)}\n`;
    else out += `${detail(c)}\n`;
  }
  await write(cli.stdout, out);
  if (!program.opts().quiet && !opts.json) {
    const count = (k: TreeChange['kind']): number => changes.filter((c) => c.kind === k).length;
    const more = extra.length > 0 ? `, ${extra.length} other difference${extra.length === 1 ? '' : 's'}` : '';
    await write(cli.stderr, `${a.size} vs ${b.size} paths: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed${more}\n`);
  }
  if (opts.exitCode && changes.length + extra.length > 0) process.exitCode = 1;
}

export function registerDiff(program: Command, cli: CliContext): void {
  diffOptions(program
    .command('diff')
    .description('compare the trees two initrds unpack to (every segment, last entry wins, file data by sha256)')
    .addHelpText('after', examplesText('remaster diff initrd.img out/hp-raid/initrd.img', 'remaster diff --json --exit-code a.img b.img'))
    .argument('<a>', 'initrd image (or image.iso:/path)')
    .argument('<b>', 'initrd image (or image.iso:/path)'))
    .action(async (fileA: string, fileB: string, opts: DiffCliOptions) => {
      const a = await treeOf(fileA, cli, program); // one after the other: one decoder at a time
      const b = await treeOf(fileB, cli, program);
      await printChanges(cli, program, a, b, opts);
    });
}
