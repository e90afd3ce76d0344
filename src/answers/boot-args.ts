/**
 * answerBootArgs(): the kernel arguments that make each installer read its
 * answers unattended (reference 04 §3.1, §4.3; 05 §1):
 * - kickstart: `inst.ks=<url>` (`ks=` on RHEL 5/6 and kickseed);
 * - preseed: `auto=true priority=critical` plus `url=<url>` when fetched
 *   (no URL when `/preseed.cfg` is inside the initrd: d-i loads it itself);
 * - autoinstall: `autoinstall` (skips the confirmation prompt) and
 *   `ds=nocloud-net;s=<url>/` (the trailing slash matters: cloud-init
 *   appends `user-data` and `meta-data`). Loaders need the `;` protected in
 *   GRUB only; bootcfg's renderers quote per loader.
 */
import type { AnswerFormat } from './dialect.ts';

/** Where the answers are. */
export interface AnswerLocation {
  /** URL of the answer file (kickstart, preseed) or of the NoCloud directory (autoinstall). */
  url?: string;
  /** The file is inside the initrd (`/ks.cfg`, `/preseed.cfg`). */
  embedded?: boolean;
  /** Kickstart only: RHEL 5/6 and kickseed read `ks=`. */
  legacyKs?: boolean;
}

/** Return the kernel arguments for a format and location, in order. */
export function answerBootArgs(format: AnswerFormat, location: AnswerLocation): string[] {
  if (format === 'kickstart') {
    const key = location.legacyKs ? 'ks' : 'inst.ks';
    if (location.url !== undefined) return [`${key}=${location.url}`];
    return location.embedded ? [`${key}=file:/ks.cfg`] : [];
  }
  if (format === 'preseed') return ['auto=true', 'priority=critical', ...(location.url !== undefined ? [`url=${location.url}`] : [])];
  if (location.url === undefined) return ['autoinstall'];
  return ['autoinstall', `ds=nocloud-net;s=${location.url.replace(/\/?$/u, '/')}`];
}
