#!/usr/bin/env bash
# The quick start's third line: serve the tree `npm run demo` published
# (out/demo/tftp) on loopback with unprivileged ports, state beside it in
# out/demo/tftp.state, until Ctrl-C. Try it from another terminal:
#   curl -s http://127.0.0.1:8080/healthz
#   curl -s -o /tmp/pxelinux.0 tftp://127.0.0.1:6969/pxelinux.0
#   node dist/cli/main.js status out/demo/tftp
set -euo pipefail
cd "$(dirname "$0")/.."
TREE=out/demo/tftp
if [ ! -e "$TREE/remaster/current" ]; then
  echo "no published demo tree in $TREE: run npm run demo first (it needs pxelinux; apt-get install pxelinux syslinux-common)" >&2
  exit 1
fi
TFTP_PORT=${TFTP_PORT:-6969}
HTTP_PORT=${HTTP_PORT:-8080}
echo "try: curl -s http://127.0.0.1:$HTTP_PORT/healthz; curl -s -o /tmp/pxelinux.0 tftp://127.0.0.1:$TFTP_PORT/pxelinux.0" >&2
exec node dist/cli/main.js serve "$TREE" --listen 127.0.0.1 --tftp-port "$TFTP_PORT" --http-port "$HTTP_PORT"
