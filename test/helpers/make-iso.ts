/**
 * Tiny ISO images built in code for golden-byte and malicious-input tests
 * (STYLE.md §1.8 rule 4). Layout: system area, PVD at 16, optional boot
 * record, terminator, one sector per directory, optional boot catalog, then
 * file data. Any record can override its extent, size, flags or System Use
 * bytes, which is how the hostile cases are made.
 */
import { encodeDirectoryRecord, FILE_FLAG_DIRECTORY, FILE_FLAG_MULTI_EXTENT } from '../../src/iso/directory-record.ts';
import { encodeNmEntry, encodePxEntry, encodeSlEntry, encodeTfEntry } from '../../src/iso/rock-ridge.ts';
import { encodeSuspEntry } from '../../src/iso/susp.ts';
import { concatBytes } from '../../src/io/align.ts';
import {
  encodeBootRecordDescriptor, encodePrimaryVolumeDescriptor, encodeTerminatorDescriptor, ISO_SECTOR_SIZE,
} from '../../src/iso/volume-descriptor.ts';

/** One node of a hand-made image. */
export interface IsoSpec {
  name: string;
  /** Children: makes a directory. */
  dir?: IsoSpec[];
  /** File content (one extent). */
  data?: Uint8Array;
  /** Several extents of one multi-extent file. */
  parts?: Uint8Array[];
  /** Rock Ridge symlink target. */
  linkTarget?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  /** Override the extent LBA written in the record (hostile images). */
  extent?: number;
  /** Override the data length written in the record. */
  size?: number;
  /** Raw SUSP entries appended to the record's System Use area. */
  su?: Uint8Array[];
  /** Leave out the Rock Ridge entries of this record. */
  noRockRidge?: boolean;
}

/** Options for makeIso(). */
export interface MakeIsoOptions {
  label?: string;
  /** Write SP/ER/PX/NM/TF/SL entries (default true). */
  rockRidge?: boolean;
  /** Raw boot catalog sector content; adds an El Torito boot record. */
  bootCatalog?: Uint8Array;
  /** Extra SUSP entries for the root "." record (after SP). */
  rootSu?: Uint8Array[];
  /** Total sectors; default: just enough. */
  totalSectors?: number;
}

/** Result: the bytes and where each path landed. */
export interface MadeIso {
  bytes: Uint8Array;
  /** Path to LBA of its directory or first data extent. */
  lba: Map<string, number>;
  rootLba: number;
  catalogLba?: number;
}

const MTIME = 1_700_000_000;

function rrEntries(spec: IsoSpec, isDir: boolean): Uint8Array[] {
  const type = spec.linkTarget !== undefined ? 0o120000 : isDir ? 0o040000 : 0o100000;
  const mode = type | (spec.mode ?? (isDir || spec.linkTarget ? 0o755 : 0o644));
  const out = [encodePxEntry({ mode, nlink: 1, uid: spec.uid ?? 0, gid: spec.gid ?? 0 }), encodeTfEntry(spec.mtime ?? MTIME)];
  if (spec.name !== '.' && spec.name !== '..') out.push(encodeNmEntry(spec.name));
  if (spec.linkTarget !== undefined) out.push(encodeSlEntry(spec.linkTarget));
  return out;
}

function isoIdentifier(spec: IsoSpec, isDir: boolean): Uint8Array {
  const base = spec.name.toUpperCase().replace(/[^A-Z0-9_.]/gu, '_').slice(0, 30);
  return new TextEncoder().encode(isDir ? base : `${base.includes('.') ? base : `${base}.`};1`);
}

/** Pack records into sectors so none straddles a sector boundary. */
export function packRecords(records: Uint8Array[]): Uint8Array {
  const sectors: Uint8Array[] = [new Uint8Array(ISO_SECTOR_SIZE)];
  let pos = 0;
  for (const r of records) {
    if (pos + r.length > ISO_SECTOR_SIZE) {
      sectors.push(new Uint8Array(ISO_SECTOR_SIZE));
      pos = 0;
    }
    (sectors.at(-1) as Uint8Array).set(r, pos);
    pos += r.length;
  }
  return concatBytes(sectors);
}

/** Build an image from a tree of specs. */
export function makeIso(root: IsoSpec[], options: MakeIsoOptions = {}): MadeIso {
  const rr = options.rockRidge ?? true;
  const lba = new Map<string, number>();
  const dirs: { path: string; spec: IsoSpec[]; parent: string }[] = [];
  const files: { path: string; parts: Uint8Array[] }[] = [];
  const collect = (children: IsoSpec[], path: string, parent: string): void => {
    dirs.push({ path, spec: children, parent });
    for (const c of children) {
      const p = path === '/' ? `/${c.name}` : `${path}/${c.name}`;
      if (c.dir) collect(c.dir, p, path);
      else if (c.linkTarget === undefined) files.push({ path: p, parts: c.parts ?? [c.data ?? new Uint8Array(0)] });
    }
  };
  collect(root, '/', '/');
  let next = 16 + 1 + (options.bootCatalog ? 1 : 0) + 1;
  for (const d of dirs) lba.set(d.path, next++);
  const catalogLba = options.bootCatalog ? next++ : undefined;
  const partLba = new Map<string, number[]>();
  for (const f of files) {
    const lbas = f.parts.map((p) => {
      const at = next;
      next += Math.max(1, Math.ceil(p.length / ISO_SECTOR_SIZE));
      return at;
    });
    partLba.set(f.path, lbas);
    lba.set(f.path, lbas[0] as number);
  }
  const total = options.totalSectors ?? next;
  const bytes = new Uint8Array(Math.max(total, next) * ISO_SECTOR_SIZE);
  const rootLba = lba.get('/') as number;
  bytes.set(encodePrimaryVolumeDescriptor({ volumeId: options.label ?? 'TINY', volumeSpaceSize: total, rootExtent: rootLba, rootSize: ISO_SECTOR_SIZE, created: MTIME }), 16 * ISO_SECTOR_SIZE);
  let vd = 17;
  if (catalogLba !== undefined && options.bootCatalog) {
    bytes.set(encodeBootRecordDescriptor(catalogLba), vd++ * ISO_SECTOR_SIZE);
    bytes.set(options.bootCatalog, catalogLba * ISO_SECTOR_SIZE);
  }
  bytes.set(encodeTerminatorDescriptor(), vd * ISO_SECTOR_SIZE);
  for (const d of dirs) bytes.set(encodeDirectory(d, lba, partLba, rr, options).subarray(0, ISO_SECTOR_SIZE), (lba.get(d.path) as number) * ISO_SECTOR_SIZE);
  for (const f of files) f.parts.forEach((p, i) => bytes.set(p, (partLba.get(f.path)?.[i] as number) * ISO_SECTOR_SIZE));
  return { bytes: bytes.subarray(0, total * ISO_SECTOR_SIZE), lba, rootLba, ...(catalogLba !== undefined ? { catalogLba } : {}) };
}

function encodeDirectory(
  d: { path: string; spec: IsoSpec[]; parent: string }, lba: Map<string, number>, partLba: Map<string, number[]>, rr: boolean, options: MakeIsoOptions,
): Uint8Array {
  const self = lba.get(d.path) as number;
  const dotSu = rr ? [...(d.path === '/' ? [encodeSuspEntry('SP', [0xbe, 0xef, 0]), ...rrRootEr(), ...(options.rootSu ?? [])] : []), ...rrEntries({ name: '.' }, true)] : [];
  const records = [
    encodeDirectoryRecord({ extent: self, dataLength: ISO_SECTOR_SIZE, flags: FILE_FLAG_DIRECTORY, identifier: new Uint8Array([0]), recorded: MTIME, systemUse: concatBytes(dotSu) }),
    encodeDirectoryRecord({ extent: lba.get(d.parent) as number, dataLength: ISO_SECTOR_SIZE, flags: FILE_FLAG_DIRECTORY, identifier: new Uint8Array([1]), recorded: MTIME }),
  ];
  for (const c of d.spec) {
    const path = d.path === '/' ? `/${c.name}` : `${d.path}/${c.name}`;
    const isDir = c.dir !== undefined;
    const su = concatBytes([...(rr && !c.noRockRidge ? rrEntries(c, isDir) : []), ...(c.su ?? [])]);
    const parts = c.parts ?? [c.data ?? new Uint8Array(0)];
    const lbas = partLba.get(path) ?? [lba.get(path) ?? 0];
    parts.forEach((p, i) => {
      const isLast = i === parts.length - 1;
      const flags = (isDir ? FILE_FLAG_DIRECTORY : 0) | (isLast ? 0 : FILE_FLAG_MULTI_EXTENT);
      const dataLength = c.size ?? (isDir ? ISO_SECTOR_SIZE : c.linkTarget !== undefined ? 0 : p.length);
      records.push(encodeDirectoryRecord({ extent: c.extent ?? (lbas[i] as number), dataLength, flags, identifier: isoIdentifier(c, isDir), recorded: MTIME, systemUse: su }));
    });
  }
  return packRecords(records);
}

function rrRootEr(): Uint8Array[] {
  const id = 'RRIP_1991A';
  return [encodeSuspEntry('ER', [id.length, 0, 0, 1, ...new TextEncoder().encode(id)])];
}

/**
 * Build the real-tool fixture ISOs (fixtures/make-isos.sh) once into
 * fixtures/out/iso and return that directory. Builds into a temporary sibling
 * and renames it, so parallel test processes never see a half-built set.
 */
export async function ensureIsoFixtures(): Promise<string> {
  const { existsSync } = await import('node:fs');
  const { rename, rm, mkdir } = await import('node:fs/promises');
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  // The cache is keyed by the script's hash: editing make-isos.sh rebuilds the images.
  const { createHash } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  const hash = createHash('sha256').update(readFileSync(`${repo}fixtures/make-isos.sh`)).digest('hex').slice(0, 16);
  const out = `${repo}fixtures/out/iso-${hash}`;
  if (existsSync(`${out}/.stamp`)) return out;
  await mkdir(`${repo}fixtures/out`, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const r = spawnSync('bash', [`${repo}fixtures/make-isos.sh`, tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`make-isos.sh failed: ${r.stderr?.toString()}`);
  try {
    await rename(tmp, out);
  } catch {
    await rm(tmp, { recursive: true, force: true }); // another process won the race
  }
  return out;
}
