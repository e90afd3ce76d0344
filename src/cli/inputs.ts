/**
 * Map command-line input names to library sources. An initrd may be named
 * inside an ISO as `distro.iso:/images/pxeboot/initrd.img`: the ISO is read
 * in place (directory sectors and the file's own sectors only).
 */
import { RemasterError, isoFileRangeSource, openFileSource, readIso, type FileRangeSource, fileRangeSource } from '../engine.ts';

const ISO_PATH = /^(.+?):(\/.*)$/;

/** Open an initrd named on the command line (a file, or `image.iso:/path/in/iso`). */
export async function initrdSource(spec: string): Promise<FileRangeSource> {
  let notFound: unknown;
  try {
    await (await openFileSource(spec)).close();
    return fileRangeSource(spec);
  } catch (err) {
    notFound = err;
  }
  const m = ISO_PATH.exec(spec);
  if (!m) throw notFound;
  const iso = await openFileSource(m[1] as string);
  try {
    const image = await readIso(iso);
    const node = image.lookup(m[2] as string);
    if (!node) throw new RemasterError('ISO_NOT_FOUND', `no ${m[2]} in the ISO`, { file: m[1] as string });
    return isoFileRangeSource(iso, node, spec);
  } catch (err) {
    await iso.close();
    throw err;
  }
}
