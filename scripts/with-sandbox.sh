#!/usr/bin/env bash
# Runs a command with the sandbox up on a free loopback port, exported as IDV_SANDBOX_URL
# (the browser tests bake it in at build time). The sandbox is stopped however the command ends.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug/idv-sandbox
[ -x "$bin" ] || cargo build -q -p idv-sandbox
out=$(mktemp)
"$bin" --port 0 --www www --pkg pkg >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$out" | head -1)
  [ -n "$url" ] && break
  kill -0 $pid 2>/dev/null || { echo "with-sandbox: the sandbox exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "${url:-}" ] || { echo "with-sandbox: the sandbox did not start" >&2; exit 1; }
export IDV_SANDBOX_URL=$url
"$@"
