#!/bin/sh
# Build one RAID 1 logical drive from the first two unassigned drives of
# the first Smart Array controller, unless a logical drive already exists.
# Run by the kickstart's %pre before Anaconda looks at the disks.
SSACLI=/opt/smartstorageadmin/ssacli/bin/ssacli
modprobe hpsa
slot=$($SSACLI ctrl all show | sed -n 's/.*in Slot \([0-9a-z]*\).*/\1/p' | head -n1)
[ -n "$slot" ] || { echo "pre-raid: no Smart Array controller found"; exit 0; }
if $SSACLI ctrl slot="$slot" ld all show >/dev/null 2>&1; then
  echo "pre-raid: controller in slot $slot already has a logical drive; leaving it"
  exit 0
fi
drives=$($SSACLI ctrl slot="$slot" pd all show | awk '/unassigned/{f=1} f && /physicaldrive/{print $2}' | head -n2 | paste -sd,)
[ -n "$drives" ] || { echo "pre-raid: no unassigned drives"; exit 1; }
$SSACLI ctrl slot="$slot" create type=ld drives="$drives" raid=1
