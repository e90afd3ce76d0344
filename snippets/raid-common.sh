#!/bin/sh
# remaster snippet: raid-common.sh
# What the RAID snippets share: choosing disks, finding arrays that already hold them, and
# pointing the kickstart's storage commands at the array.
#
# Stage:    pre
# Entry:    (library)
# Uses:     report.sh hardware.sh
# Inputs:   REMASTER_RAID_STORAGE   kickstart storage lines; @DEVICE@ becomes the array's device name
#                                   (md0, sdc) and @MEMBERS@ its members, comma-separated
#           REMASTER_STORAGE_FILE   where they are written (default /tmp/remaster-storage.ks, which the
#                                   kickstart's command section names in %include)
#           REMASTER_RAID_SETTLE    seconds to wait for a new logical drive to appear (default 60)
# Image:    cat sed tr sort head awk sleep printf
# Binaries: (none)
# Reports:  log (the storage lines written)

# Print the disks for the array, space-separated: the names given in $1 (which must exist), or the
# $1 largest non-removable disks (ties by name). Print the reason and fail when there are too few.
remaster_raid_select() (
  sys=${REMASTER_SYSFS:-/sys}
  case $1 in
    '' | *[!0-9]*)
      for d in $1; do
        [ -e "$sys/block/$d" ] || { printf 'install.raid.disks: "%s" is not a disk here (disks: %s)' "$d" "$(remaster_disks | tr '\n' ' ')"; exit 1; }
      done
      printf '%s' "$1" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
      ;;
    *)
      chosen=$(for d in $(remaster_disks); do
        [ "$(remaster_disk_removable "$d")" = 1 ] && continue
        printf '%s %s\n' "$(remaster_disk_bytes "$d")" "$d"
      done | sort -k1,1nr -k2,2 | head -n "$1" | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 }')
      found=0
      for d in $chosen; do found=$((found + 1)); done
      if [ "$found" -lt "$1" ]; then
        printf 'install.raid.disks: %s disks wanted, %s found (%s)' "$1" "$found" "${chosen:-none}"
        exit 1
      fi
      printf '%s' "$chosen"
      ;;
  esac
)

# List what holds disk $1 or one of its partitions (md arrays, device-mapper), one name a line.
remaster_holders() (
  sys=${REMASTER_SYSFS:-/sys}
  for h in "$sys/block/$1/holders"/* "$sys/block/$1/$1"*/holders/*; do
    [ -e "$h" ] && printf '%s\n' "${h##*/}"
  done
  exit 0
)

# Succeed when md array $1 is running (its array_state is neither clear nor inactive).
remaster_md_active() (
  state=$(remaster_read "${REMASTER_SYSFS:-/sys}/block/$1/md/array_state") || exit 1
  case $state in clear | inactive) exit 1 ;; *) exit 0 ;; esac
)

# Print the member disks of md array $1, space-separated.
remaster_md_members() (
  out=''
  for m in "${REMASTER_SYSFS:-/sys}/block/$1/slaves"/*; do
    [ -e "$m" ] && out="$out${out:+ }${m##*/}"
  done
  printf '%s' "$out"
)

# Write REMASTER_RAID_STORAGE with @DEVICE@ = $1 and @MEMBERS@ = $2 (space-separated) into
# REMASTER_STORAGE_FILE; nothing when no storage lines were asked for.
remaster_write_storage() (
  [ -n "${REMASTER_RAID_STORAGE:-}" ] || exit 0
  file=${REMASTER_STORAGE_FILE:-/tmp/remaster-storage.ks}
  members=$(printf '%s' "$2" | tr ' ' ',')
  printf '%s\n' "$REMASTER_RAID_STORAGE" | sed "s|@DEVICE@|$1|g; s|@MEMBERS@|$members|g" > "$file" || exit 1
  remaster_log "raid: storage commands in $file: $(tr '\n' ';' < "$file")"
)

# Print the first disk (sorted by name) for which the test command $1 succeeds, waiting up to
# REMASTER_RAID_SETTLE seconds for a logical drive the controller has just made to appear.
remaster_wait_disk() (
  tries=${REMASTER_RAID_SETTLE:-60}
  while :; do
    for d in $(remaster_disks | sort); do
      if "$1" "$d"; then printf '%s' "$d"; exit 0; fi
    done
    [ "$tries" -gt 0 ] || exit 1
    tries=$((tries - 1))
    sleep 1
  done
)
