/** Build small tar archives with tar-stream's packer for deb tests. */
import { pack, type Header } from 'tar-stream';

export type TarMember = Partial<Header> & { name: string; data?: string };

/** Return the bytes of a tar archive holding `members`. */
export async function makeTar(members: TarMember[]): Promise<Uint8Array> {
  const p = pack();
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    for await (const c of p as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  })();
  for (const { data, ...header } of members) {
    await new Promise<void>((resolve, reject) => p.entry({ mtime: new Date(1700000000000), ...header }, data ?? '', (err) => (err ? reject(err) : resolve())));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}
