/**
 * detectDialect(): read the `#version=` convention comment (anaconda writes
 * `#version=RHEL9` or `#version=DEVEL` into anaconda-ks.cfg; ksvalidator takes
 * the same names with -v, reference 06 §1).
 */
import type { Kickstart, KickstartDialect } from './types.ts';

/** Return the dialect named by a `#version=` comment in the command section, if any. */
export function detectDialect(ks: Kickstart): KickstartDialect | undefined {
  for (const node of ks.nodes) {
    if (node.kind !== 'comment') continue;
    const m = /^\s*#\s*version\s*=\s*(RHEL|F|FC|DEVEL)(\d*)\s*$/iu.exec(node.text);
    if (!m) continue;
    const family = (m[1] as string).toUpperCase();
    const n = Number(m[2]);
    if (family !== 'RHEL') return 'fedora';
    if (n >= 5 && n <= 10) return `rhel${n}` as KickstartDialect;
  }
  return undefined;
}
