#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make demo: the whole chain on the emulator. Specimen documents (genuine and forged) are laid on the
# emulated scanner one after another; the real firmware captures, inspects with libdocvision, spools and
# sends each over TLS 1.3 to a fresh host station, which prints every verdict as it stores it. Then the
# officer page stays up with a demo login (DEMO_EXIT=1 ends after the last document instead).
#   scripts/demo.sh BUILD_DIR        (GW_DEMO_HTTP_PORT, default 8080; GW_DEMO_COUNT, default 8)
set -euo pipefail
build="${1:-build/host}"
specimen="$build/tests/specimen/specimen"
firmware="$build/firmware/app/gw-firmware"
station="$build/host/station/gw-station"
pki_tool="$build/tests/e2e/gw-scanner-sim"
for exe in "$specimen" "$firmware" "$station" "$pki_tool"; do
  [ -x "$exe" ] || { echo "demo: $exe is not built (run make demo, which builds it)" >&2; exit 2; }
done
out="$build/demo"
rm -rf "$out"
mkdir -p "$out"
count="${GW_DEMO_COUNT:-8}"

echo "1. Specimen documents: $count fictitious documents of all formats, some forged"
"$specimen" generate --out "$out/captures" --count "$count" --seed 424242 --forgeries all --forged-share 0.4 \
  --dpi 300:400 --seals >/dev/null
scenario="$out/documents.scn"
echo "# One document after another; the officer takes each away after the verdict." > "$scenario"
for dir in "$out"/captures/*/; do
  [ -f "$dir/truth.json" ] || continue # seal-signer/ holds the seal signer's certificate, not a capture
  name=$(basename "$dir")
  truth=$(sed -n 's/.*"forgery": *"\([a-z_]*\)".*/\1/p' "$dir/truth.json" | head -1)
  printf '   %-26s %s\n' "$name" "$truth"
  printf 'place %s\nremove\nwait 300\n' "$name" >> "$scenario"
done

echo "2. Host station: fresh SQLite store, test PKI (CA, station, scanner GW-EMU-0001), officer login"
"$pki_tool" pki --dir "$out/pki" --ids GW-EMU-0001 >/dev/null
password="grenswacht-demo"
echo "$password" | "$station" user add --db "$out/station.db" --name demo --role supervisor --password-stdin >/dev/null
"$station" serve --db "$out/station.db" --http-port "${GW_DEMO_HTTP_PORT:-8080}" --link-port 0 \
  --link-ca "$out/pki/ca.crt" --link-cert "$out/pki/host.crt" --link-key "$out/pki/host.key" \
  --print-verdicts --ready-file "$out/ready.json" > "$out/station.out" 2> "$out/station.log" &
station_pid=$!
trap 'kill "$station_pid" 2>/dev/null || true; wait "$station_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -f "$out/ready.json" ] && break; sleep 0.1; done
[ -f "$out/ready.json" ] || { echo "demo: the station did not start; see $out/station.log" >&2; exit 1; }
link_port=$(sed -n 's/.*"link_port":\([0-9]*\).*/\1/p' "$out/ready.json")
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$out/ready.json")
tail -f "$out/station.out" &
tail_pid=$!

echo "3. Scanner firmware on the emulator board, over TLS 1.3 to 127.0.0.1:$link_port; the station prints:"
"$firmware" --scenario "$scenario" --captures "$out/captures" --spool "$out/spool" \
  --device-id GW-EMU-0001 --trust-store "$out/captures/seal-signer/trust" --host "127.0.0.1:$link_port" --tls-ca "$out/pki/ca.crt" \
  --tls-cert "$out/pki/GW-EMU-0001.crt" --tls-key "$out/pki/GW-EMU-0001.key" --server-name localhost \
  --max-seconds 300 --log-level warning 2> "$out/firmware.log" || {
  echo "demo: the firmware stopped with an error; see $out/firmware.log" >&2; exit 1; }
sleep 0.5
kill "$tail_pid" 2>/dev/null || true
echo
echo "Officer page: $url   login: demo / $password"
echo "Lab view of one capture: $build/vision/tools/docinspect/docinspect inspect $out/captures/<capture> --pretty"
if [ "${DEMO_EXIT:-0}" = 1 ]; then
  exit 0
fi
echo "(Ctrl-C ends the demo)"
wait "$station_pid"
