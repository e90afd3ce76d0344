/**
 * Checks of the storage commands per version (autopart, part, logvol, raid,
 * volgroup, btrfs, mount, snapshot, zfcp, nvdimm), from the syntax and
 * constraints each version documents: required sizes, options that exclude
 * each other, and the same mount point, volume or array defined twice.
 * Registered under the command version that introduced the check (see
 * run.ts for how versions inherit).
 */
import { truthy as t, type CommandRun, type Rule } from './run.ts';
import type { Namespace } from './argv.ts';

const BTRFS = 'btrfs';

function pbkdf(run: CommandRun, d: Namespace): void {
  if (t(d['pbkdf_time']) && t(d['pbkdf_iterations'])) run.fail('only one of --pbkdf-time and --pbkdf-iterations can be specified');
}

function mkfsOptions(run: CommandRun, d: Namespace, withExisting: boolean): void {
  if ((!t(d['format']) || (withExisting && t(d['preexist']))) && t(d['mkfsopts'])) run.fail(`--mkfsoptions with --noformat${withExisting ? ' or --useexisting' : ''} has no effect`);
  if (t(d['fsprofile']) && t(d['mkfsopts'])) run.fail('--mkfsoptions and --fsprofile cannot be used together');
}

function hwPassphrase(run: CommandRun, d: Namespace): void {
  if (t(d['hw_passphrase']) && (!t(d['encrypted']) || !String(d['luks_version'] ?? '').startsWith('luks2-'))) {
    run.fail('--hw-passphrase may be specified only with LUKSv2 HW-OPAL encrypted devices');
  }
}

/** The stored result of the last parse of a storage line (rules chain on it). */
const last = new WeakMap<CommandRun, Namespace>();
function result(run: CommandRun): Namespace {
  return last.get(run) as Namespace;
}

function autopartType(d: Namespace): string {
  return String(d['type'] ?? '').toLowerCase();
}

/** RHEL 8 and 9 refuse btrfs partitions (`btrfs.*` members or `--fstype=btrfs`). */
function noBtrfsPartition(cls: string): Rule {
  return (run) => {
    run.next(cls);
    const d = result(run);
    if (String(d['mountpoint']).startsWith('btrfs.') || d['fstype'] === BTRFS) run.fail('the btrfs file system is not supported by this release');
  };
}

const partition: Record<string, Rule> = {
  FC3_Partition(run) {
    const { ns, extra } = run.parse('known');
    run.noExtra(extra);
    const d: Namespace = { ...ns, mountpoint: (ns['mntpoint'] as string[])[0] };
    last.set(run, d);
    if (d['mountpoint'] !== 'swap' && run.dataList.some((p) => p['mountpoint'] === d['mountpoint'])) {
      run.duplicate(`a partition with the mount point ${String(d['mountpoint'])} has already been defined`);
    }
    run.addData(d);
  },
  F17_Partition(run) {
    run.next('F17_Partition');
    const d = result(run);
    if (t(d['resize']) && !t(d['onPart'])) run.fail('--resize can only be used together with --onpart');
    if (t(d['resize']) && !t(d['size'])) run.fail('--resize requires --size to give the new size');
  },
  F20_Partition(run) {
    run.next('F20_Partition');
    const d = result(run);
    if (d['fstype'] === 'tmpfs' && (t(d['grow']) || t(d['maxSizeMB']))) run.fail('--fstype=tmpfs cannot be used together with --grow or --maxsize');
  },
  F23_Partition(run) {
    run.next('F23_Partition');
    mkfsOptions(run, result(run), false);
  },
  F29_Partition(run) {
    run.next('F29_Partition');
    pbkdf(run, result(run));
  },
  RHEL8_Partition: noBtrfsPartition('RHEL8_Partition'),
  RHEL9_Partition: noBtrfsPartition('RHEL9_Partition'),
  F41_Partition(run) {
    run.next('F41_Partition');
    hwPassphrase(run, result(run));
  },
};

const logvol: Record<string, Rule> = {
  FC3_LogVol(run) {
    const { ns, extra } = run.parse('known');
    run.noExtra(extra);
    const d: Namespace = { ...ns, mountpoint: (ns['mntpoint'] as string[])[0] };
    if (!t(d['format'])) d['preexist'] = true;
    last.set(run, d);
    if (run.dataList.some((v) => v['vgname'] === d['vgname'] && v['name'] === d['name'])) {
      run.duplicate(`a logical volume named ${String(d['name'])} has already been defined in volume group ${String(d['vgname'])}`);
    }
    run.addData(d);
  },
  RHEL6_LogVol(run) {
    run.next('RHEL6_LogVol');
    thinChecks(run, result(run));
  },
  F17_LogVol(run) {
    run.next('F17_LogVol');
    const d = result(run);
    if (t(d['resize']) && !t(d['preexist'])) run.fail('--resize can only be used together with --useexisting');
    if (t(d['resize']) && !t(d['size'])) run.fail('--resize requires --size to give the new size');
  },
  F20_LogVol(run) {
    run.next('F20_LogVol');
    const d = result(run);
    thinChecks(run, d);
    if (!t(d['preexist']) && !t(d['percent']) && !t(d['size']) && !t(d['recommended']) && !t(d['hibernation'])) {
      run.fail('no size given for the logical volume: use one of --useexisting, --noformat, --size, --percent or --hibernation');
    }
    const percent = d['percent'];
    if (typeof percent === 'number' && (percent < 0 || percent > 100)) run.fail('--percent must be between 0 and 100');
  },
  F21_LogVol(run) {
    run.next('F21_LogVol');
    const d = result(run);
    if (t(d['size']) && t(d['percent'])) run.fail('--size and --percent cannot both be given for one logical volume');
  },
  RHEL7_LogVol(run) {
    run.call('F21_LogVol');
    mkfsOptions(run, result(run), false);
  },
  F23_LogVol(run) {
    run.call('F21_LogVol');
    const d = result(run);
    if (t(d['cache_size']) || t(d['cache_mode']) || t(d['cache_pvs'])) {
      if (t(d['preexist'])) run.fail('adding a cache to an existing logical volume is not supported');
      if (t(d['thin_volume'])) run.fail('thin volumes cannot be cached');
      if (!t(d['cache_pvs'])) run.fail('a cache needs a list of (fast) physical volumes (--cachepvs)');
      if (!t(d['cache_size'])) run.fail('a cache needs a size (--cachesize)');
      if (t(d['cache_mode']) && !['writeback', 'writethrough'].includes(String(d['cache_mode']))) run.fail(`invalid cache mode: ${String(d['cache_mode'])}`);
    }
    mkfsOptions(run, d, false);
  },
  F29_LogVol(run) {
    run.call('F23_LogVol');
    pbkdf(run, result(run));
  },
  RHEL8_LogVol(run) {
    run.call('F29_LogVol');
    if (result(run)['fstype'] === BTRFS) run.fail('the btrfs file system is not supported by this release');
  },
};

function thinChecks(run: CommandRun, d: Namespace): void {
  if (t(d['thin_volume']) && t(d['thin_pool'])) run.fail('--thin and --thinpool cannot both be given for one logical volume');
  if (t(d['thin_volume']) && !t(d['pool_name'])) run.fail('--thin requires --poolname to name the pool');
  if ((t(d['chunk_size']) || t(d['metadata_size'])) && !t(d['thin_pool'])) run.fail('--chunksize and --metadatasize are for thin pools only');
}

const raid: Record<string, Rule> = {
  FC3_Raid(run) {
    const { ns, extra } = run.parse('known');
    if (extra.some((w) => w.startsWith('-'))) run.fail(`unexpected arguments to raid: ${extra.join(' ')}`);
    let members = ns['partitions'] as string[];
    if (members.length === 0 && extra.length > 0) members = extra;
    const d: Namespace = { ...ns, partitions: members, mountpoint: (ns['mntpoint'] as string[])[0] };
    if (!t(d['format'])) d['preexist'] = true;
    if (members.length === 0 && !t(d['preexist'])) run.fail('raid needs member partitions');
    if (members.length > 0 && t(d['preexist'])) run.fail('members may not be given for a preexisting RAID device');
    // Before F43 an "md" prefix of --device is dropped, so md0 and 0 name one array; before F19 the rest must be a number.
    const device = String(d['device'] ?? '');
    d['device'] = run.is('F43_Raid') || !device.startsWith('md') ? device : device.slice(2);
    if (!run.is('F19_Raid') && !/^\s*[+-]?\d+(?:_\d+)*\s*$/u.test(String(d['device']))) run.fail(`raid --device must be md<number> in this release, got "${device}"`);
    last.set(run, d);
    if (run.dataList.some((r) => r['device'] === d['device'])) run.duplicate(`a RAID device named ${String(d['device'])} has already been defined`);
    run.addData(d);
    if (!t(d['preexist']) && !t(d['level'])) run.fail('RAID device defined without a RAID level (--level)');
    if (t(d['preexist']) && d['device'] === '') run.fail('a preexisting RAID device needs --device');
  },
  F23_Raid(run) {
    run.next('F23_Raid');
    mkfsOptions(run, result(run), false);
  },
  F29_Raid(run) {
    run.next('F29_Raid');
    pbkdf(run, result(run));
  },
  RHEL8_Raid(run) {
    run.next('RHEL8_Raid');
    if (result(run)['fstype'] === BTRFS) run.fail('the btrfs file system is not supported by this release');
  },
};

const volgroup: Record<string, Rule> = {
  FC3_VolGroup(run) {
    const { ns, extra } = run.parse('known');
    let names = ns['name'] as string[];
    let members = ns['partitions'] as string[];
    // Unknown words become physical volumes when no positional took any (the version's documented form is `volgroup <name> <pv>...`).
    if (members.length === 0) {
      if (extra.length > 0) members = extra;
      else if (names.length > 0) [names, members] = [names.slice(0, 1), names.slice(1)];
    }
    const d: Namespace = { ...ns, partitions: members };
    if (!t(d['format'])) d['preexist'] = true;
    last.set(run, d);
    if (names.length === 0) run.fail('volgroup needs a volume group name');
    if (members.length === 0 && !t(d['preexist'])) run.fail('volgroup needs a list of physical volumes');
    if (members.length > 0 && t(d['preexist'])) run.fail('members may not be given for a preexisting volume group');
    d['vgname'] = names[0];
    if (run.dataList.some((v) => v['vgname'] === d['vgname'])) run.duplicate(`a volume group named ${String(d['vgname'])} has already been defined`);
    run.addData(d);
  },
  F16_VolGroup(run) {
    run.next('F16_VolGroup');
    const d = result(run);
    const space = d['reserved_space'];
    const percent = d['reserved_percent'];
    if (typeof space === 'number' && space < 0) run.fail('--reserved-space must be a positive integer');
    if (typeof percent === 'number' && !(percent > 0 && percent < 100)) run.fail('--reserved-percent must be between 1 and 99');
  },
};

const btrfs: Record<string, Rule> = {
  F17_BTRFS(run) {
    const { ns, extra } = run.parse('known');
    const d: Namespace = { ...ns };
    if (!t(d['format'])) d['preexist'] = true;
    else if (t(d['preexist'])) d['format'] = false;
    last.set(run, d);
    if (extra.length === 0) run.fail('btrfs needs a mount point');
    if (extra.some((w) => w.startsWith('-'))) run.fail(`unexpected arguments to btrfs: ${extra.join(' ')}`);
    d['mountpoint'] = extra[0];
    const devices = extra.slice(1);
    if (devices.length === 0 && !t(d['subvol'])) run.fail('btrfs needs a list of partitions');
    if (devices.length === 0) run.fail('a btrfs subvolume needs its parent volume');
    if (t(d['subvol']) && !t(d['name'])) run.fail('a btrfs subvolume needs a name (--name)');
    if (run.dataList.some((b) => b['mountpoint'] === d['mountpoint'])) run.duplicate(`a btrfs volume with the mount point ${String(d['mountpoint'])} has already been defined`);
    run.addData(d);
  },
  F23_BTRFS(run) {
    run.next('F23_BTRFS');
    const d = result(run);
    if ((t(d['preexist']) || !t(d['format'])) && t(d['mkfsopts'])) run.fail('--mkfsoptions with --noformat or --useexisting has no effect');
  },
};

const autopart: Record<string, Rule> = {
  FC3_AutoPart(run) {
    if (run.words.length > 0) run.fail('autopart takes no arguments in this release');
    last.set(run, run.setToSelf({}));
  },
  F9_AutoPart(run) {
    last.set(run, run.setToSelf(run.parse('strict').ns));
  },
  F21_AutoPart(run) {
    run.next('F21_AutoPart');
    const d = result(run);
    if (d['fstype'] === BTRFS) run.fail('autopart --fstype=btrfs is not valid; use --type=btrfs');
    if (autopartType(d) === BTRFS && t(d['fstype'])) run.fail('autopart --fstype cannot be used with --type=btrfs');
  },
  F29_AutoPart(run) {
    run.next('F29_AutoPart');
    pbkdf(run, result(run));
  },
  RHEL8_AutoPart(run) {
    run.next('RHEL8_AutoPart');
    if (autopartType(result(run)) === BTRFS) run.fail('autopart --type=btrfs is not supported by this release');
  },
  F38_AutoPart(run) {
    run.next('F38_AutoPart');
    const d = result(run);
    if (t(d['hibernation']) && t(d['noswap'])) run.fail('only one of --noswap and --hibernation can be specified');
  },
  RHEL10_AutoPart(run) {
    run.call('F38_AutoPart');
    if (autopartType(result(run)) === BTRFS) run.fail('autopart --type=btrfs is not supported by this release');
  },
  F41_AutoPart(run) {
    run.next('F41_AutoPart');
    hwPassphrase(run, result(run));
  },
};

const other: Record<string, Rule> = {
  F27_Mount(run) {
    const { ns, extra } = run.parse('known');
    run.noExtra(extra);
    const point = (ns['mntpoint'] as string[])[0] as string;
    if (point.toLowerCase() !== 'none' && !point.startsWith('/')) run.fail(`invalid mount point "${point}"`);
    if (ns['reformat'] === false && t(ns['mkfs_opts'])) run.fail('--mkfsoptions requires --reformat');
    run.addData(ns);
  },
  F26_Snapshot(run) {
    const { ns } = run.parse('strict');
    if (run.dataList.some((s) => s['name'] === ns['name'])) run.fail(`a snapshot named ${String(ns['name'])} has already been defined`);
    run.addData(ns);
    if (ns['when'] === undefined) run.fail('snapshot needs --when');
    const origin = String(ns['origin'] ?? '').split('/');
    if (origin.length !== 2 || origin[0] === '' || origin[1] === '') run.fail(`snapshot origin ${String(ns['origin'])} must be given as VG/LV`);
  },
  FC3_ZFCP(run) {
    const { ns } = run.parse('strict');
    const keys = run.is('F12_ZFCP') ? ['devnum', 'wwpn', 'fcplun'] : ['devnum', 'wwpn', 'fcplun', 'scsiid', 'scsilun'];
    if (run.dataList.some((z) => keys.every((k) => z[k] === ns[k]))) run.duplicate('a zfcp device with this information has already been defined');
    run.addData(ns);
    last.set(run, ns);
  },
  F37_ZFCP(run) {
    run.call('FC3_ZFCP');
    const d = result(run);
    const [devnum, wwpn, lun] = [t(d['devnum']), t(d['wwpn']), t(d['fcplun'])];
    if (!((devnum && !wwpn && !lun) || (devnum && wwpn && lun))) run.fail('give --devnum alone, or --devnum with --wwpn and --fcplun');
  },
  F28_Nvdimm(run) {
    const { ns, extra } = run.parse('known');
    run.noExtra(extra);
    const action = (ns['action'] as string[])[0];
    if (t(ns['namespace']) && t(ns['blockdevs'])) run.fail('only one of --namespace and --blockdevs can be used');
    const same = run.dataList.some((n) => n['action'] === action && n['namespace'] === ns['namespace'] && String(n['blockdevs']) === String(ns['blockdevs']));
    if (same) run.duplicate(`nvdimm ${String(action)} on the same device has already been defined`);
    run.addData({ ...ns, action });
    if (action === 'reconfigure' && !t(ns['namespace'])) run.fail('nvdimm reconfigure needs --namespace');
    if (action === 'reconfigure' && ns['mode'] === 'sector' && !t(ns['sectorsize'])) run.fail('nvdimm reconfigure --mode=sector needs --sectorsize');
    if (action === 'use' && !t(ns['namespace']) && !t(ns['blockdevs'])) run.fail('nvdimm use needs --namespace or --blockdevs');
  },
};

/** Storage rules by command version. */
export const STORAGE_RULES: Readonly<Record<string, Rule>> = { ...partition, ...logvol, ...raid, ...volgroup, ...btrfs, ...autopart, ...other };
