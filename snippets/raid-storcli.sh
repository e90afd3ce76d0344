#!/bin/sh
# remaster snippet: raid-storcli.sh
# Broadcom MegaRAID (storcli) and Dell PERC (perccli, the same syntax) RAID, idempotent: a
# controller that already has a virtual drive keeps it unless wipe is asked for.
#
# Stage:    pre
# Entry:    remaster_raid_storcli
# Uses:     report.sh hardware.sh raid-common.sh
# Inputs:   REMASTER_RAID_LEVEL       0, 1, 5, 6 or 10
#           REMASTER_RAID_DISKS       a count (the first N drives in state UGood) or EID:Slt ids ("252:0 252:1")
#           REMASTER_RAID_CONTROLLER  controller number (default 0)
#           REMASTER_RAID_WIPE        true: delete the existing virtual drives first
#           REMASTER_STORCLI          the CLI (default storcli64 on PATH; perccli64 for PERC)
#           REMASTER_RAID_STORAGE, REMASTER_STORAGE_FILE, REMASTER_RAID_SETTLE (see raid-common.sh)
# Image:    cat sed tr sort head awk grep sleep printf
# Binaries: storcli64|storcli|perccli64|perccli
# Reports:  log ("raid: created ...", "raid: kept ..."), failed (with the reason) and exit 1
#
# Commands issued: CLI /cN/vall show; CLI /cN/vall del force (wipe); CLI /cN/eall/sall show (count);
# CLI /cN add vd type=raidL drives=E:S,E:S [pdperarray=2 for raid10].

# Succeed when disk $1 is a MegaRAID virtual drive: megaraid_sas puts them on SCSI channel 2 and up
# (MEGASAS_MAX_PD_CHANNELS in drivers/scsi/megaraid/megaraid_sas.h), physical drives below.
remaster_storcli_is_vd() (
  sys=${REMASTER_SYSFS:-/sys}
  address=$(remaster_link_name "$sys/block/$1/device") || exit 1
  host=${address%%:*}
  rest=${address#*:}
  channel=${rest%%:*}
  case $channel in '' | *[!0-9]*) exit 1 ;; esac
  [ "$channel" -ge 2 ] && [ "$(remaster_read "$sys/class/scsi_host/host$host/proc_name")" = megaraid_sas ]
)

# Point the storage commands at the virtual drive once it is a disk.
remaster_storcli_storage() (
  [ -n "${REMASTER_RAID_STORAGE:-}" ] || exit 0
  device=$(remaster_wait_disk remaster_storcli_is_vd) || remaster_fail "install.raid: no MegaRAID virtual drive appeared as a disk"
  remaster_write_storage "$device" "$device" || remaster_fail "install.raid: cannot write the storage commands"
)

# Build (or keep) the virtual drive.
remaster_raid_storcli() (
  cli=${REMASTER_STORCLI:-storcli64}
  command -v "$cli" >/dev/null 2>&1 || remaster_fail "install.raid: $cli is not in the installer (raid-storcli.sh needs storcli or perccli)"
  c=/c${REMASTER_RAID_CONTROLLER:-0}
  existing=$("$cli" "$c/vall" show 2>&1 | grep -cE '^[0-9]+/[0-9]+[[:space:]]+RAID')
  if [ "$existing" -gt 0 ]; then
    if [ "${REMASTER_RAID_WIPE:-false}" != true ]; then
      remaster_log "raid: kept the $existing virtual drive(s) of controller $c; set install.raid.wipe to replace them"
      remaster_report_text log "raid: kept the virtual drives of controller $c"
      remaster_storcli_storage || exit 1
      exit 0
    fi
    "$cli" "$c/vall" del force || remaster_fail "install.raid: $cli could not delete the virtual drives of $c"
  fi
  want=${REMASTER_RAID_DISKS:-2}
  case $want in
    *[!0-9]*) drives=$(printf '%s' "$want" | tr -s ' \n' ',,' | sed 's/^,//; s/,$//') ;;
    *)
      drives=$("$cli" "$c/eall/sall" show 2>&1 | awk '$1 ~ /^[0-9]+:[0-9]+$/ && $3 == "UGood" { print $1 }' | head -n "$want" | tr '\n' ',' | sed 's/,$//')
      found=$(printf '%s' "$drives" | tr ',' '\n' | grep -c .)
      [ "$found" -ge "$want" ] || remaster_fail "install.raid.disks: $want unconfigured-good drives wanted, $found found on $c (${drives:-none})"
      ;;
  esac
  level=${REMASTER_RAID_LEVEL:-1}
  remaster_log "raid: creating a raid$level virtual drive on $c over $drives"
  if [ "$level" = 10 ]; then
    "$cli" "$c" add vd "type=raid$level" "drives=$drives" pdperarray=2
  else
    "$cli" "$c" add vd "type=raid$level" "drives=$drives"
  fi || remaster_fail "install.raid: $cli could not create the virtual drive ($c, drives $drives, raid$level)"
  remaster_report_text log "raid: created a raid$level virtual drive on $c over $drives"
  remaster_storcli_storage || exit 1
)
