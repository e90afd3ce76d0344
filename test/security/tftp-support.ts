/**
 * Shared set-up of the TFTP attack tests: a served root next to an outside directory
 * holding a secret, and a check that a download got an ERROR and none of the secret.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tmpDir } from '../helpers/tmp-dir.ts';
import type { Download } from '../helpers/tftp.ts';

export const SECRET = 'TOP SECRET: root:$6$hash:19000:0:99999:7:::\n';

export interface AttackLayout {
  base: string;
  root: string;
  outside: string;
}

/** base/tftp (served, with pxelinux.0) and base/outside/secret (not served). */
export async function attackLayout(t: TestContext): Promise<AttackLayout> {
  const base = await tmpDir(t, 'remaster-tftp-attack-');
  const root = join(base, 'tftp');
  const outside = join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(root, 'pxelinux.0'), 'loader bytes');
  await writeFile(join(outside, 'secret'), SECRET);
  return { base, root, outside };
}

/** The download ended with this TFTP error and carried no byte of the secret. */
export function refused(result: Download, code: number): void {
  assert.ok('error' in result, `expected ERROR ${code}, got ${JSON.stringify('data' in result ? Buffer.from(result.data).toString() : result)}`);
  assert.equal(result.error.code, code, result.error.message);
}
