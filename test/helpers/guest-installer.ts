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
insmod /lib/e1000.ko
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
  bound|renew) ifconfig "$interface" "$ip" netmask "\${subnet:-255.255.255.0}" up; echo "REMASTER-DHCP $ip" ;;
esac
`;

/** Write the guest's initrd (the small busybox fixture with GUEST_INIT as /init and the e1000 module) to `file`. */
export async function writeGuestInitrd(fx: FixturePaths, file: string): Promise<void> {
  const base = (await hostEntries(fx.small.root, '/')).filter((e) => e.path !== 'init' && e.path !== '/init');
  await writeFile(file, await buildImage([
    ...base,
    { path: 'init', type: 'file', mode: 0o755, data: new TextEncoder().encode(GUEST_INIT) },
    { path: 'etc/udhcpc.sh', type: 'file', mode: 0o755, data: new TextEncoder().encode(GUEST_UDHCPC) },
    { path: 'lib/e1000.ko', type: 'file', data: new Uint8Array(await readFile(join(fx.kernel.modulesDir, 'kernel/drivers/net/ethernet/intel/e1000/e1000.ko'))) },
  ], 'gzip'));
}
