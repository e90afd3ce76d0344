#!/usr/bin/env bash
# The README quick start's main job on bundled demo material: make a demo
# initrd, build recipes/demo.yaml from it (overlay, helper script, firmware,
# a removal; rebuilt with kernel-safe xz), then look at the result with the
# same tool (inspect, ls, cat, diff against the source), publish it as a PXE
# tree and verify that. Also shows the scripted path: add a file as an appended segment.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
OUT=out/demo
rm -rf "$OUT" && mkdir -p "$OUT"
remaster() { node dist/cli/main.js "$@"; }
step() { printf '\n$ remaster %s\n' "$*"; remaster "$@"; }

bash scripts/fetch-demo-kernel.sh out/demo-cache
node scripts/make-demo.ts "$OUT" --kernel out/demo-cache/vmlinuz --busybox out/demo-cache/busybox
step inspect "$OUT/initrd.img"
step build recipes/demo.yaml --dry-run
step build recipes/demo.yaml
step inspect "$OUT/build/initrd.img"
step ls "$OUT/build/initrd.img"
step cat "$OUT/build/initrd.img" /etc/remaster/motd
step diff "$OUT/initrd.img" "$OUT/build/initrd.img"
step add "$OUT/initrd.img" overlays/demo/files/etc/remaster/motd:/etc/motd -o "$OUT/initrd-appended.img"
step inspect "$OUT/initrd-appended.img"
if [ -e /usr/lib/PXELINUX/pxelinux.0 ] || [ -e /usr/share/syslinux/pxelinux.0 ]; then
  step publish "$OUT/build" --tftp-root "$OUT/tftp" --no-ipxe
  step verify "$OUT/tftp"
else
  printf '\n(publish skipped: no pxelinux.0; apt-get install pxelinux syslinux-common)\n'
fi
if command -v qemu-system-x86_64 >/dev/null; then
  step boot-test "$OUT/build" --expect-file /usr/bin/remaster-hello --expect-binary /usr/bin/remaster-hello
else
  printf '\n(boot-test skipped: qemu-system-x86_64 is not installed; apt-get install qemu-system-x86)\n'
fi
printf '\nmanifest: %s\n' "$OUT/build/manifest.json"
