/**
 * bootTest(): boot what remaster made under QEMU and judge it with the probe
 * (probe.ts) added to a test copy of the initrd. Targets: a build directory
 * (vmlinuz + initrd.img + manifest.json, booted directly), a kernel + initrd
 * pair, or an installer ISO (a test ISO is rebuilt with the probe initrd and
 * `console=ttyS0 remaster.nonce=…` added to every boot entry, then booted as
 * CD-ROM and/or disk, BIOS and/or UEFI). Nothing given is ever modified.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RemasterError, type WarnOptions } from '../errors.ts';
import { bootConfigEditor, listLinuxEntries, type BootConfigEditFn } from '../bootcfg/index.ts';
import { createIsoWorkdir, makeScratchDir, removeScratchDir } from '../fsx/index.ts';
import { fileRangeSource, openFileSource, writeFileAtomic, type FileRangeSource } from '../io/index.ts';
import { planInitrdEdit, scanInitrd, writeInitrd } from '../initrd/index.ts';
import { detectLayout, readIso, readIsoText, rebuildIso, isoFileRangeSource } from '../iso/index.ts';
import { probeEntries, type ProbeChecks } from './probe.ts';
import { runQemu, type BootPhase, type Firmware, type QemuTarget } from './qemu.ts';
import { judgeLog, probedCmdline, type CheckResult } from './verdict.ts';

/** Options for boot tests. */
export interface BootTestOptions extends WarnOptions {
  checks?: ProbeChecks;
  /** ISO: firmwares to try (default both). */
  firmware?: Firmware[];
  /** ISO: media to try (default cdrom). */
  media?: ('cdrom' | 'disk')[];
  /** Per boot (default 240 s; TCG boots take 5–40 s). */
  timeoutMs?: number;
  memoryMiB?: number;
  /** Extra kernel arguments (direct boots). */
  append?: string;
  /** ISO: the kernel to boot, as a path inside the ISO; the test copy's menus boot the first entry that loads it. */
  kernel?: string;
  /** ISO: the initrd to probe, as a path inside the ISO (default: what layout detection finds); every hard-linked copy is replaced. */
  initrd?: string;
  signal?: AbortSignal;
  /** Called before each boot with its name. */
  onBoot?: (name: string) => void;
  /** QEMU binary to run (default qemu-system-x86_64). */
  qemu?: string;
  /** Called as each boot reaches a phase (firmware, loader, kernel, userspace), with the time since QEMU started. */
  onPhase?: (name: string, phase: BootPhase, elapsedMs: number) => void;
}

/** One boot and its verdict. */
export interface BootRun {
  name: string;
  passed: boolean;
  checks: CheckResult[];
  durationMs: number;
  accel: 'kvm' | 'tcg';
  timedOut: boolean;
  cmdline?: string;
  /** Last console lines (for failures). */
  tail: string[];
  log: string;
}

/** All boots of one target. */
export interface BootTestResult {
  target: string;
  passed: boolean;
  runs: BootRun[];
}

const DEFAULT_TIMEOUT_MS = 240_000;

/** Write a copy of `initrd` with the probe appended as a gzip segment (kernel-safe everywhere). */
export async function writeProbeInitrd(initrd: FileRangeSource, checks: ProbeChecks, out: string, options: WarnOptions = {}): Promise<void> {
  const index = await scanInitrd(initrd.open(), options);
  const plan = planInitrdEdit(index, { add: probeEntries(checks) }, { mode: 'append', compression: 'gzip', ...options });
  await writeFileAtomic(out, writeInitrd(initrd, index, plan, options));
}

/** Boot one target and judge its console (used by every boot-test flavour). */
export async function bootWith(name: string, target: QemuTarget, nonce: string, scratch: string, options: BootTestOptions): Promise<BootRun> {
  options.onBoot?.(name);
  const checks = options.checks ?? {};
  const run = await runQemu(target, {
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, scratch, stopOn: new RegExp(`REMASTER-PROBE-END nonce=${nonce}`),
    ...(options.memoryMiB ? { memoryMiB: options.memoryMiB } : {}), ...(options.signal ? { signal: options.signal } : {}),
    ...(options.qemu !== undefined ? { qemu: options.qemu } : {}),
    ...(options.onPhase ? { onPhase: (phase: BootPhase, ms: number) => options.onPhase?.(name, phase, ms) } : {}),
  });
  const results = judgeLog(run.log, nonce, checks);
  if (target.kind !== 'kernel' && target.firmware === 'uefi-secure') {
    // shim and GRUB refuse unsigned images outright; the kernel's own report shows the mode it ran in
    const on = /Secure boot enabled/u.test(run.log);
    results.push({ check: 'secure boot', ok: on, detail: on ? 'the kernel reports Secure Boot enabled' : 'the kernel did not report Secure Boot enabled' });
  }
  if (run.timedOut && !results[1]?.ok) results.push({ check: 'time', ok: false, detail: `no verdict within ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s` });
  const out: BootRun = {
    name, passed: results.every((r) => r.ok), checks: results, durationMs: run.durationMs, accel: run.accel, timedOut: run.timedOut,
    tail: run.log.trimEnd().split('\n').slice(-25), log: run.log,
  };
  const cmdline = probedCmdline(run.log);
  if (cmdline !== undefined) out.cmdline = cmdline;
  return out;
}

/** Boot a kernel with a probe copy of an initrd. */
export async function bootTestKernel(kernel: string, initrd: FileRangeSource, options: BootTestOptions = {}): Promise<BootTestResult> {
  const scratch = await makeScratchDir('remaster-boot-test-');
  try {
    const nonce = randomBytes(8).toString('hex');
    const probe = join(scratch, 'initrd-probe.img');
    await writeProbeInitrd(initrd, options.checks ?? {}, probe, options);
    const append = ['console=ttyS0', 'panic=-1', options.append, `remaster.nonce=${nonce}`].filter(Boolean).join(' ');
    const run = await bootWith('kernel + initrd', { kind: 'kernel', kernel, initrd: probe, append }, nonce, scratch, options);
    return { target: initrd.name, passed: run.passed, runs: [run] };
  } finally {
    await removeScratchDir(scratch);
  }
}

/** Boot a build directory made by `remaster build`. */
export async function bootTestBuild(dir: string, options: BootTestOptions = {}): Promise<BootTestResult> {
  const kernel = join(dir, 'vmlinuz');
  await (await openFileSource(kernel).catch((err: unknown) => {
    throw new RemasterError('INPUT_NOT_FOUND', `no kernel (vmlinuz) in the build directory; the recipe's source had none`, { file: dir }, { cause: err });
  })).close();
  const result = await bootTestKernel(kernel, fileRangeSource(join(dir, 'initrd.img')), options);
  return { ...result, target: dir };
}

/** Rebuild an ISO with the probe initrd and boot it through each firmware and medium. */
export async function bootTestIso(iso: string, options: BootTestOptions = {}): Promise<BootTestResult> {
  const scratch = await makeScratchDir('remaster-boot-test-');
  try {
    const nonce = randomBytes(8).toString('hex');
    const block = await openFileSource(iso);
    let initrds: string[];
    try {
      const image = await readIso(block, options);
      const layout = await detectLayout(image, (p) => readIsoText(block, image, p), { listEntries: listLinuxEntries });
      initrds = options.initrd !== undefined ? [options.initrd] : layout.initrds;
      for (const [what, path] of [['kernel', options.kernel], ['initrd', options.initrd]] as const) {
        if (path !== undefined && image.lookup(path)?.type !== 'file') throw new RemasterError('ISO_NOT_FOUND', `no file ${path} in the ISO for --${what}`, { file: iso });
      }
      const first = initrds[0] === undefined ? undefined : image.lookup(initrds[0]);
      if (!first) throw new RemasterError('ISO_NOT_FOUND', `no initrd found in the ISO (layout ${layout.family}); name it with --initrd <path in the ISO>`, { file: iso });
      await writeProbeInitrd(isoFileRangeSource(block, first, `${iso}:${first.path}`), options.checks ?? {}, join(scratch, 'initrd-probe.img'), options);
    } finally {
      await block.close();
    }
    const testIso = join(scratch, 'boot-test.iso');
    await rebuildIso({
      input: iso, output: testIso, createWorkdir: createIsoWorkdir, listEntries: listLinuxEntries, ...pickWarn(options),
      replace: initrds.map((p) => ({ hostPath: join(scratch, 'initrd-probe.img'), isoPath: p })),
      editConfig: testCopyEditor(nonce, options),
      ...(options.kernel !== undefined ? { requireDefault: `that loads ${options.kernel} (a Linux kernel with an initrd)` } : {}),
    });
    const runs: BootRun[] = [];
    for (const firmware of options.firmware ?? ['bios', 'uefi']) {
      for (const as of options.media ?? ['cdrom']) {
        runs.push(await bootWith(`${firmware} ${as}`, { kind: 'iso', iso: testIso, firmware, as }, nonce, scratch, options));
      }
    }
    return { target: iso, passed: runs.every((r) => r.passed), runs };
  } finally {
    await removeScratchDir(scratch);
  }
}

/**
 * Boot configs of the test copy: the probe's kernel arguments on every entry,
 * and a one-second menu timeout appended last (the last setting wins in both
 * GRUB and syslinux), since a menu without a timeout waits for a key forever.
 */
function testCopyEditor(nonce: string, options: WarnOptions & { kernel?: string }): BootConfigEditFn {
  // Without an installer's `quiet` (which may follow `---`, after anything added) and with loglevel=6, the
  // kernel's notices (its banner) show, so the kernel phase is seen.
  const edit = bootConfigEditor({
    kernelArgs: { add: ['console=ttyS0', 'loglevel=6', 'panic=-1', `remaster.nonce=${nonce}`], remove: ['quiet'] },
    ...(options.kernel !== undefined ? { defaultKernel: options.kernel } : {}),
  }, pickWarn(options));
  return (text, context) => {
    const result = edit(text, context);
    const tail = context.kind === 'grub' ? 'set timeout=1\n' : 'timeout 10\nprompt 0\n';
    const sep = result.text.endsWith('\n') ? '' : '\n';
    // The added lines are changes too: a config with no Linux entry (an ISOLINUX main config that only
    // includes the menus) must still be written, or its `timeout 0` keeps waiting for a key.
    return { ...result, text: `${result.text}${sep}# remaster boot-test\n${tail}`, changes: result.changes + 1 + tail.split('\n').length - 1 };
  };
}

function pickWarn(o: WarnOptions): WarnOptions {
  return { ...(o.onWarning ? { onWarning: o.onWarning } : {}), ...(o.strict ? { strict: true } : {}) };
}

/** Checks a build's manifest implies: its modules load and its injected files exist. */
export async function checksFromManifest(dir: string): Promise<ProbeChecks> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const c of fileRangeSource(join(dir, 'manifest.json')).open()) chunks.push(c);
  } catch {
    return {};
  }
  const manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { files?: { path: string; type: string }[]; modules?: { name: string }[] };
  const files = (manifest.files ?? []).filter((f) => f.type === 'file').slice(0, 64).map((f) => `/${f.path}`);
  const modules = (manifest.modules ?? []).map((m) => m.name);
  return { ...(files.length ? { files } : {}), ...(modules.length ? { modules } : {}) };
}

/** Boot-test a build directory, a published PXE tree or an ISO, whichever `target` is. */
export async function bootTest(target: string, options: BootTestOptions & { mac?: string } = {}): Promise<BootTestResult> {
  const published = await openFileSource(join(target, 'remaster/manifest.json')).catch(() => undefined);
  if (published) {
    await published.close();
    const { bootTestTftp } = await import('./tftp.ts');
    return bootTestTftp(target, options);
  }
  const block = await openFileSource(join(target, 'manifest.json')).catch(() => undefined);
  if (block) {
    await block.close();
    const implied = await checksFromManifest(target);
    const given = options.checks ?? {};
    const merge = (a?: string[], b?: string[]) => [...new Set([...(a ?? []), ...(b ?? [])])];
    const checks: ProbeChecks = { ...given, files: merge(implied.files, given.files), modules: merge(implied.modules, given.modules), binaries: merge(implied.binaries, given.binaries) };
    return bootTestBuild(target, { ...options, checks });
  }
  const file = await openFileSource(target);
  try {
    const isIso = file.size > 0x8006 && Buffer.from(await file.read(0x8001, 5)).toString('latin1') === 'CD001';
    if (!isIso) throw new RemasterError('USAGE', 'boot-test takes a build directory (with manifest.json), a published PXE tree or an ISO image', { file: target });
  } finally {
    await file.close();
  }
  return bootTestIso(target, options);
}
