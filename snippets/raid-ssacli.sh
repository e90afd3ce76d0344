#!/bin/sh
# remaster snippet: raid-ssacli.sh
# HPE Smart Array RAID through ssacli, idempotent: a controller that already has a logical drive
# keeps it unless wipe is asked for.
#
# Stage:    pre
# Entry:    remaster_raid_ssacli
# Uses:     report.sh hardware.sh raid-common.sh
# Inputs:   REMASTER_RAID_LEVEL       0, 1, 5, 6 or 10 (ssacli's 1+0)
#           REMASTER_RAID_DISKS       a count (the first N unassigned drives) or drive ids ("1I:1:1 1I:1:2")
#           REMASTER_RAID_CONTROLLER  controller slot (default: the first "in Slot N" of `ssacli ctrl all show`)
#           REMASTER_RAID_WIPE        true: delete the existing logical drives first
#           REMASTER_SSACLI           the ssacli binary (default ssacli on PATH)
#           REMASTER_RAID_STORAGE, REMASTER_STORAGE_FILE, REMASTER_RAID_SETTLE (see raid-common.sh)
# Image:    cat sed tr sort head awk grep sleep printf
# Binaries: ssacli
# Reports:  log ("raid: created ...", "raid: kept ..."), failed (with the reason) and exit 1
#
# Commands issued: ssacli ctrl all show; ssacli ctrl slot=S ld all show; ssacli ctrl slot=S ld all
# delete forced (wipe); ssacli ctrl slot=S pd allunassigned show (count); ssacli ctrl slot=S create
# type=ld drives=A,B raid=L forced.

# Succeed when disk $1 is a Smart Array logical drive (hpsa reports the model "LOGICAL VOLUME").
remaster_ssacli_is_ld() {
  [ "$(remaster_read "${REMASTER_SYSFS:-/sys}/block/$1/device/model")" = 'LOGICAL VOLUME' ]
}

# Ask the hpsa driver to look for new logical drives (kernel Documentation/scsi/hpsa.rst: host rescan).
remaster_ssacli_rescan() (
  for h in "${REMASTER_SYSFS:-/sys}"/class/scsi_host/host*; do
    [ "$(remaster_read "$h/proc_name")" = hpsa ] && { echo 1 > "$h/rescan"; } 2>/dev/null
  done
  exit 0
)

# Point the storage commands at the logical drive once it is a disk.
remaster_ssacli_storage() (
  [ -n "${REMASTER_RAID_STORAGE:-}" ] || exit 0
  remaster_ssacli_rescan
  device=$(remaster_wait_disk remaster_ssacli_is_ld) || remaster_fail "install.raid: no Smart Array logical drive appeared as a disk"
  remaster_write_storage "$device" "$device" || remaster_fail "install.raid: cannot write the storage commands"
)

# Build (or keep) the logical drive.
remaster_raid_ssacli() (
  cli=${REMASTER_SSACLI:-ssacli}
  command -v "$cli" >/dev/null 2>&1 || remaster_fail "install.raid: $cli is not in the installer (raid-ssacli.sh needs ssacli)"
  slot=${REMASTER_RAID_CONTROLLER:-}
  [ -n "$slot" ] || slot=$("$cli" ctrl all show 2>&1 | sed -n 's/.* in Slot \([^ ]*\).*/\1/p' | head -n 1)
  [ -n "$slot" ] || remaster_fail "install.raid: no Smart Array controller found (ssacli ctrl all show)"
  existing=$("$cli" ctrl slot="$slot" ld all show 2>&1 | grep -c 'logicaldrive [0-9]')
  if [ "$existing" -gt 0 ]; then
    if [ "${REMASTER_RAID_WIPE:-false}" != true ]; then
      remaster_log "raid: kept the $existing logical drive(s) of the controller in slot $slot; set install.raid.wipe to replace them"
      remaster_report_text log "raid: kept the logical drives of slot $slot"
      remaster_ssacli_storage || exit 1
      exit 0
    fi
    "$cli" ctrl slot="$slot" ld all delete forced || remaster_fail "install.raid: ssacli could not delete the logical drives of slot $slot"
  fi
  want=${REMASTER_RAID_DISKS:-2}
  case $want in
    *[!0-9]*) drives=$(printf '%s' "$want" | tr -s ' \n' ',,' | sed 's/^,//; s/,$//') ;;
    *)
      drives=$("$cli" ctrl slot="$slot" pd allunassigned show 2>&1 | sed -n 's/^[[:space:]]*physicaldrive \([^[:space:]]*\).*/\1/p' | head -n "$want" | tr '\n' ',' | sed 's/,$//')
      found=$(printf '%s' "$drives" | tr ',' '\n' | grep -c .)
      [ "$found" -ge "$want" ] || remaster_fail "install.raid.disks: $want unassigned drives wanted, $found found on slot $slot (${drives:-none})"
      ;;
  esac
  level=$REMASTER_RAID_LEVEL
  [ "$level" = 10 ] && level='1+0'
  remaster_log "raid: creating a raid $level logical drive on slot $slot over $drives"
  "$cli" ctrl slot="$slot" create type=ld drives="$drives" raid="$level" forced \
    || remaster_fail "install.raid: ssacli could not create the logical drive (slot $slot, drives $drives, raid $level)"
  remaster_report_text log "raid: created a raid $level logical drive on slot $slot over $drives"
  remaster_ssacli_storage || exit 1
)
