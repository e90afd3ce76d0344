import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { isRemasterError } from '../../../src/errors.ts';
import { decodeRpmHeader, decodeRpmHeaderIntro, decodeRpmLead, readRpm } from '../../../src/package/index.ts';
import { CHUNK_SIZES, chunked, collect } from '../../helpers/chunked.ts';
import { makeCpio } from '../../helpers/make-cpio.ts';
import { demoTags, makeLead, makeRpm, makeRpmHeader } from './make-package.ts';

const PAYLOAD = makeCpio([
  { name: './usr/sbin', mode: 0o40755 },
  { name: './usr/sbin/tool', mode: 0o100755, data: 'hello rpm\n', mtime: 1700000000 },
  { name: './usr/sbin/link', mode: 0o120777, data: 'tool' },
]);

describe('rpm header structures', () => {
  it('decodes a lead', () => {
    assert.deepEqual(decodeRpmLead(makeLead('abc-1-2')), { major: 3, minor: 0, type: 0, archnum: 1, name: 'abc-1-2', osnum: 1, signatureType: 5 });
  });

  it('decodes strings, string arrays, int16 and int32 values and keeps the index entries', () => {
    const bytes = makeRpmHeader(demoTags());
    const { indexCount, dataSize } = decodeRpmHeaderIntro(bytes.subarray(0, 16), 0, { maxIndexEntries: 100, maxHeaderSize: 1000 });
    const h = decodeRpmHeader(bytes.subarray(16, 16 + indexCount * 16), bytes.subarray(16 + indexCount * 16, 16 + indexCount * 16 + dataSize), 0);
    assert.equal(h.entries.length, 12);
    assert.deepEqual(h.entries[0], { tag: 1000, type: 6, offset: 0, count: 1 });
    assert.equal(h.values.get(1000), 'demo');
    assert.deepEqual(h.values.get(1030), [0o100755]);
    assert.deepEqual(h.values.get(1117), ['tool']);
  });
});

describe('readRpm', () => {
  for (const size of CHUNK_SIZES) {
    it(`reads header fields and payload entries in ${size || 'one'}-byte chunks`, async () => {
      const rpm = await readRpm(chunked(makeRpm(demoTags(), gzipSync(PAYLOAD)), size));
      assert.equal(rpm.lead.name, 'demo-1-1');
      assert.deepEqual([rpm.header.name, rpm.header.version, rpm.header.release, rpm.header.arch, rpm.header.payloadCompressor], ['demo', '1.0', '1', 'x86_64', 'gzip']);
      assert.deepEqual(rpm.header.files.map((f) => [f.path, f.mode, f.user, f.group]), [['usr/sbin/tool', 0o100755, 'root', 'wheel']]);
      const seen: unknown[] = [];
      for await (const e of rpm.entries) seen.push([e.path, e.type, e.mode.toString(8), e.user ?? '-', e.linkTarget ?? '', new TextDecoder().decode(await collect(e.body))]);
      assert.deepEqual(seen, [
        ['usr/sbin', 'dir', '755', '-', '', ''],
        ['usr/sbin/tool', 'file', '755', 'root', '', 'hello rpm\n'],
        ['usr/sbin/link', 'symlink', '777', '-', 'tool', 'tool'],
      ]);
    });
  }

  it('skips bodies the consumer does not read', async () => {
    const rpm = await readRpm([makeRpm(demoTags(), gzipSync(PAYLOAD))]);
    const paths: string[] = [];
    for await (const e of rpm.entries) paths.push(e.path);
    assert.deepEqual(paths, ['usr/sbin', 'usr/sbin/tool', 'usr/sbin/link']);
  });

  it('refuses a payload whose bytes do not match PAYLOADCOMPRESSOR', async () => {
    const rpm = await readRpm([makeRpm(demoTags('xz'), gzipSync(PAYLOAD))]);
    await assert.rejects(collect((async function* () { for await (const e of rpm.entries) yield* e.body; })()), (err: unknown) => isRemasterError(err, 'PACKAGE_BAD') && err.offset === rpm.payloadOffset && /declared xz but starts with 1f8b/.test(err.message));
  });

  it('refuses an unknown payload compressor and a non-cpio payload format', async () => {
    await assert.rejects(readRpm([makeRpm(demoTags('lzip'), gzipSync(PAYLOAD))]), (err: unknown) => isRemasterError(err, 'CODEC_UNSUPPORTED'));
    const tags = demoTags().map((t) => (t.tag === 1124 ? { ...t, value: 'drpm' } : t));
    await assert.rejects(readRpm([makeRpm(tags, gzipSync(PAYLOAD))]), (err: unknown) => isRemasterError(err, 'RPM_BAD_HEADER') && /payload format "drpm"/.test(err.message));
  });

  it('refuses a file that is not an rpm with the magic seen', async () => {
    await assert.rejects(readRpm([new Uint8Array(200)]), (err: unknown) => isRemasterError(err, 'RPM_BAD_HEADER') && err.offset === 0 && /lead magic 00000000/.test(err.message));
  });

  it('reports cpio corruption inside the payload with the payload offset and the inner offset', async () => {
    const bad = PAYLOAD.slice();
    bad[5] = 0x39; // "070709": a cpio magic that is neither newc nor crc
    const rpm = await readRpm([makeRpm(demoTags(), gzipSync(bad))]);
    await assert.rejects((async () => { for await (const _ of rpm.entries); })(), (err: unknown) => isRemasterError(err) && err.offset === rpm.payloadOffset && err.innerOffset === 0);
  });
});
