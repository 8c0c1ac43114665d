#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The station half of `make demo`: a fresh store and test PKI, gw-station serving with --print-verdicts,
# emulated scanners feeding it over TLS, then the officer page's address and a demo login.
#   host/station/demo-station.sh BUILD_DIR     (DEMO_EXIT=1: stop after the last document)
# GW_DEMO_HTTP_PORT (default 8080) picks the page's port. Until the firmware on the emulator board can be
# pointed at a station, the feeder is tests/e2e's gw-scanner-sim (synthetic genuine and forged documents).
set -euo pipefail
build="${1:-build/host}"
station="$build/host/station/gw-station"
sim="$build/tests/e2e/gw-scanner-sim"
out="$build/demo-station"
for exe in "$station" "$sim"; do
  [ -x "$exe" ] || { echo "demo-station: $exe is not built" >&2; exit 2; }
done
rm -rf "$out"
mkdir -p "$out"
"$sim" pki --dir "$out/pki" --ids GW-EMU-0001,GW-EMU-0002 >/dev/null
password="grenswacht-demo"
echo "$password" | "$station" user add --db "$out/station.db" --name demo --role supervisor --password-stdin >/dev/null

"$station" serve --db "$out/station.db" --http-port "${GW_DEMO_HTTP_PORT:-8080}" --link-port 0 \
  --link-ca "$out/pki/ca.crt" --link-cert "$out/pki/host.crt" --link-key "$out/pki/host.key" \
  --print-verdicts --ready-file "$out/ready.json" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -f "$out/ready.json" ] && break; sleep 0.1; done
[ -f "$out/ready.json" ] || { echo "demo-station: the station did not start" >&2; exit 1; }
link_port=$(sed -n 's/.*"link_port":\([0-9]*\).*/\1/p' "$out/ready.json")
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$out/ready.json")

echo "Two emulated scanners send documents (every third one forged); the station prints each as it stores it:"
"$sim" send --port "$link_port" --pki "$out/pki" --device GW-EMU-0001 --count 6 --red-every 3 \
  --issuing-state NLD --interval-ms 300 --salt 1 >/dev/null &
feeder=$!
"$sim" send --port "$link_port" --pki "$out/pki" --device GW-EMU-0002 --count 4 --red-every 4 \
  --issuing-state UTO --interval-ms 400 --salt 2 >/dev/null
wait "$feeder"
sleep 0.3
echo
echo "Officer page: $url   login: demo / $password"
if [ "${DEMO_EXIT:-0}" = 1 ]; then
  exit 0
fi
echo "(Ctrl-C ends the demo)"
wait "$pid"
