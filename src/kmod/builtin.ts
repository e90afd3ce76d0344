/**
 * The kernel build's lists of built-in modules, read the way depmod reads
 * them: `modules.builtin` (one `kernel/path/name.ko` per line,
 * tools/depmod.c output_builtin_bin) and `modules.builtin.modinfo`
 * (NUL-separated `modname.key=value`, grouped by consecutive modname,
 * libkmod/libkmod-builtin.c kmod_builtin_iter_next).
 */
import { RemasterError } from '../errors.ts';
import { latin1 } from './elf-sections.ts';
import { moduleNameFromPath } from './module-file.ts';

/** One built-in module and its modinfo entries, in file order. */
export interface BuiltinModule {
  name: string;
  modinfo: Array<[key: string, value: string]>;
}

/** Return the module names of a modules.builtin text, skipping lines that do not start with a letter (as depmod does). */
export function parseModulesBuiltin(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.filter((l) => /^[A-Za-z]/.test(l)).map((l) => moduleNameFromPath(l.replace(/\n$/, '')));
}

/** Parse modules.builtin.modinfo into modules, one per run of strings with the same modname prefix. */
export function parseBuiltinModinfo(bytes: Uint8Array): BuiltinModule[] {
  const out: BuiltinModule[] = [];
  let start = 0;
  let current: BuiltinModule | undefined;
  while (start < bytes.length) {
    let end = bytes.indexOf(0, start);
    if (end < 0) end = bytes.length;
    const s = latin1(bytes, start, end);
    const dot = s.indexOf('.');
    if (dot < 0) throw new RemasterError('MODULE_BAD_ELF', `modules.builtin.modinfo: string ${JSON.stringify(s)} has no "modname." prefix`, { offset: start });
    const name = s.slice(0, dot);
    if (!current || current.name !== name) out.push((current = { name, modinfo: [] }));
    const kv = s.slice(dot + 1);
    const eq = kv.indexOf('=');
    current.modinfo.push(eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)]);
    start = end + 1;
  }
  return out;
}
