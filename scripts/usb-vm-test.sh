#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The USB link through the real Linux USB stack, in a virtual machine.
#
#   scripts/usb-vm-test.sh [--build DIR] [--work DIR] [--count N] [--phases LIST] [--timeout S]
#   scripts/usb-vm-test.sh --fetch    download Debian 12's kernel into the cache (idempotent; apt, root)
#   scripts/usb-vm-test.sh --check    exit 0 when qemu and the kernel cache are ready, 1 otherwise
#
# Boots Debian 12's own kernel (linux-image-6.1.0-*-amd64, unpacked into the cache, never installed) under
# qemu-system-x86_64 with TCG and a busybox initramfs holding gw-firmware, gw-station, sqlite3 and their
# shared libraries. tests/usb_vm/init.sh (PID 1) loads dummy_hcd, libcomposite and usb_f_fs, makes the
# configfs gadget with the CM4 board's own script (boards/rpi_cm4/rootfs/usr/sbin/gw-usb-gadget, which also
# binds it after each firmware start and pulls the cable) and runs the firmware (USB device) against the
# station (USB host, libusb) through phases: clean, cable pulled mid-transfer, station SIGKILLed, firmware
# SIGKILLed. Each phase must end with every spooled inspection stored exactly once.
#
# Exit: 0 passed, 1 failed (with the tail of the VM's console log), 2 usage or build problem,
# 4 skipped (no qemu-system-x86_64 or no kernel cache: scripts/bootstrap.sh installs both).
#
# Environment: GW_USBVM_CACHE (default /var/cache/grenswacht/usb-vm), GW_USBVM_TIMEOUT (hard limit for
# the VM, seconds; default 210), GW_USBVM_SMP (virtual CPUs, default 2), GW_USBVM_MEM (MiB, default 2048),
# GW_USBVM_CPU (qemu -cpu, default max).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cache="${GW_USBVM_CACHE:-/var/cache/grenswacht/usb-vm}"
build="$root/build/host"
work=""
count=3
phases="probe clean cable station firmware"
timeout="${GW_USBVM_TIMEOUT:-210}"
smp="${GW_USBVM_SMP:-2}"
mem="${GW_USBVM_MEM:-2048}"
cpu="${GW_USBVM_CPU:-max}"
mode=run
# The modules the test needs; their dependencies are found from each module's .modinfo.
modules=(dummy_hcd libcomposite usb_f_fs)

usage() { sed -n '3,23p' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    --phases) phases="${2//,/ }"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --fetch) mode=fetch; shift ;;
    --check) mode=check; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "usb-vm-test: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

qemu=$(command -v qemu-system-x86_64 || true)
cache_ready() { [ -s "$cache/vmlinuz" ] && [ -s "$cache/modules/order" ] && [ -s "$cache/version" ]; }

# ------------------------------------------------------------------------------------------ the cache

# Module file names are normalised: modprobe treats '-' and '_' alike.
module_file() { find "$1" -name "$2.ko" -o -name "${2//_/-}.ko" -o -name "${2//-/_}.ko" | head -n 1; }

# Appends module $2 (found under $1) and its dependencies, dependencies first, to the array `order`.
resolve_module() {
  local tree="$1" name="$2" file dep deps
  for dep in "${order[@]:-}"; do [ "$dep" = "$name" ] && return 0; done
  file=$(module_file "$tree" "$name")
  [ -n "$file" ] || { echo "usb-vm-test: module $name not in the kernel package" >&2; return 1; }
  deps=$(tr '\0' '\n' <"$file" | sed -n 's/^depends=//p' | head -n 1)
  for dep in ${deps//,/ }; do resolve_module "$tree" "$dep" || return 1; done
  order+=("$name")
  cp "$file" "$staging/modules/$name.ko"
}

fetch() {
  if cache_ready; then
    echo "usb-vm-test: kernel cache ready: $(cat "$cache/version") in $cache"
    return 0
  fi
  command -v apt-get >/dev/null || { echo "usb-vm-test: --fetch needs apt-get" >&2; return 1; }
  # The kernel linux-image-amd64 points at now; any 6.1 kernel of Debian 12 will do.
  local pkg
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
  if [ -z "$pkg" ]; then
    apt-get update -q >/dev/null
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
  fi
  [ -n "$pkg" ] || { echo "usb-vm-test: apt knows no linux-image-6.1.0-*-amd64" >&2; return 1; }
  mkdir -p "$cache"
  local tmp
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' RETURN
  echo "usb-vm-test: downloading $pkg into $cache (unpacked, not installed)"
  (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null)
  dpkg -x "$tmp"/*.deb "$tmp/root"
  local staging="$tmp/cache"
  mkdir -p "$staging/modules"
  cp "$tmp"/root/boot/vmlinuz-* "$staging/vmlinuz"
  local tree
  tree=$(echo "$tmp"/root/lib/modules/*)
  order=()
  local m
  for m in "${modules[@]}"; do resolve_module "$tree" "$m"; done
  printf '%s\n' "${order[@]}" >"$staging/modules/order"
  basename "$tree" >"$staging/version"
  rm -rf "$cache/vmlinuz" "$cache/modules" "$cache/version"
  mv "$staging/vmlinuz" "$staging/modules" "$cache/"
  mv "$staging/version" "$cache/version" # last: it marks the cache complete
  echo "usb-vm-test: kernel $(cat "$cache/version") cached in $cache ($(cat "$cache/modules/order" | tr '\n' ' '))"
}

case "$mode" in
  fetch) fetch; exit $? ;;
  check)
    ok=0
    [ -n "$qemu" ] || { echo "usb-vm-test: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; ok=1; }
    [ -x /bin/busybox ] || { echo "usb-vm-test: busybox missing (apt-get install busybox-static)" >&2; ok=1; }
    cache_ready || { echo "usb-vm-test: no kernel in $cache (scripts/usb-vm-test.sh --fetch)" >&2; ok=1; }
    exit $ok ;;
esac

# ------------------------------------------------------------------------------------------ the run

skip() { echo "usb-vm-test: SKIPPED: $*"; exit 4; }
[ -n "$qemu" ] || skip "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
cache_ready || skip "no kernel in $cache (scripts/usb-vm-test.sh --fetch, or scripts/bootstrap.sh)"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || skip "no static busybox (apt-get install busybox-static)"

firmware="$build/firmware/app/gw-firmware"
station="$build/host/station/gw-station"
specimen="$build/tests/specimen/specimen"
probe="$build/tests/usb_vm/usb_vm_probe"
for exe in "$firmware" "$station" "$specimen" "$probe"; do
  [ -x "$exe" ] || { echo "usb-vm-test: $exe is not built" >&2; exit 2; }
done
sqlite=$(command -v sqlite3 || true)
[ -n "$sqlite" ] || { echo "usb-vm-test: sqlite3 missing (apt-get install sqlite3)" >&2; exit 2; }
case "$count" in ''|*[!0-9]*) echo "usb-vm-test: --count must be a number" >&2; exit 2 ;; esac
[ "$count" -ge 1 ] || { echo "usb-vm-test: --count must be >= 1" >&2; exit 2; }

for p in $phases; do
  case "$p" in probe|clean|cable|station|firmware) ;; *) echo "usb-vm-test: unknown phase '$p'" >&2; exit 2 ;; esac
done

# The working folder is emptied first: only one this script made (it holds a marker) or an empty one.
[ -n "$work" ] || work="$build/usbvm"
if [ -e "$work" ] && [ ! -e "$work/.usb-vm-test" ] && [ -n "$(ls -A "$work" 2>/dev/null)" ]; then
  echo "usb-vm-test: $work exists and was not made by this script; give an empty or new --work" >&2
  exit 2
fi
rm -rf "$work"
mkdir -p "$work"
touch "$work/.usb-vm-test"
log="$work/console.log"
started=$(date +%s.%N)
elapsed() { awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# Specimens are made here, natively: small (150 dpi), every forgery kind, fixed seed.
timeout 120 "$specimen" generate --out "$work/captures" --count 4 --seed 20261207 --forgeries all --dpi 150 \
  >/dev/null

staging="$work/initramfs"
mkdir -p "$staging"/{bin,dev,proc,sys,run,tmp,etc/default,opt/gw,usr/bin,usr/sbin,data,lib/modules}
cp "$busybox" "$staging/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$staging/bin/$applet"
done
cp "$root/tests/usb_vm/init.sh" "$staging/init"
chmod 755 "$staging/init"
# The board's gadget script and settings, as shipped; the VM only names itself.
board_rootfs="$root/boards/rpi_cm4/rootfs"
install -m 755 "$board_rootfs/usr/sbin/gw-usb-gadget" "$staging/usr/sbin/gw-usb-gadget"
{
  cat "$board_rootfs/etc/default/grenswacht"
  printf '
# USB VM test (scripts/usb-vm-test.sh)
GW_DEVICE_ID=GW-USBVM-0001
'
  printf 'GW_USB_PRODUCT="Grenswacht scanner (USB VM test)"
'
} >"$staging/etc/default/grenswacht"
cp "$cache"/modules/*.ko "$cache/modules/order" "$staging/lib/modules/"

# Each program stripped of its debug information, with its shared libraries and the loader at the paths
# ldd names: the VM runs the very same binaries and libraries as this machine.
copy_libs() {
  local lib
  for lib in $(ldd "$1" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]*ld-linux/ { print $1 }' | sort -u); do
    [ -e "$staging$lib" ] && continue
    mkdir -p "$staging$(dirname "$lib")"
    cp -L "$lib" "$staging$lib"
  done
}
strip --strip-debug -o "$staging/opt/gw/gw-firmware" "$firmware"
strip --strip-debug -o "$staging/opt/gw/gw-station" "$station"
strip --strip-debug -o "$staging/opt/gw/usb_vm_probe" "$probe"
cp "$sqlite" "$staging/usr/bin/sqlite3"
for exe in "$firmware" "$station" "$probe" "$sqlite"; do copy_libs "$exe"; done

cp -r "$work/captures" "$staging/data/captures"
cp "$root/boards/emulator/board.json" "$staging/data/board.json"
(cd "$work/captures" && find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort) >"$staging/data/captures.list"
# The VM ends its phases 20 s before the hard limit, so that a slow run still reports what it found.
cat >"$staging/etc/usbvm.conf" <<EOF
COUNT=$count
PHASES="$phases"
DEADLINE_S=$((timeout - 20))
EOF

(cd "$staging" && find . | sort | "$busybox" cpio -o -H newc 2>/dev/null) >"$work/initramfs.cpio"
echo "usb-vm-test: initramfs $(du -m "$work/initramfs.cpio" | cut -f1) MiB, kernel $(cat "$cache/version"), phases: $phases, $count documents each"

# The VM: no display, no network, no disks; the serial console is the log. `timeout` is the hard limit.
set +e
timeout -k 10 "$timeout" "$qemu" -accel tcg -machine pc -cpu "$cpu" -smp "$smp" -m "$mem" \
  -nodefaults -display none -monitor none -no-reboot \
  -serial "file:$log" -serial "file:$work/vm-files.txt" \
  -kernel "$cache/vmlinuz" -initrd "$work/initramfs.cpio" \
  -append "console=ttyS0 rdinit=/init panic=-1 quiet loglevel=3 mitigations=off" >"$work/qemu.out" 2>&1
qrc=$?
set -e
[ -f "$log" ] && sed -i 's/\r$//' "$log" # the serial console ends lines with CR LF

# ------------------------------------------------------------------------------------------ the verdict

# The VM's logs (second serial port) into <work>/vm/<path in the VM>.
if [ -s "$work/vm-files.txt" ]; then
  rm -rf "$work/vm"
  awk -v out="$work/vm" '
    /^===== USBVM-FILE / { if (file != "") close(file); file = out $3; dir = file; sub(/\/[^\/]*$/, "", dir); system("mkdir -p \"" dir "\""); next }
    file != "" { print > file }' <(sed 's/\r$//' "$work/vm-files.txt")
fi

echo "usb-vm-test: VM ended after $(elapsed) s (qemu exit $qrc); console log $log"
booted=$(sed -n 's/^USBVM BOOTED uptime_cs=\([0-9]*\).*/\1/p' "$log" | head -n 1)
ready=$(sed -n 's/^USBVM READY uptime_cs=\([0-9]*\).*/\1/p' "$log" | head -n 1)
[ -n "$booted" ] && echo "usb-vm-test: kernel booted to /init in $(awk -v c="$booted" 'BEGIN { printf "%.1f", c / 100 }') s of VM uptime, USB gadget ready at $(awk -v c="${ready:-0}" 'BEGIN { printf "%.1f", c / 100 }') s"
# The probe's checks, then one row per chain phase.
while read -r line; do
  echo "usb-vm-test: probe ${line#USBVM CHECK name=}"
done < <(grep -a '^USBVM CHECK ' "$log" || true)
printf '%-9s %-6s %8s %7s %5s %11s %14s %11s %11s %8s  %s\n' phase status created stored lost duplicated \
  duplicate_acks link_losses frames_cut seconds events
fail=0
seen=0
while read -r line; do
  seen=$((seen + 1))
  declare -A f=()
  for kv in ${line#USBVM RESULT }; do f[${kv%%=*}]=${kv#*=}; done
  [ "${f[status]}" = pass ] || fail=1
  if [ "${f[phase]}" = probe ]; then
    printf '%-9s %-6s %s checks, %s failed, %s s\n' probe "${f[status]}" "${f[checks]}" "${f[failed]}" "${f[seconds]}"
  else
    printf '%-9s %-6s %8s %7s %5s %11s %14s %11s %11s %8s  %s\n' "${f[phase]}" "${f[status]}" "${f[created]}" \
      "${f[stored]}" "${f[lost]}" "${f[duplicated]}" "${f[duplicate_acks]}" "${f[link_losses]}" \
      "${f[frames_cut]}" "${f[seconds]}" "${f[events]}"
  fi
  unset f
done < <(grep -a '^USBVM RESULT ' "$log" || true)
grep -a '^USBVM FAIL' "$log" || true
gadget_line=$(grep -a '^USBVM GADGET ' "$log" || true)
[ -z "$gadget_line" ] || echo "usb-vm-test: the board's gw-usb-gadget made the gadget (twice), bound and unbound it; ${gadget_line#USBVM GADGET }"

expected=$(echo $phases | wc -w)
done_line=$(grep -a '^USBVM DONE ' "$log" || true)
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
  echo "usb-vm-test: FAILED: the VM did not finish within ${timeout} s (killed)"
  fail=1
elif [ -z "$done_line" ]; then
  echo "usb-vm-test: FAILED: the VM ended without its DONE line (qemu exit $qrc)"
  fail=1
elif [ "$seen" -ne "$expected" ]; then
  echo "usb-vm-test: FAILED: $seen of $expected phases reported"
  fail=1
elif [ "${gadget_line#*teardown=pass}" = "$gadget_line" ]; then
  echo "usb-vm-test: FAILED: the board's gw-usb-gadget teardown did not remove the gadget"
  fail=1
fi
if [ "$fail" != 0 ]; then
  echo "----- last 80 lines of $log"
  tail -n 80 "$log"
  [ -s "$work/qemu.out" ] && { echo "----- qemu:"; tail -n 20 "$work/qemu.out"; }
  echo "usb-vm-test: FAILED after $(elapsed) s"
  exit 1
fi
echo "usb-vm-test: PASSED: every inspection stored exactly once in every phase ($(elapsed) s in all)"
