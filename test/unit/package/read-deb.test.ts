import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { isRemasterError } from '../../../src/errors.ts';
import { decodeArHeader, parseControl, readDeb } from '../../../src/package/index.ts';
import { CHUNK_SIZES, chunked, collect } from '../../helpers/chunked.ts';
import { arHeader, makeAr } from './make-package.ts';
import { makeTar } from './tar-fixture.ts';

const enc = new TextEncoder();
const CONTROL = 'Package: demo\nVersion: 1.0-1\nArchitecture: amd64\nDescription: a demo\n two lines\n';

async function makeDeb(dataName = 'data.tar.gz', data?: Uint8Array): Promise<Uint8Array> {
  const control = gzipSync(await makeTar([{ name: './', type: 'directory', mode: 0o755 }, { name: './control', data: CONTROL, mode: 0o644 }]));
  const tar = await makeTar([
    { name: './', type: 'directory', mode: 0o755 },
    { name: './usr/sbin/', type: 'directory', mode: 0o755 },
    { name: './usr/sbin/tool', data: 'deb tool\n', mode: 0o4755, uname: 'root', gname: 'root' },
    { name: './usr/sbin/alias', type: 'symlink', linkname: 'tool', mode: 0o777 },
    { name: './usr/sbin/hard', type: 'link', linkname: './usr/sbin/tool', mode: 0o755 },
  ]);
  return makeAr([
    { name: 'debian-binary', data: enc.encode('2.0\n') },
    { name: 'control.tar.gz', data: control },
    { name: dataName, data: data ?? (dataName.endsWith('.gz') ? gzipSync(tar) : tar) },
  ]);
}

describe('ar and control decoding', () => {
  it('decodes an ar member header', () => {
    assert.deepEqual(decodeArHeader(arHeader('data.tar.xz', 1234)), { name: 'data.tar.xz', mtime: 1700000000, uid: 0, gid: 0, mode: 0o100644, size: 1234 });
  });

  it('refuses a member header with a bad terminator or a non-numeric size', () => {
    const h = arHeader('x', 1);
    h[58] = 0x41;
    assert.throws(() => decodeArHeader(h, 8), (err: unknown) => isRemasterError(err, 'PACKAGE_BAD') && err.offset === 8);
    const s = arHeader('x', 1);
    s.set(enc.encode('12ab      '), 48);
    assert.throws(() => decodeArHeader(s, 8), (err: unknown) => isRemasterError(err, 'PACKAGE_BAD') && err.offset === 56);
  });

  it('parses a control paragraph with continuation lines', () => {
    assert.deepEqual(parseControl(enc.encode(CONTROL)), { Package: 'demo', Version: '1.0-1', Architecture: 'amd64', Description: 'a demo\ntwo lines' });
  });
});

describe('readDeb', () => {
  for (const size of CHUNK_SIZES) {
    it(`reads control fields and data entries in ${size || 'one'}-byte chunks`, async () => {
      const deb = await readDeb(chunked(await makeDeb(), size));
      assert.equal(deb.format, '2.0');
      assert.equal(deb.control.Package, 'demo');
      assert.equal(deb.dataCompression, 'gzip');
      assert.deepEqual([...deb.controlFiles.keys()], ['control']);
      const seen: unknown[] = [];
      for await (const e of deb.entries) seen.push([e.path, e.type, e.mode.toString(8), e.size, e.linkTarget ?? '', new TextDecoder().decode(await collect(e.body))]);
      assert.deepEqual(seen, [
        ['.', 'dir', '755', 0, '', ''],
        ['usr/sbin', 'dir', '755', 0, '', ''],
        ['usr/sbin/tool', 'file', '4755', 9, '', 'deb tool\n'],
        ['usr/sbin/alias', 'symlink', '777', 0, 'tool', ''],
        ['usr/sbin/hard', 'hardlink', '755', 0, 'usr/sbin/tool', ''],
      ]);
    });
  }

  it('reads an uncompressed data.tar and skips unread bodies', async () => {
    const deb = await readDeb([await makeDeb('data.tar')]);
    assert.equal(deb.dataCompression, 'none');
    const paths: string[] = [];
    for await (const e of deb.entries) paths.push(e.path);
    assert.equal(paths.length, 5);
  });

  it('lets a consumer stop early without hanging', async () => {
    const deb = await readDeb([await makeDeb()]);
    for await (const e of deb.entries) {
      const it = e.body[Symbol.asyncIterator]();
      await it.next();
      if (e.path === 'usr/sbin/tool') break;
    }
  });

  it('refuses members out of order, an unknown suffix and a bad debian-binary', async () => {
    const wrongOrder = makeAr([{ name: 'debian-binary', data: enc.encode('2.0\n') }, { name: 'data.tar', data: new Uint8Array(2) }]);
    await assert.rejects(readDeb([wrongOrder]), (err: unknown) => isRemasterError(err, 'PACKAGE_BAD') && /"data.tar" found where deb\(5\) requires "control.tar"/.test(err.message));
    await assert.rejects(readDeb([await makeDeb('data.tar.lz')]), (err: unknown) => isRemasterError(err, 'PACKAGE_BAD') && /unknown compression suffix/.test(err.message));
    await assert.rejects(readDeb([makeAr([{ name: 'debian-binary', data: enc.encode('3.0\n') }])]), (err: unknown) => isRemasterError(err, 'PACKAGE_BAD') && /"3.0"/.test(err.message));
    await assert.rejects(readDeb([enc.encode('not an archive at all')]), (err: unknown) => isRemasterError(err, 'PACKAGE_BAD') && err.offset === 0);
  });
});
