/**
 * Build newc archives by hand (independently of src/cpio's encoder) for
 * golden-byte and malicious-input tests: fields are formatted here with
 * plain string padding, so a bug in the encoder cannot hide in both places.
 */

export interface MakeEntry {
  name: string;
  mode?: number;
  data?: string | Uint8Array;
  ino?: number;
  uid?: number;
  gid?: number;
  nlink?: number;
  mtime?: number;
  /** The device the file was on (part of the kernel's hard-link key with ino). */
  devMajor?: number;
  devMinor?: number;
  rdevMajor?: number;
  rdevMinor?: number;
  /** Override the stored size field (for lying headers). */
  fileSize?: number;
  /** Override the stored namesize field. */
  nameSize?: number;
  /** Omit the NUL after the name. */
  noNul?: boolean;
  magic?: string;
}

const enc = new TextEncoder();
const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

/** Return the bytes of a newc archive with the given entries and (by default) a trailer. */
export function makeCpio(entries: MakeEntry[], options: { trailer?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    length += b.length;
  };
  const pad = () => push(new Uint8Array((4 - (length % 4)) % 4));
  const all = options.trailer === false ? entries : [...entries, { name: 'TRAILER!!!', mode: 0, nlink: 1, ino: 0 }];
  all.forEach((e, i) => {
    const data = typeof e.data === 'string' ? enc.encode(e.data) : (e.data ?? new Uint8Array(0));
    const name = enc.encode(e.name);
    const fields = [
      e.ino ?? i + 1, e.mode ?? 0o100644, e.uid ?? 0, e.gid ?? 0, e.nlink ?? 1, e.mtime ?? 1700000000,
      e.fileSize ?? data.length, e.devMajor ?? 0, e.devMinor ?? 0, e.rdevMajor ?? 0, e.rdevMinor ?? 0, e.nameSize ?? name.length + (e.noNul ? 0 : 1), 0,
    ];
    const header = (e.magic ?? '070701') + fields.map(hex8).join('');
    push(enc.encode(header));
    push(name);
    if (!e.noNul) push(Uint8Array.of(0));
    pad();
    push(data);
    pad();
  });
  const out = new Uint8Array(length);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}
