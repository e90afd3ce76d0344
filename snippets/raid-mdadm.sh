#!/bin/sh
# remaster snippet: raid-mdadm.sh
# Software RAID with mdadm, idempotent: an array that already holds the disks is kept (or
# assembled from their superblocks) unless wipe is asked for.
#
# Stage:    pre
# Entry:    remaster_raid_mdadm
# Uses:     report.sh hardware.sh raid-common.sh
# Inputs:   REMASTER_RAID_LEVEL     0, 1, 5, 6 or 10
#           REMASTER_RAID_DISKS     a count (the N largest disks) or disk names ("sdb sdc")
#           REMASTER_RAID_DEVICE    array name (default md0)
#           REMASTER_RAID_METADATA  superblock format (default: mdadm's, 1.2; 1.0 for a /boot on the array)
#           REMASTER_RAID_WIPE      true: stop arrays holding the disks, clear superblocks, create anew
#           REMASTER_MDADM          the mdadm binary (default mdadm on PATH)
#           REMASTER_DEV            device directory (default /dev)
#           REMASTER_RAID_STORAGE, REMASTER_STORAGE_FILE (see raid-common.sh)
# Image:    cat sed tr sort head awk sleep printf
# Binaries: mdadm
# Reports:  log ("raid: created md0 ...", "raid: kept md0 ..."), failed (with the reason) and exit 1

# Stop the arrays named in $2 and clear the superblocks of the disks in $3 (wipe: true); $1 is mdadm.
remaster_mdadm_wipe() (
  for a in $2; do
    remaster_log "raid: wipe: stopping $a"
    "$1" --stop "${REMASTER_DEV:-/dev}/$a" || exit 1
  done
  for d in $3; do
    "$1" --zero-superblock "${REMASTER_DEV:-/dev}/$d" 2>/dev/null || true
  done
)

# Print every md array that holds one of the disks in $1 (and $2 itself when it runs), space-separated.
remaster_mdadm_holding() (
  found=''
  remaster_md_active "$2" && found=$2
  for d in $1; do
    for h in $(remaster_holders "$d"); do
      case " $found " in *" $h "*) continue ;; esac
      case $h in md*) found="$found${found:+ }$h" ;; *) printf 'install.raid: %s is held by %s (not an md array)' "$d" "$h"; exit 1 ;; esac
    done
  done
  printf '%s' "$found"
)

# Keep array $1: log it, point the storage commands at it.
remaster_mdadm_keep() (
  members=$(remaster_md_members "$1")
  remaster_log "raid: kept $1 (members: $members); set install.raid.wipe to replace it"
  remaster_report_text log "raid: kept $1 (members: $members)"
  remaster_write_storage "$1" "$members" || remaster_fail "install.raid: cannot write the storage commands"
)

# Build (or keep) the array.
remaster_raid_mdadm() (
  mdadm=${REMASTER_MDADM:-mdadm}
  devdir=${REMASTER_DEV:-/dev}
  dev=${REMASTER_RAID_DEVICE:-md0}
  level=${REMASTER_RAID_LEVEL:-1}
  command -v "$mdadm" >/dev/null 2>&1 || remaster_fail "install.raid: $mdadm is not in the installer (raid-mdadm.sh needs mdadm)"
  disks=$(remaster_raid_select "${REMASTER_RAID_DISKS:-2}") || remaster_fail "$disks"
  holding=$(remaster_mdadm_holding "$disks" "$dev") || remaster_fail "$holding"
  if [ -n "$holding" ] && [ "${REMASTER_RAID_WIPE:-false}" != true ]; then
    remaster_mdadm_keep "${holding%% *}" || exit 1
    exit 0
  fi
  set --
  for d in $disks; do set -- "$@" "$devdir/$d"; done
  count=$#
  if [ "${REMASTER_RAID_WIPE:-false}" = true ]; then
    remaster_mdadm_wipe "$mdadm" "$holding" "$disks" || remaster_fail "install.raid: cannot stop $holding for wipe"
  else
    with=0
    for path in "$@"; do
      if "$mdadm" --examine "$path" >/dev/null 2>&1; then with=$((with + 1)); fi
    done
    if [ "$with" -eq "$count" ] && "$mdadm" --assemble "$devdir/$dev" --run "$@" < /dev/null; then
      remaster_mdadm_keep "$dev" || exit 1
      exit 0
    fi
    [ "$with" -eq 0 ] || remaster_fail "install.raid: $disks carry md superblocks of another array that does not assemble as $dev; set install.raid.wipe: true to replace it"
  fi
  remaster_log "raid: creating $dev (raid$level) over $disks"
  if [ -n "${REMASTER_RAID_METADATA:-}" ]; then set -- "--metadata=$REMASTER_RAID_METADATA" "$@"; fi
  "$mdadm" --create "$devdir/$dev" --run "--level=$level" "--raid-devices=$count" "$@" < /dev/null \
    || remaster_fail "install.raid: mdadm --create $devdir/$dev (raid$level over $disks) failed"
  remaster_report_text log "raid: created $dev (raid$level over $disks)"
  remaster_write_storage "$dev" "$disks" || remaster_fail "install.raid: cannot write the storage commands"
)
