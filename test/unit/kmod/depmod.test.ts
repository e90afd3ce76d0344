/**
 * depmod rules on small synthetic trees: search order (depmod.d `search`,
 * `override`), alias normalisation, dependency ordering, cycles, and kmod's
 * hash iteration order (golden: modules.symbols written by kmod 30 depmod).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRemasterError } from '../../../src/errors.ts';
import { kmodHashOrder } from '../../../src/kmod/kmod-hash.ts';
import { decodeKmodIndex, keepsExisting, normalizeAlias, runDepmod, type ModuleInfo, type ModuleTreeEntry } from '../../../src/kmod/index.ts';

/** Build a ModuleInfo without ELF: only the fields depmod reads matter. */
function mod(path: string, opts: { exports?: string[]; needs?: string[]; modinfo?: Array<[string, string]> } = {}): ModuleTreeEntry {
  const modinfo = opts.modinfo ?? [];
  const info: ModuleInfo = {
    modinfo,
    name: undefined,
    vermagic: '6.1.0-56-amd64 SMP preempt mod_unload modversions ',
    depends: [],
    aliases: modinfo.filter(([k]) => k === 'alias').map(([, v]) => v),
    softdeps: [],
    weakdeps: [],
    firmware: [],
    license: 'GPL',
    srcversion: undefined,
    isIntree: false,
    hasRetpoline: false,
    exports: opts.exports ?? [],
    dependencySymbols: (opts.needs ?? []).map((name) => ({ name, isWeak: false })),
    hasVersions: false,
    hasThisModule: true,
    signature: undefined,
    elf: { is64: true, isLittleEndian: true, machine: 62, type: 1 },
  };
  return { path, info };
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

test('lets updates/ win over kernel/ whichever is found first (kmod default search)', () => {
  assert.equal(keepsExisting('kernel/drivers/scsi/hpsa.ko', 'updates/hpsa.ko', 'hpsa'), false);
  assert.equal(keepsExisting('updates/hpsa.ko', 'kernel/drivers/scsi/hpsa.ko', 'hpsa'), true);
  assert.equal(keepsExisting('kernel/a/x.ko', 'kernel/b/x.ko', 'x'), true, 'same rank: the first found stays');
});

test('follows depmod.d search and override lines', () => {
  const kernelFirst = { search: ['built-in', 'updates'] };
  assert.equal(keepsExisting('updates/hpsa.ko', 'kernel/drivers/scsi/hpsa.ko', 'hpsa', kernelFirst), false);
  assert.equal(keepsExisting('kernel/drivers/scsi/hpsa.ko', 'updates/hpsa.ko', 'hpsa', kernelFirst), true);
  const extra = { search: ['updates', 'extra', 'built-in'] };
  assert.equal(keepsExisting('extra/hpsa.ko', 'updates/hpsa.ko', 'hpsa', extra), false);
  assert.equal(keepsExisting('kernel/drivers/scsi/hpsa.ko', 'extra/hpsa.ko', 'hpsa', extra), false);
  const override = { overrides: [{ module: 'hpsa', subdir: 'kernel/drivers/scsi' }] };
  assert.equal(keepsExisting('kernel/drivers/scsi/hpsa.ko', 'updates/hpsa.ko', 'hpsa', override), true);
});

test('normalises aliases like alias_normalize: dashes outside brackets, unbalanced brackets refused', () => {
  assert.equal(normalizeAlias('char-major-10-229'), 'char_major_10_229');
  assert.equal(normalizeAlias('of:N*T*Cfoo-bar[a-z]-x'), 'of:N*T*Cfoo_bar[a-z]_x');
  assert.equal(normalizeAlias('bad]'), undefined);
  assert.equal(normalizeAlias('bad[a-'), undefined);
});

test('resolves dependencies by symbols, lists the transitive closure users-first, follows modules.order', () => {
  const tree = {
    modules: [
      mod('kernel/c.ko', { exports: ['c_fn'] }),
      mod('kernel/b.ko', { exports: ['b_fn'], needs: ['c_fn', 'printk'] }),
      mod('kernel/a-x.ko', { needs: ['b_fn', 'c_fn'], modinfo: [['alias', 'pci:v0000ABCDd*'], ['softdep', 'pre: c'], ['alias', 'devname:ax'], ['alias', 'char-major-10-99']] }),
    ],
    modulesOrder: 'kernel/a-x.ko\nkernel/b.ko\nkernel/c.ko\n',
  };
  const out = runDepmod(tree, '6.1.0-56-amd64');
  assert.equal(text(out.files.get('modules.dep')), 'kernel/a-x.ko: kernel/b.ko kernel/c.ko\nkernel/b.ko: kernel/c.ko\nkernel/c.ko:\n');
  assert.equal(text(out.files.get('modules.alias')), '# Aliases extracted from modules themselves.\nalias pci:v0000ABCDd* a_x\nalias devname:ax a_x\nalias char-major-10-99 a_x\n');
  assert.equal(text(out.files.get('modules.softdep')), '# Soft dependencies extracted from modules themselves.\nsoftdep a_x pre: c\n');
  assert.equal(text(out.files.get('modules.devname')), '# Device nodes to trigger on-demand module loading.\na_x ax c10:99\n');
  assert.deepEqual(decodeKmodIndex(out.files.get('modules.alias.bin') as Uint8Array).get('char_major_10_99'), [{ value: 'a_x', priority: 0 }]);
  assert.deepEqual(decodeKmodIndex(out.files.get('modules.symbols.bin') as Uint8Array).get('symbol:c_fn'), [{ value: 'c', priority: 2 }]);
  assert.equal(out.files.get('modules.weakdep'), undefined, 'kmod 30 writes no modules.weakdep');
  assert.equal(out.files.get('modules.builtin.bin')?.length, 0, 'no modules.builtin: empty file, as depmod leaves it');
});

test('writes modules.weakdep on request, as kmod 33 does', () => {
  const out = runDepmod({ modules: [mod('kernel/a.ko', { modinfo: [['weakdep', 'b']] })] }, 'k', { weakdep: true });
  assert.equal(text(out.files.get('modules.weakdep')), '# Weak dependencies extracted from modules themselves.\nweakdep a b\n');
});

test('refuses dependency cycles naming the modules', () => {
  const tree = { modules: [mod('kernel/a.ko', { exports: ['a_fn'], needs: ['b_fn'] }), mod('kernel/b.ko', { exports: ['b_fn'], needs: ['a_fn'] })] };
  assert.throws(() => runDepmod(tree, 'k'), (err) => isRemasterError(err, 'MODULE_DEPENDENCY_CYCLE') && /\ba\b/.test(err.message) && /\bb\b/.test(err.message));
});

test('iterates symbols in kmod hash order (golden: kmod 30 modules.symbols for fuse + crc-itu-t)', () => {
  const golden = (
    'fuse_dev_operations fuse_dequeue_forget fuse_send_init fuse_free_conn crc_itu_t_table fuse_dax_cancel_work fuse_do_open ' +
    'fuse_simple_background fuse_request_end fuse_file_poll fuse_do_ioctl fuse_conn_destroy fuse_conn_get fuse_abort_conn ' +
    'fuse_mount_remove fuse_mount_destroy fuse_conn_init fuse_dev_alloc_install crc_itu_t fuse_fill_super_common fuse_sync_release ' +
    'fuse_dev_fiq_ops fuse_conn_put fuse_len_args fuse_get_unique fuse_dev_alloc fuse_dev_install fuse_dev_free fuse_dev_release ' +
    'fuse_direct_io fuse_init_fs_context_submount'
  ).split(' ');
  assert.deepEqual(kmodHashOrder([...golden].sort(), 2048), golden);
});
