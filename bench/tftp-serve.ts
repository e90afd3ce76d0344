/**
 * The built TFTP server (dist/) serving one directory, for bench/tftp.ts: what `remaster serve`
 * will run (createTftpServer + openServedFile). With threads > 1, one server per worker thread
 * shares the port (reusePort). Prints "ready <port>" on stdout; SIGTERM closes it.
 *
 *   node bench/tftp-serve.ts <root> <address> <port> [maxTransfers] [threads]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const [root, address, port, max, threadsArg] = (isMainThread ? process.argv.slice(2) : (workerData as string[])) as [string, string, string, string | undefined, string | undefined];
const threads = Math.max(1, Number(threadsArg ?? 1));

async function serve(reusePort: boolean): Promise<{ close(): Promise<number> }> {
  const lib = (await import(pathToFileURL(resolve(import.meta.dirname, '..', 'dist', 'index.js')).href)) as typeof import('../src/index.ts');
  let failed = 0; // transfers that did not complete (retransmissions are reported, not failures)
  const server = await lib.createTftpServer({
    address,
    port: Number(port),
    reusePort,
    maxTransfers: Number(max ?? 64),
    open: (request) => lib.openServedFile(root, request.path),
    onTransfer: (e) => {
      if (e.outcome !== 'complete' || e.retransmits > 0) {
        if (e.outcome !== 'complete') failed += 1;
        process.stderr.write(`${JSON.stringify(e)}\n`);
      }
    },
    onError: (err) => process.stderr.write(`unexpected: ${String(err)}\n`),
  });
  return { close: async () => (await server.close({ graceful: false }), failed) };
}

if (!isMainThread) {
  const s = await serve(true);
  parentPort?.postMessage('ready');
  parentPort?.on('message', () => void s.close().then((failed) => parentPort?.postMessage(failed)));
} else if (threads === 1) {
  const s = await serve(false);
  process.stdout.write(`ready ${port}\n`);
  process.on('SIGTERM', () => void s.close().then((failed) => process.exit(failed > 0 ? 1 : 0)));
} else {
  const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: [root, address, port, max, '1'] }));
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  process.stdout.write(`ready ${port}\n`);
  process.on('SIGTERM', () => {
    void Promise.all(workers.map((w) => new Promise<number>((r) => {
      w.once('message', r);
      w.postMessage('close');
    }))).then((failed) => process.exit(failed.some((f) => f > 0) ? 1 : 0));
  });
}
