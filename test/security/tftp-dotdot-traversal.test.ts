// Attack: a request names "../" (or "..\" as Windows clients write it) to climb out of the
// TFTP root and read the machine's files (the classic TFTP directory traversal, e.g.
// CVE-2011-4722 and many embedded servers). The server refuses any ".." component.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oracleFacts } from '../helpers/tree-oracle.ts';
import { download, serveRoot } from '../helpers/tftp.ts';
import { attackLayout, refused } from './tftp-support.ts';

test('"../" and "..\\" requests are refused with ERROR 2 and read nothing outside the root', async (t) => {
  const { base, root } = await attackLayout(t);
  const before = oracleFacts(base);
  const { port, events } = await serveRoot(t, root);
  for (const name of ['../outside/secret', '/../outside/secret', 'x/../../outside/secret', '..\\outside\\secret', 'pxelinux.0/../../outside/secret', '....//..//outside/secret']) {
    refused(await download(port, name), 2);
  }
  assert.deepEqual(events.map((e) => e.outcome), Array(6).fill('access-denied'));
  assert.ok(events.every((e) => e.bytes === 0 && e.path === undefined), 'nothing was opened');
  assert.deepEqual(oracleFacts(base), before);
  const ok = await download(port, 'pxelinux.0');
  assert.ok('data' in ok && Buffer.from(ok.data).toString() === 'loader bytes', 'the server still serves');
});
