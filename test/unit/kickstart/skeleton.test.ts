/**
 * Generated kickstarts: every command reference 06 §3 lists for an unattended
 * RHEL 7/8/9 install is present, they lint clean, and kickseed output has no %end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, lintKickstart, parseKickstart, renderKickstart, renderKickstartSkeleton, type KickstartCommand, type KickstartDialect } from '../../../src/index.ts';

const HASH = hashPassword('changeme', { salt: 'skeletonSalt' });

/** Reference 06 §3: one entry per mandatory spoke (any of the alternatives) plus the completion command. */
const REQUIRED: Record<string, string[]> = {
  'time zone': ['timezone'],
  'installation destination (clear)': ['zerombr', 'clearpart'],
  'installation destination (layout)': ['autopart', 'part', 'reqpart'],
  'root password': ['rootpw'],
  network: ['network'],
  'installation source': ['url', 'cdrom', 'nfs', 'harddrive', 'liveimg'],
  completion: ['reboot', 'poweroff', 'shutdown'],
  'text mode': ['text', 'cmdline'],
  lang: ['lang'],
  keyboard: ['keyboard'],
  bootloader: ['bootloader'],
};

for (const dialect of ['rhel7', 'rhel8', 'rhel9'] as const) {
  test(`a generated ${dialect} kickstart answers every mandatory spoke and lints clean`, () => {
    const text = renderKickstartSkeleton({ dialect, rootPasswordHash: HASH, url: 'http://10.0.0.5/rhel/BaseOS/', hostname: 'web01.example.com' });
    const ks = parseKickstart(text);
    const names = new Set(ks.nodes.filter((n): n is KickstartCommand => n.kind === 'command').map((n) => n.name));
    for (const [spoke, alternatives] of Object.entries(REQUIRED)) assert.ok(alternatives.some((a) => names.has(a)), `${dialect}: ${spoke}`);
    assert.match(text, /^%packages\n.+\n%end\n$/mu);
    assert.match(text, /^timezone Etc\/UTC --utc$/mu);
    if (dialect !== 'rhel7') assert.match(text, /^repo --name=AppStream --baseurl=http:\/\/10\.0\.0\.5\/rhel\/AppStream\/$/mu);
    assert.deepEqual(lintKickstart(ks, { dialect, strict: true }), []);
    assert.equal(renderKickstart(ks, { dialect }), text);
  });
}

for (const dialect of ['rhel5', 'rhel6', 'rhel10', 'fedora', 'ubuntu'] as KickstartDialect[]) {
  test(`a generated ${dialect} kickstart lints clean and follows its %end rule`, () => {
    const text = renderKickstartSkeleton({ dialect, rootPasswordHash: HASH });
    assert.deepEqual(lintKickstart(parseKickstart(text), { dialect, strict: true }), []);
    if (dialect === 'ubuntu' || dialect === 'rhel5') assert.doesNotMatch(text, /%end/u);
    else assert.match(text, /%end\n$/u);
  });
}
