/** `remaster boot-test <build-dir|iso>`: boot under QEMU with a probe in a test copy of the initrd; exit 1 on failure. */
import type { Command } from 'commander';
import type { BootPhase, BootTestResult, ProbeChecks } from '../../index.ts';
import { RemasterError } from '../../engine.ts';
import { library } from '../library.ts';
import { write, type CliContext } from '../context.ts';
import { escapeLines, toJson } from '../escape.ts';
import { warner } from '../warnings.ts';
import { examplesText } from '../help.ts';

const collectList = (v: string, acc: string[]) => [...acc, v];

const PHASE_TEXT: Record<BootPhase, string> = {
  firmware: 'firmware (SeaBIOS or OVMF) started',
  loader: 'boot loader running',
  kernel: 'kernel started',
  userspace: 'userspace: /init running',
};

export function registerBootTest(program: Command, cli: CliContext): void {
  program
    .command('boot-test')
    .description('boot a build directory (kernel + initrd), a published PXE tree (as an armed MAC) or an ISO (BIOS/UEFI, CD-ROM/disk) under QEMU and check it with a probe added to a test copy')
    .argument('<target>', 'build directory made by `remaster build`, a TFTP root made by `remaster publish`, or an ISO image')
    .option('--firmware <fw>', 'bios, uefi, uefi-secure (OVMF with Secure Boot enforcing; PXE trees published with --grub-signed) (repeatable; default: ISO both bios and uefi, others bios)', collectList, [] as string[])
    .option('--media <m>', 'ISO: cdrom, disk (repeatable; default cdrom)', collectList, [] as string[])
    .option('--expect-module <name>', 'module that must load (repeatable)', collectList, [] as string[])
    .option('--expect-file <path>', 'file that must exist (repeatable)', collectList, [] as string[])
    .option('--expect-binary <path>', 'executable that must run with --version (repeatable)', collectList, [] as string[])
    .option('--mac <mac>', 'PXE tree: boot as this host (default: the first armed host)')
    .option('--kernel <path>', 'ISO: the kernel, as a path inside the ISO (default: found from the layout or the boot menus)')
    .option('--initrd <path>', 'ISO: the initrd to probe, as a path inside the ISO (default: found from the layout or the boot menus)')
    .option('--timeout <seconds>', 'per boot (default 240)', (v) => Number.parseInt(v, 10))
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examplesText(
      'remaster boot-test out/hp-raid --expect-module hpsa          # a build directory, booted directly',
      'remaster boot-test rebuilt.iso --firmware bios --firmware uefi --media cdrom --media disk',
      'remaster boot-test mini.iso --initrd /initrd.gz               # name the initrd of an unknown layout',
      'remaster boot-test /srv/tftp --mac 52:54:00:12:34:56 --firmware uefi'))
    .action(async (target: string, o: { firmware: string[]; media: string[]; expectModule: string[]; expectFile: string[]; expectBinary: string[]; mac?: string; kernel?: string; initrd?: string; timeout?: number; json?: boolean }) => {
      const checks: ProbeChecks = {};
      if (o.expectModule.length) checks.modules = o.expectModule;
      if (o.expectFile.length) checks.files = o.expectFile;
      if (o.expectBinary.length) checks.binaries = o.expectBinary;
      const quiet = Boolean(program.opts().quiet || o.json);
      const result = await (await library()).bootTest(target, {
        checks,
        onWarning: warner(cli, target),
        onBoot: (name) => { if (!quiet) cli.stderr.write(`booting ${target} (${name}) under QEMU\n`); },
        onPhase: (_name, phase, ms) => { if (!quiet) cli.stderr.write(`  ${(ms / 1000).toFixed(1).padStart(5)} s  ${PHASE_TEXT[phase]}\n`); },
        ...(o.firmware.length ? { firmware: o.firmware.map(firmwareName) } : {}),
        ...(o.media.length ? { media: o.media as ('cdrom' | 'disk')[] } : {}),
        ...(o.timeout ? { timeoutMs: o.timeout * 1000 } : {}),
        ...(o.mac ? { mac: o.mac } : {}),
        ...(o.kernel ? { kernel: o.kernel } : {}),
        ...(o.initrd ? { initrd: o.initrd } : {}),
      });
      await write(cli.stdout, o.json ? `${toJson(result, 2, (k, v) => (k === 'log' ? undefined : v))}\n` : escapeLines(render(result)));
      if (!result.passed) throw new RemasterError('BOOT_TEST_FAILED', `boot test failed (${result.runs.filter((r) => !r.passed).map((r) => r.name).join(', ')})`, { file: target });
    });
}

function firmwareName(v: string): 'bios' | 'uefi' | 'uefi-secure' {
  if (v === 'bios' || v === 'uefi' || v === 'uefi-secure') return v;
  throw new RemasterError('USAGE', `--firmware ${JSON.stringify(v)}: expected bios, uefi or uefi-secure`);
}

function render(result: BootTestResult): string {
  const lines: string[] = [];
  for (const run of result.runs) {
    lines.push(`${run.passed ? 'PASS' : 'FAIL'} ${run.name} (${(run.durationMs / 1000).toFixed(1)} s, ${run.accel})`);
    for (const c of run.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`);
    if (run.cmdline) lines.push(`  cmdline: ${run.cmdline}`);
    if (!run.passed) lines.push('  console tail:', ...run.tail.map((l) => `    | ${l}`));
  }
  return `${lines.join('\n')}\n`;
}
