#!/usr/bin/env bash
# The README quick start's main job on bundled demo material: make a demo
# initrd, inspect it, inject the demo overlay as an appended segment, rebuild
# it with kernel-safe xz, and show the result. Output goes to out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
OUT=out/demo
rm -rf "$OUT" && mkdir -p "$OUT"
remaster() { node dist/cli/main.js "$@"; }
step() { printf '\n$ remaster %s\n' "$*"; remaster "$@"; }

node scripts/make-demo.ts "$OUT/initrd.img"
step inspect "$OUT/initrd.img"
step add "$OUT/initrd.img" overlays/demo/files:/ -o "$OUT/initrd-appended.img"
step inspect "$OUT/initrd-appended.img"
step repack "$OUT/initrd-appended.img" -o "$OUT/initrd-rebuilt.img" --compression xz
step inspect "$OUT/initrd-rebuilt.img"
step ls "$OUT/initrd-rebuilt.img"
step cat "$OUT/initrd-rebuilt.img" /etc/remaster/motd
