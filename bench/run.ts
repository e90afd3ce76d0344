/**
 * `npm run bench`: remaster against the tools operators use today, in one run, on the same files.
 *
 * Every measurement is a fresh process (a shell command line), repeated BENCH_RUNS times (default 3);
 * the median wall time is reported, with the peak RSS of the slowest-memory sample (GNU time %M).
 * Ratios are remaster / peer measured in this run, so machine speed cancels out.
 *
 *   BENCH_RUNS=5      samples per measurement
 *   BENCH_ONLY=list,iso  sections: raw list cpio extract rebuild append big entries entriesx tinyxz iso tftp
 *   BENCH_WRITE=1     replace the results block of BENCHMARKS.md with this run's tables
 *   BENCH_DIST=dir    measure the CLI built in dir (default dist/), e.g. a saved copy from before a change
 *
 * tftp (bench/tftp.ts) needs root (it runs in its own network namespace), atftp, tftpd-hpa and dnsmasq.
 *
 * Inputs: fixtures/out/initrd/di-*.img (bash fixtures/generate.sh). Generated material (a 500 MB
 * initrd, a 1 GB ISO, extracted trees) goes to bench/out/, which is git-ignored.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { manyEntriesInitrd, tinyXzSegmentsInitrd } from './large-inputs.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const FIX = resolve(process.env.REMASTER_FIXTURES_DIR ?? join(ROOT, 'fixtures', 'out'));
const INITRD = join(FIX, 'initrd');
const NODE = process.execPath;
// The same flags as the bin's shebang (src/cli/main.ts), so this measures what users run.
// BENCH_DIST measures another build (e.g. a copy of dist/ from before a change) with the same inputs.
const DIST = resolve(process.env.BENCH_DIST ?? join(ROOT, 'dist'));
const REMASTER = `${NODE} --max-semi-space-size=2 ${join(DIST, 'cli', 'main.js')} --quiet`;
const PROBE = `${NODE} ${join(ROOT, 'bench', 'lib-probe.ts')}`;
const RUNS = Math.max(1, Number.parseInt(process.env.BENCH_RUNS ?? '3', 10) || 3);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const THREADS = cpus().length;
const TIME_FILE = join(OUT, '.time');
const RUN_DATE = new Date().toISOString();

/** One measured command: samples, median and peak RSS. */
interface Measurement {
  section: string;
  variant: string;
  tool: string;
  command: string;
  seconds: number[];
  median: number;
  /** Peak resident set of the measured process tree's largest process (KiB). */
  maxRssKiB: number;
  /** Entries listed, for list measurements. */
  entries?: number;
  /** In-process time reported by bench/lib-probe.ts (library rows). */
  inProcessMs?: number;
  note?: string;
  /** ISO probe: BlockSource.bytesRead and the bytes of the files pulled out. */
  bytesRead?: number;
  fileBytes?: number;
  /** Start of the run that took this measurement (kept across partial BENCH_ONLY runs). */
  date?: string;
}

interface Target {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

const results: Measurement[] = [];
const targets: Target[] = [];
const notes: string[] = [];

function sh(command: string, options: { cwd?: string; allowFail?: boolean } = {}): string {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', command], { cwd: options.cwd ?? ROOT, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LC_ALL: 'C' } });
  if (r.status !== 0 && !options.allowFail) throw new Error(`failed (${r.status}): ${command}\n${r.stderr}`);
  return r.stdout;
}

function has(tool: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Run `command` RUNS times (after `before`, untimed) and record the median. `ok` lists exit
 * statuses that count as success (gzip exits 2 on trailing data; cpio -t on a partial image).
 */
function measure(section: string, variant: string, tool: string, command: string, opts: { cwd?: string; before?: () => void; ok?: number[]; probe?: boolean; note?: string } = {}): Measurement {
  const seconds: number[] = [];
  const inProcess: number[] = [];
  let maxRssKiB = 0;
  for (let i = 0; i < RUNS; i++) {
    opts.before?.();
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', TIME_FILE, 'bash', '-o', 'pipefail', '-c', command], {
      cwd: opts.cwd ?? ROOT, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, LC_ALL: 'C' },
    });
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0 && !(opts.ok ?? []).includes(r.status ?? -1)) {
      throw new Error(`${tool} on ${variant} failed (${r.status}): ${command}\n${r.stderr.slice(0, 2000)}`);
    }
    seconds.push(dt);
    const rss = Number.parseInt(readFileSync(TIME_FILE, 'utf8').trim().split('\n').pop() ?? '0', 10);
    maxRssKiB = Math.max(maxRssKiB, rss);
    if (opts.probe) inProcess.push((JSON.parse(r.stdout) as { ms: number }).ms);
  }
  const m: Measurement = { section, variant, tool, command, seconds, median: median(seconds), maxRssKiB, date: RUN_DATE };
  if (opts.probe) m.inProcessMs = median(inProcess);
  if (opts.note) m.note = opts.note;
  results.push(m);
  const extra = m.inProcessMs !== undefined ? ` (in-process ${(m.inProcessMs / 1000).toFixed(3)} s)` : '';
  console.error(`  ${section.padEnd(8)} ${variant.padEnd(14)} ${tool.padEnd(22)} ${m.median.toFixed(3)} s${extra}  rss ${(maxRssKiB / 1024).toFixed(0)} MiB`);
  return m;
}

function get(section: string, variant: string, tool: string): Measurement | undefined {
  return results.find((r) => r.section === section && r.variant === variant && r.tool === tool);
}

function countLines(command: string): number {
  return Number.parseInt(sh(`{ ${command}; } 2>/dev/null | wc -l`, { allowFail: true }).trim(), 10) || 0;
}

function want(section: string): boolean {
  return ONLY === undefined || ONLY.has(section);
}

function fmt(s: number | undefined): string {
  return s === undefined ? '–' : s < 10 ? s.toFixed(3) : s.toFixed(1);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? '–' : `${(a / b).toFixed(2)}×`;
}

// ---------------------------------------------------------------------------------------------
// Inputs

interface Variant {
  name: string;
  file: string;
  /** Raw decompression of the same payload with the codec's own tool(s), output discarded. */
  raw: string;
  /** The same with all cores where a tool can (xz 5.4 decodes multi-block .xz in parallel; lbzip2 decodes bzip2 blocks in parallel). */
  rawMt?: string;
  /** How the table names rawMt when it was the faster one (default "-T0"). */
  rawMtLabel?: string;
  /** The operator's pipeline into `cpio -t`. */
  cpioPipe: string;
  /** Exit statuses of the pipeline that are not failures. */
  ok?: number[];
}

const q = (p: string): string => `'${p}'`;
const V = (n: string): string => join(INITRD, n);

const VARIANTS: Variant[] = [
  { name: 'gzip', file: V('di-gzip.img'), raw: `gzip -dc ${q(V('di-gzip.img'))}`, cpioPipe: `gzip -dc ${q(V('di-gzip.img'))} | cpio -t` },
  { name: 'xz-crc32', file: V('di-xz-crc32.img'), raw: `xz -dc ${q(V('di-xz-crc32.img'))}`, rawMt: `xz -T0 -dc ${q(V('di-xz-crc32.img'))}`, cpioPipe: `xz -dc ${q(V('di-xz-crc32.img'))} | cpio -t` },
  { name: 'lzma', file: V('di-lzma.img'), raw: `xz --format=lzma -dc ${q(V('di-lzma.img'))}`, cpioPipe: `xz --format=lzma -dc ${q(V('di-lzma.img'))} | cpio -t` },
  { name: 'zstd', file: V('di-zstd.img'), raw: `zstd -qdc ${q(V('di-zstd.img'))}`, cpioPipe: `zstd -qdc ${q(V('di-zstd.img'))} | cpio -t` },
  {
    name: 'early+zstd', file: V('di-early-zstd.img'),
    raw: `cat ${q(V('early-amd.cpio'))} ${q(V('early-intel.cpio'))}; zstd -qdc ${q(V('di-zstd.img'))}`,
    // What an operator types; cpio stops after the first early archive.
    cpioPipe: `cpio -t < ${q(V('di-early-zstd.img'))}`,
  },
  {
    name: 'gzip+xz', file: V('di-gzip-plus-xz.img'),
    raw: `gzip -dc ${q(join(FIX, 'real', 'di', 'initrd.gz'))}; xz -dc ${q(V('overlay.cpio.xz'))}`,
    // gzip -dc stops at the appended xz segment ("trailing garbage ignored", exit 2).
    cpioPipe: `gzip -dc ${q(V('di-gzip-plus-xz.img'))} | cpio -t`, ok: [2],
  },
  { name: 'lz4', file: V('di-lz4.img'), raw: `lz4 -dc ${q(V('di-lz4.img'))}`, cpioPipe: `lz4 -dc ${q(V('di-lz4.img'))} | cpio -t` },
  { name: 'bzip2', file: V('di-bzip2.img'), raw: `bzip2 -dc ${q(V('di-bzip2.img'))}`, rawMt: `lbzip2 -dc ${q(V('di-bzip2.img'))}`, rawMtLabel: 'lbzip2', cpioPipe: `bzip2 -dc ${q(V('di-bzip2.img'))} | cpio -t` },
];

function toolVersions(): Record<string, string> {
  const first = (cmd: string): string => sh(`${cmd} 2>&1 | head -1`, { allowFail: true }).trim();
  return {
    node: process.version,
    xz: first('xz --version'),
    zstd: first('zstd --version'),
    gzip: first('gzip --version'),
    lz4: first('lz4 --version'),
    bzip2: first('bzip2 --help'),
    cpio: first('cpio --version'),
    bsdtar: first('bsdtar --version'),
    xorriso: first('xorriso -version'),
    lsinitramfs: has('lsinitramfs') ? first("dpkg-query -W -f='initramfs-tools-core ${Version}' initramfs-tools-core") : 'not installed',
  };
}

// ---------------------------------------------------------------------------------------------
// Sections

function benchRawAndList(): void {
  const lsinit = has('lsinitramfs');
  if (!lsinit) notes.push('lsinitramfs is not installed (apt-get install -y initramfs-tools-core): its column is empty.');
  for (const v of VARIANTS) {
    if (want('raw') || want('list')) {
      measure('raw', v.name, 'raw decompress', `{ ${v.raw}; } > /dev/null`, { ok: [2] });
      if (v.rawMt) measure('raw', v.name, 'raw decompress -T0', `{ ${v.rawMt}; } > /dev/null`);
    }
    if (want('list')) {
      // The floor of any reader in another process: the same decoder writing into a pipe.
      const fastestRaw = v.rawMt ?? v.raw;
      measure('raw', v.name, 'raw decompress | cat', `{ ${fastestRaw}; } | cat > /dev/null`, { ok: [2] });
      measure('raw', v.name, 'raw decompress | node', `${PROBE} pipe ${Buffer.from(`{ ${fastestRaw}; }`).toString('base64')}`, { probe: true });
    }
    if (!want('list')) continue;
    const ls = measure('list', v.name, 'remaster ls', `${REMASTER} ls ${q(v.file)} > /dev/null`);
    ls.entries = countLines(`${REMASTER} ls ${q(v.file)}`);
    const lib = measure('list', v.name, 'library scanInitrd', `${PROBE} scan ${q(v.file)}`, { probe: true });
    lib.entries = (JSON.parse(sh(`${PROBE} scan ${q(v.file)}`)) as { entries: number }).entries;
    const bsd = measure('list', v.name, 'bsdtar -tf', `bsdtar -tf ${q(v.file)} > /dev/null`, { ok: [1] });
    bsd.entries = countLines(`bsdtar -tf ${q(v.file)}`);
    const cp = measure('list', v.name, 'decompress | cpio -t', `{ ${v.cpioPipe}; } > /dev/null 2>&1`, { ok: [2, ...(v.ok ?? [])] });
    cp.entries = countLines(`{ ${v.cpioPipe}; }`);
    if (lsinit) {
      // lsinitramfs prints "." for the root of each archive; entries are its lines.
      const li = measure('list', v.name, 'lsinitramfs', `lsinitramfs ${q(v.file)} > /dev/null 2>&1`, { ok: [1, 2] });
      li.entries = countLines(`lsinitramfs ${q(v.file)}`);
    }
  }
}

function benchCpio(): void {
  const main = V('di-main.cpio');
  measure('cpio', 'uncompressed', 'cat > /dev/null', `cat ${q(main)} > /dev/null`);
  measure('cpio', 'uncompressed', 'cpio -t', `cpio -t < ${q(main)} > /dev/null 2>&1`);
  measure('cpio', 'uncompressed', 'bsdtar -tf', `bsdtar -tf ${q(main)} > /dev/null`);
  measure('cpio', 'uncompressed', 'library readCpio', `${PROBE} cpio ${q(main)}`, { probe: true });
  measure('cpio', 'uncompressed', 'library scanInitrd', `${PROBE} scan ${q(main)}`, { probe: true });
  measure('cpio', 'uncompressed', 'remaster ls', `${REMASTER} ls ${q(main)} > /dev/null`);
}

function benchExtract(): void {
  const dir = join(OUT, 'extract');
  const fresh = (): void => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  };
  for (const v of VARIANTS.filter((x) => ['gzip', 'xz-crc32', 'zstd'].includes(x.name))) {
    const dec = v.cpioPipe.replace(/ \| cpio -t$/, '');
    measure('extract', v.name, 'remaster extract', `${REMASTER} extract ${q(v.file)} ${q(dir)}`, { before: () => rmSync(dir, { recursive: true, force: true }) });
    measure('extract', v.name, 'bsdtar -xf', `bsdtar -xf ${q(v.file)} -C ${q(dir)}`, { before: fresh });
    measure('extract', v.name, 'decompress | cpio -idm', `${dec} | cpio -idm --quiet`, { cwd: dir, before: fresh });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The installer payload extracted once, as the input of the shell rebuild pipeline. */
function payloadTree(): string {
  const tree = join(OUT, 'tree');
  if (!existsSync(join(tree, '.done'))) {
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(tree, { recursive: true });
    sh(`cpio -idm --quiet < ${q(V('di-main.cpio'))}`, { cwd: tree });
    writeFileSync(join(tree, '.done'), '');
  }
  return tree;
}

const XZ_PIPE = `xz --check=crc32 --lzma2=preset=6,dict=1MiB -T${THREADS}`;

function benchRebuild(): void {
  const tree = payloadTree();
  const out = join(OUT, 'rebuild.img');
  measure('rebuild', 'xz-crc32', 'shell find|cpio|xz', `find . ! -name .done | cpio -o -H newc --quiet | ${XZ_PIPE} > ${q(out)}`, { cwd: tree });
  // From the gzip image: an xz image repacked to xz with no edit is copied byte for byte (segments kept).
  measure('rebuild', 'gzip→xz', 'remaster repack -c xz', `${REMASTER} repack ${q(V('di-gzip.img'))} -o ${q(out)} -c xz`);
  measure('rebuild', 'cpio', 'remaster repack -c xz', `${REMASTER} repack ${q(V('di-main.cpio'))} -o ${q(out)} -c xz`,
    { note: 'input is the uncompressed payload: no decode competes with the encoder' });
  rmSync(out, { force: true });
}

function benchAppend(): void {
  const blob = join(OUT, 'blob-1M.bin');
  if (!existsSync(blob)) sh(`head -c 1048576 /dev/urandom > ${q(blob)}`);
  const out = join(OUT, 'append.img');
  for (const v of VARIANTS.filter((x) => ['xz-crc32', 'zstd', 'gzip'].includes(x.name))) {
    measure('append', v.name, 'remaster add --append', `${REMASTER} add ${q(v.file)} ${q(blob)}:/opt/bench/blob-1M.bin --append -o ${q(out)}`);
  }
  measure('append', 'xz-crc32', 'shell cpio|xz >> copy', `cp ${q(V('di-xz-crc32.img'))} ${q(out)} && cd ${q(OUT)} && echo blob-1M.bin | cpio -o -H newc --quiet | ${XZ_PIPE} >> ${q(out)}`);
  rmSync(out, { force: true });
}

/** issue 4: `remaster build` (append) injecting hpsa vs the manual extract + copy + depmod + cpio | xz pipeline. */
function benchBuild(): void {
  const kver = readFileSync(join(FIX, 'real/di/KVER'), 'utf8').trim();
  const ko = join(FIX, 'real/modules', kver, 'kernel/drivers/scsi/hpsa.ko');
  if (!existsSync(ko)) return;
  const recipe = join(OUT, 'bench-build.yaml');
  const out = join(OUT, 'build-out');
  writeFileSync(recipe, `name: bench\nsource:\n  initrd: ${V('di-xz-crc32.img')}\n  kernel: ${join(FIX, 'real/di/linux')}\nsteps:\n  - kernelModules: [${ko}]\noutput:\n  dir: ${out}\n  mode: append\n`);
  measure('build', 'xz-crc32 + hpsa', 'remaster build (append)', `${REMASTER} build ${q(recipe)}`);
  const tree = join(OUT, 'manual-tree');
  const manual = [
    `rm -rf ${q(tree)} && mkdir -p ${q(tree)} && cd ${q(tree)}`,
    `xz -dc ${q(V('di-xz-crc32.img'))} | cpio -idm --quiet 2>/dev/null`,
    `mkdir -p lib/modules/${kver}/updates && cp ${q(ko)} lib/modules/${kver}/updates/`,
    `depmod -b . ${kver}`,
    `find . | cpio -o -H newc --quiet | ${XZ_PIPE} > ${q(join(OUT, 'manual.img'))}`,
  ].join(' && ');
  measure('build', 'xz-crc32 + hpsa', 'manual extract+depmod+cpio|xz', manual);
  rmSync(tree, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
}

/** A ~500 MB initrd: three copies of the installer tree plus 100 MB of text, zstd -3. */
function bigInitrd(): string {
  const img = join(OUT, 'big-500M-zstd.img');
  if (existsSync(img)) return img;
  const tree = payloadTree();
  const big = join(OUT, 'big-tree');
  rmSync(big, { recursive: true, force: true });
  mkdirSync(big, { recursive: true });
  for (const copy of ['a', 'b', 'c']) sh(`cp -a ${q(tree)} ${q(join(big, copy))} && rm -f ${q(join(big, copy, '.done'))}`);
  sh(`(yes "remaster bench filler line, compressible but not trivially" || true) | head -c 104857600 > ${q(join(big, 'filler.txt'))}`);
  sh(`find . | LC_ALL=C sort | cpio -o -H newc --quiet | zstd -q -3 -T${THREADS} > ${q(img)}`, { cwd: big });
  rmSync(big, { recursive: true, force: true });
  return img;
}

function benchBig(): void {
  const img = bigInitrd();
  const payload = Number(sh(`zstd -qdc ${q(img)} | wc -c`).trim());
  notes.push(`big initrd: ${(statSync(img).size / 1e6).toFixed(0)} MB zstd -3, ${(payload / 1e6).toFixed(0)} MB of cpio payload.`);
  measure('big', '500M-zstd', 'raw decompress', `zstd -qdc ${q(img)} > /dev/null`);
  measure('big', '500M-zstd', 'remaster ls', `${REMASTER} ls ${q(img)} > /dev/null`);
  measure('big', '500M-zstd', 'library scanInitrd', `${PROBE} scan ${q(img)}`, { probe: true });
  measure('big', '500M-zstd', 'bsdtar -tf', `bsdtar -tf ${q(img)} > /dev/null`);
  const out = join(OUT, 'big-append.img');
  const blob = join(OUT, 'blob-1M.bin');
  if (!existsSync(blob)) sh(`head -c 1048576 /dev/urandom > ${q(blob)}`);
  measure('big', '500M-zstd', 'remaster add --append', `${REMASTER} add ${q(img)} ${q(blob)}:/opt/bench/blob-1M.bin --append -o ${q(out)}`);
  rmSync(out, { force: true });
}

/**
 * Every initrd command on 2 million empty files: peak RSS is the point (issue 10 item 9: ≤ 512 MiB each).
 * Each remaster command is paired with the nearest thing an operator would run with libarchive or GNU
 * cpio on the same image, measured right after it (ENTRY_PEERS), for time and RSS ratios.
 */
const ENTRY_PEERS = new Map<string, string>([
  ['remaster ls', 'bsdtar -tf'],
  ['remaster inspect', 'zstd -dc | cpio -tv'],
  ['remaster cat', 'bsdtar -xOf'],
  ['remaster diff', 'diff of two bsdtar -tvf'],
  ['remaster add --append', 'cp + cpio -o | zstd >>'],
  ['remaster add --rebuild', 'bsdtar -cf @img blob | gzip'],
  ['remaster repack', 'bsdtar -cf @img | gzip'],
  ['remaster extract', 'bsdtar -xf'],
]);

async function benchEntries(): Promise<void> {
  const img = await manyEntriesInitrd(OUT);
  const out = join(OUT, 'entries-out.img');
  const blob = join(OUT, 'blob-1M.bin');
  if (!existsSync(blob)) sh(`head -c 1048576 /dev/urandom > ${q(blob)}`);
  const appended = join(OUT, 'entries-appended.img');
  if (!existsSync(appended)) sh(`${REMASTER} add ${q(img)} ${q(blob)}:/opt/bench/blob-1M.bin --append -o ${q(appended)}`);
  const listing = (f: string): string => `bsdtar -tvf ${q(f)}`;
  const cmds: [string, string, string, string][] = [
    ['ls', `${REMASTER} ls ${q(img)} > /dev/null`, 'bsdtar -tf', `bsdtar -tf ${q(img)} > /dev/null`],
    ['inspect', `${REMASTER} inspect ${q(img)} > /dev/null`, 'zstd -dc | cpio -tv', `zstd -qdc ${q(img)} | cpio -tv --quiet > /dev/null`],
    ['cat', `${REMASTER} cat ${q(img)} d1999/f0000999 > /dev/null`, 'bsdtar -xOf', `bsdtar -xOf ${q(img)} d1999/f0000999 > /dev/null`],
    ['diff', `${REMASTER} diff ${q(img)} ${q(appended)} > /dev/null`, 'diff of two bsdtar -tvf', `diff <(${listing(img)}) <(${listing(appended)}) > /dev/null`],
    ['add --append', `${REMASTER} add ${q(img)} ${q(blob)}:/opt/bench/blob-1M.bin --append -o ${q(out)}`, 'cp + cpio -o | zstd >>', `cp ${q(img)} ${q(out)} && cd ${q(OUT)} && echo blob-1M.bin | cpio -o -H newc --quiet | zstd -q -3 >> ${q(out)}`],
    ['add --rebuild', `${REMASTER} add ${q(img)} ${q(blob)}:/opt/bench/blob-1M.bin --rebuild -o ${q(out)}`, 'bsdtar -cf @img blob | gzip', `cd ${q(OUT)} && bsdtar -cf - --format newc @${q(img)} blob-1M.bin | gzip -6 > ${q(out)}`],
    ['repack', `${REMASTER} repack ${q(img)} -o ${q(out)} -c gzip`, 'bsdtar -cf @img | gzip', `bsdtar -cf - --format newc @${q(img)} | gzip -6 > ${q(out)}`],
  ];
  for (const [tool, command, peer, peerCommand] of cmds) {
    measure('entries', '2M empty files', `remaster ${tool}`, command, { ok: tool === 'diff' ? [1] : [] });
    measure('entries', '2M empty files', peer, peerCommand, { ok: peer.startsWith('diff') ? [1] : [] });
  }
  rmSync(out, { force: true });
}

/** Extracting 2 million files is bound by inode creation on this disk (~0.3–0.8 ms each, for any tool). */
async function benchEntriesExtract(): Promise<void> {
  const img = await manyEntriesInitrd(OUT);
  const dir = join(OUT, 'entries-extract');
  const fresh = (): void => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  };
  measure('entriesx', '2M empty files', 'remaster extract', `${REMASTER} extract ${q(img)} ${q(dir)}`, { before: () => rmSync(dir, { recursive: true, force: true }) });
  measure('entriesx', '2M empty files', 'bsdtar -xf', `bsdtar -xf ${q(img)} -C ${q(dir)}`, { before: fresh });
  rmSync(dir, { recursive: true, force: true });
}

function entriesTable(): string[] {
  const rows = results.filter((r) => (r.section === 'entries' || r.section === 'entriesx') && r.tool.startsWith('remaster'));
  if (rows.length === 0) return [];
  const out = ['| remaster command | s | peak RSS MiB | peer (same image, same run) | peer s | peer RSS MiB | time ÷ peer | RSS ÷ peer |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const peerName = ENTRY_PEERS.get(r.tool) ?? '';
    const p = get(r.section, r.variant, peerName);
    const mib = (k: number | undefined): string => (k === undefined ? '–' : (k / 1024).toFixed(0));
    out.push(`| ${r.tool.replace(/^remaster /, '')} | ${fmt(r.median)} | ${mib(r.maxRssKiB)} | ${peerName ? `\`${peerName.replaceAll('|', '\\|')}\`` : '–'} | ${fmt(p?.median)} | ${mib(p?.maxRssKiB)} | ${ratio(r.median, p?.median)} | ${ratio(r.maxRssKiB, p?.maxRssKiB)} |`);
  }
  return out;
}

/** Listing 10,000 tiny xz segments: one decoder process per segment was the cost (issue 10 item 9). */
function benchTinyXz(): void {
  const img = tinyXzSegmentsInitrd(OUT);
  const ls = measure('tinyxz', '10k xz segments', 'remaster ls', `${REMASTER} ls ${q(img)} > /dev/null`);
  ls.entries = countLines(`${REMASTER} ls ${q(img)}`);
  measure('tinyxz', '10k xz segments', 'xz -dc (all streams)', `xz -dc ${q(img)} > /dev/null`);
}

/** A ~1 GB ISO: a 1 GiB filler file plus images/pxeboot/{vmlinuz,initrd.img} (the real installer kernel + initrd). */
function bigIso(): string {
  const iso = join(OUT, 'big-1G.iso');
  if (existsSync(iso)) return iso;
  const tree = join(OUT, 'iso-tree');
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(join(tree, 'images', 'pxeboot'), { recursive: true });
  sh(`head -c 1073741824 /dev/urandom > ${q(join(tree, 'filler.bin'))}`);
  sh(`cp ${q(join(FIX, 'real', 'di', 'linux'))} ${q(join(tree, 'images', 'pxeboot', 'vmlinuz'))}`);
  sh(`cp ${q(join(FIX, 'real', 'di', 'initrd.gz'))} ${q(join(tree, 'images', 'pxeboot', 'initrd.img'))}`);
  sh(`xorriso -as mkisofs -quiet -R -J -V BENCH -o ${q(iso)} ${q(tree)}`);
  rmSync(tree, { recursive: true, force: true });
  return iso;
}

function benchIso(): void {
  const iso = bigIso();
  const dir = join(OUT, 'iso-extract');
  const fresh = (): void => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  };
  measure('iso', '1G', 'remaster iso extract', `${REMASTER} iso extract ${q(iso)} ${q(dir)} /images/pxeboot`, { before: () => rmSync(dir, { recursive: true, force: true }) });
  measure('iso', '1G', 'xorriso -extract', `xorriso -osirrox on -indev ${q(iso)} -extract /images/pxeboot ${q(join(dir, 'pxeboot'))} > /dev/null 2>&1`, { before: fresh });
  measure('iso', '1G', 'bsdtar -xf', `bsdtar -xf ${q(iso)} -C ${q(dir)} images/pxeboot`, { before: fresh });
  const lib = measure('iso', '1G', 'library readIsoFile', `${PROBE} iso ${q(iso)} /images/pxeboot/vmlinuz /images/pxeboot/initrd.img`, { probe: true });
  const probe = JSON.parse(sh(`${PROBE} iso ${q(iso)} /images/pxeboot/vmlinuz /images/pxeboot/initrd.img`)) as { bytesRead: number; fileBytes: number; isoSize: number };
  lib.bytesRead = probe.bytesRead;
  lib.fileBytes = probe.fileBytes;
  lib.note = `bytesRead ${probe.bytesRead} for ${probe.fileBytes} file bytes (${(probe.bytesRead / probe.fileBytes).toFixed(4)}×) of a ${probe.isoSize}-byte ISO`;
  rmSync(dir, { recursive: true, force: true });
}

/** TFTP: remaster's server vs tftpd-hpa and dnsmasq, one and 50 atftp clients (bench/tftp.ts, in its own netns). */
function benchTftp(): void {
  const missing = ['atftp', 'in.tftpd', 'dnsmasq', 'unshare', 'ip'].filter((t) => !has(t));
  if (missing.length > 0 || process.getuid?.() !== 0) {
    notes.push(`tftp: skipped (${missing.length > 0 ? `missing ${missing.join(', ')}` : 'needs root for a network namespace'}).`);
    return;
  }
  const file = join(FIX, 'real', 'di', 'initrd.gz');
  const r = spawnSync('unshare', ['--net', '--', NODE, join(ROOT, 'bench', 'tftp.ts'), file, OUT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_RUNS: String(RUNS) } });
  if (r.status !== 0) throw new Error(`bench/tftp.ts failed (${r.status})`);
  const data = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { size: number; parallel: number; rows: { scenario: string; variant: string; server: string; seconds: number[]; median: number; cpu: number | null; mbps: number }[]; versions: Record<string, string> };
  for (const row of data.rows) {
    results.push({
      section: 'tftp', variant: `${row.scenario === 'single' ? '1 client' : `${data.parallel} clients`}, ${row.variant}`, tool: row.server,
      command: `atftp ${row.variant}`, seconds: row.seconds, median: row.median, maxRssKiB: 0,
      note: `${row.mbps.toFixed(1)} MB/s, server CPU ${row.cpu === null || Number.isNaN(row.cpu) ? '–' : row.cpu.toFixed(2)} s`, date: RUN_DATE,
    });
  }
  notes.push(`tftp: ${(data.size / 1e6).toFixed(1)} MB installer initrd; ${Object.entries(data.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
}

function tftpTable(): string[] {
  const rows = results.filter((r) => r.section === 'tftp');
  if (rows.length === 0) return [];
  const mine = [...new Set(rows.map((r) => r.tool).filter((t) => t.startsWith('remaster')))];
  const tools = [...mine, 'tftpd-hpa', 'dnsmasq'];
  const out = [`| clients, options | ${tools.map((t) => `${t} s`).join(' | ')} | ${mine.map((t) => `${t} MB/s`).join(' | ')} | server CPU s (${tools.join(' / ')}) | ${mine.map((t) => `${t} ÷ faster peer`).join(' | ')} |`];
  out.push(`|${'---|'.repeat(1 + tools.length + mine.length * 2 + 1)}`);
  for (const variant of [...new Set(rows.map((r) => r.variant))]) {
    const m = tools.map((tool) => get('tftp', variant, tool));
    const fastest = Math.min(get('tftp', variant, 'tftpd-hpa')?.median ?? Infinity, get('tftp', variant, 'dnsmasq')?.median ?? Infinity);
    const mbps = mine.map((t) => (get('tftp', variant, t)?.note ?? '').split(',')[0]);
    const cpu = m.map((x) => /CPU ([\d.]+)/.exec(x?.note ?? '')?.[1] ?? '–').join(' / ');
    out.push(`| ${variant} | ${m.map((x) => fmt(x?.median)).join(' | ')} | ${mbps.join(' | ')} | ${cpu} | ${mine.map((t) => ratio(get('tftp', variant, t)?.median, fastest)).join(' | ')} |`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

function listTable(): string[] {
  const rows = ['| variant | entries remaster / bsdtar / cpio -t / lsinitramfs | raw decode | raw \\| cat | raw \\| node | remaster ls | library scan | ls ÷ raw | scan ÷ raw | scan ÷ raw \\| node | bsdtar -tf | cpio -t pipe | lsinitramfs | ls ÷ fastest peer |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const v of VARIANTS) {
    const ls = get('list', v.name, 'remaster ls');
    if (!ls) continue;
    const rawS = get('raw', v.name, 'raw decompress')?.median;
    const rawMt = get('raw', v.name, 'raw decompress -T0')?.median;
    const raw = rawMt !== undefined && rawS !== undefined ? Math.min(rawS, rawMt) : rawS;
    const lib = get('list', v.name, 'library scanInitrd');
    const libS = lib?.inProcessMs !== undefined ? lib.inProcessMs / 1000 : undefined;
    const cat = get('raw', v.name, 'raw decompress | cat')?.median;
    const nodePipe = get('raw', v.name, 'raw decompress | node')?.inProcessMs;
    const nodePipeS = nodePipe !== undefined ? nodePipe / 1000 : undefined;
    const peers = ['bsdtar -tf', 'decompress | cpio -t', 'lsinitramfs'].map((t) => get('list', v.name, t));
    const fastest = Math.min(...peers.filter((p) => p !== undefined).map((p) => p.median));
    const counts = [ls, ...peers].map((p) => (p?.entries === undefined ? '–' : String(p.entries))).join(' / ');
    const mtLabel = rawMt !== undefined && rawMt === raw ? ` (${v.rawMtLabel ?? '-T0'})` : '';
    rows.push(`| ${v.name} | ${counts} | ${fmt(raw)}${mtLabel} | ${fmt(cat)} | ${fmt(nodePipeS)} | ${fmt(ls.median)} | ${fmt(libS)} | ${ratio(ls.median, raw)} | ${ratio(libS, raw)} | ${ratio(libS, nodePipeS)} | ${fmt(peers[0]?.median)} | ${fmt(peers[1]?.median)} | ${fmt(peers[2]?.median)} | ${ratio(ls.median, fastest)} |`);
  }
  return rows;
}

function simpleTable(section: string, base: string | undefined): string[] {
  const rows = results.filter((r) => r.section === section);
  if (rows.length === 0) return [];
  const out = [`| variant | tool | median s | samples | peak RSS MiB | ${base ? `÷ ${base}` : 'note'} |`, '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const b = base ? get(section, r.variant, base)?.median : undefined;
    const inproc = r.inProcessMs !== undefined ? ` (in-process ${fmt(r.inProcessMs / 1000)})` : '';
    const last = base ? ratio(r.median, b) : (r.note ?? '');
    out.push(`| ${r.variant} | ${r.tool} | ${fmt(r.median)}${inproc} | ${r.seconds.map((s) => s.toFixed(2)).join(' ')} | ${(r.maxRssKiB / 1024).toFixed(0)} | ${last}${base && r.note ? ` — ${r.note}` : ''} |`);
  }
  return out;
}

function evaluateTargets(): void {
  for (const v of VARIANTS) {
    const ls = get('list', v.name, 'remaster ls');
    if (!ls) continue;
    const rawS = get('raw', v.name, 'raw decompress')?.median as number;
    const rawMt = get('raw', v.name, 'raw decompress -T0')?.median;
    const raw = Math.min(rawS, rawMt ?? Infinity);
    const lib = get('list', v.name, 'library scanInitrd');
    const libS = (lib?.inProcessMs ?? NaN) / 1000;
    const peers = ['bsdtar -tf', 'decompress | cpio -t', 'lsinitramfs'].map((t) => get('list', v.name, t)).filter((p) => p !== undefined);
    const fastest = Math.min(...peers.map((p) => p.median));
    targets.push({ name: `list ${v.name}: library scan ≤ 1.10× raw`, goal: '≤ 1.10×', measured: `${(libS / raw).toFixed(2)}×`, met: libS / raw <= 1.1 });
    targets.push({ name: `list ${v.name}: remaster ls ≤ 1.10× raw`, goal: '≤ 1.10×', measured: `${(ls.median / raw).toFixed(2)}×`, met: ls.median / raw <= 1.1 });
    targets.push({ name: `list ${v.name}: remaster ls faster than every peer`, goal: '< 1.00×', measured: `${(ls.median / fastest).toFixed(2)}× fastest peer`, met: ls.median < fastest });
    const all = peers.every((p) => p.entries === undefined || (p.entries ?? 0) <= (ls.entries ?? 0));
    targets.push({ name: `list ${v.name}: remaster lists all entries`, goal: '≥ every peer', measured: `${ls.entries} vs ${peers.map((p) => p.entries).join('/')}`, met: all && lib?.entries === ls.entries });
  }
  const shell = get('rebuild', 'xz-crc32', 'shell find|cpio|xz')?.median;
  const rep = get('rebuild', 'gzip→xz', 'remaster repack -c xz')?.median;
  const repCpio = get('rebuild', 'cpio', 'remaster repack -c xz')?.median;
  if (shell !== undefined && rep !== undefined) {
    targets.push({ name: 'rebuild (gzip image → xz) ≤ 1.05× shell pipeline', goal: '≤ 1.05×', measured: `${(rep / shell).toFixed(3)}×`, met: rep / shell <= 1.05 });
  }
  if (shell !== undefined && repCpio !== undefined) {
    targets.push({ name: 'rebuild from uncompressed payload ≤ 1.05× shell pipeline', goal: '≤ 1.05×', measured: `${(repCpio / shell).toFixed(3)}×`, met: repCpio / shell <= 1.05 });
  }
  const lsCpio = get('cpio', 'uncompressed', 'remaster ls')?.median;
  const bsdCpio = get('cpio', 'uncompressed', 'bsdtar -tf')?.median;
  if (lsCpio !== undefined && bsdCpio !== undefined) {
    // #16: on a file source the reader seeks over entry bodies, as bsdtar does
    targets.push({ name: 'list the uncompressed payload ≤ 3× bsdtar -tf (whole processes)', goal: '≤ 3×', measured: `${(lsCpio / bsdCpio).toFixed(2)}×`, met: lsCpio / bsdCpio <= 3 });
  }
  const app = get('append', 'xz-crc32', 'remaster add --append')?.median;
  if (rep !== undefined && app !== undefined) {
    targets.push({ name: 'append 1 MB (xz image) ≥ 50× faster than rebuild', goal: '≥ 50×', measured: `${(rep / app).toFixed(1)}×`, met: rep / app >= 50 });
  }
  const iso = get('iso', '1G', 'library readIsoFile');
  if (iso?.bytesRead !== undefined && iso.fileBytes !== undefined) {
    targets.push({ name: 'ISO: bytes read for kernel + initrd', goal: '≤ 1.1× the files', measured: `${(iso.bytesRead / iso.fileBytes).toFixed(4)}×`, met: iso.bytesRead <= 1.1 * iso.fileBytes });
  }
  for (const tool of ['remaster ls', 'remaster add --append']) {
    const big = get('big', '500M-zstd', tool);
    if (big) targets.push({ name: `peak RSS, ${tool} on a 500 MB initrd`, goal: '≤ 128 MiB', measured: `${(big.maxRssKiB / 1024).toFixed(0)} MiB`, met: big.maxRssKiB <= 128 * 1024 });
  }
  const tftpServers = [...new Set(results.filter((r) => r.section === 'tftp' && r.tool.startsWith('remaster')).map((r) => r.tool))];
  for (const variant of ['1 client, blksize 1468 + windowsize 16', '50 clients, blksize 1468 + windowsize 16']) {
    const peers = ['tftpd-hpa', 'dnsmasq'].map((tool) => get('tftp', variant, tool)?.median).filter((x) => x !== undefined);
    for (const tool of tftpServers) {
      const me = get('tftp', variant, tool)?.median;
      if (me === undefined || peers.length === 0) continue;
      const fastest = Math.min(...peers);
      targets.push({ name: `TFTP ${variant}: ${tool} at least as fast as the faster of tftpd-hpa and dnsmasq`, goal: '≤ 1.00×', measured: `${(me / fastest).toFixed(2)}×`, met: me <= fastest });
    }
  }
  for (const r of results.filter((m) => (m.section === 'entries' || m.section === 'entriesx') && m.tool.startsWith('remaster'))) {
    targets.push({ name: `peak RSS, ${r.tool} on 2,000,000 entries`, goal: '≤ 512 MiB', measured: `${(r.maxRssKiB / 1024).toFixed(0)} MiB`, met: r.maxRssKiB <= 512 * 1024 });
  }
  const rssAll = results.filter((r) => r.tool.startsWith('remaster')).map((r) => r.maxRssKiB);
  if (rssAll.length > 0) notes.push(`largest peak RSS of any remaster command in this run: ${(Math.max(...rssAll) / 1024).toFixed(0)} MiB.`);
}

function report(versions: Record<string, string>, started: Date): string {
  const lines: string[] = [];
  lines.push(`Run ${started.toISOString()} · ${THREADS} cores (${cpus()[0]?.model ?? '?'}) · ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM · BENCH_RUNS=${RUNS} (median) · warm page cache`);
  lines.push('');
  lines.push(`Tools: ${Object.entries(versions).map(([k, v]) => `${k} \`${v}\``).join(', ')}`);
  lines.push('');
  const list = listTable();
  if (list.length > 2) {
    lines.push('### List (seconds, median)', '', ...list, '');
    lines.push('"raw decode" is the codec\'s own CLI writing to /dev/null (xz: the faster of `xz -dc` and `xz -T0 -dc`; bzip2: of `bzip2 -dc` and `lbzip2 -dc`); "remaster ls" is the whole CLI process (Node start-up included); "library scan" is `scanInitrd()` timed inside the process (bench/lib-probe.ts).', '');
  }
  for (const [section, title, base] of [
    ['cpio', 'Reader overhead on the uncompressed 137 MB payload', 'cpio -t'],
    ['extract', 'Extract (into an empty directory)', 'bsdtar -xf'],
    ['rebuild', `Rebuild with xz preset 6, dict 1 MiB, CRC32, -T${THREADS}`, undefined],
    ['append', 'Append a 1 MB file as a new segment', undefined],
    ['build', 'remaster build (append) of a recipe injecting hpsa vs the manual pipeline', 'manual extract+depmod+cpio|xz'],
    ['big', '500 MB initrd (zstd -3)', 'raw decompress'],
    ['tinyxz', '10,000 tiny xz segments', 'xz -dc (all streams)'],
    ['iso', 'Pull kernel + initrd out of a 1 GB ISO', 'xorriso -extract'],
  ] as const) {
    const t = simpleTable(section, base);
    if (t.length > 0) lines.push(`### ${title}`, '', ...t, '');
    if (section === 'big') {
      const e = entriesTable();
      if (e.length > 0) lines.push('### 2,000,000 empty files in 2,000 directories (one zstd -3 segment): peak RSS per command', '', ...e, '');
    }
  }
  const tftp = tftpTable();
  if (tftp.length > 0) {
    lines.push('### TFTP: the installer initrd fetched by atftp (seconds, median)', '', ...tftp, '');
    lines.push('tftpd-hpa and dnsmasq do not implement windowsize (RFC 7440): they leave it out of the OACK and the client falls back to lock-step, so their "+ windowsize 16" rows are lock-step. "server CPU" is the server process\'s user+system time (not measured for tftpd-hpa, which forks a process per transfer). Clients and servers share the machine\'s cores.', '');
  }
  if (targets.length > 0) {
    lines.push('### Targets', '', '| target | goal | measured | met |', '|---|---|---|---|');
    for (const t of targets) lines.push(`| ${t.name} | ${t.goal} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
    lines.push('');
  }
  if (notes.length > 0) lines.push(...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(join(INITRD, 'di-main.cpio'))) throw new Error(`no fixtures in ${FIX}: run bash fixtures/generate.sh first`);
  mkdirSync(OUT, { recursive: true });
  const started = new Date();
  const startLoad = loadavg()[0] ?? 0;
  const previous = join(OUT, 'results.json');
  if (ONLY !== undefined && existsSync(previous)) {
    // A partial run keeps the other sections' measurements from the last run (marked in the report).
    const old = JSON.parse(readFileSync(previous, 'utf8')) as { date: string; results: Measurement[] };
    const rerun = (m: Measurement): boolean => want(m.section) || (m.section === 'raw' && want('list'));
    const kept = old.results.filter((m) => !rerun(m));
    results.push(...kept);
    const byDate = new Map<string, Set<string>>();
    for (const m of kept) {
      const date = m.date ?? old.date;
      byDate.set(date, (byDate.get(date) ?? new Set()).add(m.section));
    }
    for (const [date, sections] of [...byDate].sort()) notes.push(`sections ${[...sections].join(', ')} are from the run of ${date} (BENCH_ONLY runs keep the other sections).`);
  }
  const versions = toolVersions();
  console.error(`bench: ${RUNS} run(s) per measurement, ${THREADS} cores`);
  const sections: [string, boolean, () => void | Promise<void>][] = [
    ['list', want('raw') || want('list'), benchRawAndList],
    ['cpio', want('cpio'), benchCpio],
    ['extract', want('extract'), benchExtract],
    ['rebuild', want('rebuild') || want('append'), benchRebuild],
    ['append', want('append'), benchAppend],
    ['build', want('build'), benchBuild],
    ['big', want('big'), benchBig],
    ['entries', want('entries'), benchEntries],
    ['entriesx', want('entriesx'), benchEntriesExtract],
    ['tinyxz', want('tinyxz'), benchTinyXz],
    ['iso', want('iso'), benchIso],
    ['tftp', want('tftp'), benchTftp],
  ];
  for (const [name, enabled, run] of sections) {
    if (!enabled) continue;
    try {
      await run();
    } catch (err) {
      // One broken peer must not lose the rest of a long run: report it and go on.
      console.error(`section ${name} failed: ${(err as Error).message}`);
      notes.push(`section ${name} failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  evaluateTargets();
  notes.push(`load average (1 min) at start ${startLoad.toFixed(2)}, at end ${(loadavg()[0] ?? 0).toFixed(2)} on ${THREADS} cores: other work on the machine inflates and scatters wall times; compare ratios, not seconds.`);
  const text = report(versions, started);
  console.log(text);
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify({ date: started.toISOString(), runs: RUNS, cores: THREADS, cpu: cpus()[0]?.model, versions, results, targets, notes }, null, 2)}\n`);
  console.error(`wrote ${join(OUT, 'results.json')}`);
  if (process.env.BENCH_WRITE === '1') {
    const md = join(ROOT, 'BENCHMARKS.md');
    const doc = readFileSync(md, 'utf8');
    const begin = '<!-- bench:begin -->';
    const end = '<!-- bench:end -->';
    const a = doc.indexOf(begin);
    const b = doc.indexOf(end);
    if (a < 0 || b < a) throw new Error(`BENCHMARKS.md has no ${begin} … ${end} block`);
    writeFileSync(md, `${doc.slice(0, a + begin.length)}\n${text}\n${doc.slice(b)}`);
    console.error(`updated ${md}`);
  }
}

await main();
