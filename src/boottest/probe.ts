/**
 * The boot-test probe: a POSIX shell script that replaces /init in a *test
 * copy* of the initrd (never the published one) and reports on the serial
 * console what a working installer initrd must have: that userspace was
 * reached (with this run's nonce), /proc/cmdline, the modules it could load,
 * the files present, injected binaries answering --version, and the output
 * of extra commands. It then powers off (panic=-1 and -no-reboot end QEMU if
 * poweroff is missing). Only shell builtins, mount and modprobe are used, so
 * it runs on busybox (Debian d-i) and bash (dracut) initrds alike.
 */
import type { AddSpec } from '../initrd/index.ts';

/** What the probe checks besides reaching userspace. */
export interface ProbeChecks {
  /** Modules to modprobe and expect in /proc/modules. */
  modules?: string[];
  /** Paths that must exist. */
  files?: string[];
  /** Executables that must run with --version (exit status 0). */
  binaries?: string[];
  /** Commands whose output must match `expect` (a regular expression source). */
  commands?: { run: string; expect: string }[];
}

export const PROBE_PREFIX = 'REMASTER-PROBE';

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Return the probe script for the given checks. */
export function probeScript(checks: ProbeChecks): string {
  const list = (xs: string[] | undefined) => (xs ?? []).map(shellQuote).join(' ');
  const lines = [
    '#!/bin/sh',
    '# remaster boot-test probe (test copy only)',
    'PATH=/usr/sbin:/usr/bin:/sbin:/bin; export PATH',
    '# Tools may exist only as busybox applets without links (minimal initrds).',
    'run() { "$@" 2>/dev/null || busybox "$@" 2>/dev/null; }',
    'run mount -t proc proc /proc',
    'run mount -t sysfs sysfs /sys',
    'run mount -t devtmpfs devtmpfs /dev',
    '[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1',
    'read -r cmdline < /proc/cmdline',
    'nonce=none',
    'for w in $cmdline; do case "$w" in remaster.nonce=*) nonce=${w#remaster.nonce=} ;; esac; done',
    `echo "${PROBE_PREFIX}-START nonce=$nonce"`,
    `echo "${PROBE_PREFIX}-CMDLINE $cmdline"`,
    `for m in ${list(checks.modules)}; do if run modprobe "$m"; then echo "${PROBE_PREFIX}-MODPROBE ok $m"; else echo "${PROBE_PREFIX}-MODPROBE fail $m"; fi; done`,
    `while read -r name rest; do echo "${PROBE_PREFIX}-LOADED $name"; done < /proc/modules`,
    `for f in ${list(checks.files)}; do if [ -e "$f" ]; then echo "${PROBE_PREFIX}-FILE ok $f"; else echo "${PROBE_PREFIX}-FILE missing $f"; fi; done`,
    `for b in ${list(checks.binaries)}; do "$b" --version >/dev/null 2>&1; echo "${PROBE_PREFIX}-BINARY rc=$? $b"; done`,
  ];
  (checks.commands ?? []).forEach((c, i) => {
    lines.push(`out=$( ${c.run} 2>&1 ); echo "${PROBE_PREFIX}-COMMAND ${i} rc=$? $out"`);
  });
  lines.push(`echo "${PROBE_PREFIX}-END nonce=$nonce"`, 'run poweroff -f || echo o > /proc/sysrq-trigger', 'exit 0', '');
  return lines.join('\n');
}

/** Entries that turn an initrd copy into a probe: /init replaced by the script. */
export function probeEntries(checks: ProbeChecks, mtime = 0): AddSpec[] {
  const data = new TextEncoder().encode(probeScript(checks));
  return [{ path: 'init', type: 'file', mode: 0o755, size: data.length, data, mtime, source: 'remaster boot-test probe' }];
}
