/**
 * Debian/Ubuntu netboot tarballs as a recipe source (`netboot.tar.gz`: the
 * layout of debian-installer's netboot images, `debian-installer/<arch>/linux`
 * and `initrd.gz`; Ubuntu's `ubuntu-installer/<arch>/…`). The tarball is read
 * once with tar-stream through the codec table; kernel and initrd are kept in
 * memory (tens of MB) so the initrd can be read twice, as every edit does.
 */
import { RemasterError } from '../errors.ts';
import { ByteReader, bytesRangeSource, concatBytes, readFileChunks, type FileRangeSource } from '../io/index.ts';
import { detectCodec, getCodec } from '../compress/index.ts';
import { readTar } from '../package/index.ts';

/** Kernel and initrd found in a netboot tarball. */
export interface NetbootFiles {
  kernel: FileRangeSource;
  initrd: FileRangeSource;
  kernelPath: string;
  initrdPath: string;
}

const KERNEL_RE = /^(?:\.\/)?(?:debian|ubuntu)-installer\/[^/]+\/linux$/;
const INITRD_RE = /^(?:\.\/)?(?:debian|ubuntu)-installer\/[^/]+\/initrd\.gz$/;

async function* decompressed(file: string): AsyncGenerator<Uint8Array> {
  const reader = new ByteReader(readFileChunks(file));
  const codec = detectCodec(await reader.peek(8));
  if (codec === undefined) yield* reader.rest();
  else yield* getCodec(codec).decompress(reader);
}

/** Read kernel and initrd out of a netboot tarball (paths inside it may be given). */
export async function readNetboot(file: string, name: string, wanted: { kernel?: string; initrd?: string } = {}): Promise<NetbootFiles> {
  const strip = (p: string) => p.replace(/^\.?\//, '');
  const isKernel = (p: string) => (wanted.kernel ? strip(p) === strip(wanted.kernel) : KERNEL_RE.test(p));
  const isInitrd = (p: string) => (wanted.initrd ? strip(p) === strip(wanted.initrd) : INITRD_RE.test(p));
  const found: Partial<Record<'kernel' | 'initrd', { path: string; data: Uint8Array }>> = {};
  for await (const e of readTar(decompressed(file))) {
    const kind = isKernel(e.path) ? 'kernel' : isInitrd(e.path) ? 'initrd' : undefined;
    if (kind === undefined || e.type !== 'file' || found[kind]) continue;
    const parts: Uint8Array[] = [];
    for await (const c of e.body) parts.push(c.slice());
    found[kind] = { path: e.path, data: concatBytes(parts) };
  }
  if (!found.kernel || !found.initrd) {
    throw new RemasterError('INPUT_NOT_FOUND', `no ${found.kernel ? 'initrd' : 'kernel'} in the netboot tarball (looked for debian-installer/<arch>/linux and initrd.gz; name them as source.kernel/source.initrd)`, { file: name });
  }
  return {
    kernel: bytesRangeSource(`${name}:${found.kernel.path}`, found.kernel.data),
    initrd: bytesRangeSource(`${name}:${found.initrd.path}`, found.initrd.data),
    kernelPath: found.kernel.path,
    initrdPath: found.initrd.path,
  };
}
