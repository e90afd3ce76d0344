/**
 * Checks of the non-storage commands per version: argument counts, options
 * that need or exclude each other, values the option table cannot express,
 * deprecation notices a version gives for a form it still accepts, and the
 * same user, group, repository or network device defined twice. A command
 * version without a rule here (or in rules-storage.ts) is checked by its
 * option table alone, rejecting left-over words.
 */
import { truthy as t, type CommandRun, type Rule } from './run.ts';
import { STORAGE_RULES } from './rules-storage.ts';
import type { Namespace } from './argv.ts';

/** pykickstart release numbers used by version-gated checks (version.py). */
const F32 = 32000;
const F34 = 34000;
const F40 = 40000;

/** Accept any text: the command passes its line on to a tool (authconfig, authselect). */
const anything: Rule = () => {};

/** Check the option table alone, rejecting left-over words. */
const strict: Rule = (run) => {
  run.setToSelf(run.parse('strict').ns);
};

/** Accept no arguments at all. */
const none: Rule = (run) => {
  if (run.words.length > 0) run.fail(`${run.name} takes no arguments`);
};

function duplicateOf(run: CommandRun, ns: Namespace, key: string, what: string): void {
  if (run.dataList.some((d) => d[key] === ns[key])) run.duplicate(`${what} ${String(ns[key] ?? '')} has already been defined`.replace(/ {2,}/gu, ' '));
  run.addData(ns);
}

function exclusive(run: CommandRun, ns: Namespace, options: readonly [string, string][], required: boolean): void {
  const used = options.filter(([dest]) => t(ns[dest])).map(([, option]) => option);
  if (required && used.length === 0) run.fail(`one of ${options.map(([, o]) => o).join(', ')} must be given for ${run.name}`);
  if (used.length > 1) run.fail(`only one of ${used.join(', ')} may be given for ${run.name}`);
}

function singleArgument(run: CommandRun, values: unknown, label: string): void {
  if (!Array.isArray(values) || values.length !== 1) run.fail(`${run.name} needs exactly one ${label}`);
}

const auth: Record<string, Rule> = {
  FC3_Authconfig: anything,
  F28_Authconfig(run) {
    run.deprecate(`${run.name} is deprecated; use authselect`);
  },
  F28_Authselect: anything,
  FC3_DeviceProbe: anything,
};

const noArgs: Record<string, Rule> = { FC3_Cdrom: none, RHEL7_Hmc: none };

const singletons: Record<string, Rule> = {
  F17_Bootloader(run) {
    const d = run.setToSelf(run.parse('strict').ns);
    if (String(d['bootDrive'] ?? '').includes(',')) run.fail('--boot-drive takes one drive only');
  },
  F39_Bootloader(run) {
    run.call('F17_Bootloader');
    const d = run.setToSelf({});
    if (t(d['sdboot']) && t(d['extlinux'])) run.fail('only one of --sdboot and --extlinux may be given for bootloader');
  },
  F26_DisplayMode(run) {
    const d = run.setToSelf(run.parse('strict').ns);
    if (run.name === 'cmdline' && t(d['nonInteractive'])) run.fail('cmdline does not take --non-interactive');
  },
  F20_Eula(run) {
    const { ns, extra } = run.parse('known');
    const d = run.setToSelf(ns);
    if (extra.length > 0) run.fail('eula takes no arguments');
    if (!t(d['agreed'])) run.fail('eula needs the --agreed option');
  },
  FC3_HardDrive(run) {
    const d = run.setToSelf(run.parse('strict').ns);
    if ((d['biospart'] === undefined) === (d['partition'] === undefined)) run.fail('harddrive needs exactly one of --biospart and --partition');
  },
  F33_HardDrive(run) {
    run.setToSelf(run.parse('strict').ns);
  },
  F8_IgnoreDisk(run) {
    const d = run.setToSelf(run.parse('strict').ns);
    if ([d['ignoredisk'], d['onlyuse']].filter(t).length !== 1) run.fail('ignoredisk needs exactly one of --drives and --only-use');
  },
  RHEL6_IgnoreDisk(run) {
    const d = run.setToSelf(run.parse('strict').ns);
    if ([d['ignoredisk'], d['onlyuse'], d['interactive']].filter(t).length !== 1) run.fail('ignoredisk needs exactly one of --drives, --only-use and --interactive');
  },
  F29_IgnoreDisk(run) {
    run.call('F8_IgnoreDisk');
  },
  F11_Upgrade(run) {
    const { ns } = run.parse('strict');
    if (ns['root_device'] === '') run.fail(`${run.name} does not accept an empty --root-device`);
  },
  FC3_Keyboard(run) {
    const { ns, extra } = run.parse('known');
    singleArgument(run, ns['kbd'], 'keyboard layout');
    run.noExtra(extra);
  },
  F18_Keyboard(run) {
    const { ns, extra } = run.parse('known');
    const d = run.setToSelf(ns);
    if ((ns['kbd'] as string[]).length > 1) run.fail('keyboard takes a single layout argument');
    run.noExtra(extra);
    if (!t(ns['kbd']) && !t(d['vc_keymap']) && !t(d['x_layouts'])) run.fail('keyboard needs --vckeymap, --xlayouts or a layout argument');
  },
  FC3_Lang(run) {
    const { ns, extra } = run.parse('known');
    run.noExtra(extra);
    run.setToSelf(ns);
  },
  FC6_Logging(run) {
    const d = run.setToSelf(run.parse('strict').ns);
    if (t(d['port']) && !t(d['host'])) run.fail('logging --port needs --host');
  },
  RHEL5_Key(run) {
    const { ns, extra } = run.parse('known');
    if (t(run.setToSelf(ns)['skip'])) return;
    if (extra.length !== 1) run.fail('key needs one argument');
    if (extra.some((w) => w.startsWith('-'))) run.fail(`unexpected arguments to key: ${extra.join(' ')}`);
  },
  F10_Rescue(run) {
    const { ns } = run.parse('strict');
    if (t(ns['nomount']) && t(ns['romount'])) run.fail('only one of --nomount and --romount may be given for rescue');
  },
  RHEL8_RHSM(run) {
    const { ns } = run.parse('strict');
    if (((ns['activation_keys'] as string[] | undefined) ?? []).includes('')) run.fail('an empty string is not a valid activation key');
  },
  FC3_RootPw(run) {
    const { ns, extra } = run.parse('known');
    if (!t(ns['password'])) run.fail('rootpw needs the password as its single argument');
    run.noExtra(extra);
  },
  F18_RootPw(run) {
    const { ns, extra } = run.parse('known');
    if (!(t(ns['password']) || t(ns['lock']))) run.fail('rootpw needs the password as its single argument, or --lock');
    run.noExtra(extra);
  },
  FC6_Services(run) {
    const d = run.setToSelf(run.parse('strict').ns);
    if (!(t(d['disabled']) || t(d['enabled']))) run.fail('services needs --disabled or --enabled');
  },
  RHEL8_Syspurpose(run) {
    const { extra } = run.parse('known');
    if (extra.length > 0) run.fail('syspurpose takes no positional arguments');
  },
  // Versions whose own checks are the option table alone, under an older version that has more.
  FC6_Reboot: strict,
  F34_Updates: strict,
  F9_ZeroMbr: strict,
  F7_Updates(run) {
    const { ns, extra } = run.parse('known');
    if ((ns['updates'] as string[]).length > 1) run.fail('updates takes one argument');
    run.noExtra(extra);
  },
  FC3_ZeroMbr(run) {
    const { extra } = run.parse('known');
    if (extra.length > 0) run.deprecate('zerombr takes no options any more; remove them', 'option');
  },
  FC6_IscsiName(run) {
    const { extra } = run.parse('known');
    run.noExtra(extra);
  },
  F29_Module(run) {
    const { ns, extra } = run.parse('known');
    if (extra.length > 0) run.fail('module takes no positional arguments');
    run.addData(ns);
  },
  F19_Realm(run) {
    realm(run);
  },
  FC3_Method(run) {
    run.fail('method is not a command a kickstart file can use; use url, nfs, cdrom or harddrive');
  },
  F21_OSTreeSetup(run) {
    const d = run.setToSelf(run.parse('strict').ns);
    if (!/^(?:file|http|https):/u.test(String(d['url'] ?? ''))) run.fail('ostreesetup --url must use file:, http: or https:');
  },
};

/** `realm join [options] <realm>`: getopt long options, which stop at the first other word. */
function realm(run: CommandRun): void {
  const state = run.setToSelf({});
  if (t(state['join'])) run.fail("realm 'join' may be given only once");
  const words = run.words;
  if (words.length === 0) run.fail('realm needs a command');
  if (words[0] !== 'join') run.fail(`unsupported realm command "${String(words[0])}"`);
  const known = ['client-software=', 'server-software=', 'membership-software=', 'one-time-password=', 'no-password', 'computer-ou='];
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('--')) break;
    const [name, value] = w.slice(2).split(/=(.*)/su) as [string, string | undefined];
    const matches = known.filter((k) => k.replace('=', '').startsWith(name));
    const exact = matches.find((k) => k.replace('=', '') === name);
    const option = exact ?? (matches.length === 1 ? matches[0] : undefined);
    if (option === undefined) run.fail(`invalid realm arguments: option --${name} ${matches.length > 1 ? 'not a unique prefix' : 'not recognized'}`);
    if (option.endsWith('=') && value === undefined) {
      if (i + 1 >= words.length) run.fail(`invalid realm arguments: option --${name} requires argument`);
      i++;
    } else if (!option.endsWith('=') && value !== undefined) {
      run.fail(`invalid realm arguments: option --${name} must not have an argument`);
    }
  }
  if (words.length - i !== 1) run.fail('give exactly one realm to join');
  run.setToSelf({ join: words[i] });
}

const data: Record<string, Rule> = {
  FC3_Network(run) {
    const { ns } = run.parse('strict');
    duplicateOf(run, { device: '', ...ns }, 'device', 'a network device named');
    run.setToSelf({ last: ns });
  },
  F22_Network(run) {
    run.next('F22_Network');
    bridgeOptions(run, lastNetwork(run));
  },
  F27_Network(run) {
    run.next('F27_Network');
    bindTo(run, lastNetwork(run));
  },
  F39_Network(run) {
    run.call('F27_Network');
    const d = lastNetwork(run);
    if (t(d['device'])) return;
    for (const [dest, option] of [['ipv4_dns_search', '--ipv4-dns-search'], ['ipv6_dns_search', '--ipv6-dns-search'], ['ipv4_ignore_auto_dns', '--ipv4-ignore-auto-dns'], ['ipv6_ignore_auto_dns', '--ipv6-ignore-auto-dns']] as const) {
      if (t(d[dest])) run.fail(`${option} requires --device`);
    }
  },
  RHEL7_Network(run) {
    run.call('FC3_Network');
    const d = lastNetwork(run);
    const problem = interfaceNameProblem(String(d['interfacename'] ?? ''));
    if (problem !== undefined) run.fail(problem);
    bridgeOptions(run, d);
    bindTo(run, d);
  },
  FC6_Repo(run) {
    const { ns } = run.parse('strict');
    const options: [string, string][] = [['mirrorlist', '--mirrorlist'], ['baseurl', '--baseurl']];
    if (run.is('F27_Repo')) options.push(['metalink', '--metalink']);
    exclusive(run, ns, options, !run.is('F15_Repo'));
    duplicateOf(run, ns, 'name', 'a repo named');
  },
  FC3_Url(run) {
    run.setToSelf(run.parse('strict').ns);
  },
  F18_Url(run) {
    const { ns } = run.parse('strict');
    run.setToSelf(ns);
    const options: [string, string][] = [['mirrorlist', '--mirrorlist'], ['url', '--url']];
    if (run.is('F27_Url')) options.push(['metalink', '--metalink']);
    exclusive(run, ns, options, true);
  },
  F33_Timesource(run) {
    const { ns } = run.parse('strict');
    exclusive(run, ns, [['ntp_server', '--ntp-server'], ['ntp_pool', '--ntp-pool'], ['ntp_disable', '--ntp-disable']], true);
  },
  FC6_User(run) {
    duplicateOf(run, run.parse('strict').ns, 'name', 'a user named');
  },
  F12_Group(run) {
    duplicateOf(run, run.parse('strict').ns, 'name', 'a group named');
  },
  F22_SshKey(run) {
    const { ns, extra } = run.parse('known');
    run.noExtra(extra);
    duplicateOf(run, ns, 'username', 'an ssh key for user');
  },
  F13_SshPw(run) {
    const { ns, extra } = run.parse('known');
    if (!t(ns['password'])) run.fail('sshpw needs the password as its argument');
    run.noExtra(extra);
    duplicateOf(run, ns, 'username', 'an ssh user named');
  },
  F12_Fcoe(run) {
    duplicateOf(run, run.parse('strict').ns, 'nic', 'an FCoE device named');
  },
  FC6_DmRaid(run) {
    const { ns } = run.parse('strict');
    const d = { ...ns, name: String(ns['name'] ?? '').split('/').pop(), devices: String(ns['devices'] ?? '') };
    if (run.dataList.some((x) => x['name'] === d.name && x['devices'] === d.devices)) run.duplicate(`a DM RAID device named ${d.name} with these devices has already been defined`);
    run.addData(d);
  },
  FC3_Device(run) {
    const { extra } = run.parse('known');
    if (extra.length !== 2) run.fail('device needs two arguments: module type and name');
    if (extra.some((w) => w.startsWith('-'))) run.fail(`unexpected arguments to device: ${extra.join(' ')}`);
  },
  F8_Device(run) {
    const { extra } = run.parse('known');
    if (extra.length !== 1) run.fail('device needs a single argument: the module name');
    if (extra.some((w) => w.startsWith('-'))) run.fail(`unexpected arguments to device: ${extra.join(' ')}`);
    duplicateOf(run, { moduleName: extra[0] }, 'moduleName', 'a module named');
  },
  FC3_DriverDisk(run) {
    driverDisk(run, false);
  },
  FC4_DriverDisk(run) {
    driverDisk(run, true);
  },
};

function lastNetwork(run: CommandRun): Namespace {
  return run.setToSelf({})['last'] as Namespace;
}

function bridgeOptions(run: CommandRun, d: Namespace): void {
  if (!t(d['bridgeopts'])) return;
  if (!t(d['bridgeslaves'])) run.fail('--bridgeopts requires --bridgeslaves');
  for (const opt of String(d['bridgeopts']).split(',')) {
    const at = opt.indexOf('=');
    const value = at < 0 ? '' : opt.slice(at + 1);
    if (value === '' || value.includes('=')) run.fail("bad --bridgeopts: expected key=value options separated by ','");
  }
}

function bindTo(run: CommandRun, d: Namespace): void {
  if (d['bindto'] === 'mac' && t(d['vlanid']) && !t(d['bondopts'])) run.fail('--bindto=mac is not supported for this type of device');
}

/** RHEL 7's --interfacename check: `<prefix>.<vlan id>` or `vlan<id>` with an id in 0…4095. */
function interfaceNameProblem(name: string): string | undefined {
  const pyInt = (s: string): number | undefined => (/^\s*[+-]?\d+(?:_\d+)*\s*$/u.test(s) ? Number(s.replaceAll('_', '')) : undefined);
  let id: number | undefined;
  const dot = name.indexOf('.');
  if (dot >= 0) {
    if (name.slice(0, dot) === 'vlan') return "with the <prefix>.<vlan id> notation, <prefix> cannot be 'vlan'";
    id = pyInt(name.slice(dot + 1));
    if (id === undefined) return 'network --interfacename with a "." needs a valid vlan id after it';
  }
  if (name.startsWith('vlan')) {
    id = pyInt(name.slice(4));
    if (id === undefined) return 'network --interfacename starting with "vlan" needs a valid vlan id after it';
  }
  if (id !== undefined && (id < 0 || id > 4095)) return 'the vlan id is out of the 0-4095 range';
  return undefined;
}

function driverDisk(run: CommandRun, biospart: boolean): void {
  const { ns, extra } = run.parse('known');
  const partition = ns['partition'] as string[];
  if (partition.length > 1) run.fail('only one partition may be given for driverdisk');
  run.noExtra(extra);
  const given = [partition.length > 0 ? 'partition' : '', t(ns['source']) ? '--source' : '', biospart && t(ns['biospart']) ? '--biospart' : ''].filter(Boolean);
  if (given.length > 1) run.fail(`only one of ${given.join(' and ')} may be given for driverdisk`);
  if (given.length === 0) run.fail(`driverdisk needs one of --source${biospart ? ', --biospart' : ''} or a partition`);
}

const timezone: Record<string, Rule> = {
  FC3_Timezone(run) {
    const { ns, extra } = run.parse('known');
    run.setToSelf(ns);
    run.noExtra(extra);
  },
  F18_Timezone(run) {
    run.call('FC3_Timezone');
    ntpExclusive(run);
  },
  F23_Timezone(run) {
    run.call('FC3_Timezone');
    ntpExclusive(run);
  },
  RHEL7_Timezone(run) {
    timezoneArgs(run);
    ntpExclusive(run);
  },
  F25_Timezone(run) {
    timezoneArgs(run);
    ntpExclusive(run);
  },
  F32_Timezone(run) {
    run.call('F25_Timezone');
    if (run.words.includes('--isUtc')) run.deprecate('timezone --isUtc is being deprecated; use --utc', 'option');
  },
  F33_Timezone(run) {
    run.call('F32_Timezone');
    const d = run.setToSelf({});
    if (t(d['ntpservers'])) run.deprecate('timezone --ntpservers is being deprecated; use timesource --ntp-server=<server>, once per server', 'option');
    if (t(d['nontp'])) run.deprecate('timezone --nontp is being deprecated; use timesource --ntp-disable', 'option');
  },
  F40_Timezone(run) {
    timezoneArgs(run);
    ntpExclusive(run);
  },
  RHEL10_Timezone(run) {
    timezoneArgs(run);
  },
};

function timezoneArgs(run: CommandRun): void {
  const { ns } = run.parse('strict');
  run.setToSelf(ns);
  if (run.words.length === 0) run.fail('timezone needs at least an option or a time zone');
  if ((ns['timezone'] as string[]).length > 1) run.fail('timezone takes one time zone argument at most');
}

function ntpExclusive(run: CommandRun): void {
  const d = run.setToSelf({});
  if (t(d['ntpservers']) && t(d['nontp'])) run.fail('timezone --nontp and --ntpservers exclude each other');
}

/** Rules by command version (pykickstart class name), storage ones included. */
export const RULES: ReadonlyMap<string, Rule> = new Map(Object.entries({ ...auth, ...noArgs, ...singletons, ...data, ...timezone, ...STORAGE_RULES }));

/** Section-level checks that depend on the release number, not on an option table. */
export const SECTION_RELEASES = { F32, F34, F40 } as const;
