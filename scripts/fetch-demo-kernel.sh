#!/usr/bin/env bash
# fetch-demo-kernel.sh OUTDIR: a real Debian kernel and a static busybox for
# the bootable demo, from Debian packages only (apt-get download + dpkg-deb -x;
# nothing is installed, no root needed). Cached: a second run does nothing.
# Writes OUTDIR/vmlinuz and OUTDIR/busybox.
set -euo pipefail
OUT=${1:?usage: fetch-demo-kernel.sh OUTDIR}
mkdir -p "$OUT/debs"
[ -s "$OUT/vmlinuz" ] && [ -x "$OUT/busybox" ] && exit 0
log() { printf '[demo] %s\n' "$*" >&2; }
KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}' || true)
if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ]; then apt-get update -qq || true; KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}' || true); fi
[ -n "$KPKG" ] || { log "apt cannot resolve linux-image-amd64 (run apt-get update)"; exit 1; }
APT_OPTS=()
[ "$(id -u)" = 0 ] && APT_OPTS=(-o APT::Sandbox::User=root)
for pkg in "$KPKG" busybox-static; do
  ls "$OUT/debs/${pkg}"_*.deb >/dev/null 2>&1 || { log "download $pkg"; (cd "$OUT/debs" && apt-get download -qq "${APT_OPTS[@]}" "$pkg" >/dev/null); }
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
dpkg-deb -x "$(ls "$OUT/debs/${KPKG}"_*.deb | head -n1)" "$WORK/k"
dpkg-deb -x "$(ls "$OUT/debs"/busybox-static_*.deb | head -n1)" "$WORK/bb"
cp "$WORK/k/boot/vmlinuz-${KPKG#linux-image-}" "$OUT/vmlinuz"
cp "$WORK/bb/bin/busybox" "$OUT/busybox"
log "kernel ${KPKG#linux-image-} and busybox ready in $OUT"
