#!/usr/bin/env bash
# The README quick start's main job on bundled demo material: make a demo
# initrd, build recipes/demo.yaml from it (overlay, helper script, firmware,
# a removal; rebuilt with kernel-safe xz), then look at the result with the
# same tool. Also shows the scripted path: add a file as an appended segment.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
OUT=out/demo
rm -rf "$OUT" && mkdir -p "$OUT"
remaster() { node dist/cli/main.js "$@"; }
step() { printf '\n$ remaster %s\n' "$*"; remaster "$@"; }

node scripts/make-demo.ts "$OUT/initrd.img"
step inspect "$OUT/initrd.img"
step build recipes/demo.yaml --dry-run
step build recipes/demo.yaml
step inspect "$OUT/build/initrd.img"
step ls "$OUT/build/initrd.img"
step cat "$OUT/build/initrd.img" /etc/remaster/motd
step add "$OUT/initrd.img" overlays/demo/files/etc/remaster/motd:/etc/motd -o "$OUT/initrd-appended.img"
step inspect "$OUT/initrd-appended.img"
printf '\nmanifest: %s\n' "$OUT/build/manifest.json"
