/**
 * In-process measurements for bench/run.ts, run in a fresh Node process each time so that
 * every sample pays the same warm-up: `scan <initrd>` times the library's scanInitrd() (no CLI
 * start-up, no output formatting); `cpio <file>` times readCpio() over an uncompressed archive file (seeking over bodies);
 * `iso <iso> <path>...` reads files out of an ISO and reports BlockSource.bytesRead;
 * `pipe <base64 shell command>` only counts the bytes the command writes to a pipe (the floor
 * of any reader that gets decoded data from a codec CLI: no parsing, no copies, no retention).
 * Prints one JSON object on stdout.
 */
import { spawn } from 'node:child_process';
import { ByteReader, openFileSource, readCpio, readFileChunks, readFileSeekable, readIso, readIsoFile, scanInitrd } from '../src/index.ts';

const [mode, file, ...rest] = process.argv.slice(2);
if (mode === undefined || file === undefined) throw new Error('usage: lib-probe.ts scan|cpio|iso|pipe FILE|COMMAND [PATH...]');

const started = process.hrtime.bigint();
const ms = (): number => Number(process.hrtime.bigint() - started) / 1e6;

if (mode === 'scan') {
  const index = await scanInitrd(readFileChunks(file));
  console.log(JSON.stringify({ ms: ms(), entries: index.entries.length, segments: index.segments.length }));
} else if (mode === 'cpio') {
  let entries = 0;
  for await (const entry of readCpio(new ByteReader(readFileSeekable(file)))) {
    void entry;
    entries++;
  }
  console.log(JSON.stringify({ ms: ms(), entries }));
} else if (mode === 'iso') {
  const source = await openFileSource(file);
  try {
    const image = await readIso(source);
    let fileBytes = 0;
    for (const path of rest) {
      const node = image.lookup(path);
      if (node === undefined) throw new Error(`${path} not in ${file}`);
      for await (const chunk of readIsoFile(source, node)) fileBytes += chunk.length;
    }
    console.log(JSON.stringify({ ms: ms(), bytesRead: source.bytesRead, fileBytes, isoSize: source.size }));
  } finally {
    await source.close();
  }
} else if (mode === 'pipe') {
  const child = spawn('bash', ['-c', Buffer.from(file, 'base64').toString('utf8')], { stdio: ['ignore', 'pipe', 'ignore'] });
  let bytes = 0;
  for await (const chunk of child.stdout) bytes += (chunk as Buffer).length;
  console.log(JSON.stringify({ ms: ms(), bytes }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
