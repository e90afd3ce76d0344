#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * The bin entry: refuse an old Node.js with a clear message before loading
 * modules that need Node >= 24 (zstd in node:zlib), then run the CLI. The
 * shebang caps V8's young generation at 2 MiB: streaming commands create
 * many short-lived pipe buffers, and with the default (16 MiB semi-spaces)
 * peak RSS listing a 500 MB initrd was 150 MB instead of about 105 MB.
 */
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`remaster: needs Node.js 24 or newer, this is ${process.version}; run it through npm (npx remaster / npm run) to use the pinned Node 24 [USAGE]\n`);
  process.exit(2);
}
// Startup: cache compiled code between runs, in the user's own cache directory (XDG_CACHE_HOME or
// ~/.cache) rather than Node's default under the shared /tmp, where another user could plant one.
// NODE_COMPILE_CACHE, when set, still chooses the place (or NODE_DISABLE_COMPILE_CACHE turns it off).
const { default: module } = await import('node:module');
if (process.env.NODE_COMPILE_CACHE === undefined) {
  const { homedir } = await import('node:os');
  const { join } = await import('node:path');
  module.enableCompileCache?.(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'remaster', 'node-compile-cache'));
} else {
  module.enableCompileCache?.();
}
await import('./run.ts');
