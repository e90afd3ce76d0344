#!/bin/sh
# remaster snippet: bootstrap-ansible.sh
# Sets up ansible-pull to configure the host from a git repository at its first boot (a oneshot
# systemd unit that runs until it succeeds once), with the host's facts as ansible local facts.
#
# Stage:    post
# Entry:    remaster_bootstrap_ansible
# Uses:     report.sh bootstrap-common.sh
# Inputs:   REMASTER_ANSIBLE_URL       the git repository ansible-pull clones
#           REMASTER_ANSIBLE_BRANCH    branch, tag or commit (default: the repository's default branch)
#           REMASTER_ANSIBLE_PLAYBOOK  playbook in the repository (default local.yml)
#           REMASTER_ANSIBLE_PACKAGE   packages to install when ansible-pull is missing (empty: none)
#           REMASTER_FACTS, REMASTER_HOST_*, REMASTER_ROOT (see bootstrap-common.sh)
# Image:    (the installed system) ansible-pull and git, or a package manager; systemd
# Binaries: (none)
# Reports:  log ("bootstrap: ansible-pull ..."); exit 1 when the unit cannot be written
#
# Writes /etc/ansible/facts.d/remaster.fact and /etc/systemd/system/remaster-ansible-pull.service.

# Print $1 for a systemd unit line: `%` starts a specifier there, so it is doubled.
remaster_systemd_escape() {
  printf '%s' "$1" | sed 's/%/%%/g'
}

remaster_bootstrap_ansible() (
  remaster_env
  root=${REMASTER_ROOT:-}
  url=${REMASTER_ANSIBLE_URL:-}
  [ -n "$url" ] || { remaster_log "bootstrap: ansible: no repository URL"; exit 1; }
  if ! command -v ansible-pull >/dev/null 2>&1 && [ -n "${REMASTER_ANSIBLE_PACKAGE:-}" ]; then
    # shellcheck disable=SC2086 # a list of package names
    remaster_install_packages $REMASTER_ANSIBLE_PACKAGE || remaster_log "bootstrap: ansible: installing $REMASTER_ANSIBLE_PACKAGE failed"
  fi
  mkdir -p "$root/etc/ansible/facts.d" "$root/etc/systemd/system" || exit 1
  remaster_facts_json > "$root/etc/ansible/facts.d/remaster.fact" || exit 1
  command="/usr/bin/ansible-pull -U $(remaster_systemd_escape "$url")"
  if [ -n "${REMASTER_ANSIBLE_BRANCH:-}" ]; then command="$command -C $(remaster_systemd_escape "$REMASTER_ANSIBLE_BRANCH")"; fi
  command="$command $(remaster_systemd_escape "${REMASTER_ANSIBLE_PLAYBOOK:-local.yml}")"
  cat > "$root/etc/systemd/system/remaster-ansible-pull.service" <<EOF || exit 1
# written by remaster (bootstrap-ansible.sh)
[Unit]
Description=remaster: first configuration by ansible-pull
Wants=network-online.target
After=network-online.target
ConditionPathExists=!/var/lib/remaster/ansible-pull.done

[Service]
Type=oneshot
ExecStart=$command
ExecStartPost=/bin/mkdir -p /var/lib/remaster
ExecStartPost=/bin/touch /var/lib/remaster/ansible-pull.done

[Install]
WantedBy=multi-user.target
EOF
  remaster_enable_service remaster-ansible-pull.service || remaster_log "bootstrap: ansible: the unit is not enabled"
  remaster_log "bootstrap: ansible-pull from $url at first boot"
  remaster_report_text log "bootstrap: ansible-pull from $url at first boot"
)
