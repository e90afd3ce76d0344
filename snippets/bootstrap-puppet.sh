#!/bin/sh
# remaster snippet: bootstrap-puppet.sh
# Points the puppet agent at its server, with certname, environment, an autosign challenge and the
# host's facts, and enables it.
#
# Stage:    post
# Entry:    remaster_bootstrap_puppet
# Uses:     report.sh bootstrap-common.sh
# Inputs:   REMASTER_PUPPET_SERVER       the puppet server
#           REMASTER_PUPPET_CERTNAME     certificate name (default: the host record's name)
#           REMASTER_PUPPET_ENVIRONMENT  environment (default: the server's choice)
#           REMASTER_PUPPET_CHALLENGE    challengePassword for policy-based autosigning (csr_attributes.yaml)
#           REMASTER_PUPPET_CONFDIR      default /etc/puppetlabs/puppet (Debian's own package: /etc/puppet)
#           REMASTER_PUPPET_FACTSDIR     default /etc/puppetlabs/facter/facts.d (Debian: /etc/facter/facts.d)
#           REMASTER_PUPPET_PACKAGE      package to install when the agent is missing (empty: none)
#           REMASTER_FACTS, REMASTER_HOST_*, REMASTER_ROOT (see bootstrap-common.sh)
# Image:    (the installed system) the puppet agent, or a package manager and REMASTER_PUPPET_PACKAGE
# Binaries: (none)
# Reports:  log ("bootstrap: puppet agent ..."); exit 1 when the agent cannot be set up
#
# Appends an [agent] section to puppet.conf, writes csr_attributes.yaml and facts.d/remaster.json.

remaster_bootstrap_puppet() (
  remaster_env
  root=${REMASTER_ROOT:-}
  server=${REMASTER_PUPPET_SERVER:-}
  [ -n "$server" ] || { remaster_log "bootstrap: puppet: no server"; exit 1; }
  confdir=$root${REMASTER_PUPPET_CONFDIR:-/etc/puppetlabs/puppet}
  factsdir=$root${REMASTER_PUPPET_FACTSDIR:-/etc/puppetlabs/facter/facts.d}
  if [ ! -e "$root/opt/puppetlabs/bin/puppet" ] && ! command -v puppet >/dev/null 2>&1 && [ -n "${REMASTER_PUPPET_PACKAGE:-}" ]; then
    remaster_install_packages "$REMASTER_PUPPET_PACKAGE" || remaster_log "bootstrap: puppet: installing $REMASTER_PUPPET_PACKAGE failed"
  fi
  mkdir -p "$confdir" "$factsdir" || exit 1
  certname=${REMASTER_PUPPET_CERTNAME:-${REMASTER_HOST_NAME:-}}
  {
    printf '\n# written by remaster (bootstrap-puppet.sh)\n[agent]\nserver = %s\n' "$server"
    if [ -n "$certname" ]; then printf 'certname = %s\n' "$certname"; fi
    if [ -n "${REMASTER_PUPPET_ENVIRONMENT:-}" ]; then printf 'environment = %s\n' "$REMASTER_PUPPET_ENVIRONMENT"; fi
  } >> "$confdir/puppet.conf" || exit 1
  if [ -n "${REMASTER_PUPPET_CHALLENGE:-}" ]; then
    (umask 077 && printf 'custom_attributes:\n  1.2.840.113549.1.9.7: %s\n' "$(remaster_json_string "$REMASTER_PUPPET_CHALLENGE")" > "$confdir/csr_attributes.yaml") || exit 1
  fi
  remaster_facts_json > "$factsdir/remaster.json" || exit 1
  remaster_enable_service puppet || remaster_log "bootstrap: puppet: the agent service is not enabled"
  remaster_log "bootstrap: puppet agent for server $server${certname:+ as $certname}"
  remaster_report_text log "bootstrap: puppet agent for server $server${certname:+ as $certname}"
)
