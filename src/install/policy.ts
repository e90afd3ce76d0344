/**
 * The hardware policy's small languages: sizes (`100GiB`, `512MB`, bytes as a number) and
 * comparisons (`>=2`, `>=16GiB`), and their translation into the rule lines require.sh reads
 * (`NAME<TAB>TEST<TAB>AS-WRITTEN`, sizes in bytes so the snippet compares integers only).
 * IEC units are powers of 1024, SI units powers of 1000 (IEC 80000-13).
 */

const UNITS: Readonly<Record<string, number>> = {
  B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, PiB: 1024 ** 5,
  KB: 1000, MB: 1000 ** 2, GB: 1000 ** 3, TB: 1000 ** 4, PB: 1000 ** 5,
};

/** A size: digits, an optional fraction, and a unit (B, KiB…PiB, KB…PB). */
export const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB|PiB|KB|MB|GB|TB|PB)$/u;
/** A comparison of a count: an operator and digits. */
export const COUNT_COMPARISON_PATTERN = /^(>=|<=|==|>|<)\s*(\d+)$/u;
/** A comparison of a size: an operator and a size. */
export const SIZE_COMPARISON_PATTERN = /^(>=|<=|==|>|<)\s*(\d+(?:\.\d+)?\s*(?:B|KiB|MiB|GiB|TiB|PiB|KB|MB|GB|TB|PB))$/u;

/** Return the bytes of a size such as `100GiB` (or a number of bytes), or undefined when it is not one. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const m = SIZE_PATTERN.exec(value.trim());
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * (UNITS[m[2] as string] as number));
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Return the test a comparison stands for, with a size turned into bytes: `>=16GiB` → `>=17179869184`. */
export function comparisonTest(value: string): string | undefined {
  const count = COUNT_COMPARISON_PATTERN.exec(value.trim());
  if (count) return `${count[1]}${Number(count[2])}`;
  const size = SIZE_COMPARISON_PATTERN.exec(value.trim());
  const bytes = size ? parseSize(size[2] as string) : undefined;
  return size && bytes !== undefined ? `${size[1]}${bytes}` : undefined;
}

/** The `require:` section as the schema validates it. */
export interface RequirePolicy {
  cpus?: string | undefined;
  memory?: string | undefined;
  disks?: string | { count?: string | undefined; minSize?: string | number | undefined } | undefined;
  nics?: string | { count?: string | undefined } | undefined;
  controllers?: string[] | undefined;
  dmi?: { vendor?: string | undefined; product?: string | undefined } | undefined;
}

function line(name: string, test: string, shown: string): string {
  // A tab or newline in a value would break the line format; the schema refuses them first.
  return `${name}\t${test}\t${shown}`;
}

/** Render the policy as require.sh's rule lines (see the snippet's header). */
export function requireRules(policy: RequirePolicy): string {
  const out: string[] = [];
  const compare = (name: string, value: string | undefined) => {
    if (value !== undefined) out.push(line(name, comparisonTest(value) ?? value, value.trim()));
  };
  compare('cpus', policy.cpus);
  compare('memory', policy.memory);
  const disks = typeof policy.disks === 'string' ? { count: policy.disks } : policy.disks;
  if (disks?.minSize !== undefined) {
    out.push(line('disks.minSize', String(parseSize(disks.minSize) ?? 0), String(disks.minSize)));
    compare('disks.count', disks.count ?? '>=1');
  } else {
    compare('disks.count', disks?.count);
  }
  compare('nics.count', typeof policy.nics === 'string' ? policy.nics : policy.nics?.count);
  for (const c of policy.controllers ?? []) out.push(line('controllers', c, c));
  if (policy.dmi?.vendor !== undefined) out.push(line('dmi.vendor', policy.dmi.vendor, policy.dmi.vendor));
  if (policy.dmi?.product !== undefined) out.push(line('dmi.product', policy.dmi.product, policy.dmi.product));
  return out.join('\n');
}
