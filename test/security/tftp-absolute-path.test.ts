// Attack: a request names an absolute path ("/etc/passwd", "/<base>/outside/secret") hoping
// the server opens it as is. Absolute names are taken relative to the root (as tftp-hpa's
// --secure chroot does): the outside file is never reached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { oracleFacts } from '../helpers/tree-oracle.ts';
import { download, serveRoot } from '../helpers/tftp.ts';
import { attackLayout, refused } from './tftp-support.ts';

test('absolute names resolve under the root: the outside file is not found, a file of that name in the root is served', async (t) => {
  const { base, root, outside } = await attackLayout(t);
  const before = oracleFacts(base);
  const { port } = await serveRoot(t, root);
  refused(await download(port, join(outside, 'secret')), 1);
  refused(await download(port, '/etc/passwd'), 1);
  refused(await download(port, '\\etc\\passwd'), 1);
  assert.deepEqual(oracleFacts(base), before);
  await mkdir(join(root, 'etc'));
  await writeFile(join(root, 'etc', 'passwd'), 'the root\'s own etc/passwd\n');
  const got = await download(port, '/etc/passwd');
  assert.ok('data' in got);
  assert.equal(Buffer.from(got.data).toString(), 'the root\'s own etc/passwd\n');
});
