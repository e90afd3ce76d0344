#!/bin/sh
# remaster snippet: carry.sh
# Carries what %pre learnt into the installed system for the chrooted %post snippets: the host
# record and callback URL (REMASTER_ENV_FILE) and the inventory. The callback URL holds a secret,
# so the chrooted copy is removed again when the %post snippets are done (remaster_forget).
#
# Stage:    post
# Entry:    remaster_carry
# Uses:     report.sh
# Inputs:   REMASTER_TARGET      where the installed system is mounted (Anaconda /mnt/sysimage, d-i and
#                                subiquity /target)
#           REMASTER_ENV_FILE, REMASTER_INVENTORY (see report.sh and inventory.sh)
# Image:    mkdir cp rm
# Binaries: (none)
# Reports:  (nothing)

# In the installer: copy the env file to TARGET/tmp and the inventory to TARGET/var/lib/remaster.
remaster_carry() (
  target=${REMASTER_TARGET:-/mnt/sysimage}
  env=${REMASTER_ENV_FILE:-/tmp/remaster.env}
  inventory=${REMASTER_INVENTORY:-/tmp/remaster-inventory.json}
  if [ -r "$env" ]; then
    if ! { mkdir -p "$target/tmp" && (umask 077 && cp "$env" "$target/tmp/remaster.env"); }; then remaster_log "carry: cannot copy $env"; fi
  fi
  if [ -r "$inventory" ]; then
    if ! { mkdir -p "$target/var/lib/remaster" && cp "$inventory" "$target/var/lib/remaster/inventory.json"; }; then remaster_log "carry: cannot copy $inventory"; fi
  fi
  exit 0
)

# In the installed system: remove the env file's copy (it holds the callback secret).
remaster_forget() {
  rm -f "${REMASTER_ENV_FILE:-/tmp/remaster.env}"
}
