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
await import('./run.ts');
