/**
 * `remaster ls FILE` in its plain forms starts without commander (src/cli/fast.ts,
 * issue 16: start-up is most of a listing's time): the built binary, traced
 * module by module, loads no commander module, and prints exactly what the
 * commander program (createProgram, run in this process) prints, including
 * errors and exit codes. Forms the fast path does not know go to commander.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createProgram } from '../../src/cli/program.ts';
import { RemasterError } from '../../src/index.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { CLI } from '../helpers/run-cli.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const HOOK = resolve(import.meta.dirname, '../helpers/trace-modules.ts');

function runTraced(args: string[], dir: string, n: number): { code: number | null; stdout: string; stderr: string; modules: string[] } {
  const trace = join(dir, `trace-${n}.txt`);
  writeFileSync(trace, '');
  const r = spawnSync(process.execPath, ['--import', HOOK, CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TZ: 'UTC', REMASTER_TRACE_MODULES: trace } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, modules: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
}

/** The same command line through commander, in this process: stdout, and the exit code and message run.ts would give. */
async function runCommander(args: string[], cwd: string): Promise<{ code: number; stdout: string; message?: string }> {
  let stdout = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { stdout += chunk.toString(); cb(); } });
  const argv = ['node', 'remaster', ...args];
  const cli = { stdout: sink, stderr: sink, env: { TZ: 'UTC' }, isTTY: false, cwd };
  try {
    await (await createProgram(cli, argv)).parseAsync(argv);
    return { code: 0, stdout };
  } catch (err) {
    assert.ok(err instanceof RemasterError, String(err));
    return { code: err.code === 'USAGE' ? 2 : 1, stdout, message: err.message };
  }
}

const isCommander = (url: string) => url.includes('/node_modules/commander/');

test('plain ls command lines load no commander module and print what the commander program prints', async (t) => {
  const dir = await tmpDir(t);
  const early = makeCpio([{ name: 'kernel', mode: 0o40755 }, { name: 'kernel/x86', mode: 0o40755 }, { name: 'kernel/x86/microcode.bin', data: 'µcode' }]);
  const main = makeCpio([
    { name: '.', mode: 0o40755 }, { name: 'bin', mode: 0o120777, data: 'usr/bin' }, { name: 'dev/console', mode: 0o20600, rdevMajor: 5, rdevMinor: 1 },
    { name: 'etc/a\tb', data: 'tab in the name\n', mtime: 1600000000 }, { name: 'init', mode: 0o100755, data: '#!/bin/sh\n' },
  ]);
  const image = new Uint8Array(early.length + main.length);
  image.set(early, 0);
  image.set(main, early.length);
  const img = join(dir, 'initrd.img');
  writeFileSync(img, image);
  const cases = [
    ['ls', img],
    ['ls', '--json', img],
    ['ls', img, '-s', '2'],
    ['--quiet', 'ls', '--segment=1', img],
    ['ls', img, '--debug', '--strict', '--max-entries', '100'],
    ['ls', '--max-entries', '2', img],
    ['ls', '--max-entries=0', img],
    ['ls', join(dir, 'missing.img')],
  ];
  let n = 0;
  for (const args of cases) {
    const fast = runTraced(args, dir, n++);
    assert.deepEqual(fast.modules.filter(isCommander), [], `${args.join(' ')} loaded commander`);
    assert.ok(fast.modules.some((u) => u.endsWith('/dist/cli/fast.js')), 'the trace saw the CLI start');
    const slow = await runCommander(args, dir);
    assert.equal(fast.code, slow.code, `${args.join(' ')}: exit code; stderr ${fast.stderr}`);
    assert.equal(fast.stdout, slow.stdout, `${args.join(' ')}: stdout`);
    if (slow.message === undefined) assert.equal(fast.stderr, '');
    else assert.ok(fast.stderr.includes(slow.message), `${args.join(' ')}: stderr ${JSON.stringify(fast.stderr)} lacks ${JSON.stringify(slow.message)}`);
  }
  const segments = runTraced(['ls', img], dir, n++).stdout.split('\n').filter(Boolean).map((l) => l.slice(0, 2));
  assert.deepEqual(segments, [' 1', ' 1', ' 1', ' 2', ' 2', ' 2', ' 2', ' 2'], 'both segments listed');
});

test('ls command lines the fast path does not know go through commander: help, misplaced and unknown options', async (t) => {
  const dir = await tmpDir(t);
  writeFileSync(join(dir, 'initrd.img'), makeCpio([{ name: 'init', data: 'x' }]));
  const help = runTraced(['ls', '--help'], dir, 0);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: remaster ls \[options\] <initrd>[\s\S]*Examples:/u);
  assert.ok(help.modules.some(isCommander));
  for (const [i, args] of [['--json', 'ls', 'initrd.img'], ['ls', '--bogus', 'initrd.img'], ['ls', 'initrd.img', 'second.img']].entries()) {
    const r = runTraced(args, dir, i + 1);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /error: (unknown option|too many arguments)/u);
    assert.ok(r.modules.some(isCommander));
  }
  const combined = runTraced(['ls', '-s1', 'initrd.img'], dir, 9);
  assert.equal(combined.code, 0, combined.stderr);
  assert.ok(combined.modules.some(isCommander), 'a combined short option is left to commander');
});
