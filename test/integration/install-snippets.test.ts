/**
 * report.sh's JSON strings, inventory.sh and require.sh run on the host against a made-up
 * machine (REMASTER_SYSFS / REMASTER_PROCFS), under dash with the system's tools and under busybox
 * sh with applets only. The oracle for the JSON is JSON.parse; the machine has hostile strings
 * (quotes, backslashes, control characters, shell syntax) where sysfs has free text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { runSnippets, shells, writeTool, writeTree, type Shell } from '../helpers/snippets.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const HOSTILE_MODEL = 'ACME "Evil" \\ disk\t\x01$(reboot)`id`é';
const GiB = 1024 ** 3;

/** A machine: 4 CPUs in 2 sockets, 16 GiB in 128 MiB blocks, four disks that count and five that do not, two NICs, two storage controllers. */
function machine(root: string): { sys: string; proc: string } {
  const sys = join(root, 'sys');
  const proc = join(root, 'proc');
  const pci = 'devices/pci0000:00';
  const tree: Record<string, string | Uint8Array> = {
    // sda: a SATA disk; serial from VPD page 0x80 (4 header bytes), free-text model.
    [`${pci}/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/model`]: `  ${HOSTILE_MODEL}  \n`,
    [`${pci}/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/vendor`]: 'ATA     \n',
    [`${pci}/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/vpd_pg80`]: new Uint8Array([0, 0x80, 0, 12, ...Buffer.from('  S3Z9NB0K  ')]),
    'block/sda/device': `->../../${pci}/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0`,
    'block/sda/size': `${(2 * 1000 ** 4) / 512}\n`, 'block/sda/queue/rotational': '1\n', 'block/sda/removable': '0\n',
    // nvme0n1: the controller's serial and model.
    [`${pci}/0000:02:00.0/nvme/nvme0/serial`]: 'NVME-SER-1          \n', [`${pci}/0000:02:00.0/nvme/nvme0/model`]: 'Samsung SSD 980\n',
    'block/nvme0n1/device': `->../../${pci}/0000:02:00.0/nvme/nvme0`,
    'block/nvme0n1/size': `${(500 * GiB) / 512}\n`, 'block/nvme0n1/queue/rotational': '0\n', 'block/nvme0n1/removable': '0\n',
    // vda: virtio's own serial attribute.
    [`${pci}/0000:00:05.0/virtio2/features`]: '0\n', 'block/vda/device': `->../../${pci}/0000:00:05.0/virtio2`, 'block/vda/serial': 'V-1\n',
    'block/vda/size': `${(8 * GiB) / 512}\n`, 'block/vda/queue/rotational': '1\n', 'block/vda/removable': '0\n',
    // sdb: a USB stick (removable): listed, never counted or chosen.
    [`${pci}/0000:00:14.0/usb1/1-1/host1/target1:0:0/1:0:0:0/model`]: 'Cruzer\n',
    'block/sdb/device': `->../../${pci}/0000:00:14.0/usb1/1-1/host1/target1:0:0/1:0:0:0`,
    'block/sdb/size': `${(32 * GiB) / 512}\n`, 'block/sdb/queue/rotational': '1\n', 'block/sdb/removable': '1\n',
    // Not disks: a loop device, an array, device-mapper, an optical drive, an empty card reader.
    'block/loop0/size': '2048\n', 'block/md127/size': '2048\n', 'block/dm-0/size': '2048\n',
    [`${pci}/0000:00:1f.2/ata2/host2/target2:0:0/2:0:0:0/model`]: 'DVD\n', 'block/sr0/device': `->../../${pci}/0000:00:1f.2/ata2/host2/target2:0:0/2:0:0:0`, 'block/sr0/size': '2048\n',
    [`${pci}/0000:00:14.0/usb1/1-2/host3/target3:0:0/3:0:0:0/model`]: 'Card Reader\n',
    'block/sdz/device': `->../../${pci}/0000:00:14.0/usb1/1-2/host3/target3:0:0/3:0:0:0`, 'block/sdz/size': '0\n',
    // NICs: eth0 (PCI, link up), eth1 (virtio, down: carrier and speed unreadable), lo and br0 (no device).
    [`${pci}/0000:00:03.0/class`]: '0x020000\n', [`${pci}/0000:00:03.0/vendor`]: '0x8086\n', [`${pci}/0000:00:03.0/device`]: '0x100e\n',
    'bus/pci/drivers/e1000/bind': '', [`${pci}/0000:00:03.0/driver`]: '->../../../bus/pci/drivers/e1000',
    'class/net/eth0/device': `->../../../${pci}/0000:00:03.0`, 'class/net/eth0/address': 'aa:bb:cc:dd:ee:01\n',
    'class/net/eth0/operstate': 'up\n', 'class/net/eth0/carrier': '1\n', 'class/net/eth0/speed': '1000\n',
    [`${pci}/0000:00:04.0/virtio3/features`]: '0\n', 'bus/virtio/drivers/virtio_net/bind': '', [`${pci}/0000:00:04.0/virtio3/driver`]: '->../../../../bus/virtio/drivers/virtio_net',
    'class/net/eth1/device': `->../../../${pci}/0000:00:04.0/virtio3`, 'class/net/eth1/address': 'aa:bb:cc:dd:ee:02\n', 'class/net/eth1/operstate': 'down\n',
    'class/net/lo/address': '00:00:00:00:00:00\n', 'class/net/br0/address': 'aa:bb:cc:dd:ee:03\n',
    // Storage controllers: AHCI and a Smart Array; a NIC that is not one.
    [`${pci}/0000:00:1f.2/class`]: '0x010601\n', [`${pci}/0000:00:1f.2/vendor`]: '0x8086\n', [`${pci}/0000:00:1f.2/device`]: '0x2922\n',
    'bus/pci/drivers/ahci/bind': '', [`${pci}/0000:00:1f.2/driver`]: '->../../../bus/pci/drivers/ahci',
    [`${pci}/0000:03:00.0/class`]: '0x010400\n', [`${pci}/0000:03:00.0/vendor`]: '0x103c\n', [`${pci}/0000:03:00.0/device`]: '0x323a\n',
    'bus/pci/drivers/hpsa/bind': '', [`${pci}/0000:03:00.0/driver`]: '->../../../bus/pci/drivers/hpsa',
    'bus/pci/devices/0000:00:1f.2': `->../../../${pci}/0000:00:1f.2`, 'bus/pci/devices/0000:03:00.0': `->../../../${pci}/0000:03:00.0`,
    'bus/pci/devices/0000:00:03.0': `->../../../${pci}/0000:00:03.0`,
    // DMI; the serial is hostile too.
    'class/dmi/id/sys_vendor': 'HPE\n', 'class/dmi/id/product_name': 'ProLiant DL380 Gen10\n', 'class/dmi/id/product_serial': 'CZ"J\\0001\n',
    'class/dmi/id/product_uuid': '30373237-3132-4d32-3238-333730304b41\n', 'class/dmi/id/board_vendor': 'HPE\n', 'class/dmi/id/board_name': 'ProLiant DL380 Gen10\n',
    'class/dmi/id/bios_version': 'U30\n',
    'devices/system/memory/block_size_bytes': '8000000\n',
  };
  for (let i = 0; i < 130; i++) tree[`devices/system/memory/memory${i}/online`] = i < 128 ? '1\n' : '0\n';
  writeTree(sys, tree);
  mkdirSync(join(sys, 'block/loop0/queue'), { recursive: true });
  const cpu = (n: number, socket: number) => `processor\t: ${n}\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz\nphysical id\t: ${socket}\n\n`;
  writeTree(proc, {
    cpuinfo: cpu(0, 0) + cpu(1, 0) + cpu(2, 1) + cpu(3, 1),
    meminfo: 'MemTotal:       16000000 kB\nMemFree:         1000000 kB\n',
    cmdline: 'BOOT_IMAGE=vmlinuz BOOTIF=01-aa-bb-cc-dd-ee-01 quiet\n',
  });
  return { sys, proc };
}

async function setup(t: import('node:test').TestContext): Promise<{ shells: Shell[]; dir: string; env: Record<string, string> } | undefined> {
  const fx = await ensureFixtures(t);
  if (!fx) return undefined;
  const dir = await tmpDir(t);
  const { sys, proc } = machine(join(dir, 'machine'));
  return { shells: shells(fx.busybox, dir), dir, env: { REMASTER_SYSFS: sys, REMASTER_PROCFS: proc, TMPDIR: dir } };
}

test('remaster_json_string: JSON.parse gives back every string, hostile ones included (dash + mawk, busybox sh + awk)', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');
  const cases = ['', 'plain', 'a"b', 'back\\slash\\', '"\\"', controls, 'line\nbreak\n\nend', '\ttab\r\n', '$(reboot) `id` ${HOME} \'q\'', 'é ü 漢字 🚀', '\x7f', '%s %d %%', '-n', '\\u0000'];
  for (const shell of s.shells) {
    for (const value of cases) {
      const r = await runSnippets(shell, ['report.sh'], 'remaster_json_string "$S"', { ...s.env, S: value });
      assert.equal(r.status, 0, `${shell.name}: ${r.stderr}`);
      assert.equal(JSON.parse(Buffer.from(r.stdout, 'latin1').toString('utf8')), value, `${shell.name}: ${JSON.stringify(value)} -> ${r.stdout}`);
    }
  }
});

test('inventory: disks with sizes, serials, models; NICs with MAC, driver and link; controllers; DMI; memory; CPUs', async (t) => {
  const s = await setup(t);
  if (!s) return;
  for (const shell of s.shells) {
    const out = join(s.dir, `inventory-${shell.name}.json`);
    const r = await runSnippets(shell, ['report.sh', 'hardware.sh', 'inventory.sh'], 'remaster_inventory', { ...s.env, REMASTER_INVENTORY: out });
    assert.equal(r.status, 0, `${shell.name}: ${r.stderr}`);
    const line = /^remaster: inventory (.*)$/mu.exec(Buffer.from(r.stdout, 'latin1').toString('utf8'))?.[1] ?? '';
    const inv = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(inv, {
      schema: 'remaster-inventory/1',
      cpus: { count: 4, model: 'Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz', sockets: 2 },
      memory: { totalBytes: 16000000 * 1024, installedBytes: 16 * GiB },
      disks: [
        { name: 'nvme0n1', sizeBytes: 500 * GiB, model: 'Samsung SSD 980', vendor: null, serial: 'NVME-SER-1', rotational: false, removable: false },
        { name: 'sda', sizeBytes: 2 * 1000 ** 4, model: HOSTILE_MODEL, vendor: 'ATA', serial: 'S3Z9NB0K', rotational: true, removable: false },
        { name: 'sdb', sizeBytes: 32 * GiB, model: 'Cruzer', vendor: null, serial: null, rotational: true, removable: true },
        { name: 'vda', sizeBytes: 8 * GiB, model: null, vendor: null, serial: 'V-1', rotational: true, removable: false },
      ],
      nics: [
        { name: 'eth0', mac: 'aa:bb:cc:dd:ee:01', driver: 'e1000', device: '0000:00:03.0', operstate: 'up', carrier: true, speedMbps: 1000 },
        { name: 'eth1', mac: 'aa:bb:cc:dd:ee:02', driver: 'virtio_net', device: 'virtio3', operstate: 'down', carrier: null, speedMbps: null },
      ],
      controllers: [
        { pci: '0000:00:1f.2', vendor: '8086', device: '2922', class: '010601', driver: 'ahci' },
        { pci: '0000:03:00.0', vendor: '103c', device: '323a', class: '010400', driver: 'hpsa' },
      ],
      dmi: {
        sysVendor: 'HPE', productName: 'ProLiant DL380 Gen10', productSerial: 'CZ"J\\0001', productUuid: '30373237-3132-4d32-3238-333730304b41',
        boardVendor: 'HPE', boardName: 'ProLiant DL380 Gen10', biosVersion: 'U30',
      },
      bootif: 'aa:bb:cc:dd:ee:01',
    }, shell.name);
    assert.match(r.stdout, /remaster: report inventory: no callback URL, logged only/u);
  }
});

test('require: a policy the machine meets passes; one it does not stops with every failing rule and its measured value', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const modprobe = join(s.dir, 'tools');
  writeTool(modprobe, 'modprobe', `echo "modprobe $*" >> ${join(s.dir, 'modprobe.log')}; exit 1`);
  const rules = (lines: string[][]) => lines.map((l) => l.join('\t')).join('\n');
  for (const shell of s.shells) {
    const env = { ...s.env, REMASTER_MODPROBE: join(modprobe, 'modprobe') };
    const ok = await runSnippets(shell, ['report.sh', 'hardware.sh', 'require.sh'], 'remaster_require; echo "rc=$?"', {
      ...env, REMASTER_REQUIRE: rules([
        ['cpus', '>=4', '>=4'], ['memory', `>=${16 * GiB}`, '>=16GiB'], ['disks.minSize', `${100 * GiB}`, '100GiB'], ['disks.count', '>=2', '>=2'],
        ['nics.count', '==2', '==2'], ['controllers', 'hpsa', 'hpsa'], ['controllers', '8086:2922', '8086:2922'], ['dmi.vendor', 'HP*', 'HP*'], ['dmi.product', 'ProLiant DL3?0 *', 'ProLiant DL3?0 *'],
      ]),
    });
    assert.match(ok.stdout, /rc=0\n$/u, `${shell.name}: ${ok.stdout}${ok.stderr}`);
    assert.match(ok.stdout, /remaster: require memory ">=16GiB": ok/u);
    const bad = await runSnippets(shell, ['report.sh', 'hardware.sh', 'require.sh'], 'remaster_require; echo "rc=$?"', {
      ...env, REMASTER_REQUIRE: rules([
        ['cpus', '>=8', '>=8'], ['memory', `>=${32 * GiB}`, '>=32GiB'], ['disks.minSize', `${1000 * GiB}`, '1000GiB'], ['disks.count', '>=2', '>=2'],
        ['nics.count', '>=3', '>=3'], ['controllers', 'megaraid_sas', 'megaraid_sas'], ['dmi.vendor', 'Dell*', 'Dell*'],
      ]),
    });
    const message = 'hardware policy not met (no disk was touched): install.require.cpus ">=8": measured 4; '
      + 'install.require.memory ">=32GiB": measured 16 GiB (17179869184 bytes); '
      + 'install.require.disks.count ">=2" of disks of at least 1000GiB: measured 1 (sda 1.8 TiB; smaller: nvme0n1 500 GiB, vda 8 GiB); '
      + 'install.require.nics.count ">=3": measured 2 (eth0 eth1); '
      + 'install.require.controllers "megaraid_sas": not found (storage controllers: 0000:00:1f.2 8086:2922 ahci, 0000:03:00.0 103c:323a hpsa); '
      + 'install.require.dmi.vendor "Dell*": measured "HPE"';
    assert.equal(bad.stdout.split('\n').find((l) => l.startsWith('remaster: FAILED: ')), `remaster: FAILED: ${message}`, shell.name);
    assert.match(bad.stdout, /rc=1\n$/u);
    assert.match(bad.stdout, /remaster: report failed: no callback URL, logged only/u);
  }
  // The missing driver was asked for once per run, through REMASTER_MODPROBE, never the host's modprobe.
  const { readFileSync } = await import('node:fs');
  assert.equal(readFileSync(join(s.dir, 'modprobe.log'), 'utf8'), 'modprobe megaraid_sas\nmodprobe megaraid_sas\n');
});

test('require: a controller whose driver loads on demand passes', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const tools = join(s.dir, 'tools');
  const pciDir = join(s.env.REMASTER_SYSFS as string, 'devices/pci0000:00/0000:05:00.0');
  writeTree(s.env.REMASTER_SYSFS as string, {
    'devices/pci0000:00/0000:05:00.0/class': '0x010400\n', 'devices/pci0000:00/0000:05:00.0/vendor': '0x1000\n', 'devices/pci0000:00/0000:05:00.0/device': '0x005d\n',
    'bus/pci/devices/0000:05:00.0': '->../../../devices/pci0000:00/0000:05:00.0', 'bus/pci/drivers/megaraid_sas/bind': '',
  });
  // The stand-in "loads" the driver the way the kernel shows it: a driver link appears on the device.
  writeTool(tools, 'modprobe', `[ "$1" = megaraid_sas ] && ln -s ../../../bus/pci/drivers/megaraid_sas '${pciDir}/driver'`);
  const r = await runSnippets(s.shells[0]!, ['report.sh', 'hardware.sh', 'require.sh'], 'remaster_require; echo "rc=$?"', {
    ...s.env, REMASTER_MODPROBE: join(tools, 'modprobe'), REMASTER_REQUIRE: 'controllers\tmegaraid_sas\tmegaraid_sas',
  });
  assert.match(r.stdout, /remaster: require controllers "megaraid_sas": ok\nrc=0/u, r.stdout + r.stderr);
});
