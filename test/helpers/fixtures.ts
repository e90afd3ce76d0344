/**
 * Real-content fixtures made by fixtures/generate.sh (Debian packages, real
 * compressors; see fixtures/README.md). Tests call ensureFixtures(t): the
 * first call in a process runs the generator when its stamp is missing or
 * was written by another version of the script; generate.sh holds a flock on
 * OUTDIR/.lock, so parallel test files wait for one generator instead of
 * running it twice. When generation fails (no apt network) the test is
 * skipped locally with a visible notice and fails under CI=true.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GENERATOR = join(REPO_ROOT, 'fixtures', 'generate.sh');

/** Paths of the generated fixtures; every file exists when ensureFixtures returns it. */
export interface FixturePaths {
  /** OUTDIR (fixtures/out unless REMASTER_FIXTURES_DIR is set). */
  dir: string;
  /** Package and tool versions the fixtures were made from. */
  versions: string;
  /** The linux-image-amd64 kernel. */
  kernel: {
    vmlinuz: string;
    config: string;
    /** Kernel ABI, e.g. "6.1.0-56-amd64". */
    kver: string;
    /** Its full lib/modules/<kver> tree. */
    modulesDir: string;
  };
  /** The Debian 12 netboot installer. */
  di: {
    linux: string;
    initrdGz: string;
    /** Kernel ABI of the modules inside the installer initrd. */
    kver: string;
    /** lib/modules/<kver> of that ABI, when apt still had the package. */
    modulesDir: string | undefined;
  };
  /** The installer payload re-packed with the real tools (oracle inputs). */
  initrd: {
    /** The uncompressed cpio payload of real/di/initrd.gz. */
    main: string;
    gzip: string;
    xzCrc32: string;
    lzma: string;
    zstd: string;
    /** Early uncompressed AMD + Intel microcode cpios, then di-zstd.img. */
    earlyZstd: string;
    /** Original initrd.gz + an appended xz (CRC32) overlay with etc/remaster/overlay.txt. */
    gzipPlusXz: string;
    lz4: string;
    bzip2: string;
    earlyAmdCpio: string;
    earlyIntelCpio: string;
    overlayCpio: string;
  };
  /** Static busybox binary from busybox-static. */
  busybox: string;
  small: {
    /** Directory tree of a busybox marker initrd (no device nodes). */
    root: string;
    /** That tree archived by GNU cpio + gzip -n -9: the known-good control. */
    tinyGzip: string;
  };
}

/** Return the fixtures output directory (REMASTER_FIXTURES_DIR or fixtures/out). */
export function fixturesDir(): string {
  return resolve(process.env.REMASTER_FIXTURES_DIR ?? join(REPO_ROOT, 'fixtures', 'out'));
}

let generation: Promise<string | undefined> | undefined;

/** Resolve to undefined when the stamp matches this generate.sh, else to an error text. */
async function generateOnce(dir: string): Promise<string | undefined> {
  const scriptSha = createHash('sha256').update(await readFile(GENERATOR)).digest('hex');
  const stamp = await readFile(join(dir, '.stamp'), 'utf8').catch(() => '');
  if (stamp.startsWith(`script ${scriptSha}\n`)) return undefined;
  process.stderr.write(`[fixtures] generating ${dir} (cold: a few minutes)\n`);
  return new Promise((done) => {
    const child = spawn('bash', [GENERATOR, dir], { stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', (err) => done(`cannot run generate.sh: ${err.message}`));
    child.on('close', (code) => {
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      done(code === 0 ? undefined : `generate.sh exited with ${code}: ${tail}`);
    });
  });
}

function paths(dir: string, kver: string, diKver: string): FixturePaths {
  const i = (name: string) => join(dir, 'initrd', name);
  const diModules = join(dir, 'real', 'modules', diKver);
  return {
    dir,
    versions: join(dir, 'VERSIONS'),
    kernel: {
      vmlinuz: join(dir, 'real', 'vmlinuz'),
      config: join(dir, 'real', 'config'),
      kver,
      modulesDir: join(dir, 'real', 'modules', kver),
    },
    di: {
      linux: join(dir, 'real', 'di', 'linux'),
      initrdGz: join(dir, 'real', 'di', 'initrd.gz'),
      kver: diKver,
      modulesDir: existsSync(diModules) ? diModules : undefined,
    },
    initrd: {
      main: i('di-main.cpio'),
      gzip: i('di-gzip.img'),
      xzCrc32: i('di-xz-crc32.img'),
      lzma: i('di-lzma.img'),
      zstd: i('di-zstd.img'),
      earlyZstd: i('di-early-zstd.img'),
      gzipPlusXz: i('di-gzip-plus-xz.img'),
      lz4: i('di-lz4.img'),
      bzip2: i('di-bzip2.img'),
      earlyAmdCpio: i('early-amd.cpio'),
      earlyIntelCpio: i('early-intel.cpio'),
      overlayCpio: i('overlay.cpio'),
    },
    busybox: join(dir, 'busybox', 'busybox'),
    small: { root: join(dir, 'small', 'root'), tinyGzip: join(dir, 'small', 'tiny-gzip.img') },
  };
}

/**
 * Make sure the fixtures exist and return their paths; skip the test (or fail
 * it under CI=true) and return undefined when they cannot be generated.
 */
export async function ensureFixtures(t: TestContext): Promise<FixturePaths | undefined> {
  const dir = fixturesDir();
  generation ??= generateOnce(dir);
  const failure = await generation;
  if (failure === undefined) {
    const kver = (await readFile(join(dir, 'real', 'KVER'), 'utf8')).trim();
    const diKver = (await readFile(join(dir, 'real', 'di', 'KVER'), 'utf8')).trim();
    return paths(dir, kver, diKver);
  }
  const msg = `needs the generated fixtures (${failure})`;
  if (process.env.CI === 'true') throw new Error(`${msg}; CI must be able to run fixtures/generate.sh`);
  t.diagnostic(`SKIPPED: ${msg}`);
  t.skip(msg);
  return undefined;
}
