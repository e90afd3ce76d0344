/**
 * The storage checks Subiquity makes when it runs the `storage:` section,
 * after the schema (which takes any mapping there): its storage controller
 * (subiquity/server/controllers/storage.py, run_autoinstall_guided and
 * convert_autoinstall_config) reads `layout.name`, `layout.mode` and
 * `layout.sizing-policy`, and uses `layout` when both `layout` and `config`
 * are given. These are reported as AI_STORAGE, apart from AI_SCHEMA, so a
 * schema verdict stays comparable with Subiquity's published schema.
 */

/** Layout names Subiquity's guided storage knows (any other name installs `direct`). */
export const AUTOINSTALL_LAYOUTS = ['direct', 'lvm', 'zfs', 'hybrid', 'dd'] as const;

/** One storage finding: the path (under the autoinstall mapping) it is about. */
export interface StorageFinding {
  path: (string | number)[];
  severity: 'error' | 'warning';
  message: string;
}

/** Check the `storage:` mapping of an autoinstall value the way Subiquity runs it. */
export function checkAutoinstallStorage(storage: unknown): StorageFinding[] {
  if (storage === null || typeof storage !== 'object' || Array.isArray(storage)) return [];
  const s = storage as Record<string, unknown>;
  const out: StorageFinding[] = [];
  if ('layout' in s && 'config' in s) {
    out.push({ path: ['storage', 'config'], severity: 'warning', message: 'storage has both layout and config: Subiquity uses layout and ignores config' });
  }
  if (!('layout' in s)) return out;
  const layout = s['layout'];
  if (layout === null || typeof layout !== 'object' || Array.isArray(layout)) {
    return [...out, { path: ['storage', 'layout'], severity: 'error', message: 'storage.layout must be a mapping with a name' }];
  }
  const l = layout as Record<string, unknown>;
  const name = l['name'];
  if (name === undefined) out.push({ path: ['storage', 'layout'], severity: 'error', message: 'storage.layout has no name (Subiquity stops with an error)' });
  else if (!(AUTOINSTALL_LAYOUTS as readonly unknown[]).includes(name)) {
    out.push({ path: ['storage', 'layout', 'name'], severity: 'warning', message: `storage.layout.name ${JSON.stringify(name)} is not one of ${AUTOINSTALL_LAYOUTS.join(', ')}: Subiquity installs the direct layout` });
  }
  if ('mode' in l && l['mode'] !== 'reformat_disk' && l['mode'] !== 'use_gap') {
    out.push({ path: ['storage', 'layout', 'mode'], severity: 'error', message: `storage.layout.mode must be reformat_disk or use_gap, got ${JSON.stringify(l['mode'])}` });
  }
  const policy = l['sizing-policy'];
  if (name === 'lvm' && policy !== undefined && policy !== null && policy !== 'scaled' && policy !== 'all') {
    out.push({ path: ['storage', 'layout', 'sizing-policy'], severity: 'error', message: `storage.layout.sizing-policy must be scaled or all, got ${JSON.stringify(policy)}` });
  }
  return out;
}
