/**
 * Find what a menu refers to, by reading the menu text back (independently
 * of the renderers, so verify also catches hand edits): PXELINUX
 * `KERNEL`/`LINUX`/`INITRD a,b`/`initrd=` in `APPEND`; GRUB
 * `linux`/`linuxefi`/`initrd`/`initrdefi`; iPXE `kernel`/`initrd`/`chain`
 * (reference 07 §1.3, §2.3, §3); and `inst.ks=`/`ks=` URLs anywhere.
 */

/** One reference found in a menu. */
export interface MenuReference {
  /** A root-relative path (TFTP) or an absolute URL. */
  target: string;
  kind: 'kernel' | 'initrd' | 'kickstart' | 'script';
  line: number;
}

const PXELINUX = /^\s*(KERNEL|LINUX|INITRD)\s+(\S+)/iu;
const GRUB = /^\s*(linux|linuxefi|initrd|initrdefi)\s+(.+)$/u;
const IPXE = /^\s*(kernel|initrd|chain)\s+(?:--\S+\s+)*(\S+)/u;
const KS = /(?:^|\s)(?:inst\.)?ks=(\S+)/gu;

function grubWords(rest: string): string[] {
  return rest.split(/(?<!\\)\s+/u).filter(Boolean).map((w) => w.replace(/\\(.)/gu, '$1'));
}

function clean(target: string): string {
  const t = target.replace(/^\(tftp(?:,[^)]*)?\)/u, '');
  return /^[a-z]+:\/\//u.test(t) || t.startsWith('(') ? t : t.replace(/^\/+/u, '');
}

function grubLine(m: RegExpExecArray, line: number): MenuReference[] {
  const words = grubWords(m[2] as string);
  const isKernel = (m[1] as string).startsWith('linux');
  const targets = isKernel ? words.slice(0, 1) : words;
  return targets.map((t) => ({ target: clean(t), kind: isKernel ? 'kernel' : 'initrd', line }));
}

/** Return the files a menu of the given loader refers to. */
export function menuReferences(text: string, loader: 'pxelinux' | 'grub' | 'ipxe'): MenuReference[] {
  const out: MenuReference[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*#/u.test(raw)) return;
    for (const m of raw.matchAll(KS)) {
      const v = m[1] as string;
      if (/^(?:https?|ftp):\/\//u.test(v)) out.push({ target: v, kind: 'kickstart', line });
    }
    if (loader === 'pxelinux') {
      const m = PXELINUX.exec(raw);
      if (m) for (const t of (m[2] as string).split(',')) out.push({ target: clean(t), kind: (m[1] as string).toUpperCase() === 'INITRD' ? 'initrd' : 'kernel', line });
    } else if (loader === 'grub') {
      const m = GRUB.exec(raw);
      if (m) out.push(...grubLine(m, line));
    } else {
      const m = IPXE.exec(raw);
      if (m && !(m[2] as string).includes('${')) {
        out.push({ target: clean(m[2] as string), kind: m[1] === 'chain' ? 'script' : (m[1] as 'kernel' | 'initrd'), line });
      }
    }
  });
  return out;
}

/** Return which loader reads a menu at a client path, or undefined for non-menu files. */
export function menuLoader(path: string, grubDir: string): 'pxelinux' | 'grub' | 'ipxe' | undefined {
  if (path.startsWith('pxelinux.cfg/')) return 'pxelinux';
  if (path.startsWith(`${grubDir}/grub.cfg`)) return 'grub';
  if (path.endsWith('.ipxe')) return 'ipxe';
  return undefined;
}
