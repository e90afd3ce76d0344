#!/bin/sh
# remaster snippet: bootstrap-salt.sh
# Points salt-minion at its master, with the minion id and the host's grains, and enables it.
#
# Stage:    post
# Entry:    remaster_bootstrap_salt
# Uses:     report.sh bootstrap-common.sh
# Inputs:   REMASTER_SALT_MASTER        the master's host name or address
#           REMASTER_SALT_ID            minion id (default: the host record's name; else salt's own choice)
#           REMASTER_SALT_MASTER_FINGER the master's public key fingerprint (salt's master_finger: the
#                                       minion refuses a master whose key does not match)
#           REMASTER_SALT_PACKAGE       package to install when salt-minion is missing (empty: none)
#           REMASTER_FACTS, REMASTER_HOST_*, REMASTER_ROOT (see bootstrap-common.sh)
# Image:    (the installed system) salt-minion, or a package manager and REMASTER_SALT_PACKAGE
# Binaries: (none)
# Reports:  log ("bootstrap: salt-minion ..."); exit 1 when the minion cannot be set up
#
# Writes /etc/salt/minion.d/remaster.conf (master, master_finger), /etc/salt/minion_id, /etc/salt/grains.

remaster_bootstrap_salt() (
  remaster_env
  root=${REMASTER_ROOT:-}
  master=${REMASTER_SALT_MASTER:-}
  [ -n "$master" ] || { remaster_log "bootstrap: salt: no master"; exit 1; }
  if ! command -v salt-minion >/dev/null 2>&1 && [ -n "${REMASTER_SALT_PACKAGE:-}" ]; then
    remaster_install_packages "$REMASTER_SALT_PACKAGE" || remaster_log "bootstrap: salt: installing $REMASTER_SALT_PACKAGE failed"
  fi
  mkdir -p "$root/etc/salt/minion.d" || exit 1
  {
    printf '# written by remaster (bootstrap-salt.sh)\nmaster: %s\n' "$(remaster_json_string "$master")"
    if [ -n "${REMASTER_SALT_MASTER_FINGER:-}" ]; then
      printf 'master_finger: %s\n' "$(remaster_json_string "$REMASTER_SALT_MASTER_FINGER")"
    fi
  } > "$root/etc/salt/minion.d/remaster.conf" || exit 1
  id=${REMASTER_SALT_ID:-${REMASTER_HOST_NAME:-}}
  if [ -n "$id" ]; then printf '%s\n' "$id" > "$root/etc/salt/minion_id" || exit 1; fi
  remaster_facts_json > "$root/etc/salt/grains" || exit 1
  remaster_enable_service salt-minion || remaster_log "bootstrap: salt: salt-minion not enabled"
  remaster_log "bootstrap: salt-minion for master $master${id:+ as $id}"
  remaster_report_text log "bootstrap: salt-minion for master $master${id:+ as $id}"
)
