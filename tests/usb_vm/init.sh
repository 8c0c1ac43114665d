#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# PID 1 of the USB test VM (scripts/usb-vm-test.sh builds the initramfs around it; busybox ash).
#
# The scanner (gw-firmware on the emulator board: the USB device through FunctionFS on dummy_udc) and the
# station (gw-station serve --usb: the USB host through libusb on dummy_hcd) run in this one kernel, joined
# by dummy_hcd's virtual cable. Each phase starts from an empty spool and an empty database, injects one
# kind of fault and compares the station's database with the inspection ids the firmware spooled.
# Lines starting "USBVM " are what the host script reads from the serial console; everything else
# (program output, dmesg) goes to files and is printed only when a phase fails.
#
# The gadget is the product's own: boards/rpi_cm4's gw-usb-gadget (in /usr/sbin here) makes it, binds it
# after each firmware start, pulls and re-plugs the cable and removes it at the end, with the board's
# /etc/default/grenswacht plus this VM's device id and product string (scripts/usb-vm-test.sh writes it).

PATH=/bin:/usr/bin:/usr/sbin:/opt/gw
LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
export PATH LD_LIBRARY_PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /run /tmp
ip link set lo up

# Defaults; /etc/usbvm.conf (written by the host script) overrides them.
COUNT=3              # documents placed per phase
PHASES="probe clean cable station firmware"
PHASE_TIMEOUT=90     # seconds a phase may take before it is failed
DEADLINE_S=200       # VM uptime [s] by which every phase must be over (the host kills the VM later)
UNPLUGGED_MS=1000    # how long the cable stays out
[ -r /etc/usbvm.conf ] && . /etc/usbvm.conf

# The board's settings, as gw-usb-gadget and the firmware's systemd unit read them.
. /etc/default/grenswacht
FFS=${GW_USB_FFS:-/dev/usb-ffs/grenswacht}
DEVICE_ID=$GW_DEVICE_ID

say() { echo "USBVM $*"; }

poweroff_now() {
    sync
    poweroff -f
    sleep 5
    exit "${1:-1}" # PID 1 exiting panics the kernel; panic=-1 and -no-reboot end qemu
}

# Centiseconds since boot (from /proc/uptime, "123.45").
now() {
    read -r up _ </proc/uptime
    f=${up#*.}
    echo $((${up%.*} * 100 + ${f#0}))
}

# Seconds a wait may take: the phase's limit, cut to what is left before the VM's deadline.
budget() {
    left=$((DEADLINE_S - $(now) / 100))
    [ "$left" -ge 1 ] || left=1
    [ "$left" -lt "$PHASE_TIMEOUT" ] && echo "$left" || echo "$PHASE_TIMEOUT"
}

sleep_ms() { sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }

# True while process $1 exists and is not a zombie (ash reaps background jobs only in `wait`).
alive() {
    [ -r "/proc/$1/stat" ] || return 1
    read -r st <"/proc/$1/stat" 2>/dev/null || return 1
    st=${st##*) }
    [ "${st%% *}" != Z ]
}

# wait_until SECONDS COMMAND...: polls COMMAND every 50 ms; false when the time is up.
wait_until() {
    deadline=$(($(now) + $1 * 100))
    shift
    until "$@"; do
        [ "$(now)" -ge "$deadline" ] && return 1
        sleep 0.05
    done
}

not_alive() { ! alive "$1"; }

# ---------------------------------------------------------------- kernel and gadget

load_modules() {
    while read -r m; do
        insmod "/lib/modules/$m.ko" || {
            say "FATAL insmod $m failed"
            return 1
        }
    done </lib/modules/order
}

# The board's gadget script; its log lines go to the phase's gadget.log (or /run/gadget.log before any).
gadget() { gw-usb-gadget "$@" 2>>"${dir:-/run}/gadget.log"; }
gadget_said() { tail -n 1 "${dir:-/run}/gadget.log" 2>/dev/null; }

# Made twice: the second run must find everything in place (the board's unit may start it again).
make_gadget() {
    gadget create && gadget create || return 1
    status=$(gadget status) || return 1
    G=$(echo "$status" | sed -n 's/^gadget=//p')
    UDC=$(echo "$status" | sed -n 's/^udc=//p')
    [ -n "$G" ] && [ -n "$UDC" ]
}

# Plugs the cable once the firmware has written its descriptors (binding needs them), as the board's
# gw-firmware.service does after every start: the kernel unbinds the gadget when ep0 closes.
plug() {
    gadget bind --pid "$firmware" --wait 30 || {
        FAIL="$(gadget_said)"
        return 1
    }
}

unplug() { gadget unbind || true; }

# ---------------------------------------------------------------- processes

start_station() {
    stations=$((stations + 1))
    rm -f "$dir/ready.json"
    echo "--- station run $stations" >>"$dir/station.out"
    gw-station serve --db "$dir/station.db" --http-port 0 --usb --print-verdicts \
        --ready-file "$dir/ready.json" >>"$dir/station.out" 2>&1 &
    station=$!
    wait_until 60 test -e "$dir/ready.json" || {
        FAIL="gw-station did not start serving (run $stations)"
        return 1
    }
}

stop_station() {
    [ -n "$station" ] || return 0
    kill -TERM "$station" 2>/dev/null
    wait_until 20 not_alive "$station" || kill -KILL "$station" 2>/dev/null
    wait "$station" 2>/dev/null
    station=
}

# start_firmware PLACEMENTS: a scenario of that many documents (the captures in turn), then plug.
start_firmware() {
    runs=$((runs + 1))
    scn="$dir/scenario-$runs.scn"
    : >"$scn"
    i=0
    while [ "$i" -lt "$1" ]; do
        c=$(sed -n "$((i % ncaptures + 1))p" /data/captures.list)
        printf 'place %s\nremove\nwait 50\n' "$c" >>"$scn"
        i=$((i + 1))
    done
    [ "$1" -gt 0 ] || echo "wait 1" >>"$scn"
    gw-firmware --scenario "$scn" --captures /data/captures --spool "$dir/spool" --usb-ffs "$FFS" \
        --board-json /data/board.json --viz-model none --device-id "$DEVICE_ID" --log-level info \
        --max-seconds "$(budget)" >"$dir/firmware-$runs.log" 2>&1 &
    firmware=$!
    plug
}

# Ids the firmware logged as spooled ("inspection <id> verdict ...", written after the spool file).
logged_ids() { sed -n 's/.*inspection \([0-9a-f]\{32\}\) verdict.*/\1/p' "$dir"/firmware-*.log 2>/dev/null; }

# Ids of the complete entries in the spool (header: "GWSP", version, sequence, then the 16-byte id).
spool_ids() {
    for f in "$dir"/spool/*.insp; do
        [ -f "$f" ] || continue
        [ "$(head -c 4 "$f")" = GWSP ] || continue
        hexdump -s 16 -n 16 -e '16/1 "%02x"' "$f"
        echo
    done
}

spooled_count() { logged_ids | wc -l; }
spooled_at_least() { [ "$(spooled_count)" -ge "$1" ]; }

kill_firmware() {
    kill -KILL "$firmware" 2>/dev/null
    wait "$firmware" 2>/dev/null
    # A kill between the spool write and its log line leaves an entry only the spool shows.
    spool_ids >>"$dir/created.extra"
}

# ---------------------------------------------------------------- faults

# Waits until inspection $1 is spooled (its transfer to the station starts at once), plus a moment.
await_inspection() {
    wait_until "$(budget)" spooled_at_least "$1" || {
        FAIL="inspection $1 was not spooled in time"
        return 1
    }
    sleep_ms "${2:-0}"
}

fault_clean() { :; }

answers() { grep -c -E '^(STORED|DUPLICATE) ' "$dir/station.out"; }
answers_above() { [ "$(answers)" -gt "$1" ]; }

replug() {
    sleep_ms "$UNPLUGGED_MS"
    gadget bind --wait 10 || {
        FAIL="cannot re-plug the cable: $(gadget_said)"
        return 1
    }
}

# Pull 1: as inspection 1 is about to go out; the cable stays out until every document is spooled.
# Pull 2: as the station answers the first inspection of that backlog, while the device streams the next.
fault_cable() {
    await_inspection 1 0 || return 1
    unplug
    events="$events,pull@$(($(now) - t0))cs"
    await_inspection "$COUNT" 0 || return 1
    before=$(answers)
    replug || return 1
    wait_until "$(budget)" answers_above "$before" || {
        FAIL="no inspection stored after re-plugging the cable"
        return 1
    }
    unplug
    events="$events,pull@$(($(now) - t0))cs"
    replug
}

fault_station() {
    await_inspection 1 20 || return 1
    kill -KILL "$station"
    wait "$station" 2>/dev/null
    events="$events,station-kill@$(($(now) - t0))cs"
    sleep_ms 500
    start_station
}

fault_firmware() {
    await_inspection 1 20 || return 1
    kill_firmware
    events="$events,firmware-kill@$(($(now) - t0))cs"
    left=$((COUNT - $(spooled_count)))
    [ "$left" -ge 0 ] || left=0
    sleep_ms 300
    start_firmware "$left"
}

# ---------------------------------------------------------------- one phase

# Copies text files to the second serial port; the host script unpacks them into <work>/vm/.
export_files() {
    [ -c /dev/ttyS1 ] || return 0
    for f in "$@"; do
        [ -f "$f" ] || continue
        echo "===== USBVM-FILE $f"
        cat "$f"
    done >/dev/ttyS1
}

dump_tail() {
    for f in "$@"; do
        [ -f "$f" ] || continue
        echo "----- tail of $f"
        tail -n 25 "$f"
    done
}

run_phase() {
    name=$1
    dir=/run/phase$2-$name
    mkdir -p "$dir/spool"
    : >"$dir/created.extra"
    FAIL=
    events=
    runs=0
    stations=0
    station=
    firmware=
    t0=$(now)
    dmesg -c >/dev/null 2>&1

    if [ "$(budget)" -lt 10 ]; then
        FAIL="not run: the VM's time budget is spent"
    else
        start_station && start_firmware "$COUNT" && "fault_$name"
    fi
    if [ -z "$FAIL" ]; then
        # The firmware ends by itself once its scenario is done and its spool is empty (every ACK in).
        wait_until "$(budget)" not_alive "$firmware" ||
            FAIL="the firmware did not empty its spool in time"
    fi
    [ -n "$firmware" ] && alive "$firmware" && kill_firmware
    [ -n "$firmware" ] && wait "$firmware" 2>/dev/null
    unplug
    stop_station
    seconds=$((($(now) - t0) / 100))
    dmesg >"$dir/dmesg.txt" 2>&1

    # The proof: what the firmware spooled against what the station's database holds.
    { logged_ids; cat "$dir/created.extra"; } | sort -u >"$dir/created.ids"
    if [ -e "$dir/station.db" ]; then
        sqlite3 "$dir/station.db" "SELECT id FROM inspections" 2>>"$dir/sqlite.err" | sort >"$dir/db.rows"
    else
        : >"$dir/db.rows"
    fi
    sort -u "$dir/db.rows" >"$dir/db.ids"
    created=$(wc -l <"$dir/created.ids")
    stored=$(wc -l <"$dir/db.ids")
    lost=$(grep -vxF -f "$dir/db.ids" "$dir/created.ids" | wc -l)
    unexpected=$(grep -vxF -f "$dir/created.ids" "$dir/db.ids" | wc -l)
    awk '$1 == "STORED" { print $3 }' "$dir/station.out" | sort | uniq -d >"$dir/dup.answers"
    uniq -d "$dir/db.rows" >"$dir/dup.rows"
    duplicated=$(sort -u "$dir/dup.answers" "$dir/dup.rows" | wc -l)
    dupacks=$(grep -c '^DUPLICATE' "$dir/station.out")
    losses=$(cat "$dir"/firmware-*.log | grep -c 'host link lost')
    cuts=$(cat "$dir"/firmware-*.log | grep -c 'frame cut in transfer')
    leftover=$(ls "$dir/spool" | grep -c -v '^$')

    [ "$created" -ge "$COUNT" ] || [ -n "$FAIL" ] || FAIL="only $created of $COUNT documents became inspections"
    [ "$lost" -eq 0 ] || FAIL="${FAIL:+$FAIL; }$lost lost"
    [ "$duplicated" -eq 0 ] || FAIL="${FAIL:+$FAIL; }$duplicated duplicated"
    [ "$unexpected" -eq 0 ] || FAIL="${FAIL:+$FAIL; }$unexpected unexpected"
    [ "$leftover" -eq 0 ] || FAIL="${FAIL:+$FAIL; }$leftover file(s) left in the spool"
    status=pass
    [ -z "$FAIL" ] || status=fail
    say "RESULT phase=$name status=$status created=$created stored=$stored lost=$lost" \
        "duplicated=$duplicated unexpected=$unexpected duplicate_acks=$dupacks link_losses=$losses" \
        "frames_cut=$cuts firmware_runs=$runs station_runs=$stations seconds=$seconds events=$(echo "${events:-,none}" | cut -c2-)"
    export_files "$dir"/*.log "$dir"/*.out "$dir"/*.scn "$dir"/*.txt "$dir"/*.ids "$dir"/*.err
    if [ "$status" != pass ]; then
        say "FAIL phase=$name: $FAIL"
        dump_tail "$dir"/firmware-*.log "$dir/station.out" "$dir/gadget.log" "$dir/sqlite.err" "$dir/dmesg.txt"
        overall=1
    fi
}

# ---------------------------------------------------------------- the probe

# usb_vm_probe drives both ends of gw::link::usb directly (no firmware, no station) and plugs and pulls the
# cable itself (with gw-usb-gadget; its lines land in probe.out): one deterministic check per finding.
run_probe() {
    dir=/run/phase$1-probe
    mkdir -p "$dir"
    t0=$(now)
    timeout -s KILL "$(budget)" usb_vm_probe --ffs "$FFS" --plug "gw-usb-gadget bind --wait 10" \
        --unplug "gw-usb-gadget unbind" >"$dir/probe.out" 2>&1
    rc=$?
    unplug
    grep '^PROBE ' "$dir/probe.out" | while read -r _ check result detail; do
        say "CHECK name=$check status=$result $detail"
    done
    checks=$(grep -c '^PROBE ' "$dir/probe.out")
    failed=$(grep -c '^PROBE [^ ]* fail' "$dir/probe.out")
    status=pass
    [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$checks" -ge 7 ] || status=fail
    say "RESULT phase=probe status=$status checks=$checks failed=$failed exit=$rc seconds=$((($(now) - t0) / 100))"
    dmesg >"$dir/dmesg.txt" 2>&1
    export_files "$dir/probe.out" "$dir/dmesg.txt" "$dir/gadget.log"
    if [ "$status" != pass ]; then
        say "FAIL phase=probe: $failed of $checks checks failed (exit $rc)"
        dump_tail "$dir/probe.out" "$dir/dmesg.txt"
        overall=1
    fi
}

# ---------------------------------------------------------------- main

overall=0
say "BOOTED uptime_cs=$(now) kernel=$(uname -r)"
load_modules || poweroff_now 1
make_gadget || {
    say "FATAL cannot make the configfs gadget: $(gadget_said)"
    cat /run/gadget.log
    dmesg | tail -n 30
    poweroff_now 1
}
ncaptures=$(wc -l </data/captures.list)
say "READY uptime_cs=$(now) udc=$UDC captures=$ncaptures udevd=$([ -e /run/udev/control ] && echo yes || echo no)"

n=0
for phase in $PHASES; do
    n=$((n + 1))
    if [ "$phase" = probe ]; then
        run_probe "$n"
    else
        run_phase "$phase" "$n"
    fi
done

# The board's teardown (its unit's ExecStop): with no firmware left, everything it made must go.
dir=/run
if gadget teardown && [ ! -e "$G" ] && ! grep -q " $FFS functionfs " /proc/mounts; then
    say "GADGET teardown=pass"
else
    say "GADGET teardown=fail $(gadget_said)"
    overall=1
fi
export_files /run/gadget.log

say "DONE status=$([ "$overall" -eq 0 ] && echo pass || echo fail) uptime_cs=$(now)"
poweroff_now "$overall"
