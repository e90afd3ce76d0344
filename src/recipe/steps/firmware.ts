/**
 * The `firmware` step: files into lib/firmware/, following the initrd's own
 * convention: when most firmware already there is xz- or zstd-compressed
 * (Fedora/RHEL 9+ and Ubuntu ship `*.xz` / `*.zst`, which the kernel's
 * firmware loader decompresses), new files are compressed the same way,
 * xz with CRC32 as the kernel requires.
 */
import { resolve } from 'node:path';
import type { WarnOptions } from '../../errors.ts';
import { getCodec } from '../../compress/index.ts';
import { readFileChunks, concatBytes } from '../../io/index.ts';
import { resolveParents } from '../../tree/index.ts';
import type { AddSpec, InitrdIndex } from '../../initrd/index.ts';
import type { FirmwareStep } from '../schema.ts';

/** The compression most firmware files in the image use, if any. */
export function firmwareConvention(index: InitrdIndex): 'xz' | 'zst' | undefined {
  const dir = resolveParents((p) => index.pathInfo(p), 'lib/firmware/x').replace(/\/x$/, '/');
  let xz = 0;
  let zst = 0;
  let plain = 0;
  for (const e of index.entries) {
    if (e.type !== 'file' || !e.path?.startsWith(dir)) continue;
    if (e.path.endsWith('.xz')) xz++;
    else if (e.path.endsWith('.zst')) zst++;
    else plain++;
  }
  if (xz > plain && xz >= zst) return 'xz';
  if (zst > plain) return 'zst';
  return undefined;
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c.slice());
  return concatBytes(parts);
}

/** Collect the entries of a firmware step. */
export async function prepareFirmware(step: FirmwareStep, build: { baseDir: string; index: InitrdIndex; sourceDateEpoch?: number }, options: WarnOptions): Promise<AddSpec[]> {
  const convention = firmwareConvention(build.index);
  const adds: AddSpec[] = [];
  for (const item of step.firmware) {
    const host = resolve(build.baseDir, item.from);
    const name = item.to.replace(/^\/+/, '');
    let data = await readAll(readFileChunks(host));
    let suffix = '';
    if (convention !== undefined && !name.endsWith(`.${convention}`)) {
      const input = data;
      data = await readAll(getCodec(convention === 'xz' ? 'xz' : 'zstd').compress((async function* () { yield input; })(), options));
      suffix = `.${convention}`;
    }
    const spec: AddSpec = { path: `lib/firmware/${name}${suffix}`, type: 'file', mode: 0o644, size: data.length, data, source: host };
    if (build.sourceDateEpoch !== undefined) spec.mtime = build.sourceDateEpoch;
    adds.push(spec);
  }
  return adds;
}
