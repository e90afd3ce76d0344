/**
 * Publishing 1,000 armed hosts (issue 5: "completes in under a second").
 * Run: node bench/pxe-publish.ts [hosts]. Prints the wall time of a first
 * publish (artifacts copied) and of a republish (artifacts already there),
 * plus verify, as JSON.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishTree, verifyTree, type PublishHostInput } from '../src/index.ts';
import { fakeInitrd, fakeKernel } from '../test/unit/pxe/support.ts';

const count = Number(process.argv[2] ?? 1000);
const base = await mkdtemp(join(tmpdir(), 'remaster-bench-pxe-'));
const loaders = join(base, 'loaders');
await mkdir(loaders);
for (const n of ['pxelinux.0', 'ldlinux.c32', 'libutil.c32', 'menu.c32']) await writeFile(join(loaders, n), n);
await writeFile(join(base, 'vmlinuz'), fakeKernel('6.1.0-1-amd64', 8 << 20));
await writeFile(join(base, 'initrd.img'), await fakeInitrd('6.1.0-1-amd64'));
const hosts: PublishHostInput[] = Array.from({ length: count }, (_, i) => ({ mac: `52:54:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, once: i % 2 === 0 }));
const options = { tftpRoot: join(base, 'tftp'), kernel: join(base, 'vmlinuz'), initrd: join(base, 'initrd.img'), hosts, loaders: { pxelinux: loaders, ipxe: false as const }, dialect: 'rhel9' as const };
await mkdir(options.tftpRoot);
const time = async <T>(run: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now();
  const r = await run();
  return [Math.round(performance.now() - t0), r];
};
const [first] = await time(() => publishTree(options));
const [second, r] = await time(() => publishTree({ ...options, label: 'again' }));
const [verify, v] = await time(() => verifyTree(options.tftpRoot, { readOnly: true }));
process.stdout.write(`${JSON.stringify({ hosts: count, firstPublishMs: first, republishMs: second, verifyMs: verify, files: Object.keys(r.manifest.files).length, problems: v.problems.length })}\n`);
await rm(base, { recursive: true, force: true });
