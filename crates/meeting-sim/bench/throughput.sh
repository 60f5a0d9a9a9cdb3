#!/usr/bin/env bash
# Lock requests per second against a release-built simulator on loopback, with wrk
# (Debian package `wrk`). Usage: crates/meeting-sim/bench/throughput.sh [extra sim flags]
set -euo pipefail
cd "$(dirname "$0")/../../.."
cargo build --quiet --release -p meeting-sim --features cli
out=$(mktemp)
target/release/meeting-sim --port 0 --seed crates/meeting-sim/examples/seed.json "$@" >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
url=$(head -n 1 "$out")
export MEETING_CONTROL_TOKEN=$(curl -fsS "$url/v1/mmc/control/conferences/token?conferenceID=914083136" \
  -H 'X-Password: 654321' -H 'X-Login-Type: 1' | sed 's/.*"token":"\([^"]*\)".*/\1/')
wrk -t 2 -c 64 -d 10s -s crates/meeting-sim/bench/lock.lua "$url"
curl -fsS "$url/_sim/counters" | grep -o '"LockMeeting":[0-9]*'
