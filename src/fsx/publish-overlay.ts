/**
 * A one-file overlay initrd carrying `/ks.cfg`, for `inst.ks=file:/ks.cfg`
 * when there is no HTTP server (reference 05 §1: "a file inside the
 * initramfs … pair with an extra initrd segment carrying /ks.cfg"). It is an
 * uncompressed newc archive, which every kernel accepts as a later segment
 * (reference 01), written with the project's own cpio writer; mtime 0 and
 * fixed inode numbers make it byte-identical for the same kickstart.
 */
import { readFile } from 'node:fs/promises';
import { RemasterError } from '../errors.ts';
import { writeCpio, S_IFREG } from '../cpio/index.ts';

/** Return the bytes of a newc archive holding `ks.cfg` with the kickstart at `path`. */
export async function makeKickstartOverlay(path: string, name = 'ks.cfg'): Promise<{ kickstart: Uint8Array; overlay: Uint8Array }> {
  const kickstart = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw new RemasterError('INPUT_NOT_FOUND', `cannot read kickstart: ${err.message}`, { file: path });
  });
  const body = new Uint8Array(kickstart.buffer, kickstart.byteOffset, kickstart.byteLength);
  const header = { ino: 1, mode: S_IFREG | 0o644, uid: 0, gid: 0, nlink: 1, mtime: 0, fileSize: body.length, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0 };
  const chunks: Uint8Array[] = [];
  for await (const c of writeCpio([{ name, header, body }])) chunks.push(c);
  return { kickstart: body, overlay: new Uint8Array(Buffer.concat(chunks)) };
}
