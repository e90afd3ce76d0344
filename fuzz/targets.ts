/**
 * Fuzz targets: each has a seed corpus, a case generator (generic plus
 * format-aware mutations) and a run function that drives one reader to the
 * end of its input. A run may throw only a RemasterError; anything else,
 * a hang or a memory blow-up is a finding (run.ts, worker.ts).
 */
import { RemasterError } from '../src/errors.ts';
import { ByteReader, bytesSource } from '../src/io/index.ts';
import { readCpio } from '../src/cpio/index.ts';
import { readInitrd, scanInitrd } from '../src/initrd/index.ts';
import { readIso, readIsoFile } from '../src/iso/index.ts';
import { KICKSTART_DIALECTS, lintKickstart, parseKickstart, renderKickstart } from '../src/kickstart/index.ts';
import { parseRecipe } from '../src/recipe/index.ts';
import { readDeb, readRpm } from '../src/package/index.ts';
import { decodeElf } from '../src/elf/index.ts';
import { decodeKmodIndex, decodeModuleInfo, decodeModuleSignature } from '../src/kmod/index.ts';
import { classifyDhcpClient, decideProxyReply, decodeDhcpPacket, type DhcpClient } from '../src/net/dhcp/index.ts';
import { caseRng, type Rng } from './prng.ts';
import { GENERIC_MUTATORS, INTERESTING_32, INTERESTING_HEX8, TEXT_MUTATORS, mutate, writeU32, type Mutator } from './mutate.ts';
import * as S from './seeds.ts';
import { LZMA_MUTATORS, lzmaSeeds, runLzma, runXzSmall, XZ_MUTATORS, xzSeeds } from './lzma.ts';
import { generateExtractCase, runExtractCase } from './extract-target.ts';
import { runTftpPacket, runTftpServer, tftpPacketSeeds, tftpServerCase, tftpServerSeeds, TFTP_MUTATORS } from './tftp.ts';

/** A ready target: seeds and the two functions the worker needs. */
export interface Target {
  name: string;
  /** Default case count for `npm run fuzz` without --cases. */
  defaultCases: number;
  seeds: Uint8Array[];
  notes: string[];
  generate(rng: Rng): Uint8Array;
  /** Drive the reader; resolve to an outcome label other than "ok" when there is more to say. */
  run(bytes: Uint8Array): Promise<void | string>;
}

export const TARGET_NAMES = ['cpio', 'initrd', 'initrd-cli', 'lzma', 'xz-small', 'iso', 'kickstart', 'recipe', 'rpm', 'deb', 'elf', 'kmod', 'extract', 'dhcp', 'tftp-packet', 'tftp-server'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

const enc = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: false });
const ignore = (): void => {};

/** Split input into chunks whose size depends on its length, so chunk boundaries vary deterministically. */
function chunks(bytes: Uint8Array): Uint8Array[] {
  const size = [bytes.length || 1, 113, 7, 2048][bytes.length % 4] as number;
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of body) void _;
}

// ---- cpio -----------------------------------------------------------------

const CPIO_FIELDS = 13;

/** Rewrite one hex field of one header with a huge, tiny, off-by-one or non-hex value. */
const cpioField: Mutator = (input, rng) => {
  const heads: number[] = [];
  for (let i = 0; i + 110 <= input.length; i++) {
    if (input[i] === 0x30 && input[i + 1] === 0x37 && input[i + 2] === 0x30 && input[i + 3] === 0x37 && input[i + 4] === 0x30) heads.push(i);
  }
  if (heads.length === 0) return input;
  const out = input.slice();
  const at = rng.pick(heads) + 6 + 8 * rng.below(CPIO_FIELDS);
  const old = Number.parseInt(new TextDecoder().decode(out.subarray(at, at + 8)), 16) || 0;
  const value = rng.chance(0.5) ? rng.pick(INTERESTING_HEX8) : (Math.max(0, old + rng.between(-4, 4)) >>> 0).toString(16).toUpperCase().padStart(8, '0');
  out.set(enc.encode(value.slice(0, 8)), at);
  return out;
};

function cpioMutators(): Mutator[] {
  return [...GENERIC_MUTATORS, cpioField, cpioField, cpioField];
}

// ---- initrd -----------------------------------------------------------------

/** Break a gzip or zstd header: flags with FEXTRA/FNAME/FCOMMENT/FHCRC, huge XLEN, bad window or block sizes. */
const codecHeader: Mutator = (input, rng) => {
  const out = input.slice();
  const starts: number[] = [];
  for (let i = 0; i + 4 <= out.length; i++) {
    if ((out[i] === 0x1f && out[i + 1] === 0x8b) || (out[i] === 0x28 && out[i + 1] === 0xb5 && out[i + 2] === 0x2f && out[i + 3] === 0xfd)) starts.push(i);
  }
  if (starts.length === 0) return out;
  const at = rng.pick(starts);
  if (out[at] === 0x1f) {
    if (at + 3 < out.length) out[at + 3] = rng.pick([0x02, 0x04, 0x08, 0x10, 0x1e, 0xe0, 0xff]);
    if (rng.chance(0.5) && at + 12 <= out.length) out.set([0xff, 0xff], at + 10);
  } else {
    const offset = at + 4 + rng.below(8);
    if (offset < out.length) out[offset] = rng.below(256);
  }
  return out;
};

function wrapSegment(rng: Rng, plain: Uint8Array): Uint8Array {
  const how = rng.below(3);
  return how === 0 ? plain : how === 1 ? S.gzip(plain) : S.zstd(plain);
}

/** Compose an image from mutated cpio plaintexts wrapped in raw/gzip/zstd, so hostile cpio hides behind valid compression. */
function composeInitrd(rng: Rng, cpios: readonly Uint8Array[]): Uint8Array {
  const count = rng.between(1, 3);
  const segments: { bytes: Uint8Array; padding: number }[] = [];
  for (let i = 0; i < count; i++) {
    const plain = rng.chance(0.7) ? mutate(rng.pick(cpios), rng, cpios, cpioMutators()) : rng.pick(cpios);
    segments.push({ bytes: wrapSegment(rng, plain), padding: rng.pick([0, 0, 1, 4, 512]) });
  }
  return S.assemble(segments);
}

async function runInitrd(bytes: Uint8Array): Promise<void> {
  let n = 0;
  const options = { onWarning: ignore, limits: { maxTotalSize: 64 << 20 } };
  for await (const e of readInitrd(chunks(bytes), options)) if (n++ % 2 === 0) await drain(e.body);
  if (bytes.length % 3 === 0) await scanInitrd([bytes], options);
}

// ---- iso -------------------------------------------------------------------

interface IsoField {
  offset: number;
  /** 'both': ECMA-119 both-endian 32-bit (LE then BE); 'le': little-endian only; 'byte'. */
  kind: 'both' | 'le32' | 'le16' | 'byte';
}

/** Offsets of the numeric fields of descriptors, directory records and the boot catalog. */
function isoFields(made: ReturnType<typeof S.isoSeeds>[number]): IsoField[] {
  const b = made.bytes;
  const pvd = 16 * 2048;
  const fields: IsoField[] = [
    { offset: pvd + 80, kind: 'both' }, { offset: pvd + 128, kind: 'le16' }, { offset: pvd + 132, kind: 'both' },
    { offset: pvd + 140, kind: 'le32' }, { offset: pvd + 156, kind: 'byte' }, { offset: pvd + 158, kind: 'both' }, { offset: pvd + 166, kind: 'both' },
    { offset: 17 * 2048 + 71, kind: 'le32' },
  ];
  for (const lba of new Set(made.lba.values())) {
    let pos = lba * 2048;
    const end = pos + 2048;
    while (pos < end && pos < b.length && (b[pos] as number) > 0) {
      const len = b[pos] as number;
      fields.push({ offset: pos, kind: 'byte' }, { offset: pos + 2, kind: 'both' }, { offset: pos + 10, kind: 'both' }, { offset: pos + 25, kind: 'byte' }, { offset: pos + 32, kind: 'byte' });
      const suStart = pos + 33 + (b[pos + 32] as number) + (((b[pos + 32] as number) + 1) % 2);
      for (let su = suStart; su + 4 <= pos + len; su += Math.max(4, b[su + 2] as number)) {
        fields.push({ offset: su + 2, kind: 'byte' }, { offset: su + 4, kind: 'both' }, { offset: su + 12, kind: 'both' });
        if (!(b[su + 2] as number)) break;
      }
      pos += len;
    }
  }
  if (made.catalogLba !== undefined) {
    for (let e = 0; e < 4; e++) fields.push({ offset: made.catalogLba * 2048 + 32 * e + 6, kind: 'le16' }, { offset: made.catalogLba * 2048 + 32 * e + 8, kind: 'le32' }, { offset: made.catalogLba * 2048 + 32 * e, kind: 'byte' });
  }
  return fields.filter((f) => f.offset + 8 <= b.length);
}

function isoValue(rng: Rng, sectors: number, kind: IsoField['kind']): number {
  const v = rng.pick([...INTERESTING_32, sectors, sectors - 1, sectors + 1, 16, 17, 18, 19, 20, rng.below(sectors)]);
  return kind === 'byte' ? rng.pick([0, 1, 2, 33, 34, 0x80, 0x82, 0xff, v & 0xff]) : kind === 'le16' ? v & 0xffff : v;
}

function isoGenerator(made: ReturnType<typeof S.isoSeeds>, seeds: Uint8Array[]): (rng: Rng) => Uint8Array {
  const fields = made.map(isoFields);
  const hot = made.map(S.isoHotSectors);
  return (rng) => {
    const which = rng.below(made.length);
    let out = (made[which] as (typeof made)[number]).bytes.slice();
    const sectors = out.length / 2048;
    const rounds = rng.between(1, 4);
    for (let r = 0; r < rounds; r++) {
      if (rng.chance(0.55)) {
        const f = rng.pick(fields[which] as IsoField[]);
        const v = isoValue(rng, sectors, f.kind);
        const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
        if (f.offset + 8 > out.length) continue;
        if (f.kind === 'byte') out[f.offset] = v;
        else if (f.kind === 'le16') view.setUint16(f.offset, v, true);
        else if (f.kind === 'le32') view.setUint32(f.offset, v >>> 0, true);
        else {
          writeU32(out, f.offset, v, true);
          writeU32(out, f.offset + 4, rng.chance(0.9) ? v : rng.next(), false);
        }
      } else {
        // Generic mutation of the tail starting at a hot sector, so bit flips land in structures, not in the zero system area.
        const sector = rng.pick(hot[which] as number[]);
        const start = Math.min(out.length, sector * 2048 + (rng.chance(0.5) ? 0 : rng.below(2048)));
        const tail = mutate(out.subarray(start), rng, seeds, GENERIC_MUTATORS.filter((m) => m.name !== 'appendSeed'));
        const next = new Uint8Array(start + tail.length);
        next.set(out.subarray(0, start));
        next.set(tail, start);
        out = next;
      }
    }
    return out;
  };
}

async function runIso(bytes: Uint8Array): Promise<void> {
  const source = bytesSource(bytes);
  const image = await readIso(source, { onWarning: ignore });
  for (const node of image.walk()) {
    image.lookup(node.path);
    if (node.type !== 'file') continue;
    image.hardLinks(node);
    try {
      for await (const chunk of readIsoFile(source, node, { chunkSize: 4096 })) void chunk;
    } catch (err) {
      if (!(err instanceof RemasterError)) throw err;
    }
  }
}

// ---- dhcp -------------------------------------------------------------------

/** Offsets of the option TLVs in the options field (stops at END or a broken length). */
function dhcpOptionOffsets(input: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 240; at + 1 < input.length && input[at] !== 255; ) {
    if (input[at] === 0) {
      at++;
      continue;
    }
    out.push(at);
    at += 2 + (input[at + 1] as number);
  }
  return out;
}

/** Rewrite one option's code or length, plant an overload option, or damage the cookie or hlen. */
const dhcpField: Mutator = (input, rng) => {
  const out = input.slice();
  const options = dhcpOptionOffsets(out);
  const what = rng.below(6);
  if (what === 0 && options.length > 0) out[rng.pick(options) + 1] = rng.pick([0, 1, 2, 16, 17, 127, 254, 255]);
  else if (what === 1 && options.length > 0) out[rng.pick(options)] = rng.pick([0, 52, 53, 60, 77, 93, 94, 97, 255]);
  else if (what === 2 && options.length > 0) out.set([52, 1, rng.pick([0, 1, 2, 3, 4])].slice(0, Math.max(0, out.length - rng.pick(options))), rng.pick(options));
  else if (what === 3 && out.length > 240) out[236 + rng.below(4)] = rng.below(256);
  else if (what === 4 && out.length > 2) out[2] = rng.pick([0, 6, 16, 17, 255]);
  else if (out.length > 108) out.fill(rng.pick([0x42, 0xff, 0x00]), 44 + rng.below(64), 108 + rng.below(128));
  return out;
};

function dhcpPolicy(client: DhcpClient) {
  // exercise long names (option 67 only), URLs and silence
  if (client.mac.endsWith('0')) return undefined;
  return { nextServer: '10.0.0.1', bootFile: client.isIpxe ? `http://10.0.0.1/${'x'.repeat(client.xid % 300)}` : 'pxelinux.0' };
}

async function runDhcp(bytes: Uint8Array): Promise<void> {
  let decodeError: RemasterError | undefined;
  try {
    classifyDhcpClient(decodeDhcpPacket(bytes));
  } catch (err) {
    if (!(err instanceof RemasterError)) throw err;
    decodeError = err;
  }
  for (const via of ['dhcp', 'pxe'] as const) {
    const d = await decideProxyReply(bytes, { address: '10.0.0.57', port: 68 }, via, { serverAddress: '10.0.0.1', bootFor: dhcpPolicy });
    if (d.kind !== 'reply') continue;
    // invariants, not just "no crash": never an address, only PXE/HTTP clients, a reply that decodes
    const again = decodeDhcpPacket(d.bytes);
    if (again.yiaddr !== '0.0.0.0') throw new Error(`reply offers an address: ${again.yiaddr}`);
    if (!d.client.isPxe && !d.client.isHttpBoot) throw new Error('reply to a non-PXE client');
    if (again.op !== 2 || again.xid !== d.request.xid) throw new Error('reply does not answer the request');
  }
  if (decodeError !== undefined) throw decodeError; // counted in the outcome table
}

// ---- registry --------------------------------------------------------------

function byteTarget(name: TargetName, defaultCases: number, seeds: Uint8Array[], mutators: readonly Mutator[], run: Target['run'], notes: string[] = []): Target {
  if (seeds.length === 0) throw new Error(`target ${name} has no seeds`);
  return { name, defaultCases, seeds, notes, run, generate: (rng) => mutate(rng.pick(seeds), rng, seeds, mutators) };
}

/** Build one target: its seeds are made here (in both the runner and each worker, deterministically). */
export async function makeTarget(name: TargetName): Promise<Target> {
  switch (name) {
    case 'cpio': {
      const seeds = await S.cpioSeeds();
      return byteTarget(name, 100_000, seeds, cpioMutators(), async (bytes) => {
        let n = 0;
        for await (const e of readCpio(new ByteReader(chunks(bytes)), { onWarning: ignore, strict: bytes.length % 5 === 0 })) {
          if (n++ % 3 !== 2) await drain(e.body);
        }
      });
    }
    case 'initrd': {
      const seeds = await S.initrdSeeds();
      const cpios = await S.cpioSeeds();
      const mutators = [...GENERIC_MUTATORS, codecHeader, codecHeader, cpioField];
      const base = byteTarget(name, 100_000, seeds, mutators, runInitrd);
      return { ...base, generate: (rng) => (rng.chance(0.5) ? composeInitrd(rng, cpios) : mutate(rng.pick(seeds), rng, seeds, mutators)) };
    }
    case 'initrd-cli': {
      const { seeds, missing } = await S.initrdCliSeeds();
      return byteTarget(name, 20_000, seeds, [...GENERIC_MUTATORS, cpioField], runInitrd, missing.length ? [`no seeds for ${missing.join(', ')} (tool missing)`] : []);
    }
    case 'lzma': {
      const { seeds, missing } = lzmaSeeds();
      return byteTarget(name, 100_000, seeds, LZMA_MUTATORS, runLzma, missing.length ? ['no seeds: xz missing'] : []);
    }
    case 'xz-small': {
      const { seeds, missing } = xzSeeds();
      return byteTarget(name, 100_000, seeds, XZ_MUTATORS, runXzSmall, missing.length ? ['no seeds: xz missing'] : []);
    }
    case 'iso': {
      const made = S.isoSeeds();
      const seeds = made.map((m) => m.bytes);
      return { name, defaultCases: 100_000, seeds, notes: [], generate: isoGenerator(made, seeds), run: runIso };
    }
    case 'kickstart': {
      const seeds = S.kickstartSeeds();
      return byteTarget(name, 100_000, seeds, [...GENERIC_MUTATORS, ...TEXT_MUTATORS, ...TEXT_MUTATORS], async (bytes) => {
        const ks = parseKickstart(text.decode(bytes), { file: 'fuzz.ks' });
        for (const dialect of KICKSTART_DIALECTS) lintKickstart(ks, { dialect, strict: bytes.length % 2 === 0 });
        renderKickstart(ks);
      });
    }
    case 'recipe': {
      const seeds = S.recipeSeeds();
      return byteTarget(name, 100_000, seeds, [...GENERIC_MUTATORS, ...TEXT_MUTATORS, ...TEXT_MUTATORS], async (bytes) => {
        parseRecipe(text.decode(bytes), 'fuzz.yaml');
      });
    }
    case 'rpm': {
      const seeds = await S.rpmSeeds();
      return byteTarget(name, 100_000, seeds, [...GENERIC_MUTATORS, cpioField], async (bytes) => {
        const pkg = await readRpm(chunks(bytes));
        for await (const e of pkg.entries) await drain(e.body);
      });
    }
    case 'deb': {
      const seeds = await S.debSeeds();
      return byteTarget(name, 100_000, seeds, GENERIC_MUTATORS, async (bytes) => {
        const pkg = await readDeb(chunks(bytes));
        for await (const e of pkg.entries) await drain(e.body);
      });
    }
    case 'elf': {
      const seeds = S.elfSeeds();
      return byteTarget(name, 100_000, seeds, GENERIC_MUTATORS, async (bytes) => {
        decodeElf(bytes);
      }, seeds.length < 4 ? ['no real .ko seed: fixtures/out not generated'] : []);
    }
    case 'extract': {
      // Generated, not mutated: each case is a fresh entry sequence (extract-target.ts); the input is its JSON.
      const seeds = [enc.encode('{"segments":[]}')];
      return { name, defaultCases: 100_000, seeds, notes: [], generate: generateExtractCase, run: runExtractCase };
    }
    case 'kmod': {
      const seeds = S.kmodSeeds();
      return byteTarget(name, 100_000, seeds, GENERIC_MUTATORS, async (bytes) => {
        // Every decoder sees every input: each must fail with a RemasterError or succeed.
        let first: RemasterError | undefined;
        for (const step of [() => decodeKmodIndex(bytes), () => decodeModuleInfo(bytes), () => decodeModuleSignature(bytes)]) {
          try {
            step();
          } catch (err) {
            if (!(err instanceof RemasterError)) throw err;
            first ??= err;
          }
        }
        if (first && bytes.length % 2 === 0) throw first;
      }, seeds.length < 3 ? ['no real .ko seed: fixtures/out not generated'] : []);
    }
    case 'dhcp':
      return byteTarget(name, 100_000, S.dhcpSeeds(), [...GENERIC_MUTATORS, dhcpField, dhcpField, dhcpField], runDhcp);
    case 'tftp-packet':
      return byteTarget(name, 100_000, tftpPacketSeeds(), TFTP_MUTATORS, runTftpPacket);
    case 'tftp-server': {
      const seeds = tftpServerSeeds();
      const packets = tftpPacketSeeds();
      return { name, defaultCases: 100_000, seeds, notes: [], run: runTftpServer, generate: (rng) => tftpServerCase(rng, seeds, packets) };
    }
  }
}

/** Regenerate the input of case `index` (what the worker ran). */
export function caseInput(target: Target, seed: number, index: number): Uint8Array {
  return target.generate(caseRng(seed, target.name, index));
}
