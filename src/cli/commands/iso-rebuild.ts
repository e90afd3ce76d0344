/** `remaster iso rebuild <in.iso> -o <out.iso>`: replace/add files and edit kernel arguments, replaying the boot setup (mkksiso-like). */
import { InvalidArgumentError, type Command } from 'commander';
import { bootConfigEditor, checkOutputFile, createIsoWorkdir, rebuildIso, type IsoFileMapping, type RebuildIsoResult } from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { escapeLines, escapeName } from '../escape.ts';
import { runSteps } from '../tasks.ts';
import { warner } from '../warnings.ts';

/** Split "host:image" at the last colon. */
export function parseIsoMapping(value: string, previous: IsoFileMapping[] = []): IsoFileMapping[] {
  const i = value.lastIndexOf(':');
  if (i <= 0 || i === value.length - 1) throw new InvalidArgumentError(`expected <host-path>:<iso-path>, got ${JSON.stringify(value)}`);
  return [...previous, { hostPath: value.slice(0, i), isoPath: value.slice(i + 1) }];
}

const collect = (v: string, previous: string[] = []): string[] => [...previous, v];

function summary(r: RebuildIsoResult): string {
  const lines = [`wrote ${r.output} (label "${escapeName(r.volumeLabel)}")`];
  for (const f of r.replaced) lines.push(`replaced ${f.isoPath}${f.linkOf ? ` (hard link of ${f.linkOf})` : ''} <- ${f.hostPath}`);
  for (const f of r.added) lines.push(`added    ${f.isoPath} <- ${f.hostPath}`);
  for (const c of r.configs) lines.push(`config   ${c.path}: ${c.changes} line${c.changes === 1 ? '' : 's'} changed`);
  if (r.md5 !== 'none') lines.push(`implanted MD5: ${r.md5}`);
  return `${escapeLines(lines.join('\n'))}\n`;
}

export function registerIsoRebuild(iso: Command, program: Command, cli: CliContext): void {
  iso
    .command('rebuild')
    .description('write a new ISO with replaced/added files and edited kernel arguments; El Torito, MBR/GPT and the EFI image are replayed')
    .argument('<iso>', 'input ISO image')
    .requiredOption('-o, --output <file>', 'output ISO (written to a temporary name, then renamed)')
    .option('--add <host:iso>', 'add a new file (repeatable)', parseIsoMapping)
    .option('--replace <host:iso>', 'replace a file and every hard-linked copy (repeatable)', parseIsoMapping)
    .option('--kernel-arg <arg>', 'add a kernel argument to every boot entry (repeatable)', collect)
    .option('--remove-kernel-arg <key>', 'remove a kernel argument by key; inst.ks also removes ks (repeatable)', collect)
    .option('--volume-label <label>', 'new volume label; boot config references follow')
    .action(async (input: string, opts: { output: string; add?: IsoFileMapping[]; replace?: IsoFileMapping[]; kernelArg?: string[]; removeKernelArg?: string[]; volumeLabel?: string }) => {
      await checkOutputFile(opts.output);
      const global = program.opts<{ quiet?: boolean; debug?: boolean; strict?: boolean }>();
      const warn = { onWarning: warner(cli, input), ...(global.strict ? { strict: true } : {}) };
      const kernelArgs = { add: opts.kernelArg ?? [], remove: opts.removeKernelArg ?? [] };
      const isEditing = kernelArgs.add.length + kernelArgs.remove.length > 0 || opts.volumeLabel !== undefined;
      const state: { result?: RebuildIsoResult } = {};
      await runSteps([{
        title: `rebuild ${input} -> ${opts.output}`,
        run: async (s) => {
          s.result = await rebuildIso({
            input, output: opts.output, replace: opts.replace ?? [], add: opts.add ?? [], createWorkdir: createIsoWorkdir, ...warn,
            ...(isEditing ? { editConfig: bootConfigEditor({ kernelArgs, ...(opts.volumeLabel !== undefined ? { volumeLabel: opts.volumeLabel } : {}) }) } : {}),
            ...(opts.volumeLabel !== undefined ? { volumeLabel: opts.volumeLabel } : {}),
          });
        },
      }], state, cli, { ...(global.quiet ? { quiet: true } : {}), ...(global.debug ? { debug: true } : {}) });
      if (state.result) await write(cli.stdout, summary(state.result));
    });
}
