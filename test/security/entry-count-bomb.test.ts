// Attack (issue 10 item 9): an image of millions of tiny entries (each ~120 bytes of cpio that
// compress to almost nothing) makes every command that keeps per-entry state grow without bound.
// readInitrd counts entries against limits.maxEntries (default 4,194,304); the CLI's --max-entries
// moves it. Shown here with the limit lowered: every initrd command stops with LIMIT_EXCEEDED,
// exit 1, the entry named, and an edit writes no output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/run-cli.ts';
import { makeCpio } from '../helpers/make-cpio.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

test('every initrd command stops at --max-entries with LIMIT_EXCEEDED and writes nothing', async (t) => {
  const dir = await tmpDir(t);
  const img = join(dir, 'many.img');
  await writeFile(img, gzipSync(makeCpio(Array.from({ length: 1000 }, (_, i) => ({ name: `e${String(i).padStart(4, '0')}` })))));
  const host = join(dir, 'host');
  await writeFile(host, 'x');
  const out = join(dir, 'out.img');
  const commands = [
    ['inspect', img], ['ls', img], ['cat', img, 'e0000'], ['extract', img, join(dir, 'x')], ['diff', img, img],
    ['add', img, `${host}:/added`, '-o', out], ['add', img, `${host}:/added`, '--rebuild', '-o', out], ['repack', img, '-o', out],
  ];
  for (const args of commands) {
    const r = await runCli(['--quiet', '--max-entries', '999', ...args]);
    assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
    // extract also names the last file it wrote completely (an extraction that stops says where).
    const stopped = args[0] === 'extract' ? '; extraction stopped at entry 999: the last file written completely is "e0998"' : '';
    assert.ok(r.stderr.includes(`segment 1 (at 0x0), entry "e0999": more than maxEntries 999 entries in the image (raise limits.maxEntries, or --max-entries)${stopped} [LIMIT_EXCEEDED]`), `${args.join(' ')}: ${r.stderr}`);
    assert.equal(existsSync(out), false, `${args[0]} wrote no output`);
  }
  const ok = await runCli(['--quiet', '--max-entries', '1000', 'ls', img]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trimEnd().split('\n').length, 1000);
  const bad = await runCli(['--max-entries', 'lots', 'ls', img]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-entries must be a positive integer, got "lots"/);
});
