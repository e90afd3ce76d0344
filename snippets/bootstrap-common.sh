#!/bin/sh
# remaster snippet: bootstrap-common.sh
# What the configuration-management bootstrap snippets share: facts, package installs, services.
# They run in %post, chrooted into the installed system (d-i and subiquity: through in-target).
#
# Stage:    post
# Entry:    (library)
# Uses:     report.sh
# Inputs:   REMASTER_FACTS        facts from the recipe, one a line: NAME<TAB>VALUE
#           REMASTER_HOST_NAME, REMASTER_HOST_GROUP, REMASTER_HOST_PROFILE, REMASTER_HOST_MAC
#                                 the host record (`remaster serve` writes them into REMASTER_ENV_FILE);
#                                 they become the fact "remaster": {"host", "group", "profile", "mac"}
#           REMASTER_ROOT         prefix for every file written (default empty: the chroot's /)
# Image:    (the installed system) sed awk mkdir printf; systemctl, update-rc.d or chkconfig; dnf, yum,
#           apt-get or zypper when packages are to be installed
# Binaries: (none)
# Reports:  log

# Print the facts as one JSON object (salt grains, facter external facts and ansible local facts
# all read JSON): the recipe's facts, then "remaster" with the host record when there is one.
remaster_facts_json() (
  remaster_env
  tab=$(printf '\t')
  out=''
  while IFS=$tab read -r name value; do
    [ -n "$name" ] || continue
    out="$out${out:+,}$(remaster_json_string "$name"):$(remaster_json_string "$value")"
  done <<EOF
${REMASTER_FACTS:-}
EOF
  host=''
  for pair in host:"${REMASTER_HOST_NAME:-}" group:"${REMASTER_HOST_GROUP:-}" profile:"${REMASTER_HOST_PROFILE:-}" mac:"${REMASTER_HOST_MAC:-}"; do
    [ -n "${pair#*:}" ] && host="$host${host:+,}\"${pair%%:*}\":$(remaster_json_string "${pair#*:}")"
  done
  [ -n "$host" ] && out="$out${out:+,}\"remaster\":{$host}"
  printf '{%s}\n' "$out"
)

# Install the packages $@ with the system's package manager unless the command $1... is present;
# used only when the recipe asks for it (bootstrap.<tool>.install).
remaster_install_packages() (
  if command -v dnf >/dev/null 2>&1; then dnf -y install "$@"
  elif command -v yum >/dev/null 2>&1; then yum -y install "$@"
  elif command -v apt-get >/dev/null 2>&1; then DEBIAN_FRONTEND=noninteractive apt-get -y install "$@"
  elif command -v zypper >/dev/null 2>&1; then zypper -n install "$@"
  else remaster_log "bootstrap: no package manager to install $*"; exit 1
  fi
)

# Enable the service $1 for the next boots (works in a chroot: no running init needed).
remaster_enable_service() (
  if command -v systemctl >/dev/null 2>&1; then systemctl enable "$1"
  elif command -v update-rc.d >/dev/null 2>&1; then update-rc.d "$1" defaults
  elif command -v chkconfig >/dev/null 2>&1; then chkconfig "$1" on
  else remaster_log "bootstrap: cannot enable $1 (no systemctl, update-rc.d or chkconfig)"; exit 1
  fi
)
