/**
 * The vendor RAID snippets against stand-in CLIs (no vendor binary is shipped or needed): the
 * stand-ins record every command line and answer in the CLIs' documented output formats
 * (`ssacli ctrl … show`, `storcli /cN/vall show`, `/cN/eall/sall show`); creating a logical drive
 * makes it appear in the made-up sysfs the way the kernel shows one (hpsa: model "LOGICAL VOLUME";
 * megaraid_sas: SCSI channel 2). Asserted: the exact command lines for create, keep and wipe, and
 * the storage commands pointed at the new disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures } from '../helpers/fixtures.ts';
import { runSnippets, shells, writeTool, writeTree, type Shell } from '../helpers/snippets.ts';
import { tmpDir } from '../helpers/tmp-dir.ts';

const SSACLI = `echo "$*" >> "$STANDIN_LOG"
slot=$(printf '%s' "$*" | sed -n 's/^ctrl slot=\\([^ ]*\\) .*/\\1/p')
case "$*" in
  "ctrl all show") printf '\\nSmart Array P440ar in Slot 0 (Embedded)    (sn: PDNLH0BRH7V0ZJ)\\n\\n' ;;
  "ctrl slot=$slot ld all show")
    if [ -e "$STANDIN_STATE/ld" ]; then printf '\\nSmart Array P440ar in Slot %s\\n\\n   Array A\\n\\n      logicaldrive 1 (279.37 GB, RAID 1, OK)\\n\\n' "$slot"
    else printf '\\nError: The specified device does not have any logical drives.\\n\\n'; exit 1; fi ;;
  "ctrl slot=$slot pd allunassigned show")
    printf '\\nSmart Array P440ar in Slot %s\\n\\n   Unassigned\\n\\n' "$slot"
    for bay in 1 2 3; do printf '      physicaldrive 1I:1:%s (port 1I:box 1:bay %s, SAS HDD, 300 GB, OK)\\n' "$bay" "$bay"; done ;;
  "ctrl slot=$slot create type=ld "*)
    touch "$STANDIN_STATE/ld"
    d="$STANDIN_SYS/devices/pci0000:00/0000:03:00.0/host4/target4:1:0/4:1:0:0"
    mkdir -p "$d" "$STANDIN_SYS/block/sdc"
    echo 'LOGICAL VOLUME  ' > "$d/model"
    ln -s "../../devices/pci0000:00/0000:03:00.0/host4/target4:1:0/4:1:0:0" "$STANDIN_SYS/block/sdc/device"
    echo 585871964 > "$STANDIN_SYS/block/sdc/size" ;;
  "ctrl slot=$slot ld all delete forced") rm -f "$STANDIN_STATE/ld" ;;
  *) echo "stand-in ssacli: unexpected $*" >&2; exit 2 ;;
esac`;

const STORCLI = `echo "$*" >> "$STANDIN_LOG"
c=$(printf '%s' "$1" | sed -n 's|^/c\\([0-9]*\\).*|\\1|p')
printf 'CLI Version = 007.1017.0000.0000 May 10, 2019\\nOperating system = Linux\\nController = %s\\nStatus = Success\\n' "$c"
case "$*" in
  "/c$c/vall show")
    if [ -e "$STANDIN_STATE/vd" ]; then
      printf 'Description = None\\n\\nVirtual Drives :\\n==============\\n\\n------------------------------------------------------------\\nDG/VD TYPE  State Access Consist Cache Cac sCC       Size Name\\n------------------------------------------------------------\\n0/0   RAID1 Optl  RW     Yes     RWBD  -   ON  278.875 GB\\n------------------------------------------------------------\\n'
    else printf 'Description = No VDs have been configured.\\n'; fi ;;
  "/c$c/eall/sall show")
    printf 'Description = Show Drive Information Succeeded.\\n\\nDrive Information :\\n=================\\n\\n-------------------------------------------------------------------------\\nEID:Slt DID State DG       Size Intf Med SED PI SeSz Model            Sp\\n-------------------------------------------------------------------------\\n'
    printf '252:0     7 UGood  -  278.875 GB SAS  HDD N   N  512B ST300MM0008      U\\n252:1     8 UGood  -  278.875 GB SAS  HDD N   N  512B ST300MM0008      U\\n252:2     9 Onln   0  278.875 GB SAS  HDD N   N  512B ST300MM0008      U\\n252:3    10 UGood  -  278.875 GB SAS  HDD N   N  512B ST300MM0008      U\\n' ;;
  "/c$c add vd "*)
    touch "$STANDIN_STATE/vd"
    d="$STANDIN_SYS/devices/pci0000:00/0000:04:00.0/host0/target0:2:0/0:2:0:0"
    mkdir -p "$d" "$STANDIN_SYS/block/sdb"
    ln -s "../../devices/pci0000:00/0000:04:00.0/host0/target0:2:0/0:2:0:0" "$STANDIN_SYS/block/sdb/device"
    echo 584843264 > "$STANDIN_SYS/block/sdb/size" ;;
  "/c$c/vall del force") rm -f "$STANDIN_STATE/vd" ;;
  *) echo "stand-in storcli: unexpected $*" >&2; exit 2 ;;
esac`;

interface Env extends Record<string, string> { REMASTER_SYSFS: string; STANDIN_STATE: string; STANDIN_LOG: string; REMASTER_STORAGE_FILE: string }
interface Scenario { shell: Shell; dir: string; env: Env; log: () => string[]; storage: () => string | undefined }

/** A fresh machine with a Smart Array (hpsa, host 4) and a MegaRAID (megaraid_sas, host 0) and physical drives on channel 0. */
async function scenario(t: import('node:test').TestContext, shell: Shell, base: string, name: string): Promise<Scenario> {
  const dir = join(base, `${shell.name}-${name}`);
  const sys = join(dir, 'sys');
  writeTree(sys, {
    'class/scsi_host/host4/proc_name': 'hpsa\n', 'class/scsi_host/host4/rescan': '',
    'class/scsi_host/host0/proc_name': 'megaraid_sas\n', 'class/scsi_host/host0/scan': '',
    // A physical drive the MegaRAID passes through (channel 0): never the virtual drive.
    'devices/pci0000:00/0000:04:00.0/host0/target0:0:5/0:0:5:0/model': 'ST300MM0008\n',
    'block/sda/device': '->../../devices/pci0000:00/0000:04:00.0/host0/target0:0:5/0:0:5:0', 'block/sda/size': '585871964\n',
  });
  writeTree(join(dir, 'state'), { '.keep': '' });
  const tools = join(dir, 'tools');
  writeTool(tools, 'ssacli', SSACLI);
  writeTool(tools, 'storcli64', STORCLI);
  writeTool(tools, 'perccli64', STORCLI);
  const env: Env = {
    REMASTER_SYSFS: sys, REMASTER_PROCFS: join(dir, 'proc'), TMPDIR: dir, STANDIN_SYS: sys, STANDIN_STATE: join(dir, 'state'), STANDIN_LOG: join(dir, 'cli.log'),
    REMASTER_STORAGE_FILE: join(dir, 'storage.ks'), REMASTER_RAID_SETTLE: '0', REMASTER_SSACLI: join(tools, 'ssacli'), REMASTER_STORCLI: join(tools, 'storcli64'),
  };
  void t;
  return {
    shell, dir, env,
    log: () => (existsSync(env.STANDIN_LOG) ? readFileSync(env.STANDIN_LOG, 'utf8').trim().split('\n') : []),
    storage: () => (existsSync(env.REMASTER_STORAGE_FILE) ? readFileSync(env.REMASTER_STORAGE_FILE, 'utf8') : undefined),
  };
}

const run = (s: Scenario, entry: string, snippet: string, vars: Record<string, string>) =>
  runSnippets(s.shell, ['report.sh', 'hardware.sh', 'raid-common.sh', snippet], `${entry}; echo "rc=$?"`, { ...s.env, ...vars });

async function machines(t: import('node:test').TestContext): Promise<{ shells: Shell[]; base: string } | undefined> {
  const fx = await ensureFixtures(t);
  if (!fx) return undefined;
  const base = await tmpDir(t);
  return { shells: shells(fx.busybox, base), base };
}

test('ssacli: creates a RAID 1 logical drive from the first two unassigned drives, then keeps it; storage points at it', async (t) => {
  const m = await machines(t);
  if (!m) return;
  for (const shell of m.shells) {
    const s = await scenario(t, shell, m.base, 'hpe');
    const storage = 'ignoredisk --only-use=@DEVICE@\nclearpart --all --initlabel --drives=@DEVICE@';
    const first = await run(s, 'remaster_raid_ssacli', 'raid-ssacli.sh', { REMASTER_RAID_LEVEL: '1', REMASTER_RAID_DISKS: '2', REMASTER_RAID_STORAGE: storage });
    assert.match(first.stdout, /rc=0\n$/u, `${shell.name}: ${first.stdout}${first.stderr}`);
    assert.deepEqual(s.log(), ['ctrl all show', 'ctrl slot=0 ld all show', 'ctrl slot=0 pd allunassigned show', 'ctrl slot=0 create type=ld drives=1I:1:1,1I:1:2 raid=1 forced']);
    assert.equal(s.storage(), 'ignoredisk --only-use=sdc\nclearpart --all --initlabel --drives=sdc\n');
    assert.equal(readFileSync(join(s.env.REMASTER_SYSFS, 'class/scsi_host/host4/rescan'), 'utf8'), '1\n', 'hpsa was asked to rescan');
    rmSync(s.env.STANDIN_LOG);
    rmSync(s.env.REMASTER_STORAGE_FILE);
    const again = await run(s, 'remaster_raid_ssacli', 'raid-ssacli.sh', { REMASTER_RAID_LEVEL: '1', REMASTER_RAID_DISKS: '2', REMASTER_RAID_STORAGE: storage });
    assert.match(again.stdout, /remaster: raid: kept the 1 logical drive\(s\) of the controller in slot 0/u);
    assert.deepEqual(s.log(), ['ctrl all show', 'ctrl slot=0 ld all show'], 'keeping issues no create');
    assert.equal(s.storage(), 'ignoredisk --only-use=sdc\nclearpart --all --initlabel --drives=sdc\n');
  }
});

test('ssacli: wipe deletes the logical drives first; named drives, level 10 as 1+0, a given slot', async (t) => {
  const m = await machines(t);
  if (!m) return;
  for (const shell of m.shells) {
    const s = await scenario(t, shell, m.base, 'hpe-wipe');
    writeTree(s.env.STANDIN_STATE, { ld: '' });
    const r = await run(s, 'remaster_raid_ssacli', 'raid-ssacli.sh', { REMASTER_RAID_LEVEL: '10', REMASTER_RAID_DISKS: '2I:1:5 2I:1:6 2I:1:7 2I:1:8', REMASTER_RAID_CONTROLLER: '3', REMASTER_RAID_WIPE: 'true' });
    assert.match(r.stdout, /rc=0\n$/u, `${shell.name}: ${r.stdout}${r.stderr}`);
    assert.deepEqual(s.log(), ['ctrl slot=3 ld all show', 'ctrl slot=3 ld all delete forced', 'ctrl slot=3 create type=ld drives=2I:1:5,2I:1:6,2I:1:7,2I:1:8 raid=1+0 forced']);
    assert.equal(s.storage(), undefined, 'no storage lines asked for, none written');
  }
});

test('ssacli: too few unassigned drives, or no controller, stops with the reason and creates nothing', async (t) => {
  const m = await machines(t);
  if (!m) return;
  const s = await scenario(t, m.shells[1]!, m.base, 'hpe-short');
  const r = await run(s, 'remaster_raid_ssacli', 'raid-ssacli.sh', { REMASTER_RAID_LEVEL: '5', REMASTER_RAID_DISKS: '4' });
  assert.match(r.stdout, /remaster: FAILED: install\.raid\.disks: 4 unassigned drives wanted, 3 found on slot 0 \(1I:1:1,1I:1:2,1I:1:3\)\n/u);
  assert.match(r.stdout, /rc=1\n$/u);
  assert.ok(!s.log().some((l) => l.includes('create')));
  writeTool(join(s.dir, 'tools'), 'ssacli', 'echo "$*" >> "$STANDIN_LOG"; printf "\\nError: No controllers detected.\\n"');
  const none = await run(s, 'remaster_raid_ssacli', 'raid-ssacli.sh', { REMASTER_RAID_LEVEL: '1', REMASTER_RAID_DISKS: '2' });
  assert.match(none.stdout, /remaster: FAILED: install\.raid: no Smart Array controller found \(ssacli ctrl all show\)\nremaster: report failed: no callback URL, logged only\nrc=1\n$/u);
});

test('storcli: creates a raid1 virtual drive from the first two UGood drives, then keeps it; storage points at the channel-2 disk', async (t) => {
  const m = await machines(t);
  if (!m) return;
  for (const shell of m.shells) {
    const s = await scenario(t, shell, m.base, 'broadcom');
    const vars = { REMASTER_RAID_LEVEL: '1', REMASTER_RAID_DISKS: '2', REMASTER_RAID_STORAGE: 'ignoredisk --only-use=@DEVICE@' };
    const first = await run(s, 'remaster_raid_storcli', 'raid-storcli.sh', vars);
    assert.match(first.stdout, /rc=0\n$/u, `${shell.name}: ${first.stdout}${first.stderr}`);
    assert.deepEqual(s.log(), ['/c0/vall show', '/c0/eall/sall show', '/c0 add vd type=raid1 drives=252:0,252:1']);
    assert.equal(s.storage(), 'ignoredisk --only-use=sdb\n', 'the virtual drive on channel 2, not the pass-through drive sda');
    rmSync(s.env.STANDIN_LOG);
    const again = await run(s, 'remaster_raid_storcli', 'raid-storcli.sh', vars);
    assert.match(again.stdout, /remaster: raid: kept the 1 virtual drive\(s\) of controller \/c0/u);
    assert.deepEqual(s.log(), ['/c0/vall show']);
  }
});

test('perccli: the same syntax; wipe deletes the virtual drives; raid10 spans pairs (pdperarray=2)', async (t) => {
  const m = await machines(t);
  if (!m) return;
  for (const shell of m.shells) {
    const s = await scenario(t, shell, m.base, 'dell');
    writeTree(s.env.STANDIN_STATE, { vd: '' });
    const r = await run(s, 'remaster_raid_storcli', 'raid-storcli.sh', {
      REMASTER_STORCLI: join(s.dir, 'tools/perccli64'), REMASTER_RAID_LEVEL: '10', REMASTER_RAID_DISKS: '252:0 252:1 252:2 252:3', REMASTER_RAID_CONTROLLER: '1', REMASTER_RAID_WIPE: 'true',
    });
    assert.match(r.stdout, /rc=0\n$/u, `${shell.name}: ${r.stdout}${r.stderr}`);
    assert.deepEqual(s.log(), ['/c1/vall show', '/c1/vall del force', '/c1 add vd type=raid10 drives=252:0,252:1,252:2,252:3 pdperarray=2']);
  }
});

test('storcli: a virtual drive that never appears as a disk stops the install when storage lines were asked for', async (t) => {
  const m = await machines(t);
  if (!m) return;
  const s = await scenario(t, m.shells[0]!, m.base, 'broadcom-missing');
  writeTree(s.env.STANDIN_STATE, { vd: '' });
  const r = await run(s, 'remaster_raid_storcli', 'raid-storcli.sh', { REMASTER_RAID_LEVEL: '1', REMASTER_RAID_DISKS: '2', REMASTER_RAID_STORAGE: 'ignoredisk --only-use=@DEVICE@' });
  assert.match(r.stdout, /remaster: FAILED: install\.raid: no MegaRAID virtual drive appeared as a disk\n/u);
  assert.match(r.stdout, /rc=1\n$/u);
});
