#!/bin/sh
# remaster snippet: hardware.sh
# Reads the machine from /sys and /proc only (no lspci, lsblk or dmidecode in an installer).
#
# Stage:    pre
# Entry:    (library)
# Uses:     report.sh
# Inputs:   REMASTER_SYSFS    root of /sys (default /sys; tests point it at a made-up tree)
#           REMASTER_PROCFS   root of /proc (default /proc)
# Image:    cat sed tr tail grep sort readlink basename awk printf
# Binaries: (none)
# Reports:  (nothing by itself)

# Print the content of file $1 with surrounding white space removed; fail when it cannot be read
# (sysfs answers EINVAL for a down link's carrier and speed).
remaster_read() (
  [ -r "$1" ] || exit 1
  value=$(cat "$1" 2>/dev/null) || exit 1
  printf '%s' "$value" | tr -d '\000' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'
)

# Print the last path component of the symlink $1 (a driver or device link); fail when it is no link.
remaster_link_name() (
  target=$(readlink "$1" 2>/dev/null) || exit 1
  [ -n "$target" ] || exit 1
  basename "$target"
)

# List the disks, one name a line: block devices backed by hardware (a `device` link), with a size,
# that are not RAM disks, loop devices, optical drives, or device-mapper and md arrays.
remaster_disks() (
  sys=${REMASTER_SYSFS:-/sys}
  for dir in "$sys"/block/*; do
    [ -e "$dir/device" ] || continue
    name=${dir##*/}
    case $name in
      loop* | ram* | md* | dm-* | sr* | zram* | nbd* | fd* | mtdblock*) continue ;;
    esac
    size=$(remaster_read "$dir/size") || continue
    [ "${size:-0}" -gt 0 ] 2>/dev/null || continue
    printf '%s\n' "$name"
  done
)

# Print the size of disk $1 in bytes (/sys/block/X/size always counts 512-byte sectors).
remaster_disk_bytes() (
  sectors=$(remaster_read "${REMASTER_SYSFS:-/sys}/block/$1/size") || sectors=0
  printf '%s' "$((sectors * 512))"
)

# Print 1 when disk $1 is removable (USB sticks, card readers), else 0.
remaster_disk_removable() (
  value=$(remaster_read "${REMASTER_SYSFS:-/sys}/block/$1/removable") || value=0
  printf '%s' "$value"
)

# Print the serial number of disk $1: virtio's own attribute, NVMe's controller serial, or the
# SCSI/ATA unit serial number VPD page 0x80 (4 header bytes, then ASCII); empty when none.
remaster_disk_serial() (
  b=${REMASTER_SYSFS:-/sys}/block/$1
  remaster_read "$b/serial" && exit 0
  remaster_read "$b/device/serial" && exit 0
  if [ -r "$b/device/vpd_pg80" ]; then
    tail -c +5 "$b/device/vpd_pg80" 2>/dev/null | tr -d '\000' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'
    exit 0
  fi
  remaster_read "$b/device/wwid" || true
)

# List the NICs backed by hardware (a `device` link), one name a line; lo, bridges, bonds and tunnels have none.
remaster_nics() (
  for dir in "${REMASTER_SYSFS:-/sys}"/class/net/*; do
    [ -e "$dir/device" ] || continue
    printf '%s\n' "${dir##*/}"
  done
)

# List storage controllers (PCI class 01xxxx), one a line: "<address> <vendor>:<device> <class> <driver or ->".
remaster_storage_controllers() (
  for dir in "${REMASTER_SYSFS:-/sys}"/bus/pci/devices/*; do
    class=$(remaster_read "$dir/class") || continue
    case $class in 0x01*) ;; *) continue ;; esac
    vendor=$(remaster_read "$dir/vendor") || vendor=0x0000
    device=$(remaster_read "$dir/device") || device=0x0000
    driver=$(remaster_link_name "$dir/driver") || driver=-
    printf '%s %s:%s %s %s\n' "${dir##*/}" "${vendor#0x}" "${device#0x}" "${class#0x}" "$driver"
  done
)

# Print the number of logical CPUs.
remaster_cpu_count() (
  n=$(sed -n '/^processor[[:space:]]*:/p' "${REMASTER_PROCFS:-/proc}/cpuinfo" 2>/dev/null | sed -n '$=')
  printf '%s' "${n:-0}"
)

# Print MemTotal in bytes (what the kernel manages: less than the memory installed).
remaster_memory_total() (
  kib=$(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB$/\1/p' "${REMASTER_PROCFS:-/proc}/meminfo" 2>/dev/null)
  printf '%s' "$((${kib:-0} * 1024))"
)

# Print the memory installed in bytes: the online memory blocks times the block size (memory
# hotplug sysfs), which counts what firmware and kernel keep for themselves; MemTotal without it.
remaster_memory_installed() (
  dir=${REMASTER_SYSFS:-/sys}/devices/system/memory
  block=$(remaster_read "$dir/block_size_bytes") || { remaster_memory_total; exit 0; }
  count=$(cat "$dir"/memory*/online 2>/dev/null | grep -c '^1$')
  if [ "${count:-0}" -eq 0 ]; then remaster_memory_total; exit 0; fi
  printf '%s' "$((count * 0x${block#0x}))"
)

# Print $1 bytes for people: "96 MiB", "1.5 GiB".
remaster_human_bytes() {
  printf '%s\n' "$1" | awk '{
    n = $1 + 0; split("B KiB MiB GiB TiB PiB", unit, " "); u = 1
    while (n >= 1024 && u < 6) { n = n / 1024; u++ }
    if (n == int(n)) printf "%d %s", n, unit[u]; else printf "%.1f %s", n, unit[u]
  }'
}

# Print the MAC address the boot loader reported (pxelinux IPAPPEND 2: BOOTIF=01-aa-bb-...), if any.
remaster_bootif() (
  tr ' ' '\n' < "${REMASTER_PROCFS:-/proc}/cmdline" 2>/dev/null | sed -n 's/^BOOTIF=01-//p' | head -n 1 | tr '-' ':'
)
