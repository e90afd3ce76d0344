/**
 * The TFTP server against real clients — tftp-hpa's tftp, atftp and curl — on 127.0.0.1,
 * serving a temporary root twice: the bare server through openServedFile, and createServer, the
 * composition `remaster serve` runs (lifecycle hooks, metrics and logging around it). Files of
 * 0 bytes, exactly 512·n bytes (ends with an empty block), 33 MiB (block numbers roll over at
 * 512-byte blocks) and the real Debian installer initrd (40 MB) must arrive byte-identical,
 * with and without blksize/windowsize. Firmware clients (SeaBIOS+iPXE, OVMF, pxelinux, GRUB,
 * shim) are replayed in test/unit/net/tftp/clients.test.ts and booted at the serve level.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { serveComposed, serveRoot, type TftpEndpoint } from '../helpers/tftp.ts';
import { requireTool } from '../helpers/tools.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const run = promisify(execFile);
const ROLLOVER_512 = 65535 * 512;

interface Client {
  name: string;
  /** The command line fetching `remote` into `out` from 127.0.0.1:port. */
  argv(port: number, remote: string, out: string): [string, string[]];
  /** blksize and windowsize the server should have granted. */
  blksize: number;
  windowsize: number;
}

const CLIENTS: Client[] = [
  { name: 'tftp-hpa (RFC 1350, no options)', blksize: 512, windowsize: 1, argv: (p, r, o) => ['tftp', ['-m', 'binary', '127.0.0.1', String(p), '-c', 'get', r, o]] },
  { name: 'atftp, no options', blksize: 512, windowsize: 1, argv: (p, r, o) => ['atftp', ['-g', '-r', r, '-l', o, '127.0.0.1', String(p)]] },
  { name: 'atftp --option "blksize 1468"', blksize: 1468, windowsize: 1, argv: (p, r, o) => ['atftp', ['--option', 'blksize 1468', '-g', '-r', r, '-l', o, '127.0.0.1', String(p)]] },
  {
    name: 'atftp --option "blksize 1468" "windowsize 16" tsize',
    blksize: 1468,
    windowsize: 16,
    argv: (p, r, o) => ['atftp', ['--option', 'blksize 1468', '--option', 'windowsize 16', '--option', 'tsize', '-g', '-r', r, '-l', o, '127.0.0.1', String(p)]],
  },
  { name: 'curl --tftp-no-options', blksize: 512, windowsize: 1, argv: (p, r, o) => ['curl', ['-sS', '--tftp-no-options', '-o', o, `tftp://127.0.0.1:${p}/${r}`]] },
  { name: 'curl --tftp-blksize 1468', blksize: 1468, windowsize: 1, argv: (p, r, o) => ['curl', ['-sS', '--tftp-blksize', '1468', '-o', o, `tftp://127.0.0.1:${p}/${r}`]] },
  { name: 'curl (blksize 512, tsize, timeout)', blksize: 512, windowsize: 1, argv: (p, r, o) => ['curl', ['-sS', '-o', o, `tftp://127.0.0.1:${p}/${r}`]] },
];

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

async function fetchWith(client: Client, served: TftpEndpoint, remote: string, out: string): Promise<void> {
  const [cmd, args] = client.argv(served.port, remote, out);
  // Asynchronously: the server runs in this process.
  const r = await run(cmd, args, { timeout: 300_000, maxBuffer: 1 << 20 });
  // tftp-hpa exits 0 even after an ERROR; its message is the evidence.
  assert.doesNotMatch(r.stdout + r.stderr, /Error code|error/i, `${client.name}: ${r.stdout}${r.stderr}`);
}

/** Run `tasks` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await task(items[next++] as T);
  }));
}

async function withRoot(t: TestContext): Promise<{ root: string; files: { name: string; path: string; size: number; sha: string }[] } | undefined> {
  const fx = await ensureFixtures(t);
  if (!fx) return undefined;
  const root = await tmpDir(t, 'remaster-tftp-clients-');
  await mkdir(join(root, 'd-i'));
  const specs: [string, Uint8Array | string][] = [
    ['empty', new Uint8Array(0)],
    ['blocks-2048x512.bin', randomBytes(2048 * 512)],
    ['rollover-33MiB.bin', randomBytes(33 * 1024 * 1024)],
    ['d-i/initrd.gz', fx.di.initrdGz],
  ];
  const files = [];
  for (const [name, content] of specs) {
    const path = join(root, name);
    if (typeof content === 'string') await copyFile(content, path);
    else await writeFile(path, content);
    files.push({ name, path, size: (await stat(path)).size, sha: await sha256(path) });
  }
  assert.ok(files[2]!.size > ROLLOVER_512 && files[3]!.size > 30_000_000);
  return { root, files };
}

/** The bare TFTP server, and the same through createServer (`remaster serve`). */
const SERVERS: { name: string; serve: (t: TestContext, root: string) => Promise<TftpEndpoint> }[] = [
  { name: 'the TFTP server', serve: serveRoot },
  { name: 'createServer (remaster serve)', serve: serveComposed },
];

for (const server of SERVERS) {
  test(`tftp-hpa, atftp and curl fetch 0 B, 512·n B, 33 MiB and the installer initrd byte-identical from ${server.name}`, { timeout: 900_000 }, async (t) => {
    if (!requireTool(t, 'tftp', 'atftp', 'curl')) return;
    const setup = await withRoot(t);
    if (!setup) return;
    const served = await server.serve(t, setup.root);
    const out = await tmpDir(t, 'remaster-tftp-out-');
    const jobs = CLIENTS.flatMap((client, c) => setup.files.map((file, f) => ({ client, file, out: join(out, `${c}-${f}`) })));
    const failures: string[] = [];
    await pool(jobs, 3, async ({ client, file, out: dest }) => {
      try {
        await fetchWith(client, served, file.name, dest);
        const got = await sha256(dest);
        if (got !== file.sha) failures.push(`${client.name} ${file.name}: sha256 ${got} != ${file.sha} (${(await stat(dest)).size} of ${file.size} bytes)`);
      } catch (err) {
        failures.push(`${client.name} ${file.name}: ${(err as Error).message}`);
      }
    });
    assert.deepEqual(failures, []);
    await served.eventCount(jobs.length);
    // What the server saw, per client and file: complete, every byte acknowledged, the negotiated sizes.
    for (const { client, file } of jobs) {
      const e = served.events.find((x) => x.path === file.name && x.blksize === client.blksize && x.windowsize === client.windowsize && x.outcome === 'complete');
      assert.ok(e, `${client.name} ${file.name}: no complete transfer with blksize ${client.blksize}, windowsize ${client.windowsize}`);
      assert.equal(e.bytes, file.size);
    }
    assert.deepEqual(served.events.filter((e) => e.outcome !== 'complete'), []);
    const rolled = served.events.filter((e) => e.blksize === 512 && (e.size ?? 0) > ROLLOVER_512);
    assert.equal(rolled.length, 2 * CLIENTS.filter((c) => c.blksize === 512).length, 'every 512-byte client went past block 65535 twice');
  });

  test(`real clients with the names clients send: a leading "/", "\\" separators, doubled "/", case kept (${server.name})`, async (t) => {
    if (!requireTool(t, 'tftp', 'atftp', 'curl')) return;
    const root = await tmpDir(t, 'remaster-tftp-names-');
    await mkdir(join(root, 'boot', 'grub'), { recursive: true });
    await writeFile(join(root, 'boot', 'grub', 'grub.cfg'), 'set timeout=1\n');
    await mkdir(join(root, 'pxelinux.cfg'));
    await writeFile(join(root, 'pxelinux.cfg', '01-52-54-00-12-34-56'), 'DEFAULT install\n');
    const served = await server.serve(t, root);
    const out = await tmpDir(t);
    const cases: [Client, string, string][] = [
      [CLIENTS[0]!, '/boot/grub/grub.cfg', 'boot/grub/grub.cfg'],
      [CLIENTS[1]!, 'boot\\grub\\grub.cfg', 'boot/grub/grub.cfg'],
      [CLIENTS[5]!, '/boot//grub/grub.cfg', 'boot/grub/grub.cfg'],
      [CLIENTS[3]!, 'pxelinux.cfg/01-52-54-00-12-34-56', 'pxelinux.cfg/01-52-54-00-12-34-56'],
    ];
    for (const [i, [client, remote, file]] of cases.entries()) {
      await fetchWith(client, served, remote, join(out, String(i)));
      assert.equal(await readFile(join(out, String(i)), 'utf8'), await readFile(join(root, file), 'utf8'), `${client.name} ${remote}`);
    }
    await served.eventCount(cases.length);
    assert.deepEqual(served.events.map((e) => e.path), cases.map((c) => c[2]));
  });

  test(`each client reports a missing file, a ".." name and netascii mode as the server's errors (${server.name})`, async (t) => {
    if (!requireTool(t, 'tftp', 'atftp', 'curl')) return;
    const root = await tmpDir(t);
    await writeFile(join(root, 'PXELINUX.0'), 'x');
    const served = await server.serve(t, root);
    const out = join(await tmpDir(t), 'out');
    const attempt = async (cmd: string, args: string[]): Promise<string> => {
      const r = await run(cmd, args, { timeout: 30_000 }).then((x) => ({ ...x, code: 0 }), (err: { stdout: string; stderr: string; code: number }) => err);
      return `exit ${r.code}: ${r.stdout}${r.stderr}`;
    };
    const p = String(served.port);
    assert.match(await attempt('tftp', ['-m', 'binary', '127.0.0.1', p, '-c', 'get', 'pxelinux.0', out]), /Error code 1: file not found/, 'case is kept: PXELINUX.0 is not pxelinux.0');
    assert.match(await attempt('tftp', ['-m', 'binary', '127.0.0.1', p, '-c', 'get', '../etc/passwd', out]), /Error code 2: access violation/);
    assert.match(await attempt('tftp', ['127.0.0.1', p, '-c', 'get', 'PXELINUX.0', out]), /Error code 0: netascii mode is not supported, use octet \(binary\)/);
    assert.match(await attempt('atftp', ['-g', '-r', 'nope', '-l', out, '127.0.0.1', p]), /file not found/);
    // curl's text for these is a stale getpeername() message; its exit codes name the TFTP error.
    assert.match(await attempt('curl', ['-sS', '-o', out, `tftp://127.0.0.1:${p}/nope`]), /^exit 68:/, 'CURLE_TFTP_NOTFOUND');
    assert.match(await attempt('curl', ['-sS', '-o', out, `tftp://127.0.0.1:${p}/a/..%2F..%2Fetc/passwd`]), /^exit 69:/, 'CURLE_TFTP_PERM');
  });
}
