/**
 * A child process for the kill -9 durability test: registers hosts and arms
 * each one (a transition with its event) in a loop, printing "ack <i>" only
 * after both writes resolved. Arguments: state directory, first index.
 */
import { openStore, hashSecret } from '../../src/index.ts';

const [stateDir, first] = process.argv.slice(2) as [string, string];
const store = await openStore({ stateDir });
const mac = (i: number) => `02:00:00:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
process.stdout.write('ready\n');
for (let i = Number(first); i < Number(first) + 100_000; i++) {
  await store.createHost({ mac: mac(i), name: `h${i}` }, 'writer');
  await store.transition(mac(i), { from: ['registered'], to: 'armed', actor: 'writer', arm: { installId: `i${i}`, callbackSecretHash: hashSecret(String(i)) }, event: { kind: 'armed', detail: { i } } });
  process.stdout.write(`ack ${i}\n`);
}
