/**
 * Judge a console log against the probe's checks: pass only when this run's
 * nonce came back from userspace, the probe finished, and every requested
 * module, file, binary and command check succeeded.
 */
import { PROBE_PREFIX, type ProbeChecks } from './probe.ts';

/** One evaluated check. */
export interface CheckResult {
  check: string;
  ok: boolean;
  detail: string;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Evaluate the log of one boot. */
export function judgeLog(log: string, nonce: string, checks: ProbeChecks): CheckResult[] {
  const has = (re: RegExp) => re.test(log);
  const results: CheckResult[] = [
    { check: 'userspace', ok: has(new RegExp(`${PROBE_PREFIX}-START nonce=${nonce}\\b`)), detail: 'the probe ran as /init with this run\'s nonce' },
    { check: 'probe finished', ok: has(new RegExp(`${PROBE_PREFIX}-END nonce=${nonce}\\b`)), detail: 'the probe reached its end' },
  ];
  if (/Initramfs unpacking failed: (.*)/.test(log)) {
    results.push({ check: 'initramfs unpacked', ok: false, detail: (/Initramfs unpacking failed: (.*)/.exec(log) as RegExpExecArray)[0] });
  }
  for (const m of checks.modules ?? []) {
    const loaded = has(new RegExp(`${PROBE_PREFIX}-LOADED ${escape(m.replaceAll('-', '_'))}\\b`));
    results.push({ check: `module ${m}`, ok: loaded, detail: loaded ? 'loaded' : 'not in /proc/modules after modprobe' });
  }
  for (const f of checks.files ?? []) results.push({ check: `file ${f}`, ok: has(new RegExp(`${PROBE_PREFIX}-FILE ok ${escape(f)}$`, 'm')), detail: 'exists in the booted initrd' });
  for (const b of checks.binaries ?? []) results.push({ check: `binary ${b}`, ok: has(new RegExp(`${PROBE_PREFIX}-BINARY rc=0 ${escape(b)}$`, 'm')), detail: 'runs with --version' });
  (checks.commands ?? []).forEach((c, i) => {
    const m = new RegExp(`${PROBE_PREFIX}-COMMAND ${i} rc=\\d+ (.*)$`, 'm').exec(log);
    const ok = m !== null && new RegExp(c.expect).test(m[1] as string);
    results.push({ check: `command ${c.run}`, ok, detail: `output must match /${c.expect}/` });
  });
  return results;
}

/** The cmdline the probe printed, if any. */
export function probedCmdline(log: string): string | undefined {
  return new RegExp(`${PROBE_PREFIX}-CMDLINE (.*)`).exec(log)?.[1];
}
