/** The CLI's view of the outside world, injectable for tests. */
import type { Writable } from 'node:stream';

export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** True when stdout is an interactive terminal. */
  isTTY: boolean;
  cwd: string;
}

/** Build the context of the running process. */
export function processContext(): CliContext {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, isTTY: Boolean(process.stdout.isTTY), cwd: process.cwd() };
}

/** Write text or bytes to a stream, waiting for drain (backpressure). */
export async function write(stream: Writable, data: string | Uint8Array): Promise<void> {
  if (!stream.write(data)) await new Promise<void>((resolve, reject) => {
    const onDrain = () => { stream.off('error', onError); resolve(); };
    const onError = (err: Error) => { stream.off('drain', onDrain); reject(err); };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

/** Read SOURCE_DATE_EPOCH from the environment, if set and valid. */
export function sourceDateEpoch(env: CliContext['env']): number | undefined {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
