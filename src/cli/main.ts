#!/usr/bin/env node
/**
 * The bin entry: refuse an old Node.js with a clear message before loading
 * modules that need Node >= 24 (zstd in node:zlib), then run the CLI.
 */
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`remaster: needs Node.js 24 or newer, this is ${process.version}; run it through npm (npx remaster / npm run) to use the pinned Node 24 [USAGE]\n`);
  process.exit(2);
}
// Startup: cache compiled code between runs (about a third of the start time).
const { default: module } = await import('node:module');
module.enableCompileCache?.();
// Memory: a 1 MiB young generation keeps peak RSS of streaming commands lower (the
// pipe buffers die young); measured in BENCHMARKS.md. Must run before the heap grows.
const { setFlagsFromString } = await import('node:v8');
setFlagsFromString('--max-semi-space-size=1');
await import('./run.ts');
