#!/bin/sh
# remaster snippet: report.sh
# Logging, JSON strings, and reports to `remaster serve`; every other snippet uses it.
#
# Stage:    pre post
# Entry:    (library)
# Uses:     (none)
# Inputs:   REMASTER_CALLBACK_URL     base URL of this install's callbacks; a report of KIND is POSTed
#                                     to $REMASTER_CALLBACK_URL/KIND. Unset: reports are only logged.
#           REMASTER_ENV_FILE         shell assignments read before reporting (default /tmp/remaster.env;
#                                     `remaster serve` writes the callback URL and the host record there)
#           REMASTER_REPORT_TIMEOUT   seconds per attempt (default 10); 3 attempts, never fails the install
#           REMASTER_PROCFS           root of /proc (default /proc; tests point it elsewhere)
#           kernel command line       remaster.callback=URL when neither of the above sets the URL
# Image:    cat sed tr head awk sleep rm printf, and curl or wget (busybox wget with --post-file) + timeout
# Binaries: (none)
# Reports:  any KIND given to remaster_report (inventory: application/json; others: text/plain)

# Print one log line (the kickstart's --log file and the installer's program log keep it).
remaster_log() {
  printf 'remaster: %s\n' "$*"
}

# Load REMASTER_ENV_FILE and the kernel command line's remaster.callback= once.
remaster_env() {
  if [ -n "${REMASTER_ENV_LOADED:-}" ]; then return 0; fi
  REMASTER_ENV_LOADED=1
  if [ -r "${REMASTER_ENV_FILE:-/tmp/remaster.env}" ]; then
    # shellcheck source=/dev/null
    . "${REMASTER_ENV_FILE:-/tmp/remaster.env}"
  fi
  if [ -z "${REMASTER_CALLBACK_URL:-}" ] && [ -r "${REMASTER_PROCFS:-/proc}/cmdline" ]; then
    REMASTER_CALLBACK_URL=$(tr ' ' '\n' < "${REMASTER_PROCFS:-/proc}/cmdline" | sed -n 's/^remaster\.callback=//p' | head -n 1)
  fi
  return 0
}

# Print $1 as a JSON string: quotes, backslashes and control characters escaped (RFC 8259 §7).
# The newline printf adds ends the last record, so awk sees a trailing newline of $1 as an empty record.
remaster_json_string() {
  printf '%s\n' "$1" | awk '
    BEGIN {
      for (i = 1; i < 32; i++) esc[sprintf("%c", i)] = sprintf("\\u%04x", i)
      esc["\t"] = "\\t"; esc["\r"] = "\\r"; esc["\b"] = "\\b"; esc["\f"] = "\\f"
      esc["\\"] = "\\\\"; esc["\""] = "\\\""
      out = ""
    }
    {
      if (NR > 1) out = out "\\n"
      n = length($0)
      for (i = 1; i <= n; i++) { c = substr($0, i, 1); out = out ((c in esc) ? esc[c] : c) }
    }
    END { printf "\"%s\"", out }'
}

# Print $1 as a JSON string, or null when it is empty.
remaster_json_or_null() {
  if [ -z "$1" ]; then printf 'null'; else remaster_json_string "$1"; fi
}

# POST the file $2 (or an empty body) to $REMASTER_CALLBACK_URL/$1. Bounded: 3 attempts of
# REMASTER_REPORT_TIMEOUT seconds; always returns 0, because a server that is down must not stop an install.
remaster_report() (
  remaster_env
  kind=$1
  body=${2:-/dev/null}
  if [ -z "${REMASTER_CALLBACK_URL:-}" ]; then
    remaster_log "report $kind: no callback URL, logged only"
    return 0
  fi
  url="${REMASTER_CALLBACK_URL%/}/$kind"
  type='text/plain; charset=utf-8'
  if [ "$kind" = inventory ]; then type='application/json'; fi
  limit=${REMASTER_REPORT_TIMEOUT:-10}
  for attempt in 1 2 3; do
    if command -v curl >/dev/null 2>&1; then
      curl -fsS -m "$limit" -o /dev/null -H "Content-Type: $type" --data-binary "@$body" "$url" && return 0
    elif command -v timeout >/dev/null 2>&1; then
      timeout "$limit" wget -q -O /dev/null --header "Content-Type: $type" --post-file "$body" "$url" && return 0
    else
      wget -q -O /dev/null --header "Content-Type: $type" --post-file "$body" "$url" && return 0
    fi
    remaster_log "report $kind: attempt $attempt of 3 failed"
    if [ "$attempt" -lt 3 ]; then sleep 2; fi
  done
  remaster_log "report $kind: not delivered to the server"
  return 0
)

# Report the text $2 as KIND $1.
remaster_report_text() (
  file=${TMPDIR:-/tmp}/remaster-report.$$
  printf '%s\n' "$2" > "$file" || return 0
  remaster_report "$1" "$file"
  rm -f "$file"
)

# Stop: print the message on the console and in the log, report it as failed, exit 1 (with
# %pre --erroronfail, Anaconda then ends the install before any disk is touched). Called in a
# helper whose body is a subshell, it ends that helper only: call such helpers as `helper || exit 1`.
remaster_fail() {
  remaster_log "FAILED: $1"
  if [ ! -t 1 ] && [ -w /dev/console ]; then
    { printf 'remaster: FAILED: %s\n' "$1" > /dev/console; } 2>/dev/null || true
  fi
  remaster_report_text failed "$1"
  exit 1
}
