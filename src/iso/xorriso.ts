/**
 * The one adapter that runs external ISO/FAT tools (xorriso(1), mtools(1),
 * implantisomd5(1)): spawn without a shell, collect output, map "not on
 * PATH" to TOOL_MISSING naming the Debian package and a non-zero exit to
 * TOOL_FAILED with the tail of stderr. No file I/O happens here: the tools
 * read and write the paths they are given.
 */
import { spawn } from 'node:child_process';
import { RemasterError } from '../errors.ts';

/** Debian packages that ship each tool (for TOOL_MISSING messages). */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  xorriso: 'xorriso',
  mtype: 'mtools',
  mcopy: 'mtools',
  mdir: 'mtools',
  implantisomd5: 'isomd5sum',
};

/** Lines of stderr quoted in a TOOL_FAILED message. */
export const STDERR_TAIL_LINES = 8;

/** What a finished tool run printed. */
export interface ToolOutput {
  stdout: Uint8Array;
  stderr: string;
}

/** Options for runTool(). */
export interface RunToolOptions {
  signal?: AbortSignal;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Exit codes that count as success besides 0. */
  okCodes?: number[];
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-STDERR_TAIL_LINES).join(' | ');
}

/** Run `tool` with `args` and return its output; throw TOOL_MISSING or TOOL_FAILED. */
export async function runTool(tool: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolOutput & { code: number }> {
  options.signal?.throwIfAborted();
  const child = spawn(tool, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C', ...options.env },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? -1));
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      throw new RemasterError('TOOL_MISSING', `${tool} not found on PATH; install the Debian package "${TOOL_PACKAGES[tool] ?? tool}"`, {}, { cause: err });
    }
    if (err.name === 'AbortError') throw new RemasterError('ABORTED', `${tool} was aborted`, {}, { cause: err });
    throw err;
  });
  if (code !== 0 && !(options.okCodes ?? []).includes(code)) {
    throw new RemasterError('TOOL_FAILED', `${tool} exited with ${code}: ${tail(stderr) || '(no message)'}`);
  }
  const buf = Buffer.concat(out);
  return { stdout: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), stderr, code };
}

/** Run xorriso in native mode (no startup files, errors and warnings reported). */
export async function runXorriso(args: readonly string[], options: RunToolOptions = {}): Promise<ToolOutput> {
  return runTool('xorriso', ['-no_rc', '-report_about', 'WARNING', ...args], options);
}
