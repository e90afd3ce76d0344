/** `remaster iso rebuild <in.iso> -o <out.iso>`: replace/add files and edit kernel arguments, replaying the boot setup (mkksiso-like). */
import { InvalidArgumentError, type Command } from 'commander';
import { bootConfigEditor, checkOutputFile, createIsoWorkdir, listLinuxEntries, rebuildIso, type BootConfigChange, type IsoFileMapping, type RebuildIsoResult } from '../../engine.ts';
import { write, type CliContext } from '../context.ts';
import { escapeLines, escapeName } from '../escape.ts';
import { runSteps } from '../tasks.ts';
import { warner } from '../warnings.ts';
import { examplesText } from '../help.ts';

/** Split "host:image" at the last colon. */
export function parseIsoMapping(value: string, previous: IsoFileMapping[] = []): IsoFileMapping[] {
  const i = value.lastIndexOf(':');
  if (i <= 0 || i === value.length - 1) throw new InvalidArgumentError(`expected <host-path>:<iso-path>, got ${JSON.stringify(value)}`);
  return [...previous, { hostPath: value.slice(0, i), isoPath: value.slice(i + 1) }];
}

const collect = (v: string, previous: string[] = []): string[] => [...previous, v];

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/u.test(value) || !Number.isSafeInteger(n) || n > 3600) throw new InvalidArgumentError(`expected whole seconds from 0 to 3600, got ${JSON.stringify(value)}`);
  return n;
}

function summary(r: RebuildIsoResult): string {
  const lines = [`wrote ${r.output} (label "${escapeName(r.volumeLabel)}")`];
  for (const f of r.replaced) lines.push(`replaced ${f.isoPath}${f.linkOf ? ` (hard link of ${f.linkOf})` : ''} <- ${f.hostPath}`);
  for (const f of r.added) lines.push(`added    ${f.isoPath} <- ${f.hostPath}`);
  for (const c of r.configs) {
    const entries = [c.edited.length > 0 && `kernel arguments in ${c.edited.map((t) => JSON.stringify(t)).join(', ')}`, c.skipped.length > 0 && `left alone (no Linux kernel with an initrd): ${c.skipped.map((t) => JSON.stringify(t)).join(', ')}`].filter(Boolean);
    lines.push(`config   ${c.path}: ${c.changes} line${c.changes === 1 ? '' : 's'} changed${entries.length > 0 ? `; ${entries.join('; ')}` : ''}`);
  }
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
    .option('--kernel-arg <arg>', 'add a kernel argument to every entry that loads a Linux kernel with an initrd (repeatable)', collect)
    .option('--remove-kernel-arg <key>', 'remove a kernel argument by key; inst.ks also removes ks (repeatable)', collect)
    .option('--volume-label <label>', 'new volume label; boot config references follow')
    .option('--timeout <seconds>', 'boot menu timeout (ISOLINUX, GRUB, and the GRUB in the EFI image); 0 boots the default at once', parseSeconds)
    .option('--default <entry>', 'entry to boot by default: ISOLINUX label or menu label, GRUB title, --id or index')
    .addHelpText('after', examplesText(
      'remaster iso rebuild debian.iso -o auto.iso --add preseed.cfg:/preseed.cfg --kernel-arg auto=true --kernel-arg file=/cdrom/preseed.cfg --timeout 1',
      'remaster iso rebuild rhel9.iso -o ks.iso --add ks.cfg:/ks.cfg --kernel-arg inst.ks=hd:LABEL=RHEL-9-4-0-BaseOS-x86_64:/ks.cfg',
      'remaster iso rebuild in.iso -o out.iso --replace new-initrd.img:/images/pxeboot/initrd.img --default check'))
    .action(async (input: string, opts: { output: string; add?: IsoFileMapping[]; replace?: IsoFileMapping[]; kernelArg?: string[]; removeKernelArg?: string[]; volumeLabel?: string; timeout?: number; default?: string }) => {
      await checkOutputFile(opts.output);
      const global = program.opts<{ quiet?: boolean; debug?: boolean; strict?: boolean }>();
      const warn = { onWarning: warner(cli, input), ...(global.strict ? { strict: true } : {}) };
      const kernelArgs = { add: opts.kernelArg ?? [], remove: opts.removeKernelArg ?? [] };
      const change: BootConfigChange = {
        ...(kernelArgs.add.length + kernelArgs.remove.length > 0 ? { kernelArgs } : {}),
        ...(opts.volumeLabel !== undefined ? { volumeLabel: opts.volumeLabel } : {}),
        ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
        ...(opts.default !== undefined ? { defaultEntry: opts.default } : {}),
      };
      const isEditing = Object.keys(change).length > 0;
      const state: { result?: RebuildIsoResult } = {};
      await runSteps([{
        title: `rebuild ${input} -> ${opts.output}`,
        run: async (s) => {
          s.result = await rebuildIso({
            input, output: opts.output, replace: opts.replace ?? [], add: opts.add ?? [], createWorkdir: createIsoWorkdir, listEntries: listLinuxEntries, ...warn,
            ...(isEditing ? { editConfig: bootConfigEditor(change) } : {}),
            ...(opts.default !== undefined ? { requireDefault: `${JSON.stringify(opts.default)} (give an ISOLINUX label or menu label, a GRUB title, --id or index)` } : {}),
            ...(opts.volumeLabel !== undefined ? { volumeLabel: opts.volumeLabel } : {}),
          });
        },
      }], state, cli, { ...(global.quiet ? { quiet: true } : {}), ...(global.debug ? { debug: true } : {}) });
      if (state.result) await write(cli.stdout, summary(state.result));
    });
}
