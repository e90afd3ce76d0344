#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the state-store tests (Debian's
# postgresql package; run as root) and print its URL on stdout.
# Usage: .ci/start-postgres.sh DIR PORT
# The cluster lives in DIR (created, owned by the postgres user), listens on
# 127.0.0.1:PORT and a socket in DIR only, trusts local connections (a test
# cluster: no secret to leak) and has a role "remaster" that may create
# databases: each test run makes its own database and drops it.
# Stop it with: runuser -u postgres -- /usr/lib/postgresql/<version>/bin/pg_ctl -D DIR/data stop
set -euo pipefail
dir=$1
port=$2
bin=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin | sort -V | tail -n 1)
mkdir -p "$dir"
chown postgres:postgres "$dir"
chmod 700 "$dir"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" start >/dev/null
runuser -u postgres -- "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
  -c "CREATE ROLE remaster LOGIN CREATEDB" -c "CREATE DATABASE remaster OWNER remaster" >/dev/null
echo "postgres://remaster@127.0.0.1:$port/remaster"
