/**
 * The QEMU guest that plays anaconda in the serve loop tests: its /init gets an address (udhcpc), fetches
 * the kickstart named by inst.ks= and runs the kickstart's %pre, %pre-install and %post sections with sh
 * (a failing --erroronfail section runs %onerror and stops), printing REMASTER-* markers on the console.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostEntries } from '../../src/index.ts';
import { buildImage } from './edit.ts';
import type { FixturePaths } from './fixtures.ts';

/**
 * NIC drivers the guest loads, in dependency order (modinfo -F depends): e1000 for QEMU's iPXE ROM guests,
 * virtio-net for OVMF's own PXE (romfile= leaves OVMF only its VirtioNetDxe). Loading a driver with no
 * device is harmless. Debian signs its modules, so they load under Secure Boot's lockdown too.
 */
const NET_MODULES: readonly string[] = [
  'drivers/net/ethernet/intel/e1000/e1000',
  'drivers/virtio/virtio_ring',
  'drivers/virtio/virtio',
  'drivers/virtio/virtio_pci_modern_dev',
  'drivers/virtio/virtio_pci_legacy_dev',
  'drivers/virtio/virtio_pci',
  'net/core/failover',
  'drivers/net/net_failover',
  'drivers/net/virtio_net',
];

/** A complete RHEL 9 kickstart (remaster verify passes it) without script sections. */
export const KS_BASE = `#version=RHEL9
text
lang en_US.UTF-8
keyboard --xlayouts=us
timezone Etc/UTC --utc
url --url=http://10.0.0.5/os/
rootpw --lock
zerombr
clearpart --all --initlabel
autopart --type=plain
poweroff
%packages
@^minimal-environment
%end
`;
/** KS_BASE with its own %pre and %post, which print REMASTER-OWN-PRE / REMASTER-OWN-POST when the guest runs them. */
export const KS_GOOD = `${KS_BASE}%pre
echo "REMASTER-OWN-PRE host=$(hostname)"
%end
%post --nochroot
echo REMASTER-OWN-POST
%end
`;
/** The guest's /init: network, fetch inst.ks=, run the kickstart's script sections in anaconda's order. */
export const GUEST_INIT = `#!/bin/sh
PATH=/bin
busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox --install -s /bin
mkdir -p /tmp /usr/share/udhcpc
echo "REMASTER-GUEST-INIT $(uname -r)"
for m in /lib/ko/*.ko; do insmod "$m" || echo "REMASTER-INSMOD-FAILED $m"; done
# devices the test waits for (virtio disks probe asynchronously): at most 10 s in all
n=0
for p in $(cat /etc/guest-wait); do while [ ! -e "$p" ] && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done; done
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -s /etc/udhcpc.sh -q -n -t 10 -T 3 || { echo REMASTER-NO-DHCP; poweroff -f; }
ks=''
for w in $(cat /proc/cmdline); do case "$w" in inst.ks=*) ks=\${w#inst.ks=} ;; esac; done
echo "REMASTER-KS-URL $ks"
wget -q -O /tmp/ks.cfg "$ks" || { echo REMASTER-KS-FETCH-FAILED; poweroff -f; }
echo "REMASTER-KS-FETCHED $(wc -c < /tmp/ks.cfg) bytes"
awk '
  /^%(pre|pre-install|post|onerror)([ \\t]|$)/ { n++; split($1, a, "%"); file = sprintf("/tmp/sec-%02d-%s", n, a[2]); lg = "/tmp/sec-log-" n; for (i = 2; i <= NF; i++) { if ($i ~ /^--log=/) lg = substr($i, 7); if ($i == "--erroronfail") fatal[file] = 1 }; print lg > (file ".log"); if (fatal[file]) print "" > (file ".fatal"); next }
  /^%end/ { file = ""; next }
  file != "" { print > file }
' /tmp/ks.cfg
run_kind() {
  for f in /tmp/sec-??-"$1"; do
    [ -f "$f" ] || continue
    log=$(cat "$f.log")
    if ! sh "$f" > "$log" 2>&1; then
      cat "$log"
      if [ -f "$f.fatal" ]; then
        echo "REMASTER-SECTION-FAILED $f"
        for e in /tmp/sec-??-onerror; do [ -f "$e" ] && sh "$e"; done
        echo REMASTER-GUEST-DONE failed
        poweroff -f
      fi
    fi
    cat "$log"
  done
}
run_kind pre
run_kind pre-install
run_kind post
echo REMASTER-GUEST-DONE ok
poweroff -f
`;

export const GUEST_UDHCPC = `#!/bin/sh
case "$1" in
  bound|renew) ifconfig "$interface" "$ip" netmask "\${subnet:-255.255.255.0}" up; echo "REMASTER-DHCP $ip from $serverid" ;;
esac
`;

/** The virtio modules a guest needs for virtio-blk disks, in load order (paths under the kernel's kernel/, no `.ko`). */
export const VIRTIO_BLK_MODULES = ['drivers/virtio/virtio_ring', 'drivers/virtio/virtio', 'drivers/virtio/virtio_pci_legacy_dev', 'drivers/virtio/virtio_pci_modern_dev', 'drivers/virtio/virtio_pci', 'drivers/block/virtio_blk'];

/** Options of writeGuestInitrd. */
export interface GuestInitrdOptions {
  /** More modules to load before the NIC drivers, in order, as paths under the kernel's kernel/ without `.ko`. */
  modules?: string[];
  /** Paths /init waits for (at most 10 s in all) before it starts the network, e.g. `/sys/block/vdc`. */
  waitFor?: string[];
}

/** Write the guest's initrd (the small busybox fixture with GUEST_INIT as /init and the NIC drivers) to `file`. */
export async function writeGuestInitrd(fx: FixturePaths, file: string, options: GuestInitrdOptions = {}): Promise<void> {
  const base = (await hostEntries(fx.small.root, '/')).filter((e) => e.path !== 'init' && e.path !== '/init');
  // each module once, in the order given (a second insmod of a loaded module fails)
  const modules = [...new Set([...(options.modules ?? []), ...NET_MODULES])];
  const ko = await Promise.all(modules.map(async (m, i) => ({
    // the number keeps the load order in /init's glob
    path: `lib/ko/${String(i).padStart(2, '0')}-${m.slice(m.lastIndexOf('/') + 1)}.ko`, type: 'file' as const, data: new Uint8Array(await readFile(join(fx.kernel.modulesDir, 'kernel', `${m}.ko`))),
  })));
  await writeFile(file, await buildImage([
    ...base,
    { path: 'init', type: 'file', mode: 0o755, data: new TextEncoder().encode(GUEST_INIT) },
    { path: 'etc/udhcpc.sh', type: 'file', mode: 0o755, data: new TextEncoder().encode(GUEST_UDHCPC) },
    { path: 'etc/guest-wait', type: 'file', data: new TextEncoder().encode((options.waitFor ?? []).map((p) => `${p}\n`).join('')) },
    ...ko,
  ], 'gzip'));
}
