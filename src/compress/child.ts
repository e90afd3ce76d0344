/**
 * Run a codec CLI (xz, zstd, lz4, bzip2, lzop) as a streaming filter.
 *
 * Input is written by a `feed` callback that respects the pipe's backpressure
 * (it waits for `drain`), output is pulled by the consumer, so memory stays
 * bounded by the pipe buffers. The child is killed when the consumer stops
 * early or the signal aborts, and its exit is always awaited (no zombies).
 * EPIPE on stdin is expected when a tool exits early on bad data and is
 * swallowed: the exit status and stderr say what went wrong.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { RemasterError, type ErrorCode } from '../errors.ts';
import type { ByteReader } from '../io/byte-reader.ts';

/** A CLI a codec spawns and the Debian package that ships it. */
export interface ToolSpec {
  command: string;
  debianPackage: string;
}

/** Where a feed writes the tool's input. */
export interface ToolSink {
  /** Write one chunk, waiting for drain; return false when the tool no longer reads. */
  write(chunk: Uint8Array): Promise<boolean>;
}

/** How to run one filter. */
export interface RunToolOptions {
  args: readonly string[];
  /** Write the whole input; stdin is closed when it resolves. */
  feed: (sink: ToolSink) => Promise<void>;
  /** 'decode' failures are CODEC_CORRUPT / CODEC_TRUNCATED, 'encode' failures TOOL_FAILED. */
  mode: 'decode' | 'encode';
  /** Offset of the member's first byte, for error messages. */
  offset?: number;
  signal?: AbortSignal | undefined;
}

/** Environment variables that would silently change a tool's output or messages. */
const TOOL_ENV_OVERRIDES = ['XZ_OPT', 'XZ_DEFAULTS', 'ZSTD_CLEVEL', 'ZSTD_NBTHREADS', 'GZIP', 'BZIP', 'BZIP2', 'LBZIP2', 'LZOP'];
const MAX_STDERR = 8192;

function toolEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const key of TOOL_ENV_OVERRIDES) delete env[key];
  return env;
}

/** Throw ABORTED when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, offset?: number): void {
  if (signal?.aborted) throw new RemasterError('ABORTED', 'operation aborted', offset === undefined ? {} : { offset });
}

async function spawnTool(tool: ToolSpec, args: readonly string[]): Promise<ChildProcessWithoutNullStreams> {
  // Loaded on first use: node:child_process pulls in net, dgram and more, which a listing of an
  // uncompressed or gzip image never needs (start-up time, BENCHMARKS.md).
  const { spawn } = await import('node:child_process');
  const child = spawn(tool.command, args, { stdio: 'pipe', env: toolEnv() });
  try {
    await Promise.race([once(child, 'spawn'), once(child, 'error').then(([err]) => Promise.reject(err))]);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RemasterError(
      'CODEC_TOOL_MISSING',
      missing
        ? `"${tool.command}" is not installed (Debian/Ubuntu package "${tool.debianPackage}")`
        : `cannot run "${tool.command}": ${(err as Error).message}`,
      {},
      { cause: err },
    );
  }
  child.on('error', () => {}); // reported through the exit status
  child.stdin.on('error', () => {}); // EPIPE when the tool exits before reading everything
  return child;
}

function makeSink(child: ChildProcessWithoutNullStreams): ToolSink {
  const stdin = child.stdin;
  return {
    async write(chunk) {
      if (stdin.destroyed || stdin.writableEnded) return false;
      if (!stdin.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stdin.off('drain', done).off('close', done);
            resolve();
          };
          stdin.on('drain', done).on('close', done);
        });
      }
      return !stdin.destroyed;
    },
  };
}

function failure(tool: ToolSpec, opts: RunToolOptions, status: number | null, stderr: string): RemasterError {
  const line = stderr.split('\n').find((l) => l.trim() !== '')?.trim() ?? `exit status ${status}`;
  const truncated = /unexpected end|ends unexpectedly|truncated|unfinished|premature|incomplete/i.test(line);
  let code: ErrorCode = truncated ? 'CODEC_TRUNCATED' : 'CODEC_CORRUPT';
  if (opts.mode === 'encode') code = 'TOOL_FAILED';
  const ctx = opts.offset === undefined ? {} : { offset: opts.offset };
  return new RemasterError(code, `${tool.command} ${opts.mode === 'decode' ? '-d ' : ''}failed: ${line}`, ctx);
}

/** Spawn `tool`, feed it, and yield its stdout; throw on a non-zero exit, a missing tool or abort. */
export async function* runTool(tool: ToolSpec, opts: RunToolOptions): AsyncGenerator<Uint8Array> {
  throwIfAborted(opts.signal, opts.offset);
  const child = await spawnTool(tool, opts.args);
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < MAX_STDERR) stderr += s;
  });
  let feedError: unknown;
  const pump = opts.feed(makeSink(child)).then(
    () => void child.stdin.end(),
    (err: unknown) => {
      feedError = err;
      child.kill('SIGKILL');
    },
  );
  const onAbort = (): void => void child.kill('SIGKILL');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    await pump;
    const [status] = await exited;
    finished = true;
    if (feedError !== undefined) throw feedError;
    throwIfAborted(opts.signal, opts.offset);
    if (status !== 0) throw failure(tool, opts, status, stderr);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (!finished) {
      child.kill('SIGKILL');
      child.stdin.destroy();
      await exited;
      await pump;
    }
  }
}

/**
 * Yield `primary`'s output, or `fallback`'s when primary's tool is not installed. runTool spawns
 * before it feeds, so a missing tool is known before any input was consumed and the fallback
 * starts from the same byte. Stopping early kills the primary's child.
 */
export async function* orWhenMissing(primary: AsyncGenerator<Uint8Array>, fallback: () => AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  let first: IteratorResult<Uint8Array>;
  try {
    first = await primary.next();
  } catch (err) {
    if (!(err instanceof RemasterError && err.code === 'CODEC_TOOL_MISSING')) throw err;
    yield* fallback();
    return;
  }
  try {
    if (first.done) return;
    yield first.value;
    yield* primary;
  } finally {
    await primary.return(undefined);
  }
}

/** Feed everything left in an async source to a sink (stops early when the tool stops reading). */
export async function feedAll(source: AsyncIterable<Uint8Array>, sink: ToolSink): Promise<void> {
  for await (const chunk of source) if (!(await sink.write(chunk))) return;
}

/** Size of the reads a feed makes from a ByteReader (matches the pipe buffer). */
export const FEED_CHUNK_SIZE = 1 << 17;

/** Feed everything left in a ByteReader to a sink (stops early when the tool stops reading). */
export async function feedReader(reader: ByteReader, sink: ToolSink): Promise<void> {
  for (;;) {
    const chunk = await reader.readUpTo(FEED_CHUNK_SIZE); // coalesces tiny source chunks into large writes
    if (chunk.length === 0) return;
    if (!(await sink.write(chunk))) return;
  }
}

/**
 * Copy exactly `n` bytes from the reader into the sink (a framed member walked by its decoder);
 * return false when the tool stopped reading. Throws CODEC_TRUNCATED naming `what` when the input
 * ends first.
 */
export async function feedExact(reader: ByteReader, sink: ToolSink, n: number, what: string): Promise<boolean> {
  for (let left = n; left > 0; ) {
    const chunk = await reader.readUpTo(Math.min(left, FEED_CHUNK_SIZE)); // coalesces tiny source chunks
    if (chunk.length === 0) {
      throw new RemasterError('CODEC_TRUNCATED', `${what} ends early: ${left} of ${n} bytes missing`, { offset: reader.offset });
    }
    if (!(await sink.write(chunk))) return false;
    left -= chunk.length;
  }
  return true;
}

/** Consume the rest of the input (codecs that cannot report their end own everything after their start). */
export async function drainReader(reader: ByteReader): Promise<void> {
  while ((await reader.skip(1 << 20)) > 0);
}
