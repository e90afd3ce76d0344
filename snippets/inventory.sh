#!/bin/sh
# remaster snippet: inventory.sh
# Collects CPUs, memory, disks, NICs, storage controllers and the DMI identity into one JSON document.
#
# Stage:    pre
# Entry:    remaster_inventory
# Uses:     report.sh hardware.sh
# Inputs:   REMASTER_INVENTORY   where the JSON is written (default /tmp/remaster-inventory.json)
#           REMASTER_SYSFS, REMASTER_PROCFS (see hardware.sh)
# Image:    cat sed tr tail sort readlink basename awk mv printf
# Binaries: (none)
# Reports:  inventory (the JSON document); the log gets it as one line "remaster: inventory {...}"
#
# The document (schema "remaster-inventory/1"): cpus {count, model, sockets}, memory {totalBytes,
# installedBytes}, disks [{name, sizeBytes, model, vendor, serial, rotational, removable}], nics [{name,
# mac, driver, device, operstate, carrier, speedMbps}], controllers [{pci, vendor, device, class, driver}],
# dmi {sysVendor, productName, productSerial, productUuid, boardVendor, boardName, biosVersion}, bootif.
# Unknown values are null.

# Print the "disks" array.
remaster_inventory_disks() (
  sys=${REMASTER_SYSFS:-/sys}
  list=''
  for d in $(remaster_disks); do
    b=$sys/block/$d
    case $(remaster_read "$b/queue/rotational") in 1) rot=true ;; 0) rot=false ;; *) rot=null ;; esac
    if [ "$(remaster_disk_removable "$d")" = 1 ]; then removable=true; else removable=false; fi
    item="{\"name\":$(remaster_json_string "$d"),\"sizeBytes\":$(remaster_disk_bytes "$d")"
    item="$item,\"model\":$(remaster_json_or_null "$(remaster_read "$b/device/model")")"
    item="$item,\"vendor\":$(remaster_json_or_null "$(remaster_read "$b/device/vendor")")"
    item="$item,\"serial\":$(remaster_json_or_null "$(remaster_disk_serial "$d")")"
    item="$item,\"rotational\":$rot,\"removable\":$removable}"
    list="$list${list:+,}$item"
  done
  printf '[%s]' "$list"
)

# Print a number read from $1, or null.
remaster_inventory_number() (
  value=$(remaster_read "$1") || { printf 'null'; exit 0; }
  case $value in '' | -* | *[!0-9]*) printf 'null' ;; *) printf '%s' "$value" ;; esac
)

# Print the "nics" array.
remaster_inventory_nics() (
  list=''
  for n in $(remaster_nics); do
    c=${REMASTER_SYSFS:-/sys}/class/net/$n
    item="{\"name\":$(remaster_json_string "$n"),\"mac\":$(remaster_json_or_null "$(remaster_read "$c/address")")"
    item="$item,\"driver\":$(remaster_json_or_null "$(remaster_link_name "$c/device/driver")")"
    item="$item,\"device\":$(remaster_json_or_null "$(remaster_link_name "$c/device")")"
    item="$item,\"operstate\":$(remaster_json_or_null "$(remaster_read "$c/operstate")")"
    case $(remaster_read "$c/carrier") in 1) carrier=true ;; 0) carrier=false ;; *) carrier=null ;; esac
    item="$item,\"carrier\":$carrier,\"speedMbps\":$(remaster_inventory_number "$c/speed")}"
    list="$list${list:+,}$item"
  done
  printf '[%s]' "$list"
)

# Print the "controllers" array.
remaster_inventory_controllers() (
  list=''
  while read -r pci ids class driver; do
    [ -n "$pci" ] || continue
    [ "$driver" = - ] && driver=''
    item="{\"pci\":$(remaster_json_string "$pci"),\"vendor\":$(remaster_json_string "${ids%%:*}")"
    item="$item,\"device\":$(remaster_json_string "${ids#*:}"),\"class\":$(remaster_json_string "$class")"
    item="$item,\"driver\":$(remaster_json_or_null "$driver")}"
    list="$list${list:+,}$item"
  done <<EOF
$(remaster_storage_controllers)
EOF
  printf '[%s]' "$list"
)

# Print the "dmi" object.
remaster_inventory_dmi() (
  id=${REMASTER_SYSFS:-/sys}/class/dmi/id
  out=''
  for pair in sysVendor:sys_vendor productName:product_name productSerial:product_serial productUuid:product_uuid \
    boardVendor:board_vendor boardName:board_name biosVersion:bios_version; do
    out="$out${out:+,}\"${pair%%:*}\":$(remaster_json_or_null "$(remaster_read "$id/${pair#*:}")")"
  done
  printf '{%s}' "$out"
)

# Print the "cpus" object.
remaster_inventory_cpus() (
  info=${REMASTER_PROCFS:-/proc}/cpuinfo
  model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' "$info" 2>/dev/null | head -n 1)
  sockets=$(sed -n 's/^physical id[[:space:]]*:[[:space:]]*//p' "$info" 2>/dev/null | sort -u | sed -n '$=')
  printf '{"count":%s,"model":%s,"sockets":%s}' "$(remaster_cpu_count)" "$(remaster_json_or_null "$model")" "${sockets:-null}"
)

# Write the inventory, log it on one line, and report it.
remaster_inventory() (
  out=${REMASTER_INVENTORY:-/tmp/remaster-inventory.json}
  json="{\"schema\":\"remaster-inventory/1\",\"cpus\":$(remaster_inventory_cpus)"
  json="$json,\"memory\":{\"totalBytes\":$(remaster_memory_total),\"installedBytes\":$(remaster_memory_installed)}"
  json="$json,\"disks\":$(remaster_inventory_disks),\"nics\":$(remaster_inventory_nics)"
  json="$json,\"controllers\":$(remaster_inventory_controllers),\"dmi\":$(remaster_inventory_dmi)"
  json="$json,\"bootif\":$(remaster_json_or_null "$(remaster_bootif)")}"
  if ! printf '%s\n' "$json" > "$out.tmp" || ! mv "$out.tmp" "$out"; then
    remaster_log "inventory: cannot write $out"
    exit 1
  fi
  remaster_log "inventory $json"
  remaster_report inventory "$out"
)
