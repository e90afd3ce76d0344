/**
 * The file name of a request, made into a path relative to the served root.
 *
 * What real clients send: GRUB and many UEFI loaders a leading "/"
 * ("/grub/x86_64-efi/normal.mod"), Windows-derived ROMs and WDS-style boot
 * files "\" separators ("boot\x64\pxeboot.n12"), pxelinux names relative to
 * its own directory ("pxelinux.cfg/01-52-54-00-12-34-56"), sometimes with a
 * doubled "/" where a prefix ends in one. All of these name a file under the
 * root, so the server strips leading separators, turns "\" into "/", drops
 * empty and "." components and keeps case as sent (names are published as
 * the clients ask for them; reference 08 §4).
 *
 * Refused: any ".." component (PATH_ESCAPE) — even one that would stay inside
 * the root, as tftp-hpa's --secure and dnsmasq do, so no request can climb out
 * of the root by name; NUL and other control characters, names that are not
 * UTF-8, and empty names (PATH_INVALID). Symlinks are the opener's business
 * (fsx/served-file.ts).
 */
import { RemasterError } from '../../errors.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
// C0 controls and DEL: never part of a published name, and they would end up in logs.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Turn a request's file name (octets as latin1 characters, as decoded) into a root-relative path; throw PATH_ESCAPE / PATH_INVALID. */
export function normalizeTftpPath(filename: string): string {
  const bytes = Buffer.from(filename, 'latin1');
  let name: string;
  try {
    name = UTF8.decode(bytes);
  } catch {
    throw new RemasterError('PATH_INVALID', 'file name is not valid UTF-8', { entry: filename });
  }
  if (CONTROL.test(name)) throw new RemasterError('PATH_INVALID', 'file name contains a control character', { entry: name });
  const parts: string[] = [];
  for (const part of name.replaceAll('\\', '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new RemasterError('PATH_ESCAPE', 'file name has a ".." component', { entry: name });
    parts.push(part);
  }
  if (parts.length === 0) throw new RemasterError('PATH_INVALID', 'file name names no file', { entry: name });
  return parts.join('/');
}
