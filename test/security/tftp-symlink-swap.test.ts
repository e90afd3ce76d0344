// Attack 1: the tree changes under a transfer — `remaster/current` is switched to another
// version (a rename) while a client is in the middle of the initrd. A server that reopens the
// name per read would splice two versions into one file. The server reads one descriptor.
// Attack 2: a directory on the resolved path is swapped for a symlink to the outside between
// the server's realpath() and its open() (TOCTOU). The opened descriptor is checked after
// open (/proc/self/fd) and refused when it is outside the root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openServedFile } from '../../src/fsx/index.ts';
import { RemasterError } from '../../src/errors.ts';
import { download, serveRoot } from '../helpers/tftp.ts';
import { oracleFacts } from '../helpers/tree-oracle.ts';
import { requireTool } from '../helpers/tools.ts';
import { pattern } from '../unit/net/tftp/support.ts';
import { attackLayout, SECRET } from './tftp-support.ts';

test('a version switch in the middle of a transfer does not mix versions: the client gets version 1 whole', async (t) => {
  const { root } = await attackLayout(t);
  const v1 = pattern(300_000);
  const v2 = pattern(300_000).map((b) => b ^ 0xff);
  for (const [n, data] of [['1', v1], ['2', v2]] as const) {
    await mkdir(join(root, 'remaster', 'versions', n), { recursive: true });
    await writeFile(join(root, 'remaster', 'versions', n, 'initrd.img'), data);
  }
  await symlink('versions/1', join(root, 'remaster', 'current'));
  await symlink('remaster/current/initrd.img', join(root, 'initrd.img'));
  const { port, events, eventCount } = await serveRoot(t, root);
  const got = await download(port, 'initrd.img', [['blksize', '1468']], async (block) => {
    if (block !== 50) return;
    await symlink('versions/2', join(root, 'remaster', 'current.new'));
    await rename(join(root, 'remaster', 'current.new'), join(root, 'remaster', 'current'));
  });
  assert.ok('data' in got);
  assert.ok(Buffer.from(got.data).equals(Buffer.from(v1)), 'version 1, byte for byte');
  const after = await download(port, 'initrd.img', [['blksize', '1468']]);
  assert.ok('data' in after && Buffer.from(after.data).equals(Buffer.from(v2)), 'a new transfer gets version 2');
  await eventCount(2);
  assert.deepEqual(events.map((e) => [e.outcome, e.bytes]), [['complete', 300_000], ['complete', 300_000]]);
});

test('a directory swapped for a symlink to the outside while files are opened never yields the outside file', async (t) => {
  if (!requireTool(t, 'python3')) return;
  const { base, root } = await attackLayout(t);
  await mkdir(join(root, 'real'));
  await writeFile(join(root, 'real', 'secret'), 'inside\n');
  const outsideFacts = oracleFacts(join(base, 'outside'));
  // The attacker: swap root/real between the directory and a link to ../outside, as fast as it can.
  const swap = 'import os, sys, time\nos.chdir(sys.argv[1])\nend = time.time() + 10\nwhile time.time() < end:\n  os.rename("real", "real.bak"); os.symlink("../outside", "real"); os.unlink("real"); os.rename("real.bak", "real")\n';
  const swapper = spawn('python3', ['-c', swap, root], { stdio: 'ignore' });
  t.after(() => swapper.kill('SIGKILL'));
  const seen = { inside: 0, escape: 0, afterOpen: 0, other: 0 };
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    try {
      const f = await openServedFile(root, 'real/secret');
      const text = Buffer.from(await f.read(0, f.size)).toString();
      await f.close();
      assert.notEqual(text, SECRET, 'the outside file was served');
      assert.equal(text, 'inside\n');
      seen.inside += 1;
    } catch (err) {
      if (err instanceof RemasterError && err.code === 'PATH_ESCAPE') {
        seen.escape += 1;
        if (/during open/.test(err.message)) seen.afterOpen += 1;
      } else if (err instanceof RemasterError) seen.other += 1;
      else throw err;
    }
  }
  swapper.kill('SIGKILL');
  t.diagnostic(`opens: ${JSON.stringify(seen)} (afterOpen = refused by the descriptor check)`);
  assert.ok(seen.inside > 0 && seen.escape > 0, `the race ran both ways: ${JSON.stringify(seen)}`);
  assert.deepEqual(oracleFacts(join(base, 'outside')), outsideFacts);
});
