#!/bin/sh
# remaster snippet: require.sh
# Checks the hardware policy before any disk is touched; a mismatch stops the install.
#
# Stage:    pre
# Entry:    remaster_require
# Uses:     report.sh hardware.sh
# Inputs:   REMASTER_REQUIRE   the rules, one a line: NAME<TAB>TEST<TAB>AS-WRITTEN, NAME one of
#                              cpus, memory, disks.count, disks.minSize, nics.count (TEST: >=N >N <=N <N ==N,
#                              sizes in bytes), controllers (TEST: a driver name or vendor:device PCI ids),
#                              dmi.vendor, dmi.product (TEST: a shell pattern)
#           REMASTER_MODPROBE  loads a missing controller's driver once (default modprobe)
#           REMASTER_SYSFS, REMASTER_PROCFS (see hardware.sh)
# Image:    cat sed tr tail grep sort readlink basename awk printf; modprobe (optional)
# Binaries: (none)
# Reports:  failed ("hardware policy not met ...: install.require.disks.count \">=4\": measured 3 (...)"),
#           then exits 1 so that %pre --erroronfail ends the install

# Succeed when the number $1 passes TEST $2 (>=N, >N, <=N, <N, ==N).
remaster_compare() (
  case $2 in
    '>='*) [ "$1" -ge "${2#>=}" ] ;;
    '<='*) [ "$1" -le "${2#<=}" ] ;;
    '=='*) [ "$1" -eq "${2#==}" ] ;;
    '>'*) [ "$1" -gt "${2#>}" ] ;;
    '<'*) [ "$1" -lt "${2#<}" ] ;;
    *) exit 2 ;;
  esac
)

# Print "name size, name size" for the disks named in $1.
remaster_describe_disks() (
  out=''
  for d in $1; do out="$out${out:+, }$d $(remaster_human_bytes "$(remaster_disk_bytes "$d")")"; done
  printf '%s' "${out:-none}"
)

# Check disks.count ($1, as written $2) over the non-removable disks of at least $3 bytes (as written $4).
remaster_require_disks() (
  fit='' small='' count=0
  for d in $(remaster_disks); do
    [ "$(remaster_disk_removable "$d")" = 1 ] && continue
    if [ "$(remaster_disk_bytes "$d")" -ge "${3:-0}" ]; then
      fit="$fit $d" count=$((count + 1))
    else
      small="$small $d"
    fi
  done
  remaster_compare "$count" "$1" && exit 0
  what=''
  [ -n "$4" ] && what=" of disks of at least $4"
  detail=$(remaster_describe_disks "$fit")
  [ -n "$small" ] && detail="$detail; smaller: $(remaster_describe_disks "$small")"
  printf 'install.require.disks.count "%s"%s: measured %s (%s)' "$2" "$what" "$count" "$detail"
  exit 1
)

# Check that a storage controller with driver or PCI ids $1 is present; load the driver once if not.
remaster_require_controller() (
  if remaster_storage_controllers | awk -v want="$1" '$2 == want || $4 == want { found = 1 } END { exit !found }'; then exit 0; fi
  case $1 in *:*) ;; *) if command -v "${REMASTER_MODPROBE:-modprobe}" >/dev/null 2>&1 && "${REMASTER_MODPROBE:-modprobe}" "$1" 2>/dev/null; then
    remaster_storage_controllers | awk -v want="$1" '$4 == want { found = 1 } END { exit !found }' && exit 0
  fi ;; esac
  seen=$(remaster_storage_controllers | awk '{ printf "%s%s %s %s", (NR > 1 ? ", " : ""), $1, $2, $4 }')
  printf 'install.require.controllers "%s": not found (storage controllers: %s)' "$1" "${seen:-none}"
  exit 1
)

# Check one rule: name $1, test $2, as written $3; print the failure and fail when it does not hold.
remaster_require_rule() (
  case $1 in
    cpus)
      n=$(remaster_cpu_count)
      remaster_compare "$n" "$2" || { printf 'install.require.cpus "%s": measured %s' "$3" "$n"; exit 1; } ;;
    memory)
      n=$(remaster_memory_installed)
      remaster_compare "$n" "$2" || { printf 'install.require.memory "%s": measured %s (%s bytes)' "$3" "$(remaster_human_bytes "$n")" "$n"; exit 1; } ;;
    nics.count)
      nics=$(remaster_nics)
      n=$(printf '%s\n' "$nics" | grep -c .)
      remaster_compare "$n" "$2" || { printf 'install.require.nics.count "%s": measured %s (%s)' "$3" "$n" "$(printf '%s' "$nics" | tr '\n' ' ')"; exit 1; } ;;
    controllers) remaster_require_controller "$2" ;;
    dmi.vendor | dmi.product)
      file=sys_vendor
      [ "$1" = dmi.product ] && file=product_name
      seen=$(remaster_read "${REMASTER_SYSFS:-/sys}/class/dmi/id/$file") || seen=''
      # shellcheck disable=SC2254 # the recipe's value is a shell pattern on purpose
      case $seen in $2) ;; *) printf 'install.require.%s "%s": measured "%s"' "$1" "$3" "$seen"; exit 1 ;; esac ;;
    disks.minSize) ;;
    *) printf 'install.require: unknown rule "%s"' "$1"; exit 1 ;;
  esac
)

# Check every rule of REMASTER_REQUIRE; on any mismatch report all of them and stop.
remaster_require() (
  tab=$(printf '\t')
  min=0 min_shown=''
  while IFS=$tab read -r name test shown; do
    if [ "$name" = disks.minSize ]; then min=$test min_shown=$shown; fi
  done <<EOF
${REMASTER_REQUIRE:-}
EOF
  failures=''
  while IFS=$tab read -r name test shown; do
    [ -n "$name" ] || continue
    if [ "$name" = disks.count ]; then
      message=$(remaster_require_disks "$test" "$shown" "$min" "$min_shown")
    else
      message=$(remaster_require_rule "$name" "$test" "$shown")
    fi
    if [ -n "$message" ]; then
      remaster_log "require: $message"
      failures="$failures${failures:+; }$message"
    elif [ "$name" != disks.minSize ]; then
      remaster_log "require $name \"$shown\": ok"
    fi
  done <<EOF
${REMASTER_REQUIRE:-}
EOF
  [ -z "$failures" ] || remaster_fail "hardware policy not met (no disk was touched): $failures"
)
