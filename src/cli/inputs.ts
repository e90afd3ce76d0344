/**
 * Map command-line input names to library sources. An initrd may be named
 * inside an ISO as `distro.iso:/images/pxeboot/initrd.img`: the ISO is read
 * in place (directory sectors and the file's own sectors only). A plain file
 * is read with blocking positioned reads (see fileRangeSource): a command has
 * nothing else to do meanwhile.
 */
import { RemasterError, openFileSource, type FileRangeSource, fileRangeSource } from '../core.ts';

const ISO_PATH = /^(.+?):(\/.*)$/;

/** Open an initrd named on the command line (a file, or `image.iso:/path/in/iso`). */
export async function initrdSource(spec: string): Promise<FileRangeSource> {
  let notFound: unknown;
  try {
    await (await openFileSource(spec)).close();
    return fileRangeSource(spec, { blocking: true });
  } catch (err) {
    notFound = err;
  }
  const m = ISO_PATH.exec(spec);
  if (!m) throw notFound;
  // The ISO reader is loaded only for this form (a plain file listing does not pay for it).
  const { isoFileRangeSource, readIso } = await import('../engine.ts');
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
