/**
 * Publishing 1,000 armed hosts (issue 5: "completes in under a second").
 * Run: node bench/pxe-publish.ts [hosts] [rounds]. Prints JSON.
 *
 * Each round, interleaved so that the disk's state is shared:
 *   - remaster first publish: publishTree() into an empty TFTP root (artifacts copied);
 *   - remaster republish: a second version into the same root (artifacts already there);
 *   - peer: GNU tar extracting the same published tree (version directory, artifacts, links)
 *     into an empty directory, then `sync -f` (remaster makes its tree durable with syncfs too).
 * The peer is the floor for creating these inodes on this filesystem: when the disk is slow,
 * both are slow, and the ratio says whether remaster adds to it.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishTree, verifyTree, type PublishHostInput } from '../src/index.ts';
import { fakeInitrd, fakeKernel } from '../test/unit/pxe/support.ts';

const count = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 5);
// bench/out like the other benchmarks; BENCH_TMPDIR=/dev/shm (tmpfs) or /tmp to compare filesystems.
const scratch = process.env.BENCH_TMPDIR ?? fileURLToPath(new URL('out/', import.meta.url));
await mkdir(scratch, { recursive: true });
const base = await mkdtemp(join(scratch, 'pxe-publish-'));
const loaders = join(base, 'loaders');
await mkdir(loaders);
for (const n of ['pxelinux.0', 'ldlinux.c32', 'libutil.c32', 'menu.c32']) await writeFile(join(loaders, n), n);
await writeFile(join(base, 'vmlinuz'), fakeKernel('6.1.0-1-amd64', 8 << 20));
await writeFile(join(base, 'initrd.img'), await fakeInitrd('6.1.0-1-amd64'));
const hex = (n: number): string => (n & 255).toString(16).padStart(2, '0');
const hosts: PublishHostInput[] = Array.from({ length: count }, (_, i) => ({ mac: `52:54:00:${hex(i >> 16)}:${hex(i >> 8)}:${hex(i)}`, once: i % 2 === 0 }));

const time = async <T>(run: () => Promise<T> | T): Promise<[number, T]> => {
  const t0 = performance.now();
  const r = await run();
  return [performance.now() - t0, r];
};
const sh = (command: string): void => {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', command], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command}: ${r.stderr}`);
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const samples = { first: [] as number[], republish: [] as number[], tar: [] as number[], verify: [] as number[] };
let files = 0;
let inodes = 0;
let problems = 0;
const tarball = join(base, 'tree.tar');
for (let round = 0; round < rounds; round++) {
  const tftpRoot = join(base, `tftp-${round}`);
  await mkdir(tftpRoot);
  const options = { tftpRoot, kernel: join(base, 'vmlinuz'), initrd: join(base, 'initrd.img'), hosts, loaders: { pxelinux: loaders, ipxe: false as const }, dialect: 'rhel9' as const };
  const [first, r] = await time(() => publishTree(options));
  samples.first.push(first);
  if (round === 0) {
    files = Object.keys(r.manifest.files).length;
    sh(`cd '${tftpRoot}' && tar -cf '${tarball}' .`);
    inodes = Number(spawnSync('bash', ['-c', `find '${tftpRoot}' | wc -l`], { encoding: 'utf8' }).stdout.trim());
  }
  const peerDir = join(base, `peer-${round}`);
  await mkdir(peerDir);
  const [tar] = await time(() => sh(`tar -xf '${tarball}' -C '${peerDir}' && sync -f '${peerDir}'`));
  samples.tar.push(tar);
  const [second] = await time(() => publishTree({ ...options, label: 'again' }));
  samples.republish.push(second);
  const [verify, v] = await time(() => verifyTree(tftpRoot, { readOnly: true }));
  samples.verify.push(verify);
  problems += v.problems.length;
  await rm(tftpRoot, { recursive: true, force: true });
  await rm(peerDir, { recursive: true, force: true });
}
const ms = (xs: number[]): number[] => xs.map((x) => Math.round(x));
const result = {
  hosts: count, rounds, files, inodesInTree: inodes, problems,
  firstPublishMs: Math.round(median(samples.first)), republishMs: Math.round(median(samples.republish)),
  tarExtractMs: Math.round(median(samples.tar)), verifyMs: Math.round(median(samples.verify)),
  firstOverTar: Number((median(samples.first) / median(samples.tar)).toFixed(2)),
  samples: { first: ms(samples.first), republish: ms(samples.republish), tar: ms(samples.tar), verify: ms(samples.verify) },
  loadAverage: (await import('node:os')).loadavg()[0],
};
process.stdout.write(`${JSON.stringify(result)}\n`);
await rm(base, { recursive: true, force: true });
